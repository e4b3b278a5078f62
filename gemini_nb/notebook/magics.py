"""``%%gemini`` and ``%gemini``: thin adapters from a notebook cell to the API core.

Settings are traitlets, so ``%config GeminiMagics.model = "gemini-2.5-pro"`` (or
``c.GeminiMagics.model`` in ipython_config.py) works. Your mistakes (an unknown option, a
missing variable, a bad schema name) raise IPython's ``UsageError``: one line, no traceback.
A failed API call shows a short message with its status and what to do, and the typed error
stays available as ``_gemini_error`` (and ``sys.last_value``).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Float, Integer, Unicode

from ._interpolate import InterpolationError, interpolate
from ._options import CellOptions, OptionError, cell_usage, parse_cell_line
from ._session import session

if TYPE_CHECKING:
    from ..types import GenerateContentResponse

__all__ = ["GeminiMagics"]

SUBCOMMANDS = ("models", "config", "chats", "reset", "usage", "tokens", "help")

# Options that take a value, to peel them off a one-line prompt (whose text may hold quotes).
_VALUED = {"-m", "--model", "-s", "--system", "-t", "--temperature", "--max-tokens", "-o",
           "--output", "-c", "--chat", "--schema", "-f", "--file", "--tools"}
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
    """Make IPython show the API error as a few lines instead of a traceback."""
    from .display import error_bundle

    text = error_bundle(err).get("text/plain", str(err))
    lines = [*text.splitlines(), "(The error object is in _gemini_error.)"]
    err._render_traceback_ = lambda: lines  # type: ignore[attr-defined]


@magics_class
class GeminiMagics(Magics):
    """``%%gemini`` sends the cell to Gemini; ``%gemini help`` lists everything."""

    model = Unicode("gemini-2.5-flash", help="Model used when -m is not given.").tag(config=True)
    system_instruction = Unicode(
        None, allow_none=True, help="System instruction used when -s is not given."
    ).tag(config=True)
    temperature = Float(None, allow_none=True, help="Default temperature (0-2).").tag(config=True)
    max_output_tokens = Integer(
        None, allow_none=True, help="Default maximum output tokens."
    ).tag(config=True)
    stream = Bool(True, help="Stream answers into the output as they arrive.").tag(config=True)
    interpolate = Bool(
        True, help="Replace {name} in the cell with values from the namespace."
    ).tag(config=True)
    show_thoughts = Bool(False, help="Show thought summaries by default.").tag(config=True)

    # ------------------------------------------------------------------ entry point

    @no_var_expand
    @line_cell_magic
    def gemini(self, line: str, cell: str | None = None) -> Any:
        if cell is None:
            word, _, rest = line.strip().partition(" ")
            if word in SUBCOMMANDS:
                return self._subcommand(word, rest.strip())
            options, prompt = split_line(line)
            if not prompt:
                raise _user_error("%gemini: write a prompt after the options, or a sub-command "
                                  f"({', '.join(SUBCOMMANDS)}). See %gemini help.")
            return self._run(options, prompt)
        if not cell.strip():
            raise _user_error("%%gemini: the cell is empty; write the prompt below the magic line.")
        word, _, rest = line.strip().partition(" ")
        if word == "tokens":
            return self._cmd_tokens(rest, cell)
        return self._run(line, cell)

    # ------------------------------------------------------------------ a prompt

    def _run(self, line: str, text: str) -> Any:
        try:
            opts = parse_cell_line(line)
        except OptionError as exc:
            raise _user_error(str(exc)) from None
        ns = self.shell.user_ns if self.shell is not None else {}
        prompt = text if (opts.no_interpolate or not self.interpolate) else self._interpolate(text, ns)
        contents: list[Any] = [prompt, *[self._attachment(spec, ns) for spec in opts.files]]
        config, schema = self._config(opts, ns)
        model = opts.model or self.model
        stream = self.stream and not opts.no_stream and not (opts.json or opts.schema)
        from .._exceptions import APIError

        try:
            response = self._call(model, contents, config, opts, stream)
        except APIError as err:
            ns["_gemini_error"] = err
            _short_traceback(err)
            raise
        session.record(model, response.usage_metadata)
        if opts.output:
            ns[opts.output] = response
        if opts.code:
            self._insert_code(response)
        if opts.json or schema is not None:
            if response.parse_error is not None or response.parsed is None:
                from IPython.display import display

                display(response)
                raise _user_error(
                    f"%%gemini: the answer is not valid for {opts.schema or 'JSON'}: "
                    f"{response.parse_error}"
                )
            return response.parsed
        return None

    def _interpolate(self, text: str, ns: dict[str, Any]) -> str:
        try:
            return interpolate(text, ns)
        except InterpolationError as exc:
            raise _user_error(f"%%gemini: {exc}") from None

    def _attachment(self, spec: str, ns: dict[str, Any]) -> Any:
        if spec.isidentifier() and spec in ns:
            return _as_part(spec, ns[spec])
        path = Path(spec).expanduser()
        if path.is_file():
            return path
        if spec.isidentifier():
            raise _user_error(f"%%gemini: --file {spec}: no variable or file named {spec!r}.")
        raise _user_error(f"%%gemini: --file {spec}: no such file.")

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
                raise _user_error(f"%%gemini: --tools {name}: {name} is a {type(fn).__name__}, not a function.")
            tools.append(fn)
        tools += [flag for flag, on in (("google_search", opts.search), ("code_execution",
                  opts.code_exec), ("url_context", opts.url_context)) if on]
        if tools:
            config["tools"] = tools
        schema = None
        if opts.schema:
            schema = ns.get(opts.schema)
            if schema is None:
                raise _user_error(f"%%gemini: --schema {opts.schema}: no such class in the namespace.")
            if not (isinstance(schema, type) or typing.get_origin(schema) is not None):
                raise _user_error(
                    f"%%gemini: --schema {opts.schema}: expected a class (e.g. a pydantic model), "
                    f"got a {type(schema).__name__}."
                )
            config["response_schema"] = schema
        elif opts.json:
            config["response_mime_type"] = "application/json"
        return config, schema

    def _call(
        self, model: str, contents: list[Any], config: dict[str, Any], opts: CellOptions, stream: bool
    ) -> GenerateContentResponse:
        from .._convert import InvalidInputError
        from .display import display_stream

        try:
            if opts.chat:
                chat = self._chat(opts.chat, model, config)
                if stream:
                    final = display_stream(chat.send_message_stream(contents), model=model)
                    assert final is not None
                    return final
                response = chat.send_message(contents)
            else:
                models = session.client().models
                if stream:
                    final = display_stream(
                        models.generate_content_stream(model=model, contents=contents, config=config),
                        model=model,
                    )
                    assert final is not None
                    return final
                response = models.generate_content(model=model, contents=contents, config=config)
        except InvalidInputError as exc:
            raise _user_error(f"%%gemini: {exc}") from None
        if not (opts.json or opts.schema):
            from IPython.display import display

            display(response)
        return response

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
        blocks = re.findall(r"```[\w+-]*\n(.*?)```", response.text, flags=re.S)
        if not blocks:
            print("(--code: the answer has no code block.)")
            return
        code = "\n".join(b.rstrip("\n") for b in blocks)
        assert self.shell is not None
        self.shell.set_next_input(code, replace=False)

    # ------------------------------------------------------------------ sub-commands

    def _subcommand(self, word: str, rest: str) -> Any:
        handler: Callable[[str], Any] = getattr(self, f"_cmd_{word}")
        return handler(rest)

    def _cmd_help(self, rest: str) -> None:
        traits = "\n".join(
            f"  %config GeminiMagics.{name} = {trait.default_value!r}   # {trait.help}"
            for name, trait in sorted(self.class_traits(config=True).items())
        )
        print(
            "%%gemini [options]   send the cell to the model (the answer streams below)\n"
            "%gemini [options] PROMPT   the same, for a one-line prompt\n\n"
            f"{cell_usage()}\n"
            "Sub-commands:\n"
            "  %gemini models        the models you can use, as a DataFrame\n"
            "  %gemini config        where answers come from and the current settings\n"
            "  %gemini chats         the named chats (--chat NAME) and their length\n"
            "  %gemini reset [NAME]  forget one named chat, or all of them\n"
            "  %gemini usage         tokens used in this session and their cost, by model\n"
            "                        (at the prices in gemini_nb.tokens.prices(); 'unknown': none)\n"
            "  %gemini tokens VAR    a variable's tokens, counted locally (%%gemini tokens [options]:\n"
            "                        the cell's, as %%gemini would send it), and their input cost\n\n"
            "In the prompt, {name} / {obj.attr} / {seq[0]} insert values from the namespace;\n"
            "{{ and }} are literal braces; --no-interpolate sends the cell as written.\n\n"
            f"Settings:\n{traits}"
        )

    def _cmd_models(self, rest: str) -> Any:
        from .._exceptions import APIError

        try:
            df = session.client().models.list().to_pandas()
        except APIError as err:
            self.shell.user_ns["_gemini_error"] = err  # type: ignore[union-attr]
            _short_traceback(err)
            raise
        df.insert(0, "id", df["name"].str.removeprefix("models/"))
        keep = ["id", "display_name", "input_token_limit", "output_token_limit",
                "supported_generation_methods", "thinking"]
        return df[[c for c in keep if c in df.columns]]

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
        rows += [(f"GeminiMagics.{n}", repr(getattr(self, n))) for n in sorted(self.class_traits(config=True))]
        table = "\n".join(f"| {a} | {b} |" for a, b in rows)
        return Markdown(f"| setting | value |\n|---|---|\n{table}")

    def _cmd_chats(self, rest: str) -> Any:
        if not session.chats:
            print("No named chats yet; start one with %%gemini --chat NAME.")
            return None
        for name, chat in sorted(session.chats.items()):
            print(f"{name}: {chat.model}, {len(chat.history)} turns")
        return None

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
                raise _user_error("%gemini tokens: name a variable (%gemini tokens text), or use "
                                  "%%gemini tokens on a cell to count the cell.")
            if not name.isidentifier() or name not in ns:
                raise _user_error(f"%gemini tokens: there is no variable named {name!r}.")
            value = ns[name]
            contents: list[Any] = [value if isinstance(value, str) else _as_part(name, value)]
        else:
            prompt = cell if (opts.no_interpolate or not self.interpolate) else self._interpolate(cell, ns)
            contents = [prompt, *[self._attachment(spec, ns) for spec in opts.files]]
        config, _ = self._config(opts, ns)
        model = opts.model or self.model
        try:
            tokenizer = LocalTokenizer(model)
            total = tokenizer.count_tokens(contents, config=config).total_tokens
        except TokenizerError as exc:
            raise _user_error(f"%gemini tokens: {exc}") from None
        cost = cost_of_usage(model, {"prompt_token_count": total})
        price = f"as input ≈ {cost}" if cost.known else "input cost unknown (no price for this model)"
        print(f"{total:,} tokens for {model}, counted locally with the {tokenizer.tokenizer_name} "
              f"tokenizer; {price}.")


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
