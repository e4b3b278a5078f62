"""Cost in the notebook: the response footer, ``%gemini usage``, ``%gemini tokens``."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import gemini_nb as g
from gemini_nb.notebook._session import session
from gemini_nb.notebook.display import response_bundle
from gemini_nb.tokens import (
    TOKENIZER_FILES,
    LocalTokenizer,
    TokenizerFile,
    _tokenizer,
    cost_of_usage,
    format_usd,
    reset_prices,
)

MODEL = "gemini-2.5-flash"


def _train() -> bytes:
    import sentencepiece as spm

    out = io.BytesIO()
    corpus = ["Explain why the sky is blue, for children.", "Be brief.", "The moon is bright."] * 60
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
    path = tmp_path_factory.mktemp("tok") / "small.model"
    path.write_bytes(_train())
    return path


@pytest.fixture
def small_gemma3(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> LocalTokenizer:
    """The gemma3 entry answered by a small model the user 'put in place' (the real file cannot
    be fetched here): unpinned, pointed at by GEMINI_NB_TOKENIZER_GEMMA3."""
    monkeypatch.setattr(_tokenizer, "_LOADED", {})
    monkeypatch.setitem(
        TOKENIZER_FILES,
        "gemma3",
        TokenizerFile(
            name="gemma3", kind="sentencepiece", url=None, sha256=None, filename="small.model"
        ),
    )
    monkeypatch.setenv("GEMINI_NB_TOKENIZER_GEMMA3", str(model_file))
    return LocalTokenizer(MODEL)


@pytest.fixture
def ip(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    monkeypatch.delenv("GEMINI_NB_PRICES", raising=False)
    reset_prices()
    session.reset_clients()
    session.chats.clear()
    session.usage.clear()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gemini_nb")
    yield shell
    shell.run_line_magic("unload_ext", "gemini_nb")
    session.reset_clients()
    session.usage.clear()


def _response(model_version: str, **usage: int) -> g.types.GenerateContentResponse:
    return g.types.GenerateContentResponse.model_validate(
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": usage,
            "modelVersion": model_version,
        }
    )


# ------------------------------------------------------------------ the footer


def test_the_footer_shows_the_cost_beside_the_tokens() -> None:
    r = _response(MODEL, promptTokenCount=1200, candidatesTokenCount=34, thoughtsTokenCount=256)
    expected = format_usd(cost_of_usage(MODEL, r.usage_metadata).total)
    assert expected.startswith("$0.00")
    bundle = response_bundle(r)
    assert bundle["text/plain"].endswith(
        f"{MODEL} · 1,200 in · 34 out · 256 thinking · ≈ {expected}"
    )
    assert f"≈ {expected}</div>" in bundle["text/html"]
    assert f"≈ {expected}*" in bundle["text/markdown"]


def test_the_footer_says_unknown_for_a_model_without_a_price() -> None:
    r = _response("my-tuned-model", promptTokenCount=10, candidatesTokenCount=5)
    assert response_bundle(r)["text/plain"].endswith(
        "my-tuned-model · 10 in · 5 out · cost unknown"
    )


def test_no_usage_no_cost() -> None:
    r = _response(MODEL)
    r.usage_metadata = None
    assert response_bundle(r)["text/plain"] == f"hi\n\n{MODEL}"


def test_the_footer_follows_price_overrides() -> None:
    r = _response("my-tuned-model", promptTokenCount=1_000_000, candidatesTokenCount=0)
    g.tokens.set_prices({"models": {"my-tuned-model": {"input": 2.0, "output": 8.0}}})
    try:
        assert response_bundle(r)["text/plain"].endswith("1,000,000 in · ≈ $2.00")
    finally:
        reset_prices()


# ------------------------------------------------------------------ %gemini usage


def test_usage_shows_the_cost_of_every_answer(ip: InteractiveShell) -> None:
    with capture_output():
        ip.run_cell_magic("gemini", "--no-stream -o a", "Explain why the sky is blue.")
        ip.run_cell_magic("gemini", "-o b", "And the sunset?")
        ip.run_cell_magic("gemini", "-m gemini-2.5-pro --no-stream -o c", "Describe the sea.")
    answers = [ip.user_ns[n] for n in "abc"]
    with capture_output():
        table = ip.run_line_magic("gemini", "usage")
    flash = sum(cost_of_usage(MODEL, r.usage_metadata).total or 0 for r in answers[:2])
    pro = cost_of_usage("gemini-2.5-pro", answers[2].usage_metadata).total
    assert flash > 0 and pro is not None and pro > 0
    assert table.loc[MODEL, "calls"] == 2
    assert table.loc[MODEL, "cost"] == format_usd(flash)
    assert table.loc["gemini-2.5-pro", "cost"] == format_usd(pro)
    rows = {r["model"]: r for r in session.usage_rows()}
    assert rows[MODEL]["cost_usd"] == pytest.approx(flash)


def test_usage_says_unknown_for_an_unpriced_model(ip: InteractiveShell) -> None:
    from gemini_nb.types import UsageMetadata

    session.record(
        "my-tuned-model",
        UsageMetadata(prompt_token_count=5, candidates_token_count=5, total_token_count=10),
    )
    with capture_output():
        table = ip.run_line_magic("gemini", "usage")
    assert table.loc["my-tuned-model", "cost"] == "unknown"
    assert table.loc["my-tuned-model", "total_tokens"] == 10


# ------------------------------------------------------------------ %gemini tokens


def test_tokens_of_a_variable(ip: InteractiveShell, small_gemma3: LocalTokenizer) -> None:
    ip.user_ns["text"] = "Explain why the sky is blue, for children."
    with capture_output() as out:
        assert ip.run_line_magic("gemini", "tokens text") is None
    n = small_gemma3.count_texts([ip.user_ns["text"]])[0]
    cost = cost_of_usage(MODEL, {"prompt_token_count": n})
    assert out.stdout.strip() == (
        f"{n:,} tokens for {MODEL}, counted locally with the gemma3 tokenizer; as input ≈ {cost}."
    )


def test_tokens_of_a_cell_count_what_the_cell_would_send(
    ip: InteractiveShell, small_gemma3: LocalTokenizer
) -> None:
    ip.user_ns["audience"] = "children"
    with capture_output() as out:
        ip.run_cell_magic(
            "gemini", 'tokens -s "Be brief."', "Explain why the sky is blue, for {audience}."
        )
    n = sum(small_gemma3.count_texts(["Explain why the sky is blue, for children.", "Be brief."]))
    assert out.stdout.startswith(f"{n:,} tokens for {MODEL}")


def test_tokens_for_another_model_and_an_unpriced_one(
    ip: InteractiveShell, small_gemma3: LocalTokenizer
) -> None:
    ip.user_ns["text"] = "The moon is bright."
    with capture_output() as out:
        ip.run_line_magic("gemini", "tokens -m gemini-2.5-flash-preview-09-2025 text")
    assert "for gemini-2.5-flash-preview-09-2025" in out.stdout and "≈ $" in out.stdout
    with capture_output() as out:
        ip.run_line_magic("gemini", "tokens -m gemini-3-pro-preview text")
    assert "input cost unknown" in out.stdout


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("tokens", "name a variable"),
        ("tokens nothing_here", "no variable named 'nothing_here'"),
        ("tokens -m gpt-4o text", "No local tokenizer is known for model 'gpt-4o'"),
        ("tokens --bogus text", "%gemini tokens:"),
    ],
)
def test_tokens_mistakes_are_one_line(
    ip: InteractiveShell, small_gemma3: LocalTokenizer, line: str, says: str
) -> None:
    ip.user_ns["text"] = "hello"
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("gemini", line)
    assert says in str(info.value)


def test_tokens_of_an_image_say_what_cannot_be_counted(
    ip: InteractiveShell, small_gemma3: LocalTokenizer
) -> None:
    ip.user_ns["png"] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    with pytest.raises(
        UsageError, match=r"counts text only; these parts are not text: image/png \(1\)"
    ):
        ip.run_cell_magic("gemini", "tokens -f png", "Describe this.")


def test_tokens_offline_says_which_file_to_put_where(
    ip: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/gemma3.model"
    monkeypatch.setattr(_tokenizer, "_LOADED", {})
    monkeypatch.setenv("GEMINI_NB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GEMINI_NB_TOKENIZER_GEMMA3", raising=False)
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(
        TOKENIZER_FILES,
        "gemma3",
        TokenizerFile(
            name="gemma3", kind="sentencepiece", url=url, sha256="0" * 64, filename="g3.model"
        ),
    )
    ip.user_ns["text"] = "hello"
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("gemini", "tokens text")
    message = str(info.value)
    assert str(tmp_path / "tokenizers" / "g3.model") in message
    assert "GEMINI_NB_TOKENIZER_GEMMA3" in message and url in message
