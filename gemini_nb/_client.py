"""``Client`` and ``AsyncClient``: the two thin I/O shells around :class:`Transport`.

Each performs the effects of a flow (HTTP calls with retries, stream reads, sleeps,
tool runs) in its own way; nothing else differs between them.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._config import Secret, Settings, resolve_settings
from ._exceptions import APIError
from ._transport import (
    Call,
    Emit,
    Flow,
    Next,
    Read,
    Reply,
    RunTools,
    Sleep,
    StreamHandle,
    Transport,
)

if TYPE_CHECKING:
    from ._live_sync import Live
    from .dataframes import AsyncDataFrames, DataFrames
    from .resources.auth_tokens import AsyncAuthTokens, AuthTokens
    from .resources.batches import AsyncBatches, Batches
    from .resources.caches import AsyncCaches, Caches
    from .resources.chats import AsyncChats, Chats
    from .resources.file_search_stores import AsyncFileSearchStores, FileSearchStores
    from .resources.files import AsyncFiles, Files
    from .resources.live import AsyncLive
    from .resources.models import AsyncModels, Models
    from .resources.operations import AsyncOperations, Operations
    from .resources.tunings import AsyncTunings, Tunings

__all__ = ["AsyncClient", "Client"]

T = TypeVar("T")

_UNSET: Any = ...


class _ClientBase:
    _transport: Transport
    _http_class: type[httpx.Client] | type[httpx.AsyncClient]

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
        timeout: float | tuple[float, float] | None = _UNSET,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | httpx.AsyncClient | None = None,
        _settings: Settings | None = None,
    ) -> None:
        self._settings = _settings or resolve_settings(
            api_key=api_key,
            base_url=base_url,
            api_version=api_version,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )
        self._transport = Transport(self._settings)
        self._resources: dict[str, Any] = {}
        if http_client is not None and not isinstance(http_client, self._http_class):
            raise TypeError(
                f"{type(self).__name__} needs an {self._http_class.__module__}."
                f"{self._http_class.__name__} as http_client, not {type(http_client).__name__}."
            )
        # An injected client is the caller's: used as is, never closed by us.
        self._owns_http = http_client is None
        self._http: Any = http_client or self._http_class(
            follow_redirects=False, limits=httpx.Limits(max_connections=100)
        )

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def api_version(self) -> str:
        return self._settings.api_version

    @property
    def settings(self) -> Settings:
        return self._settings

    def __repr__(self) -> str:
        # Safe on a half-built client (``__init__`` failed part-way, or ``Client.__new__``):
        # a debugger or a traceback formatter calls repr on whatever exists.
        settings = getattr(self, "_settings", None)
        if not isinstance(settings, Settings):
            return f"{type(self).__name__}(<not initialised>)"
        key = "set" if settings.api_key else "none"
        return f"{type(self).__name__}(base_url={settings.base_url!r}, api_key=<{key}>)"

    def _resource(self, name: str, factory: Any) -> Any:
        # Resources are built on first use so that `import gemini_nb` and Client() stay cheap.
        res = self._resources.get(name)
        if res is None:
            res = self._resources[name] = factory(self)
        return res


class Client(_ClientBase):
    """Synchronous Gemini API client.

    >>> client = Client()                                   # key from GEMINI_API_KEY
    >>> client.models.generate_content(model="gemini-2.5-flash", contents="Hi").text  # doctest: +SKIP

    An ``http_client`` you pass is used as is and never closed by us; the client's own one is
    closed by :meth:`close` or by leaving a ``with`` block.
    """

    _http_class = httpx.Client
    _http: httpx.Client

    # ------------------------------------------------------------- resources

    @property
    def models(self) -> Models:
        from .resources.models import Models

        return self._resource("models", Models)  # type: ignore[no-any-return]

    @property
    def chats(self) -> Chats:
        from .resources.chats import Chats

        return self._resource("chats", Chats)  # type: ignore[no-any-return]

    @property
    def files(self) -> Files:
        from .resources.files import Files

        return self._resource("files", Files)  # type: ignore[no-any-return]

    @property
    def caches(self) -> Caches:
        from .resources.caches import Caches

        return self._resource("caches", Caches)  # type: ignore[no-any-return]

    @property
    def file_search_stores(self) -> FileSearchStores:
        from .resources.file_search_stores import FileSearchStores

        return self._resource("file_search_stores", FileSearchStores)  # type: ignore[no-any-return]

    @property
    def operations(self) -> Operations:
        from .resources.operations import Operations

        return self._resource("operations", Operations)  # type: ignore[no-any-return]

    @property
    def batches(self) -> Batches:
        from .resources.batches import Batches

        return self._resource("batches", Batches)  # type: ignore[no-any-return]

    @property
    def tunings(self) -> Tunings:
        from .resources.tunings import Tunings

        return self._resource("tunings", Tunings)  # type: ignore[no-any-return]

    @property
    def dataframes(self) -> DataFrames:
        """Run a prompt over every row of a DataFrame: ``generate``, ``embed``, ``estimate``."""
        from .dataframes import DataFrames

        return self._resource("dataframes", DataFrames)  # type: ignore[no-any-return]

    @property
    def live(self) -> Live:
        """Live API sessions from sync code (``client.aio.live`` is the async API)."""
        from ._live_sync import Live

        return self._resource("live", Live)  # type: ignore[no-any-return]

    @property
    def auth_tokens(self) -> AuthTokens:
        from .resources.auth_tokens import AuthTokens

        return self._resource("auth_tokens", AuthTokens)  # type: ignore[no-any-return]

    @property
    def aio(self) -> AsyncClient:
        """An AsyncClient with the same settings (its own connection pool)."""
        return self._resource("aio", lambda c: AsyncClient(_settings=c._settings))  # type: ignore[no-any-return]

    def with_options(self, *, timeout: Any = _UNSET, max_retries: int | None = None) -> Client:
        """A client sharing this one's connections, with other timeout or retry defaults."""
        settings = _derive(self._settings, timeout, max_retries)
        clone = Client(_settings=settings, http_client=self._http)
        return clone

    # ------------------------------------------------------------- lifecycle

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- driving flows

    def _run(self, op: Flow[T]) -> T:
        """Perform every effect of a non-streaming flow and return its result."""
        value: Any = None
        error: BaseException | None = None
        handles: list[StreamHandle] = []  # raw streams (downloads) closed whatever happens
        try:
            while True:
                try:
                    effect = op.throw(error) if error is not None else op.send(value)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                error = None
                try:
                    value = self._perform(effect)
                except Exception as exc:
                    value, error = None, exc
                else:
                    if type(value) is StreamHandle:
                        handles.append(value)
        finally:
            for handle in handles:
                self._close_handle(handle)

    def _iterate(self, op: Flow[Any], handles: list[StreamHandle]) -> Iterator[Any]:
        """Drive a streaming flow, yielding what it emits."""
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    effect = op.throw(error) if error is not None else op.send(value)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                error = None
                if isinstance(effect, Emit):
                    value = None
                    yield from effect.values
                    continue
                try:
                    value = self._perform(effect)
                    if isinstance(value, StreamHandle):
                        handles.append(value)
                except Exception as exc:
                    value, error = None, exc
        finally:
            op.close()
            for handle in handles:
                self._close_handle(handle)

    def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Call):
            return self._call(effect)
        if isinstance(effect, Next):
            return self._next(effect.handle)
        if isinstance(effect, Read):
            return self._read(effect.handle)
        if isinstance(effect, Sleep):
            time.sleep(effect.seconds)
            return None
        if isinstance(effect, RunTools):
            from ._afc import run_tools_sync

            return run_tools_sync(effect)
        raise TypeError(f"unknown effect {effect!r}")

    def _call(self, call: Call) -> Reply | StreamHandle:
        t = self._transport
        policy = t.policy_for(call)
        attempt = 0
        while True:
            err: APIError
            try:
                response = self._http.send(t.build(call), auth=t.auth, stream=True)
            except httpx.TransportError as exc:
                err = t.connection_error(exc, call)
            else:
                try:
                    status = response.status_code
                    if status < 300 or (call.redirect and status < 400):
                        if call.stream and status < 300:
                            return StreamHandle(call, response, response.iter_bytes())
                        return t.reply(call, response, response.read(), attempt)
                    err = t.status_error(response, response.read())
                except httpx.TransportError as exc:
                    err = t.connection_error(exc, call)
                finally:
                    if not call.stream or response.status_code >= 300:
                        response.close()
            delay = t.retry_delay(err, policy, attempt, call)
            if delay is None:
                raise err
            time.sleep(delay)
            attempt += 1

    def _next(self, handle: StreamHandle) -> list[str] | None:
        while True:
            events = handle.take()
            if events is not None or handle.closed:
                return events
            try:
                chunk = next(handle.chunks)
            except StopIteration:
                handle.finish()
                handle.closed = True
                self._close_handle(handle)
            except httpx.TransportError as exc:
                self._close_handle(handle)
                raise self._transport.stream_cut(handle.call, handle.events, exc) from None
            else:
                handle.feed(chunk)

    def _read(self, handle: StreamHandle) -> bytes | None:
        if handle.closed:
            return None
        try:
            chunk: bytes = next(handle.chunks)
        except StopIteration:
            handle.closed = True
            self._close_handle(handle)
            return None
        except httpx.TransportError as exc:
            handle.closed = True
            self._close_handle(handle)
            raise self._transport.download_cut(handle.call, handle.received, exc) from None
        handle.received += len(chunk)
        return chunk

    @staticmethod
    def _close_handle(handle: StreamHandle) -> None:
        handle.response.close()


class AsyncClient(_ClientBase):
    """Asynchronous Gemini API client; the same methods as :class:`Client`, awaitable.

    >>> async with AsyncClient() as client:                          # doctest: +SKIP
    ...     r = await client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    """

    _http_class = httpx.AsyncClient
    _http: httpx.AsyncClient

    @property
    def models(self) -> AsyncModels:
        from .resources.models import AsyncModels

        return self._resource("models", AsyncModels)  # type: ignore[no-any-return]

    @property
    def chats(self) -> AsyncChats:
        from .resources.chats import AsyncChats

        return self._resource("chats", AsyncChats)  # type: ignore[no-any-return]

    @property
    def files(self) -> AsyncFiles:
        from .resources.files import AsyncFiles

        return self._resource("files", AsyncFiles)  # type: ignore[no-any-return]

    @property
    def caches(self) -> AsyncCaches:
        from .resources.caches import AsyncCaches

        return self._resource("caches", AsyncCaches)  # type: ignore[no-any-return]

    @property
    def file_search_stores(self) -> AsyncFileSearchStores:
        from .resources.file_search_stores import AsyncFileSearchStores

        return self._resource("file_search_stores", AsyncFileSearchStores)  # type: ignore[no-any-return]

    @property
    def operations(self) -> AsyncOperations:
        from .resources.operations import AsyncOperations

        return self._resource("operations", AsyncOperations)  # type: ignore[no-any-return]

    @property
    def batches(self) -> AsyncBatches:
        from .resources.batches import AsyncBatches

        return self._resource("batches", AsyncBatches)  # type: ignore[no-any-return]

    @property
    def tunings(self) -> AsyncTunings:
        from .resources.tunings import AsyncTunings

        return self._resource("tunings", AsyncTunings)  # type: ignore[no-any-return]

    @property
    def dataframes(self) -> AsyncDataFrames:
        """Run a prompt over every row of a DataFrame: ``generate``, ``embed``, ``estimate``."""
        from .dataframes import AsyncDataFrames

        return self._resource("dataframes", AsyncDataFrames)  # type: ignore[no-any-return]

    @property
    def live(self) -> AsyncLive:
        """Live API sessions: ``async with client.aio.live.connect(model=..., config=...)``."""
        from .resources.live import AsyncLive

        return self._resource("live", AsyncLive)  # type: ignore[no-any-return]

    @property
    def auth_tokens(self) -> AsyncAuthTokens:
        from .resources.auth_tokens import AsyncAuthTokens

        return self._resource("auth_tokens", AsyncAuthTokens)  # type: ignore[no-any-return]

    def with_options(self, *, timeout: Any = _UNSET, max_retries: int | None = None) -> AsyncClient:
        settings = _derive(self._settings, timeout, max_retries)
        return AsyncClient(_settings=settings, http_client=self._http)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    aclose = close

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _run(self, op: Flow[T]) -> T:
        value: Any = None
        error: BaseException | None = None
        handles: list[StreamHandle] = []
        try:
            while True:
                try:
                    effect = op.throw(error) if error is not None else op.send(value)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                error = None
                try:
                    value = await self._perform(effect)
                except Exception as exc:
                    value, error = None, exc
                else:
                    if type(value) is StreamHandle:
                        handles.append(value)
        finally:
            for handle in handles:
                await handle.response.aclose()

    async def _iterate(self, op: Flow[Any], handles: list[StreamHandle]) -> AsyncIterator[Any]:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    effect = op.throw(error) if error is not None else op.send(value)
                except StopIteration:
                    return
                error = None
                if isinstance(effect, Emit):
                    value = None
                    for item in effect.values:
                        yield item
                    continue
                try:
                    value = await self._perform(effect)
                    if isinstance(value, StreamHandle):
                        handles.append(value)
                except Exception as exc:
                    value, error = None, exc
        finally:
            op.close()
            for handle in handles:
                await handle.response.aclose()

    async def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Call):
            return await self._call(effect)
        if isinstance(effect, Next):
            return await self._next(effect.handle)
        if isinstance(effect, Read):
            return await self._read(effect.handle)
        if isinstance(effect, Sleep):
            await _async_sleep(effect.seconds)
            return None
        if isinstance(effect, RunTools):
            from ._afc import run_tools_async

            return await run_tools_async(effect)
        raise TypeError(f"unknown effect {effect!r}")

    async def _call(self, call: Call) -> Reply | StreamHandle:
        t = self._transport
        policy = t.policy_for(call)
        attempt = 0
        while True:
            err: APIError
            try:
                response = await self._http.send(t.build(call), auth=t.auth, stream=True)
            except httpx.TransportError as exc:
                err = t.connection_error(exc, call)
            else:
                try:
                    status = response.status_code
                    if status < 300 or (call.redirect and status < 400):
                        if call.stream and status < 300:
                            return StreamHandle(call, response, response.aiter_bytes())
                        return t.reply(call, response, await response.aread(), attempt)
                    err = t.status_error(response, await response.aread())
                except httpx.TransportError as exc:
                    err = t.connection_error(exc, call)
                finally:
                    if not call.stream or response.status_code >= 300:
                        await response.aclose()
            delay = t.retry_delay(err, policy, attempt, call)
            if delay is None:
                raise err
            await _async_sleep(delay)
            attempt += 1

    async def _next(self, handle: StreamHandle) -> list[str] | None:
        while True:
            events = handle.take()
            if events is not None or handle.closed:
                return events
            try:
                chunk = await handle.chunks.__anext__()
            except StopAsyncIteration:
                handle.finish()
                handle.closed = True
                await handle.response.aclose()
            except httpx.TransportError as exc:
                await handle.response.aclose()
                raise self._transport.stream_cut(handle.call, handle.events, exc) from None
            else:
                handle.feed(chunk)

    async def _read(self, handle: StreamHandle) -> bytes | None:
        if handle.closed:
            return None
        try:
            chunk: bytes = await handle.chunks.__anext__()
        except StopAsyncIteration:
            handle.closed = True
            await handle.response.aclose()
            return None
        except httpx.TransportError as exc:
            handle.closed = True
            await handle.response.aclose()
            raise self._transport.download_cut(handle.call, handle.received, exc) from None
        handle.received += len(chunk)
        return chunk


def _derive(settings: Settings, timeout: Any, max_retries: int | None) -> Settings:
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if timeout is not _UNSET:
        changes["timeout"] = timeout
    if max_retries is not None:
        changes["retry"] = settings.retry.with_retries(max_retries)
    return replace(settings, **changes)


async def _async_sleep(seconds: float) -> None:
    # asyncio is imported here: whoever awaits this has it loaded already, and
    # ``from gemini_nb import Client`` should not pay for it.
    import asyncio

    await asyncio.sleep(seconds)
