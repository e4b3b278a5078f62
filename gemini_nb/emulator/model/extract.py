"""Text out of documents, and whitespace chunks of it, as file search ingests them.

:func:`extract_text` reads the types file search takes: any ``text/*`` and the text-like
application types (JSON, XML, YAML, code) as UTF-8; HTML through the standard library's
parser (scripts, styles and markup dropped, block elements on lines of their own); PDF through
``pypdf`` (page by page, from the emulator extra); Word, PowerPoint, Excel and OpenDocument
files from the XML inside their zip; RTF with its control words removed. A document it cannot
read raises :class:`ExtractionError`, and the document fails as the real one would.

:func:`chunk_text` cuts the text as ``chunkingConfig.whiteSpaceConfig`` says: at most
``maxTokensPerChunk`` whitespace-separated words a chunk, each chunk starting
``maxOverlapTokens`` words before the end of the one before. A chunk's text is the original
text from its first word to its last (the last chunk runs to the end, trailing newline
included, as recorded), and knows the page its first word is on.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree import ElementTree

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_OVERLAP",
    "Extracted",
    "ExtractionError",
    "TextChunk",
    "chunk_text",
    "extract_text",
]

DEFAULT_MAX_TOKENS = 200
DEFAULT_OVERLAP = 20
# Bounds what a hostile document can make the emulator hold (the text of a 100 MB upload).
MAX_TEXT_CHARS = 50_000_000


class ExtractionError(Exception):
    """The document's text cannot be read; the message says why."""


@dataclass(frozen=True)
class Extracted:
    """A document's text, page by page (one page for documents without pages)."""

    pages: list[str]
    paged: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.pages)


@dataclass(frozen=True)
class TextChunk:
    text: str
    page: int | None  # 1-based, for paged documents
    words: int


# ----------------------------------------------------------------------------- extraction

_TEXT_APPLICATION = frozenset(
    {
        "application/json",
        "application/xml",
        "application/sql",
        "application/x-sh",
        "application/x-python",
        "application/x-python-code",
        "application/javascript",
        "application/x-javascript",
        "application/typescript",
        "application/x-yaml",
        "application/yaml",
        "application/x-tex",
        "application/x-latex",
        "application/x-ipynb+json",
    }
)
_OFFICE_ZIP = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
}
_LEGACY_OFFICE = frozenset(
    {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
)
SUPPORTED_APPLICATION = (
    _TEXT_APPLICATION
    | frozenset(_OFFICE_ZIP)
    | _LEGACY_OFFICE
    | {"application/pdf", "application/rtf"}
)


def supported(mime_type: str) -> bool:
    """Whether file search takes documents of this type."""
    bare = mime_type.split(";", 1)[0].strip().lower()
    return bare.startswith("text/") or bare in SUPPORTED_APPLICATION


def extract_text(data: bytes, mime_type: str) -> Extracted:
    bare = mime_type.split(";", 1)[0].strip().lower()
    if bare == "application/pdf":
        return _pdf(data)
    if bare == "text/html" or bare == "application/xhtml+xml":
        return Extracted([_html(_decode(data))])
    if bare in _OFFICE_ZIP:
        return Extracted([_office(data, _OFFICE_ZIP[bare])])
    if bare in _LEGACY_OFFICE:
        raise ExtractionError(
            f"{bare} (a legacy binary Office file) cannot be read by the emulator; "
            "save it as .docx, .xlsx or .pptx."
        )
    if bare in ("application/rtf", "text/rtf"):
        return Extracted([_rtf(_decode(data))])
    if bare.startswith("text/") or bare in _TEXT_APPLICATION:
        return Extracted([_decode(data)])
    raise ExtractionError(f"Unsupported MIME type {bare}.")


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ExtractionError("The file is binary, not text (it has NUL bytes).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text[:MAX_TEXT_CHARS]


def _pdf(data: bytes) -> Extracted:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        raise ExtractionError(
            'Reading PDF documents needs pypdf, which is not installed: pip install "gemini-nb[emulator]".'
        ) from None
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as err:
        raise ExtractionError(f"The PDF could not be read: {err}.") from None
    if not any(p.strip() for p in pages):
        raise ExtractionError(
            "The PDF has no text layer (scanned pages are not read by the emulator)."
        )
    return Extracted(pages, paged=True)


_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "pre",
        "blockquote",
        "title",
        "dt",
        "dd",
        "hr",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def _html(text: str) -> str:
    parser = _TextParser()
    parser.feed(text)
    parser.close()
    raw = "".join(parser.out)
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _office(data: bytes, kind: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if kind == "docx":
                parts = ["word/document.xml"]
            elif kind == "odt":
                parts = ["content.xml"]
            elif kind == "pptx":
                parts = sorted(
                    (n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                    key=lambda n: int(re.sub(r"\D", "", n)),
                )
            else:
                parts = [n for n in ("xl/sharedStrings.xml",) if n in names]
            texts = []
            for part in parts:
                # Bounded: zip bombs stop at the text cap.
                with z.open(part) as fh:
                    texts.append(_xml_text(fh.read(MAX_TEXT_CHARS)))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as err:
        raise ExtractionError(f"The {kind} file could not be read: {err}.") from None
    return "\n\n".join(t for t in texts if t)


def _xml_text(data: bytes) -> str:
    root = ElementTree.fromstring(data)
    paragraphs: list[str] = []
    for para in root.iter():
        tag = para.tag.rsplit("}", 1)[-1]
        if tag in ("p", "si"):
            words = "".join(
                (node.text or "") for node in para.iter() if node.tag.rsplit("}", 1)[-1] == "t"
            )
            if words.strip():
                paragraphs.append(words.strip())
    return "\n".join(paragraphs)


def _rtf(text: str) -> str:
    out = re.sub(r"\{\\\*[^{}]*\}", "", text)
    out = re.sub(r"\\par[d]?\b ?", "\n", out)
    out = re.sub(r"\\'([0-9a-fA-F]{2})", lambda m: bytes.fromhex(m.group(1)).decode("cp1252"), out)
    out = re.sub(r"\\[a-zA-Z]+-?\d* ?", "", out)
    return html.unescape(out.replace("{", "").replace("}", "")).strip()


# ----------------------------------------------------------------------------- chunking


def chunk_text(
    extracted: Extracted, max_tokens: int = DEFAULT_MAX_TOKENS, overlap: int = DEFAULT_OVERLAP
) -> list[TextChunk]:
    """Whitespace chunks of at most ``max_tokens`` words, ``overlap`` words shared."""
    text = extracted.text
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not spans:
        return []
    page_starts: list[int] = []
    at = 0
    for page_text in extracted.pages:
        page_starts.append(at)
        at += len(page_text) + 2
    step = max(1, max_tokens - min(overlap, max_tokens - 1))
    chunks: list[TextChunk] = []
    page_index = 0
    start = 0
    while True:
        end = min(len(spans), start + max_tokens)
        first = spans[start][0]
        last = spans[end - 1][1] if end < len(spans) else len(text)
        page = None
        if extracted.paged:
            while page_index + 1 < len(page_starts) and page_starts[page_index + 1] <= first:
                page_index += 1
            page = page_index + 1
        chunks.append(TextChunk(text[first:last], page, end - start))
        if end >= len(spans):
            return chunks
        start += step
