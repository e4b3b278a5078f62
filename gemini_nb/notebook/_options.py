"""Parsing the ``%%gemini`` line into typed options; every mistake is one clear sentence."""

from __future__ import annotations

import argparse
import difflib
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "CellOptions",
    "OptionError",
    "cell_usage",
    "closest",
    "option_table",
    "parse_cell_line",
    "two_columns",
]


class OptionError(ValueError):
    """A bad option; the magic turns it into IPython's UsageError."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise OptionError(f"%%gemini: {message}. See %gemini help.")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        raise OptionError(message or "%%gemini: see %gemini help.")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= value <= 2.0:
        raise argparse.ArgumentTypeError(f"temperature must be between 0 and 2, got {value}")
    return value


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if not n.isidentifier()]
    if not names or bad:
        raise argparse.ArgumentTypeError(f"expected comma-separated Python names, got {text!r}")
    return names


def _build() -> _Parser:
    p = _Parser(prog="%%gemini", add_help=False, allow_abbrev=False)
    p.add_argument(
        "-m",
        "--model",
        metavar="MODEL",
        help="model ID, e.g. gemini-2.5-pro (default: GeminiMagics.model)",
    )
    p.add_argument("-s", "--system", metavar="TEXT", help="system instruction")
    p.add_argument(
        "-t", "--temperature", type=_temperature, metavar="T", help="sampling temperature, 0-2"
    )
    p.add_argument(
        "--max-tokens",
        type=_positive_int,
        dest="max_tokens",
        metavar="N",
        help="maximum output tokens",
    )
    p.add_argument(
        "-o", "--output", metavar="NAME", help="keep the response object in this variable"
    )
    p.add_argument(
        "-c", "--chat", metavar="NAME", help="continue the named chat (history kept per name)"
    )
    p.add_argument(
        "--json", action="store_true", help="answer in JSON; the parsed value is the cell's result"
    )
    p.add_argument(
        "--schema",
        metavar="CLASS",
        help="a pydantic class (or type) from the namespace; the parsed object is "
        "the cell's result",
    )
    p.add_argument(
        "-f",
        "--file",
        action="append",
        default=[],
        dest="files",
        metavar="X",
        help="attach a path, or a variable holding bytes, a PIL image, a DataFrame, "
        "text, uploaded Files (-f up.files) (repeatable; a file above 20 MB is "
        "uploaded through the Files API first)",
    )
    p.add_argument(
        "--no-stream", action="store_true", dest="no_stream", help="wait for the whole answer"
    )
    p.add_argument(
        "--code", action="store_true", help="put the answer's Python code into a new cell"
    )
    p.add_argument(
        "--no-interpolate",
        action="store_true",
        dest="no_interpolate",
        help="send {braces} as written",
    )
    p.add_argument("--thoughts", action="store_true", help="show the model's thought summaries")
    p.add_argument(
        "--tools",
        type=_names,
        default=[],
        metavar="F,G",
        help="functions from the namespace the model may call",
    )
    p.add_argument("--search", action="store_true", help="ground the answer with Google Search")
    p.add_argument(
        "--code-exec", action="store_true", dest="code_exec", help="let the model run Python"
    )
    p.add_argument(
        "--url-context",
        action="store_true",
        dest="url_context",
        help="let the model read URLs in the prompt",
    )
    p.add_argument(
        "--cache",
        metavar="NAME",
        help="answer with a context cache: its name (cachedContents/…), or a variable "
        "holding it (%gemini caches lists yours)",
    )
    p.add_argument(
        "--store",
        action="append",
        default=[],
        dest="stores",
        metavar="NAME",
        help="answer from a file search store: its name, id or display name "
        "(repeatable; %gemini stores lists yours)",
    )
    p.add_argument(
        "--metadata-filter",
        dest="metadata_filter",
        metavar="EXPR",
        help="with --store: only documents whose metadata match, e.g. "
        "'year > 2020 AND team = \"hr\"'",
    )
    _media_options(p)
    return p


def _speakers(text: str) -> list[tuple[str, str]]:
    pairs = [item.split(":", 1) for item in text.split(",") if item.strip()]
    if len(pairs) != 2 or any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        raise argparse.ArgumentTypeError(
            f"expected two NAME:VOICE pairs such as Joe:Kore,Jane:Puck, got {text!r}"
        )
    return [(name.strip(), voice.strip()) for name, voice in pairs]


def _media_options(p: _Parser) -> None:
    """Pictures, videos and speech (see _media_magic)."""
    p.add_argument(
        "--image",
        action="store_true",
        help="answer with a picture (GeminiMagics.image_model, or Imagen with -m "
        "imagen-…); -f attaches pictures to edit; with -c every turn edits the last",
    )
    p.add_argument(
        "--video",
        action="store_true",
        help="answer with a video (GeminiMagics.video_model, Veo); -f attaches its first frame",
    )
    p.add_argument(
        "--speech", action="store_true", help="read the prompt aloud (GeminiMagics.speech_model)"
    )
    p.add_argument(
        "--voice",
        metavar="VOICE",
        help="with --speech: the voice, e.g. Kore, Puck, Charon (implies --speech)",
    )
    p.add_argument(
        "--speakers",
        type=_speakers,
        metavar="A:VOICE,B:VOICE",
        help="with --speech: two speakers' voices, for lines 'A: …' and 'B: …'",
    )
    p.add_argument(
        "--aspect", metavar="RATIO", help="with --image or --video: the aspect ratio, e.g. 16:9"
    )
    p.add_argument(
        "--size", metavar="SIZE", help="with --image: 1K, 2K or 4K; with --video: 720p or 1080p"
    )
    p.add_argument(
        "-n",
        "--count",
        type=_positive_int,
        metavar="N",
        help="with --image (Imagen) or --video: how many",
    )
    p.add_argument(
        "--seconds",
        type=_positive_int,
        metavar="N",
        help="with --video: its length in seconds (4, 6 or 8)",
    )


_PARSER = _build()


@dataclass(frozen=True)
class CellOptions:
    model: str | None = None
    system: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    output: str | None = None
    chat: str | None = None
    json: bool = False
    schema: str | None = None
    files: list[str] = field(default_factory=list)
    no_stream: bool = False
    code: bool = False
    no_interpolate: bool = False
    thoughts: bool = False
    tools: list[str] = field(default_factory=list)
    search: bool = False
    code_exec: bool = False
    url_context: bool = False
    cache: str | None = None
    stores: list[str] = field(default_factory=list)
    metadata_filter: str | None = None
    image: bool = False
    video: bool = False
    speech: bool = False
    voice: str | None = None
    speakers: list[tuple[str, str]] | None = None
    aspect: str | None = None
    size: str | None = None
    count: int | None = None
    seconds: int | None = None

    @property
    def media(self) -> str | None:
        """ "image", "video" or "speech" when the answer is one, else None."""
        if self.image:
            return "image"
        if self.video:
            return "video"
        return "speech" if self.speech or self.voice or self.speakers else None


def option_table() -> dict[str, bool]:
    """Every option string, and whether it takes a value (``{"-m": True, "--json": False}``)."""
    return {opt: action.nargs != 0 for action in _PARSER._actions for opt in action.option_strings}


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be (a typo), if any is close enough."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _unknown(extras: list[str]) -> OptionError:
    word = extras[0]
    if not word.startswith("-"):
        return OptionError(
            f"%%gemini: unexpected {word!r} on the magic line; the prompt goes on the lines "
            "below it (quote option values that contain spaces). See %gemini help."
        )
    name = word.split("=", 1)[0]
    guess = (
        closest(name, [o for o in option_table() if o.startswith("--")])
        if name.startswith("--")
        else None
    )
    hint = f"; did you mean {guess}?" if guess else "."
    return OptionError(f"%%gemini: unknown option {name}{hint} See %gemini help.")


def parse_cell_line(line: str) -> CellOptions:
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        raise OptionError(f"%%gemini: cannot read the options ({exc}); check the quotes.") from None
    ns, extras = _PARSER.parse_known_args(argv)
    if extras:
        raise _unknown(extras)
    opts = CellOptions(**vars(ns))
    for name in (opts.output, opts.chat):
        if name is not None and not name.isidentifier():
            raise OptionError(f"%%gemini: {name!r} is not a valid Python name.")
    if opts.json and opts.schema:
        raise OptionError("%%gemini: use --json or --schema, not both.")
    if (opts.json or opts.schema) and opts.code:
        raise OptionError("%%gemini: --code does not combine with --json or --schema.")
    if opts.cache is not None:
        # The API takes these from the cache, and refuses a request that sets them again.
        clash = [
            flag
            for flag, on in (
                ("-s", opts.system is not None),
                ("--tools", opts.tools),
                ("--search", opts.search),
                ("--code-exec", opts.code_exec),
                ("--url-context", opts.url_context),
                ("--store", opts.stores),
            )
            if on
        ]
        if clash:
            raise OptionError(
                f"%%gemini: --cache does not combine with {', '.join(clash)}: the "
                "cache holds the system instruction and tools."
            )
    if opts.metadata_filter is not None and not opts.stores:
        raise OptionError(
            "%%gemini: --metadata-filter needs --store NAME: it chooses among "
            "that store's documents."
        )
    _check_media(opts)
    return opts


def _check_media(opts: CellOptions) -> None:
    modes = [
        flag
        for flag, on in (
            ("--image", opts.image),
            ("--video", opts.video),
            ("--speech", opts.speech or opts.voice or opts.speakers),
        )
        if on
    ]
    if len(modes) > 1:
        raise OptionError(
            f"%%gemini: use one of {', '.join(modes)}: an answer is a picture, a video or speech."
        )
    if opts.voice and opts.speakers:
        raise OptionError("%%gemini: use --voice (one voice) or --speakers (two), not both.")
    needs = {
        "--aspect": (opts.aspect, ("image", "video")),
        "--size": (opts.size, ("image", "video")),
        "--count": (opts.count, ("image", "video")),
        "--seconds": (opts.seconds, ("video",)),
    }
    for flag, (value, modes_ok) in needs.items():
        if value is not None and opts.media not in modes_ok:
            raise OptionError(
                f"%%gemini: {flag} goes with " + " or ".join(f"--{m}" for m in modes_ok) + "."
            )
    if opts.media is not None:
        clash = [
            flag
            for flag, on in (
                ("--json", opts.json),
                ("--schema", opts.schema),
                ("--code", opts.code),
                ("--tools", opts.tools),
                ("--cache", opts.cache),
                ("--store", opts.stores),
            )
            if on
        ]
        if clash:
            raise OptionError(f"%%gemini: --{opts.media} does not combine with {', '.join(clash)}.")


def two_columns(rows: list[tuple[str, str]], width: int = 92) -> str:
    """Rows of (name, text) as an aligned, wrapped two-column list (for help texts)."""
    import textwrap

    left = max(len(name) for name, _ in rows) + 4
    return "\n".join(
        textwrap.fill(
            text, width, initial_indent=f"  {name}".ljust(left), subsequent_indent=" " * left
        )
        for name, text in rows
    )


def cell_usage() -> str:
    """The options, one per line: ``  -m, --model MODEL   model ID, …``."""
    rows = []
    for action in _PARSER._actions:
        names = ", ".join(action.option_strings)
        if action.nargs != 0:
            names += f" {action.metavar}"
        rows.append((names, action.help or ""))
    return two_columns(rows)
