"""Prices as data, the cost of a response's usage, and the cost estimate of a job."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gemini_nb import ConfigurationError
from gemini_nb.tokens import (
    CostEstimate,
    LocalTokenizer,
    TokenizerFile,
    _tokenizer,
    cost_of_usage,
    estimate_cost,
    format_usd,
    price_for,
    prices,
    reset_prices,
    set_prices,
)

DATA = json.loads((Path(__file__).parents[2] / "gemini_nb" / "tokens" / "prices.json").read_text())
M = 1_000_000


@pytest.fixture(autouse=True)
def _fresh_prices(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("GEMINI_NB_PRICES", raising=False)
    reset_prices()
    yield
    reset_prices()


# ------------------------------------------------------------------ the table


def test_the_table_says_where_and_when_it_was_read() -> None:
    table = prices()
    assert table.source == "https://ai.google.dev/gemini-api/docs/pricing"
    assert table.read == DATA["read"] and table.page_updated == DATA["page_updated"]
    assert "2026" in table.read
    for model, price in table.models.items():
        assert price.source.startswith("https://"), model
        assert price.read, model
        assert price.currency == "USD"
    assert "table" in repr(table).lower() or "PriceTable" in repr(table)


@pytest.mark.parametrize("model", sorted(DATA["models"]))
def test_every_entry_loads_as_written(model: str) -> None:
    entry = DATA["models"][model]
    price = price_for(model)
    assert price is not None
    for key in ("input", "output", "cached_input"):
        assert getattr(price, key) == entry.get(key), key
    assert price.thinking_rate == entry.get("thinking", entry.get("output"))
    assert price.batch_discount == entry.get("batch_discount")
    for modality, rate in entry.get("input_by_modality", {}).items():
        assert price.input_for(modality) == rate
    for alias in entry.get("aliases", []):
        aliased = price_for(alias)
        assert aliased is not None and aliased.input == price.input and aliased.model == alias


def test_models_without_a_price_are_unknown_not_guessed() -> None:
    for model in ("gemini-flash-latest", "text-embedding-004", "gemini-3-pro-preview", "gpt-4o"):
        assert price_for(model) is None
        cost = cost_of_usage(model, {"prompt_token_count": 10, "candidates_token_count": 5})
        assert cost.total is None and not cost.known and str(cost) == "unknown"
        assert cost.reason is not None and "set_prices" in cost.reason


def test_the_models_prefix_is_ignored() -> None:
    assert price_for("models/gemini-2.5-flash") == price_for("gemini-2.5-flash")


# ------------------------------------------------------------------ cost of one call


def _flash() -> dict[str, Any]:
    return dict(DATA["models"]["gemini-2.5-flash"])


def test_input_and_output() -> None:
    f = _flash()
    cost = cost_of_usage(
        "gemini-2.5-flash", {"prompt_token_count": 1000, "candidates_token_count": 200}
    )
    assert cost.input == pytest.approx(1000 * f["input"] / M)
    assert cost.output == pytest.approx(200 * f["output"] / M)
    assert cost.total == pytest.approx(cost.input + cost.output)
    assert str(cost) == format_usd(cost.total)


def test_cached_tokens_are_part_of_the_prompt_and_cheaper() -> None:
    f = _flash()
    cost = cost_of_usage(
        "gemini-2.5-flash", {"promptTokenCount": 10_000, "cachedContentTokenCount": 8_000}
    )
    assert cost.input == pytest.approx(2_000 * f["input"] / M)
    assert cost.cached_input == pytest.approx(8_000 * f["cached_input"] / M)


def test_thinking_and_tool_use_tokens() -> None:
    f = _flash()
    cost = cost_of_usage(
        "gemini-2.5-flash",
        {
            "prompt_token_count": 100,
            "tool_use_prompt_token_count": 400,
            "candidates_token_count": 50,
            "thoughts_token_count": 1_000,
        },
    )
    assert cost.input == pytest.approx(500 * f["input"] / M)
    assert cost.thinking == pytest.approx(1_000 * f["thinking"] / M)


def test_audio_is_priced_by_modality() -> None:
    f = _flash()
    usage = {
        "prompt_token_count": 1_100,
        "prompt_tokens_details": [
            {"modality": "TEXT", "token_count": 100},
            {"modality": "AUDIO", "token_count": 1_000},
        ],
        "cached_content_token_count": 500,
        "cache_tokens_details": [{"modality": "AUDIO", "token_count": 500}],
    }
    cost = cost_of_usage("gemini-2.5-flash", usage)
    audio, cached_audio = f["input_by_modality"]["AUDIO"], f["cached_input_by_modality"]["AUDIO"]
    assert cost.input == pytest.approx((100 * f["input"] + 500 * audio) / M)
    assert cost.cached_input == pytest.approx(500 * cached_audio / M)


def test_usage_metadata_objects_work_like_dicts() -> None:
    from gemini_nb.types import UsageMetadata

    usage = UsageMetadata.model_validate(
        {"promptTokenCount": 1234, "candidatesTokenCount": 56, "thoughtsTokenCount": 78}
    )
    as_dict = {"prompt_token_count": 1234, "candidates_token_count": 56, "thoughts_token_count": 78}
    assert cost_of_usage("gemini-2.5-flash", usage) == cost_of_usage("gemini-2.5-flash", as_dict)


def test_long_prompts_pay_the_long_context_rate() -> None:
    pro = DATA["models"]["gemini-2.5-pro"]
    lc = pro["long_context"]
    short = cost_of_usage(
        "gemini-2.5-pro", {"prompt_token_count": lc["above"], "candidates_token_count": 10}
    )
    long = cost_of_usage(
        "gemini-2.5-pro", {"prompt_token_count": lc["above"] + 1, "candidates_token_count": 10}
    )
    assert short.input == pytest.approx(lc["above"] * pro["input"] / M)
    assert long.input == pytest.approx((lc["above"] + 1) * lc["input"] / M)
    assert long.output == pytest.approx(10 * lc["output"] / M)


def test_batch_applies_the_discount_except_to_cached_input() -> None:
    usage = {
        "prompt_token_count": 10_000,
        "cached_content_token_count": 4_000,
        "candidates_token_count": 1_000,
        "thoughts_token_count": 500,
    }
    std = cost_of_usage("gemini-2.5-flash", usage)
    batch = cost_of_usage("gemini-2.5-flash", usage, batch=True)
    share = 1 - DATA["models"]["gemini-2.5-flash"]["batch_discount"]
    assert batch.batch and batch.input == pytest.approx(std.input * share)
    assert batch.output == pytest.approx(std.output * share)
    assert batch.thinking == pytest.approx(std.thinking * share)
    assert batch.cached_input == pytest.approx(std.cached_input)


def test_a_missing_price_makes_the_cost_unknown() -> None:
    no_cache = cost_of_usage(
        "gemini-2.0-flash-lite", {"prompt_token_count": 100, "cached_content_token_count": 50}
    )
    assert no_cache.total is None and "context caching" in (no_cache.reason or "")
    no_batch = cost_of_usage("gemini-3-flash-preview", {"prompt_token_count": 100}, batch=True)
    assert no_batch.total is None and "batch" in (no_batch.reason or "")
    # No tokens of a kind, no price needed: an embedding call has no output.
    assert cost_of_usage(
        "gemini-embedding-001", {"prompt_token_count": 1_000}
    ).total == pytest.approx(1_000 * DATA["models"]["gemini-embedding-001"]["input"] / M)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "unknown"),
        (0, "$0"),
        (0.000042, "$0.000042"),
        (0.0008, "$0.0008"),
        (0.0123, "$0.012"),
        (0.5, "$0.50"),
        (12.345, "$12.35"),
        (1234.5, "$1,234.50"),
        (1e-12, "<$0.00000001"),
    ],
)
def test_format_usd(value: float | None, text: str) -> None:
    assert format_usd(value) == text


# ------------------------------------------------------------------ overriding and extending


def test_set_prices_extends_and_overrides() -> None:
    before = price_for("gemini-2.5-flash")
    set_prices(
        {
            "source": "my contract",
            "read": "2026-12-01",
            "models": {
                "my-tuned-model": {"input": 1.0, "output": 2.0},
                "gemini-2.5-flash": {"input": 0.2, "output": 1.0},
            },
        }
    )
    mine = price_for("my-tuned-model")
    assert mine is not None and mine.source == "my contract" and mine.read == "2026-12-01"
    assert cost_of_usage("my-tuned-model", {"prompt_token_count": M}).total == pytest.approx(1.0)
    flash = price_for("gemini-2.5-flash")
    assert flash is not None and flash.input == 0.2 and flash.cached_input is None
    assert price_for("gemini-2.5-pro") is not None  # the rest is kept
    reset_prices()
    assert price_for("gemini-2.5-flash") == before and price_for("my-tuned-model") is None


def test_replace_all_keeps_only_your_prices() -> None:
    set_prices({"models": {"only-this": {"input": 1, "output": 1}}}, replace_all=True)
    assert price_for("only-this") is not None and price_for("gemini-2.5-flash") is None


def test_a_prices_file_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"models": {"gemini-2.5-flash": {"input": 9.0, "output": 9.0}}}))
    monkeypatch.setenv("GEMINI_NB_PRICES", str(path))
    reset_prices()
    flash = price_for("gemini-2.5-flash")
    assert flash is not None and flash.input == 9.0 and flash.source == str(path)
    set_prices(path)  # a path works for set_prices too
    assert price_for("gemini-2.5-flash").output == 9.0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"gemini": {}}, "'models' object"),
        ({"models": {"m": {"input": -1}}}, "non-negative number"),
        ({"models": {"m": {"input": "cheap"}}}, "non-negative number"),
        ({"models": {"m": {"imput": 1}}}, "unknown field(s) ['imput']"),
        ({"models": {"m": {"input_by_modality": {"SMELL": 1}}}}, "modality 'SMELL'"),
        ({"models": {"m": {"batch_discount": 2}}}, "between 0 and 1"),
        ({"models": {"m": {"long_context": {"input": 2}}}}, "'above'"),
    ],
)
def test_bad_price_data_says_what_is_wrong(table: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        set_prices(table)
    assert says in str(info.value)


def test_a_bad_prices_file_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        set_prices(bad)
    with pytest.raises(ConfigurationError, match="Cannot read"):
        set_prices(tmp_path / "missing.json")


# ------------------------------------------------------------------ estimating a job


def _tiny_model() -> bytes:
    import sentencepiece as spm

    out = io.BytesIO()
    corpus = [
        "Classify this review as positive or negative.",
        "Great product, works well.",
        "Terrible, it broke after a day.",
        "Be brief.",
    ] * 50
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=out,
        vocab_size=300,
        model_type="bpe",
        byte_fallback=True,
        minloglevel=2,
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tok") / "tiny.model"
    path.write_bytes(_tiny_model())
    return path


@pytest.fixture
def tok(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> LocalTokenizer:
    monkeypatch.setattr(_tokenizer, "_LOADED", {})
    spec = TokenizerFile(
        name="tiny", kind="sentencepiece", url=None, sha256=None, filename="tiny.model"
    )
    return LocalTokenizer("gemini-2.5-flash", tokenizer=spec, path=model_file)


REVIEWS = ["Great product, works well.", "Terrible, it broke after a day.", "Fine."]


def _per_row_cost(
    model: str,
    tok: LocalTokenizer,
    prompts: list[str],
    out: int,
    think: int = 0,
    batch: bool = False,
) -> float:
    total = 0.0
    for n in tok.count_texts(prompts):
        c = cost_of_usage(
            model,
            {"prompt_token_count": n, "candidates_token_count": out, "thoughts_token_count": think},
            batch=batch,
        )
        assert c.total is not None
        total += c.total
    return total


def test_estimate_for_a_list_of_prompts(tok: LocalTokenizer) -> None:
    est = estimate_cost(
        REVIEWS, model="gemini-2.5-flash", output_tokens=5, thinking_tokens=20, tokenizer=tok
    )
    assert est.rows == 3
    assert est.input_tokens == sum(tok.count_texts(REVIEWS))
    assert est.max_input_tokens == max(tok.count_texts(REVIEWS))
    assert est.output_tokens == 15 and est.thinking_tokens == 60
    assert est.total == pytest.approx(_per_row_cost("gemini-2.5-flash", tok, REVIEWS, 5, 20))
    assert est.notes == []


def test_estimate_for_a_dataframe_with_a_template(tok: LocalTokenizer) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"id": [1, 2, 3], "text": REVIEWS})
    template = "Classify this review as positive or negative: {text}"
    est = estimate_cost(
        df,
        template=template,
        model="gemini-2.5-flash",
        output_tokens=1,
        system_instruction="Be brief.",
        tokenizer=tok,
    )
    prompts = [template.format(text=t) for t in REVIEWS]
    system = tok.count_texts(["Be brief."])[0]
    assert est.input_tokens == sum(tok.count_texts(prompts)) + 3 * system
    one_column = estimate_cost(
        df[["text"]], model="gemini-2.5-flash", output_tokens=1, tokenizer=tok
    )
    assert one_column.input_tokens == sum(tok.count_texts(REVIEWS))


def test_estimate_template_mistakes_are_clear(tok: LocalTokenizer) -> None:
    pd = pytest.importorskip("pandas")
    from gemini_nb import InvalidInputError

    df = pd.DataFrame({"id": [1], "text": ["x"]})
    with pytest.raises(InvalidInputError, match="pass template="):
        estimate_cost(df, model="gemini-2.5-flash", tokenizer=tok)
    with pytest.raises(
        InvalidInputError, match=r"\{review\}, which is not a column \(columns: id, text\)"
    ):
        estimate_cost(df, template="Label: {review}", model="gemini-2.5-flash", tokenizer=tok)
    with pytest.raises(InvalidInputError, match="not both"):
        estimate_cost(["x"], model="gemini-2.5-flash", output_tokens=1, sample=1, tokenizer=tok)


def test_estimate_without_an_output_guess_prices_input_only(tok: LocalTokenizer) -> None:
    est = estimate_cost(REVIEWS, model="gemini-2.5-flash", tokenizer=tok)
    assert est.input_cost is not None and est.output_cost is None and est.total is None
    assert "pass output_tokens= or sample=" in repr(est)


def test_estimate_for_an_unpriced_model_is_unknown(tok: LocalTokenizer) -> None:
    est = estimate_cost(REVIEWS, model="gemini-flash-latest", output_tokens=5, tokenizer=tok)
    assert est.total is None and est.input_tokens > 0
    assert any("no price" in n for n in est.notes)
    assert "CostEstimate: unknown" in repr(est)


def test_estimate_rows_over_the_long_context_threshold(tok: LocalTokenizer) -> None:
    prompts = ["Fine.", "Classify this review as positive or negative. Great product, works well."]
    counts = tok.count_texts(prompts)
    assert counts[0] < counts[1]
    set_prices(
        {
            "models": {
                "tiered": {
                    "input": 1.0,
                    "output": 1.0,
                    "long_context": {"above": counts[0], "input": 10.0, "output": 10.0},
                }
            }
        }
    )
    est = estimate_cost(prompts, model="tiered", output_tokens=2, tokenizer=tok)
    assert est.input_cost == pytest.approx((counts[0] * 1.0 + counts[1] * 10.0) / M)
    assert est.output_cost == pytest.approx((2 * 1.0 + 2 * 10.0) / M)


def test_estimate_batch(tok: LocalTokenizer) -> None:
    std = estimate_cost(REVIEWS, model="gemini-2.5-flash", output_tokens=10, tokenizer=tok)
    batch = estimate_cost(
        REVIEWS, model="gemini-2.5-flash", output_tokens=10, batch=True, tokenizer=tok
    )
    assert batch.total == pytest.approx(
        _per_row_cost("gemini-2.5-flash", tok, REVIEWS, 10, batch=True)
    )
    assert std.total is not None and batch.total is not None and batch.total < std.total
    assert "(batch)" in repr(batch)


def test_estimate_from_a_sample_of_rows(tok: LocalTokenizer, emulator: Any) -> None:
    from gemini_nb import Client

    with Client(base_url=emulator.url) as client:
        answers = [
            client.models.generate_content(model="gemini-2.5-flash", contents=p).usage_metadata
            for p in REVIEWS[:2]
        ]
        est = estimate_cost(
            REVIEWS, model="gemini-2.5-flash", sample=2, tokenizer=tok, client=client
        )
    outs = [u.candidates_token_count or 0 for u in answers if u is not None]
    thoughts = [u.thoughts_token_count or 0 for u in answers if u is not None]
    assert est.output_tokens == round(sum(outs) / 2) * 3
    assert est.thinking_tokens == round(sum(thoughts) / 2) * 3
    assert est.sample_cost == pytest.approx(
        sum(cost_of_usage("gemini-2.5-flash", u).total or 0 for u in answers if u is not None)
    )
    assert "mean of 2 sampled requests" in repr(est)


def test_the_estimate_displays_as_text_and_html(tok: LocalTokenizer) -> None:
    est = estimate_cost(REVIEWS, model="gemini-2.5-flash", output_tokens=5, tokenizer=tok)
    assert isinstance(est, CostEstimate)
    text = repr(est)
    assert text.startswith(f"CostEstimate: {format_usd(est.total)}")
    for needed in ("requests", "3", "input tokens", "counted locally", "read 2026-12-04"):
        assert needed in text
    page = est._repr_html_()
    assert "<table>" in page and format_usd(est.total) in page
    set_prices({"models": {"<b>x</b>": {"input": 1, "output": 1}}})
    escaped = estimate_cost(
        ["Fine."], model="<b>x</b>", output_tokens=1, tokenizer=tok
    )._repr_html_()
    assert "<b>x</b>" not in escaped and "&lt;b&gt;x&lt;/b&gt;" in escaped
    assert est.to_dict()["total"] == est.total
