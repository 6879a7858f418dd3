"""lantian (蓝天): Chinese air-quality figures exactly as officials publish them, and the
Blue-Sky Office's supervision cycle."""

from lantian.calc.aqi import aqi, iaqi

__version__ = "0.1.0"

__all__ = ["__version__", "aqi", "iaqi"]
