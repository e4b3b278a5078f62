"""Model text as Markdown that stays safe where raw HTML in Markdown is rendered.

JupyterLab renders raw HTML inside the ``text/markdown`` of trusted outputs, so the Markdown we
emit must carry no raw HTML and no unsafe links. We escape ``<`` and break unsafe links in the
source (fenced code untouched), then re-parse the result with HTML enabled and a permissive
link check; if anything unsafe is left we fall back to blunter escaping, and in the end to a
fenced code block. The re-parse (markdown-it) is the guarantee, the escaping the quality.

JupyterLab itself renders with marked, which differs from CommonMark at the edges; every
difference the tests found (run against JupyterLab's own bundled marked) is handled where it
arises and named in a comment.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from ._render_markdown import (
    ASCII_PUNCT,
    CITE_RE,
    MAX_MARKDOWN_CHARS,
    CiteLink,
    fence,
    have_markdown_it,
    link_or_image_ok,
    url_allowed,
)

__all__ = ["render_markdown", "safe_markdown", "seal_fences"]


@lru_cache(maxsize=1)
def _parse_md() -> Any:
    # What an HTML-enabled renderer would see: raw HTML on, every URL accepted.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_SPECIAL = re.compile("[\\\\`<\\[\\]!\u2e02]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}):[^<>\x00-\x20]*>")
_EMAIL_AUTOLINK = re.compile(
    r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*>"
)
_POINTY = re.compile(r"<((?:[^<>\r\n\\]|\\.)*)>")
_LINK_SPACE = re.compile(r"[ \t]*(?:(?:\r\n|\r|\n)[ \t]*)?")
_TAG_START = re.compile(r"[A-Za-z/!?]")
_TAGLIKE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9\-]*(?:[\s/>]|$)|[/!?])")
_REF_DEF = re.compile(
    r"^((?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t])))*[ \t]*)"
    r"\[((?:[^\[\]\\\r\n]|\\.){1,999})\]:[ \t]*(\S*)"
)
_BACKTICKS = re.compile(r"`+")
_RISKY_CODE = re.compile(r"<[A-Za-z/!?]|\]\s*\(")
_FENCE_LIKE = re.compile(r"[ \t>]*(?:`{3,}|~{3,})[`~ \t]*$")
_DELIM_ROW = re.compile(
    r"[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?\s*$"
)
# marked (JupyterLab's Markdown renderer) re-parses the text of a link after removing
# backslash escapes, so "[\\[x\\](javascript:…)](https://…)" becomes a javascript: link there.
# Entities mean the same character in CommonMark and are never re-parsed as syntax.
_ENTITY = {"[": "&#91;", "]": "&#93;", "<": "&lt;"}


def _split_lines(text: str) -> list[str]:
    # Split exactly where markdown-it does (\r\n, \r, \n), keeping the line endings.
    return _LINES.findall(text)


def _md_unescape(dest: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", dest)


def _cite_md(n: int, cites: Mapping[int, CiteLink]) -> str:
    url, _title = cites.get(n, (None, ""))
    if url:
        return f"[&#91;{n}&#93;](<{quote(url, safe=_URL_SAFE)}>)"
    return f"&#91;{n}&#93;"


_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


class _Scanner:
    """Escapes raw HTML and breaks unsafe links in one block of inline Markdown.

    Follows CommonMark where it matters for safety: backslash escapes, code spans (kept, or
    rewritten as ``<code>`` when they hold a tag or a link), autolinks, and link destinations
    after ``](``.
    """

    def __init__(self, cites: Mapping[int, CiteLink] | None) -> None:
        self.cites = cites

    def run(self, s: str) -> str:
        out: list[str] = []
        runs: dict[int, list[int]] = {}
        for run in _BACKTICKS.finditer(s):
            runs.setdefault(run.end() - run.start(), []).append(run.start())
        openers: list[bool] = []  # True for "![" (image), False for "["
        i, n = 0, len(s)
        while i < n:
            m = _SPECIAL.search(s, i)
            if m is None:
                out.append(s[i:])
                break
            j = m.start()
            out.append(s[i:j])
            c = s[j]
            if c == "\\":
                if j + 1 < n and s[j + 1] in ASCII_PUNCT:
                    out.append(_ENTITY.get(s[j + 1], s[j : j + 2]))
                    i = j + 2
                else:
                    out.append(c)
                    i = j + 1
            elif c == "`":
                i = self._code_span(s, j, runs, out)
            elif c == "<":
                i = self._angle(s, j, out)
            elif c == "!":
                if s.startswith("[", j + 1):
                    openers.append(True)
                    out.append("![")
                    i = j + 2
                else:
                    out.append(c)
                    i = j + 1
            elif c == "[":
                openers.append(False)
                out.append(c)
                i = j + 1
            elif c == "]":
                image = openers.pop() if openers else None
                i = self._close_bracket(s, j, image, out)
            else:  # citation marker
                cm = CITE_RE.match(s, j)
                if cm and self.cites:
                    out.append(_cite_md(int(cm.group(1)), self.cites))
                    i = cm.end()
                else:
                    out.append(c)
                    i = j + 1
        return "".join(out)

    def _code_span(self, s: str, j: int, runs: dict[int, list[int]], out: list[str]) -> int:
        k = j
        while k < len(s) and s[k] == "`":
            k += 1
        length = k - j
        # The closing run is a maximal run of exactly the same length after the opener.
        starts = runs.get(length, [])
        at = bisect_left(starts, k)
        if at < len(starts):
            end = starts[at] + length
            span = s[j:end]
            if self.cites:
                span = CITE_RE.sub(r"[\1]", span)
            content = span[length:-length]
            out.append(_code_element(content) if _RISKY_CODE.search(content) else span)
            return end
        out.append(s[j:k])
        return k

    def _angle(self, s: str, j: int, out: list[str]) -> int:
        m = _AUTOLINK.match(s, j)
        if m and m.group(1).lower() in ("http", "https", "mailto") and url_allowed(m.group()[1:-1]):
            out.append(m.group())
            return m.end()
        m = _EMAIL_AUTOLINK.match(s, j)
        if m:
            out.append(m.group())
            return m.end()
        # Only "<" before a letter, "/", "!" or "?" can open a tag; "a < b" stays as written.
        out.append("&lt;" if _TAG_START.match(s, j + 1) else "<")
        return j + 1

    def _close_bracket(self, s: str, j: int, image: bool | None, out: list[str]) -> int:
        if not s.startswith("(", j + 1):
            out.append("]")
            return j + 1
        k = j + 2
        ws = _LINK_SPACE.match(s, k)
        start = ws.end() if ws is not None else k
        pointy = s.startswith("<", start)
        if pointy:
            pm = _POINTY.match(s, start)
            if pm is None:
                out.append("](")
                return k
            end, dest = pm.end(), pm.group(1)
        else:
            end = _raw_destination(s, start)
            dest = s[start:end]
        url = _md_unescape(dest)
        if image is None:
            ok = link_or_image_ok(url)
        else:
            ok = url_allowed(url, image=image)
        if not ok:
            # "[x&#93;(javascript:…)" renders as the literal text the model wrote.
            out.append("&#93;(")
            if pointy:
                out.append("&lt;")
                return start + 1
            out.append(s[k:start])
            return start
        out.append("](" + s[k:start])
        if pointy:
            if _TAGLIKE.match(s, start):
                # Not a link after all would leave a raw tag: give up the link instead.
                out.append("&lt;")
                return start + 1
            out.append(s[start:end])
        else:
            # "&lt;" means "<" inside a destination too, so the URL is unchanged.
            out.append(s[start:end].replace("<", "&lt;"))
        return end


def _fence_opening(line: str, markup: str) -> str:
    # The info string is code to markdown-it but paragraph text to a parser that does not see
    # a fence here; entities keep it inert for both (markdown-it decodes them in the info).
    at = line.find(markup)
    if at < 0:
        return line
    cut = at + len(markup)
    return line[:cut] + re.sub(r"[<\[\]]", lambda m: _ENTITY[m.group()], line[cut:])


def _code_element(content: str) -> str:
    """A code span as the same ``<code>`` element, with nothing any parser could read as markup.

    Used for code spans that hold a tag or a link: whether a run of backticks is a code span
    is exactly where Markdown parsers disagree (marked's URL literals swallow backticks, for
    one), and a disagreement would leave that tag or link live in the other parser.
    """
    flat = re.sub(r"\r\n|\r|\n", " ", content)
    if flat.startswith(" ") and flat.endswith(" ") and flat.strip(" "):
        flat = flat[1:-1]  # CommonMark strips one space from each side
    body = "".join(f"&#{ord(c)};" if c in ASCII_PUNCT else c for c in flat)
    return f"<code>{body}</code>"


def _raw_destination(s: str, i: int) -> int:
    depth = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in ASCII_PUNCT:
            i += 2
            continue
        if c == "(":
            depth += 1
            if depth > 32:
                break
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        elif c <= " " or c == "\x7f":
            break
        i += 1
    return i


def _neutralise_ref_def(lines: list[str], idx: int) -> str:
    line = lines[idx]
    m = _REF_DEF.match(line)
    if m is None:
        return line
    dest = m.group(3)
    if not dest and idx + 1 < len(lines):
        nxt = lines[idx + 1].lstrip(" \t>")
        dest = nxt.split(None, 1)[0] if nxt.strip() else ""
    if dest.startswith("<"):
        dest = dest[1:].split(">", 1)[0]
    if not dest or link_or_image_ok(_md_unescape(dest)):
        return line
    cut = m.end(1)
    return line[:cut] + "&#91;" + line[cut + 1 :]


def _code_lines(lines: list[str], tokens: list[Any]) -> tuple[set[int], dict[int, str]]:
    """The lines every renderer treats as fenced code, and each fence's opening line."""
    code: set[int] = set()
    openings: dict[int, str] = {}
    for tok in tokens:
        if tok.type != "fence" or tok.map is None:
            continue
        a, b = tok.map
        openings[a] = str(tok.markup)
        # marked ends a fence at any run of backticks/tildes ("```~" ends "```"), markdown-it
        # only at a pure one: past such a line the two disagree about what is code, so that
        # fence's body is treated as text.
        end = b - 1 if b - a > 1 and _FENCE_LIKE.match(lines[b - 1]) else b
        ambiguous = any(_FENCE_LIKE.match(lines[i]) for i in range(a + 1, end))
        code.update(range(a, a + 1) if ambiguous else range(a, b))
    return code, openings


def _escape_pass(text: str, cites: Mapping[int, CiteLink] | None) -> str:
    lines = _split_lines(text)
    tokens = _parse_md().parse(text)
    code, openings = _code_lines(lines, tokens)
    units = {(t.map[0], t.map[1]) for t in tokens if t.type == "inline" and t.map is not None}
    covered: set[int] = set()
    for a, b in units:
        covered.update(range(a, b))
    # Indented code is scanned like text: where it starts and ends depends on tabs and list
    # indentation, which marked and markdown-it count differently. Models fence their code;
    # an indented block only shows a stray "&lt;" where it holds a tag.
    for idx in range(len(lines)):
        if idx not in code and idx not in covered:
            units.add((idx, idx + 1))
    # GFM tables split rows at pipes before finding code spans, and parsers disagree on where
    # tables may start (marked finds them inside list items where markdown-it does not). So
    # once any line looks like a delimiter row, every line is scanned cell by cell.
    tabley = any("|" in line and _DELIM_ROW.match(line) for line in lines)
    scanner = _Scanner(cites)
    out = list(lines)
    for a, markup in openings.items():
        out[a] = _fence_opening(lines[a], markup)
    for a, b in sorted(units):
        if any(i in code for i in range(a, b)):
            continue
        # Also on lines markdown-it reads as paragraph text: marked accepts more definitions
        # (unbalanced parentheses, for one).
        for i in range(a, b):
            out[i] = _neutralise_ref_def(lines, i)
        if tabley:
            for i in range(a, b):
                out[i] = "".join(
                    c if c == "|" else scanner.run(c) for c in re.split(r"(\|)", out[i])
                )
            continue
        out[a] = scanner.run("".join(out[a:b]))
        for i in range(a + 1, b):
            out[i] = ""
    joined = "".join(out)
    return CITE_RE.sub(r"[\1]", joined) if cites else joined


def _blunt_pass(text: str, cites: Mapping[int, CiteLink] | None) -> str:
    # Every "<", "[" and "]" outside fenced code escaped: no HTML, no links; code spans may show
    # the escapes. Only used when the careful pass left something unsafe.
    lines = _split_lines(text)
    code, openings = _code_lines(lines, _parse_md().parse(text))

    def blunt(m: re.Match[str]) -> str:
        slashes, ch = m.group(1), m.group(2)
        # An odd backslash count escaped the character: the entity takes over that job.
        return slashes[: len(slashes) - len(slashes) % 2] + _ENTITY[ch]

    out = []
    for idx, line in enumerate(lines):
        if idx in openings:
            line = _fence_opening(line, openings[idx])
        if idx in code:
            out.append(CITE_RE.sub(r"[\1]", line) if cites else line)
            continue
        line = re.sub(r"(\\*)([<\[\]])", blunt, line)
        if cites:
            line = CITE_RE.sub(lambda m: _cite_md(int(m.group(1)), cites), line)
        out.append(line)
    return "".join(out)


def _is_safe(md_text: str) -> bool:
    stack = list(_parse_md().parse(md_text))
    while stack:
        tok = stack.pop()
        if tok.type == "html_block" or (
            tok.type == "html_inline" and tok.content not in ("<code>", "</code>")
        ):
            return False
        if tok.type == "link_open" and not url_allowed(str(tok.attrs.get("href", ""))):
            return False
        if tok.type == "image" and not url_allowed(str(tok.attrs.get("src", "")), image=True):
            return False
        if tok.children:
            stack.extend(tok.children)
    return True


def _fence_all(text: str, cites: Mapping[int, CiteLink] | None) -> str:
    return fence(CITE_RE.sub(r"[\1]", text) if cites else text, char="~")


def render_markdown(text: str, cites: Mapping[int, CiteLink] | None = None) -> str:
    """Safe Markdown for model text, with citation markers turned into links."""
    if not have_markdown_it() or len(text) > MAX_MARKDOWN_CHARS:
        return _fence_all(text, cites)
    passes: list[Callable[[str, Mapping[int, CiteLink] | None], str]] = [_escape_pass, _blunt_pass]
    for make in passes:
        out = make(text, cites)
        if _is_safe(out):
            return out
    return _fence_all(text, cites)


def safe_markdown(text: str) -> str:
    """Model text as Markdown that stays safe when rendered with raw HTML enabled.

    Raw HTML outside code is escaped (``<img onerror=…>`` shows literally); links, images,
    autolinks and reference definitions with a scheme other than http/https/mailto (images:
    http/https/``data:image/…``) are broken into plain text. Because Markdown parsers
    disagree at the edges (JupyterLab uses marked), a few things are written differently but
    render the same: backslash-escaped ``[ ] <`` become entities, and a code span holding a
    tag or a link becomes the same ``<code>`` element with its punctuation as entities.
    Indented code is treated like text. Everything else, fenced code included, is kept byte
    for byte.

    >>> safe_markdown("Hi <b>there</b>, `x[0]` and `<b>`")
    'Hi &lt;b>there&lt;/b>, `x[0]` and <code>&#60;b&#62;</code>'
    """
    return render_markdown(text)


def seal_fences(md_text: str) -> str:
    """Close a top-level code fence left open at the end (a streamed, cut or odd answer), so
    that Markdown appended after it is not swallowed into the code block."""
    if ("```" not in md_text and "~~~" not in md_text) or not have_markdown_it():
        return md_text
    lines = _split_lines(md_text)
    tokens = _parse_md().parse(md_text)
    last = next((t for t in reversed(tokens) if t.map is not None and t.level == 0), None)
    if last is None or last.type != "fence" or last.map[1] < len(lines):
        return md_text
    a, b = last.map
    tail = lines[b - 1].strip() if b - a >= 2 else ""
    markup = str(last.markup)
    if re.fullmatch(re.escape(markup[0]) + f"{{{len(markup)},}}", tail):
        return md_text
    return md_text + ("" if md_text.endswith(("\n", "\r")) else "\n") + markup
