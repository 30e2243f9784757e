"""Checks of page sources that Markdown itself lets through silently.

Python-Markdown renders an unclosed code fence as code up to the end of the page, leaves a
malformed `--8<--` line as plain text. Each of these fails the build here instead, naming page
and line. (A formula KaTeX rejects fails in math.py.)
"""
from __future__ import annotations

import re

FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
SNIPPET_LINE = re.compile(r'^\s*--8<-- "[^"\s]+"\s*$')


def check_markdown(text: str, page: str) -> list[str]:
    """Unclosed code fences and malformed snippet markers, as 'page:line: problem' strings."""
    errors, fence = [], None      # fence: (characters, line number) of the fence that is open
    for number, line in enumerate(text.splitlines(), 1):
        # pymdownx.snippets expands marker lines before fences are parsed, inside fences too
        if line.lstrip().startswith("--8<--") and not SNIPPET_LINE.match(line):
            errors.append(f"{page}:{number}: malformed snippet marker {line.strip()!r}; "
                          'expected --8<-- "path/to/file.py" or --8<-- "path/to/file.py:section"')
            continue
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence = (match["fence"], number)
        elif match and match["fence"][0] == fence[0][0] and len(match["fence"]) >= len(fence[0]) \
                and not match["rest"].strip():
            fence = None
    if fence is not None:
        errors.append(f"{page}:{fence[1]}: code fence {fence[0]} is never closed")
    return errors
