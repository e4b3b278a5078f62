"""The small stylesheet shipped inside every response's HTML, scoped to its wrapper class.

Colours come from JupyterLab's theme variables when present (so dark themes work) and
otherwise from translucent greys and ``currentColor``, which read well on light and dark
backgrounds alike (VS Code, Colab, nbconvert exports). Code is coloured with JupyterLab's own
editor colours (``--jp-mirror-editor-*``), the ones of the code cells around the answer.

JupyterLab 4.6 styles rendered HTML with rules such as ``.jp-ThemedContainer
.jp-RenderedHTMLCommon pre`` (two classes and an element): a rule scoped with our class once
loses to it. Every rule here is scoped with a wrapper class twice (``.gnb.gnb pre``), which
ties, and our ``<style>`` comes after JupyterLab's in the page, so ours wins the tie.
"""

from __future__ import annotations

__all__ = ["CSS", "TOKEN_COLOURS"]

# The wrapper is <div class="gemini-nb-response gnb">; the short class keeps the sheet small
# (it is repeated in every answer).
_R = ".gnb.gnb"

# Token class (see _render_code) -> JupyterLab editor colour variable, and a fallback for hosts
# without JupyterLab's variables (JupyterLab Light's value). widgets/chat.css uses the same.
TOKEN_COLOURS: dict[str, tuple[str, str]] = {
    "k": ("keyword", "#008000"),
    "kc": ("keyword", "#008000"),
    "ow": ("keyword", "#008000"),
    "o": ("operator", "#7800c2"),
    "s": ("string", "#ba2121"),
    "m": ("number", "#080"),
    "c": ("comment", "#408080"),
    "nf": ("def", "#00f"),
    "nb": ("builtin", "#008000"),
    "nd": ("meta", "#a2f"),
    "nt": ("tag", "#170"),
    "na": ("attribute", "#00c"),
    "nv": ("variable-2", "#00366d"),
    "gp": ("meta", "#a2f"),
}


def _scoped(rule: str) -> str:
    # Every selector of the rule is prefixed, so nothing leaks into the rest of the page.
    selectors, body = rule.split("{", 1)
    scoped = ",".join(
        _R + s.strip()[1:] if s.strip().startswith("&") else f"{_R} {s.strip()}"
        for s in selectors.split(",")
    )
    return f"{scoped}{{{body}"


def _token_rules() -> list[str]:
    rules = [
        f".hl-{short}{{color:var(--jp-mirror-editor-{var}-color,{fallback})}}"
        for short, (var, fallback) in TOKEN_COLOURS.items()
    ]
    return [*rules, ".hl-c{font-style:italic}", ".hl-k,.hl-ow{font-weight:600}"]


_CODE_BG = "var(--jp-cell-editor-background,rgba(128,128,128,.1))"
_CODE_BORDER = "var(--jp-cell-editor-border-color,rgba(128,128,128,.3))"

CSS = "".join(
    _scoped(rule)
    for rule in (
        "&{line-height:1.5;max-width:100%;overflow-wrap:anywhere}",
        ".gnb-text>:first-child{margin-top:0}",
        ".gnb-part{margin:.35em 0}",
        ".gnb-label,.gnb-candidate-label{font-size:.85em;font-weight:600;opacity:.7}",
        ".gnb-candidate-label{margin:.8em 0 .3em;border-bottom:1px solid "
        "var(--jp-border-color2,rgba(128,128,128,.35))}",
        "details.gnb-thoughts{margin:.4em 0;padding:.1em .8em;opacity:.85;border-left:3px solid "
        "var(--jp-border-color2,rgba(128,128,128,.45))}",
        "details.gnb-thoughts>summary{cursor:pointer;font-size:.9em;opacity:.8}",
        # Code scrolls sideways instead of breaking lines inside words (JupyterLab's output
        # CSS sets word-break:break-all on every pre).
        f"pre{{background:{_CODE_BG};border:1px solid {_CODE_BORDER};padding:.55em .8em;"
        "margin:.5em 0;border-radius:4px;overflow-x:auto;white-space:pre;word-break:normal;"
        "overflow-wrap:normal;line-height:1.45;color:inherit}",
        "pre.gnb-plain{white-space:pre-wrap;overflow-wrap:anywhere}",
        "pre code{background:none;padding:0;border:0;font-size:inherit;white-space:inherit;"
        "color:inherit}",
        "code{font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:.92em}",
        ":not(pre)>code{background:rgba(128,128,128,.14);padding:.05em .3em;border-radius:3px}",
        # The copy button, added by the answer's script where scripts run (_render_code).
        ".gnb-codeblock{position:relative}",
        ".gnb-copy{position:absolute;top:.35em;right:.35em;padding:.1em .55em;font:inherit;"
        "font-size:.78em;line-height:1.5;cursor:pointer;opacity:.75;border-radius:3px;"
        "color:var(--jp-ui-font-color1,inherit);background:var(--jp-layout-color1,transparent);"
        f"border:1px solid {_CODE_BORDER}}}",
        ".gnb-copy:hover,.gnb-copy:focus-visible{opacity:1}",
        *_token_rules(),
        ".gnb-waiting{font-size:.85em;opacity:.75}",
        ".gnb-waiting::before{content:'';display:inline-block;width:.55em;height:.55em;"
        "margin-right:.5em;border-radius:50%;background:currentColor;vertical-align:.05em;"
        "animation:gnb-pulse 1s ease-in-out infinite alternate}",
        "img.gnb-image{max-width:100%;height:auto}",
        # A mid blue that reads on light and dark pages when the theme gives no link colour.
        "a{color:var(--jp-content-link-color,#3b8eea)}",
        "sup.gnb-cite{font-size:.75em;line-height:0}",
        "sup.gnb-cite a{text-decoration:none}",
        ".gnb-sources{font-size:.9em;margin-top:.6em}",
        ".gnb-sources ol{margin:.2em 0;padding-left:1.8em}",
        ".gnb-searches{font-size:.85em;opacity:.8;margin:.2em 0}",
        ".gnb-note{margin:.5em 0;padding:.35em .8em;border-left:3px solid "
        "var(--jp-warn-color1,#d4a017);background:rgba(212,160,23,.1)}",
        ".gnb-error{border-left-color:var(--jp-error-color1,#d32f2f);"
        "background:rgba(211,47,47,.1);white-space:pre-wrap}",
        ".gnb-detail{font-size:.9em;opacity:.85}",
        ".gnb-footer{font-size:.8em;opacity:.65;margin-top:.5em}",
        "table{border-collapse:collapse}",
        "th,td{border:1px solid var(--jp-border-color2,rgba(128,128,128,.35));padding:.2em .5em}",
    )
) + (
    "@keyframes gnb-pulse{from{opacity:.25}to{opacity:.9}}"
    f"@media (prefers-reduced-motion:reduce){{{_R} .gnb-waiting::before{{animation:none}}}}"
)
