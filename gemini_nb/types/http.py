"""Transport options any call can carry (``config={"http_options": {...}}``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireModel

__all__ = ["HttpOptions"]


class HttpOptions(WireModel):
    """Per-client or per-call transport options.

    ``timeout`` in seconds (a number, or ``None`` for no limit; google-genai counts
    milliseconds here); ``max_retries`` retries on 408/429/5xx and connection errors;
    ``headers`` are added to the request; ``extra_body`` is merged into the JSON body (nested
    dicts merged key by key, the extra value winning), for fields this client does not know.
    """

    timeout: float | None = Field(default=None, ge=0)
    max_retries: int | None = Field(default=None, ge=0)
    headers: dict[str, str] | None = None
    extra_body: dict[str, Any] | None = None
