"""``%%gemini`` and ``%gemini``: thin adapters from a notebook cell to the API core.

Settings are traitlets, so ``%config GeminiMagics.model = "gemini-2.5-pro"`` (or
``c.GeminiMagics.model`` in ipython_config.py) works. Your mistakes (an unknown option, a
missing variable, a bad schema name) raise IPython's ``UsageError``: one line, no traceback,
with the closest option when one was misspelt. A failed API call ends the cell with a few
lines (status, message, what to do, naming the magics); the typed error stays available as
``_gemini_error`` (and ``sys.last_value``). Interrupting a cell (the Stop button) keeps what
arrived and ends it with one line, not a traceback.

``%gemini?`` and ``%%gemini?`` show the same help as ``%gemini help``; TAB completes
sub-commands, options, model IDs and chat names (:mod:`._complete`).

Sub-commands are ``_cmd_*`` methods registered with :func:`subcommand`; that is all a new one
needs (help and completion follow from the registration).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Float, Integer, Unicode

from ._interpolate import InterpolationError, interpolate
from ._options import (
    CellOptions,
    OptionError,
    cell_usage,
    closest,
    option_table,
    parse_cell_line,
    two_columns,
)
from ._session import session

if TYPE_CHECKING:
    from ..types import GenerateContentResponse
    from .display import LiveDisplay

__all__ = ["SUBCOMMANDS", "GeminiMagics", "Subcommand", "subcommand"]


@dataclass(frozen=True)
class Subcommand:
    """``%gemini NAME``: the method that runs it, and how help and completion present it."""

    name: str
    method: str  # called as method(rest_of_line), or method(rest, cell) for a cell sub-command
    summary: str
    usage: str = ""  # what follows the name, e.g. "[NAME]"
    cell: bool = False  # also ``%%gemini NAME [options]`` with the cell as its input
    values: str | None = None  # a method listing completions for its argument


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, summary: str, *, usage: str = "", cell: bool = False, values: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated method as ``%gemini NAME`` (in this order in the help)."""

    def register(method: Callable[..., Any]) -> Callable[..., Any]:
        SUBCOMMANDS[name] = Subcommand(name, method.__name__, summary, usage, cell, values)
        return method

    return register


# Options that take a value, to peel them off a one-line prompt (whose text may hold quotes).
_VALUED = {opt for opt, takes_value in option_table().items() if takes_value}
_TOKEN = re.compile(r"""\s*("(?:\\.|[^"\\])*"|'[^']*'|\S+)""")


def split_line(line: str) -> tuple[str, str]:
    """``-m x --no-stream What's up?`` -> (``-m x --no-stream``, ``What's up?``)."""
    pos = 0
    expect_value = False
    while True:
        m = _TOKEN.match(line, pos)
        if m is None:
            return line.strip(), ""
        token = m.group(1)
        if expect_value:
            expect_value = False
        elif token.startswith("-") and len(token) > 1:
            expect_value = token.split("=", 1)[0] in _VALUED and "=" not in token
        else:
            return line[:pos].strip(), line[pos:].strip()
        pos = m.end()


def _user_error(message: str) -> UsageError:
    return UsageError(message)


def _short_traceback(err: BaseException) -> None:
    """Make IPython show the API error as a few lines instead of a traceback: the only place
    it is shown (the answer's display says no more than that the answer stopped)."""
    from ._render_notes import error_info

    info = error_info(err, magic=True)
    lines = [
        info.title,
        *([info.message] if info.message else []),
        *([info.hint] if info.hint else []),
        *([f"request id: {info.request_id}"] if info.request_id else []),
        "(The error object is in _gemini_error.)",
    ]
    err._render_traceback_ = lambda: lines  # type: ignore[attr-defined]


def _quiet_interrupt(
    exc: KeyboardInterrupt, live: LiveDisplay, partial: Any, output: str | None
) -> None:
    """Make IPython end an interrupted cell with one line instead of a traceback.

    The interrupt is re-raised (so a Run All stops, as the Stop button means), and what arrived
    stays shown above it.
    """
    seconds = f"{live.elapsed:.1f} s"
    if partial is not None and partial.candidates:
        kept = f" It is also in {output}." if output else ""
        line = f"Stopped after {seconds}: the answer above is incomplete.{kept}"
    else:
        line = f"Stopped after {seconds}, before the answer arrived."
    exc._render_traceback_ = lambda: [line]  # type: ignore[attr-defined]


def _shown_result(shell: Any, value: Any) -> Any:
    """``value`` as the cell's result (``_``, ``Out``), without IPython displaying it again:
    the magic has displayed it already. The suppression ends with the cell."""
    if value is None or shell is None:
        return value
    printers = shell.display_formatter.ipython_display_formatter.singleton_printers
    key = id(value)
    printers[key] = lambda obj: None  # "displayed itself": IPython shows nothing more

    def forget(*_: Any) -> None:
        # `value` is referenced by this closure until now, so its id cannot be reused.
        if value is not None:
            printers.pop(key, None)
        shell.events.unregister("post_run_cell", forget)

    shell.events.register("post_run_cell", forget)
    return value


_PYTHON = frozenset({"python"})  # fence labels of the kernel's language, after language_of()


def code_blocks(response: GenerateContentResponse) -> list[tuple[str, str]]:
    """The answer's code blocks in order, as (language, code); "" for unlabelled fences.

    Fences come from the text (read with markdown-it when it is installed, so indented or
    nested fences are handled as a renderer would), code the model ran from its parts.
    """
    from ._render_code import language_of

    blocks: list[tuple[str, str]] = []
    candidates = response.candidates or []
    content = candidates[0].content if candidates else None
    parts = list(content.parts) if content is not None else []
    text: list[str] = []

    def flush() -> None:
        blocks.extend(_fences("".join(text)))
        text.clear()

    for part in parts:
        if part.kind == "text" and part.text:
            text.append(part.text)
        elif part.kind == "executable_code" and part.executable_code is not None:
            flush()
            blocks.append(
                (language_of(part.executable_code.language or "python"), part.executable_code.code)
            )
    flush()
    return blocks


def _fences(text: str) -> list[tuple[str, str]]:
    from ._render_code import language_of

    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return [
            (language_of(info), body)
            for info, body in re.findall(
                r"^ {0,3}```([^`\n]*)\n(.*?)^ {0,3}```", text, flags=re.S | re.M
            )
        ]
    return [
        (language_of(t.info), t.content)
        for t in MarkdownIt("commonmark").parse(text)
        if t.type == "fence"
    ]


def pick_code(
    blocks: list[tuple[str, str]],
    language: Iterable[str] = _PYTHON,
) -> tuple[list[str], list[str]]:
    """(code to run, labels of the blocks left out): the blocks labelled with the kernel's
    language, or the unlabelled ones when none is labelled (an output block, a shell command
    or a JSON example would fail as Python)."""
    wanted = set(language)
    labelled = [code for lang, code in blocks if lang in wanted]
    if labelled:
        return labelled, [lang or "unlabelled" for lang, _ in blocks if lang not in wanted]
    return [code for lang, code in blocks if not lang], [lang for lang, _ in blocks if lang]


@magics_class
class GeminiMagics(Magics):
    """``%%gemini`` sends the cell to Gemini; ``%gemini help`` lists everything."""

    model = Unicode("gemini-2.5-flash", help="Model used when -m is not given.").tag(config=True)
    system_instruction = Unicode(
        None, allow_none=True, help="System instruction used when -s is not given."
    ).tag(config=True)
    temperature = Float(None, allow_none=True, help="Default temperature (0-2).").tag(config=True)
    max_output_tokens = Integer(None, allow_none=True, help="Default maximum output tokens.").tag(
        config=True
    )
    stream = Bool(True, help="Stream answers into the output as they arrive.").tag(config=True)
    interpolate = Bool(True, help="Replace {name} in the cell with values from the namespace.").tag(
        config=True
    )
    show_thoughts = Bool(False, help="Show thought summaries by default.").tag(config=True)
    image_model = Unicode("gemini-2.5-flash-image", help="Model of --image.").tag(config=True)
    video_model = Unicode("veo-3.1-fast-generate-preview", help="Model of --video.").tag(
        config=True
    )
    speech_model = Unicode("gemini-2.5-flash-preview-tts", help="Model of --speech.").tag(
        config=True
    )
    voice = Unicode("Kore", help="Voice of --speech.").tag(config=True)
    video_timeout = Float(900.0, help="Seconds --video waits for its video.").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell, **kwargs)
        if shell is not None:
            from ._complete import install

            install(shell, self._completion_matcher())

    # ------------------------------------------------------------------ entry point

    @no_var_expand
    @line_cell_magic
    def gemini(self, line: str, cell: str | None = None) -> Any:
        # The docstring is the help text, set below the class (``%gemini?``).
        word, _, rest = line.strip().partition(" ")
        command = SUBCOMMANDS.get(word)
        if cell is None:
            if command is not None:
                return getattr(self, command.method)(rest.strip())
            options, prompt = split_line(line)
            if not prompt:
                raise _user_error(
                    "%gemini: write a prompt after the options, or a sub-command "
                    f"({', '.join(SUBCOMMANDS)}). See %gemini help."
                )
            if (
                " " not in prompt.strip()
                and (guess := closest(prompt.strip(), SUBCOMMANDS))
                and not options
            ):
                raise _user_error(
                    f"%gemini: {prompt.strip()!r} is not a sub-command; did you "
                    f"mean %gemini {guess}? (A one-word prompt needs a question "
                    "mark or a second word.)"
                )
            return self._run(options, prompt)
        if command is not None and command.cell:
            return getattr(self, command.method)(rest, cell)
        if not cell.strip():
            raise _user_error("%%gemini: the cell is empty; write the prompt below the magic line.")
        return self._run(line, cell)

    # ------------------------------------------------------------------ a prompt

    def _run(self, line: str, text: str) -> Any:
        try:
            opts = parse_cell_line(line)
        except OptionError as exc:
            raise _user_error(str(exc)) from None
        ns = self.shell.user_ns if self.shell is not None else {}
        prompt = (
            text if (opts.no_interpolate or not self.interpolate) else self._interpolate(text, ns)
        )
        if opts.media is not None:  # a picture, a video or speech (see _media_magic)
            from ._media_magic import run_media

            return run_media(self, opts, prompt, ns)
        contents: list[Any] = [prompt, *self._attachments(opts.files, ns, upload=True)]
        config, schema = self._config(opts, ns)
        model = self._use_cache(opts, ns, config) if opts.cache else opts.model or self.model
        stream = self.stream and not opts.no_stream and not (opts.json or opts.schema)
        from .._exceptions import APIError
        from .display import LiveDisplay

        # One output follows the answer: a waiting line, then the answer as it arrives.
        live = LiveDisplay(model, notes=False)
        got: list[Any] = []  # the stream, once there is one (its partial answer on interrupt)
        try:
            response = self._call(model, contents, config, opts, stream, live, got)
        except KeyboardInterrupt as exc:
            partial = got[0].partial if got else None
            if opts.output and partial is not None and partial.candidates:
                ns[opts.output] = partial
            _quiet_interrupt(exc, live, partial, opts.output)
            raise
        except APIError as err:
            ns["_gemini_error"] = err
            _short_traceback(err)
            raise
        finally:
            live.close()
        session.record(model, response.usage_metadata)
        if opts.output:
            ns[opts.output] = response
        if opts.json or schema is not None:
            from .display import footer_bundle, json_bundle

            if response.parse_error is not None or response.parsed is None:
                live.finish(response)
                raise _user_error(
                    f"%%gemini: the answer is not valid for {opts.schema or 'JSON'}: "
                    f"{response.parse_error}"
                )
            if opts.json:
                # Shown as JSON here; IPython must not add the dict's repr below it.
                live.show(json_bundle(response.parsed, response, model=model))
                return _shown_result(self.shell, response.parsed)
            # A --schema object keeps its Python repr (the cell's result); the footer says
            # what the answer cost.
            live.show(footer_bundle(response, model=model))
            return response.parsed
        live.finish(response)
        if opts.code:
            self._insert_code(response)
        return None

    def _interpolate(self, text: str, ns: dict[str, Any]) -> str:
        try:
            return interpolate(text, ns)
        except InterpolationError as exc:
            raise _user_error(f"%%gemini: {exc}") from None

    def _attachment(self, spec: str, ns: dict[str, Any]) -> Any:
        from ._files import MISSING, dotted_value

        if spec.isidentifier() and spec in ns:
            return _as_part(spec, ns[spec])
        if (value := dotted_value(spec, ns)) is not MISSING:  # -f up.files
            return _as_part(spec, value)
        path = Path(spec).expanduser()
        if path.is_file():
            return path
        if spec.isidentifier():
            raise _user_error(f"%%gemini: --file {spec}: no variable or file named {spec!r}.")
        raise _user_error(f"%%gemini: --file {spec}: no such file.")

    def _attachments(self, specs: list[str], ns: dict[str, Any], *, upload: bool) -> list[Any]:
        """The ``-f`` values as parts, lists (``-f up.files``) spread out; with ``upload``, a file
        above the inline limit goes through the Files API first (see :mod:`._files`)."""
        from .._exceptions import APIError, InvalidInputError
        from ._files import upload_if_large

        labelled: list[tuple[str, Any]] = []
        for spec in specs:
            value = self._attachment(spec, ns)
            if isinstance(value, (list, tuple)):
                if not value:
                    raise _user_error(f"%%gemini: --file {spec} is empty (nothing uploaded yet?).")
                labelled += [
                    (f"{spec}[{i}]", _as_part(f"{spec}[{i}]", v)) for i, v in enumerate(value)
                ]
            else:
                labelled.append((spec, value))
        if not upload:
            return [part for _, part in labelled]
        try:
            return [upload_if_large(label, part, session.client()) for label, part in labelled]
        except InvalidInputError as exc:
            raise _user_error(f"%%gemini: --file: {exc}") from None
        except APIError as err:
            ns["_gemini_error"] = err
            _short_traceback(err)
            raise

    def _use_cache(self, opts: CellOptions, ns: dict[str, Any], config: dict[str, Any]) -> str:
        """Put ``--cache``'s cache in ``config``; the model to ask (the cache's own)."""
        from ._files import CacheLookupError, bare_model, resolve_cache

        assert opts.cache is not None
        try:
            cache = resolve_cache(opts.cache, ns, session.client())
        except CacheLookupError as exc:
            raise _user_error(f"%%gemini: {exc}") from None
        model = bare_model(cache.model)
        if opts.model and bare_model(opts.model) != model:
            raise _user_error(
                f"%%gemini: --cache {opts.cache} was made for {model}; drop -m "
                f"{opts.model} (a cache answers only with its own model)."
            )
        # The cache holds the system instruction: the default one would be refused.
        config.pop("system_instruction", None)
        config["cached_content"] = cache.name
        return model

    def _config(self, opts: CellOptions, ns: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        config: dict[str, Any] = {}
        system = opts.system if opts.system is not None else self.system_instruction
        if system:
            config["system_instruction"] = system
        temperature = opts.temperature if opts.temperature is not None else self.temperature
        if temperature is not None:
            config["temperature"] = temperature
        max_tokens = opts.max_tokens or self.max_output_tokens
        if max_tokens:
            config["max_output_tokens"] = max_tokens
        if opts.thoughts or self.show_thoughts:
            config["thinking_config"] = {"include_thoughts": True}
        tools: list[Any] = []
        for name in opts.tools:
            fn = ns.get(name)
            if fn is None:
                raise _user_error(f"%%gemini: --tools {name}: there is no function {name!r}.")
            if not callable(fn):
                raise _user_error(
                    f"%%gemini: --tools {name}: {name} is a {type(fn).__name__}, not a function."
                )
            tools.append(fn)
        tools += [
            flag
            for flag, on in (
                ("google_search", opts.search),
                ("code_execution", opts.code_exec),
                ("url_context", opts.url_context),
            )
            if on
        ]
        if opts.stores:
            tools.append(self._file_search(opts))
        if tools:
            config["tools"] = tools
        schema = None
        if opts.schema:
            schema = ns.get(opts.schema)
            if schema is None:
                raise _user_error(
                    f"%%gemini: --schema {opts.schema}: no such class in the namespace."
                )
            if not (isinstance(schema, type) or typing.get_origin(schema) is not None):
                raise _user_error(
                    f"%%gemini: --schema {opts.schema}: expected a class (e.g. a pydantic model), "
                    f"got a {type(schema).__name__}."
                )
            config["response_schema"] = schema
        elif opts.json:
            config["response_mime_type"] = "application/json"
        return config, schema

    def _file_search(self, opts: CellOptions) -> dict[str, Any]:
        """The file_search tool of ``--store`` (names, ids or display names of stores)."""
        from .._exceptions import APIError, InvalidInputError
        from .stores import resolve_store

        try:
            names = [resolve_store(spec, session.client()) for spec in opts.stores]
        except InvalidInputError as exc:
            raise _user_error(f"%%gemini: --store: {exc}") from None
        except APIError as err:
            if self.shell is not None:
                self.shell.user_ns["_gemini_error"] = err
            _short_traceback(err)
            raise
        tool: dict[str, Any] = {"file_search_store_names": list(dict.fromkeys(names))}
        if opts.metadata_filter:
            tool["metadata_filter"] = opts.metadata_filter
        return {"file_search": tool}

    def _call(
        self,
        model: str,
        contents: list[Any],
        config: dict[str, Any],
        opts: CellOptions,
        stream: bool,
        live: LiveDisplay,
        got: list[Any],
    ) -> GenerateContentResponse:
        """The answer, shown in ``live`` as it arrives (streamed) or waited for; ``got``
        receives the stream so that an interrupt can keep its partial answer."""
        from .._convert import InvalidInputError
        from .display import follow_stream

        chat = self._chat(opts.chat, model, config) if opts.chat else None
        models = session.client().models
        live.wait()
        try:
            if stream:
                it = (
                    chat.send_message_stream(contents)
                    if chat is not None
                    else models.generate_content_stream(
                        model=model, contents=contents, config=config
                    )
                )
                got.append(it)
                try:
                    final = follow_stream(it, live)
                finally:
                    it.close()
                assert final is not None
                return final
            if chat is not None:
                response: GenerateContentResponse = chat.send_message(contents)
            else:
                response = models.generate_content(model=model, contents=contents, config=config)
            return response
        except InvalidInputError as exc:
            live.fail(lambda: None, exc)
            raise _user_error(f"%%gemini: {exc}") from None
        except BaseException as exc:
            live.fail(lambda: got[0].partial if got else None, exc)
            raise

    def _chat(self, name: str, model: str, config: dict[str, Any]) -> Any:
        chat = session.chats.get(name)
        if chat is None:
            chat = session.chats[name] = session.client().chats.create(model=model, config=config)
        elif chat.model != model:
            raise _user_error(
                f"%%gemini: chat {name!r} uses {chat.model}; `%gemini reset {name}` to start it "
                f"again with {model}."
            )
        else:
            chat.config = chat._merged_config(config)
        return chat

    def _insert_code(self, response: GenerateContentResponse) -> None:
        blocks = code_blocks(response)
        if not blocks:
            print("(--code: the answer has no code block.)")
            return
        taken, left = pick_code(blocks)
        note = ""
        if left:
            counts = {label: left.count(label) for label in dict.fromkeys(left)}
            note = "; left out " + ", ".join(
                f"{n} {label} block{'s' if n > 1 else ''}" for label, n in counts.items()
            )
        if not taken:
            print(f"(--code: no Python code in the answer{note}.)")
            return
        assert self.shell is not None
        self.shell.set_next_input("\n\n".join(b.rstrip("\n") for b in taken), replace=False)
        print(
            f"(--code: {len(taken)} Python block{'s' if len(taken) > 1 else ''} "
            f"put into a new cell{note}.)"
        )

    # ------------------------------------------------------------------ completion

    def _completion_matcher(self) -> Callable[[Any], Any]:
        from IPython.core.completer import SimpleCompletion, context_matcher

        from ._complete import IDENTIFIER, complete

        shell = self.shell
        assert shell is not None

        @context_matcher(identifier=IDENTIFIER)  # type: ignore[untyped-decorator]
        def gemini_matcher(context: Any) -> dict[str, Any]:
            if "gemini" not in shell.magics_manager.magics["line"]:
                return {"completions": [], "suppress": False}  # the extension was unloaded
            values = {
                name: (getattr(self, c.values) if c.values else None)
                for name, c in SUBCOMMANDS.items()
            }
            found = complete(
                context.text_until_cursor,
                context.token,
                subcommands=values,
                options=option_table(),
                namespace=shell.user_ns,
                chats=list(session.chats),
            )
            if found is None:
                return {"completions": [], "suppress": False}
            return {
                "completions": [SimpleCompletion(text) for text in found],
                "suppress": True,
                "ordered": True,
            }

        return gemini_matcher

    def _chat_names(self) -> list[str]:
        return sorted(session.chats)

    # ------------------------------------------------------------------ sub-commands

    # ------------------------------------------------------------------ sub-commands

    @subcommand("models", "the models you can use, grouped by capability and family (a DataFrame)")
    def _cmd_models(self, rest: str) -> Any:
        from .._exceptions import APIError
        from ._render_models import models_frame

        try:
            return models_frame(session.client().models.list())
        except APIError as err:
            self.shell.user_ns["_gemini_error"] = err  # type: ignore[union-attr]
            _short_traceback(err)
            raise

    @subcommand("config", "where answers come from, and the current settings")
    def _cmd_config(self, rest: str) -> Any:
        from IPython.display import Markdown

        from .._config import resolve_settings
        from ._embedded import embedded_url

        try:
            settings = resolve_settings()
            source = (
                "the local emulator in this kernel (simulated answers)"
                if embedded_url() and settings.base_url == embedded_url()
                else settings.base_url
            )
            key = f"from {settings.key_source}" if settings.api_key else "none"
        except Exception as exc:
            source, key = f"not configured ({exc})", "none"
        rows = [("answers from", source), ("API key", key)]
        rows += [
            (f"GeminiMagics.{n}", repr(getattr(self, n)))
            for n in sorted(self.class_traits(config=True))
        ]
        table = "\n".join(f"| {a} | {b} |" for a, b in rows)
        return Markdown(f"| setting | value |\n|---|---|\n{table}")

    @subcommand("chats", "the named chats (--chat NAME) and their length")
    def _cmd_chats(self, rest: str) -> Any:
        if not session.chats:
            print("No named chats yet; start one with %%gemini --chat NAME.")
            return None
        for name, chat in sorted(session.chats.items()):
            print(f"{name}: {chat.model}, {len(chat.history)} turns")
        return None

    @subcommand(
        "reset", "forget one named chat, or all of them", usage="[NAME]", values="_chat_names"
    )
    def _cmd_reset(self, rest: str) -> None:
        if rest:
            if rest not in session.chats:
                known = ", ".join(sorted(session.chats)) or "none"
                raise _user_error(f"%gemini reset: no chat named {rest!r} (chats: {known}).")
            del session.chats[rest]
            print(f"Chat {rest!r} forgotten.")
        else:
            count = len(session.chats)
            session.chats.clear()
            print(f"{count} chat(s) forgotten.")

    @subcommand("usage", "tokens used in this session and their cost, by model")
    def _cmd_usage(self, rest: str) -> Any:
        rows = session.usage_rows()
        if not rows:
            print("No answers yet in this session.")
            return None
        try:
            import pandas as pd
        except ImportError:
            for row in rows:
                print(row)
            return None
        from ..tokens import format_usd

        costs = [format_usd(row.pop("cost_usd")) for row in rows]
        return pd.DataFrame(rows).assign(cost=costs).set_index("model")

    @subcommand(
        "tokens",
        "a variable's tokens, counted locally, and their input cost "
        "(%%gemini tokens [options]: the cell's, as %%gemini would send it)",
        usage="VAR",
        cell=True,
    )
    def _cmd_tokens(self, rest: str, cell: str | None = None) -> None:
        """``%gemini tokens VAR``: a text's tokens (a DataFrame's as the CSV ``-f`` attaches);
        ``%%gemini tokens [options]``: what the cell would send. Counted here, no API call."""
        from ..tokens import LocalTokenizer, TokenizerError, cost_of_usage

        ns = self.shell.user_ns if self.shell is not None else {}
        options, name = (rest, "") if cell is not None else split_line(rest)
        try:
            opts = parse_cell_line(options)
        except OptionError as exc:
            raise _user_error(str(exc).replace("%%gemini:", "%gemini tokens:")) from None
        if cell is None:
            if not name:
                raise _user_error(
                    "%gemini tokens: name a variable (%gemini tokens text), or use "
                    "%%gemini tokens on a cell to count the cell."
                )
            if not name.isidentifier() or name not in ns:
                raise _user_error(f"%gemini tokens: there is no variable named {name!r}.")
            value = ns[name]
            contents: list[Any] = [value if isinstance(value, str) else _as_part(name, value)]
        else:
            prompt = (
                cell
                if (opts.no_interpolate or not self.interpolate)
                else self._interpolate(cell, ns)
            )
            contents = [prompt, *self._attachments(opts.files, ns, upload=False)]
        config, _ = self._config(opts, ns)
        model = opts.model or self.model
        try:
            tokenizer = LocalTokenizer(model)
            total = tokenizer.count_tokens(contents, config=config).total_tokens
        except TokenizerError as exc:
            raise _user_error(f"%gemini tokens: {exc}") from None
        cost = cost_of_usage(model, {"prompt_token_count": total})
        price = (
            f"as input ≈ {cost}" if cost.known else "input cost unknown (no price for this model)"
        )
        print(
            f"{total:,} tokens for {model}, counted locally with the {tokenizer.tokenizer_name} "
            f"tokenizer; {price}."
        )

    @subcommand(
        "files",
        "your uploaded files (Files API), as a DataFrame; gemini_nb.FilesBrowser() to act on them",
    )
    def _cmd_files(self, rest: str) -> Any:
        from ._files import files_frame

        return self._listing("files", rest, files_frame)

    @subcommand(
        "caches",
        "your context caches, as a DataFrame (use one with --cache NAME); "
        "gemini_nb.CachesBrowser() to act on them",
    )
    def _cmd_caches(self, rest: str) -> Any:
        from ._files import caches_frame

        return self._listing("caches", rest, caches_frame)

    @subcommand("batches", "your batch jobs (Batch API), as a DataFrame")
    def _cmd_batches(self, rest: str) -> Any:
        return self._listing("batches", rest, lambda client: client.batches.list().to_pandas())

    @subcommand("tunings", "your tuning jobs (tuned models), as a DataFrame")
    def _cmd_tunings(self, rest: str) -> Any:
        return self._listing("tunings", rest, lambda client: client.tunings.list().to_pandas())

    @subcommand(
        "stores",
        "your file search stores, as a DataFrame, or one store's documents "
        "(use one with --store NAME); gemini_nb.StoresBrowser() to act on them",
        usage="[NAME]",
    )
    def _cmd_stores(self, rest: str) -> Any:
        from .._exceptions import InvalidInputError
        from .stores import documents_frame, resolve_store, stores_frame

        if not rest:
            return self._listing("stores", rest, stores_frame)
        try:
            name = resolve_store(rest, session.client())
        except InvalidInputError as exc:
            raise _user_error(f"%gemini stores: {exc}") from None
        return self._listing("stores", "", lambda client: documents_frame(name, client))

    def _listing(self, word: str, rest: str, frame: Callable[[Any], Any]) -> Any:
        from .._exceptions import APIError

        if rest:
            raise _user_error(f"%gemini {word} takes no argument (got {rest!r}).")
        try:
            return frame(session.client())
        except APIError as err:
            self.shell.user_ns["_gemini_error"] = err  # type: ignore[union-attr]
            _short_traceback(err)
            raise

    @subcommand("help", "this help (also %gemini? and %%gemini?)")
    def _cmd_help(self, rest: str) -> None:
        print(help_text())


_EXAMPLES = """\
Examples:
  %%gemini -m gemini-2.5-pro -s "Be brief." -o answer
  Explain why the sky is blue, for {audience}.

  %%gemini --json
  Three facts about Lisbon, as a JSON list.

  %gemini --no-stream What is the capital of Peru?
  %gemini models"""


def help_text() -> str:
    """The help of ``%gemini``/``%%gemini`` (``%gemini help``, ``%gemini?``)."""
    commands = two_columns(
        [(f"%gemini {c.name} {c.usage}".rstrip(), c.summary) for c in SUBCOMMANDS.values()]
    )
    traits = "\n".join(
        f"  %config GeminiMagics.{name} = {trait.default_value!r}   # {trait.help}"
        for name, trait in sorted(GeminiMagics.class_traits(config=True).items())
    )
    return (
        "%%gemini [options]         send the cell to the model; the answer streams below it\n"
        "%gemini [options] PROMPT   the same, for a one-line prompt\n"
        "%gemini SUB-COMMAND        see below\n\n"
        f"Options:\n{cell_usage()}\n\n"
        f"Sub-commands:\n{commands}\n\n"
        "In the prompt, {name}, {obj.attr} and {seq[0]} insert values from the namespace;\n"
        "{{ and }} are literal braces; --no-interpolate sends the cell as written.\n"
        "TAB completes options, sub-commands, model IDs (after -m) and chat names.\n"
        "A failed call's error object is in _gemini_error.\n\n"
        f"Settings:\n{traits}\n\n{_EXAMPLES}"
    )


# ``%gemini?`` and ``%%gemini?`` show the magic function's docstring.
GeminiMagics.gemini.__doc__ = help_text()


def _as_part(name: str, value: Any) -> Any:
    """A namespace value as something the core can send: bytes, images, text, DataFrames."""
    if hasattr(value, "to_csv") and hasattr(value, "columns"):
        csv = value.to_csv(index=not _default_index(value))
        if len(csv) > 2_000_000:
            raise _user_error(
                f"%%gemini: --file {name}: the DataFrame is {len(csv) / 1e6:.1f} MB as CSV; "
                f"send a part of it ({name}.head(500), {name}.sample(500)) or upload a file."
            )
        rows, cols = value.shape
        return f"DataFrame `{name}` ({rows} rows × {cols} columns) as CSV:\n{csv}"
    if isinstance(value, (str, Path)) and Path(str(value)).expanduser().is_file():
        return Path(str(value)).expanduser()
    if isinstance(value, str):
        return f"`{name}`:\n{value}"
    return value


def _default_index(df: Any) -> bool:
    index = df.index
    return type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
