"""Worker of a lab page job: one language's page of a lab, from its source and the lab's one run.

The language's notebook (its text and comments, the shared outputs, the Colab cell) goes through
mkdocs-jupyter's converter and is rewritten into the site's markup (html.py). The page does not
depend on the site's address or the repository: placeholders stand for them, which the build
fills in (pages.render), so `mkdocs serve` and a published build share the pages.
"""
from __future__ import annotations

import functools
import importlib
import json
from pathlib import Path

import nbformat

from dlnotes.build.engine.probe import loaded_dependencies
from dlnotes.build.labs import html, notebooks

PAGE_FILE = "page.json"


def run(payload: dict, root: Path, work_dir: Path) -> dict:
    view = html.LabView(**payload["view"])
    source = (root / payload["source"]).read_text(encoding="utf-8")
    executed = nbformat.read(root / payload["executed"], as_version=4)
    nb = notebooks.for_readers(notebooks.with_outputs(source, executed),
                               setup_cell=notebooks.setup_cell(view.lang, html.REPO), site_url=html.SITE,
                               lang_prefix=payload["lang_prefix"], docs_lang_dir=None)   # links: checked on publishing
    out = work_dir / payload["folder"]
    out.mkdir(parents=True)
    notebook_path = work_dir / view.notebook_name
    nbformat.write(nb, notebook_path)
    parts = html.convert(view, notebook_path, json.loads(notebook_path.read_text(encoding="utf-8")),
                         slugify(payload["slugify"]), out)
    (out / PAGE_FILE).write_text(json.dumps(parts, ensure_ascii=False), encoding="utf-8")
    return loaded_dependencies(root)


def slugify(described: dict):
    """The site's heading-id function, from its description ("module:function" and its keywords)."""
    module, _, name = described["function"].partition(":")
    function = getattr(importlib.import_module(module), name)
    return functools.partial(function, **described["keywords"]) if described["keywords"] else function
