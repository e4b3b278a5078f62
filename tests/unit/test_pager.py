"""The one list helper: any path, item type and list key; pages, tokens and DataFrames, on both
clients."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
import pytest

import gemini_nb as g
from gemini_nb._pager import AsyncPager, ListArgs, Pager, list_args, list_flow
from gemini_nb.types import ResponseModel

from ._fakes import Shell


class Widget(ResponseModel):
    name: str
    size: int | None = None


class Gadget(ResponseModel):
    _table_columns: ClassVar[tuple[str, ...]] = ("name", "detail.color")

    name: str
    detail: Widget | None = None


def paged(key: str, items: list[dict[str, Any]], requests: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        size = int(request.url.params.get("pageSize", 2))
        start = int(request.url.params.get("pageToken", 0) or 0)
        body: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return httpx.Response(200, json=body)

    return handler


ITEMS = [{"name": f"widgets/w{i}", "size": i, "novel": "kept"} for i in range(5)]


def _pager(
    kind: str, shell: Shell, args: ListArgs, item_type: Any = Widget, key: str = "widgetItems"
) -> Any:
    def fetch(token: str | None) -> Any:
        return list_flow("widgets", item_type, key, args, token, params={"filter": "all"})

    if kind == "sync":
        return Pager(shell.client, fetch, item_type)
    return AsyncPager(shell.client, fetch, item_type)._start()


async def test_any_path_item_type_and_key(kind: str) -> None:
    requests: list[httpx.Request] = []
    shell = Shell(kind, paged("widgetItems", ITEMS, requests))
    pager = await shell(lambda c: _pager(kind, shell, list_args(None, page_size=2)))
    assert [p.name for p in pager.page.items] == ["widgets/w0", "widgets/w1"]  # first page fetched
    items = await shell.items(pager)
    assert [w.size for w in items] == [0, 1, 2, 3, 4] and all(isinstance(w, Widget) for w in items)
    assert items[0].model_extra == {"novel": "kept"}  # read tolerantly
    assert [(r.url.path, r.url.params.get("pageToken")) for r in requests] == [
        ("/v1beta/widgets", None),
        ("/v1beta/widgets", "2"),
        ("/v1beta/widgets", "4"),
    ]
    assert all(
        r.url.params["pageSize"] == "2" and r.url.params["filter"] == "all" for r in requests
    )


async def test_pages_and_first_token(kind: str) -> None:
    requests: list[httpx.Request] = []
    shell = Shell(kind, paged("widgetItems", ITEMS, requests))
    pager = await shell(
        lambda c: _pager(kind, shell, list_args({"pageSize": 3, "page_token": "1"}))
    )
    if kind == "sync":
        pages = list(pager.pages())
    else:
        pages = [p async for p in pager.pages()]
    assert [[w.size for w in p.items] for p in pages] == [[1, 2, 3], [4]]
    assert [p.next_page_token for p in pages] == ["4", None]


async def test_to_pandas_columns(kind: str) -> None:
    shell = Shell(kind, paged("widgetItems", ITEMS, []))
    pager = await shell(lambda c: _pager(kind, shell, ListArgs(page_size=10)))
    df = await shell(lambda c: pager.to_pandas())
    # No column choice: every field that is set, snake_case.
    assert {"name", "size"} <= set(df.columns) and len(df) == 5
    gadgets = [{"name": "g1", "detail": {"name": "d", "color": "red"}}, {"name": "g2"}]
    shell2 = Shell(kind, paged("gadgets", gadgets, []))
    pager2 = await shell2(lambda c: _pager(kind, shell2, ListArgs(), Gadget, "gadgets"))
    df2 = await shell2(lambda c: pager2.to_pandas())
    assert list(df2.columns) == ["name", "color"]  # dotted paths, named by their last part
    assert df2.loc[0, "color"] == "red" and df2["color"].isna().tolist() == [False, True]


async def test_models_list_uses_it(kind: str) -> None:
    models = [
        {"name": f"models/m{i}", "displayName": f"M{i}", "inputTokenLimit": 1000 * i}
        for i in range(3)
    ]
    requests: list[httpx.Request] = []
    shell = Shell(kind, paged("models", models, requests))
    pager = await shell(lambda c: c.models.list(config={"page_size": 2}))
    assert [m.id for m in await shell.items(pager)] == ["m0", "m1", "m2"]
    df = await shell(lambda c: pager.to_pandas())
    assert list(df.columns)[:3] == ["name", "display_name", "description"]
    assert df["input_token_limit"].tolist() == [0, 1000, 2000]
    assert requests[0].url.params["pageSize"] == "2"


@pytest.mark.parametrize(
    ("config", "kw", "message"),
    [
        (None, {"page_size": 0}, "positive whole number"),
        (None, {"page_size": -3}, "positive whole number"),
        ({"page_size": "10"}, {}, "positive whole number"),
        ({"page_size": True}, {}, "positive whole number"),
        ({"pageToken": 5}, {}, "nextPageToken string"),
        ({"filter": "x"}, {}, r"Unknown list option\(s\) \['filter'\]"),
        ("big", {}, "list config or a dict"),
    ],
)
def test_bad_list_arguments(config: Any, kw: dict[str, Any], message: str) -> None:
    with pytest.raises(g.InvalidInputError, match=message):
        list_args(config, **kw)


def test_list_arguments_from_config_objects() -> None:
    cfg = g.types.ListFilesConfig(page_size=5, http_options={"timeout": 3})
    args = list_args(cfg, page_token="t")
    assert (args.page_size, args.page_token, args.http_options.timeout) == (5, "t", 3)
    assert list_args({"pageSize": 4}, page_size=9).page_size == 9  # keywords win
