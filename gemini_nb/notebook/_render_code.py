"""Code in answers: syntax highlighting, and the copy button of trusted HTML outputs.

Highlighting uses pygments (it comes with IPython) and is imported on the first code block.
Tokens become ``<span class="hl-…">`` with one short class per kind of token; the colours are
JupyterLab's own editor colours (``--jp-mirror-editor-*``), so light and dark themes match the
code cells around them (see :mod:`._render_style` and ``widgets/chat.css``). Unknown or missing
languages are not guessed: the code is shown as written, without colours.

The copy button: JupyterLab's sanitizer removes scripts and event handlers from *untrusted*
HTML, and renders *trusted* HTML (the output of a cell run in this session, or of a notebook
the user trusts) with its scripts run. So every answer's HTML carries one small inline script,
:data:`COPY_SCRIPT`, which adds a Copy button to each of its code blocks. Where the script does
not run (an untrusted notebook, GitHub), there is simply no button: nothing is broken or fake.
A widget per answer would also work, but only with a live kernel and a widget manager, and
would cost a comm per answer. The script reads the code back from the page
(``textContent``), never from a string we wrote into it, so model text is never inside a
script.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

__all__ = [
    "COPY_SCRIPT",
    "TOKEN_CLASSES",
    "highlight",
    "language_of",
    "span_class_allowed",
]

# Highlight at most this much code per block (pygments is pure Python).
MAX_HIGHLIGHT_CHARS = 100_000

# Our token classes, most specific pygments token type first. Tokens of other types (names,
# punctuation, whitespace, errors) stay plain text in the font colour of the page.
_TOKEN_TYPES: tuple[tuple[str, str], ...] = (
    ("Keyword.Constant", "kc"),
    ("Keyword", "k"),
    ("Operator.Word", "ow"),
    ("Operator", "o"),
    ("Literal.String", "s"),
    ("Literal.Number", "m"),
    ("Comment", "c"),
    ("Name.Function", "nf"),
    ("Name.Class", "nf"),
    ("Name.Builtin", "nb"),
    ("Name.Decorator", "nd"),
    ("Name.Tag", "nt"),
    ("Name.Attribute", "na"),
    ("Name.Variable", "nv"),
    ("Generic.Prompt", "gp"),
)
TOKEN_CLASSES = frozenset(f"hl-{short}" for _, short in _TOKEN_TYPES)

# Fence info strings that name the same language as pygments' lexer names, or none.
_ALIASES = {
    "py": "python",
    "py3": "python",
    "python3": "python",
    "ipython": "python",
    "ipython3": "python",
    "sh": "bash",
    "shell": "bash",
    "zsh": "bash",
    "console": "console",
    "js": "javascript",
    "ts": "typescript",
    "yml": "yaml",
}
_PLAIN = frozenset({"", "text", "plain", "plaintext", "txt", "output", "none"})


def language_of(info: str) -> str:
    """The language a fence's info string names, normalised (``"py"`` -> ``"python"``)."""
    word = info.strip().split(maxsplit=1)[0].lower() if info.strip() else ""
    word = re.sub(r"[^a-z0-9_+#.\-]", "", word)[:40]
    return _ALIASES.get(word, word)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    try:
        from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
        from pygments.util import ClassNotFound  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        # Keep the code exactly as written: no added or stripped newlines, tabs untouched.
        return get_lexer_by_name(language, stripnl=False, ensurenl=False, tabsize=0)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _token_table() -> tuple[tuple[Any, str], ...]:
    from pygments import token  # type: ignore[import-untyped]

    table = []
    for name, short in _TOKEN_TYPES:
        token_type: Any = token.Token
        for part in name.split("."):
            token_type = getattr(token_type, part)
        table.append((token_type, f"hl-{short}"))
    return tuple(table)


@lru_cache(maxsize=512)
def _class_of(token_type: Any) -> str:
    return next((cls for parent, cls in _token_table() if token_type in parent), "")


def highlight(code: str, language: str) -> str | None:
    """``code`` as escaped HTML with ``<span class="hl-…">`` around tokens, or None when the
    language is unknown (or plain text, or pygments is missing, or the code is huge)."""
    if language in _PLAIN or len(code) > MAX_HIGHLIGHT_CHARS:
        return None
    lexer = _lexer(language)
    if lexer is None:
        return None
    out: list[str] = []
    run_class, run_text = "", ""
    for token_type, text in lexer.get_tokens(code):
        cls = _class_of(token_type) if text.strip() else run_class
        if cls != run_class:
            out.append(_span(run_class, run_text))
            run_class, run_text = cls, ""
        run_text += text
    out.append(_span(run_class, run_text))
    rendered = "".join(out)
    # A lexer that changed the text (it should not) would make the copy button lie.
    if html.unescape(re.sub(r"<[^>]+>", "", rendered)) != code:
        return None
    return rendered


def _span(cls: str, text: str) -> str:
    if not text:
        return ""
    escaped = html.escape(text, quote=False)
    return f'<span class="{cls}">{escaped}</span>' if cls else escaped


def span_class_allowed(value: str) -> bool:
    """The sanitizer's rule for ``<span class=…>``: only our token classes."""
    return value in TOKEN_CLASSES


# Adds a Copy button to each code block of the answer it sits in. Runs only where the host runs
# scripts of trusted output; idempotent (display updates render the answer again). The code is
# read from the page at click time.
COPY_SCRIPT = (
    "<script>(()=>{const s=document.currentScript,r=s&&s.closest('.gemini-nb-response');"
    "if(!r)return;for(const c of r.querySelectorAll('pre>code')){const p=c.parentElement;"
    "if(p.parentElement.classList.contains('gnb-codeblock'))continue;"
    "const w=document.createElement('div');w.className='gnb-codeblock';p.replaceWith(w);"
    "w.append(p);const b=document.createElement('button');b.type='button';"
    "b.className='gnb-copy';b.textContent='Copy';b.title='Copy the code';"
    "b.setAttribute('aria-label','Copy the code');w.append(b);"
    "b.addEventListener('click',async()=>{const t=c.textContent;let ok=false;"
    "try{await navigator.clipboard.writeText(t);ok=true}catch(e){"
    "const a=document.createElement('textarea');a.value=t;a.style.position='fixed';"
    "a.style.opacity='0';document.body.append(a);a.select();"
    "try{ok=document.execCommand('copy')}catch(e2){}a.remove()}"
    "b.textContent=ok?'Copied':'Copy failed';"
    "setTimeout(()=>{b.textContent='Copy'},1500)})}})()</script>"
)
