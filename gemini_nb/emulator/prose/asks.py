"""Recognise a few more kinds of request: counting, naming, planning and describing.

Each reader returns ``(kind, subject, extra, count)`` or None; ``_analysis`` turns that into
an ``Intent``. They see the prompt with its format instructions already removed.
"""

from __future__ import annotations

import re

from ..model.numbers import NUMBER_RE, number_value

__all__ = ["Ask", "read_count", "read_describe", "read_names", "read_plan"]

Ask = tuple[str, str, tuple[str, ...], int | None]

_BOUND = rf"(-?\d{{1,4}}|{NUMBER_RE})"
_COUNT_RE = re.compile(
    rf"^(?:please\s+|can you\s+|could you\s+)*count\s*(backwards?|down|up)?\s*(?:from\s+{_BOUND}\s+)?(?:(?:up\s+)?to|till|until|through|down to)\s+{_BOUND}\b(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_COUNT_DOWN_RE = re.compile(
    rf"^(?:please\s+|can you\s+)*count\s*(?:backwards?|down)\s+from\s+{_BOUND}\b(.*)$",
    re.IGNORECASE | re.DOTALL,
)


def read_count(prompt: str) -> Ask | None:
    """ "Count from one to five in words" -> ("count", "1..5", (form,), 5)."""
    m = _COUNT_RE.match(prompt.strip())
    if m:
        start_raw, end_raw, tail = m.group(2), m.group(3), m.group(4)
        direction = (m.group(1) or "").lower()
    else:
        down = _COUNT_DOWN_RE.match(prompt.strip())
        if not down:
            return None
        start_raw, end_raw, tail, direction = down.group(1), "1", down.group(2), "down"
    start = number_value(start_raw) if start_raw else None
    end = number_value(end_raw)
    if end is None:
        return None
    if start is None:
        if direction.startswith(("down", "backward")):
            return None  # "count down to five": no start to count from
        start = 1
    if abs(end - start) > 1000:
        return None
    low = tail.lower()
    if re.search(r"\bin words\b|\bspell(?:ed|t)? out\b|\bwritten out\b|\bas words\b", low):
        form = "words"
    else:
        worded = bool(re.fullmatch(r"[a-z -]+", (start_raw or end_raw).lower()))
        form = "words" if worded else "digits"
    if re.search(
        r"\b(?:one )?(?:number )?(?:per|each on (?:a|its own)|on (?:a )?separate|on (?:its|their) own) lines?\b",
        low,
    ):
        form += "/lines"
    if re.search(r"\bby (?:twos|2s|two)\b", low):
        form += ":2"
    return ("count", f"{start}..{end}", (form,), abs(end - start) + 1)


_NAMES_RE = re.compile(
    r"\b(?:suggest|recommend|give me|come up with|think of|brainstorm|pick|choose|propose|need|want|help me (?:find|pick|choose)|what(?:'s| is| are| would be)? (?:a |some )?(?:good|nice|cute|cool|fun|great))\b"
    rf"(?:\s+(?:me|us))?\s*(?:({NUMBER_RE})\s+)?(?:(?:good|nice|cute|cool|fun|great|creative|unique|funny|catchy|short|possible|new)\s+)*names?\s+(?:ideas?\s+)?(?:for|of)\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)


def read_names(prompt: str) -> Ask | None:
    """ "Suggest a name for a cat" -> ("names", "a cat", ("cat",), 1)."""
    call = re.search(
        r"\bwhat (?:should|could|shall|can) (?:i|we) (?:call|name)\s+(.+?)\s*[?.!]?$",
        prompt.strip(),
        re.IGNORECASE,
    )
    if call:
        subject = re.sub(r"\bmy\b", "your", call.group(1), flags=re.IGNORECASE)
        what = subject.lower().split()[-1] if subject.split() else ""
        return ("names", subject, (what,), 1)
    m = _NAMES_RE.search(prompt.strip())
    if not m:
        return None
    raw, count_raw = m.group(2), m.group(1) or ""
    subject = re.split(r"[?!\n]|\.(?:\s|$)", raw.strip())[0].strip(" ,;:\"'“”")
    subject = re.sub(r"\bmy\b", "your", subject, flags=re.IGNORECASE)
    if not subject or len(subject.split()) > 10:
        return None
    plural_ask = bool(re.search(r"\bnames\b", prompt, re.IGNORECASE))
    count = number_value(count_raw) if count_raw else None
    if count is None:
        count = 5 if plural_ask else 1
    what = re.sub(r"^(?:an?|the|your|our|new|little|baby)\s+", "", subject.lower())
    what = re.sub(r"^(?:new|little|baby|pet)\s+", "", what) or subject.lower()
    return ("names", subject, (what.split()[-1] if what else "",), max(1, min(count, 12)))


_CURRENCY = (
    r"(?:euros?|eur|€|dollars?|usd|us\$|\$|pounds?|gbp|£|yen|¥|francs?|chf|reais|real|pesos?)"
)
_BUDGET_RE = re.compile(
    rf"(?:(€|\$|£|¥)\s?(\d[\d,]*(?:\.\d+)?))|(?:(\d[\d,]*(?:\.\d+)?)\s?({_CURRENCY}))\b",
    re.IGNORECASE,
)
_DAYS_RE = re.compile(rf"\b({NUMBER_RE})[- ](?:full[- ])?(days?|nights?)\b", re.IGNORECASE)
_PLACE_RE = re.compile(
    r"\b(?:in|to|around|across|through|visiting|of|for)\s+((?:[A-Z][\w'’.-]*)(?:\s+(?:[A-Z][\w'’.-]*|de|do|da|del|la|le))*)"
)
_NOT_PLACES = {"I", "A", "The", "My", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}


def _currency_word(raw: str) -> str:
    low = raw.lower()
    for key, word in (
        ("eur", "euros"),
        ("usd", "dollars"),
        ("us$", "dollars"),
        ("dollar", "dollars"),
        ("gbp", "pounds"),
        ("pound", "pounds"),
        ("chf", "francs"),
        ("franc", "francs"),
        ("peso", "pesos"),
        ("rea", "reais"),
        ("yen", "yen"),
    ):
        if low.startswith(key):
            return word
    return low


def read_plan(prompt: str) -> Ask | None:
    """ "Plan one day in Lisbon for 120 euros" -> ("plan", ..., (place, days, amount, currency), days)."""
    p = prompt.strip()
    first_line = p.split("\n", 1)[0]
    if not re.search(
        r"^(?:please\s+|can you\s+|could you\s+|help me\s+|i want to\s+|i'd like to\s+|let's\s+)*plan\b"
        r"|\b(?:make|create|draft|build|put together|suggest|give me|write|prepare|design)\b[^.?!\n]{0,40}?\b(?:plan|itinerary|schedule|agenda|day trip)\b"
        r"|\bitinerary\b",
        first_line,
        re.IGNORECASE,
    ):
        return None
    place = ""
    for m in _PLACE_RE.finditer(first_line):
        words = [w for w in m.group(1).split() if w not in _NOT_PLACES]
        if words and words[0][:1].isupper():
            place = " ".join(words).rstrip(".,’'")
            break
    days = 0
    dm = _DAYS_RE.search(first_line)
    if dm:
        value = number_value(dm.group(1)) or 1
        days = value + (1 if dm.group(2).lower().startswith("night") else 0)
    amount, currency = "", ""
    bm = _BUDGET_RE.search(first_line)
    if bm:
        amount = (bm.group(2) or bm.group(3) or "").replace(",", "")
        currency = _currency_word(bm.group(1) or bm.group(4) or "")
    trip = bool(place or days or amount) or bool(
        re.search(
            r"\b(?:trip|visit|vacation|holiday|travel|weekend|sightseeing|tour)\b",
            first_line,
            re.IGNORECASE,
        )
    )
    subject = re.sub(
        r"^(?:please\s+|can you\s+|could you\s+|help me\s+|i want to\s+|i'd like to\s+|let's\s+)*"
        r"(?:plan|make|create|draft|build|put together|suggest|give me|write|prepare|design)\s+(?:me\s+|us\s+)?",
        "",
        first_line,
        flags=re.IGNORECASE,
    )
    subject = re.split(r"[?!]|\.(?:\s|$)", subject)[0].strip(" ,;:")
    if not trip:
        return ("plan", subject or "your plan", ("", "", "", ""), None)
    span = min(max(days, 1), 7)
    return ("plan", subject, (place, str(span) if days else "0", amount, currency), span)


_DESCRIBE_RE = re.compile(
    r"^(?:please\s+|can you\s+|could you\s+)*(?:describe|tell me (?:a little |a bit |something )?about|what do you know about|write about|talk about|paint a picture of)\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)


def read_describe(prompt: str) -> Ask | None:
    """ "Describe the sea at night" / "Tell me about the moon" -> ("describe", subject, (), None)."""
    m = _DESCRIBE_RE.match(prompt.strip())
    if not m:
        return None
    subject = re.split(r"[?!\n]|\.(?:\s|$)", m.group(1).strip())[0].strip(" ,;:\"'“”")
    subject = re.sub(r"\bmy\b", "your", subject, flags=re.IGNORECASE)
    if not subject or re.fullmatch(r"(?:you|yourself)", subject, re.IGNORECASE):
        return None
    return ("describe", subject, (), None)
