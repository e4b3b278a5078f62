"""Read a GenerateContentRequest the way the emulated model "understands" it.

Finds the last user turn, the media it carries, facts the user stated earlier ("my name is
Ada"), rules in the system instruction ("answer in French", "be brief", "you are a pirate")
and what kind of answer the prompt asks for (a greeting, a sum, a list, some code...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model.media import MediaInfo, inspect_part
from ..model.responder import Conversation
from ..model.vocab import CAPITALS, STOPWORDS
from .arith import arithmetic, format_number
from .asks import Ask, read_count, read_describe, read_names, read_plan
from .categories import CATEGORY_POOLS
from .shape import Shape, split_format

__all__ = [
    "Analysis",
    "Intent",
    "Rules",
    "analyse",
    "fact_key",
    "format_number",
    "keywords_of",
    "wants_code",
]

# What "Translate X into <language>" can translate into.
LANGUAGES = {"french": "fr", "spanish": "es"}
LANGUAGE_NAMES = {"fr": "French", "es": "Spanish"}
_STYLES = {
    "pirate": "pirate",
    "cat": "cat",
    "kitten": "cat",
    "captain": "captain",
    "sailor": "captain",
    "skipper": "captain",
    "mariner": "captain",
    "seafarer": "captain",
    "seaman": "captain",
}
_GENERIC_PERSONAS = re.compile(
    r"^(?:an? |the )?(?:very )?(?:helpful|friendly|useful|smart|expert|knowledgeable|polite)?"
    r"\s*(?:ai |virtual |research |personal |coding )?(?:assistant|chatbot|chat bot|bot|ai|"
    r"language model|large language model|model)\b",
    re.IGNORECASE,
)
_CAPITAL_COUNTRY = {capital: country for country, capital in CAPITALS.items()}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a few": 3,
    "a couple of": 2,
    "several": 4,
}


@dataclass(frozen=True)
class Rules:
    """Style rules from the system instruction (and from the prompt itself)."""

    language: str | None = None  # "fr" (the one other language the prose speaks)
    brief: bool = False
    terse: bool = False  # "in one word": just the key value
    persona: str | None = None  # e.g. "travel guide"
    style: str | None = None  # "pirate", "cat", "captain"
    assistant_name: str | None = None
    uppercase: bool = False
    bullets: bool = False
    ending: str | None = None


@dataclass(frozen=True)
class Intent:
    kind: str
    subject: str = ""
    extra: tuple[str, ...] = ()
    count: int | None = None


@dataclass(frozen=True)
class Analysis:
    prompt: str
    media: tuple[MediaInfo, ...]
    function_responses: tuple[dict[str, Any], ...]
    history: tuple[tuple[str, str], ...]  # earlier (role, text) turns
    facts: dict[str, str]
    rules: Rules
    intent: Intent
    keywords: tuple[str, ...]
    topic: str
    new_name: bool = False  # the user introduced themselves in this very turn
    shape: Shape | None = None  # "in three paragraphs", "in 50 words"...


def keywords_of(text: str, limit: int = 6) -> tuple[str, ...]:
    """Content words in order of appearance; proper nouns keep their capitals."""
    out: list[str] = []
    for m in re.finditer(r"[^\W\d_][\w'-]*", text):
        w = m.group().strip("'-")
        low = w.lower()
        if len(low) < 3 or low in STOPWORDS or low in (k.lower() for k in out):
            continue
        sentence_start = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".!?:\n"
        proper = any(c.isupper() for c in w[1:]) or (w[:1].isupper() and not sentence_start)
        out.append(w if proper else low)
        if len(out) >= limit:
            break
    return tuple(out)


def _clean_subject(text: str) -> str:
    text = re.split(r"[?!\n]|\.(?:\s|$)", text.strip())[0].strip()
    text = re.sub(r"^(?:A|An)\s+", lambda m: m.group(0).lower(), text)
    text = re.sub(r"^The\s+", "the ", text)
    text = re.sub(
        r"\s+(?:in|using) (?:simple|plain|a few|one|two|three|layman'?s?) .*$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r"\s+(?:to|for) an? \d+[- ]year[- ]old\b.*$|\s+like i'?m (?:five|5)\b.*$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    words = text.split()
    return " ".join(words[:10]).strip(" ,;:\"'“”")


# --- rules and facts --------------------------------------------------------------------------


def _rules(system: str, prompt: str) -> Rules:
    both = f"{system}\n{prompt}"
    low_sys, low_both = system.lower(), both.lower()
    language = None
    lang_re = r"\b(?:in|into|en)\s+(french|français|francais)\b"
    m = re.search(
        r"(?:answer|respond|reply|speak|write|talk|explain|say|always|only|must|responses?)[^.\n]*?"
        + lang_re,
        low_sys,
    )
    m = m or re.search(
        r"\b(?:answer|respond|reply|explain|write)\b[^.\n]*?" + lang_re, prompt.lower()
    )
    m = m or re.search(r"\byou (?:only )?speak (french)\b", low_sys)
    if m:
        language = "fr"
    terse = bool(
        re.search(
            r"\b(?:in |with |using )?(?:one|a single|1) word\b|\bjust the (?:number|answer|name)\b|\bonly the (?:number|answer|name)\b",
            low_both,
        )
    )
    brief = terse or bool(
        re.search(
            r"\b(?:be |keep it |keep (?:your )?answers? )?(?:brief|concise|succinct|terse)\b|\bone (?:short )?sentence\b|"
            r"\bshort (?:answer|response|reply)s?\b|\bfew words\b|\btwo or three words\b|\bkeep it short\b|"
            r"\bin (?:under|less than|fewer than) (?:[1-3]?\d|twenty|thirty) words\b|\bbriefly\b|\bconcisely\b|"
            r"\bin (?:brief|short)\b(?!\s+\w*\s*(?:paragraph|sentence|bullet|point|word|line))",
            low_both,
        )
    )
    persona = style = name = None
    for sentence in re.split(r"(?<=[.!?\n])\s+", system):
        pm = re.match(
            r"\s*(?:you are|you're|act as|pretend to be|roleplay as|play the role of)\s+(.+?)(?:[.,;!\n]| who | that | and |$)",
            sentence,
            re.IGNORECASE,
        )
        if not pm:
            continue
        role = pm.group(1).strip()
        nm = re.match(r"((?:[A-Z][\w'-]+)(?: [A-Z][\w'-]+){0,2})$", role)
        if nm and not re.match(r"(?:A|An|The)\b", role):
            name = name or nm.group(1)
            continue
        for word, kind in _STYLES.items():
            if re.search(rf"\b{word}\b", role.lower()):
                style = style or kind
        if not _GENERIC_PERSONAS.match(role):
            persona = persona or re.sub(r"^(?:an?|the)\s+", "", role, flags=re.IGNORECASE)
    nm2 = re.search(r"(?i:\byour name is) ([A-Z][\w'-]+)", system)
    name = name or (nm2.group(1) if nm2 else None)
    sm = re.search(
        r"\b(?:talk|speak|answer|respond|reply|write|act|sound)s?\s+like\s+(?:an?\s+|the\s+)?([^.,;!?\n]{2,40})",
        low_sys,
    )
    if sm:
        phrase = sm.group(1).strip()
        for word, kind in _STYLES.items():
            if style is None and re.search(rf"\b{word}\b", phrase):
                style = kind
        if (
            style is None
            and persona is None
            and re.fullmatch(r"[a-z' -]+", phrase)
            and not re.match(r"(?:you|i|we|it|this|that|they|he|she|a human|human)\b", phrase)
            and not _GENERIC_PERSONAS.match(phrase)
        ):
            persona = phrase
    em = re.search(
        r"\b(?:end|finish|close|sign off)(?: each| every| all| your)*(?: answers?| responses?| replies| messages?)? with [\"“']?([^\"”'\n]{1,60}?)[\"”']?\s*(?:[.!]\s|[.!]?$|\n)",
        system,
        re.IGNORECASE,
    )
    return Rules(
        language=language,
        brief=brief,
        terse=terse,
        persona=persona,
        style=style,
        assistant_name=name,
        uppercase=bool(
            re.search(r"\ball caps\b|\buppercase\b|\bin capital letters\b|\bupper case\b", low_both)
        ),
        bullets=bool(
            re.search(r"\bbullet(?:ed)? (?:points?|list)\b|\bbullets\b|\bas a list\b", low_both)
        ),
        ending=em.group(1).strip() if em else None,
    )


_FACT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("name", re.compile(r"(?i:\bmy name(?:'s| is))\s+([\w'-]+(?:\s+[A-Z][\w'-]+)?)")),
    ("name", re.compile(r"\bcall me\s+([A-Z][\w'-]+)")),
    ("name", re.compile(r"\b(?:I am|I'm|this is)\s+([A-Z][a-z'-]+)(?=[\s,.!]|$)")),
    (
        "location",
        re.compile(r"\bI (?:live|am living|'m living) in\s+([A-Z][\w'. -]+?)(?=[,.!?\n]|$)"),
    ),
    ("location", re.compile(r"\bI(?:'m| am) from\s+([A-Z][\w'. -]+?)(?=[,.!?\n]|$)")),
    ("age", re.compile(r"\bI(?:'m| am)\s+(\d{1,3})\s+years? old", re.IGNORECASE)),
]
_GENERIC_FACT = re.compile(
    r"\bmy\s+((?:fav(?:ou?rite)?\s+)?[a-z]+(?:\s[a-z]+)?)\s+(?:is|are|was)\s+(?:called\s+|named\s+)?([^.,!?\n]{1,40}?)(?=\s+(?:and|but)\s|[.,!?\n]|$)",
    re.IGNORECASE,
)
_NOT_NAMES = {
    "not",
    "sure",
    "here",
    "back",
    "fine",
    "good",
    "great",
    "ok",
    "okay",
    "going",
    "trying",
    "looking",
    "working",
    "happy",
    "sorry",
    "just",
    "really",
    "also",
    "so",
}


def fact_key(text: str) -> str:
    """One spelling per fact: "favourite colour" and "favorite color" are the same fact."""
    key = re.sub(r"^fav(?:ou?rite)?\s+", "favorite ", text.lower().strip(" ?.!"))
    return key.replace("colour", "color")


def _facts(user_turns: list[str]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for turn in user_turns:
        # Facts come from statements, not from questions about them.
        text = " ".join(
            s for s in re.split(r"(?<=[.!?\n])\s+", turn) if not s.rstrip().endswith("?")
        )
        for m in _GENERIC_FACT.finditer(text):
            key = fact_key(m.group(1))
            if key != "name":
                facts[key] = m.group(2).strip()
        for key, pattern in _FACT_PATTERNS:
            found = pattern.search(text)
            if found and found.group(1).split()[0].lower() not in _NOT_NAMES:
                value = found.group(1).strip()
                facts[key] = value[:1].upper() + value[1:] if key == "name" else value
    return facts


# --- intent -----------------------------------------------------------------------------------

# Asking for code: a verb with a code noun as its object ("write a function", "show me some
# code"), code nouns that only appear in requests ("a snippet", "a script to..."), Python by name
# or a fenced block in the prompt. The bare word "code" ("tips for clear code") is not enough.
_CODE_NOUNS = r"(?:code|function|script|snippet|program|class|method|algorithm|implementation|one-liner|regex|decorator|module)"
_CODE_ASK_RE = re.compile(
    r"\b(?:write|show|give|create|generate|implement|make|provide|share|build|code up|need|want|draft|sketch)\s+"
    r"(?:me\s+|us\s+)?(?:(?:an?|the|some|this|that|simple|small|short|quick|little|sample|example|python|working|basic|complete|full|tiny|clean|recursive)\s+){0,3}"
    + _CODE_NOUNS
    + r"s?\b",
    re.IGNORECASE,
)
_CODE_WORD_RE = re.compile(
    r"\b(?:python|snippet|script|def)\b|```|\bcode (?:to|that|which|for|example|sample|snippet)\b|\bin code\b|"
    r"\b(?:function|program|algorithm) (?:to|that|which)\b|\bimplement (?:an?|the)\b",
    re.IGNORECASE,
)
_NOT_CODE_RE = re.compile(
    r"\b(?:morse|zip|postal|dress|area|country|promo|discount|source of)\s+code\b|\bcode of conduct\b",
    re.IGNORECASE,
)


def wants_code(prompt: str) -> bool:
    """Whether the prompt asks for code (so the answer should carry a Python block)."""
    asked = bool(_CODE_ASK_RE.search(prompt) or _CODE_WORD_RE.search(prompt))
    return asked and not _NOT_CODE_RE.search(prompt)


def _count(text: str) -> int | None:
    m = re.search(r"\b(\d{1,2})\b", text)
    if m:
        return int(m.group(1))
    for word, value in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return value
    return None


def _category(text: str) -> str | None:
    low = text.lower()
    if re.search(
        r"\bu\.?s\.? states\b|\bstates (?:of|in) (?:the )?(?:us|usa|united states|america)\b|\bamerican states\b",
        low,
    ):
        return "state"
    for key in sorted(CATEGORY_POOLS, key=len, reverse=True):
        plural = {"country": "countries", "capital": "capitals"}.get(key, key + "s")
        if re.search(
            rf"\b(?:{re.escape(key)}|{re.escape(plural)}|{re.escape(key.replace('color', 'colour'))}s?)\b",
            low,
        ):
            return key
    return None


def _ask(asked: Ask) -> Intent:
    kind, subject, extra, count = asked
    return Intent(kind, subject=subject, extra=extra, count=count)


def _intent(
    prompt: str, media: tuple[MediaInfo, ...], has_function_response: bool, stated: tuple[str, ...]
) -> Intent:
    p = prompt.strip()
    low = p.lower()
    if not p:
        if has_function_response:
            return Intent("function_result")
        return Intent("media" if media else "empty")
    if re.search(
        r"\bwhat(?:'s| is| was) my (\w+(?: \w+)?)\b|\bdo you (?:remember|know|recall) my (\w+(?: \w+)?)\b|\bwho am i\b",
        low,
    ):
        m = re.search(r"my (\w+(?: \w+)?)", low)
        attr = (m.group(1) if m else "name").rstrip("?")
        return Intent("recall", subject="name" if low.startswith("who am") else fact_key(attr))
    if re.search(
        r"\bwhat did i (?:just )?(?:say|tell you|ask)\b|\bmy (?:previous|last|first) (?:question|message)\b",
        low,
    ):
        return Intent("quote")
    if re.search(
        r"\b(?:who|what) are you\b|\bwhat(?:'s| is) your name\b|\bintroduce yourself\b|\btell me about yourself\b",
        low,
    ):
        return Intent("self")
    m = re.match(
        r"(?:please\s+)?(?:say|repeat|reply with|respond with|answer with|print|output)(?: exactly| only| just)?(?: the word| the phrase)?\s*:?\s*[\"“'](.+?)[\"”']\s*[.!]?$",
        p,
        re.IGNORECASE,
    )
    m = m or re.match(
        r"(?:please\s+)?say\s+(?:exactly\s*:?\s*)?([\w!,.' -]{1,40}?)[.!]?$", p, re.IGNORECASE
    )
    if m:
        return Intent("say", subject=m.group(1).strip())
    counted = read_count(p)
    if counted:
        return _ask(counted)
    words = re.findall(r"\w+", low)
    if stated and len(words) <= 25 and "?" not in p:
        return Intent("introduce", extra=stated)
    if (
        re.match(
            r"^(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)|yo)\b", low
        )
        and len(words) <= 10
        and not re.search(
            r"\b(?:what|why|explain|describe|tell me|who|where|when|which|write|code|list)\b", low
        )
    ):
        return Intent("greeting")
    for reader in (read_names, read_plan):
        asked = reader(p)
        if asked:
            return _ask(asked)
    if wants_code(p) and re.search(
        r"\b(?:code|function|script|snippet|program|implement|algorithm|def|class|write|show|create|generate|example|how (?:do|can) i|how to)\b",
        low,
    ):
        return Intent(
            "code",
            subject=_clean_subject(
                re.sub(
                    r"^(?:please\s+)?(?:write|create|give me|show me|generate|implement|make)\s+(?:me\s+)?(?:an?|some|the)?\s*",
                    "",
                    p,
                    flags=re.IGNORECASE,
                )
            ),
        )
    arith = arithmetic(p)
    if arith and (
        len(words) <= 14
        or re.search(r"\b(?:calculate|compute|what is|what's|evaluate|solve)\b", low)
    ):
        return Intent("arithmetic", subject=arith[0], extra=(arith[1],))
    m = re.search(r"\bcapital (?:city )?of ((?:the )?[A-Z][\w.]*(?: [A-Z][\w.]*)*)", p)
    if m:
        country = re.sub(r"^the ", "", m.group(1))
        aliases = {
            "USA": "United States",
            "US": "United States",
            "UK": "United Kingdom",
            "America": "United States",
            "Britain": "United Kingdom",
            "Korea": "South Korea",
        }
        country = aliases.get(country, country)
        if country in CAPITALS:
            return Intent("capital", subject=country, extra=(CAPITALS[country],))
    m = re.search(r"\btranslate\s+[\"“']?(.+?)[\"”']?\s+(?:in)?to\s+(\w+)", p, re.IGNORECASE)
    if m and m.group(2).lower() in LANGUAGES:
        return Intent(
            "translate", subject=m.group(1).strip(), extra=(LANGUAGES[m.group(2).lower()],)
        )
    m = re.search(r"\b(haiku|story|tale|joke)\b(?:.*?\babout\s+(.+))?", low)
    if m and re.search(r"\b(?:write|tell|compose|create|give|make)\b", low):
        kind = "story" if m.group(1) == "tale" else m.group(1)
        raw = p[m.start(2) :] if m.group(2) else " ".join(keywords_of(p, 3))
        subject = re.split(r"[?!\n]|\.(?:\s|$)", raw.strip())[0].strip(" ,;:\"'“”")
        return Intent("creative", subject=" ".join(subject.split()[:8]), extra=(kind,))
    m = re.search(r"\b(?:summari[sz]e|summary of|tl;?dr|sum up)\b", low)
    if m:
        body = (
            p.split(":", 1)[1]
            if ":" in p
            else re.sub(
                r"^.*?\b(?:summari[sz]e|summary of|sum up)\b(?: the following| this)?",
                "",
                p,
                flags=re.IGNORECASE,
            )
        )
        return Intent("summarize", subject=body.strip())
    m = re.search(
        r"\bdifferences? between (.+?) and (.+?)(?:[?.!]|$)|\bcompare (.+?) (?:and|with|to|vs\.?) (.+?)(?:[?.!]|$)|^(.+?) (?:vs\.?|versus) (.+?)(?:[?.!]|$)",
        p,
        re.IGNORECASE,
    )
    if m:
        a, b = [g for g in m.groups() if g][:2]
        return Intent("compare", subject=_clean_subject(a), extra=(_clean_subject(b),))
    if re.match(r"^(?:thanks|thank you|thx|cheers|much appreciated)\b", low) and len(words) <= 8:
        return Intent("thanks")
    m = re.search(
        r"\bi(?:'m| am) (?:feeling |so |really |a bit |very )*(sad|down|stressed|anxious|tired|lonely|upset|worried|overwhelmed|nervous|exhausted)\b",
        low,
    )
    if m and "?" not in p:
        return Intent("feeling", subject=m.group(1))
    m = re.search(
        r"\b(?:write|draft|compose)\b.*?\b(email|e-mail|letter|message|note|memo|cover letter)\b(?:\s+to\s+(?:my\s+)?([\w ]+?))?(?:\s+(asking|about|regarding|requesting|to say|saying|for)\s+(.+))?$",
        p,
        re.IGNORECASE,
    )
    if m:
        verb, what = (
            (m.group(3) or "").lower(),
            re.sub(r"^(?:for|about)\s+", "", _clean_subject(m.group(4) or "")),
        )
        purpose = (
            {
                "asking": f"to ask for {what}",
                "requesting": f"to request {what}",
                "to say": f"to say {what}",
                "saying": f"to say {what}",
            }.get(verb, f"about {what}")
            if what
            else ""
        )
        return Intent(
            "email", subject=purpose, extra=((m.group(2) or "").strip(), m.group(1).lower(), what)
        )
    m = re.search(
        r"\b(?:write|give me|draft)\b.*?\b(?:essay|article|paragraph|blog post|report)\b(?:.*?\b(?:about|on)\s+(.+))?",
        p,
        re.IGNORECASE,
    )
    if m:
        return Intent("explain", subject=_clean_subject(m.group(1) or " ".join(keywords_of(p, 3))))
    m = re.match(
        r"(?i:who (?:is|was|were)|tell me about|what do you know about|describe)\s+((?:[A-Z][\w'-]+(?:\.[A-Z][\w'-]*)*)(?:\s+(?:[A-Z][\w.'-]+|de|da|van|von|of))*)\s*[?.!]?$",
        p,
    )
    if m:
        name = m.group(1) if re.search(r"\b[A-Z]\.$", m.group(1)) else m.group(1).rstrip(".")
        nation = _CAPITAL_COUNTRY.get(name)
        if nation:
            return Intent("place", subject=name, extra=(nation, CAPITALS[nation]))
        if low.startswith("who") or len(name.split()) >= 2:
            return Intent("person", subject=name)
    described = read_describe(p)
    if described:
        if media and re.search(
            r"\b(?:this|these|attached|the)\b.*\b(?:image|picture|photo|audio|video|file|document|pdf|clip|recording)s?\b|^(?:it|this|that)$",
            described[1],
            re.IGNORECASE,
        ):
            return Intent("describe_media")
        return _ask(described)
    category = _category(p)
    if re.search(r"\b(?:benefits|advantages|pros|disadvantages|drawbacks) of\b", low):
        noun = "benefits" if re.search(r"\b(?:benefits|advantages|pros)\b", low) else "drawbacks"
        subject = _clean_subject(re.sub(r"^.*?\bof\s+", "", p, count=1))
        return Intent("list", subject=subject, extra=(noun, "", ""), count=_count(p))
    if re.search(r"\b(?:recommend|suggest)\b", low) and not category:
        subject = _clean_subject(
            re.sub(
                r"^.*?\b(?:recommend|suggest)\s+(?:me\s+)?(?:some\s+|a few\s+|a\s+)?",
                "",
                p,
                count=1,
                flags=re.IGNORECASE,
            )
        )
        return Intent("list", subject=subject, extra=("suggestions", "", ""), count=_count(p))
    how = re.search(
        r"\bhow (?:do|can|should|could|would) (?:i|we|you|one)\s+(.+)", p, re.IGNORECASE
    )
    if how and not category:
        goal = _clean_subject(how.group(1))
        goal = re.sub(r"\bmy\b", "your", goal)
        noun = (
            "tips"
            if re.search(
                r"\b(?:improve|better|boost|increase|reduce|stop|start|stay|become|learn|get|keep|avoid|deal)\b",
                goal.lower(),
            )
            else "steps"
        )
        return Intent("list", subject=goal, extra=(noun, "", "how"), count=_count(p))
    list_like = re.search(
        r"\b(?:list|enumerate)\b|\bname (?:\d+|a few|some|several|one|two|three|four|five|six|seven|eight|nine|ten)\b|\bgive me (?:\d+|a few|some|several)\b|\b\d+ (?:\w+ )?(?:ideas|tips|ways|examples|reasons|facts|things|steps|benefits|options)\b|\btop \d+\b|\bwhat are (?:some|the main|the best)\b|\bsteps? to\b|\bhow (?:do|can) i\b|\bhow to\b|\btips\b|\bideas\b",
        low,
    )
    if list_like:
        noun_m = re.search(
            r"\b(ideas|tips|ways|examples|reasons|steps|benefits|options|facts|things)\b", low
        )
        noun = (
            noun_m.group(1)
            if noun_m
            else (
                "steps"
                if re.search(r"\bhow (?:do|can) i\b|\bhow to\b|\bsteps?\b", low)
                else "ideas"
            )
        )
        all_items = bool(re.search(r"\ball\b", low))
        subject = (
            _clean_subject(
                re.sub(r"^.*?\b(?:for|about|on|to|of)\s+", "", p, count=1, flags=re.IGNORECASE)
            )
            if re.search(r"\b(?:for|about|on|to|of)\s+", p)
            else " ".join(keywords_of(p, 3))
        )
        return Intent(
            "list",
            subject=subject,
            extra=(noun, category or "", "all" if all_items else ""),
            count=_count(p),
        )
    m = re.match(
        r"(?:is|are|can|could|should|does|do|will|would|was|were|has|have|did)\b(.+)\?$", low
    )
    if m:
        return Intent("yesno", subject=_clean_subject(p[len(p.split()[0]) :]))
    m = re.search(
        r"\bwhy (is|are|was|were|do|does|did) ((?:the |a |an )?[\w-]+) (.+)", p, re.IGNORECASE
    )
    if m:
        verb = "" if m.group(1).lower() in ("do", "does", "did") else f" {m.group(1).lower()}"
        return Intent("explain", subject=_clean_subject(f"why {m.group(2)}{verb} {m.group(3)}"))
    m = re.search(
        r"\b(?:what(?:'s| is| are| was| were)|who (?:is|was|are|were)|explain|tell me about|describe|define|what does .+? mean|how (?:does|do|did|is|are))\s+(.+)",
        p,
        re.IGNORECASE,
    )
    if m:
        subject = _clean_subject(m.group(1))
        # "Explain what machine learning is" is about machine learning.
        inner = re.fullmatch(
            r"what (?:an? |the )?(.+?) (?:is|are|means|does)", subject, re.IGNORECASE
        )
        return Intent("explain", subject=inner.group(1) if inner else subject)
    if media and re.search(
        r"\b(?:this|the|these|attached)\b.*\b(?:image|picture|photo|audio|video|file|document|pdf|clip)\b|\bdescribe\b",
        low,
    ):
        return Intent("describe_media")
    return Intent("generic", subject=_clean_subject(" ".join(keywords_of(p, 4))))


def analyse(conversation: Conversation) -> Analysis:
    """Everything the phrase generator needs to know about a request."""
    prompt, history = conversation.prompt, conversation.history
    parts = conversation.parts
    media = tuple(info for p in parts if (info := inspect_part(p)) is not None)
    responses = tuple(
        p["functionResponse"] for p in parts if isinstance(p.get("functionResponse"), dict)
    )
    user_texts = [t for r, t in history if r != "model"] + [prompt]
    facts = _facts(user_texts)
    rules = _rules(conversation.system_text, prompt)
    asked, shape = split_format(prompt)
    earlier_facts = _facts([t for r, t in history if r != "model"])
    new_name = "name" in facts and facts.get("name") != earlier_facts.get("name")
    stated = tuple(k for k, v in facts.items() if earlier_facts.get(k) != v)
    intent = _intent(asked, media, bool(responses), stated)
    keywords = keywords_of(intent.subject or asked) or keywords_of(asked)
    topic = intent.subject or " ".join(keywords[:3])
    if not topic and media:
        topic = media[0].kind_label.split(" ", 1)[-1]
    if intent.kind == "compare":
        topic = f"{intent.subject} and {intent.extra[0]}"
    return Analysis(
        prompt=prompt,
        media=media,
        function_responses=responses,
        history=history,
        facts=facts,
        rules=rules,
        intent=intent,
        keywords=keywords,
        topic=topic or "your question",
        new_name=new_name,
        shape=shape,
    )
