"""Exceptions. Every message says what was wrong and what to do.

The message is Chinese (what the CLI prints and a Chinese page shows); ``en`` is the same text in
English, shown when a page or API client has chosen English (:meth:`LantianError.text`)."""


class LantianError(Exception):
    """Base class of every error lantian raises on purpose."""

    def __init__(self, message: str = "", *args, en: str | None = None) -> None:
        super().__init__(message, *args)
        self.en = en

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``); the Chinese one when there is no English text."""
        if lang == "en" and self.en:
            return self.en
        return str(self)


class InputError(LantianError, ValueError):
    """Bad input data: a file, a column, a value. The message names the row and column."""


class UnknownRegimeError(LantianError, ValueError):
    """An edition of the standards that lantian does not know."""


class ConfigError(LantianError, ValueError):
    """A bad setting or configuration file."""


class StoreError(LantianError):
    """The data store cannot do what was asked."""


class WorkflowError(LantianError):
    """A supervision action that the rules refuse (invalid transition, missing permission...)."""


class PermissionDenied(WorkflowError):
    """The user's role or unit does not allow this action."""


class NotFound(LantianError, LookupError):
    """A record (case, unit, user, station, city) that does not exist."""
