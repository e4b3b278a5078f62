"""Every list method, once: one flow per page, pagers that iterate all items across pages and
turn into a DataFrame.

A noun's list method is :func:`list_flow` with its path, item type and the key of the list in
the answer (``models``, ``files``, ``cachedContents``); ``Pager``/``AsyncPager`` call it again
with each ``nextPageToken``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, Field, create_model

from ._exceptions import InvalidInputError
from ._options import http_options_of
from ._transport import Call, Reply
from .types import HttpOptions, WireModel

if TYPE_CHECKING:
    import pandas as pd

    from ._client import AsyncClient, Client
    from ._transport import Flow

__all__ = ["AsyncPager", "ListArgs", "Page", "Pager", "list_args", "list_flow"]

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str | None


@dataclass(frozen=True)
class ListArgs:
    """What a list call asks for besides its path: page size, first page token, options."""

    page_size: int | None = None
    page_token: str | None = None
    http_options: HttpOptions | None = None


def list_args(
    config: Any,
    *,
    page_size: int | None = None,
    page_token: str | None = None,
    http_options: HttpOptions | Mapping[str, Any] | None = None,
) -> ListArgs:
    """A list method's arguments from google-genai's ``config`` (``ListFilesConfig``, a dict
    with ``page_size``/``page_token``/``http_options``) and/or plain keywords (which win)."""
    cfg: dict[str, Any] = {}
    if config is not None:
        if isinstance(config, BaseModel):
            cfg = {k: getattr(config, k) for k in config.model_fields_set}
        elif isinstance(config, Mapping):
            cfg = {_snake(k): v for k, v in config.items()}
        else:
            raise InvalidInputError(
                f"config must be a list config or a dict, not {type(config).__name__}."
            )
        unknown = set(cfg) - {"page_size", "page_token", "http_options"}
        if unknown:
            raise InvalidInputError(
                f"Unknown list option(s) {sorted(unknown)}; a list takes page_size, "
                "page_token and http_options."
            )
    size = page_size if page_size is not None else cfg.get("page_size")
    token = page_token if page_token is not None else cfg.get("page_token")
    opts = http_options if http_options is not None else cfg.get("http_options")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
        raise InvalidInputError(f"page_size must be a positive whole number, not {size!r}.")
    if token is not None and not isinstance(token, str):
        raise InvalidInputError("page_token must be the nextPageToken string of a previous page.")
    return ListArgs(size, token or None, http_options_of({"http_options": opts}))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@functools.cache
def _page_model(item_type: type[BaseModel], key: str) -> type[BaseModel]:
    # One model per (item type, list key), so a page is validated in one pass, not per item.
    fields: dict[str, Any] = {
        _snake(key): (list[item_type], Field(default_factory=list)),  # type: ignore[valid-type]
        "next_page_token": (str | None, None),
    }
    return create_model(f"{item_type.__name__}Page", __base__=WireModel, **fields)


def list_flow(
    path: str,
    item_type: type[T],
    key: str,
    args: ListArgs,
    page_token: str | None,
    params: Mapping[str, Any] | None = None,
) -> Flow[Page[T]]:
    """One page of ``GET {path}?pageSize=…&pageToken=…``: the items under ``key``."""
    query: dict[str, Any] = dict(params or {})
    if args.page_size:
        query["pageSize"] = args.page_size
    token = page_token if page_token is not None else args.page_token
    if token:
        query["pageToken"] = token
    reply: Reply = yield Call("GET", path, params=query, options=args.http_options)
    page = reply.model(_page_model(item_type, key))
    items: list[T] = getattr(page, _snake(key))
    next_token: str | None = getattr(page, "next_page_token", None)
    return Page(items, next_token or None)


# --------------------------------------------------------------------------- DataFrames


def _dig(item: Any, path: str) -> Any:
    for part in path.split("."):
        if item is None:
            return None
        item = getattr(item, part, None)
    return item


def _frame(items: list[Any], item_type: type[BaseModel] | None) -> pd.DataFrame:
    try:
        import pandas as pd
    except ImportError:
        from ._optional import missing_dependency

        raise missing_dependency("to_pandas()", "pandas", "notebook") from None

    kind = item_type if item_type is not None else (type(items[0]) if items else None)
    columns: tuple[str, ...] | None = getattr(kind, "_table_columns", None)
    if columns is None:
        rows = [i.model_dump(mode="json", exclude_none=True, by_alias=False) for i in items]
        return pd.DataFrame.from_records(rows)
    # A column per chosen field, named by its last part (usage_metadata.total_token_count
    # is "total_token_count"); datetimes stay datetimes.
    names = [c.rsplit(".", 1)[-1] for c in columns]
    data = {name: [_dig(i, path) for i in items] for name, path in zip(names, columns, strict=True)}
    return pd.DataFrame(data, columns=names)


class Pager(Generic[T]):
    """Every item of a list method, fetched page by page as you iterate.

    The first page is fetched when the pager is created, so errors surface at the call.

    >>> for f in client.files.list():             # doctest: +SKIP
    ...     print(f.name)
    >>> client.files.list(page_size=50).to_pandas()  # doctest: +SKIP
    """

    def __init__(
        self,
        client: Client,
        fetch: Callable[[str | None], Flow[Page[T]]],
        item_type: type[T] | None = None,
    ):
        self._client = client
        self._fetch = fetch
        self._item_type = item_type
        self.page: Page[T] = client._run(fetch(None))

    def pages(self) -> Iterator[Page[T]]:
        page = self.page
        yield page
        while page.next_page_token:
            page = self._client._run(self._fetch(page.next_page_token))
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def to_list(self) -> list[T]:
        return list(self)

    def to_pandas(self) -> pd.DataFrame:
        """All items as a pandas DataFrame, one row each, with the columns that describe
        this kind of item (snake_case)."""
        return _frame(self.to_list(), self._item_type)


class AsyncPager(Generic[T]):
    """The async twin of :class:`Pager`: ``pager = await client.files.list(); async for …``."""

    def __init__(
        self,
        client: AsyncClient,
        fetch: Callable[[str | None], Flow[Page[T]]],
        item_type: type[T] | None = None,
    ):
        self._client = client
        self._fetch = fetch
        self._item_type = item_type
        self.page: Page[T] = Page([], None)

    async def _start(self) -> AsyncPager[T]:
        self.page = await self._client._run(self._fetch(None))
        return self

    async def pages(self) -> AsyncIterator[Page[T]]:
        page = self.page
        yield page
        while page.next_page_token:
            page = await self._client._run(self._fetch(page.next_page_token))
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[T]:
        return [item async for item in self]

    async def to_pandas(self) -> pd.DataFrame:
        return _frame(await self.to_list(), self._item_type)
