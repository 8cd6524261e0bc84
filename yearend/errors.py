"""Errors that services raise for a person to read.

Views show the message, the API returns ``code`` and the message as JSON, commands print
the message on one line and exit with ``exit_code``. None of them carries a traceback to
the user.
"""


class ServiceError(Exception):
    code = "invalid"
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class InvalidInput(ServiceError):
    code = "invalid"


class NotFound(ServiceError):
    code = "not_found"


class Forbidden(ServiceError):
    code = "forbidden"


class Conflict(ServiceError):
    code = "conflict"
