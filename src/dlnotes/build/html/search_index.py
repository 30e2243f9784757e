"""The search index: downloaded when a reader first searches, and built from unchanged pages' entries.

Material's page script fetches search/search_index.json as soon as any page loads: here ~1 MB
(~270 KB gzipped, both languages), the largest part of most pages' weight, and on a slow phone
connection it competes with the page itself. Material loads it lazily only for file:// pages and
has no option for it, so after the build the index is split in two:

- search/search_index.json keeps Material's shape with no documents: the configuration (language,
  separator) that the page script needs at once (its search highlighting reads it);
- search/search_docs.json holds the documents. The search worker wrapper
  (theme/assets/javascripts/workers/search-on-demand.js) fetches it with the first query.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import material

from dlnotes.build.engine.memo import Memo, digest

INDEX = Path("search") / "search_index.json"
DOCS = Path("search") / "search_docs.json"     # the worker wrapper names this path too


def split(site: Path) -> None:
    """Move the documents of site's search index into DOCS (no index, no change)."""
    index_path = site / INDEX
    if not index_path.exists():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    if "docs" not in index or "config" not in index:
        raise ValueError(f"{index_path}: not a Material search index (keys {sorted(index)})")
    # The same separators as the search plugin's own file, so the documents weigh what they did.
    (site / DOCS).write_text(json.dumps({"docs": index["docs"]}, ensure_ascii=False, separators=(",", ":")),
                             encoding="utf-8")
    index_path.write_text(json.dumps({**index, "docs": []}, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def memoize_entries(index, memo: Memo) -> None:
    """Serve a page's search entries from memo when nothing they come from has changed.

    Material's SearchIndex.add_entry_from_context(page) parses the page's HTML into sections,
    the largest cost of a build with nothing to redo (a lab page's highlighted code is hundreds of
    kilobytes of markup). What it appends depends only on the page's content, URL, title, meta and
    TOC, and on Material's version: the memo key holds all of them. Wrapped on the index instance
    (Material makes a new one per language build); tests/test_pipeline.py checks that a build
    served from the memo writes the same search index as one that parsed every page.
    """
    if getattr(index, "dlnotes_memo", None) is memo:
        return
    parse = type(index).add_entry_from_context.__get__(index)

    def add_entry_from_context(page) -> None:
        before = len(index.entries)
        entries = memo.get(entries_key(page), lambda: (parse(page), index.entries[before:])[1])
        if len(index.entries) == before:          # served from the memo
            index.entries.extend(copy.deepcopy(entries))

    index.add_entry_from_context = add_entry_from_context
    index.dlnotes_memo = memo


def entries_key(page) -> str:
    return digest(material.__version__, page.content, page.url, page.title, page.meta, _toc(page.toc))


def _toc(items) -> list:
    return [[item.id, item.title, item.url, item.level, _toc(item.children)] for item in items]
