"""The emulator inside the kernel: the default when there is no API key and no base URL.

The listening socket is bound here, synchronously, so the URL is known at once and set as
``GOOGLE_GEMINI_BASE_URL`` (so ``gemini_nb.Client()`` in the notebook uses it too); the server
stack is imported and started in a background thread, keeping ``%load_ext`` fast. Requests made
before it is ready wait in the socket's backlog.
"""

from __future__ import annotations

import os
import threading
from collections.abc import MutableMapping

__all__ = ["embedded_url", "ensure_backend"]

KEY_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
BASE_URL_VAR = "GOOGLE_GEMINI_BASE_URL"
# A little delay between stream events so that streaming is visible in demos.
CHUNK_DELAY_VAR = "GEMINI_NB_EMULATOR_CHUNK_DELAY"

_lock = threading.Lock()
_url: str | None = None
_server: object | None = None


def embedded_url() -> str | None:
    """The in-kernel emulator's URL, if it was started."""
    return _url


def ensure_backend(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Start the in-kernel emulator unless a key or base URL is configured.

    Returns its URL when this call started it, else None.
    """
    global _url
    env = os.environ if environ is None else environ
    if any(env.get(k, "").strip() for k in KEY_VARS) or env.get(BASE_URL_VAR, "").strip():
        return None
    with _lock:
        if _url is not None:
            return None
        from ..emulator.wire.server import listening_socket

        sock = listening_socket()
        host, port = sock.getsockname()[:2]
        _url = f"http://{host}:{port}"
        delay = float(env.get(CHUNK_DELAY_VAR, "0.02"))
        threading.Thread(
            target=_serve, args=(sock, delay), name="gemini-nb-emulator-start", daemon=True
        ).start()
        env[BASE_URL_VAR] = _url
        return _url


def _serve(sock: object, delay: float) -> None:
    global _server
    from ..emulator.wire.app import EmulatorOptions
    from ..emulator.wire.server import EmulatorServer

    server = EmulatorServer(sock=sock, options=EmulatorOptions(chunk_delay=delay))  # type: ignore[arg-type]
    server.start(wait=False)
    _server = server
