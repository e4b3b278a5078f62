"""What a job over many prompts will cost, before it runs.

>>> from gemini_nb.tokens import estimate_cost
>>> est = estimate_cost(df, template="Classify this review: {text}",
...                     model="gemini-2.5-flash", output_tokens=20)  # doctest: +SKIP
>>> est.total  # doctest: +SKIP

Input tokens come from the local tokenizer, one count per prompt (no API call). Output tokens
come from your guess (``output_tokens=``, ``thinking_tokens=``), or from a sample of the rows
sent to the model (``sample=5``: those calls are real and their cost is reported too).
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._pricing import Price, Rates, cost_of_usage, format_usd, price_for, prices

if TYPE_CHECKING:
    from ._tokenizer import LocalTokenizer

__all__ = ["CostEstimate", "estimate_cost"]


def _bad(message: str) -> Exception:
    # Imported on use: InvalidInputError's module loads pydantic.
    from .._convert import InvalidInputError

    return InvalidInputError(message)


@dataclass(frozen=True)
class CostEstimate:
    """The estimate for ``rows`` requests; money in the price table's currency (USD)."""

    model: str
    rows: int
    input_tokens: int
    max_input_tokens: int
    output_tokens: int | None
    thinking_tokens: int | None
    input_cost: float | None
    output_cost: float | None
    batch: bool = False
    output_from: str = ""
    sample_cost: float | None = None
    price_read: str = ""
    price_source: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float | None:
        """Input plus output (and thinking); None when either is unknown."""
        if self.input_cost is None or self.output_cost is None:
            return None
        return self.input_cost + self.output_cost

    @property
    def mean_input_tokens(self) -> float:
        return self.input_tokens / self.rows if self.rows else 0.0

    def _lines(self) -> list[tuple[str, str]]:
        out = [
            ("model", self.model + (" (batch)" if self.batch else "")),
            ("requests", f"{self.rows:,}"),
            (
                "input tokens",
                f"{self.input_tokens:,} (mean {self.mean_input_tokens:,.1f}, "
                f"max {self.max_input_tokens:,} per request; counted locally)",
            ),
        ]
        if self.output_tokens is None:
            out.append(("output tokens", "unknown: pass output_tokens= or sample="))
        else:
            thinking = f" + {self.thinking_tokens:,} thinking" if self.thinking_tokens else ""
            out.append(("output tokens", f"{self.output_tokens:,}{thinking} ({self.output_from})"))
        out += [
            ("input cost", format_usd(self.input_cost)),
            ("output cost", format_usd(self.output_cost)),
            ("total", format_usd(self.total)),
        ]
        if self.sample_cost is not None:
            out.append(("the sample cost", format_usd(self.sample_cost)))
        out.append(("prices", f"read {self.price_read} from {self.price_source}"))
        return out

    def __repr__(self) -> str:
        width = max(len(k) for k, _ in self._lines())
        body = "\n".join(f"  {k.ljust(width)}  {v}" for k, v in self._lines())
        notes = "".join(f"\n  note: {n}" for n in self.notes)
        return f"CostEstimate: {format_usd(self.total)}\n{body}{notes}"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._lines()
        )
        notes = "".join(f"<div><i>{html.escape(n)}</i></div>" for n in self.notes)
        return (
            f"<div class='gemini-nb-estimate'><b>Estimated cost: "
            f"{html.escape(format_usd(self.total))}</b><table>{rows}</table>{notes}</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "rows": self.rows,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "thinking_tokens": self.thinking_tokens,
            "input_cost": self.input_cost,
            "output_cost": self.output_cost,
            "total": self.total,
            "batch": self.batch,
            "notes": list(self.notes),
        }


class _Fields(string.Formatter):
    def __init__(self) -> None:
        self.names: list[str] = []

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        self.names.append(str(key))
        return kwargs[key]


def _prompts(data: Any, template: str | None) -> list[str]:
    """One prompt per row: strings as they are, DataFrame rows through the template."""
    if hasattr(data, "columns") and hasattr(data, "to_dict"):  # a DataFrame
        columns = [str(c) for c in data.columns]
        if template is None:
            if len(columns) != 1:
                raise _bad(
                    f"The DataFrame has {len(columns)} columns; pass template= (e.g. "
                    f"'Summarize: {{{columns[0] if columns else 'text'}}}') to say how a row "
                    "becomes a prompt."
                )
            return [str(v) for v in data.iloc[:, 0].tolist()]
        records: Iterable[Mapping[str, Any]] = data.to_dict(orient="records")
    else:
        if isinstance(data, str):
            data = [data]
        if hasattr(data, "tolist"):  # a Series or an array
            data = data.tolist()
        items = list(data)
        if template is None:
            return [str(v) for v in items]
        records = [v if isinstance(v, Mapping) else {"text": v} for v in items]
    formatter = _Fields()
    out = []
    for row in records:
        try:
            out.append(formatter.vformat(template, (), {str(k): v for k, v in row.items()}))
        except KeyError as exc:
            known = ", ".join(str(k) for k in row) or "none"
            raise _bad(
                f"template names {{{exc.args[0]}}}, which is not a column (columns: {known})."
            ) from None
        except (ValueError, IndexError) as exc:
            raise _bad(
                f"template cannot be filled in ({exc}); double literal braces: {{{{ and }}}}."
            ) from None
    return out


def estimate_cost(
    prompts_or_df: Any,
    *,
    model: str,
    template: str | None = None,
    system_instruction: str | None = None,
    output_tokens: int | None = None,
    thinking_tokens: int | None = None,
    sample: int | None = None,
    batch: bool = False,
    tokenizer: LocalTokenizer | None = None,
    client: Any = None,
) -> CostEstimate:
    """Estimate the cost of sending one request per prompt (or per DataFrame row).

    ``prompts_or_df``: strings, a Series, or a DataFrame (with ``template``, a format string
    naming columns, unless it has one column). ``output_tokens``/``thinking_tokens``: your
    guess per request. ``sample=N``: send the first N prompts to the model with ``client``
    (default: a new Client) and use their mean output and thinking tokens. ``batch=True``
    prices the job at the Batch API's discount. ``tokenizer``: a LocalTokenizer to count with.
    """
    if sample is not None and output_tokens is not None:
        raise _bad("Pass output_tokens= (your guess) or sample= (measure it), not both.")
    for name, value in (
        ("output_tokens", output_tokens),
        ("thinking_tokens", thinking_tokens),
        ("sample", sample),
    ):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise _bad(f"{name} must be a whole number of at least 0, got {value!r}.")
    texts = _prompts(prompts_or_df, template)
    if tokenizer is None:
        from ._tokenizer import LocalTokenizer

        tokenizer = LocalTokenizer(model)
    per_row = tokenizer.count_texts(texts)
    if system_instruction:
        extra = tokenizer.count_texts([system_instruction])[0]
        per_row = [n + extra for n in per_row]
    notes: list[str] = []
    price = price_for(model)
    table = prices()
    sample_cost = None
    output_from = "your guess per request"
    if sample:
        output_tokens, thinking_tokens, sample_cost = _measure(
            client, model, texts[:sample], system_instruction, batch
        )
        output_from = f"mean of {min(sample, len(texts))} sampled requests"
    thinking = thinking_tokens or 0
    if price is None:
        notes.append(
            f"no price for {model!r} in the table (read {table.read}); the cost is "
            "unknown. Add one with gemini_nb.tokens.set_prices()."
        )
    elif (
        thinking_tokens is None
        and output_tokens is not None
        and sample is None
        and price.thinking is not None
    ):
        notes.append(
            "thinking tokens are not included; this model may think before it "
            "answers (pass thinking_tokens=, or sample= to measure)"
        )
    input_cost = output_cost = None
    if price is not None:
        input_cost, output_cost = _job_cost(price, per_row, output_tokens, thinking, batch)
        if batch and price.batch_discount is None:
            notes.append(f"no batch price is known for {model!r}")
    return CostEstimate(
        model=model,
        rows=len(texts),
        input_tokens=sum(per_row),
        max_input_tokens=max(per_row, default=0),
        output_tokens=None if output_tokens is None else output_tokens * len(texts),
        thinking_tokens=None if output_tokens is None else thinking * len(texts),
        input_cost=input_cost,
        output_cost=output_cost,
        batch=batch,
        output_from=output_from,
        sample_cost=sample_cost,
        price_read=price.read if price is not None else table.read,
        price_source=price.source if price is not None else table.source,
        notes=notes,
    )


def _job_cost(
    price: Price, per_row: list[int], output: int | None, thinking: int, batch: bool
) -> tuple[float | None, float | None]:
    """Rows grouped by the rates that apply to them, so long prompts pay the long-context
    rate; None where a needed price is unknown."""
    if batch and price.batch_discount is None:
        return None, None
    scale = 1 - price.batch_discount if batch and price.batch_discount is not None else 1.0
    groups: dict[int, tuple[Rates, int, int]] = {}
    for n in per_row:
        rates = price.rates_for(n)
        _, tokens, rows = groups.get(id(rates), (rates, 0, 0))
        groups[id(rates)] = (rates, tokens + n, rows + 1)
    cost_in: float | None = 0.0
    cost_out: float | None = 0.0 if output is not None else None
    for rates, tokens, rows in groups.values():
        rate_in = rates.input_for("TEXT")
        cost_in = None if rate_in is None or cost_in is None else cost_in + tokens * rate_in
        if cost_out is not None and output is not None:
            rate_out, rate_think = rates.output_for("TEXT"), rates.thinking_rate
            if (output and rate_out is None) or (thinking and rate_think is None):
                cost_out = None
            else:
                cost_out += rows * (output * (rate_out or 0.0) + thinking * (rate_think or 0.0))
    million = 1_000_000
    return (
        None if cost_in is None else cost_in * scale / million,
        None if cost_out is None else cost_out * scale / million,
    )


def _measure(
    client: Any,
    model: str,
    texts: list[str],
    system: str | None,
    batch: bool,
) -> tuple[int, int, float | None]:
    if not texts:
        raise _bad("sample= needs at least one prompt.")
    if client is None:
        from .._client import Client

        client = Client()
    config = {"system_instruction": system} if system else None
    outs, thoughts, spent = [], [], 0.0
    known = True
    for text in texts:
        usage = client.models.generate_content(
            model=model, contents=text, config=config
        ).usage_metadata
        outs.append((usage.candidates_token_count or 0) if usage else 0)
        thoughts.append((usage.thoughts_token_count or 0) if usage else 0)
        c = cost_of_usage(model, usage or {}, batch=False)
        if c.total is None:
            known = False
        else:
            spent += c.total
    return (
        round(sum(outs) / len(outs)),
        round(sum(thoughts) / len(thoughts)),
        (spent if known else None),
    )
