"""Model Markdown as sanitized HTML, and the URL policy shared with the Markdown output.

Model text is untrusted: a prompt can make the model write ``<img src=x onerror=…>`` or
``[click](javascript:…)``. The HTML comes from markdown-it-py with raw HTML disabled, then nh3
with an explicit allow-list. Either step alone would be enough for today's inputs; both
together survive a bug in one of them. (The Markdown output is in ``_render_safe_markdown``.)

Both libraries come with the optional ``notebook`` extra and are imported lazily.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from ._render_code import highlight, language_of, span_class_allowed

__all__ = [
    "ASCII_PUNCT",
    "CITE_CLOSE",
    "CITE_OPEN",
    "CITE_RE",
    "MAX_MARKDOWN_CHARS",
    "CiteLink",
    "cite_sentinels",
    "fence",
    "have_markdown_it",
    "have_renderers",
    "link_or_image_ok",
    "markdown_to_html",
    "render_html",
    "url_allowed",
]

# Citation markers travel through the Markdown parsers as these two punctuation characters
# around a number. Punctuation (not private-use) so that "**bold.**" followed by a marker
# still closes its emphasis under CommonMark's flanking rules.
CITE_OPEN = "\u2e02"
CITE_CLOSE = "\u2e03"
CITE_RE = re.compile("\u2e02(\\d{1,5})\u2e03")

CiteLink = tuple[str | None, str]
"""A citation number's target: (http(s) URL or None when not linkable, title)."""

# Beyond this, markdown-it-py (pure Python) gets slow; huge answers are shown as plain text.
MAX_MARKDOWN_CHARS = 300_000

ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_LANG_CLASS = re.compile(r"language-[A-Za-z0-9_+#.\-]{1,40}")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp)[;,]")
# Browsers drop whitespace and control characters inside URLs ("java\tscript:"), and some
# ignore invisible format characters; drop them all before looking at the scheme.
_URL_JUNK = re.compile(
    "[\x00-\x20\x7f-\xa0\u00ad\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0]+"
)


def have_renderers() -> bool:
    """True when the optional nh3 and markdown-it-py packages can be imported."""
    try:
        import markdown_it  # noqa: F401
        import nh3  # noqa: F401
    except ImportError:
        return False
    return True


def have_markdown_it() -> bool:
    """True when markdown-it-py can be imported (all the Markdown output needs)."""
    try:
        import markdown_it  # noqa: F401
    except ImportError:
        return False
    return True


def url_allowed(url: str, *, image: bool = False, relative: str = "any") -> bool:
    """Whether a link (or image) URL is safe to render.

    Links: http, https, mailto. Images: http, https and ``data:image/(png|jpeg|gif|webp)``.
    ``relative`` says what to do with scheme-less URLs: ``"any"`` keeps them, ``"fragment"``
    keeps only ``#anchors``, ``"none"`` refuses them. Entities and percent-escapes are decoded
    first, so ``&#106;avascript:`` and ``%6Aavascript:`` are refused too.
    """
    u = _URL_JUNK.sub("", unquote(html.unescape(url))).lower()
    m = _SCHEME.match(u)
    if m is None:
        # "1javascript:x" is a relative path to a browser, but anything with a colon before
        # the first / ? # is too close to a scheme to be worth the risk.
        head = re.split(r"[/?#]", u, maxsplit=1)[0]
        if ":" in head:
            return False
        if relative == "any":
            return True
        return relative == "fragment" and u.startswith("#")
    scheme = m.group(1)
    if image:
        return scheme in ("http", "https") or _DATA_IMAGE.match(u) is not None
    return scheme in ("http", "https", "mailto")


def link_or_image_ok(url: str) -> bool:
    """What a link or an image may use (markdown-it checks both with one hook)."""
    return url_allowed(url, relative="any") or url_allowed(url, image=True, relative="any")


def cite_sentinels(numbers: list[int]) -> str:
    return "".join(f"{CITE_OPEN}{n}{CITE_CLOSE}" for n in numbers)


def fence(text: str, info: str = "", char: str = "`") -> str:
    """``text`` as a fenced code block whose fence no line of ``text`` can close."""
    longest = max((len(r) for r in re.findall(re.escape(char) + "+", text)), default=0)
    bar = char * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{bar}{info}\n{body}{bar}"


# --------------------------------------------------------------------------------------------
# HTML


def _align_rule(state: Any) -> None:
    # Table alignment arrives as style="text-align:x"; style attributes are not allowed
    # through the sanitizer, the old align attribute is.
    for tok in state.tokens:
        if tok.type in ("th_open", "td_open") and "style" in tok.attrs:
            m = re.fullmatch(r"text-align:(left|center|right)", str(tok.attrs.pop("style")))
            if m:
                tok.attrs["align"] = m.group(1)


def _cite_rule(state: Any) -> None:
    # Split text tokens at citation markers into gnb_cite tokens (rendered as superscript
    # links). Code keeps its markers as plain text; they become "[n]" after rendering.
    cites = state.env.get("gnb_cites")
    if not cites:
        return
    from markdown_it.token import Token

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Any] = []
        depth = 0
        for tok in block.children:
            if tok.type == "link_open":
                depth += 1
            elif tok.type == "link_close":
                depth -= 1
            if tok.type != "text" or CITE_OPEN not in tok.content:
                out.append(tok)
                continue
            pos = 0
            for m in CITE_RE.finditer(tok.content):
                if m.start() > pos:
                    out.append(Token("text", "", 0, content=tok.content[pos : m.start()]))
                out.append(
                    Token("gnb_cite", "sup", 0, meta={"n": int(m.group(1)), "link": depth == 0})
                )
                pos = m.end()
            if pos < len(tok.content):
                out.append(Token("text", "", 0, content=tok.content[pos:]))
        block.children = out


def _render_cite(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    n = tokens[idx].meta["n"]
    url, title = env.get("gnb_cites", {}).get(n, (None, ""))
    if url and tokens[idx].meta["link"]:
        return (
            f'<sup class="gnb-cite"><a href="{html.escape(url)}" title="{html.escape(title)}">'
            f"[{n}]</a></sup>"
        )
    return f'<sup class="gnb-cite">[{n}]</sup>'


def _highlight(code: str, lang: str, _attrs: str) -> str:
    # "" tells markdown-it to escape the code itself. Citation markers inside code must stay
    # whole for the "[n]" rewrite after cleaning, so such code is not split into tokens.
    if CITE_OPEN in code:
        return ""
    return highlight(code, language_of(lang)) or ""


@lru_cache(maxsize=1)
def _html_md() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False, "highlight": _highlight},
    )
    md.enable(["table", "strikethrough"])
    md.validateLink = link_or_image_ok  # type: ignore[method-assign]
    md.core.ruler.push("gnb_align", _align_rule)
    md.core.ruler.push("gnb_cite", _cite_rule)
    md.add_render_rule("gnb_cite", _render_cite)
    return md


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        return value if url_allowed(value, relative="fragment") else None
    if attr == "src":
        return value if url_allowed(value, image=True, relative="none") else None
    if attr == "class":
        if tag == "code" and _LANG_CLASS.fullmatch(value):
            return value
        if tag == "sup" and value == "gnb-cite":
            return value
        if tag == "span" and span_class_allowed(value):
            return value
        return None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> Any:
    import nh3

    return nh3.Cleaner(
        tags={
            "a",
            "blockquote",
            "br",
            "code",
            "del",
            "em",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "img",
            "li",
            "ol",
            "p",
            "pre",
            "s",
            "span",
            "strong",
            "sup",
            "table",
            "tbody",
            "td",
            "th",
            "thead",
            "tr",
            "ul",
        },
        clean_content_tags={"script", "style"},
        attributes={
            "a": {"href", "title"},
            "img": {"src", "alt", "title"},
            "code": {"class"},
            "sup": {"class"},
            "span": {"class"},  # highlighted code: our token classes only
            "ol": {"start"},
        },
        tag_attribute_values={
            "th": {"align": {"left", "center", "right"}},
            "td": {"align": {"left", "center", "right"}},
        },
        set_tag_attribute_values={"a": {"target": "_blank"}},
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto", "data"},
        url_relative=_fragment_only,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _fragment_only(url: str) -> str | None:
    return url if url.startswith("#") else None


def _plain_pre(text: str) -> str:
    return f'<pre class="gnb-plain">{html.escape(text)}</pre>'


def render_html(text: str, cites: Mapping[int, CiteLink] | None = None) -> str:
    """Sanitized HTML for model Markdown, with citation markers turned into links."""
    if not have_renderers() or len(text) > MAX_MARKDOWN_CHARS:
        return _plain_pre(CITE_RE.sub(r"[\1]", text) if cites else text)
    raw = _html_md().render(text, {"gnb_cites": dict(cites)} if cites else {})
    out = str(_cleaner().clean(raw))
    return CITE_RE.sub(r"[\1]", out) if cites else out


def markdown_to_html(text: str) -> str:
    """Model text (Markdown) as sanitized HTML.

    Raw HTML in the text is shown as text; links keep only http(s)/mailto/#fragment URLs and
    open in a new tab; images only http(s) and ``data:image/(png|jpeg|gif|webp)``.

    >>> markdown_to_html("**hi** <script>x</script>")
    '<p><strong>hi</strong> &lt;script&gt;x&lt;/script&gt;</p>\\n'
    """
    return render_html(text)
