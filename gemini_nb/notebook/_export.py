"""Static exports: widgets' text/html fallbacks brought up to date from their final state.

A widget's fallback is rendered when the widget is displayed, and the tour displays its chat
box before talking to it. After an executed export, the notebook's widget state holds every
widget's last state, so the fallback can show the conversation as it ended::

    jupyter nbconvert --to html --execute \\
        --HTMLExporter.preprocessors='["gemini_nb.notebook._export.WidgetFallbacks"]' tour.ipynb

Only nbconvert imports this module (``tasks.py demo --headless`` does the above).
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor

from .widgets.chat import static_html

__all__ = ["WidgetFallbacks"]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# anywidget syncs the widget class's qualified name as ``_anywidget_id``.
CHAT_ID = "gemini_nb.notebook.widgets.chat.ChatWidget"


class WidgetFallbacks(Preprocessor):
    """Re-render each chat widget output's text/html from the widget's stored final state."""

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        widgets = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                view = data.get(WIDGET_VIEW)
                if not isinstance(view, dict) or "text/html" not in data:
                    continue
                state = widgets.get(view.get("model_id"), {}).get("state", {})
                messages, model = state.get("messages"), state.get("model")
                if (
                    state.get("_anywidget_id") == CHAT_ID
                    and isinstance(messages, list)
                    and isinstance(model, str)
                ):
                    data["text/html"] = static_html(model, messages)
        return nb, resources
