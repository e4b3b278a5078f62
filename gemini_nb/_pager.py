"""Pagers over list methods: iterate every item across pages, or turn them into a DataFrame."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    import pandas as pd

    from ._client import AsyncClient, Client
    from ._transport import Flow

__all__ = ["AsyncPager", "Page", "Pager"]

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str | None


def _frame(items: list[Any]) -> pd.DataFrame:
    import pandas as pd

    rows = [i.model_dump(mode="json", exclude_none=True, by_alias=False) for i in items]
    return pd.DataFrame.from_records(rows)


class Pager(Generic[T]):
    """Every item of a list method, fetched page by page as you iterate.

    The first page is fetched when the pager is created, so errors surface at the call.

    >>> for model in client.models.list():  # doctest: +SKIP
    ...     print(model.name)
    >>> client.models.list().to_pandas()    # doctest: +SKIP
    """

    def __init__(self, client: Client, fetch: Callable[[str | None], Flow[Page[T]]]):
        self._client = client
        self._fetch = fetch
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
        """All items as a pandas DataFrame, one row each (snake_case columns)."""
        return _frame(self.to_list())


class AsyncPager(Generic[T]):
    """The async twin of :class:`Pager`: ``pager = await client.models.list(); async for …``."""

    def __init__(self, client: AsyncClient, fetch: Callable[[str | None], Flow[Page[T]]]):
        self._client = client
        self._fetch = fetch
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
        return _frame(await self.to_list())
