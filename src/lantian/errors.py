"""Exceptions. Every message says what was wrong and what to do."""


class LantianError(Exception):
    """Base class of every error lantian raises on purpose."""


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
