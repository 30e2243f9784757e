"""From one executed lab to the notebook each language's readers get.

The lab's code ran once (kernel.py). Each language's notebook is that language's source (its
text and comments) with the executed outputs, code cell by code cell, then prepared for readers:
an exercise's solution cell is taken out and its check cell's output cleared (the build ran the
solution, so the check was exercised; the reader gets the stub), the Colab install cell goes after
the title, and links to the chapters become absolute (they work in Colab and in a download too).
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

import nbformat

from dlnotes.build.labs.sources import LabSourceError, prepare

SETUP_CELL = {
    "ko": ("# Colab에서만 하는 일: 이 실습이 쓰는 dlnotes 패키지를 저장소에서 설치한다.\n"
           "# 저장소를 받아 `pip install -e .`로 설치했다면 아무 일도 하지 않는다."),
    "en": ("# Only in Colab: install the dlnotes package, which this lab imports, from\n"
           "# the repository. A checkout installed with `pip install -e .` has it already."),
}
SETUP_CODE = """
import sys
if "google.colab" in sys.modules:
    import importlib, subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "--no-deps", "git+{repo}"],
                   check=True)
    importlib.invalidate_caches()"""
# [text](../chapter.md#anchor) in a lab's Markdown: relative to the lab's folder, like any page.
MD_LINK = re.compile(r"\]\((?P<path>[\w./-]+?\.md)(?P<anchor>#[\w-]+)?\)")
SOLUTION, CHECK = "solution", "check"      # cell tags of an exercise (after its "exercise" stub cell)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def with_outputs(source: str, executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The source's cells with the executed notebook's outputs (both run the same code)."""
    nb = prepare(source)
    ran = [cell for cell in executed.cells if cell.cell_type == "code"]
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if len(ran) != len(code):
        raise LabSourceError(f"the executed notebook has {len(ran)} code cells, the source {len(code)}")
    for cell, done in zip(code, ran):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    return nb


def setup_cell(lang: str, repo: str) -> str:
    return SETUP_CELL.get(lang, SETUP_CELL["en"]) + SETUP_CODE.format(repo=repo)


def for_readers(nb: nbformat.NotebookNode, *, setup_cell: str, site_url: str, lang_prefix: str,
                docs_lang_dir: Path | None) -> nbformat.NotebookNode:
    """The notebook readers download. With docs_lang_dir, links are checked against that language's
    pages: LabSourceError names every link to a missing page or section."""
    nb = nbformat.from_dict(nb)
    nb.cells = [cell for cell in nb.cells if SOLUTION not in tags(cell)]
    for cell in nb.cells:
        if CHECK in tags(cell):
            cell.outputs, cell.execution_count = [], None
    setup = nbformat.v4.new_code_cell(setup_cell, metadata={"dlnotes": "colab-setup"}, id="colab-setup")
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, setup)
    missing = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = MD_LINK.sub(lambda m: _absolute_link(m, site_url, lang_prefix, docs_lang_dir, missing),
                                      cell.source)
    if missing:
        raise LabSourceError("links to pages or sections that do not exist: " + ", ".join(sorted(set(missing))))
    return nb


def linked_pages(source: Path) -> list[str]:
    """The pages a lab's Markdown links to, relative to its language's folder (chapter.md, labs/index.md)."""
    text = source.read_text(encoding="utf-8")
    return sorted({posixpath.normpath(posixpath.join("labs", m["path"])) for m in MD_LINK.finditer(text)})


def _absolute_link(match, site_url: str, lang_prefix: str, docs_lang_dir: Path | None, missing: list) -> str:
    """../chapter.md#id -> SITE/chapter/#id."""
    target = posixpath.normpath(posixpath.join("labs", match["path"]))
    anchor = match["anchor"] or ""
    page = docs_lang_dir / target if docs_lang_dir else None
    if page is None:
        pass
    elif target.startswith("..") or not page.is_file():
        missing.append(match["path"])
    elif anchor and not re.search(r"\{" + re.escape(anchor) + r"[\s}]", page.read_text(encoding="utf-8")):
        missing.append(match["path"] + anchor)
    stem = target.removesuffix(".md")
    url = "" if stem == "index" else (stem.removesuffix("/index") + "/" if stem.endswith("/index") else stem + "/")
    return f"]({site_url}{lang_prefix}{url}{anchor})"


def write_if_changed(nb: nbformat.NotebookNode, path: Path) -> None:
    """Only when the bytes change: mkdocs-jupyter and `mkdocs serve` then see no change at all."""
    text = nbformat.writes(nb).rstrip("\n") + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
