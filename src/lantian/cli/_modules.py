"""Import every command module so that it registers on the app (one line per module)."""

from lantian.cli import aqi_cmd  # noqa: F401
