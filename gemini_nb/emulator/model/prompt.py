"""Reading a prompt the way the emulated model does: words, values and lists, all by fixed rules.

Everything here is pure string processing; the same text always gives the same facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "STOPWORDS",
    "Candidate",
    "PromptFacts",
    "content_words",
    "conversation_text",
    "iso_date",
    "last_user_content",
    "name_words",
    "read_prompt",
    "stem",
    "text_of",
    "word_set",
    "words",
]


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a long literal, as a set."""
    return frozenset(text.split())


STOPWORDS: frozenset[str] = word_set(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just let me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own please same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also tell give show want need like get use using via per is are be it's i'm what's whats
    whose may might must shall much many lot lots ok okay hi hello thanks thank kindly some any
    every"""
)

# Capitalised at a sentence start, these are ordinary words, not names.
_SENTENCE_STARTERS: frozenset[str] = word_set(
    """what which who whom whose when where why how is are was were do does did can could would
    should will shall may might please tell give show find get fetch look search use call run
    make list check compute calculate create send book set add remove delete update read write
    plot draw sort count reverse summarize summarise explain describe i hey hi hello ok okay
    then also and but so first next finally now today tomorrow yes no let lets let's try go
    what's whats report return provide print say answer translate convert generate write
    summarize analyze analyse compare estimate predict recommend suggest plan schedule order buy
    sell lookup retrieve email draft note remember consider imagine assume given using based
    after before once if when this that these those there here it my our your their note great
    sure thanks thank good"""
)

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

NUMBER_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
]  # fmt: skip

_NUMBER_WORDS: dict[str, int] = {
    word: value
    for value, word in enumerate(NUMBER_WORDS)
    if word != "one"  # "which one", "one of": too often not a number
} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12}

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)?|\d+(?:\.\d+)?")
_URL_RE = re.compile(r"https?://[^\s<>\"'`)\]}]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_QUOTED_RE = re.compile(
    r"(?<![\w])\"([^\"\n]{1,200})\"|(?<![\w])'([^'\n]{1,200})'(?![\w])|“([^”\n]{1,200})”|`([^`\n]{1,200})`"
)
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?)?\b")
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DMY_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\.?,?\s+(\d{{4}})\b", re.I
)
_MDY_RE = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_CODE_RE = re.compile(
    r"(?<![\w-])(?=[\w-]*\d)[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+(?![\w-])|(?<![\w-])[A-Za-z]+\d[A-Za-z0-9]*(?![\w-])"
)
_NUMBER_RE = re.compile(
    r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])-?\d+(?:\.\d+)?(?![\w])"
)
_CAP_RE = re.compile(
    r"\b[A-Z][\w’'&.-]*(?:[ \t]+(?:(?:of|de|del|la|le|van|von|da|di)[ \t]+)?[A-Z][\w’'&.-]*)*"
)
_SENTENCE_BREAK_RE = re.compile(r"(?:^|[.!?:;\n]\s*|[\"“(]\s*)$")
_SEPARATOR_RE = re.compile(r"^\s*(?:,\s*(?:and|or|&)?|and|or|&|/|;|\+)\s*$", re.I)
_PREPOSITIONS = (
    "in",
    "for",
    "of",
    "about",
    "to",
    "from",
    "at",
    "on",
    "near",
    "called",
    "named",
    "with",
    "between",
)


def text_of(content: dict[str, Any] | None) -> str:
    """The visible text of a Content (thought parts left out), parts joined by newlines."""
    if not content:
        return ""
    texts = [
        part["text"]
        for part in content.get("parts") or []
        if isinstance(part.get("text"), str) and not part.get("thought")
    ]
    return "\n".join(texts)


def last_user_content(request: dict[str, Any]) -> dict[str, Any] | None:
    """The last Content of the conversation when it is a user turn (role missing counts as user)."""
    contents = request.get("contents") or []
    if not contents:
        return None
    last = contents[-1]
    return last if last.get("role", "user") != "model" else None


def conversation_text(request: dict[str, Any]) -> str:
    """The text of the last user turn that has text: the prompt a tool loop started from."""
    for content in reversed(request.get("contents") or []):
        if content.get("role", "user") == "model":
            continue
        text = text_of(content)
        if text.strip():
            return text
    return ""


def stem(word: str) -> str:
    """A crude suffix stripper, applied alike to prompts and names so that they meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "ches", "shes", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2]
    return w


def words(text: str) -> list[tuple[str, int]]:
    """Lower-cased words with their character offsets."""
    return [(m.group(0).lower().replace("’", "'"), m.start()) for m in _WORD_RE.finditer(text)]


def content_words(text: str) -> list[str]:
    """Stemmed words of `text` that carry meaning (stopwords and one-letter words dropped)."""
    out: list[str] = []
    for word, _ in words(text):
        if word in STOPWORDS or len(word) < 2:
            continue
        out.append(stem(word))
    return out


def name_words(identifier: str) -> list[str]:
    """Words of an identifier: `get_current_weather`, `getWeather`, `weather-v2.lookup`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", identifier)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w.lower() for w in re.split(r"[\s_\-.:/]+", spaced) if w]


def iso_date(year: int, month: int, day: int) -> str | None:
    """YYYY-MM-DD when the triple is a real calendar date."""
    import datetime

    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


CandidateKind = Literal["quoted", "url", "email", "date", "code", "number", "proper", "phrase"]


@dataclass(frozen=True)
class Candidate:
    """One value found in the prompt."""

    kind: CandidateKind
    value: Any
    start: int
    end: int
    text: str


@dataclass
class PromptFacts:
    """Everything the emulated model reads out of one prompt."""

    text: str
    candidates: list[Candidate] = field(default_factory=list)
    lists: list[list[Candidate]] = field(default_factory=list)
    prepositional: list[tuple[str, Candidate]] = field(default_factory=list)

    def of_kind(self, *kinds: CandidateKind) -> list[Candidate]:
        return [c for c in self.candidates if c.kind in kinds]

    def booleans(self) -> list[tuple[bool, int]]:
        truth = {"true": True, "yes": True, "false": False, "no": False}
        return [(truth[w], pos) for w, pos in words(self.text) if w in truth]


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _find_dates(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _ISO_DATE_RE.finditer(text):
        day = iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            value = day if m.group(4) is None else m.group(0).replace(" ", "T")
            found.append(Candidate("date", value, m.start(), m.end(), m.group(0)))
    for m in _DMY_RE.finditer(text):
        day = iso_date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        if day:
            found.append(Candidate("date", day, m.start(), m.end(), m.group(0)))
    for m in _MDY_RE.finditer(text):
        day = iso_date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        if day:
            found.append(Candidate("date", day, m.start(), m.end(), m.group(0)))
    return found


def _parse_number(raw: str) -> int | float:
    clean = raw.replace(",", "")
    return float(clean) if "." in clean else int(clean)


def _is_sentence_start(text: str, pos: int) -> bool:
    return bool(_SENTENCE_BREAK_RE.search(text[:pos]))


_CONNECTORS = frozenset({"of", "de", "del", "la", "le", "van", "von", "da", "di"})


def _proper_nouns(text: str, taken: list[tuple[int, int]]) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _CAP_RE.finditer(text):
        tokens = [
            (t.group(0).rstrip(".-'’"), m.start() + t.start())
            for t in re.finditer(r"\S+", m.group(0))
        ]
        runs: list[list[tuple[str, int]]] = [[]]
        for token, pos in tokens:
            # Month names and already-claimed values (dates, codes) split a run of capitals.
            if token.lower() in _MONTHS or _overlaps((pos, pos + len(token)), taken) or not token:
                runs.append([])
            else:
                runs[-1].append((token, pos))
        for run in runs:
            # Leading words capitalised only because a sentence starts there are not names.
            while (
                run
                and run[0][0].lower() in STOPWORDS | _SENTENCE_STARTERS
                and (_is_sentence_start(text, run[0][1]) or run[0][0].lower() in STOPWORDS)
            ):
                run = run[1:]
            while run and run[-1][0].lower() in _CONNECTORS:
                run = run[:-1]
            if not run or run[0][0].lower() in _CONNECTORS or run[0][0] == "I":
                continue
            start, end = run[0][1], run[-1][1] + len(run[-1][0])
            found.append(Candidate("proper", text[start:end], start, end, text[start:end]))
    return found


def _phrase_after(text: str, pos: int) -> tuple[str, int, int] | None:
    """1-5 ordinary words after `pos`, stopping at punctuation or a stopword (and/or kept)."""
    m = re.match(r"\s+((?:the\s+|a\s+|an\s+)?)", text[pos:])
    if not m:
        return None
    start = pos + m.end()
    kept: list[str] = []
    end = start
    for wm in re.finditer(r"[\w’'-]+|[^\w\s]", text[start:]):
        token = wm.group(0)
        lowered = token.lower()
        if not re.match(r"[\w’'-]+$", token):
            if token == "," and kept:
                kept.append(",")
                continue
            break
        if lowered in ("and", "or") and kept and kept[-1] not in (",", "and", "or"):
            kept.append(lowered)
            continue
        if lowered in STOPWORDS or len(kept) >= 7:
            break
        kept.append(token)
        end = start + wm.end()
    while kept and kept[-1] in (",", "and", "or"):
        kept.pop()
    if not kept:
        return None
    return text[start:end], start, end


def _split_list(phrase: str) -> list[str]:
    items = [
        p.strip() for p in re.split(r"\s*(?:,\s*(?:and|or)\s+|,|\s+and\s+|\s+or\s+|&)\s*", phrase)
    ]
    return [item for item in items if item]


def read_prompt(text: str) -> PromptFacts:
    """Find quoted strings, URLs, e-mails, dates, codes, numbers, names, phrases and lists."""
    facts = PromptFacts(text=text)
    taken: list[tuple[int, int]] = []
    found: list[Candidate] = []

    def add(candidate: Candidate) -> None:
        if not _overlaps((candidate.start, candidate.end), taken):
            found.append(candidate)
            taken.append((candidate.start, candidate.end))

    for m in _QUOTED_RE.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        if inner.strip():
            add(Candidate("quoted", inner, m.start(), m.end(), m.group(0)))
    for m in _URL_RE.finditer(text):
        url = m.group(0).rstrip(".,;:!?")
        add(Candidate("url", url, m.start(), m.start() + len(url), url))
    for m in _EMAIL_RE.finditer(text):
        add(Candidate("email", m.group(0), m.start(), m.end(), m.group(0)))
    for c in _find_dates(text):
        add(c)
    for m in _CODE_RE.finditer(text):
        token = m.group(0)
        if re.fullmatch(r"-?[\d,]+(?:\.\d+)?", token):
            continue
        add(Candidate("code", token, m.start(), m.end(), token))
    for m in _NUMBER_RE.finditer(text):
        add(Candidate("number", _parse_number(m.group(0)), m.start(), m.end(), m.group(0)))
    identifiers = [(m.start(), m.end()) for m in re.finditer(r"\w*_\w*", text)]
    for word, pos in words(text):
        if word in _NUMBER_WORDS and not _overlaps((pos, pos + len(word)), taken + identifiers):
            add(
                Candidate(
                    "number", _NUMBER_WORDS[word], pos, pos + len(word), text[pos : pos + len(word)]
                )
            )
    for c in _proper_nouns(text, taken):
        add(c)
    found.sort(key=lambda c: c.start)
    facts.candidates = found

    for prep_match in re.finditer(rf"\b({'|'.join(_PREPOSITIONS)})\b", text, re.I):
        if _overlaps((prep_match.start(), prep_match.end()), taken):
            continue
        after = _phrase_after(text, prep_match.end())
        if after is None:
            continue
        phrase, start, end = after
        inside = [c for c in found if start <= c.start < end and c.kind not in ("number",)]
        if inside:
            facts.prepositional.append((prep_match.group(1).lower(), inside[0]))
            continue
        first = _split_list(phrase)[0]
        if re.match(r"[\d.,-]+\b", first):
            continue
        facts.prepositional.append(
            (
                prep_match.group(1).lower(),
                Candidate("phrase", first, start, start + len(first), first),
            )
        )
        items = _split_list(phrase)
        if len(items) > 1:
            group: list[Candidate] = []
            cursor = start
            for item in items:
                at = text.index(item, cursor)
                group.append(Candidate("phrase", item, at, at + len(item), item))
                cursor = at + len(item)
            facts.lists.append(group)

    facts.lists = _coordinated(text, found) + _colon_lists(text) + facts.lists
    return facts


def _coordinated(text: str, found: list[Candidate]) -> list[list[Candidate]]:
    """Runs of same-kind values joined only by commas, `and`, `or`: "Paris, Rome and Oslo"."""
    groups: list[list[Candidate]] = []
    current: list[Candidate] = []
    for cand in found:
        if (
            current
            and cand.kind == current[-1].kind
            and _SEPARATOR_RE.match(text[current[-1].end : cand.start])
        ):
            current.append(cand)
            continue
        if len(current) > 1:
            groups.append(current)
        current = [cand]
    if len(current) > 1:
        groups.append(current)
    return groups


def _colon_lists(text: str) -> list[list[Candidate]]:
    """ "these passwords: mellon,radiance" -> a list of plain words after a colon."""
    groups: list[list[Candidate]] = []
    for m in re.finditer(r":\s*([^\n.?!:;]+)", text):
        body = m.group(1)
        if "," not in body and " and " not in body:
            continue
        items = _split_list(body)
        if len(items) < 2 or any(len(item.split()) > 4 for item in items):
            continue
        group: list[Candidate] = []
        cursor = m.start(1)
        for item in items:
            at = text.index(item, cursor)
            group.append(Candidate("phrase", item.strip("'\"“”`"), at, at + len(item), item))
            cursor = at + len(item)
        groups.append(group)
    return groups
