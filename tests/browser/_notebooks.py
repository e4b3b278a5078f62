"""Notebooks written by a test: its code cells, with values (an emulator's URL) filled in."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["write_notebook"]


def write_notebook(path: Path, *cells: str) -> Path:
    """A notebook of ``cells`` (code), with the Python 3 kernel, at ``path``."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": source.strip("\n").splitlines(keepends=True),
            }
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1))
    return path
