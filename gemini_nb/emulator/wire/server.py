"""Run the emulator on loopback: in a background thread (tests, notebooks) or in the foreground."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import EmulatorOptions

__all__ = ["EmulatorServer", "listening_socket", "serve"]


class EmulatorServer:
    """The emulator on a uvicorn server in a daemon thread.

    >>> with EmulatorServer() as server:          # doctest: +SKIP
    ...     client = Client(base_url=server.url)
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        options: EmulatorOptions | None = None,
        log_level: str = "warning",
        sock: socket.socket | None = None,
        tls: bool = False,
    ) -> None:
        from ..._optional import require

        require("The emulator", ("starlette", "uvicorn"), "emulator")
        import uvicorn

        from .app import EmulatorApp
        from .protocol import protocol_with

        self.app = EmulatorApp(options)
        # With tls, HTTPS and WSS on a self-signed certificate (see tls.py).
        self.certificate: str | None = None
        ssl: dict[str, str] = {}
        if tls:
            from .tls import self_signed

            cert, key = self_signed()
            self.certificate = str(cert)
            ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
        self._scheme = "https" if tls else "http"
        self._config = uvicorn.Config(
            self.app,
            http=protocol_with(self.app.options.header_timeout),
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            lifespan="off",
            # Idle keep-alive connections are closed after this many seconds.
            timeout_keep_alive=5,
            timeout_graceful_shutdown=1,
            **ssl,  # type: ignore[arg-type]
        )
        self._server = uvicorn.Server(self._config)
        self._thread: threading.Thread | None = None
        self._sock = sock
        self.url = _socket_url(sock, self._scheme) if sock is not None else ""

    def start(self, timeout: float = 10.0, *, wait: bool = True) -> str:
        """Start serving; return the base URL (``http://127.0.0.1:<port>``).

        With a pre-bound, listening ``sock`` and ``wait=False`` this returns at once:
        connections queue on the socket until the server thread accepts them.
        """
        if self._thread is not None:
            return self.url
        sockets = [self._sock] if self._sock is not None else None
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": sockets},
            name="gemini-nb-emulator",
            daemon=True,
        )
        self._thread.start()
        if not wait and self._sock is not None:
            return self.url
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the emulator did not start on {self._config.host}:{self._config.port}"
                )
            time.sleep(0.005)
        self.url = _socket_url(self._server.servers[0].sockets[0], self._scheme)
        return self.url

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._thread = None

    @property
    def token(self) -> str:
        """The control API's token (send it as ``X-Emulator-Token``)."""
        return self.app.control_token

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _socket_url(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://{host}:{port}"


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound, listening socket, so the URL is known before the server thread runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


@contextlib.contextmanager
def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[str]:
    """Serve the emulator in a background thread for the duration of a ``with`` block.

    >>> with serve() as base_url:                 # doctest: +SKIP
    ...     client = Client(base_url=base_url)
    """
    from .app import EmulatorOptions

    with EmulatorServer(host, port, options=EmulatorOptions(**options)) as server:
        yield server.url
