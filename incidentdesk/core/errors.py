"""Errors the domain raises: each message is one sentence a commander can act on."""


class UserError(Exception):
    """A failure whose message is for the user: one sentence saying what to do.

    Everything the app refuses or cannot do for a reason outside its code (bad input, a
    damaged file, an unreachable server, a keyring that says no) is one of these; anything
    else is a bug.
    """


class DomainError(UserError, ValueError):
    """A command was refused because of what it asked for (bad input or a rule)."""


class NotFound(DomainError):
    """An id (or id prefix) matched nothing."""


class Ambiguous(DomainError):
    """An id prefix matched more than one thing."""


class NoChange(DomainError):
    """A command asked for what is already so (``/sev 1`` on a SEV1): nothing to record."""
