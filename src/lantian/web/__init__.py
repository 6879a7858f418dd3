"""lantian.web: the office dashboard and REST API (``create_app(settings)``)."""

from lantian.web.app import create_app

__all__ = ["create_app"]
