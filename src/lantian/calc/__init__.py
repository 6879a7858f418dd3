"""Pure computation over Polars: no I/O, no configuration, no printing."""
