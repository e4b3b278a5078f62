"""The %%gemini / %gemini magics in a real IPython shell, answered by the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from pydantic import BaseModel

import gemini_nb as g
from gemini_nb.notebook._interpolate import interpolate
from gemini_nb.notebook._session import session
from gemini_nb.notebook.magics import split_line


@pytest.fixture
def ip(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    session.reset_clients()
    session.chats.clear()
    session.usage.clear()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gemini_nb")
    shell.user_ns.pop("_gemini_error", None)
    yield shell
    shell.run_line_magic("unload_ext", "gemini_nb")
    session.reset_clients()


def cell(ip: InteractiveShell, line: str, body: str) -> tuple[Any, Any]:
    with capture_output() as out:
        result = ip.run_cell_magic("gemini", line, body)
    return result, out


def shown(out: Any) -> str:
    texts = [o.data.get("text/markdown") or o.data.get("text/plain", "") for o in out.outputs]
    return "\n".join(texts) + out.stdout


def test_cell_streams_markdown_and_stores_output(ip: InteractiveShell) -> None:
    result, out = cell(ip, "-o answer", "Tell me about the moon.")
    assert result is None
    response = ip.user_ns["answer"]
    assert isinstance(response, g.types.GenerateContentResponse) and response.text
    assert response.text[:40] in shown(out)
    assert any("text/html" in o.data for o in out.outputs)


def test_no_stream_and_options(ip: InteractiveShell) -> None:
    _, out = cell(
        ip,
        '-m gemini-2.5-pro -s "Answer like a pirate." -t 0.2 --max-tokens 40 --no-stream -o r',
        "Describe the sea.",
    )
    r = ip.user_ns["r"]
    assert r.text and r.text[:30] in shown(out)
    sent = g.Client().models.generate_content(
        model="gemini-2.5-pro",
        contents="Describe the sea.",
        config={
            "system_instruction": "Answer like a pirate.",
            "temperature": 0.2,
            "max_output_tokens": 40,
        },
    )
    assert r.text == sent.text  # the options reached the request


def test_interpolation(ip: InteractiveShell) -> None:
    ip.user_ns.update(city="Lisbon", data={"k": 1})
    _, _ = cell(ip, "--no-stream -o r", 'Tell me about {city}. Keep this JSON: {"a": {"b": 1}}')
    direct = g.Client().models.generate_content(
        model="gemini-2.5-flash", contents='Tell me about Lisbon. Keep this JSON: {"a": {"b": 1}}'
    )
    assert ip.user_ns["r"].text == direct.text


def test_no_interpolate(ip: InteractiveShell) -> None:
    cell(ip, "--no-interpolate --no-stream -o r", "What is {undefined_name}?")
    assert ip.user_ns["r"].text


@pytest.mark.parametrize(
    ("line", "body", "message"),
    [
        ("--bogus", "hi", "unknown option --bogus"),
        ("--modle x", "hi", "unknown option --modle; did you mean --model"),
        ("--no-stram", "hi", "did you mean --no-stream"),
        ("stray words", "hi", "unexpected .stray. on the magic line"),
        ("-t hot", "hi", "expected a number"),
        ("--max-tokens -3", "hi", "positive"),
        ("", "Hello {missing_var}", "no variable 'missing_var'"),
        ("--schema NoSuchClass", "hi", "NoSuchClass"),
        ("--schema not_a_class", "hi", "expected a class"),
        ("--file nope.png", "hi", "no such file"),
        ("--file nothing_here", "hi", "no variable or file"),
        ("--tools missing_fn", "hi", "no function"),
        ("-o 1bad", "hi", "not a valid Python name"),
        ("--json --schema X", "hi", "not both"),
        ('-s "unclosed', "hi", "quotes"),
        ("", "   ", "empty"),
    ],
)
def test_user_mistakes_are_usage_errors(
    ip: InteractiveShell, line: str, body: str, message: str
) -> None:
    ip.user_ns["not_a_class"] = 42
    with pytest.raises(UsageError, match=message):
        cell(ip, line, body)


def test_usage_error_has_no_traceback(ip: InteractiveShell) -> None:
    with capture_output() as out:
        result = ip.run_cell("%%gemini --bogus\nhi")
    assert result.error_in_exec is not None
    assert "Traceback" not in out.stdout + out.stderr
    assert "UsageError" in out.stdout + out.stderr


class Capital(BaseModel):
    country: str
    capital: str


def test_schema_result_is_parsed_object(ip: InteractiveShell) -> None:
    ip.user_ns["Capital"] = list[Capital]
    ip.user_ns["Cap"] = Capital
    result, _ = cell(ip, "--schema Cap", "The capital of France?")
    assert isinstance(result, Capital)


def test_json_result(ip: InteractiveShell) -> None:
    result, _ = cell(ip, "--json", "Give me a JSON object describing a cat.")
    assert isinstance(result, (dict, list))


def test_file_attachments(ip: InteractiveShell, tmp_path: Any) -> None:
    import pandas as pd
    from PIL import Image

    ip.user_ns["df"] = pd.DataFrame({"city": ["Oslo", "Rome"], "temp": [3, 18]})
    ip.user_ns["img"] = Image.new("RGB", (8, 8), "blue")
    path = tmp_path / "notes.txt"
    path.write_text("some notes")
    cell(ip, f"--no-stream -o r -f df -f img -f {path}", "Summarise these.")
    text = ip.user_ns["r"].text
    assert "image/png" in text or "image" in text.lower()


def test_named_chat(ip: InteractiveShell) -> None:
    cell(ip, "--chat trip --no-stream", "Hello, my name is Ada.")
    cell(ip, "--chat trip -o r", "What is my name?")
    assert "Ada" in ip.user_ns["r"].text
    with capture_output() as out:
        ip.run_line_magic("gemini", "chats")
    assert "trip: gemini-2.5-flash, 4 turns" in out.stdout
    with pytest.raises(UsageError, match="reset trip"):
        cell(ip, "--chat trip -m gemini-2.5-pro", "hi")
    with capture_output():
        ip.run_line_magic("gemini", "reset trip")
    assert "trip" not in session.chats
    with pytest.raises(UsageError, match="no chat named"):
        ip.run_line_magic("gemini", "reset trip")


def test_line_magic_prompt_with_options_and_quotes(ip: InteractiveShell) -> None:
    with capture_output() as out:
        ip.run_line_magic("gemini", "-m gemini-2.5-pro --no-stream What's the tallest mountain?")
    assert shown(out).strip()


@pytest.mark.parametrize(
    ("line", "options", "prompt"),
    [
        ("hello world", "", "hello world"),
        ("-m x what's up", "-m x", "what's up"),
        ('-s "be brief" --no-stream tell me', '-s "be brief" --no-stream', "tell me"),
        ("--max-tokens=5 hi", "--max-tokens=5", "hi"),
        ("--code", "--code", ""),
    ],
)
def test_split_line(line: str, options: str, prompt: str) -> None:
    assert split_line(line) == (options, prompt)


def test_models_usage_config_help(ip: InteractiveShell) -> None:
    df = ip.run_line_magic("gemini", "models")
    assert "gemini-2.5-flash" in set(df.index.get_level_values("id"))
    assert "input_tokens" in df.columns
    cell(ip, "--no-stream", "hi")
    usage = ip.run_line_magic("gemini", "usage")
    assert (
        usage.loc["gemini-2.5-flash", "calls"] >= 1
        and usage.loc["gemini-2.5-flash", "total_tokens"] > 0
    )
    cfg = ip.run_line_magic("gemini", "config")
    assert "GeminiMagics.model" in cfg.data
    with capture_output() as out:
        ip.run_line_magic("gemini", "help")
    assert "%config GeminiMagics.model" in out.stdout and "--schema" in out.stdout


def test_traitlet_config(ip: InteractiveShell) -> None:
    ip.run_line_magic("config", 'GeminiMagics.model = "gemini-2.5-pro"')
    try:
        cell(ip, "--no-stream -o r", "hi")
        assert ip.user_ns["r"].model_version and "2.5-pro" in ip.user_ns["r"].model_version
    finally:
        ip.run_line_magic("config", 'GeminiMagics.model = "gemini-2.5-flash"')


def test_api_error_is_short_and_typed(ip: InteractiveShell) -> None:
    with capture_output() as out:
        result = ip.run_cell("%%gemini -m gemini-0-nonexistent --no-stream\nhi")
    assert isinstance(result.error_in_exec, g.NotFoundError)
    assert isinstance(ip.user_ns["_gemini_error"], g.NotFoundError)
    text = out.stdout + out.stderr
    assert "404" in text and "NOT_FOUND" in text and "Traceback" not in text


def test_code_goes_to_next_cell(ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    inserted: list[str] = []
    monkeypatch.setattr(ip, "set_next_input", lambda text, replace=False: inserted.append(text))
    cell(ip, "--code --no-stream", "Write a python function that adds two numbers.")
    assert inserted and "def " in inserted[0]
    compile(inserted[0], "<answer>", "exec")


def test_interpolate_rules() -> None:
    ns = {"x": 3, "rows": [1, 2], "d": {"k": "v"}, "price": 2.5}
    assert interpolate("{x} {rows[-1]} {d['k']} {price:.1f} {x!r}", ns) == "3 2 v 2.5 3"
    assert interpolate('{"a": {"b": [1, {}]}}', ns) == '{"a": {"b": [1, {}]}}'
    assert interpolate("{{x}} and }} alone", ns) == "{x} and }} alone"
    assert interpolate("def f(): return {}", ns) == "def f(): return {}"


def test_load_ext_is_light() -> None:
    # Its time (≤ 150 ms on top of IPython) is measured by the benchmark (`python -m bench
    # --only import`), not here: a timed test only measures the CI machine's load.
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "[os.environ.pop(k, None) for k in ('GEMINI_API_KEY','GOOGLE_API_KEY','GOOGLE_GEMINI_BASE_URL')]\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'gemini_nb')\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('pandas','anywidget','ipywidgets','websockets')]\n"
        "print('RESULT', heavy, os.environ['GOOGLE_GEMINI_BASE_URL'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = next(line for line in out.stdout.splitlines() if line.startswith("RESULT")).split()
    assert result[1] == "[]", result
    assert result[2].startswith("http://127.0.0.1:")


def test_embedded_emulator_banner_and_answers() -> None:
    import subprocess
    import sys

    code = (
        "import os\n"
        "[os.environ.pop(k, None) for k in ('GEMINI_API_KEY','GOOGLE_API_KEY','GOOGLE_GEMINI_BASE_URL')]\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from IPython.utils.capture import capture_output\n"
        "ip = InteractiveShell.instance()\n"
        "with capture_output() as out:\n"
        "    ip.run_line_magic('load_ext', 'gemini_nb')\n"
        "print([o.data['text/plain'] for o in out.outputs])\n"
        "import gemini_nb\n"
        "print(gemini_nb.Client().models.generate_content(model='gemini-2.5-flash', contents='hi').text[:20])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "local emulator" in out and "simulated" in out
    assert len(out.strip().splitlines()) == 2


def test_with_key_no_emulator_is_loaded() -> None:
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "os.environ['GEMINI_API_KEY'] = 'AIzaFAKEFAKEFAKE'\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance(); ip.run_line_magic('load_ext', 'gemini_nb')\n"
        "print(any(m.startswith(('gemini_nb.emulator','uvicorn','starlette')) for m in sys.modules), 'GOOGLE_GEMINI_BASE_URL' in os.environ)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_banner_for_an_emulator_started_outside_the_kernel(emulator: Any) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env.update(GOOGLE_GEMINI_BASE_URL=emulator.url, GEMINI_NB_EMULATOR="1")
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from IPython.utils.capture import capture_output\n"
        "ip = InteractiveShell.instance()\n"
        "with capture_output() as out:\n"
        "    ip.run_line_magic('load_ext', 'gemini_nb')\n"
        "print([o.data['text/plain'] for o in out.outputs])\n"
        "print(any(m.startswith('uvicorn') for m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "local emulator" in out and out.split()[-1] == "False"  # told, and none started
