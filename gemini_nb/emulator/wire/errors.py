"""The one error type the emulator's pieces raise; the app turns it into Google's error JSON."""

from __future__ import annotations

from typing import Any

__all__ = ["STATUS_NAMES", "EmulatorError"]

# HTTP status -> google.rpc.Code name, as the real API pairs them.
STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class EmulatorError(Exception):
    """An API error to answer with: HTTP status, message and optional `details` list."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        rpc_status: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.rpc_status = rpc_status or STATUS_NAMES.get(status, "UNKNOWN")

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.status,
            "message": self.message,
            "status": self.rpc_status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}
