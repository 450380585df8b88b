"""Domain errors raised by service functions; views turn them into flashes or JSON errors."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; ``field`` names the input at fault, when there is one."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input that is well-formed but not acceptable (unknown town, weak password...).

    ``suggestions`` are values the user may have meant (places with ``name``, ``postcode``
    and ``country``): pages offer them as links after ``lead``, the message without them.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        suggestions: tuple = (),
        lead: str | None = None,
    ) -> None:
        super().__init__(message, field)
        self.suggestions = tuple(suggestions)
        self.lead = lead or message


class NotFound(DomainError):
    """The object does not exist or is not visible to this user."""

    status_code = 404


class PermissionDenied(DomainError):
    """The user may not do this."""

    status_code = 403


class Conflict(DomainError):
    """The change collides with the current state (already voted, email taken...)."""

    status_code = 409


class TooManyAttempts(DomainError):
    """Too many recent attempts: ``retry_after`` seconds before the next one is considered."""

    status_code = 429

    def __init__(self, message: str, field: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A part the request needs (the search index) cannot answer right now."""

    status_code = 503
