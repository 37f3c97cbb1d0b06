"""The one exception type handlers raise; the server renders it in Pipedrive's envelope."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "ERROR_INFO"]

# The envelope's ``error_info`` (NOTES §10; SPEC v1 error schemas such as
# ``CallLogBadRequestResponse``).
ERROR_INFO = "Please check developers.pipedrive.com"


class ApiError(Exception):
    """An API failure: HTTP ``status`` plus the envelope's ``error`` message.

    ``extra`` keys are merged into the envelope; some endpoints document additional
    keys on errors (e.g. ``/v1/webhooks`` adds ``status`` and ``errors``).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_info: str = ERROR_INFO,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_info = error_info
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "success": False,
            "error": self.message,
            "error_info": self.error_info,
            "data": None,
            "additional_data": None,
        }
        payload.update(self.extra)
        return payload
