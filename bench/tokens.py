"""Counting tokens locally against asking the API: time per prompt, and agreement of counts.

Ten thousand prompts of a DataFrame job (a template around generated reviews of 5 to 300 words,
with numbers, punctuation and some non-ASCII text) are counted three ways:

* locally in one batch (``LocalTokenizer.count_texts``, what ``estimate_cost`` does);
* locally one request at a time (``count_tokens(..., local=True)``: the request is built and
  walked as the API would receive it, then counted);
* by the API's ``countTokens``, one call per prompt, over loopback HTTP to the emulator running
  in its own process.

Agreement compares the local count of each prompt with the emulator's. The local tokenizer is
the real Gemma 3 file when it is in the cache (``GEMINI_NB_CACHE_DIR``); otherwise a stand-in
SentencePiece model trained on the prompts, and the report says so.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from .harness import Stats

__all__ = [
    "TOKEN_ROWS",
    "TokensConfig",
    "TokensResult",
    "print_tokens",
    "run_tokens",
    "tokens_json",
]

MODEL = "gemini-2.5-flash"
TOKEN_ROWS = ("tokens_local_batch", "tokens_local_call", "tokens_api", "tokens_agreement")


@dataclass(frozen=True)
class TokensConfig:
    prompts: int
    rounds: int  # rounds of the local measurements
    api_chunks: int  # the API calls are timed in this many chunks

    @classmethod
    def full(cls, rounds: int | None = None) -> TokensConfig:
        return cls(10_000, min(rounds or 3, 5), 5)

    @classmethod
    def quick(cls, rounds: int | None = None) -> TokensConfig:
        return cls(300, rounds or 2, 2)


@dataclass
class TokensResult:
    prompts: int
    tokenizer: str
    local_batch: Stats
    local_call: Stats
    api: Stats
    exact: float
    within_10: float
    mean_abs_diff: float
    ratio: float
    local_total: int
    api_total: int
    notes: list[str] = field(default_factory=list)


_TEXT = (
    "the product arrived quickly and works as described but the battery life is shorter than "
    "advertised customer service answered within a day replacement parts were easy to find "
    "would buy again not worth the price broke after two weeks excellent quality for everyday "
    "use packaging was damaged colour matches the photos instructions unclear setup took "
    "minutes lightweight sturdy noisy comfortable recommended disappointing"
)
_WORDS = _TEXT.split(" ")
_EXTRA = [
    "café",
    "naïve",
    "日本語",
    "€12.50",
    "5/5",
    "10%",
    "#1",
    "(2x)",
    "—",
    "🙂",
    "O'Brien",
    "e-mail",
    "https://example.com/item?id=42",
    "3.14159",
    "C++",
    "don't",
]
TEMPLATE = "Classify the sentiment of this review as positive, negative or mixed.\n\nReview: {}"


def make_prompts(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rnd.choice(_WORDS) for _ in range(rnd.randint(5, 300))]
        for _ in range(rnd.randint(0, 6)):
            words.insert(rnd.randrange(len(words)), rnd.choice(_EXTRA))
        text = " ".join(words)
        out.append(TEMPLATE.format(text[0].upper() + text[1:] + rnd.choice(".!?")))
    return out


def _tokenizer(prompts: list[str]) -> tuple[Any, str, list[str]]:
    from gemini_nb.tokens import LocalTokenizer, TokenizerError, TokenizerFile

    try:
        tok = LocalTokenizer(MODEL, download=False)
        return tok, f"Gemma 3 ({tok.path})", []
    except TokenizerError:
        pass
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(prompts[:2000]),
        model_writer=model,
        vocab_size=2000,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        minloglevel=2,
        num_threads=1,
        hard_vocab_limit=False,
    )
    pieces = spm.SentencePieceProcessor(model_proto=model.getvalue()).get_piece_size()
    with tempfile.NamedTemporaryFile(suffix=".model", delete=False) as f:
        f.write(model.getvalue())
        path = f.name
    spec = TokenizerFile(
        name="bench-stand-in",
        kind="sentencepiece",
        url=None,
        sha256=None,
        filename="stand-in.model",
    )
    tok = LocalTokenizer(MODEL, tokenizer=spec, path=path)
    os.unlink(path)
    note = (
        "The Gemma 3 tokenizer file is not on this machine (no network to its source), so a "
        f"stand-in SentencePiece BPE model ({pieces:,} pieces, trained on the prompts) counted "
        "locally; the Gemma 3 model has 262,144 pieces."
    )
    return tok, f"stand-in SentencePiece BPE, {pieces:,} pieces", [note]


class _Emulator:
    """``python -m gemini_nb.emulator --port 0`` in its own process."""

    def __enter__(self) -> str:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "gemini_nb.emulator", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._proc.stdout is not None
        url = self._proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            self._proc.kill()
            raise RuntimeError(f"the emulator did not start (printed {url!r})")
        return url

    def __exit__(self, *exc: object) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)


def _time_per_prompt(fn: Any, n: int) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) / n * 1e6


def run_tokens(cfg: TokensConfig) -> TokensResult:
    from gemini_nb import Client

    prompts = make_prompts(cfg.prompts)
    tok, name, notes = _tokenizer(prompts)
    tok.count_texts(prompts[:50])  # warm-up

    batch = [
        _time_per_prompt(lambda: tok.count_texts(prompts), len(prompts)) for _ in range(cfg.rounds)
    ]
    local_counts: list[int] = []

    def one_by_one() -> None:
        local_counts.clear()
        local_counts.extend(tok.count_tokens(p).total_tokens for p in prompts)

    per_call = [_time_per_prompt(one_by_one, len(prompts)) for _ in range(cfg.rounds)]

    api_counts: list[int] = []
    api_times: list[float] = []
    with _Emulator() as url, Client(base_url=url) as client:
        for _ in range(20):  # connection open, schemas built
            client.models.count_tokens(model=MODEL, contents=prompts[0])
        size = -(-len(prompts) // cfg.api_chunks)
        for start in range(0, len(prompts), size):
            chunk = prompts[start : start + size]
            t0 = time.perf_counter()
            for p in chunk:
                api_counts.append(client.models.count_tokens(model=MODEL, contents=p).total_tokens)
            api_times.append((time.perf_counter() - t0) / len(chunk) * 1e6)

    diffs = [abs(a - b) / b for a, b in zip(local_counts, api_counts, strict=True) if b]
    return TokensResult(
        prompts=len(prompts),
        tokenizer=name,
        local_batch=Stats(tuple(batch)),
        local_call=Stats(tuple(per_call)),
        api=Stats(tuple(api_times)),
        exact=100
        * sum(a == b for a, b in zip(local_counts, api_counts, strict=True))
        / len(prompts),
        within_10=100 * sum(d <= 0.10 for d in diffs) / len(prompts),
        mean_abs_diff=100 * statistics.fmean(diffs) if diffs else 0.0,
        ratio=sum(local_counts) / sum(api_counts) if sum(api_counts) else 0.0,
        local_total=sum(local_counts),
        api_total=sum(api_counts),
        notes=notes,
    )


def _labels(res: TokensResult) -> dict[str, str]:
    return {
        "tokens_local_batch": f"count {res.prompts:,} prompts locally, one batch",
        "tokens_local_call": "count locally, one request per call (count_tokens)",
        "tokens_api": "countTokens over loopback HTTP (emulator), one call per prompt",
        "tokens_agreement": "local count equals the emulator's count",
    }


def print_tokens(res: TokensResult) -> None:
    from .report import _cell, _table

    labels = _labels(res)
    api = res.api.median
    rows = [
        [
            labels["tokens_local_batch"],
            "µs/prompt",
            _cell(res.local_batch, 1),
            f"{api / res.local_batch.median:,.0f}× faster",
        ],
        [
            labels["tokens_local_call"],
            "µs/prompt",
            _cell(res.local_call, 1),
            f"{api / res.local_call.median:,.0f}× faster",
        ],
        [labels["tokens_api"], "µs/prompt", _cell(res.api, 0), ""],
    ]
    print(
        f"\nToken counting, {res.prompts:,} prompts for {MODEL} (local tokenizer: {res.tokenizer})"
    )
    print(_table(["measurement", "unit", "median", "vs the API"], rows, right={2, 3}))
    print(
        f"\n{labels['tokens_agreement']}: {res.exact:.1f}% of prompts; within 10%: "
        f"{res.within_10:.1f}%; mean |difference|: {res.mean_abs_diff:.1f}%; "
        f"total local/emulator: {res.local_total:,}/{res.api_total:,} = {res.ratio:.2f}"
    )
    print("(The emulator counts with its own word-based rule, not the Gemma tokenizer.)")
    for note in res.notes:
        print(f"note: {note}")


def _stats_json(s: Stats) -> dict[str, Any]:
    return {"median": s.median, "best": s.best, "spread": s.spread, "samples": list(s.samples)}


def tokens_json(res: TokensResult) -> dict[str, dict[str, Any]]:
    labels = _labels(res)
    rows: dict[str, dict[str, Any]] = {
        key: {"label": labels[key], "unit": "µs/prompt", "values": {"ours": _stats_json(stats)}}
        for key, stats in (
            ("tokens_local_batch", res.local_batch),
            ("tokens_local_call", res.local_call),
            ("tokens_api", res.api),
        )
    }
    rows["tokens_agreement"] = {
        "label": labels["tokens_agreement"],
        "unit": "%",
        "values": {
            "exact": {"median": res.exact},
            "within_10pct": {"median": res.within_10},
            "mean_abs_diff": {"median": res.mean_abs_diff},
        },
        "tokenizer": res.tokenizer,
        "local_over_emulator": res.ratio,
        "notes": res.notes,
    }
    return rows
