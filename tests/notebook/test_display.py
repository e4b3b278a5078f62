"""Rich display of answers: the mimebundle, its safety against hostile model text, streams."""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb._streaming import ChunkMerger
from gemini_nb.notebook import _render_response, display
from gemini_nb.notebook._render_code import COPY_SCRIPT
from gemini_nb.notebook._render_response import cost_text
from gemini_nb.notebook._render_safe_markdown import seal_fences
from gemini_nb.notebook._render_style import CSS
from gemini_nb.notebook.display import (
    adisplay_stream,
    display_stream,
    error_bundle,
    markdown_to_html,
    response_bundle,
    safe_markdown,
)
from gemini_nb.types import GenerateContentResponse, parse_response

MODEL = "gemini-2.5-flash"


@pytest.fixture(autouse=True)
def _strict(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rendering bug must fail the test, not hide behind the never-raise fallback.
    monkeypatch.setattr(_render_response, "STRICT", True)


def resp(data: dict[str, Any]) -> GenerateContentResponse:
    return parse_response(GenerateContentResponse, data)


def text_resp(*parts: dict[str, Any], **cand: Any) -> GenerateContentResponse:
    return resp({"candidates": [{"content": {"role": "model", "parts": list(parts)}, **cand}]})


# --------------------------------------------------------------------------------------------
# What "safe" means, checked independently of the implementation


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.style_text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_text.append(data)


_FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "link",
    "meta",
    "base",
    "noscript",
    "template",
    "audio",
    "video",
    "source",
    "marquee",
}
_URL_ATTRS = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "cite",
    "data",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
}


def _url_ok(attr: str, value: str, *, relative: bool) -> bool:
    v = re.sub(r"[\x00-\x20\x7f-\x9f]", "", html.unescape(value)).lower()
    if v.startswith(("javascript:", "vbscript:", "data:text")):
        return False
    if attr == "src" and re.match(r"data:image/(png|jpeg|gif|webp)[;,]", v):
        return True
    # Our own players (generated sound and video, where the tag is allowed) embed their media.
    if attr == "src" and re.match(r"data:(audio/wav|video/mp4);base64,", v):
        return True
    if v.startswith(("http://", "https://")) or (attr != "src" and v.startswith(("mailto:", "#"))):
        return True
    # A scheme-less URL is relative to the notebook server: harmless, but only Markdown keeps it.
    return relative and re.match(r"[a-z][a-z0-9+.\-]*:", v) is None


def assert_safe_html(
    markup: str,
    *,
    allow: frozenset[str] = frozenset(),
    own_style: bool = False,
    relative: bool = False,
    rendered: bool = False,
) -> None:
    """No script, handler, style or unsafe URL in ``markup``.

    ``own_style``: our one stylesheet and our one copy-button script (exactly as written in
    ``_render_code``, at the end) are allowed. ``relative``/``rendered``: the HTML comes from
    rendering our Markdown, so relative URLs, task-list checkboxes and table alignment styles
    (written by the renderer) are fine.
    """
    if own_style and COPY_SCRIPT in markup:
        assert markup.count(COPY_SCRIPT) == 1 and markup.endswith(COPY_SCRIPT + "</div>")
        markup = markup.replace(COPY_SCRIPT, "")
    assert "<script" not in markup.lower()
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    for tag, attrs in parser.tags:
        if tag == "style" and own_style:
            continue
        if (
            rendered
            and tag == "input"
            and dict(attrs) == {"checked": "", "disabled": "", "type": "checkbox"}
        ):
            continue  # a GFM task list item, as marked renders "- [x]"
        assert tag not in _FORBIDDEN_TAGS - allow and tag != "style", (tag, markup)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, markup)
            assert name not in ("srcdoc", "formaction"), (tag, name, markup)
            # Renderers align table cells with a style; nothing else may carry one.
            assert name != "style" or (
                rendered and re.fullmatch(r"text-align:(left|center|right)", value or "")
            ), (tag, value, markup)
            if name in _URL_ATTRS:
                assert value is not None and _url_ok(name, value, relative=relative), (tag, value)
    if own_style:
        # The only stylesheet is ours, unchanged.
        assert all(t == CSS for t in parser.style_text)


def _renderer() -> Any:
    """markdown-it as a renderer of trusted Markdown: raw HTML on, every URL trusted."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    return md


def assert_safe_markdown(md_text: str, *, ours: bool = False) -> None:
    """Rendered as JupyterLab renders trusted Markdown (raw HTML on), nothing unsafe appears.

    The only raw HTML allowed is ``<code>``/``</code>`` around entity-escaped code, and, with
    ``ours``, the <details>/<summary> the bundle writes around thoughts.
    """
    assert_safe_html(_renderer().render(md_text), relative=True, rendered=True)
    stack = list(_renderer().parse(md_text))
    while stack:
        tok = stack.pop()
        if tok.type == "html_inline":
            assert tok.content in ("<code>", "</code>"), (tok.content, md_text)
        elif tok.type == "html_block":
            assert ours, (tok.content, md_text)
            assert re.fullmatch(
                r"\s*(</?details>|<summary>Thoughts</summary>)+\s*", tok.content.replace("\n", "")
            ), tok.content
        stack.extend(tok.children or [])


def body(bundle: dict[str, str]) -> str:
    """The HTML after our stylesheet (whose selectors name every class)."""
    return bundle["text/html"].split("</style>", 1)[1]


def assert_safe_bundle(bundle: dict[str, str], *, allow: frozenset[str] = frozenset()) -> None:
    assert bundle["text/plain"]
    assert_safe_html(bundle["text/html"], own_style=True, allow=allow)
    if "text/markdown" in bundle:
        assert_safe_markdown(bundle["text/markdown"], ours=True)


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href=" \x01\x02javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    '<p style="width: expression(alert(1))">x</p>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<img src=x onerror=alert(1)",
    "<b onmouseover=alert(1)>unclosed",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](<java\tscript:alert(1)>)",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    '[x](https://ok.example "<img src=x onerror=alert(1)>")',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[ref]\n\n[ref]: <javascript:alert(1)> 'title'",
    "[ref]\n\n[ref]:\n  javascript:alert(1)",
    "> [q]: javascript:alert(1)\n\n[q]",
    "- [x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "![i](javascript:alert(1))",
    "![i](data:text/html,<script>alert(1)</script>)",
    "![i](data:image/svg+xml,<svg onload=alert(1)>)",
    "![i][r]\n\n[r]: javascript:alert(1)",
    '```"><script>alert(1)</script>\ncode\n```',
    "``` onload=alert(1)\nx\n```",
    "~~~ <img src=x onerror=alert(1)>\nx\n~~~",
    "`code` <img src=x onerror=alert(1)> `more`",
    "\\<img src=x onerror=alert(1)>",
    "\\\\<img src=x onerror=alert(1)>",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
    "| `a | <img src=x onerror=alert(1)> ` |\n|---|---|\n| x | y |",
    "> <script>alert(1)</script>",
    "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    "<pre>\n<script>alert(1)</script>\n</pre>",
    "[a](http://x.example/`) <img src=x onerror=alert(1)> `",
    "a ` b\n\n<img src=x onerror=alert(1)> ` c",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    "[x](https://ok.example) [y](mailto:a@b.example) <https://ok.example> <a@b.example>",
    "\u2e021\u2e03 <img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS)
def test_markdown_to_html_is_safe(payload: str) -> None:
    assert_safe_html(markdown_to_html(payload))


@pytest.mark.parametrize("payload", XSS)
def test_safe_markdown_is_safe_when_rendered_with_html(payload: str) -> None:
    assert_safe_markdown(safe_markdown(payload))


def _hostile_response(p: str) -> GenerateContentResponse:
    data = base64.b64encode(b"\x89PNG....").decode()
    return resp(
        {
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {"text": p, "thought": True},
                            {"text": f"Before {p} after."},
                            {"functionCall": {"name": p, "args": {"q": p, "nested": [p]}}},
                            {"functionResponse": {"name": p, "response": {"out": p}}},
                            {"executableCode": {"language": p, "code": p}},
                            {"codeExecutionResult": {"outcome": p, "output": p}},
                            {
                                "inlineData": {
                                    "mimeType": 'image/png" onerror="alert(1)',
                                    "data": data,
                                }
                            },
                            {"inlineData": {"mimeType": p, "data": data}},
                            {"fileData": {"fileUri": p, "mimeType": p}},
                            {"toolCall": {"toolName": p, "args": {"x": p}}},
                            {"somethingNew": {"x": p}},
                        ]
                    },
                    "finishReason": p,
                    "finishMessage": p,
                    "safetyRatings": [{"category": p, "probability": "HIGH", "blocked": True}],
                    "citationMetadata": {"citationSources": [{"uri": p, "license": p}]},
                    "urlContextMetadata": {
                        "urlMetadata": [{"retrievedUrl": p, "urlRetrievalStatus": p}]
                    },
                    "groundingMetadata": {
                        "groundingChunks": [
                            {"web": {"uri": "javascript:alert(1)", "title": p}},
                            {"web": {"uri": p, "title": "t"}},
                            {
                                "retrievedContext": {
                                    "uri": 'https://ok.example/"onmouseover=alert(1)',
                                    "title": p,
                                }
                            },
                        ],
                        "groundingSupports": [
                            {
                                "segment": {"partIndex": 1, "startIndex": 0, "endIndex": 6},
                                "groundingChunkIndices": [0, 1, 2],
                            }
                        ],
                        "webSearchQueries": [p],
                        "searchEntryPoint": {"renderedContent": "<script>alert('entry')</script>"},
                    },
                }
            ],
            "promptFeedback": {"blockReason": p},
            "usageMetadata": {"promptTokenCount": 1},
            "modelVersion": p,
        }
    )


@pytest.mark.parametrize("payload", XSS)
def test_response_bundle_is_safe_wherever_hostile_text_appears(payload: str) -> None:
    r = _hostile_response(payload)
    for kw in ({}, {"model": payload}, {"streaming": True}):
        bundle = response_bundle(r, **kw)
        assert set(bundle) == {"text/plain", "text/markdown", "text/html"}
        assert_safe_bundle(bundle)
        assert "entry" not in bundle["text/html"]


@pytest.mark.parametrize("payload", XSS)
def test_error_bundle_is_safe(payload: str) -> None:
    err = g.BadRequestError(payload, status_code=400, status=payload, request_id=payload)
    for e in (err, g.APIConnectionError(payload), ValueError(payload)):
        bundle = error_bundle(e)
        assert_safe_html(bundle["text/html"], own_style=True)


_MARKED_LOADER = """
// Runs JupyterLab's own bundled marked (an rspack chunk) on a JSON list of documents.
const fs = require("fs");
globalThis.self = globalThis;
self.rspackChunk_jupyterlab_application_top = [];
eval(fs.readFileSync(process.argv[2], "utf8"));
const modules = self.rspackChunk_jupyterlab_application_top[0][1];
const exp = {};
const req = {
  r(t) { Object.defineProperty(t, "__esModule", { value: true }); },
  d(t, defs) { for (const k in defs) Object.defineProperty(t, k, { enumerable: true, get: defs[k] }); },
};
modules[Object.keys(modules)[0]]({ exports: exp }, exp, req);
const docs = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(docs.map(d => exp.marked.parse(d, { gfm: true, breaks: false }))));
"""


def _jupyterlab_marked() -> Path | None:
    import shutil

    static = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    if shutil.which("node") is None or not static.is_dir():
        return None
    for path in sorted(static.glob("*.js")):
        if path.stat().st_size < 200_000:
            head = path.read_text(encoding="utf-8", errors="replace")[:1500]
            if "rspackChunk" in head and "Marked:()=>" in head and "Lexer:()=>" in head:
                return path
    return None


def _random_markdown(rng: Any) -> str:
    pieces = [
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "`",
        "``",
        "\\",
        "!",
        "*",
        "_",
        "|",
        "\n",
        "\n\n",
        "    ",
        "- ",
        "> ",
        "```",
        "~~~",
        "javascript:alert(1)",
        "img src=x onerror=alert(1)",
        "a",
        " ",
        ":",
        "&#91;",
        "&lt;",
        "https://ok.example",
        "-|-",
        "\t",
        '"',
        "[r]: ",
        "1. ",
        "<img src=x onerror=alert(1)>",
        "](javascript:alert(1))",
        "<javascript:x>",
        "\\[",
        "\\]",
        "\\<",
        "\\`",
        "a@b.example",
        "www.ok.example",
        "<!--",
        "```~",
    ]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(3, 40)))


@pytest.mark.parametrize("careful", [True, False], ids=["careful-pass", "blunt-fallback"])
def test_markdown_is_safe_in_jupyterlabs_own_renderer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, careful: bool
) -> None:
    """JupyterLab renders trusted text/markdown with marked, not markdown-it: run the real one.

    marked differs from CommonMark at the edges (it re-parses escaped brackets in link text,
    ends fences at "```~", finds tables inside list items, lets URL literals swallow
    backticks); each difference was an XSS here until handled.
    """
    import random

    from gemini_nb.notebook import _render_safe_markdown as rm

    if not careful:  # make the careful pass fail verification, so the fallback is used
        monkeypatch.setattr(rm, "_escape_pass", lambda text, cites: "<script>")
    chunk = _jupyterlab_marked()
    if chunk is None:
        pytest.skip("node or JupyterLab's bundled marked is not available")
    wrappers = [
        "{}",
        "[{}](https://ok.example)",
        "[a {} b](https://ok.example)",
        "**{}**",
        "# {}",
        "> {}",
        "- {}",
        "| {} |\n|---|\n| {} |",
        "![{}](https://ok.example/i.png)",
        "`x` {} `y`",
        "[{}]",
        "[x]({})",
        "\\{}",
        "- a\n    {}",
        "1)\t{}",
        "para\n{}",
    ]
    docs = [w.replace("{}", p) for w in wrappers for p in XSS]
    rng = random.Random(20260801)
    docs += [_random_markdown(rng) for _ in range(1500)]
    sources = [safe_markdown(d) for d in docs]
    sources += [response_bundle(_hostile_response(p))["text/markdown"] for p in XSS]
    loader = tmp_path / "marked.js"
    loader.write_text(_MARKED_LOADER)
    done = subprocess.run(
        ["node", str(loader), str(chunk)],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rendered = json.loads(done.stdout)
    assert len(rendered) == len(sources)
    for source, page in zip(sources, rendered, strict=True):
        try:
            assert_safe_html(page, relative=True, rendered=True)
        except AssertionError as exc:
            raise AssertionError(f"unsafe in marked: {source!r} -> {page!r}") from exc


def test_hostile_response_still_shows_the_text() -> None:
    r = _hostile_response("<img src=x onerror=alert(1)>")
    b = response_bundle(r)
    assert "&lt;img src=x onerror=alert(1)&gt;" in b["text/html"]
    assert "<img src=x onerror=alert(1)>" in b["text/plain"]
    # The hostile citation URI is not linked, but the source is still listed by title.
    assert 'href="javascript' not in b["text/html"]


# --------------------------------------------------------------------------------------------
# markdown_to_html and safe_markdown


def test_markdown_to_html_features() -> None:
    out = markdown_to_html(
        "# T\n\n**b** *i* ~~s~~ `c`\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n"
        "```python\nx = 1\n```\n\n[l](https://e.example/a?b=1) [f](#frag) [r](rel/page.html) "
        "![p](https://e.example/p.png) ![d](data:image/png;base64,iVBO) <https://e.example>\n"
    )
    assert "<h1>T</h1>" in out and "<strong>b</strong>" in out and "<s>s</s>" in out
    assert '<th align="left">a</th>' in out and '<td align="right">2</td>' in out
    # Fenced code is highlighted with our token classes (the only classes a span may carry).
    assert (
        '<code class="language-python">x <span class="hl-o">= </span>'
        '<span class="hl-m">1\n</span></code>'
    ) in out
    assert (
        '<a href="https://e.example/a?b=1" target="_blank" rel="noopener noreferrer nofollow">l</a>'
    ) in out
    assert '<a href="#frag"' in out
    assert "rel/page.html" not in out  # relative links lose their href
    assert '<img src="https://e.example/p.png" alt="p">' in out
    assert '<img src="data:image/png;base64,iVBO" alt="d">' in out


def test_markdown_to_html_code_info_string_cannot_inject() -> None:
    out = markdown_to_html('```"><script>alert(1)</script>\ncode\n```')
    assert out == "<pre><code>code\n</code></pre>\n"


BENIGN = [
    "Plain text.",
    "# Title\n\nSome **bold**, *it*, `code`, ~~gone~~ and a [link](https://a.example).\n",
    '```html\n<div onclick="x()">code is untouched</div>\n```\n',
    "    indented code stays\n",
    "- a\n- b\n  1. c\n\n> quote with `a[0] < b`\n",
    "| a | b |\n|---|---|\n| `x\\|y` | [m](mailto:a@b.example) |\n",
    '![alt](https://a.example/i.png "title") <https://a.example> <me@a.example>\n',
    "Escaped \\*b\\* stays escaped; a < b and b > a; 2 * 3.\n",
    "[ref][r]\n\n[r]: https://a.example 'T'\n",
    "Unicode: Grüße 🌞 — “quotes”.\r\nCRLF line\rCR line",
    "`` code with ` backtick `` and ``` triple ``` in text",
]


@pytest.mark.parametrize("text", BENIGN)
def test_safe_markdown_keeps_benign_markdown_byte_identical(text: str) -> None:
    assert safe_markdown(text) == text


def test_safe_markdown_escapes_only_outside_code() -> None:
    src = "a <b>x</b> `a<3` [j](javascript:alert(1)) [k](https://k.example)\n\n```\n<b>\n```\n"
    assert safe_markdown(src) == (
        "a &lt;b>x&lt;/b> `a<3` [j&#93;(javascript:alert(1)) [k](https://k.example)\n\n"
        "```\n<b>\n```\n"
    )


@pytest.mark.parametrize(
    ("src", "out"),
    [
        # Code spans holding a tag or a link become the same <code> element with every piece of
        # punctuation as an entity: parsers disagree on code spans, never on entities.
        ("use `<div>` here", "use <code>&#60;div&#62;</code> here"),
        (
            "`[x](javascript:alert(1))`",
            "<code>&#91;x&#93;&#40;javascript&#58;alert&#40;1&#41;&#41;</code>",
        ),
        ("`` a `<b>` c ``", "<code>a &#96;&#60;b&#62;&#96; c</code>"),
        ("`a[0]` and `f(x)`", "`a[0]` and `f(x)`"),
        # Escaped brackets and "<" become entities (marked re-parses escapes inside link text).
        ("\\[x\\](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
        (
            "[\\[x\\](javascript:alert(1))](https://ok.example)",
            "[&#91;x&#93;(javascript:alert(1))](https://ok.example)",
        ),
        ("\\<b>", "&lt;b>"),
        # A fence's info string is inert; a fence marked would end early gets its tags escaped.
        ('```"><script>\nx\n```', '```">&lt;script>\nx\n```'),
        ("```\n<b>\n```~\n<i>\n```", "```\n&lt;b>\n```~\n&lt;i>\n```"),
        # Indented code is scanned as text: tabs and list indentation make parsers disagree on it.
        ("- a\n\n\t\t<b>", "- a\n\n\t\t&lt;b>"),
    ],
)
def test_safe_markdown_defends_against_other_parsers(src: str, out: str) -> None:
    assert safe_markdown(src) == out
    assert_safe_markdown(out)


def test_safe_markdown_breaks_unsafe_autolinks_and_definitions() -> None:
    assert safe_markdown("<javascript:alert(1)>") == "&lt;javascript:alert(1)>"
    assert safe_markdown("[r]\n\n[r]: javascript:x") == "[r]\n\n&#91;r]: javascript:x"
    assert safe_markdown("![i](data:image/png;base64,AA)") == "![i](data:image/png;base64,AA)"
    assert safe_markdown("![i](mailto:a@b.example)") == "![i&#93;(mailto:a@b.example)"


def test_safe_markdown_falls_back_when_unsure(monkeypatch: pytest.MonkeyPatch) -> None:
    from gemini_nb.notebook import _render_safe_markdown as rm

    monkeypatch.setattr(rm, "_escape_pass", lambda text, cites: text)  # a broken careful pass
    out = safe_markdown("x <img src=x onerror=alert(1)> [a](javascript:y)")
    assert out == "x &lt;img src=x onerror=alert(1)> &#91;a&#93;(javascript:y)"
    monkeypatch.setattr(rm, "_blunt_pass", lambda text, cites: text)
    out = safe_markdown("x <img src=x onerror=alert(1)> ~~~~")
    assert out.startswith("~~~~~\n") and out.endswith("\n~~~~~")
    assert_safe_markdown(out)


def test_seal_fences_closes_an_open_top_level_fence() -> None:
    assert seal_fences("text\n\n```py\nx = 1") == "text\n\n```py\nx = 1\n```"
    assert seal_fences("````\nx\n````") == "````\nx\n````"
    assert seal_fences("- ```\n  x") == "- ```\n  x"  # the list item ends it already


# --------------------------------------------------------------------------------------------
# response_bundle: parts, citations, notes, footer


def _png() -> str:
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 12_000).decode()


def test_every_part_kind_renders() -> None:
    r = text_resp(
        {"text": "Thinking about *it*.", "thought": True},
        {"text": "The **answer**."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris", "days": 2}}},
        {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}},
        {"executableCode": {"language": "PYTHON", "code": "print(6 * 7)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "42\n"}},
        {"executableCode": {"language": "PYTHON", "code": "1/0"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_FAILED", "output": "ZeroDivisionError"}},
        {"inlineData": {"mimeType": "image/png", "data": _png()}},
        {"inlineData": {"mimeType": "audio/wav", "data": base64.b64encode(b"RIFF" * 500).decode()}},
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                "mimeType": "video/mp4",
            }
        },
        {
            "toolCall": {
                "toolType": "GOOGLE_SEARCH",
                "toolName": "google_search",
                "args": {"q": "x"},
            }
        },
        {"toolResponse": {"toolType": "GOOGLE_SEARCH", "response": {"ok": True}}},
        {"futurePart": {"x": 1}},
        {"thoughtSignature": "c2ln"},
        finishReason="STOP",
    )
    b = response_bundle(r)
    # Sound plays in our own player (the model's text can never make one: see the XSS tests).
    assert_safe_bundle(b, allow=frozenset({"audio"}))
    plain, md, page = b["text/plain"], b["text/markdown"], b["text/html"]
    assert (
        '<audio class="gnb-audio" controls preload="metadata" src="data:audio/wav;base64,' in page
    )
    assert plain.splitlines()[0] == "[thoughts: 3 words, collapsed; see .thoughts]"
    assert "The **answer**." in plain
    assert '[function call] get_weather({"city": "Paris", "days": 2})' in plain
    assert '[function response] get_weather → {"temp": 21}' in plain
    assert "```python\nprint(6 * 7)\n```" in plain and "[output]\n```\n42\n```" in plain
    assert "[output · OUTCOME_FAILED] the code raised an error" in plain
    # A picture's label has its size in pixels, read from its header.
    assert re.search(r"\[image/png, \d+×\d+, 12 kB\]", plain) and "[audio/wav, 2 kB]" in plain
    assert "[file] https://generativelanguage.googleapis.com/v1beta/files/abc (video/mp4)" in plain
    assert '[tool call] google_search({"q": "x"})' in plain
    assert "[tool response] GOOGLE_SEARCH" in plain
    assert "[part: future_part]" in plain or "[part: futurePart]" in plain
    assert plain.index("[thoughts") < plain.index("answer") < plain.index("get_weather(")
    # HTML: thoughts collapsed, code highlighted by language, the image inline.
    assert '<details class="gnb-thoughts"><summary>Thoughts</summary>' in page
    assert "<details open" not in page
    assert "<em>it</em>" in page and "<strong>answer</strong>" in page
    assert (
        '<code class="language-python"><span class="hl-nb">print</span>(<span class="hl-m">6 '
        '</span><span class="hl-o">* </span><span class="hl-m">7</span>)</code>'
    ) in page
    assert f'src="data:image/png;base64,{_png()}"' in page
    assert "<pre>42\n</pre>" in page and "OUTCOME_FAILED" in page
    assert "audio, 2 kB" in page and page.count("<audio") == 1  # a player for the sound
    # Markdown: thoughts in a collapsed <details>, code fenced.
    assert md.startswith(
        "<details><summary>Thoughts</summary>\n\nThinking about *it*.\n\n</details>"
    )
    assert "```python\nprint(6 * 7)\n```" in md
    assert '**Function call:** `get_weather({"city": "Paris", "days": 2})`' in md
    assert f"](data:image/png;base64,{_png()})" in md


def test_text_parts_are_joined_and_thoughts_grouped() -> None:
    r = text_resp(
        {"text": "a", "thought": True},
        {"text": "b", "thought": True},
        {"text": "```py\nx"},
        {"text": " = 1\n```\nafter"},
    )
    b = response_bundle(r)
    assert body(b).count("gnb-thoughts") == 1
    assert '<code class="language-py">x <span class="hl-o">= </span>' in b["text/html"]
    assert "<p>after</p>" in b["text/html"]


def test_unclosed_fence_does_not_swallow_the_footer_in_markdown() -> None:
    r = text_resp({"text": "Code:\n\n```python\nwhile True:"}, finishReason="MAX_TOKENS")
    md = response_bundle(r, model=MODEL)["text/markdown"]
    rendered = _renderer().render(md)
    assert "max\\_output\\_tokens" in md
    assert "<blockquote>" in rendered and MODEL in rendered.split("</code></pre>")[-1]


def _grounded(
    text: str,
    supports: list[tuple[str, list[int]]],
    *,
    part_index: int = 0,
    before: list[dict[str, Any]] | None = None,
) -> GenerateContentResponse:
    """A grounded answer; each support ends right after the first occurrence of its needle."""
    data = text.encode()
    segs = []
    for needle, chunks in supports:
        end = data.index(needle.encode()) + len(needle.encode())
        segs.append(
            {
                "segment": {
                    "partIndex": part_index,
                    "startIndex": 0,
                    "endIndex": end,
                    "text": needle,
                },
                "groundingChunkIndices": chunks,
                "confidenceScores": [0.9] * len(chunks),
            }
        )
    return text_resp(
        *(before or []),
        {"text": text},
        groundingMetadata={
            "groundingChunks": [
                {"web": {"uri": "https://one.example/a", "title": "one.example"}},
                {"web": {"uri": "https://two.example/b", "title": "two.example"}},
                {"retrievedContext": {"uri": "gs://bucket/doc.pdf", "title": "doc.pdf"}},
                {"web": {"uri": "https://unused.example", "title": "unused.example"}},
            ],
            "groundingSupports": segs,
            "webSearchQueries": ["wie heiß ist die sonne", "sun temperature"],
            "searchEntryPoint": {"renderedContent": "<div class=google>GOOGLE-CHIP</div>"},
        },
    )


def test_citations_land_after_their_spans_in_multibyte_text() -> None:
    text = "Die Sonne ist heiß 🌞. Sie ist 4,6 Mrd. Jahre alt. Licht braucht 8 Min."
    r = _grounded(text, [("heiß 🌞.", [1]), ("Jahre alt.", [0, 1]), ("8 Min.", [2])])
    b = response_bundle(r)
    assert_safe_bundle(b)
    plain = b["text/plain"]
    # Numbered by first use: two.example first (1), then one.example (2), doc.pdf (3).
    assert (
        "Die Sonne ist heiß 🌞.[1] Sie ist 4,6 Mrd. Jahre alt.[2][1] Licht braucht 8 Min.[3]"
    ) in plain
    assert (
        "Sources:\n  [1] two.example — https://two.example/b\n"
        "  [2] one.example — https://one.example/a\n"
        "  [3] doc.pdf — gs://bucket/doc.pdf\n  [4] unused.example — https://unused.example"
    ) in plain
    assert "Searched: wie heiß ist die sonne · sun temperature" in plain
    page = b["text/html"]
    cite1 = (
        '<sup class="gnb-cite"><a href="https://two.example/b" title="two.example" '
        'target="_blank" rel="noopener noreferrer nofollow">[1]</a></sup>'
    )
    assert f"heiß 🌞.{cite1}" in page
    assert page.count(cite1) == 2
    assert 'Min.<sup class="gnb-cite">[3]</sup>' in page  # gs:// is listed, not linked
    assert (
        '<li><a href="https://one.example/a"' in page
        and "<li>doc.pdf <code>gs://bucket/doc.pdf</code></li>" in page
    )
    assert page.index("two.example</a></li>") < page.index("one.example</a></li>")
    assert "GOOGLE-CHIP" not in "".join(b.values())
    md = b["text/markdown"]
    assert "heiß 🌞.[&#91;1&#93;](<https://two.example/b>)" in md
    assert (
        "Jahre alt.[&#91;2&#93;](<https://one.example/a>)[&#91;1&#93;](<https://two.example/b>)"
    ) in md
    assert "1. [two.example](<https://two.example/b>)" in md
    rendered = _renderer().render(md)
    assert '<a href="https://two.example/b">[1]</a>' in rendered


def test_citations_in_a_later_text_part_and_around_emphasis() -> None:
    before = [{"executableCode": {"code": "x"}}, {"text": "Erstens. "}]
    r = _grounded(
        "Das ist **sehr wichtig.** Danach\n",
        [("sehr wichtig.", [0]), ("Danach\n", [1])],
        part_index=2,
        before=before,
    )
    b = response_bundle(r)
    # The first text part is 9 characters long; the marker is shifted into the second part,
    # moved past the closing "**", and before the trailing newline.
    assert "Das ist **sehr wichtig.**[1] Danach[2]" in b["text/plain"]
    assert (
        '<strong>sehr wichtig.</strong><sup class="gnb-cite"><a href="https://one.example/a"'
    ) in b["text/html"]
    assert "**sehr wichtig.**[&#91;1&#93;](" in b["text/markdown"]


def test_odd_grounding_never_raises() -> None:
    r = text_resp(
        {"text": "kurz"},
        groundingMetadata={
            "groundingChunks": [
                {},
                {"web": {}},
                {"maps": {"uri": "https://maps.example/p", "title": "Café"}},
            ],
            "groundingSupports": [
                {
                    "segment": {"partIndex": 7, "startIndex": 50, "endIndex": 90},
                    "groundingChunkIndices": [0, 9],
                },
                {"segment": {"startIndex": 3, "endIndex": 2}, "groundingChunkIndices": [1, 2]},
                {"segment": {"endIndex": 2000}, "groundingChunkIndices": [2]},
                {"groundingChunkIndices": [2]},
            ],
        },
    )
    b = response_bundle(r)
    assert_safe_bundle(b)
    assert "Café" in b["text/plain"]


@pytest.mark.parametrize(
    ("reason", "advice"),
    [
        ("MAX_TOKENS", "raise max_output_tokens"),
        ("SAFETY", "safety_settings"),
        ("RECITATION", "rephrase"),
        ("LANGUAGE", "language"),
        ("BLOCKLIST", "blocklist"),
        ("PROHIBITED_CONTENT", "prohibited"),
        ("SPII", "personal information"),
        ("MALFORMED_FUNCTION_CALL", "function declarations"),
        ("UNEXPECTED_TOOL_CALL", "tool_config"),
        ("TOO_MANY_TOOL_CALLS", "too many times"),
        ("MISSING_THOUGHT_SIGNATURE", "chat"),
        ("IMAGE_SAFETY", "image"),
        ("IMAGE_PROHIBITED_CONTENT", "image"),
        ("IMAGE_RECITATION", "image"),
        ("IMAGE_OTHER", "image"),
        ("NO_IMAGE", "image"),
        ("OTHER", "retry"),
        ("SOMETHING_NEW_2027", "retry"),
    ],
)
def test_finish_reasons_that_need_attention_get_a_note(reason: str, advice: str) -> None:
    r = text_resp(
        {"text": "partial answer"},
        finishReason=reason,
        finishMessage="why",
        safetyRatings=[
            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"},
            {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "LOW"},
        ],
    )
    b = response_bundle(r)
    for key in ("text/plain", "text/html"):
        assert f"({reason})" in b[key] and advice in b[key].lower()
        assert "Server message: why" in b[key]
        assert "HARM_CATEGORY_HARASSMENT: HIGH" in b[key]
        assert "HATE_SPEECH" not in b[key]
    assert 'class="gnb-note"' in b["text/html"]
    assert "> **" in b["text/markdown"] and reason.replace("_", "\\_") in b["text/markdown"]
    # While streaming, the answer is not finished yet: no note.
    assert f"({reason})" not in response_bundle(r, streaming=True)["text/plain"]


@pytest.mark.parametrize("reason", ["STOP", "FINISH_REASON_UNSPECIFIED", None])
def test_normal_finish_has_no_note(reason: str | None) -> None:
    r = text_resp({"text": "fine"}, **({"finishReason": reason} if reason else {}))
    b = response_bundle(r)
    assert b["text/plain"] == "fine" and "gnb-note" not in body(b)


def test_blocked_prompt() -> None:
    r = resp(
        {
            "promptFeedback": {
                "blockReason": "SAFETY",
                "safetyRatings": [
                    {
                        "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                        "probability": "HIGH",
                        "blocked": True,
                    }
                ],
            },
            "usageMetadata": {"promptTokenCount": 9},
        }
    )
    b = response_bundle(r, model=MODEL)
    assert b["text/plain"].startswith("! Prompt blocked (SAFETY): See response.prompt_feedback")
    assert "HARM_CATEGORY_DANGEROUS_CONTENT: HIGH" in b["text/plain"]
    assert b["text/plain"].endswith(f"{MODEL} · 9 in · {cost_text(MODEL, r.usage_metadata)}")
    assert "No answer" not in b["text/plain"]
    assert_safe_bundle(b)


def test_usage_footer() -> None:
    r = text_resp({"text": "hi"})
    r.usage_metadata = g.types.UsageMetadata(
        prompt_token_count=1200,
        candidates_token_count=34,
        cached_content_token_count=0,
        thoughts_token_count=256,
        total_token_count=1490,
    )
    r.model_version = "gemini-2.5-flash-001"
    # Neither name is in the price table: the footer says so rather than guess.
    assert response_bundle(r)["text/plain"].endswith(
        "gemini-2.5-flash-001 · 1,200 in · 34 out · 256 thinking · cost unknown"
    )
    assert response_bundle(r, model="my-model")["text/plain"].endswith(
        "my-model · 1,200 in · 34 out · 256 thinking · cost unknown"
    )
    r.usage_metadata.cached_content_token_count = 1000
    b = response_bundle(r, streaming=True)
    assert b["text/plain"].endswith(
        "1,200 in · 34 out · 1,000 cached · 256 thinking · cost unknown · …"
    )
    assert '<div class="gnb-footer">' in b["text/html"] and "· …</div>" in b["text/html"]
    assert "…" not in response_bundle(r)["text/plain"]
    bare = text_resp({"text": "hi"})
    assert response_bundle(bare)["text/plain"] == "hi"
    assert "gnb-footer" not in body(response_bundle(bare))
    assert response_bundle(bare, streaming=True)["text/plain"] == "hi\n\n…"


def test_multiple_candidates_are_labelled() -> None:
    r = resp(
        {
            "candidates": [
                {
                    "index": 0,
                    "content": {"parts": [{"text": "first answer"}]},
                    "finishReason": "STOP",
                },
                {
                    "index": 1,
                    "content": {"parts": [{"text": "second answer"}]},
                    "finishReason": "MAX_TOKENS",
                },
            ]
        }
    )
    b = response_bundle(r)
    plain = b["text/plain"]
    assert (
        plain.index("── Candidate 1 of 2 ──")
        < plain.index("first answer")
        < plain.index("── Candidate 2 of 2 ──")
        < plain.index("second answer")
        < plain.index("(MAX_TOKENS)")
    )
    assert body(b).count("gnb-candidate-label") == 2
    assert "#### Candidate 2 of 2" in b["text/markdown"]


ODD: list[dict[str, Any]] = [
    {},
    {"candidates": []},
    {"candidates": [{}]},
    {"candidates": [{"content": {}}]},
    {"candidates": [{"content": {"parts": []}, "finishReason": "STOP"}]},
    {"candidates": [{"content": {"parts": [{}]}}]},
    {"candidates": [{"content": {"parts": [{"text": ""}]}}]},
    {"candidates": [{"content": {"parts": [{"text": "\x00\x1b[31mred\x1b[0m\r\x07"}]}}]},
    {
        "candidates": [
            {"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": ""}}]}}
        ]
    },
    {"candidates": [{"content": {"parts": [{"functionCall": {"name": ""}}]}}]},
    {"candidates": [{"content": {"parts": [{"codeExecutionResult": {"outcome": "OUTCOME_OK"}}]}}]},
    {"candidates": [{"content": {"parts": [{"newKind": {"a": 1}}]}, "newField": 1}], "alsoNew": 2},
    {"candidates": [{"finishReason": "SAFETY"}]},
    {"candidates": [{"content": {"parts": [{"text": "x"}]}, "groundingMetadata": {}}]},
    {"usageMetadata": {}},
    {"promptFeedback": {}},
]


@pytest.mark.parametrize("data", ODD)
@pytest.mark.parametrize("streaming", [False, True])
def test_odd_responses_never_raise(data: dict[str, Any], streaming: bool) -> None:
    b = response_bundle(resp(data), streaming=streaming)
    assert_safe_bundle(b)
    assert "\x1b" not in b["text/plain"] and "\x00" not in b["text/plain"]


def test_empty_response_says_so() -> None:
    assert response_bundle(resp({}))["text/plain"] == "! No answer: The response has no candidates."
    empty = resp({"candidates": [{"content": {"parts": []}, "finishReason": "STOP"}]})
    assert "No content" in response_bundle(empty)["text/plain"]


def test_huge_text_is_shown_plain_and_fast() -> None:
    import time

    text = "word *x* [l](https://a.example) <b> `c` " * 40_000  # 1.6 MB
    start = time.monotonic()
    b = response_bundle(text_resp({"text": text}))
    assert time.monotonic() - start < 10
    assert b["text/html"].count('<pre class="gnb-plain">') == 1
    assert b["text/markdown"].startswith("~~~\n")
    assert_safe_bundle(b)


def test_pathological_markdown_is_fast() -> None:
    import time

    for text in ("`a " * 20_000, "[" * 30_000, "<a " * 20_000, "*a **b " * 10_000, "[a](" * 10_000):
        start = time.monotonic()
        assert_safe_html(markdown_to_html(text))
        assert_safe_markdown(safe_markdown(text))
        assert time.monotonic() - start < 10, text[:10]


def test_a_failing_renderer_does_not_fail_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_render_response, "STRICT", False)

    def boom(*a: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(_render_response, "_call_block", boom)
    r = text_resp({"text": "fine"}, {"functionCall": {"name": "f"}})
    b = response_bundle(r)
    assert b["text/plain"] == "fine\n\n[this part could not be displayed]"
    monkeypatch.setattr(display, "_bundle", boom)
    assert response_bundle(r)["text/plain"] == "fine"


def test_without_optional_renderers_only_escaped_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nh3", None)
    monkeypatch.setitem(sys.modules, "markdown_it", None)
    r = text_resp({"text": "**hi** <img src=x onerror=alert(1)>"})
    b = response_bundle(r, model=MODEL)
    assert set(b) == {"text/plain", "text/html"}
    assert b["text/html"].endswith(
        f'<pre class="gnb-plain">**hi** &lt;img src=x onerror=alert(1)&gt;\n\n{MODEL}</pre></div>'
    )
    assert_safe_html(b["text/html"], own_style=True)
    assert markdown_to_html("<b>x</b>") == '<pre class="gnb-plain">&lt;b&gt;x&lt;/b&gt;</pre>'
    assert safe_markdown("<b>x</b>") == "~~~\n<b>x</b>\n~~~"


def test_importing_the_types_loads_no_notebook_code() -> None:
    code = (
        "import sys, gemini_nb.types, gemini_nb._streaming; "
        "print([m for m in ('nh3', 'markdown_it', 'IPython', 'gemini_nb.notebook') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_response_repr_mimebundle_is_the_bundle() -> None:
    r = text_resp({"text": "hi"})
    assert r._repr_mimebundle_() == response_bundle(r)
    assert r._repr_mimebundle_(include=["text/plain"], exclude=[]) == response_bundle(r)


# --------------------------------------------------------------------------------------------
# error_bundle


def test_error_bundle_status_error() -> None:
    key = "AIzaSyA0123456789abcdefghijklmnopqrstu"
    err = g._exceptions.error_for_status(
        429,
        {
            "error": {
                "code": 429,
                "status": "RESOURCE_EXHAUSTED",
                "message": f"Quota exceeded for key {key} <b>now</b>",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}
                ],
            }
        },
        request_id="req-123",
    )
    try:
        raise err
    except g.RateLimitError as caught:
        b = error_bundle(caught)
    assert b["text/plain"] == (
        "! RateLimitError: 429 RESOURCE_EXHAUSTED: Quota exceeded for key AIza…[redacted] "
        "<b>now</b>\n  You are over a rate limit or quota; wait and retry, or check your quota. "
        "The server suggests retrying in 17 s.\n  request id: req-123"
    )
    page = b["text/html"]
    assert "&lt;b&gt;now&lt;/b&gt;" in page and "<b>now" not in page
    assert "req-123" in page and "gemini-nb-error" in page
    for text in b.values():
        assert key not in text and "Traceback" not in text and "AIzaSy" not in text


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        (
            g.APIConnectionError("Connection reset mid-stream"),
            "! APIConnectionError: Connection reset mid-stream\n  Could not reach the API",
        ),
        (
            g.APITimeoutError("read timeout"),
            "! APITimeoutError: read timeout\n  The request took too long",
        ),
        (
            g.NotFoundError("models/x is not found", status_code=404, status="NOT_FOUND"),
            "! NotFoundError: 404 NOT_FOUND: models/x is not found\n  Check the name",
        ),
        (
            g.ServerError("boom", status_code=503),
            "! ServerError: 503: boom\n  The service had a problem",
        ),
        (
            ValueError("https://x.example/?key=AIzaSyA0123456789abcdefghijklmnopqrstu&alt=sse"),
            "! ValueError: https://x.example/?key=[redacted]&alt=sse",
        ),
        (KeyboardInterrupt(), "! KeyboardInterrupt: (no message)\n  Interrupted"),
    ],
)
def test_error_bundle_kinds(err: BaseException, expected: str) -> None:
    assert error_bundle(err)["text/plain"].startswith(expected)


# --------------------------------------------------------------------------------------------
# display_stream


class FakeDisplay:
    """Stands in for IPython.display.display: records the display and every update."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    def __call__(self, obj: Any, **kw: Any) -> Any:
        self.calls.append(("display", obj, kw))
        outer = self

        class Handle:
            def update(self, obj: Any, **kw: Any) -> None:
                outer.calls.append(("update", obj, kw))

        return Handle()

    @property
    def bundles(self) -> list[dict[str, str]]:
        return [c[1] for c in self.calls]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> FakeDisplay:
    import IPython.display

    fake = FakeDisplay()
    monkeypatch.setattr(IPython.display, "display", fake)
    monkeypatch.setattr(display, "_mode", lambda: "live")
    return fake


def chunks(n: int, *, final: bool = True) -> list[GenerateContentResponse]:
    out = [
        resp({"candidates": [{"content": {"role": "model", "parts": [{"text": f"w{i} "}]}}]})
        for i in range(n)
    ]
    if final:
        out.append(
            resp(
                {
                    "candidates": [
                        {"content": {"parts": [{"text": "end."}]}, "finishReason": "STOP"}
                    ],
                    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": n + 1},
                    "modelVersion": "gemini-x",
                }
            )
        )
    return out


def test_display_stream_updates_one_display(
    shown: FakeDisplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks = iter(i * 0.01 for i in range(10_000))  # a chunk every 10 ms
    monkeypatch.setattr(display, "_clock", lambda: next(ticks))
    final = display_stream(iter(chunks(100)), model=MODEL)
    assert final is not None and final.text == "".join(f"w{i} " for i in range(100)) + "end."
    kinds = [c[0] for c in shown.calls]
    assert kinds[0] == "display" and set(kinds[1:]) == {"update"}
    assert shown.calls[0][2] == {"raw": True, "display_id": True}
    # 1 s of chunks at most 15 updates per second, plus the final state.
    assert 12 <= len(kinds) <= 17
    *progress, last = shown.bundles
    assert all(b["text/plain"].endswith(" · …") for b in progress)
    assert progress[0]["text/plain"] == f"w0\n\n{MODEL} · …"
    assert last == response_bundle(final, model=MODEL)
    cost = cost_text(MODEL, final.usage_metadata)
    assert last["text/plain"].endswith(f"end.\n\n{MODEL} · 3 in · 101 out · {cost}")


def test_display_stream_without_throttle_pressure_shows_every_chunk(
    shown: FakeDisplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks = iter(float(i) for i in range(100))
    monkeypatch.setattr(display, "_clock", lambda: next(ticks))
    display_stream(chunks(3), display_id="my-id")
    assert [c[0] for c in shown.calls] == ["display", "update", "update", "update", "update"]
    assert shown.calls[0][2]["display_id"] == "my-id"


def test_display_stream_error_keeps_partial_text_and_reraises(shown: FakeDisplay) -> None:
    def broken() -> Iterator[GenerateContentResponse]:
        yield from chunks(2, final=False)
        raise g.APIConnectionError("The connection dropped in the middle of the stream.")

    with pytest.raises(g.APIConnectionError):
        display_stream(broken(), model=MODEL)
    last = shown.bundles[-1]
    assert last["text/plain"] == (
        "w0 w1\n\n! APIConnectionError: The connection dropped in the middle of the stream.\n"
        "  Could not reach the API; check the network and the base URL.\n\n" + MODEL
    )
    assert "gnb-error" in last["text/html"] and "w0 w1" in last["text/html"]
    assert "…" not in last["text/plain"]


def test_display_stream_error_before_any_chunk(shown: FakeDisplay) -> None:
    def broken() -> Iterator[GenerateContentResponse]:
        raise g.NotFoundError("models/x is not found", status_code=404, status="NOT_FOUND")
        yield  # pragma: no cover

    with pytest.raises(g.NotFoundError):
        display_stream(broken())
    assert [c[0] for c in shown.calls] == ["display"]
    assert shown.bundles[0] == error_bundle(
        g.NotFoundError("models/x is not found", status_code=404, status="NOT_FOUND")
    )


def test_display_stream_empty_and_custom_merger(shown: FakeDisplay) -> None:
    assert display_stream(iter([])) is None
    assert shown.bundles[-1]["text/plain"] == "! No answer: The response has no candidates."

    class Spy(ChunkMerger):
        added = 0

        def add(self, chunk: GenerateContentResponse) -> None:
            Spy.added += 1
            super().add(chunk)

    final = display_stream(chunks(2), merger=Spy())
    assert Spy.added == 3 and final is not None and final.text == "w0 w1 end."


def test_display_stream_outside_a_kernel(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(display, "_mode", lambda: "print")
    final = display_stream(chunks(2))
    assert final is not None
    assert capsys.readouterr().out == "w0 w1 end.\n\ngemini-x · 3 in · 3 out · cost unknown\n"


def test_display_stream_in_terminal_ipython_displays_once(
    shown: FakeDisplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display, "_mode", lambda: "once")
    display_stream(chunks(20))
    assert [c[0] for c in shown.calls] == ["display"]
    assert shown.bundles[0]["text/plain"].startswith("w0 w1")


async def test_adisplay_stream(shown: FakeDisplay) -> None:
    async def agen() -> AsyncIterator[GenerateContentResponse]:
        for c in chunks(3):
            yield c

    final = await adisplay_stream(agen(), model=MODEL)
    assert final is not None and final.text == "w0 w1 w2 end."
    assert shown.bundles[-1] == response_bundle(final, model=MODEL)

    async def broken() -> AsyncIterator[GenerateContentResponse]:
        yield chunks(1, final=False)[0]
        raise g.ServerError("internal", status_code=500, status="INTERNAL")

    with pytest.raises(g.ServerError):
        await adisplay_stream(broken())
    assert shown.bundles[-1]["text/plain"].startswith("w0\n\n! ServerError: 500 INTERNAL: internal")


# --------------------------------------------------------------------------------------------
# Real streams from the emulator


def test_stream_from_the_client(emulator: Any, shown: FakeDisplay) -> None:
    with g.Client(base_url=emulator.url) as client:
        stream = client.models.generate_content_stream(
            model=MODEL, contents="Tell me a long story about dragons."
        )
        assert stream._repr_mimebundle_()["text/plain"].startswith("<Stream: not consumed yet")
        final = display_stream(stream, model=MODEL)
        assert final is stream.get_final_response() and final.text
        assert shown.bundles[-1] == response_bundle(final, model=MODEL)
        assert stream._repr_mimebundle_() == response_bundle(final)


def test_stream_displays_itself_and_swallows_a_cut(
    emulator: Any, faults: Any, shown: FakeDisplay
) -> None:
    with g.Client(base_url=emulator.url) as client:
        stream = client.models.generate_content_stream(model=MODEL, contents="Hi there")
        stream._ipython_display_()  # what IPython does with a stream as last expression
        assert stream.chunks_received > 0
        assert shown.bundles[-1] == response_bundle(stream.get_final_response())

        faults.add({"cut_stream_after": 2, "count": 1})
        stream = client.models.generate_content_stream(
            model=MODEL, contents="Tell me a long story about dragons."
        )
        stream._ipython_display_()
        last = shown.bundles[-1]["text/plain"]
        assert stream.partial.text and last.startswith(stream.partial.text.strip()[:20])
        assert "! APIConnectionError" in last


async def test_async_stream_repr(emulator: Any) -> None:
    async with g.AsyncClient(base_url=emulator.url) as client:
        stream = client.models.generate_content_stream(model=MODEL, contents="Hi")
        assert "await adisplay_stream" in stream._repr_mimebundle_()["text/plain"]
        final = await stream.get_final_response()
        assert stream._repr_mimebundle_() == response_bundle(final)


# --------------------------------------------------------------------------------------------
# A real kernel


@pytest.mark.notebook
def test_outputs_saved_by_a_real_kernel(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    data = {
        "candidates": [
            {
                "content": {"parts": [{"text": "**Hello** <b>kernel</b>"}]},
                "finishReason": "MAX_TOKENS",
            }
        ],
        "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 5},
        "modelVersion": "gemini-test",
    }
    setup = textwrap.dedent(f"""
        from gemini_nb.types import GenerateContentResponse, parse_response
        import json
        r = parse_response(GenerateContentResponse, json.loads({json.dumps(data)!r}))
    """)
    stream_cell = textwrap.dedent("""
        from gemini_nb.notebook.display import display_stream
        parts = ["Streamed ", "answer ", "done."]
        chunks = [parse_response(GenerateContentResponse,
                                 {"candidates": [{"content": {"parts": [{"text": p}]}}]})
                  for p in parts]
        final = display_stream(chunks, model="gemini-test")
    """)
    nb = nbformat.v4.new_notebook()
    mode_cell = "from gemini_nb.notebook import display as d\nprint(d._mode())"
    nb.cells = [
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("r"),
        nbformat.v4.new_code_cell(stream_cell),
        nbformat.v4.new_code_cell(mode_cell),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    client = nbclient.NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    assert nb.cells[0].outputs == []
    (out,) = nb.cells[1].outputs
    assert out.output_type == "execute_result"
    assert set(out.data) == {"text/plain", "text/markdown", "text/html"}
    assert out.data["text/html"].startswith('<div class="gemini-nb-response gnb"><style>')
    assert "<strong>Hello</strong> &lt;b&gt;kernel&lt;/b&gt;" in out.data["text/html"]
    assert "max_output_tokens" in out.data["text/html"]
    assert out.data["text/markdown"].startswith("**Hello** &lt;b>kernel&lt;/b>")
    assert out.data["text/plain"].endswith("gemini-test · 2 in · 5 out · cost unknown")
    # The streamed cell keeps one output, updated in place to the final state.
    (streamed,) = nb.cells[2].outputs
    assert streamed.output_type == "display_data"
    assert streamed.data["text/plain"] == "Streamed answer done.\n\ngemini-test"
    assert "…" not in streamed.data["text/html"]
    assert nb.cells[3].outputs[0].text == "live\n"  # a kernel takes display updates


def test_automatic_function_calls_are_shown_before_the_answer() -> None:
    from gemini_nb.notebook.display import response_bundle
    from gemini_nb.types import Content, GenerateContentResponse, parse_response

    r = parse_response(
        GenerateContentResponse,
        {"candidates": [{"content": {"parts": [{"text": "It is 18 °C."}]}}]},
    )
    r._afc_history = [
        Content.model_validate({"role": "user", "parts": [{"text": "weather?"}]}),
        Content.model_validate(
            {
                "role": "model",
                "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}],
            }
        ),
        Content.model_validate(
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "get_weather", "response": {"result": 18}}}
                ],
            }
        ),
    ]
    plain = response_bundle(r)["text/plain"]
    assert plain.index("get_weather(") < plain.index("get_weather →") < plain.index("It is 18")
    assert "weather?" not in plain


# --------------------------------------------------------------------------------------------
# Code in answers: highlighting, the copy button's script, the stylesheet's reach


CODE_SAMPLES = [
    (
        "python",
        '@cache\ndef f(x: int = 1) -> str:\n    """Doc <b>."""\n    return "a<b" if x else None  # c\n',
    ),
    ("json", '{"a": [1, true, null, "x & y"]}'),
    ("bash", "$ ls -la $HOME | wc -l  # count\n"),
    ("javascript", "const a = `${x}</script>`;\n"),
]


@pytest.mark.parametrize(("lang", "code"), CODE_SAMPLES)
def test_highlighted_code_keeps_the_exact_text(lang: str, code: str) -> None:
    from gemini_nb.notebook._render_code import TOKEN_CLASSES, highlight

    out = highlight(code, lang)
    assert out is not None and '<span class="hl-' in out
    assert set(re.findall(r'class="([^"]+)"', out)) <= TOKEN_CLASSES
    # What the page shows (and the copy button copies) is the code, character for character.
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == code
    rendered = markdown_to_html(f"```{lang}\n{code}\n```")
    assert_safe_html(rendered)
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).rstrip("\n") == code.rstrip("\n")


def test_code_without_a_known_language_is_not_guessed() -> None:
    from gemini_nb.notebook._render_code import highlight

    assert highlight("x = 1", "") is None and highlight("x = 1", "text") is None
    assert highlight("x = 1", "no-such-language") is None
    assert markdown_to_html("```\nx = 1\n```") == "<pre><code>x = 1\n</code></pre>\n"
    assert "hl-" not in markdown_to_html("```unknownlang\nx = 1\n```")


def test_only_our_token_classes_pass_the_sanitizer() -> None:
    from gemini_nb.notebook._render_markdown import render_html

    # Model text cannot smuggle classes (ours or the page's) onto spans: raw HTML is text,
    # and the cleaner's rule admits exactly the token classes.
    out = markdown_to_html('<span class="hl-k jp-Dialog">x</span>')
    assert "<span" not in out
    from gemini_nb.notebook import _render_markdown

    cleaned = str(
        _render_markdown._cleaner().clean(
            '<span class="hl-k">a</span><span class="jp-Dialog">b</span><span class="hl-k x">c</span>'
        )
    )
    assert cleaned == '<span class="hl-k">a</span><span>b</span><span>c</span>'
    assert "hl-" in render_html("```python\nimport os\n```")


def test_answers_with_code_carry_the_copy_script_once() -> None:
    from gemini_nb.notebook._render_code import COPY_SCRIPT

    with_code = response_bundle(text_resp({"text": "Run:\n\n```python\nprint(1)\n```\n"}))
    assert with_code["text/html"].endswith(COPY_SCRIPT + "</div>")
    assert "<script" not in with_code["text/markdown"] + with_code["text/plain"]
    plain = response_bundle(text_resp({"text": "No code, `inline` only."}))
    assert "<script" not in plain["text/html"]
    # The script reads the code from the page and never holds answer text.
    assert "print" not in COPY_SCRIPT and "textContent" in COPY_SCRIPT


def test_stylesheet_outranks_jupyterlab_output_rules() -> None:
    # JupyterLab 4.6: `.jp-ThemedContainer .jp-RenderedHTMLCommon pre` (2 classes, 1 element)
    # and `.jp-OutputArea-output pre {word-break: break-all}`; every rule of ours has at least
    # two classes, and code does not break inside words.
    from gemini_nb.notebook._render_style import TOKEN_COLOURS

    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", CSS.split("@keyframes")[0])
    for selectors, _ in rules:
        for selector in selectors.split(","):
            assert selector.startswith(".gnb.gnb"), selector
    pre = next(body for sel, body in rules if sel == ".gnb.gnb pre")
    assert "word-break:normal" in pre and "white-space:pre" in pre and "background:" in pre
    for short, (var, _) in TOKEN_COLOURS.items():
        assert f".gnb.gnb .hl-{short}{{color:var(--jp-mirror-editor-{var}-color," in CSS
    assert response_bundle(text_resp({"text": "x"}))["text/html"].startswith(
        '<div class="gemini-nb-response gnb"><style>'
    )


def test_chat_stylesheet_uses_the_same_token_colours() -> None:
    from gemini_nb.notebook._render_style import TOKEN_COLOURS
    from gemini_nb.notebook.widgets import static_path

    blocks = re.findall(r"([^{}]+)\{([^{}]*)\}", static_path("chat.css").read_text())
    for short, (var, _) in TOKEN_COLOURS.items():
        # The last rule that colours the class wins.
        colours = [
            body
            for selectors, body in blocks
            if re.search(rf"\.hl-{short}(?![\w-])", selectors) and "color:" in body
        ]
        assert colours and f"--jp-mirror-editor-{var}-color" in colours[-1], short


# --------------------------------------------------------------------------------------------
# JSON answers, footers, the waiting line, quiet failures


def test_json_bundle_is_indented_highlighted_json_with_a_footer() -> None:
    from gemini_nb.notebook.display import footer_bundle, json_bundle

    r = text_resp({"text": '{"a": 1}'}, finishReason="STOP")
    r = resp(
        {
            **r.model_dump(mode="json", by_alias=True, exclude_none=True),
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4},
        }
    )
    b = json_bundle({"city": "Lisbon <b>", "n": [1, True, None]}, r, model=MODEL)
    assert b["text/plain"].startswith('{\n  "city": "Lisbon <b>",\n  "n": [\n    1,\n    true,')
    assert b["text/plain"].splitlines()[-1].startswith(f"{MODEL} · 3 in · 4 out")
    assert (
        '<span class="hl-nt">&quot;city&quot;</span>' in b["text/html"]
        or '<span class="hl-nt">"city"</span>' in b["text/html"]
    )
    assert "&lt;b&gt;" in b["text/html"] and "<b>" not in body(b)
    assert b["text/markdown"].startswith("```json\n{")
    assert_safe_bundle(b)
    assert footer_bundle(r, model=MODEL)["text/plain"].startswith(f"{MODEL} · 3 in · 4 out")


def test_waiting_line_counts_seconds_until_the_answer_replaces_it(
    shown: FakeDisplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    monkeypatch.setattr(display, "WAIT_AFTER", 0.05)
    monkeypatch.setattr(display, "WAIT_TICK", 0.1)
    live = display.LiveDisplay(MODEL)
    clock = [0.0]
    monkeypatch.setattr(display.LiveDisplay, "elapsed", property(lambda self: clock[0]))
    live.wait()
    time.sleep(0.12)
    clock[0] = 2.4
    time.sleep(0.2)
    live.finish(chunks(1)[-1])
    time.sleep(0.15)  # the waiting thread must not update after the answer
    live.close()
    texts = [b["text/plain"] for b in shown.bundles]
    assert texts[0] == f"Waiting for {MODEL}…"
    assert f"Waiting for {MODEL}… 2 s" in texts
    assert texts[-1].startswith("end.") and all(
        "Waiting" not in t for t in texts[texts.index(texts[-1]) :]
    )
    kinds = [c[0] for c in shown.calls]
    assert kinds[0] == "display" and set(kinds[1:]) == {"update"}  # one output, in place
    assert "gnb-waiting" in shown.bundles[0]["text/html"]
    assert not [t for t in threading.enumerate() if t.name == "gemini-nb-waiting"]


def test_a_quick_answer_shows_no_waiting_line(shown: FakeDisplay) -> None:
    final = display_stream(chunks(2), model=MODEL)
    assert final is not None
    assert not any("Waiting" in b["text/plain"] for b in shown.bundles)


def test_quiet_failure_keeps_the_partial_answer_without_the_error(shown: FakeDisplay) -> None:
    live = display.LiveDisplay(MODEL, notes=False)

    def broken() -> Iterator[GenerateContentResponse]:
        yield from chunks(2, final=False)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        display.follow_stream(broken(), live)
    calls = len(shown.calls)
    live.fail(lambda: None, RuntimeError("a second call changes nothing"))
    assert len(shown.calls) == calls
    last = shown.bundles[-1]["text/plain"]
    assert last.startswith("w0 w1\n\n") and f"{MODEL} · stopped after " in last
    assert "KeyboardInterrupt" not in last and "RuntimeError" not in last


def test_quiet_failure_before_anything_arrived_shows_nothing_or_a_status(
    shown: FakeDisplay,
) -> None:
    live = display.LiveDisplay(MODEL, notes=False)
    live.fail(lambda: None, g.NotFoundError("nope", status_code=404, status="NOT_FOUND"))
    assert shown.calls == []  # the cell's error output says it all
    live = display.LiveDisplay(MODEL, notes=False)
    live._show(display.waiting_bundle(MODEL, 3.0))  # a waiting line was up
    live.fail(lambda: None, g.NotFoundError("nope", status_code=404, status="NOT_FOUND"))
    assert shown.bundles[-1]["text/plain"].startswith(f"{MODEL} · no answer, failed after ")
    assert "nope" not in shown.bundles[-1]["text/html"]
