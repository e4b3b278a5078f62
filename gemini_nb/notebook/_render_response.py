"""A GenerateContentResponse as text/plain, text/markdown and text/html, part by part.

Every part becomes one :class:`Block` with three renderings; model text goes through
:mod:`._render_markdown`, and everything else we write ourselves with each value escaped for
its target (``html.escape`` for HTML; entities, backslash escapes or code spans for Markdown).
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._render_code import highlight, language_of
from ._render_markdown import (
    CITE_CLOSE,
    CITE_OPEN,
    CiteLink,
    cite_sentinels,
    fence,
    render_html,
    url_allowed,
)
from ._render_notes import block_note, finish_note, outcome_note
from ._render_safe_markdown import render_markdown, seal_fences

if TYPE_CHECKING:
    from ..types import Candidate, GenerateContentResponse, GroundingChunk, Part

__all__ = [
    "STRICT",
    "Block",
    "candidate_blocks",
    "cost_text",
    "md_code",
    "md_text",
    "note_block",
    "plain_text",
    "response_blocks",
]

# Tests turn this on so that a rendering bug fails loudly instead of showing a fallback.
STRICT = False

_IMAGE_MIME = re.compile(r"image/(?:png|jpeg|gif|webp)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_JSON = 4000


@dataclass
class Block:
    """One piece of the display in its three forms. ``line`` blocks are compact one-liners
    in text/plain; the others get a blank line around them."""

    plain: str
    md: str
    html: str
    line: bool = False


def plain_text(text: str) -> str:
    # Terminal control sequences from the model must not reach a terminal.
    return _CONTROL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;"}


def md_text(text: str) -> str:
    """Arbitrary text as inert Markdown inline text, on one line.

    Brackets and HTML characters become entities (marked re-parses backslash-escaped brackets
    inside link text); the rest of what could start inline markup is backslash-escaped.
    """
    flat = re.sub(r"\s+", " ", text)
    return re.sub(
        r"[&<>\[\]]|([\\`*_!~|#])",
        lambda m: "\\" + m.group(1) if m.group(1) else _MD_ENTITIES[m.group()],
        flat,
    )


def _cap(label: str) -> str:
    return label[:1].upper() + label[1:]


def cost_text(model: str | None, usage: Any) -> str | None:
    """The footer's cost beside the tokens: ``"≈ $0.0012"``, or ``"cost unknown"`` for a
    model the price table lacks (see :mod:`gemini_nb.tokens`); None when nothing was counted."""
    if not model or usage is None or not (usage.prompt_token_count or usage.candidates_token_count):
        return None
    from ..tokens import cost_of_usage

    cost = cost_of_usage(model, usage)
    return f"≈ {cost}" if cost.known else "cost unknown"


def md_code(text: str) -> str:
    """Arbitrary text as one Markdown code span."""
    flat = " ".join(text.splitlines()) if text else " "
    longest = max((len(r) for r in re.findall("`+", flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith(("`", " ")) or flat.endswith(("`", " ")) else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def _json(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_JSON else text[:_MAX_JSON] + "…"


def size_text(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1_000_000:.1f} MB"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------------------------
# Citations


@dataclass
class _Sources:
    """Grounding sources numbered in the order the answer first cites them."""

    numbers: dict[Any, int] = field(default_factory=dict)
    chunks: list[GroundingChunk] = field(default_factory=list)

    def number(self, chunk: GroundingChunk) -> int:
        src = chunk.source
        key: Any = (src.uri or src.title) if src is not None else None
        if chunk.retrieved_context is not None and key is not None:
            key = (key, chunk.retrieved_context.text)  # each retrieved passage is a source
        if key is None:
            key = id(chunk)
        if key not in self.numbers:
            self.chunks.append(chunk)
            self.numbers[key] = len(self.chunks)
        return self.numbers[key]

    def link(self, n: int) -> CiteLink:
        src = self.chunks[n - 1].source
        uri = src.uri if src is not None else None
        title = (src.title or uri or "") if src is not None else ""
        return (uri if uri and url_allowed(uri, relative="none") else None), title


def _citation_marks(cand: Candidate, sources: _Sources) -> dict[int, list[int]]:
    """Character offset in the candidate's text -> citation numbers to show there."""
    from ..types import GenerateContentResponse

    try:
        cits = GenerateContentResponse.model_construct(candidates=[cand]).citations()
    except Exception:
        if STRICT:
            raise
        return {}
    marks: dict[int, list[int]] = {}
    for c in sorted(cits, key=lambda c: (c.end, c.start)):
        for chunk in c.sources:
            n = sources.number(chunk)
            at = marks.setdefault(c.end, [])
            if n not in at:
                at.append(n)
    meta = cand.grounding_metadata
    for chunk in (meta.grounding_chunks or []) if meta is not None else []:
        sources.number(chunk)  # uncited sources are listed after the cited ones
    return marks


def _anchor(text: str, pos: int) -> int:
    # A support ending in whitespace would put the marker at the start of the next line
    # (breaking a heading or list); one ending just before a closing "**" would split it.
    while pos > 0 and text[pos - 1] in " \t\r\n":
        pos -= 1
    while pos < len(text) and text[pos] in "*_~":
        pos += 1
    return pos


def _with_marks(text: str, marks: dict[int, list[int]]) -> tuple[str, str]:
    """(text with "[n]" markers, text with sentinel markers) for one run of text."""
    if not marks:
        return text, text
    clean = text.replace(CITE_OPEN, "\ufffd").replace(CITE_CLOSE, "\ufffd")
    at: dict[int, list[int]] = {}
    for pos, numbers in marks.items():
        slot = at.setdefault(_anchor(clean, min(max(pos, 0), len(clean))), [])
        slot.extend(n for n in numbers if n not in slot)
    plain, marked, last = [], [], 0
    for pos in sorted(at):
        plain += [clean[last:pos], "".join(f"[{n}]" for n in at[pos])]
        marked += [clean[last:pos], cite_sentinels(at[pos])]
        last = pos
    plain.append(clean[last:])
    marked.append(clean[last:])
    return "".join(plain), "".join(marked)


# --------------------------------------------------------------------------------------------
# Parts


def _text_block(text: str, marks: dict[int, list[int]], sources: _Sources) -> Block:
    plain, marked = _with_marks(text, marks)
    cites = {n: sources.link(n) for ns in marks.values() for n in ns} or None
    return Block(
        plain=plain_text(plain).rstrip(),
        md=seal_fences(render_markdown(marked, cites)),
        html=f'<div class="gnb-text">{render_html(marked, cites)}</div>',
    )


def _thought_block(text: str) -> Block:
    words = len(text.split())
    body = seal_fences(render_markdown(text))
    return Block(
        plain=f"[thoughts: {words} words, collapsed; see .thoughts]",
        md=f"<details><summary>Thoughts</summary>\n\n{body}\n\n</details>",
        html=(
            '<details class="gnb-thoughts"><summary>Thoughts</summary>'
            f'<div class="gnb-text">{render_html(text)}</div></details>'
        ),
        line=True,
    )


def _call_block(label: str, name: str, payload: str) -> Block:
    shown = f"{name}({payload})" if label.endswith("call") else f"{name} → {payload}"
    return Block(
        plain=plain_text(f"[{label}] {shown}"),
        md=f"**{md_text(_cap(label))}:** {md_code(shown)}",
        html=(
            f'<div class="gnb-part gnb-call"><span class="gnb-label">{_esc(label)}</span> '
            f"<code>{_esc(shown)}</code></div>"
        ),
        line=True,
    )


def _code_block(code: str, language: str) -> Block:
    lang = re.sub(r"[^a-z0-9_+\-]", "", language.lower())[:20] or "text"
    shown = highlight(code, language_of(lang)) or _esc(code)
    return Block(
        plain=plain_text(fence(code, lang)),
        md=fence(code, lang),
        html=(
            f'<div class="gnb-part gnb-code"><div class="gnb-label">code · {_esc(lang)}</div>'
            f'<pre><code class="language-{_esc(lang)}">{shown}</code></pre></div>'
        ),
    )


def _result_block(outcome: str, output: str | None) -> Block:
    text = output if output else "(no output)"
    note = outcome_note(outcome)
    label = "output" if not note else f"output · {outcome}"
    md_note = f"\n\n> **{md_text(outcome)}**: {md_text(note)}" if note else ""
    html_note = (
        f'<div class="gnb-note"><strong>{_esc(outcome)}</strong>: {_esc(note)}</div>'
        if note
        else ""
    )
    return Block(
        plain=plain_text(f"[{label}]" + (f" {note}" if note else "") + "\n" + fence(text)),
        md=f"**{md_text(_cap(label))}**\n\n{fence(text)}{md_note}",
        html=(
            f'<div class="gnb-part gnb-result"><div class="gnb-label">{_esc(label)}</div>'
            f"<pre>{_esc(text)}</pre>{html_note}</div>"
        ),
    )


def _media_block(mime: str, data: bytes) -> Block:
    # Pictures, videos and sound within the size bound of _render_media (thumbnails and
    # files beyond it); speech's raw PCM plays as WAV.
    from ._render_media import image_label, media_html, media_settings

    label = f"{mime or 'application/octet-stream'}, {size_text(len(data))}"
    shown = media_html(mime, data) if data else None
    if shown is not None:
        base = mime.split(";", 1)[0].strip().lower()
        is_image = _IMAGE_MIME.fullmatch(base) is not None
        if is_image:
            label = image_label(data, base)
        md = f"*{md_text(f'[{label}]')}*"
        if is_image and len(data) <= media_settings.inline_limit:
            md = f"![{md_text(label)}](data:{base};base64,{base64.b64encode(data).decode('ascii')})"
        return Block(
            plain=plain_text(f"[{label}]"),
            md=md,
            html=f'<div class="gnb-part">{shown}</div>',
            line=True,
        )
    return Block(
        plain=plain_text(f"[{label}]"),
        md=f"*{md_text(f'[{label}]')}*",
        html=f'<div class="gnb-part gnb-media">[{_esc(label)}]</div>',
        line=True,
    )


def _file_block(uri: str, mime: str | None) -> Block:
    extra = f" ({mime})" if mime else ""
    return Block(
        plain=plain_text(f"[file] {uri}{extra}"),
        md=f"**File:** {md_code(uri)}{md_text(extra)}",
        html=(
            f'<div class="gnb-part gnb-file"><span class="gnb-label">file</span> '
            f"<code>{_esc(uri)}</code>{_esc(extra)}</div>"
        ),
        line=True,
    )


def _unknown_block(part: Part) -> Block | None:
    keys = sorted((part.model_extra or {}).keys())
    if not keys:
        return None  # e.g. a part that only carries a thought signature
    label = "part: " + ", ".join(keys)
    return Block(
        plain=plain_text(f"[{label}]"),
        md=f"*{md_text(f'[{label}]')}*",
        html=f'<div class="gnb-part gnb-media">[{_esc(label)}]</div>',
        line=True,
    )


def _part_block(part: Part) -> Block | None:
    kind = part.kind
    if kind == "function_call" and part.function_call is not None:
        fc = part.function_call
        return _call_block("function call", fc.name, _json(fc.args))
    if kind == "function_response" and part.function_response is not None:
        fr = part.function_response
        return _call_block("function response", fr.name, _json(fr.response))
    if kind == "tool_call" and part.tool_call is not None:
        tc = part.tool_call
        return _call_block(
            "tool call", tc.tool_name or tc.tool_type or "tool", _json(tc.args or {})
        )
    if kind == "tool_response" and part.tool_response is not None:
        tr = part.tool_response
        return _call_block("tool response", tr.tool_type or "tool", _json(tr.response or {}))
    if kind == "executable_code" and part.executable_code is not None:
        return _code_block(part.executable_code.code, part.executable_code.language or "")
    if kind == "code_execution_result" and part.code_execution_result is not None:
        r = part.code_execution_result
        return _result_block(r.outcome or "", r.output)
    if kind == "inline_data" and part.inline_data is not None:
        return _media_block(part.inline_data.mime_type or "", part.inline_data.data or b"")
    if kind == "file_data" and part.file_data is not None:
        return _file_block(part.file_data.file_uri, part.file_data.mime_type)
    return _unknown_block(part)


def _guarded(make: Any, *args: Any) -> Block | None:
    try:
        block: Block | None = make(*args)
        return block
    except Exception:
        if STRICT:
            raise
        return Block(
            plain="[this part could not be displayed]",
            md="*&#91;this part could not be displayed&#93;*",
            html='<div class="gnb-part gnb-media">[this part could not be displayed]</div>',
            line=True,
        )


# --------------------------------------------------------------------------------------------
# Candidate


def candidate_blocks(cand: Candidate, *, streaming: bool) -> list[Block]:
    """The blocks of one candidate: its parts in order, then sources, then notes."""
    sources = _Sources()
    marks = _citation_marks(cand, sources)
    parts = list(cand.content.parts) if cand.content is not None else []
    blocks: list[Block | None] = []
    offset = 0  # position of the current text run within the candidate's text
    i = 0
    while i < len(parts):
        kind = parts[i].kind
        if kind in ("text", "thought"):
            j = i
            while j < len(parts) and parts[j].kind == kind:
                j += 1
            text = "".join(p.text or "" for p in parts[i:j])
            if kind == "text":
                end = offset + len(text)
                local = {
                    pos - offset: ns
                    for pos, ns in marks.items()
                    if offset < pos <= end or (pos == 0 and offset == 0)
                }
                if text or local:
                    blocks.append(_guarded(_text_block, text, local, sources))
                offset = end
            elif text.strip():
                blocks.append(_guarded(_thought_block, text))
            i = j
            continue
        blocks.append(_guarded(_part_block, parts[i]))
        i += 1
    shown = any(b is not None and b.plain for b in blocks)
    blocks.append(_guarded(_grounding_block, cand, sources))
    blocks.append(_guarded(_recitation_block, cand))
    if not streaming:
        blocks.append(_guarded(_finish_block, cand, shown))
    return [b for b in blocks if b is not None]


def _grounding_block(cand: Candidate, sources: _Sources) -> Block | None:
    plain: list[str] = []
    md: list[str] = []
    out: list[str] = []
    if sources.chunks:
        plain.append("Sources:")
        md.append("**Sources**\n")
        out.append('<div class="gnb-sources"><div class="gnb-label">Sources</div><ol>')
        for n in range(1, len(sources.chunks) + 1):
            url, title = sources.link(n)
            src = sources.chunks[n - 1].source
            raw_uri = (src.uri if src is not None else None) or ""
            title = title or "source"
            plain.append(
                plain_text(
                    f"  [{n}] {title}" + (f" — {raw_uri}" if raw_uri and raw_uri != title else "")
                )
            )
            if url:
                md.append(f"{n}. [{md_text(title)}](<{_md_url(url)}>)")
                out.append(
                    f'<li><a href="{_esc(url)}" title="{_esc(url)}" target="_blank" '
                    f'rel="noopener noreferrer nofollow">{_esc(title)}</a></li>'
                )
            else:
                tail = f" {md_code(raw_uri)}" if raw_uri and raw_uri != title else ""
                md.append(f"{n}. {md_text(title)}{tail}")
                extra = f" <code>{_esc(raw_uri)}</code>" if raw_uri and raw_uri != title else ""
                out.append(f"<li>{_esc(title)}{extra}</li>")
            _passage(sources.chunks[n - 1], plain, md, out)
        out.append("</ol></div>")
    meta = cand.grounding_metadata
    queries = [q for q in (meta.web_search_queries or []) if q] if meta is not None else []
    if queries:
        plain.append(plain_text("Searched: " + " · ".join(queries)))
        md.append("\n*Searched:* " + " · ".join(md_text(q) for q in queries))
        out.append(
            '<div class="gnb-searches"><span class="gnb-label">Searched:</span> '
            + " · ".join(f"<span>{_esc(q)}</span>" for q in queries)
            + "</div>"
        )
    urls = cand.url_context_metadata.url_metadata if cand.url_context_metadata else None
    if urls:
        items = [
            (
                u.retrieved_url or "?",
                (u.url_retrieval_status or "").removeprefix("URL_RETRIEVAL_STATUS_").lower(),
            )
            for u in urls
        ]
        plain.append(plain_text("URL context: " + ", ".join(f"{u} ({s})" for u, s in items)))
        md.append(
            "\n*URL context:* " + ", ".join(f"{md_code(u)} {md_text(f'({s})')}" for u, s in items)
        )
        out.append(
            '<div class="gnb-searches"><span class="gnb-label">URL context:</span> '
            + ", ".join(f"<code>{_esc(u)}</code> ({_esc(s)})" for u, s in items)
            + "</div>"
        )
    if not plain:
        return None
    return Block(plain="\n".join(plain), md="\n".join(md), html="".join(out))


_PASSAGE_CHARS = 320


def _passage(chunk: GroundingChunk, plain: list[str], md: list[str], out: list[str]) -> None:
    """A file search source: the retrieved passage (and its page) under its document."""
    ctx = chunk.retrieved_context
    text = " ".join((ctx.text or "").split()) if ctx is not None else ""
    if ctx is None or not text:
        return
    if len(text) > _PASSAGE_CHARS:
        text = text[: _PASSAGE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    page = ctx.page_number
    where = f"p. {page}: " if page else ""
    plain.append(plain_text(f"      {where}“{text}”"))
    md.append(f"   > {md_text(where + text)}")
    if out[-1].endswith("</li>"):
        out[-1] = out[-1][: -len("</li>")]
        out.append(
            f'<blockquote class="gnb-passage" style="margin:2px 0 4px">'
            f"{_esc(where + text)}</blockquote></li>"
        )


def _md_url(url: str) -> str:
    from urllib.parse import quote

    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def _recitation_block(cand: Candidate) -> Block | None:
    meta = cand.citation_metadata
    items = [s for s in (meta.citation_sources or []) if s.uri] if meta is not None else []
    if not items:
        return None
    texts = [f"{s.uri}" + (f" ({s.license})" if s.license else "") for s in items]
    return Block(
        plain=plain_text("Quoted from: " + ", ".join(texts)),
        md="*Quoted from:* " + ", ".join(md_code(t) for t in texts),
        html=(
            '<div class="gnb-searches"><span class="gnb-label">Quoted from:</span> '
            + ", ".join(f"<code>{_esc(t)}</code>" for t in texts)
            + "</div>"
        ),
        line=True,
    )


def _finish_block(cand: Candidate, shown: bool) -> Block | None:
    note = finish_note(cand.finish_reason, cand.finish_message)
    if note is None:
        if shown:
            return None
        note = ("No content", "The model finished without producing any content.")
    ratings = [
        f"{r.category}: {r.probability}"
        for r in cand.safety_ratings or []
        if r.blocked or r.probability in ("MEDIUM", "HIGH")
    ]
    return note_block(*note, details=ratings)


def note_block(
    title: str, text: str, *, details: list[str] | None = None, css: str = "gnb-note"
) -> Block:
    """A visible warning: a title, what to do, and optional detail lines."""
    details = [d for d in details or [] if d]
    plain = f"! {title}: {text}" + "".join(f"\n  {d}" for d in details)
    md = f"> **{md_text(title)}:** {md_text(text)}" + "".join(
        f"  \n> {md_text(d)}" for d in details
    )
    extra = "".join(f'<div class="gnb-detail">{_esc(d)}</div>' for d in details)
    return Block(
        plain=plain_text(plain),
        md=md,
        html=f'<div class="{css}"><strong>{_esc(title)}:</strong> {_esc(text)}{extra}</div>',
    )


def _afc_blocks(response: GenerateContentResponse) -> list[Block]:
    """The calls automatic function calling made, one compact line each, before the answer."""
    history = response.automatic_function_calling_history or []
    blocks: list[Block] = []
    for content in history:
        for part in content.parts:
            if part.function_call is not None or part.function_response is not None:
                block = _guarded(_part_block, part)
                if block is not None:
                    blocks.append(block)
    return blocks


def response_blocks(response: GenerateContentResponse, *, streaming: bool) -> list[Block]:
    """All blocks of a response; multiple candidates are labelled."""
    blocks: list[Block] = []
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason:
        ratings = [
            f"{r.category}: {r.probability}"
            for r in feedback.safety_ratings or []
            if r.blocked or r.probability in ("MEDIUM", "HIGH")
        ]
        blocks.append(note_block(*block_note(feedback.block_reason), details=ratings))
    blocks.extend(_afc_blocks(response))
    candidates = response.candidates or []
    if not candidates and not blocks and not streaming:
        blocks.append(note_block("No answer", "The response has no candidates."))
    for i, cand in enumerate(candidates):
        if len(candidates) > 1:
            label = f"Candidate {i + 1} of {len(candidates)}"
            blocks.append(
                Block(
                    plain=f"── {label} ──",
                    md=f"#### {label}",
                    html=f'<div class="gnb-candidate-label">{_esc(label)}</div>',
                )
            )
        blocks.extend(candidate_blocks(cand, streaming=streaming))
    return blocks
