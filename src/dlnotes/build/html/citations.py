"""Citations on the pages, written out from the bibliography in the page's language.

A page cites a work only by its key (references.yaml); the build expands, outside code:

    [@dauphin2014]              (Dauphin et al., 2014)           [@a; @b] cites several
    @polyak1964                 Polyak (1964)                    Polyak(1964) in Korean
    @lecun1998:title            LeCun et al. (1998), "Efficient BackProp"
    @he2016:source              He et al. · CVPR 2016 · arXiv:1512.03385   (a table's paper column)
    <!-- references: key, key -->   full entries of those works, one list item each
    <!-- references: 2000-2014 -->  every work of those years, each with the pages citing it
                                    (the references page; "-1999" and "2018-" are open ranges)

Every name links to the work's entry on the references page (glossary.md#ref-KEY). An unknown
key fails the build with page and line.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from dlnotes import references
from dlnotes.references import KEY, Work

REFERENCES_PAGE = "glossary.md"
PARENTHETICAL = re.compile(rf"\[@({KEY}(?:\s*;\s*@{KEY})*)\]")
NARRATIVE = re.compile(rf"(?<![\w@/.\[])@({KEY})(?::(title|source))?")
LIST_MARKER = re.compile(r"^(?P<indent>[ \t]*)<!-- references: (?P<what>[^>]*?) -->[ \t]*$", re.M)
YEAR_RANGE = re.compile(r"(\d{4})?-(\d{4})?")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# kept as they are: inline code, HTML comments other than the list marker
OPAQUE = re.compile(r"(`+)[^`].*?\1|<!--.*?-->", re.S)


class CitationError(PluginError):
    """A page cites a key the bibliography does not have, or a malformed list marker."""


def expand(markdown: str, src_uri: str, config) -> str:
    """The page's Markdown with every citation and reference list written out (the plugin calls this)."""
    if not src_uri.endswith(".md"):
        return markdown
    lang, page = _split(src_uri)
    works, errors = references.load(), []
    to_references = posixpath.relpath(REFERENCES_PAGE, posixpath.dirname(page) or ".")
    href = lambda w: f"{to_references}#{references.anchor(w)}"   # noqa: E731

    def cite(keys: list[str], number: int, render) -> str:
        unknown = [k for k in keys if k not in works]
        if unknown:
            errors.append(f"docs/{src_uri}:{number}: unknown citation key {', '.join(unknown)}")
            return ""
        return render([works[k] for k in keys])

    def text(chunk: str, number: int) -> str:
        line = lambda m: number + chunk.count("\n", 0, m.start())   # noqa: E731  (no citation spans lines)
        chunk = PARENTHETICAL.sub(lambda m: cite(_keys(m[1]), line(m),
                                                 lambda ws: references.parenthetical(ws, lang, href)), chunk)
        forms = {None: references.narrative, "title": references.with_title, "source": references.source}
        return NARRATIVE.sub(lambda m: cite([m[1]], line(m), lambda ws: forms[m[2]](ws[0], lang, href)), chunk)

    cited_in = {}      # filled once, for the references page only: its lists say who cites each work

    def marker(match: re.Match, number: int) -> str:
        chosen = _chosen(match["what"], works, f"docs/{src_uri}:{number}", errors)
        if page == REFERENCES_PAGE:
            if not cited_in:
                cited_in.update(_cited_in(Path(config["docs_dir"]), lang, _nav_order(config)))
            lines = [_entry_with_pages(w, lang, cited_in.get(w.key, [])) for w in chosen]
        else:
            lines = [references.entry(w, lang) for w in chosen]
        return "\n".join(f"{match['indent']}- {line}" for line in lines)

    expanded = _outside_code(markdown, text, marker)
    if errors:
        raise CitationError("\n".join(errors))
    return expanded


def cited_keys(markdown: str) -> list[str]:
    """Every key a page cites, in order, repeats included (list markers count too)."""
    found = []

    def text(chunk, number):
        for match in PARENTHETICAL.finditer(chunk):
            found.extend(_keys(match[1]))
        found.extend(m[1] for m in NARRATIVE.finditer(PARENTHETICAL.sub("", chunk)))
        return chunk

    def marker(match, number):
        if not YEAR_RANGE.fullmatch(match["what"].strip()):
            found.extend(_keys(match["what"]))
        return match[0]

    _outside_code(markdown, text, marker)
    return found


def _outside_code(markdown: str, text, marker) -> str:
    """Apply marker() to list-marker lines and text() to the prose between code and comments."""
    out, fence, prose, start = [], None, [], 1

    def flush():
        if prose:
            out.append(_prose(prose, start, text, marker))
            prose.clear()

    for number, line in enumerate(markdown.split("\n"), 1):
        opening = FENCE.match(line)
        if fence is None and opening:
            flush()
            fence = opening[1]
            out.append(line)
        elif fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
            out.append(line)
        else:
            if not prose:
                start = number
            prose.append(line)
    flush()
    return "\n".join(out)


def _prose(lines: list[str], start: int, text, marker) -> str:
    block = "\n".join(lines)
    parts, last = [], 0
    for match in LIST_MARKER.finditer(block):
        parts.append(_unprotected(block[last:match.start()], start + block.count("\n", 0, last), text))
        parts.append(marker(match, start + block.count("\n", 0, match.start())))
        last = match.end()
    parts.append(_unprotected(block[last:], start + block.count("\n", 0, last), text))
    return "".join(parts)


def _unprotected(chunk: str, first_line: int, text) -> str:
    parts, last = [], 0
    for match in OPAQUE.finditer(chunk):
        parts.append(text(chunk[last:match.start()], first_line + chunk.count("\n", 0, last)))
        parts.append(match[0])
        last = match.end()
    parts.append(text(chunk[last:], first_line + chunk.count("\n", 0, last)))
    return "".join(parts)


def _keys(group: str) -> list[str]:
    return re.findall(KEY, group)


def _split(src_uri: str) -> tuple[str, str]:
    """("ko", "labs/index.md") from "ko/labs/index.md"; a page outside the language folders is English."""
    first, _, rest = src_uri.partition("/")
    return (first, rest) if first in references.LANGS and rest else ("en", src_uri)


def _chosen(what: str, works: dict[str, Work], where: str, errors: list[str]) -> list[Work]:
    """The works a list marker asks for, in order of year (then key)."""
    what = what.strip()
    years = YEAR_RANGE.fullmatch(what)
    if years:
        low, high = int(years[1] or 0), int(years[2] or 9999)
        chosen = [w for w in works.values() if low <= w.year <= high]
    else:
        keys = _keys(what)
        unknown = [k for k in keys if k not in works]
        if unknown or not keys:
            errors.append(f"{where}: references marker names unknown keys {unknown or what!r}")
        chosen = [works[k] for k in keys if k in works]
    return sorted(chosen, key=lambda w: (w.year, w.key))


def _entry_with_pages(work: Work, lang: str, pages: list[tuple[str, str]]) -> str:
    links = ", ".join(f"[{title}]({path})" for path, title in pages)
    cited = f" — {references.WORDS[lang]['cited in']}: {links}" if links else ""
    return f'<span id="{references.anchor(work)}"></span>{references.entry(work, lang)}{cited}'


def _cited_in(docs_dir: Path, lang: str, order: list[str]) -> dict[str, list[tuple[str, str]]]:
    """For each key, the (page, title) of the pages of this language that cite it, in nav order."""
    root = docs_dir / lang if (docs_dir / lang).is_dir() else docs_dir
    pages = sorted((p.relative_to(root).as_posix() for p in root.rglob("*.md")),
                   key=lambda rel: (order.index(rel) if rel in order else len(order), rel))
    cited: dict[str, list[tuple[str, str]]] = {}
    for rel in pages:
        if rel == REFERENCES_PAGE:
            continue
        source = (root / rel).read_text(encoding="utf-8")
        for key in dict.fromkeys(cited_keys(source)):
            cited.setdefault(key, []).append((rel, _title(source, rel)))
    return cited


def _title(source: str, rel: str) -> str:
    heading = re.search(r"^# (.+?)(?:\s*\{[^}]*\})?\s*$", source, re.M)
    return heading[1] if heading else rel


def _nav_order(config) -> list[str]:
    """The page files of mkdocs.yml's nav, in reading order."""
    def walk(item):
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from walk(value)
        elif isinstance(item, list):
            for value in item:
                yield from walk(value)
    return list(walk(config.get("nav") or []))
