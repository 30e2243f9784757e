"""What the build derives inside its own process, remembered by the digest of everything it came from.

Jobs (refresh.py) are the computations that need a process and a time limit. The rest of the
build derives text from text: a formula's KaTeX markup, a lab page's HTML, a page's search
entries. A Memo keeps those results between builds in one JSON file, keyed by a digest of every
input (the content, and the code and versions that turn it into the result), so an unchanged
input is never derived twice and a changed one can never be served stale. Each build keeps only
the entries it used.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

from dlnotes.build.engine.keys import file_digest, save_json


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def source_digest(*paths: Path) -> str:
    """The bytes of the code that derives a result: part of its key, so an edit to that code counts."""
    return digest(*(file_digest(Path(p)) for p in paths))


class Memo:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.saved = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            self.saved = {}
        self.used: dict = {}
        self.hits = self.misses = 0

    def get(self, key: str, derive: Callable[[], object]):
        if key in self.used:
            return self.used[key]
        if key in self.saved:
            self.hits += 1
            self.used[key] = self.saved[key]
        else:
            self.misses += 1
            self.used[key] = derive()
        return self.used[key]

    def put(self, key: str, value):
        self.used[key] = value
        return value

    def get_many(self, keys: list[str], derive: Callable[[list[int]], list]) -> list:
        """Results for keys; derive(indices of the missing ones) -> their results, in one call."""
        missing = [i for i, key in enumerate(keys) if key not in self.used and key not in self.saved]
        derived = dict(zip(missing, derive(missing))) if missing else {}
        results = []
        for i, key in enumerate(keys):
            results.append(self.get(key, lambda: derived[i]))
        return results

    def save(self) -> None:
        """Keep what this build used; write only when that differs from the file."""
        if self.used != self.saved:
            save_json(self.path, self.used, sort_keys=False)   # results keep their order (search entries)
        self.saved, self.used = self.used, {}
