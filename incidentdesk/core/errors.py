"""Errors the domain raises: each message is one sentence a commander can act on."""


class DomainError(ValueError):
    """A command was refused because of what it asked for (bad input or a rule)."""


class NotFound(DomainError):
    """An id (or id prefix) matched nothing."""


class Ambiguous(DomainError):
    """An id prefix matched more than one thing."""
