"""Emulated code execution: recognise a computing task, write a Python program for it, and
report the exact stdout that program prints, computed here by separate, bounded code.

Nothing is executed: each task kind has a program template and an independent calculation
of what the template prints. The test suite runs the generated programs to check that the two
agree for every kind.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..prompt import read_prompt
from ..tool_parts import make_id, signs_code, thought_signature, uses_part_ids
from .code_numbers import NUMBER_TASKS, listed_numbers, normalised, plural
from .code_support import CodeTask, Unsupported, bar_chart_png, evaluate, line_chart_png

if TYPE_CHECKING:
    from .turn import ToolTurn

__all__ = ["CodeTask", "code_turn", "plan_code", "wants_code"]


_INTENT_RE = re.compile(
    r"\b(?:calculate|compute|run|execute|code|python|program|script|evaluate|solve)\b",
    re.IGNORECASE,
)
_PLOT_RE = re.compile(r"\b(?:plot|chart|graph|draw|visuali[sz]e|histogram)\b", re.IGNORECASE)


def _sequence_items(text: str) -> tuple[list[Any], bool] | None:
    """Numbers (if at least two) or else words quoted/after a colon: (items, are_numbers)."""
    numbers = listed_numbers(text)
    if len(numbers) >= 2:
        return numbers, True
    facts = read_prompt(text)
    quoted = [str(c.value) for c in facts.of_kind("quoted")]
    if len(quoted) >= 2:
        return quoted, False
    for group in facts.lists:
        if len(group) >= 2 and all(c.kind != "number" for c in group):
            return [str(c.value) for c in group], False
    return None


def _sort_task(text: str, low: str) -> CodeTask | None:
    if not re.search(
        r"\b(?:sort|arrange|alphabeti[sz]e)\b|\bin (?:ascending|descending|alphabetical|numerical|reverse) order\b",
        low,
    ):
        return None
    found = _sequence_items(text)
    if not found:
        return None
    items, numeric = found
    descending = bool(
        re.search(
            r"\b(?:descending|decreasing|reverse|largest to smallest|highest to lowest|biggest to smallest|z to a)\b",
            low,
        )
    )
    key = "" if numeric else ", key=str.lower"
    rev = ", reverse=True" if descending else ""
    result = sorted(items, key=None if numeric else str.lower, reverse=descending)
    name = "numbers" if numeric else "words"
    code = f"{name} = {items!r}\nprint(sorted({name}{key}{rev}))\n"
    order = "descending" if descending else "ascending"
    if not numeric:
        order = "reverse alphabetical" if descending else "alphabetical"
    return CodeTask(
        f"I'll sort the {len(items)} {name} in {order} order.",
        code,
        f"{result!r}\n",
        f"In {order} order: {', '.join(map(str, result))}.",
    )


def _target_text(text: str, low: str, verbs: str) -> str | None:
    facts = read_prompt(text)
    quoted = facts.of_kind("quoted")
    if quoted:
        return str(quoted[-1].value)
    m = re.search(
        rf"\b(?:{verbs})\s+(?:the\s+)?(?:string|word|text|sentence|phrase)?\s*:?\s*([\w' -]+?)[\s?.!]*$",
        text,
        re.I,
    )
    if m and m.group(1).strip():
        return m.group(1).strip()
    m = re.search(
        r"\b(?:in|of)\s+(?:the\s+)?(?:word|string|text|name)?\s*([\w'-]+)[\s?.!]*$", text, re.I
    )
    return m.group(1) if m else None


def _count_task(text: str, low: str) -> CodeTask | None:
    if not re.search(r"\b(?:count|how many|number of)\b", low):
        return None
    target = _target_text(text, low, "in|of")
    if not target:
        return None
    literal = repr(target)
    if re.search(r"\bvowels?\b", low):
        count = sum(1 for ch in target.lower() if ch in "aeiou")
        code = f'text = {literal}\nvowels = sum(1 for ch in text.lower() if ch in "aeiou")\nprint(f"Vowels: {{vowels}}")\n'
        return CodeTask(
            f"I'll count the vowels in {literal}.",
            code,
            f"Vowels: {count}\n",
            f"{literal} contains {plural(count, 'vowel')}.",
        )
    if (
        re.search(r"\bwords?\b", low)
        and not re.search(r"\bletters?\b|\bcharacters?\b", low)
        and " " in target
    ):
        count = len(target.split())
        code = f'text = {literal}\nprint(f"Words: {{len(text.split())}}")\n'
        return CodeTask(
            f"I'll count the words in {literal}.",
            code,
            f"Words: {count}\n",
            f"{literal} has {plural(count, 'word')}.",
        )
    letter = (
        re.search(r"\bletter\s+['\"‘“]?([a-z])\b['\"’”]?", low)
        or re.search(r"\bhow many\s+['\"‘“]?([a-z])['\"’”]?(?:'s|s)?\b(?!\w)", low)
        or re.search(r"\b(?:count|number of)\s+(?:the\s+)?['\"‘“]([a-z])['\"’”]", low)
    )
    if letter:
        ch = letter.group(1)
        count = target.lower().count(ch)
        code = (
            f"text = {literal}\ncount = text.lower().count({ch!r})\n"
            f"print(f\"The letter '{ch}' appears {{count}} times in {{text!r}}\")\n"
        )
        return CodeTask(
            f"I'll count how often the letter '{ch}' occurs in {literal}.",
            code,
            f"The letter '{ch}' appears {count} times in {literal}\n",
            f"The letter '{ch}' appears {plural(count, 'time')} in {literal}.",
        )
    if re.search(r"\b(?:characters?|letters?|length)\b", low):
        count = len(target)
        code = f'text = {literal}\nprint(f"Characters: {{len(text)}}")\n'
        return CodeTask(
            f"I'll count the characters in {literal}.",
            code,
            f"Characters: {count}\n",
            f"{literal} is {plural(count, 'character')} long.",
        )
    return None


def _reverse_task(text: str, low: str) -> CodeTask | None:
    if not re.search(r"\breverse\b", low) or re.search(r"\bsort|order\b", low):
        return None
    if re.search(r"\b(?:list|numbers|array)\b", low) and len(listed_numbers(text)) >= 2:
        numbers = listed_numbers(text)
        code = f"numbers = {numbers}\nprint(numbers[::-1])\n"
        return CodeTask(
            "I'll reverse the list with a slice.",
            code,
            f"{numbers[::-1]}\n",
            f"Reversed, the list is {numbers[::-1]}.",
        )
    target = _target_text(text, low, "reverse")
    if not target:
        return None
    literal = repr(target)
    if re.search(r"\bwords\b|\bword order\b", low) and " " in target:
        result = " ".join(reversed(target.split()))
        code = f'text = {literal}\nprint(" ".join(reversed(text.split())))\n'
        return CodeTask(
            f"I'll reverse the order of the words in {literal}.",
            code,
            f"{result}\n",
            f"With the words reversed: {result!r}.",
        )
    code = f"text = {literal}\nprint(text[::-1])\n"
    return CodeTask(
        f"I'll reverse {literal} with a slice.",
        code,
        f"{target[::-1]}\n",
        f"{literal} reversed is {target[::-1]!r}.",
    )


def _palindrome_task(text: str, low: str) -> CodeTask | None:
    if "palindrome" not in low:
        return None
    facts = read_prompt(text)
    quoted = facts.of_kind("quoted")
    m = re.search(r"\bis\s+['\"‘“]?([\w' -]+?)['\"’”]?\s+a\s+palindrome", text, re.I)
    target = str(quoted[0].value) if quoted else (m.group(1) if m else None)
    if not target:
        return None
    cleaned = "".join(ch.lower() for ch in target if ch.isalnum())
    answer = cleaned == cleaned[::-1]
    code = (
        f'text = {target!r}\ncleaned = "".join(ch.lower() for ch in text if ch.isalnum())\n'
        'print(f"Palindrome: {cleaned == cleaned[::-1]}")\n'
    )
    verdict = "is" if answer else "is not"
    return CodeTask(
        f"I'll check whether {target!r} reads the same backwards, ignoring case and punctuation.",
        code,
        f"Palindrome: {answer}\n",
        f"{target!r} {verdict} a palindrome.",
    )


_WORD_OPERATORS = [
    (r"\bto the power of\b|\braised to(?: the power of)?\b", "**"),
    (r"\bmultiplied by\b|\btimes\b", "*"),
    (r"\bdivided by\b|\bover\b", "/"),
    (r"\bplus\b|\badded to\b", "+"),
    (r"\bminus\b", "-"),
    (r"\bmod(?:ulo)?\b", "%"),
    (r"\bsquared\b", "**2"),
    (r"\bcubed\b", "**3"),
]
_EXPR_RE = re.compile(r"(?:math\.\w+\(|[\d.(])(?:[\d\s.+\-*/%()]|math\.\w+\()*[\d)]")


def _arithmetic_task(text: str, low: str) -> CodeTask | None:
    expr = low.replace("×", "*").replace("÷", "/").replace("^", "**").replace("−", "-")
    expr = re.sub(r"(\d),(\d{3})\b", r"\1\2", expr)
    expr = re.sub(r"(\d)\s*x\s*(?=\d)", r"\1 * ", expr)
    expr = re.sub(r"\b(?:the\s+)?square root of\s+([\d.]+)", r"math.sqrt(\1)", expr)
    expr = re.sub(r"(?<!\.)\bsqrt\s*\(", "math.sqrt(", expr)
    expr = re.sub(r"([\d.]+)\s*%\s*of\s+([\d.]+)", r"\1 / 100 * \2", expr)
    for pattern, symbol in _WORD_OPERATORS:
        expr = re.sub(pattern, f" {symbol} ", expr)
    best: tuple[str, Any] | None = None
    for m in _EXPR_RE.finditer(expr):
        candidate = m.group(0).strip()
        if (
            not re.search(r"[-+*/%]|math\.", candidate)
            or len(re.findall(r"\d+(?:\.\d+)?", candidate)) < 1
        ):
            continue
        if not re.search(r"\d\s*(?:\*\*|[-+*/%])\s*[\d(m]|math\.", candidate):
            continue
        try:
            canonical, value = evaluate(candidate)
        except Unsupported:
            continue
        except (ArithmeticError, ValueError) as error:
            failing = ast_unparse_safe(candidate)
            if failing is None:
                continue
            best = (failing, error)
            break
        if best is None or len(canonical) > len(best[0]):
            best = (canonical, value)
    if best is None:
        return None
    canonical, value = best
    head = "import math\n\n" if "math." in canonical else ""
    code = f"{head}result = {canonical}\nprint(result)\n"
    if isinstance(value, Exception):
        output = (
            f'Traceback (most recent call last):\n  File "<string>", line {3 if head else 1}, in <module>\n'
            f"{type(value).__name__}: {value}\n"
        )
        return CodeTask(
            f"I'll evaluate {canonical} in Python.",
            code,
            output,
            f"Evaluating {canonical} fails with {type(value).__name__}: {value}, so it has no numeric value.",
            outcome="OUTCOME_FAILED",
        )
    return CodeTask(
        f"I'll evaluate {canonical} in Python.", code, f"{value}\n", f"{canonical} = {value}."
    )


def ast_unparse_safe(source: str) -> str | None:
    import ast

    try:
        return ast.unparse(ast.parse(source, mode="eval"))
    except SyntaxError:
        return None


_CURVES: dict[str, tuple[str, Callable[[float], float], float, float]] = {
    "sin": ("math.sin(x)", math.sin, -2 * math.pi, 2 * math.pi),
    "cos": ("math.cos(x)", math.cos, -2 * math.pi, 2 * math.pi),
    "square": ("x ** 2", lambda x: x**2, -5.0, 5.0),
    "cube": ("x ** 3", lambda x: x**3, -3.0, 3.0),
    "exp": ("math.exp(x)", math.exp, -2.0, 3.0),
}


def _plot_task(text: str, low: str) -> CodeTask | None:
    if not _PLOT_RE.search(low):
        return None
    numbers = listed_numbers(text)
    if len(numbers) < 2 and not re.search(
        r"\b(?:sin|cos|sine|cosine|parabola|exp|exponential|function|curve|squared|cubic)\b|x\s*(?:\^|\*\*)|y\s*=",
        low,
    ):
        return None
    if len(numbers) >= 2 and not re.search(
        r"\b(?:sin|cos|sine|cosine|x\^2|x\*\*2|squared|parabola|exp)", low
    ):
        values = numbers[:40]
        code = (
            "import matplotlib.pyplot as plt\n\n"
            f"values = {values}\nlabels = [str(i + 1) for i in range(len(values))]\n\n"
            'plt.figure(figsize=(6, 4))\nplt.bar(labels, values, color="#4285F4")\n'
            'plt.title("Values")\nplt.xlabel("Item")\nplt.ylabel("Value")\nplt.tight_layout()\nplt.show()\n\n'
            'print(f"Plotted {len(values)} values; the largest is {max(values)}.")\n'
        )
        output = f"Plotted {len(values)} values; the largest is {max(values)}.\n"
        return CodeTask(
            "I'll draw a bar chart of those values with matplotlib.",
            code,
            output,
            f"The bar chart shows {len(values)} values, the tallest bar being {max(values)}.",
            image=bar_chart_png([float(v) for v in values]),
        )
    if re.search(r"\b(?:cos|cosine)\b", low):
        key = "cos"
    elif re.search(r"\b(?:sin|sine)\b", low):
        key = "sin"
    elif re.search(r"\bexp|exponential", low):
        key = "exp"
    elif re.search(r"x\s*(?:\^|\*\*)\s*3|cubic|cubed", low):
        key = "cube"
    else:
        key = "square"
    expr, func, start, stop = _CURVES[key]
    points = 101
    step = (stop - start) / (points - 1)
    xs = [start + i * step for i in range(points)]
    ys = [func(x) for x in xs]
    head = "import math\n" if "math." in expr else ""
    code = (
        f"{head}import matplotlib.pyplot as plt\n\n"
        f"start, step = {start!r}, {step!r}\nxs = [start + i * step for i in range({points})]\nys = [{expr} for x in xs]\n\n"
        f'plt.figure(figsize=(6, 4))\nplt.plot(xs, ys)\nplt.title("y = {expr}")\nplt.xlabel("x")\nplt.ylabel("y")\n'
        "plt.grid(True)\nplt.show()\n\n"
        'print(f"Plotted {len(xs)} points; y ranges from {min(ys):.4f} to {max(ys):.4f}.")\n'
    )
    output = f"Plotted {points} points; y ranges from {min(ys):.4f} to {max(ys):.4f}.\n"
    return CodeTask(
        f"I'll plot y = {expr} with matplotlib.",
        code,
        output,
        f"The chart shows y = {expr} for x between {start:.2f} and {stop:.2f}.",
        image=line_chart_png(ys),
    )


def _generic_task(text: str, low: str) -> CodeTask:
    sample = " ".join(text.split())[:300]
    tokens = sample.split()
    literal = repr(sample)
    code = f'text = {literal}\nwords = text.split()\nprint(f"Characters: {{len(text)}}")\nprint(f"Words: {{len(words)}}")\n'
    output = f"Characters: {len(sample)}\nWords: {len(tokens)}\n"
    if tokens:
        code += 'print(f"Longest word: {max(words, key=len)}")\n'
        output += f"Longest word: {max(tokens, key=len)}\n"
    return CodeTask(
        "I couldn't tell exactly which computation you want, so here is a small program that analyses your request.",
        code,
        output,
        f"Your request has {plural(len(tokens), 'word')} and {plural(len(sample), 'character')}.",
    )


_TASKS: list[Callable[[str, str], CodeTask | None]] = [
    _plot_task,
    *NUMBER_TASKS,
    _sort_task,
    _palindrome_task,
    _count_task,
    _reverse_task,
    _arithmetic_task,
]


def wants_code(text: str) -> bool:
    """Whether the prompt asks for something to be computed or run."""
    return bool(_INTENT_RE.search(text))


def plan_code(text: str) -> CodeTask | None:
    """The task the prompt asks for; the generic analysis when it only asks to compute/run
    something unrecognised; None when it asks for no computation at all."""
    low = normalised(text)
    for task in _TASKS:
        found = task(text, low)
        if found is not None:
            return found
    return _generic_task(text, low) if wants_code(text) else None


def code_turn(request: dict[str, Any], model: str, text: str) -> ToolTurn | None:
    """Intro text, executableCode, codeExecutionResult (plus a chart image) and a conclusion."""
    from .turn import ToolTurn

    task = plan_code(text) if text.strip() else None
    if task is None:
        return None
    code_part: dict[str, Any] = {"executableCode": {"language": "PYTHON", "code": task.code}}
    result_part: dict[str, Any] = {
        "codeExecutionResult": {"outcome": task.outcome, "output": task.output}
    }
    if uses_part_ids(model):
        ident = make_id(request.get("contents"), model, "code")
        code_part["executableCode"]["id"] = ident
        result_part["codeExecutionResult"]["id"] = ident
    if signs_code(model):
        code_part["thoughtSignature"] = thought_signature(request.get("contents"), model, "code")
    parts: list[dict[str, Any]] = [{"text": task.intro}, code_part, result_part]
    if task.image is not None:
        parts.append(
            {
                "inlineData": {
                    "mimeType": "image/png",
                    "data": base64.b64encode(task.image).decode("ascii"),
                }
            }
        )
    parts.append({"text": task.conclusion})
    return ToolTurn(parts=parts, tool_use_prompt=task.code + task.output)
