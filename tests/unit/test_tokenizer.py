"""The local tokenizer, end to end: fetch over loopback, verify, cache, count.

The real tokenizer files cannot be reached from here, so each test trains a small
SentencePiece model (and a small tokenizer.json) in memory, serves it from a loopback HTTP
server, and pins its SHA-256 in a TokenizerFile: the same download, hash, cache and load path
the real files take.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from gemini_nb.tokens import (
    TOKENIZER_FILES,
    LocalTokenizer,
    TokenizerError,
    TokenizerFile,
    TokenizerIntegrityError,
    TokenizerUnavailableError,
    UncountableContentError,
    _tokenizer,
    cache_dir,
    tokenizer_name_for,
)

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "What is your name? My name is Ada.",
    "Hello world, how are you today?",
    "Gemini counts tokens locally with a SentencePiece model.",
    'def area(r): return {"pi": 3.14159, "r": r}',
    "get_weather city unit celsius fahrenheit description required",
] * 40


def _train_sentencepiece() -> bytes:
    import sentencepiece as spm

    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS),
        model_writer=out,
        vocab_size=400,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        minloglevel=2,
    )
    return out.getvalue()


def _train_tokenizer_json() -> bytes:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        CORPUS, trainers.BpeTrainer(vocab_size=120, special_tokens=["[UNK]", "<bos>"])
    )
    return tok.to_str().encode()


SP_MODEL = _train_sentencepiece()
HF_JSON = _train_tokenizer_json()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ a loopback file server


class FileServer:
    """Serves bytes by path; ``mode`` per path: ok, truncate (short body), missing (404)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                data, mode = server.files.get(self.path, (b"", "missing"))
                if mode == "missing":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data if mode == "ok" else data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def serve(self, path: str, data: bytes, mode: str = "ok") -> str:
        self.files[path] = (data, mode)
        return self.url + path

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def server() -> Iterator[FileServer]:
    s = FileServer()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No proxy may capture the loopback downloads, no developer cache or file may be used,
    # and every test loads its tokenizer afresh.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "GEMINI_NB_TOKENIZER_GEMMA3",
        "GEMINI_NB_TOKENIZER_GEMMA4",
        "GEMINI_NB_TOKENIZER_TINY",
        "GEMINI_NB_TOKENIZER_TINYJSON",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_NB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_tokenizer, "_LOADED", {})


def _spec(url: str | None, data: bytes = SP_MODEL, **kw: Any) -> TokenizerFile:
    return TokenizerFile(
        name="tiny",
        kind="sentencepiece",
        url=url,
        sha256=_sha(data),
        filename="tiny.spiece.model",
        **kw,
    )


def _cached(tmp_path: Path, name: str = "tiny.spiece.model") -> Path:
    return tmp_path / "cache" / "tokenizers" / name


def _sp() -> Any:
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_proto=SP_MODEL)


# ------------------------------------------------------------------ fetch, verify, cache


def test_first_use_downloads_once_then_counts_from_the_cache(
    server: FileServer, tmp_path: Path
) -> None:
    spec = _spec(server.serve("/tiny.model", SP_MODEL))
    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    assert tok.path == _cached(tmp_path)
    assert _cached(tmp_path).read_bytes() == SP_MODEL
    text = "What is your name?"
    assert tok.count_tokens(text).total_tokens == len(_sp().encode(text))

    _tokenizer._LOADED.clear()  # a new process: the cache is read and checked, not fetched
    again = LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    assert again.count_tokens(text).total_tokens == tok.count_tokens(text).total_tokens
    assert server.hits["/tiny.model"] == 1


def test_a_download_that_fails_its_hash_is_refused_and_not_cached(
    server: FileServer, tmp_path: Path
) -> None:
    spec = _spec(server.serve("/tiny.model", SP_MODEL[:-10] + b"0123456789"))
    with pytest.raises(TokenizerIntegrityError) as info:
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    message = str(info.value)
    assert spec.sha256 is not None and spec.sha256 in message
    assert "was not used" in message and str(_cached(tmp_path)) in message
    assert not _cached(tmp_path).exists()
    leftovers = (
        list(_cached(tmp_path).parent.glob("*")) if _cached(tmp_path).parent.exists() else []
    )
    assert leftovers == []


def test_a_truncated_download_is_not_used_or_saved(server: FileServer, tmp_path: Path) -> None:
    spec = _spec(server.serve("/tiny.model", SP_MODEL, mode="truncate"))
    with pytest.raises(TokenizerError) as info:
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    assert isinstance(info.value, TokenizerUnavailableError)
    assert f"cut off after {len(SP_MODEL) // 2:,} bytes" in str(info.value)
    assert not _cached(tmp_path).exists()


def test_a_corrupt_cached_file_is_detected_and_fetched_again(
    server: FileServer, tmp_path: Path
) -> None:
    spec = _spec(server.serve("/tiny.model", SP_MODEL))
    target = _cached(tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(SP_MODEL[: len(SP_MODEL) // 3])  # a half-written or tampered copy
    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    assert server.hits["/tiny.model"] == 1
    assert target.read_bytes() == SP_MODEL
    assert tok.count_tokens("Hello world").total_tokens == len(_sp().encode("Hello world"))


def test_a_corrupt_cache_while_offline_is_removed_and_refused(
    server: FileServer, tmp_path: Path
) -> None:
    spec = _spec(server.url + "/gone.model")  # 404
    target = _cached(tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a tokenizer")
    with pytest.raises(TokenizerUnavailableError) as info:
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    message = str(info.value)
    assert "failed its SHA-256 check and was removed" in message
    assert "404" in message
    assert not target.exists()


def test_an_unreadable_cached_file_says_what_to_do(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(server.serve("/tiny.model", SP_MODEL))
    target = _cached(tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(SP_MODEL)
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(TokenizerUnavailableError, match="fix its permissions or delete it"):
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    assert server.hits == {}


def test_offline_says_which_file_to_put_where(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = _spec(f"http://127.0.0.1:{port}/tiny.model")
    with pytest.raises(TokenizerUnavailableError) as info:
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    message = str(info.value)
    for needed in (
        spec.url,
        str(_cached(tmp_path)),
        "GEMINI_NB_TOKENIZER_TINY",
        "HTTPS_PROXY",
        spec.sha256,
        "path=",
    ):
        assert needed is not None and needed in message, needed


def test_download_false_never_touches_the_network(server: FileServer) -> None:
    spec = _spec(server.serve("/tiny.model", SP_MODEL))
    with pytest.raises(TokenizerUnavailableError, match="downloading is off"):
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec, download=False)
    assert server.hits == {}


def test_a_file_you_point_at_is_checked_like_a_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(None)
    good = tmp_path / "mine.model"
    good.write_bytes(SP_MODEL)
    assert LocalTokenizer("gemini-2.5-flash", tokenizer=spec, path=good).path == good

    _tokenizer._LOADED.clear()
    monkeypatch.setenv("GEMINI_NB_TOKENIZER_TINY", str(good))
    assert LocalTokenizer("gemini-2.5-flash", tokenizer=spec).path == good

    bad = tmp_path / "other.model"
    bad.write_bytes(SP_MODEL + b"x")
    with pytest.raises(TokenizerIntegrityError, match="not the pinned tiny tokenizer"):
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec, path=bad)


def test_a_pinned_file_that_is_not_a_model_is_refused(server: FileServer) -> None:
    junk = b"\x00" * 64
    spec = _spec(server.serve("/junk.model", junk), data=junk)
    with pytest.raises(TokenizerIntegrityError, match="not a valid SentencePiece model"):
        LocalTokenizer("gemini-2.5-flash", tokenizer=spec)


def test_an_unpinned_tokenizer_is_never_downloaded(server: FileServer, tmp_path: Path) -> None:
    spec = TokenizerFile(
        name="tinyjson",
        kind="tokenizer.json",
        url=server.serve("/t.json", HF_JSON),
        sha256=None,
        filename="t.json",
    )
    with pytest.raises(TokenizerUnavailableError) as info:
        LocalTokenizer("gemini-3.1-pro-preview", tokenizer=spec)
    assert "no SHA-256 is published" in str(info.value)
    assert str(_cached(tmp_path, "t.json")) in str(info.value)
    assert server.hits == {}

    _cached(tmp_path, "t.json").parent.mkdir(parents=True)
    _cached(tmp_path, "t.json").write_bytes(HF_JSON)  # the user put it in place
    tok = LocalTokenizer("gemini-3.1-pro-preview", tokenizer=spec)
    assert tok.count_tokens("What is your name?").total_tokens > 0


def test_the_gemma4_entry_is_unpinned_and_names_its_source() -> None:
    gemma4 = TOKENIZER_FILES["gemma4"]
    assert gemma4.kind == "tokenizer.json" and gemma4.sha256 is None
    assert gemma4.url is not None and gemma4.url.startswith("https://huggingface.co/google/gemma-4")
    gemma3 = TOKENIZER_FILES["gemma3"]
    assert gemma3.sha256 == "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c"
    assert gemma3.env_var == "GEMINI_NB_TOKENIZER_GEMMA3"


# ------------------------------------------------------------------ counting


def test_tokenizer_json_counts_like_the_tokenizers_library(server: FileServer) -> None:
    from tokenizers import Tokenizer

    spec = TokenizerFile(
        name="tinyjson",
        kind="tokenizer.json",
        url=server.serve("/t.json", HF_JSON),
        sha256=_sha(HF_JSON),
        filename="t.json",
    )
    tok = LocalTokenizer("gemini-3.5-flash", tokenizer=spec)
    ref = Tokenizer.from_str(HF_JSON.decode())
    texts = ["What is your name?", "The quick brown fox", ""]
    assert tok.count_texts(texts) == [
        len(ref.encode(t, add_special_tokens=False).ids) for t in texts
    ]
    assert tok.count_tokens(texts).total_tokens == sum(tok.count_texts(texts))
    info = tok.compute_tokens("What is your name?").tokens_info
    assert info[0].token_ids == ref.encode("What is your name?", add_special_tokens=False).ids


@pytest.mark.parametrize("kind", ["sentencepiece", "tokenizer.json"])
def test_a_large_batch_counts_like_texts_one_by_one(server: FileServer, kind: str) -> None:
    data = SP_MODEL if kind == "sentencepiece" else HF_JSON
    spec = TokenizerFile(name="tiny", kind=kind, url=server.serve("/f", data), sha256=_sha(data),
                         filename="tiny.file")  # fmt: skip
    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=spec)
    texts = [f"{text} ({i})" for i, text in enumerate(CORPUS[:100])]
    assert len(texts) > _tokenizer._BATCH
    assert tok.count_texts(texts) == [tok.count_texts([t])[0] for t in texts]


def _official(monkeypatch: pytest.MonkeyPatch) -> Any:
    """google-genai's own LocalTokenizer, loading our small model instead of its download."""
    from google.genai import _local_tokenizer_loader as loader
    from google.genai import local_tokenizer
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(SP_MODEL)
    monkeypatch.setattr(loader, "load_model_proto", lambda name: proto)
    monkeypatch.setattr(loader, "get_sentencepiece", lambda name: _sp())
    return local_tokenizer.LocalTokenizer(model_name="gemini-2.5-flash")


CASES: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]] = [
    ("text", "What is your name?", None, None),
    ("list of texts", ["Hello world", "how are you today?"], None, None),
    (
        "conversation",
        [
            {"role": "user", "parts": [{"text": "Hi, my name is Ada."}]},
            {"role": "model", "parts": [{"text": "Hello Ada!"}]},
        ],
        None,
        None,
    ),
    (
        "function call and response",
        [
            {
                "role": "model",
                "parts": [
                    {
                        "function_call": {
                            "name": "get_weather",
                            "args": {"city": "Paris", "days": 3, "units": ["celsius"]},
                        }
                    }
                ],
            },
            {
                "role": "user",
                "parts": [
                    {
                        "function_response": {
                            "name": "get_weather",
                            "response": {"temp": 21, "sky": "clear"},
                        }
                    }
                ],
            },
        ],
        None,
        None,
    ),
    (
        "system instruction",
        "Summarize this.",
        {"system_instruction": "Be brief and friendly."},
        {"system_instruction": "Be brief and friendly."},
    ),
    (
        "tools",
        "What's the weather?",
        {
            "tools": [
                {
                    "function_declarations": [
                        {
                            "name": "get_weather",
                            "description": "The weather in a city.",
                            "parameters": {
                                "type": "OBJECT",
                                "required": ["city"],
                                "properties": {
                                    "city": {"type": "STRING", "description": "The city name."},
                                    "unit": {
                                        "type": "STRING",
                                        "enum": ["celsius", "fahrenheit"],
                                        "format": "enum",
                                    },
                                },
                            },
                        }
                    ]
                }
            ]
        },
        {
            "tools": [
                {
                    "function_declarations": [
                        {
                            "name": "get_weather",
                            "description": "The weather in a city.",
                            "parameters": {
                                "type": "OBJECT",
                                "required": ["city"],
                                "properties": {
                                    "city": {"type": "STRING", "description": "The city name."},
                                    "unit": {
                                        "type": "STRING",
                                        "enum": ["celsius", "fahrenheit"],
                                        "format": "enum",
                                    },
                                },
                            },
                        }
                    ]
                }
            ]
        },
    ),
    (
        "response schema",
        "List two fruits.",
        {
            "response_schema": {
                "type": "ARRAY",
                "description": "Fruits.",
                "items": {
                    "type": "OBJECT",
                    "required": ["name"],
                    "properties": {
                        "name": {
                            "type": "STRING",
                            "description": "A fruit name",
                            "example": "apple",
                        }
                    },
                },
            }
        },
        {
            "generation_config": {
                "response_schema": {
                    "type": "ARRAY",
                    "description": "Fruits.",
                    "items": {
                        "type": "OBJECT",
                        "required": ["name"],
                        "properties": {
                            "name": {
                                "type": "STRING",
                                "description": "A fruit name",
                                "example": "apple",
                            }
                        },
                    },
                }
            }
        },
    ),
]


@pytest.mark.filterwarnings("ignore:The SDK's local tokenizer implementation is experimental")
@pytest.mark.parametrize(
    ("contents", "ours", "theirs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_counts_match_the_official_sdk_local_tokenizer(
    server: FileServer,
    monkeypatch: pytest.MonkeyPatch,
    contents: Any,
    ours: dict[str, Any] | None,
    theirs: dict[str, Any] | None,
) -> None:
    official = _official(monkeypatch)
    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=_spec(server.serve("/m", SP_MODEL)))
    expected = official.count_tokens(contents, config=theirs).total_tokens
    assert expected > 0
    assert tok.count_tokens(contents, config=ours).total_tokens == expected


def test_python_functions_and_pydantic_schemas_count_as_their_declarations(
    server: FileServer,
) -> None:
    from pydantic import BaseModel

    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=_spec(server.serve("/m", SP_MODEL)))

    def get_weather(city: str) -> dict[str, str]:
        """The weather in a city.

        Args:
            city: The city name.
        """
        return {}

    class Fruit(BaseModel):
        name: str

    plain = tok.count_tokens("What's the weather?").total_tokens
    with_tool = tok.count_tokens(
        "What's the weather?", config={"tools": [get_weather]}
    ).total_tokens
    texts = ["get_weather", "The weather in a city.", "city", "The city name.", "city"]
    assert with_tool - plain == sum(tok.count_texts(texts))
    with_schema = tok.count_tokens("What's the weather?", config={"response_schema": list[Fruit]})
    assert with_schema.total_tokens - plain == sum(tok.count_texts(["name", "name"]))


def test_compute_tokens_gives_ids_bytes_and_roles(server: FileServer) -> None:
    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=_spec(server.serve("/m", SP_MODEL)))
    result = tok.compute_tokens(
        [
            {"role": "user", "parts": [{"text": "héllo wörld"}]},
            {"role": "model", "parts": [{"text": "Hello"}]},
        ]
    )
    first, second = result.tokens_info
    assert first.role == "user" and second.role == "model"
    assert first.token_ids == _sp().encode("héllo wörld")
    # Byte-fallback pieces come back as raw bytes, so the pieces rebuild the text.
    assert b"".join(first.tokens).decode().strip() == "héllo wörld"


def test_media_parts_are_named_not_guessed(server: FileServer) -> None:
    tok = LocalTokenizer("gemini-2.5-flash", tokenizer=_spec(server.serve("/m", SP_MODEL)))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    with pytest.raises(UncountableContentError) as info:
        tok.count_tokens(
            [
                "Describe this.",
                png,
                {"file_data": {"file_uri": "https://x/y.mp3", "mime_type": "audio/mpeg"}},
            ]
        )
    assert info.value.parts == ["image/png", "audio/mpeg"]
    assert "image/png (1)" in str(info.value) and "local=False" in str(info.value)
    assert isinstance(info.value, ValueError)


# ------------------------------------------------------------------ models and directories


@pytest.mark.parametrize(
    ("model", "name"),
    [
        ("gemini-2.5-flash", "gemma3"),
        ("models/gemini-2.0-flash-001", "gemma3"),
        ("gemini-3-pro-preview", "gemma3"),
        ("gemini-2.5-flash-preview-09-2025", "gemma3"),  # family rule
        ("gemini-3.1-pro-preview", "gemma4"),
        ("gemini-3.5-flash", "gemma4"),
    ],
)
def test_model_to_tokenizer(model: str, name: str) -> None:
    assert tokenizer_name_for(model) == name


@pytest.mark.parametrize("model", ["gemini-flash-latest", "gpt-4o", "gemini-9-ultra"])
def test_unknown_models_get_a_clear_error(model: str) -> None:
    with pytest.raises(TokenizerError, match="local=False"):
        tokenizer_name_for(model)


def test_cache_directory_follows_the_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GEMINI_NB_CACHE_DIR", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("GEMINI_NB_CACHE_DIR")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "gemini-nb"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "gemini-nb"


def test_importing_the_package_fetches_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, gemini_nb.tokens\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in "
        "('sentencepiece', 'tokenizers', 'httpx', 'pydantic', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ------------------------------------------------------------------ client.models.count_tokens(local=True)


@pytest.fixture
def local_gemma3(server: FileServer, monkeypatch: pytest.MonkeyPatch) -> TokenizerFile:
    """The gemma3 entry pointed at the small model (its real file cannot be reached here)."""
    spec = replace(
        TOKENIZER_FILES["gemma3"],
        url=server.serve("/gemma3.model", SP_MODEL),
        sha256=_sha(SP_MODEL),
    )
    monkeypatch.setitem(TOKENIZER_FILES, "gemma3", spec)
    return spec


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"local counting sent a request: {request.url}")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_count_tokens_local_true_sends_nothing(local_gemma3: TokenizerFile, kind: str) -> None:
    from gemini_nb import AsyncClient, Client

    contents = ["What is your name?", "Hello world"]
    config = {"system_instruction": "Be brief."}
    expected = LocalTokenizer("gemini-2.5-flash").count_tokens(contents, config=config).total_tokens
    if kind == "sync":
        with Client(
            api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(_no_network))
        ) as c:
            got = c.models.count_tokens(
                model="gemini-2.5-flash", contents=contents, config=config, local=True
            )
    else:

        async def run() -> Any:
            transport = httpx.MockTransport(_no_network)
            async with AsyncClient(
                api_key="k", http_client=httpx.AsyncClient(transport=transport)
            ) as c:
                return await c.models.count_tokens(
                    model="gemini-2.5-flash", contents=contents, config=config, local=True
                )

        got = asyncio.run(run())
    assert got.total_tokens == expected
    assert got.prompt_tokens_details is not None
    assert got.prompt_tokens_details[0].modality == "TEXT"
