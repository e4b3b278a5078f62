"""The magics as a newcomer meets them, in a real IPython shell against the emulator: the Stop
button, the wait before an answer, errors, help, completion, --code, --json, %gemini models.

Interrupts are real: a SIGINT sent to the main thread while the cell reads the answer.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from IPython.core.completer import provisionalcompleter
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import gemini_nb as g
from gemini_nb.notebook import display
from gemini_nb.notebook._complete import KNOWN_MODELS, forget_models
from gemini_nb.notebook._session import session
from gemini_nb.notebook.magics import code_blocks, pick_code

MODEL = "gemini-2.5-flash"
STORY = "Tell me a long story about dragons, in detail, with several chapters."


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Any]:
    """Stream events 100 ms apart, so that a cell can be interrupted while it streams."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(chunk_delay=0.1)) as server:
        yield server


@pytest.fixture
def ip(slow_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", slow_emulator.url)
    session.reset_clients()
    session.chats.clear()
    forget_models()
    slow_emulator.app.faults.clear()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gemini_nb")
    shell.user_ns.pop("_gemini_error", None)
    yield shell
    shell.run_line_magic("unload_ext", "gemini_nb")
    slow_emulator.app.faults.clear()
    session.reset_clients()


def interrupt_when(ready: Callable[[], bool], timeout: float = 20.0) -> threading.Thread:
    """SIGINT the main thread (the Stop button) once ``ready()``; the cell must still run."""
    main = threading.main_thread().ident
    assert main is not None

    def run() -> None:
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def texts(out: Any) -> list[str]:
    return [o.data.get("text/plain", "") for o in out.outputs]


# --------------------------------------------------------------------------------------------
# 1. The Stop button


def test_interrupting_a_streaming_cell_keeps_the_answer_and_ends_quietly(
    ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks_seen = threading.Event()
    real_chunk = display.LiveDisplay.chunk

    def chunk(self: display.LiveDisplay, partial: Any) -> None:
        real_chunk(self, partial)
        chunks_seen.set()

    monkeypatch.setattr(display.LiveDisplay, "chunk", chunk)
    thread = interrupt_when(chunks_seen.is_set)
    with capture_output() as out:
        result = ip.run_cell(f"%%gemini -o story\n{STORY}")
    thread.join()
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    printed = out.stdout + out.stderr
    assert "Traceback" not in printed and "httpx" not in printed and "File " not in printed
    assert printed.strip().startswith("Stopped after ")
    assert printed.strip().endswith("the answer above is incomplete. It is also in story.")
    assert len(printed.strip().splitlines()) == 1
    # The partial answer stays on screen, marked stopped, and in -o's variable.
    partial = ip.user_ns["story"]
    assert partial.text and partial.candidates[0].finish_reason is None
    (shown,) = texts(out)
    assert shown.startswith(partial.text.strip()[:40])
    assert f"{MODEL} · " in shown and "stopped after" in shown and "KeyboardInterrupt" not in shown
    # The connection was closed cleanly: the next cell works.
    with capture_output():
        again = ip.run_cell("%%gemini --no-stream -o r\nHi")
    assert again.error_in_exec is None and ip.user_ns["r"].text


def test_interrupting_a_no_stream_cell_ends_quietly(
    ip: InteractiveShell, slow_emulator: Any
) -> None:
    # The emulator holds the answer back for 5 s; the Stop button is pressed after 0.7 s.
    slow_emulator.app.faults.add({"latency_ms": 5000, "count": 1})
    started = time.monotonic()
    thread = interrupt_when(lambda: time.monotonic() - started > 0.7)
    with capture_output() as out:
        result = ip.run_cell("%%gemini --no-stream\nWhat is the tallest mountain?")
    thread.join()
    assert time.monotonic() - started < 4  # it did not wait for the answer
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    printed = (out.stdout + out.stderr).strip()
    assert printed.startswith("Stopped after ") and printed.endswith("before the answer arrived.")
    assert "Traceback" not in printed and len(printed.splitlines()) == 1


# --------------------------------------------------------------------------------------------
# 2. Waiting for the first token


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a kernel: one output updated in place. The waiting line shows early and ticks fast.
    monkeypatch.setattr(display, "_mode", lambda: "live")
    monkeypatch.setattr(display, "WAIT_AFTER", 0.1)
    monkeypatch.setattr(display, "WAIT_TICK", 0.25)


@pytest.mark.parametrize("line", ["--no-stream", ""])
def test_a_waiting_line_counts_until_the_answer_replaces_it(
    ip: InteractiveShell, slow_emulator: Any, live: None, line: str
) -> None:
    slow_emulator.app.faults.add({"latency_ms": 1300, "count": 1})
    with capture_output() as out:
        result = ip.run_cell(f"%%gemini {line} -o r\nWhat is the tallest mountain?")
    assert result.error_in_exec is None
    first, *rest = out.outputs
    assert first.data["text/plain"] == f"Waiting for {MODEL}…" and not first.update
    display_id = first.transient["display_id"]
    assert all(o.update and o.transient["display_id"] == display_id for o in rest)
    shown = [o.data["text/plain"] for o in rest]
    assert f"Waiting for {MODEL}… 1 s" in shown
    assert shown[-1].startswith(ip.user_ns["r"].text.strip()[:30])
    assert not any("Waiting" in s for s in shown[shown.index(shown[-1]) :])


# --------------------------------------------------------------------------------------------
# 5. Errors, help, completion, misspellings


@pytest.mark.parametrize("line", ["", "--no-stream"])
def test_an_api_error_is_shown_once_and_names_the_magic(
    ip: InteractiveShell, live: None, line: str
) -> None:
    with capture_output() as out:
        result = ip.run_cell(f"%%gemini -m gemini-0-nonexistent {line}\nHi")
    assert isinstance(result.error_in_exec, g.NotFoundError)
    everything = out.stdout + out.stderr + "".join(str(o.data) for o in out.outputs)
    assert everything.count("is not found") == 1
    assert "404 NOT_FOUND" in out.stdout and "Traceback" not in out.stdout
    assert "`%gemini models` lists the models" in out.stdout
    assert "client.models.list()" not in everything
    assert isinstance(ip.user_ns["_gemini_error"], g.NotFoundError)


@pytest.mark.parametrize("query", ["%gemini?", "%%gemini?"])
def test_help_of_the_magic(ip: InteractiveShell, query: str) -> None:
    with capture_output() as out:
        ip.run_cell(query)
    text = out.stdout
    assert "no docstring" not in text.lower()
    for expected in (
        "%%gemini [options]",
        "-m, --model MODEL",
        "--no-stream",
        "%gemini models",
        "%gemini reset [NAME]",
        "%config GeminiMagics.model",
        "Examples:",
    ):
        assert expected in text, expected
    with capture_output() as out:
        ip.run_line_magic("gemini", "help")
    assert "-m, --model MODEL" in out.stdout and "Sub-commands:" in out.stdout


def complete(ip: InteractiveShell, line: str, text: str | None = None) -> list[str]:
    full = line if text is None else text
    with provisionalcompleter():
        cursor_line = full[: full.index(line) + len(line)].count("\n")
        col = len(line.split("\n")[-1])
        offset = sum(len(x) + 1 for x in full.split("\n")[:cursor_line]) + col
        return [c.text for c in ip.Completer.completions(full, offset)]


def test_completion_of_sub_commands_options_models_and_names(ip: InteractiveShell) -> None:
    assert complete(ip, "%gemini mo") == ["models"]
    assert complete(ip, "%gemini re") == ["reset"]
    assert complete(ip, "%%gemini --no-s") == ["--no-stream"]
    assert complete(ip, "%%gemini -m x --mo") == ["--model"]
    assert set(complete(ip, "%%gemini ")) >= {"--model", "--json", "--no-stream", "--chat"}
    # Model IDs come from the API's list (the emulator's, here: more than the built-in ones).
    pro = complete(ip, "%%gemini -m gemini-2.5-p")
    assert "gemini-2.5-pro" in pro and all(m.startswith("gemini-2.5-p") for m in pro)
    assert "gemini-3-pro-preview" in complete(ip, "%%gemini --model gemini-3")
    assert "gemini-2.5-pro" in complete(ip, "%%gemini --model=gemini-2.5-p")
    assert "gemini-embedding-001" not in complete(ip, "%%gemini -m gemini-")  # cannot chat
    # Names: chats for --chat and reset, classes for --schema, functions for --tools.
    session.chats["trip"] = session.client().chats.create(model=MODEL)
    assert complete(ip, "%gemini reset t") == ["trip"]
    assert complete(ip, "%%gemini --chat t") == ["trip"]

    class CityInfo:
        pass

    def get_weather(city: str) -> str:
        return city

    ip.user_ns.update(CityInfo=CityInfo, get_weather=get_weather, city_name="Oslo")
    assert complete(ip, "%%gemini --schema City") == ["CityInfo"]
    assert complete(ip, "%%gemini --tools get_w") == ["get_weather"]
    # The magic line of a cell, with the cursor on it; prompt lines are plain text.
    assert complete(ip, "%%gemini --js", "%%gemini --js\nWrite about {city_name}") == ["--json"]
    assert "--json" not in complete(ip, "x = 1 --js")
    # In a one-line prompt, {name} completes from the namespace as anywhere else.
    assert "city_name" in complete(ip, "%gemini --no-stream Tell me about {city_na")


def test_completion_falls_back_when_models_cannot_be_listed(
    ip: InteractiveShell, slow_emulator: Any
) -> None:
    slow_emulator.app.faults.add({"status": 503, "path": "models$", "count": 5})
    got = complete(ip, "%%gemini -m gemini-")
    assert got == [m for m in KNOWN_MODELS if m.startswith("gemini-")]


def test_completion_stops_with_the_extension(ip: InteractiveShell) -> None:
    ip.run_line_magic("unload_ext", "gemini_nb")
    try:
        assert "models" not in complete(ip, "%gemini mo")
    finally:
        ip.run_line_magic("load_ext", "gemini_nb")
    matchers = [
        m
        for m in ip.Completer.custom_matchers
        if getattr(m, "matcher_identifier", "") == "gemini_nb.magic_completer"
    ]
    assert len(matchers) == 1  # loading again replaced it


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%gemini modles", "did you mean %gemini models?"),
        ("%gemini usag", "did you mean %gemini usage?"),
        ("%%gemini --modle gemini-2.5-pro\nHi", "unknown option --modle; did you mean --model?"),
        ("%%gemini --temprature 1\nHi", "did you mean --temperature?"),
    ],
)
def test_misspellings_suggest_the_closest(ip: InteractiveShell, line: str, message: str) -> None:
    with capture_output() as out:
        result = ip.run_cell(line)
    assert isinstance(result.error_in_exec, UsageError)
    assert message in out.stderr and "Traceback" not in out.stderr + out.stdout


def test_a_one_word_prompt_that_is_no_typo_is_sent(ip: InteractiveShell) -> None:
    with capture_output() as out:
        result = ip.run_cell("%gemini --no-stream Hello")
    assert result.error_in_exec is None and texts(out)[0]


# --------------------------------------------------------------------------------------------
# 4. --code


def test_code_takes_only_the_python_blocks(
    ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    inserted: list[str] = []
    monkeypatch.setattr(ip, "set_next_input", lambda text, replace=False: inserted.append(text))
    with capture_output() as out:
        ip.run_cell(
            "%%gemini --code --no-stream -o r\nWrite a python function that adds two numbers."
        )
    answer = ip.user_ns["r"].text
    assert "Running it prints:" in answer  # the answer has an output block too
    (code,) = inserted
    assert "adds, function, numbers, python" not in code
    assert (
        "(--code: 1 Python block put into a new cell; left out 1 unlabelled block.)" in out.stdout
    )
    with capture_output():
        ran = ip.run_cell(code)  # the new cell runs
    assert ran.error_in_exec is None


@pytest.mark.parametrize(
    ("blocks", "taken", "left"),
    [
        ([("python", "a = 1\n"), ("", "1\n")], ["a = 1\n"], ["unlabelled"]),
        ([("bash", "ls\n"), ("python", "b = 2\n"), ("json", "{}")], ["b = 2\n"], ["bash", "json"]),
        ([("", "c = 3\n"), ("", "d = 4\n")], ["c = 3\n", "d = 4\n"], []),
        ([("", "e = 5\n"), ("bash", "ls\n")], ["e = 5\n"], ["bash"]),
        ([("bash", "ls\n")], [], ["bash"]),
    ],
)
def test_pick_code(blocks: list[tuple[str, str]], taken: list[str], left: list[str]) -> None:
    assert pick_code(blocks) == (taken, left)


def test_code_blocks_read_fences_and_code_the_model_ran() -> None:
    from gemini_nb.types import GenerateContentResponse, parse_response

    r = parse_response(
        GenerateContentResponse,
        {
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {
                                "text": "Try:\n\n```py\nx = 1\n```\n\n    indented, not a fence\n\n~~~\nout\n~~~\n"
                            },
                            {"executableCode": {"language": "PYTHON", "code": "print(x)"}},
                            {"text": "and\n\n````bash\necho ```\n````\n"},
                        ]
                    }
                }
            ]
        },
    )
    assert code_blocks(r) == [
        ("python", "x = 1\n"),
        ("", "out\n"),
        ("python", "print(x)"),
        ("bash", "echo ```\n"),
    ]


# --------------------------------------------------------------------------------------------
# 7. --json


def test_json_shows_highlighted_json_and_keeps_the_object_as_result(ip: InteractiveShell) -> None:
    with capture_output() as out:
        result = ip.run_cell("%%gemini --json\nGive me a JSON object describing a cat.")
    value = result.result
    assert isinstance(value, dict) and value
    assert ip.user_ns["_"] is value
    (shown,) = out.outputs
    assert shown.data["text/plain"].startswith("{\n  ")
    assert shown.data["text/plain"].splitlines()[-1].startswith(f"{MODEL} · ")
    assert 'class="hl-nt"' in shown.data["text/html"]
    assert "'topic'" in repr(value) and "'topic'" not in out.stdout  # no dict repr below it
    # Displaying the object later (another cell) shows it normally again.
    with capture_output() as out:
        ip.run_cell("_")
    assert "'topic'" in out.stdout


# --------------------------------------------------------------------------------------------
# 8. %gemini models


def test_models_are_grouped_without_missing_values(ip: InteractiveShell) -> None:
    df = ip.run_line_magic("gemini", "models")
    assert list(df.index.names) == ["capability", "family", "id"]
    assert list(df.columns) == ["input_tokens", "output_tokens", "thinking", "name"]
    assert not df.isna().any().any()
    assert df.loc[("text", "Gemini 2.5", "gemini-2.5-flash"), "input_tokens"] > 0
    assert ("embeddings", "Gemini", "gemini-embedding-001") in df.index
    # Each capability is one block of rows, in a fixed order, text first.
    caps = list(df.index.get_level_values("capability"))
    assert caps[0] == "text" and caps == sorted(caps, key=caps.index)
    assert len(set(caps)) == len([c for i, c in enumerate(caps) if i == 0 or caps[i - 1] != c])
    # IDs stay on one line in the HTML, also for a filtered list.
    part = df.loc["text"]
    assert "white-space:nowrap" in part._repr_html_() and "NaN" not in df._repr_html_()
