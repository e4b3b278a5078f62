"""Run the emulator on loopback: in a background thread (tests, notebooks) or in the foreground."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from ._app import EmulatorApp, EmulatorOptions

__all__ = ["EmulatorServer", "serve"]


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
    ) -> None:
        import uvicorn

        self.app = EmulatorApp(options)
        self._config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(self._config)
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; return the base URL (``http://127.0.0.1:<port>``)."""
        if self._thread is not None:
            return self.url
        self._thread = threading.Thread(
            target=self._server.run, name="gemini-nb-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the emulator did not start on {self._config.host}:{self._config.port}"
                )
            time.sleep(0.005)
        sock = self._server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[str]:
    """Serve the emulator in a background thread for the duration of a ``with`` block.

    >>> with serve() as base_url:                 # doctest: +SKIP
    ...     client = Client(base_url=base_url)
    """
    with EmulatorServer(host, port, options=EmulatorOptions(**options)) as server:
        yield server.url
