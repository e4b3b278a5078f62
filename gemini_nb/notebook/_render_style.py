"""The small stylesheet shipped inside every response's HTML, scoped to its wrapper class.

Colours come from JupyterLab's theme variables when present (so dark themes work) and
otherwise from translucent greys and ``currentColor``, which read well on light and dark
backgrounds alike (VS Code, Colab, nbconvert exports).
"""

from __future__ import annotations

__all__ = ["CSS"]

_R = ".gemini-nb-response"



def _scoped(rule: str) -> str:
    # Every selector of the rule is prefixed, so nothing leaks into the rest of the page.
    selectors, body = rule.split("{", 1)
    scoped = ",".join(
        _R + s.strip()[1:] if s.strip().startswith("&") else f"{_R} {s.strip()}"
        for s in selectors.split(",")
    )
    return f"{scoped}{{{body}"


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
        "pre{background:var(--jp-layout-color2,rgba(128,128,128,.1));padding:.5em .7em;"
        "border-radius:4px;overflow-x:auto;white-space:pre}",
        "pre.gnb-plain{white-space:pre-wrap}",
        "code{font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:.92em}",
        ".gnb-call code{background:var(--jp-layout-color2,rgba(128,128,128,.1));"
        "padding:.05em .3em;border-radius:3px}",
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
)
