"""The wording of free-text answers (frozen: no more phrasing work). Demos that need a
particular answer script it instead (``--answers FILE``, ``/_emulator/answers``)."""
