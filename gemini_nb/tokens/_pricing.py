"""Prices per model, as data, and the cost of a response's usage.

The table ships as ``prices.json`` beside this module: USD per 1M tokens, with the date it was
read and the page it was read from. Override or extend it with a JSON file of the same shape
named by ``GEMINI_NB_PRICES``, or from Python::

    >>> from gemini_nb.tokens import set_prices, price_for
    >>> set_prices({"models": {"my-tuned-model": {"input": 0.3, "output": 2.5}}})
    >>> price_for("my-tuned-model").output
    2.5

An entry replaces the shipped entry of the same model as a whole. A model the table lacks has
no price: its :class:`Cost` is unknown (``total is None``), never guessed from a neighbour.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .._exceptions import ConfigurationError

__all__ = [
    "Cost",
    "Price",
    "PriceTable",
    "Rates",
    "cost_of_usage",
    "format_usd",
    "price_for",
    "prices",
    "reset_prices",
    "set_prices",
]

_DATA = Path(__file__).with_name("prices.json")
_MILLION = 1_000_000
_MODALITIES = frozenset({"TEXT", "IMAGE", "VIDEO", "AUDIO", "DOCUMENT"})


@dataclass(frozen=True)
class Rates:
    """USD per 1M tokens; None where the page has no price (e.g. no context caching)."""

    input: float | None = None
    output: float | None = None
    thinking: float | None = None
    cached_input: float | None = None
    input_by_modality: Mapping[str, float] = field(default_factory=dict)
    cached_input_by_modality: Mapping[str, float] = field(default_factory=dict)
    output_by_modality: Mapping[str, float] = field(default_factory=dict)

    def input_for(self, modality: str) -> float | None:
        return self.input_by_modality.get(modality, self.input)

    def cached_for(self, modality: str) -> float | None:
        return self.cached_input_by_modality.get(modality, self.cached_input)

    def output_for(self, modality: str) -> float | None:
        return self.output_by_modality.get(modality, self.output)

    @property
    def thinking_rate(self) -> float | None:
        # The page prices output "including thinking tokens".
        return self.thinking if self.thinking is not None else self.output


@dataclass(frozen=True)
class Price(Rates):
    """One model's prices, where they come from, and its long-context and batch terms."""

    model: str = ""
    long_context_above: int | None = None
    long_context: Rates | None = None
    batch_discount: float | None = None
    cache_storage_per_hour: float | None = None
    note: str | None = None
    source: str = ""
    read: str = ""
    currency: str = "USD"

    def rates_for(self, prompt_tokens: int) -> Rates:
        """The rates that apply to a request with this many prompt tokens."""
        above = self.long_context_above
        if self.long_context is not None and above is not None and prompt_tokens > above:
            return self.long_context
        return self


@dataclass(frozen=True)
class PriceTable:
    """Every known price: the shipped table, then ``GEMINI_NB_PRICES``, then ``set_prices``."""

    models: Mapping[str, Price]
    source: str
    read: str
    page_updated: str | None = None
    currency: str = "USD"

    def get(self, model: str) -> Price | None:
        return self.models.get(_model_id(model))

    def __contains__(self, model: object) -> bool:
        return isinstance(model, str) and _model_id(model) in self.models

    def __repr__(self) -> str:
        return (
            f"<PriceTable: {len(self.models)} models, {self.currency} per 1M tokens, "
            f"read {self.read} from {self.source}>"
        )

    def to_pandas(self) -> Any:
        """One row per model: input, cached input, output, thinking, batch discount, source."""
        import pandas as pd

        rows = [
            {
                "model": m,
                "input": p.input,
                "cached_input": p.cached_input,
                "output": p.output,
                "thinking": p.thinking_rate,
                "batch_discount": p.batch_discount,
                "long_context_above": p.long_context_above,
                "read": p.read,
                "source": p.source,
            }
            for m, p in sorted(self.models.items())
        ]
        return pd.DataFrame(rows).set_index("model")


def _model_id(model: str) -> str:
    return model.strip().removeprefix("models/")


# --------------------------------------------------------------------------- loading


def _rate(where: str, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigurationError(
            f"{where}: {key!r} must be a non-negative number of USD per 1M tokens, got {value!r}."
        )
    return float(value)


def _by_modality(where: str, key: str, value: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where}: {key!r} must map a modality to a price, got {value!r}.")
    out: dict[str, float] = {}
    for modality, price in value.items():
        name = str(modality).upper()
        if name not in _MODALITIES:
            raise ConfigurationError(
                f"{where}: {key!r} names modality {modality!r}; use one of {sorted(_MODALITIES)}."
            )
        rate = _rate(where, f"{key}.{modality}", price)
        if rate is not None:
            out[name] = rate
    return out


_RATE_KEYS = {
    "input",
    "output",
    "thinking",
    "cached_input",
    "input_by_modality",
    "cached_input_by_modality",
    "output_by_modality",
}
_ENTRY_KEYS = _RATE_KEYS | {
    "long_context",
    "batch_discount",
    "cache_storage_per_hour",
    "note",
    "source",
    "read",
    "aliases",
}


def _rates(where: str, entry: Mapping[str, Any], base: Rates | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("input", "output", "thinking", "cached_input"):
        if key in entry:
            out[key] = _rate(where, key, entry[key])
        elif base is not None:
            out[key] = getattr(base, key)
    for key in ("input_by_modality", "cached_input_by_modality", "output_by_modality"):
        if key in entry:
            out[key] = _by_modality(where, key, entry[key])
        elif base is not None:
            out[key] = dict(getattr(base, key))
    return out


def _price(model: str, entry: Any, source: str, read: str, currency: str) -> Price:
    where = f"price of {model!r}"
    if not isinstance(entry, Mapping):
        raise ConfigurationError(f"{where}: expected an object of prices, got {entry!r}.")
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown field(s) {unknown}; known fields are {sorted(_ENTRY_KEYS)}."
        )
    base = Rates(**_rates(where, entry))
    long_context = None
    above = None
    lc = entry.get("long_context")
    if lc is not None:
        if not isinstance(lc, Mapping) or not isinstance(lc.get("above"), int) or lc["above"] < 0:
            raise ConfigurationError(
                f"{where}: 'long_context' needs 'above' (a prompt size in tokens) and the "
                "prices that apply above it."
            )
        above = lc["above"]
        long_context = Rates(**_rates(f"{where} (long context)", lc, base))
    discount = entry.get("batch_discount")
    if discount is not None and (
        isinstance(discount, bool)
        or not isinstance(discount, (int, float))
        or not 0 <= discount <= 1
    ):
        raise ConfigurationError(
            f"{where}: 'batch_discount' must be a fraction between 0 and 1 (0.5 = half price), "
            f"got {discount!r}."
        )
    return Price(
        **_rates(where, entry),
        model=model,
        long_context_above=above,
        long_context=long_context,
        batch_discount=float(discount) if discount is not None else None,
        cache_storage_per_hour=_rate(
            where, "cache_storage_per_hour", entry.get("cache_storage_per_hour")
        ),
        note=entry.get("note"),
        source=str(entry.get("source") or source),
        read=str(entry.get("read") or read),
        currency=currency,
    )


def _parse(data: Any, origin: str) -> tuple[dict[str, Price], dict[str, Any]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("models"), Mapping):
        raise ConfigurationError(
            f"{origin}: a price table is an object with a 'models' object, e.g. "
            '{"models": {"gemini-2.5-flash": {"input": 0.3, "output": 2.5}}}.'
        )
    source = str(data.get("source") or origin)
    read = str(data.get("read") or "")
    currency = str(data.get("currency") or "USD")
    models: dict[str, Price] = {}
    for model, entry in data["models"].items():
        price = _price(_model_id(str(model)), entry, source, read, currency)
        models[price.model] = price
        for alias in entry.get("aliases") or ():
            models[_model_id(str(alias))] = replace(price, model=_model_id(str(alias)))
    return models, dict(data)


def _read_file(path: str | os.PathLike[str]) -> Any:
    try:
        return json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read the price file {path} ({exc.strerror or exc})."
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"The price file {path} is not valid JSON ({exc}).") from None


_LOCK = threading.Lock()
_TABLE: PriceTable | None = None
_OVERRIDES: list[dict[str, Price]] = []
_REPLACED: PriceTable | None = None


def _build() -> PriceTable:
    if _REPLACED is not None:
        base = _REPLACED
        models = dict(base.models)
    else:
        models, meta = _parse(json.loads(_DATA.read_text(encoding="utf-8")), str(_DATA))
        base = PriceTable(
            models={},
            source=str(meta.get("source")),
            read=str(meta.get("read")),
            page_updated=meta.get("page_updated"),
            currency=str(meta.get("currency") or "USD"),
        )
    env = os.environ.get("GEMINI_NB_PRICES", "").strip()
    if env:
        extra, _ = _parse(_read_file(env), env)
        models.update(extra)
    for extra in _OVERRIDES:
        models.update(extra)
    return replace(base, models=models)


def prices() -> PriceTable:
    """The price table in force (loaded once; ``reset_prices()`` reloads it)."""
    global _TABLE
    with _LOCK:
        if _TABLE is None:
            _TABLE = _build()
        return _TABLE


def set_prices(
    table: Mapping[str, Any] | str | os.PathLike[str],
    *,
    replace_all: bool = False,
) -> PriceTable:
    """Override or extend the prices: a table (``{"models": {...}}``) or a JSON file's path.

    Each model entry replaces that model's shipped entry. ``replace_all=True`` drops the
    shipped table, so only your prices are known.
    """
    global _TABLE, _REPLACED
    data = table if isinstance(table, Mapping) else _read_file(table)
    origin = "set_prices()" if isinstance(table, Mapping) else str(table)
    models, meta = _parse(data, origin)
    with _LOCK:
        if replace_all:
            _OVERRIDES.clear()
            _REPLACED = PriceTable(
                models=models,
                source=str(meta.get("source") or origin),
                read=str(meta.get("read") or ""),
                currency=str(meta.get("currency") or "USD"),
            )
        else:
            _OVERRIDES.append(models)
        _TABLE = None
    return prices()


def reset_prices() -> None:
    """Forget ``set_prices`` overrides and re-read the shipped table and ``GEMINI_NB_PRICES``."""
    global _TABLE, _REPLACED
    with _LOCK:
        _OVERRIDES.clear()
        _REPLACED = None
        _TABLE = None


def price_for(model: str) -> Price | None:
    """The model's prices, or None when the table has none (its cost is then unknown)."""
    return prices().get(model)


# --------------------------------------------------------------------------- cost


@dataclass(frozen=True)
class Cost:
    """What a call cost, by part; ``total`` is None when a needed price is unknown."""

    model: str
    total: float | None
    input: float = 0.0
    cached_input: float = 0.0
    output: float = 0.0
    thinking: float = 0.0
    currency: str = "USD"
    batch: bool = False
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.total is not None

    def __str__(self) -> str:
        return format_usd(self.total, self.currency) if self.total is not None else "unknown"


def format_usd(value: float | None, currency: str = "USD") -> str:
    """``0.000042`` -> ``"$0.000042"``, ``1234.5`` -> ``"$1,234.50"``: two significant
    digits below a dollar, cents above; ``None`` -> ``"unknown"``."""
    if value is None:
        return "unknown"
    sign = "$" if currency == "USD" else f"{currency} "
    if value == 0:
        return f"{sign}0"
    if value >= 1:
        return f"{sign}{value:,.2f}"
    if value < 1e-8:
        return f"<{sign}0.00000001"
    decimals = max(2, 1 - math.floor(math.log10(value)))
    text = f"{value:.{decimals}f}"
    if decimals > 2:
        text = text.rstrip("0")
        text += "0" * max(0, 2 - len(text.partition(".")[2]))
    return f"{sign}{text}"


def _get(usage: Any, snake: str) -> Any:
    if isinstance(usage, Mapping):
        if snake in usage:
            return usage[snake]
        head, *rest = snake.split("_")
        return usage.get(head + "".join(w.title() for w in rest))
    return getattr(usage, snake, None)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _details(usage: Any, snake: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in _get(usage, snake) or ():
        modality = _get(item, "modality")
        count = _count(_get(item, "token_count"))
        if modality and count:
            key = str(modality).upper()
            out[key] = out.get(key, 0) + count
    return out


def _split(total: int, details: dict[str, int]) -> dict[str, int]:
    """Tokens by modality; what the details do not cover is text."""
    out = dict(details)
    rest = total - sum(details.values())
    if rest > 0:
        out["TEXT"] = out.get("TEXT", 0) + rest
    return out


class _Unknown(Exception):
    pass


def _priced(tokens: dict[str, int], rate_for: Any, what: str) -> float:
    total = 0.0
    for modality, n in tokens.items():
        if n <= 0:
            continue
        rate = rate_for(modality)
        if rate is None:
            raise _Unknown(f"no {what} price for {modality.lower()} tokens")
        total += n * rate / _MILLION
    return total


def cost_of_usage(model: str, usage: Any, *, batch: bool = False) -> Cost:
    """The cost of one call from its ``usage_metadata`` (a UsageMetadata or its dict).

    Input is the prompt less its cached part, plus tool-use prompt tokens; cached tokens are
    billed at the cached price; thinking at the thinking (output) price. Per-modality prices
    apply where the usage reports modalities. ``batch=True`` applies the batch discount.

    >>> usage = {"prompt_token_count": 1000, "candidates_token_count": 200}
    >>> str(cost_of_usage("gemini-2.5-flash", usage))  # 1,000 x $0.30/1M + 200 x $2.50/1M
    '$0.0008'
    """
    name = _model_id(model) if isinstance(model, str) else str(model)
    table = prices()
    price = table.get(name)
    if price is None:
        return Cost(
            model=name,
            total=None,
            batch=batch,
            reason=f"no price for {name!r} in the table (read {table.read} from "
            f"{table.source}); add one with gemini_nb.tokens.set_prices()",
        )
    prompt = _count(_get(usage, "prompt_token_count"))
    cached_total = min(_count(_get(usage, "cached_content_token_count")), prompt)
    cached = _split(cached_total, _details(usage, "cache_tokens_details"))
    by_mod = _split(prompt, _details(usage, "prompt_tokens_details"))
    fresh = {m: n - cached.get(m, 0) for m, n in by_mod.items()}
    tool = _split(
        _count(_get(usage, "tool_use_prompt_token_count")),
        _details(usage, "tool_use_prompt_tokens_details"),
    )
    out = _split(
        _count(_get(usage, "candidates_token_count")), _details(usage, "candidates_tokens_details")
    )
    thoughts = _count(_get(usage, "thoughts_token_count"))
    rates = price.rates_for(prompt)
    try:
        if batch and price.batch_discount is None:
            raise _Unknown("no batch price")
        scale = 1 - price.batch_discount if batch and price.batch_discount is not None else 1.0
        cost_in = (
            _priced(fresh, rates.input_for, "input") + _priced(tool, rates.input_for, "input")
        ) * scale
        cost_cached = _priced(cached, rates.cached_for, "context caching")
        cost_out = _priced(out, rates.output_for, "output") * scale
        cost_think = _priced({"TEXT": thoughts}, lambda _m: rates.thinking_rate, "thinking") * scale
    except _Unknown as exc:
        return Cost(
            model=name,
            total=None,
            batch=batch,
            reason=f"{exc} for {name!r} in the table (read {price.read})",
        )
    total = cost_in + cost_cached + cost_out + cost_think
    return Cost(
        model=name,
        total=round(total, 12),
        input=round(cost_in, 12),
        cached_input=round(cost_cached, 12),
        output=round(cost_out, 12),
        thinking=round(cost_think, 12),
        currency=price.currency,
        batch=batch,
    )
