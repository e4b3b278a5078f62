"""Client settings: argument, then environment, then default.

* API key: ``api_key=`` argument, else ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY`` (when both are
  set, ``GOOGLE_API_KEY`` is used, as the official SDK does; a warning says so once).
* Base URL: ``base_url=`` argument, else ``GOOGLE_GEMINI_BASE_URL`` (the official SDK's
  variable, so both clients follow one setting), else Google's endpoint.
* API version: ``api_version=`` argument, else ``v1beta``.

The key is held in a :class:`Secret`, whose repr and str never show it; it is sent only as the
``x-goog-api-key`` header.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ._exceptions import ConfigurationError
from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "Secret",
    "Settings",
    "resolve_settings",
]

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
DEFAULT_API_VERSION = "v1beta"
KEY_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
BASE_URL_VAR = "GOOGLE_GEMINI_BASE_URL"

# (connect, read) seconds. Thinking models can take minutes before the first byte of a
# non-streamed answer, so the read timeout is generous; connecting should be quick.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 300.0)

_log = logging.getLogger("gemini_nb")
_warned_both_keys = False

NO_KEY_MESSAGE = (
    "No API key: set GEMINI_API_KEY (or GOOGLE_API_KEY) in the environment before starting "
    "Python, or pass Client(api_key=...). To work without a key, use the local emulator: "
    'pip install "gemini-nb[emulator]", run gemini-nb-emulator --port 0 and set '
    "GOOGLE_GEMINI_BASE_URL to the URL it prints (or pass Client(base_url=...)). In a "
    "notebook, %load_ext gemini_nb starts one in the kernel."
)


class Secret:
    """A string that does not show itself in reprs, logs or tracebacks.

    The value is not kept as a string either: it is stored XORed with a random pad of the same
    length, so neither a variable inspector listing attributes nor a search of the process's
    strings (``gc.get_objects()``, a core dump) finds the key. :meth:`reveal` builds the string
    on demand; callers use it at once and drop it.

    >>> Secret("AIza-example")
    Secret('********')
    """

    __slots__ = ("_masked", "_n", "_pad")

    def __init__(self, value: str) -> None:
        data = value.encode("utf-8")
        self._n = len(data)
        self._pad = int.from_bytes(os.urandom(self._n), "little")
        self._masked = int.from_bytes(data, "little") ^ self._pad

    def reveal(self) -> str:
        return (self._masked ^ self._pad).to_bytes(self._n, "little").decode("utf-8")

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return False
        import hmac

        return hmac.compare_digest(self.reveal().encode(), other.reveal().encode())

    def __hash__(self) -> int:
        import hashlib

        return hash(hashlib.sha256(self.reveal().encode()).digest())

    def __bool__(self) -> bool:
        return self._n > 0

    def __copy__(self) -> Secret:
        return self  # immutable

    def __deepcopy__(self, memo: object) -> Secret:
        return self

    def __reduce__(self) -> str:
        raise TypeError("an API key is not picklable; pass it again in the other process")


@dataclass(frozen=True)
class Settings:
    """Resolved client settings."""

    api_key: Secret | None
    base_url: str
    api_version: str
    timeout: tuple[float, float] | float | None = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    headers: Mapping[str, str] = field(default_factory=dict)
    key_source: str = "argument"

    def __post_init__(self) -> None:
        if self.api_key is not None and not isinstance(self.api_key, Secret):
            raise TypeError("Settings.api_key must be a Secret")

    @property
    def uses_default_host(self) -> bool:
        return self.base_url.rstrip("/") == DEFAULT_BASE_URL


def _env_key(environ: Mapping[str, str]) -> tuple[str | None, str]:
    global _warned_both_keys
    found = [(name, environ[name].strip()) for name in KEY_VARS if environ.get(name, "").strip()]
    if not found:
        return None, ""
    if len(found) == 2 and not _warned_both_keys:
        _warned_both_keys = True
        _log.warning("Both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY.")
    return found[0][1], found[0][0]


def resolve_settings(
    *,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    api_version: str | None = None,
    timeout: tuple[float, float] | float | object | None = ...,
    max_retries: int | None = None,
    headers: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Apply the precedence rules; raise :class:`ConfigurationError` with what to do."""
    env = os.environ if environ is None else environ
    key: str | None
    if isinstance(api_key, Secret):
        key, source = api_key.reveal(), "argument"
    elif api_key is not None:
        key, source = api_key.strip(), "argument"
        if not key:
            raise ConfigurationError("api_key is empty. " + NO_KEY_MESSAGE)
    else:
        key, source = _env_key(env)
    url = (base_url or env.get(BASE_URL_VAR, "").strip() or DEFAULT_BASE_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"base_url must start with http:// or https:// (got {url[:60]!r})."
        )
    if key is None and url == DEFAULT_BASE_URL:
        raise ConfigurationError(NO_KEY_MESSAGE)
    if key and any(ch.isspace() for ch in key):
        raise ConfigurationError("The API key contains whitespace; check how it was set.")
    if max_retries is not None and max_retries < 0:
        raise ConfigurationError("max_retries must be 0 or more.")
    policy = RetryPolicy() if max_retries is None else RetryPolicy(max_retries=max_retries)
    return Settings(
        api_key=Secret(key) if key else None,
        base_url=url,
        api_version=(api_version or DEFAULT_API_VERSION).strip("/"),
        timeout=DEFAULT_TIMEOUT if timeout is ... else timeout,  # type: ignore[arg-type]
        retry=policy,
        headers=dict(headers or {}),
        key_source=source,
    )
