"""The emulator inside the kernel: the default when there is no API key and no base URL.

The listening socket is bound here, synchronously, so the URL is known at once and set as
``GOOGLE_GEMINI_BASE_URL`` (so ``gemini_nb.Client()`` in the notebook uses it too); the server
stack is imported and started in a background thread, keeping ``%load_ext`` fast. Requests made
before it is ready wait in the socket's backlog.

It needs starlette and uvicorn (both in the ``notebook`` extra). Without them nothing is
started, and :func:`ensure_backend` and :func:`check_backend` raise one
:class:`~gemini_nb._optional.MissingDependencyError` naming the extra, rather than letting
every call fail as if the network were down.

The server's own errors (an exception in the app, a stream cut on purpose) go to the
``gemini_nb.notebook.emulator`` logger and never to the kernel's stderr, where they would show
up under whichever cell happens to be running. Configure that logger to see them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import MutableMapping
from typing import Any

from .._exceptions import ConfigurationError
from .._optional import MissingDependencyError, require

__all__ = ["LOGGER", "check_backend", "embedded_url", "ensure_backend"]

KEY_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
BASE_URL_VAR = "GOOGLE_GEMINI_BASE_URL"
# A little delay between stream events so that streaming is visible in demos.
CHUNK_DELAY_VAR = "GEMINI_NB_EMULATOR_CHUNK_DELAY"
SERVER_PACKAGES = ("starlette", "uvicorn")
LOGGER = "gemini_nb.notebook.emulator"
SERVER_THREAD = "gemini-nb-emulator"
_FEATURE = "No API key is set, and the local emulator that answers without one"

_log = logging.getLogger(LOGGER)
# Without a handler anywhere, logging's last resort would print warnings to stderr (the cell
# output again); with this one they are dropped unless the user configures logging.
_log.addHandler(logging.NullHandler())

_lock = threading.Lock()
_url: str | None = None
_server: Any = None
_ready = threading.Event()  # set once the server stack is built, or has failed to build
_failure: str | None = None  # why the started emulator cannot answer
_missing: MissingDependencyError | None = None


def embedded_url() -> str | None:
    """The in-kernel emulator's URL, if it was started."""
    return _url


def _configured(env: MutableMapping[str, str]) -> bool:
    return any(env.get(k, "").strip() for k in KEY_VARS) or bool(env.get(BASE_URL_VAR, "").strip())


def ensure_backend(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Start the in-kernel emulator unless a key or base URL is configured.

    Returns its URL when this call started it, else None. Raises
    :class:`~gemini_nb._optional.MissingDependencyError` when it would be needed but its
    packages are not installed.
    """
    global _url, _missing
    env = os.environ if environ is None else environ
    if _configured(env):
        return None
    with _lock:
        if _url is not None:
            return None
        try:
            require(_FEATURE, SERVER_PACKAGES, "notebook")
        except MissingDependencyError as exc:
            _missing = MissingDependencyError(_no_emulator_message(exc), name=exc.name)
            raise _missing from None
        _missing = None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        host, port = sock.getsockname()[:2]
        _url = f"http://{host}:{port}"
        delay = float(env.get(CHUNK_DELAY_VAR, "0.02"))
        threading.Thread(target=_serve, args=(sock, delay), name=SERVER_THREAD, daemon=True).start()
        env[BASE_URL_VAR] = _url
        return _url


def check_backend(environ: MutableMapping[str, str] | None = None, timeout: float = 10.0) -> None:
    """Raise the reason the in-kernel emulator cannot answer, when answers would go to it.

    Called before a notebook client is made, so that a missing package or a failed start is
    one clear message instead of a connection error on every call.
    """
    env = os.environ if environ is None else environ
    if _url is not None and env.get(BASE_URL_VAR, "").strip() == _url:
        _ready.wait(timeout)
        if _failure is not None:
            raise ConfigurationError(
                f"The local emulator in this kernel could not start ({_failure}). Restart the "
                f"kernel, or set GEMINI_API_KEY before starting Jupyter to use Gemini."
            )
    elif _missing is not None and not _configured(env):
        raise MissingDependencyError(str(_missing), name=_missing.name)


def _no_emulator_message(exc: MissingDependencyError) -> str:
    return f"{exc}, then restart the kernel (or set GEMINI_API_KEY before starting Jupyter)."


class _OwnRecords(logging.Filter):
    """On uvicorn's loggers: takes the records of our server's thread to our logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.threadName != SERVER_THREAD:
            return True  # another server in this process (the user's own) keeps its logging
        _log.handle(record)
        return False


_own_records = _OwnRecords()


def _route_server_logs() -> None:
    # uvicorn logs through process-wide loggers, and its default configuration writes them to
    # the sys.stderr of the moment: in a kernel, the output of whichever cell is running. A
    # filter on the loggers, unlike a handler, survives uvicorn configuring logging again for
    # another server in the same process.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        if _own_records not in logger.filters:
            logger.addFilter(_own_records)


def _serve(sock: socket.socket, delay: float) -> None:
    global _server
    try:
        import uvicorn

        from ..emulator import EmulatorApp, EmulatorOptions

        app = EmulatorApp(EmulatorOptions(chunk_delay=delay))
        # No log_config and no log_level: uvicorn leaves the process's logging alone.
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        _route_server_logs()
        _server = uvicorn.Server(config)
    except Exception as exc:
        _fail(sock, exc)
        return
    finally:
        _ready.set()
    try:
        _server.run(sockets=[sock])
    except Exception as exc:
        _fail(sock, exc)


def _fail(sock: socket.socket, exc: BaseException) -> None:
    global _failure
    _failure = f"{type(exc).__name__}: {exc}"
    _log.error("the local emulator stopped: %s", _failure, exc_info=exc)
    # Closed, queued and later connections are refused at once instead of hanging.
    sock.close()
