"""The search index, downloaded when a reader first searches rather than with every page.

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

import json
from pathlib import Path

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
