"""The emulator counts text with a real tokenizer file when it has one, so its counts agree with
``count_tokens(local=True)`` (the tokenizer is a small SentencePiece model trained here)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gemini_nb.emulator import EmulatorOptions, EmulatorServer

pytest.importorskip("sentencepiece")

from tests.unit.test_tokenizer import _train_sentencepiece

TEXTS = ["The quick brown fox jumps over the lazy dog.", "def area(r): return 3.14 * r * r"]


def _count(server: EmulatorServer, text: str) -> int:
    r = httpx.post(
        server.url + "/v1beta/models/gemini-2.5-flash:countTokens",
        json={"contents": [{"role": "user", "parts": [{"text": text}]}]},
    )
    total: int = r.json()["totalTokens"]
    return total


def test_counts_agree_with_the_local_tokenizer(tmp_path: Path) -> None:
    from gemini_nb.tokens import LocalTokenizer, TokenizerFile

    model = tmp_path / "tiny.model"
    model.write_bytes(_train_sentencepiece())
    spec = TokenizerFile(
        name="custom", kind="sentencepiece", url=None, sha256=None, filename=model.name
    )
    local = LocalTokenizer("gemini-2.5-flash", tokenizer=spec, path=model)
    with (
        EmulatorServer(options=EmulatorOptions(tokenizer=str(model))) as tokenized,
        EmulatorServer(options=EmulatorOptions(tokenizer="words")) as words,
    ):
        for text in TEXTS:
            assert _count(tokenized, text) == local.count_texts([text])[0]
        assert [_count(words, t) for t in TEXTS] != [_count(tokenized, t) for t in TEXTS]
        assert _count(words, TEXTS[0]) == 10  # the emulator's own rule, as documented


def test_a_bad_tokenizer_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a sentencepiece model")
    with pytest.raises(ValueError, match="cannot be used"):
        EmulatorServer(options=EmulatorOptions(tokenizer=str(bad)))
