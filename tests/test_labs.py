"""The labs: executed once at build time for both languages, cached like figures, published as notebooks."""
import functools
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tokenize
import unicodedata
from pathlib import Path

import jupytext
import nbformat
import pytest

from buildkit import ROOT, append, copy_project, lab_report, mkdocs_build
from dlnotes.build.labs import html as lab_html
from dlnotes.build.labs import kernel, notebooks, pages, sources
from dlnotes_tools.projects import load_config

LANGS = ("ko", "en")
NAMES = sorted(p.stem for p in (ROOT / "docs" / "ko" / "labs").glob("*.py"))
LAB_IDS = [(lang, name) for lang in LANGS for name in NAMES]
FIRST = "autograd-linear-regression"                # imports dlnotes.linear_regression
COLUMN = 80                                         # characters of code that fit the page's code blocks


def source(lang: str, name: str, root: Path = ROOT) -> Path:
    return root / "docs" / lang / "labs" / f"{name}.py"


def mkdocs_config(root: Path = ROOT) -> dict:
    return load_config(root / "mkdocs.yml")


def executed(project: Path) -> set[str]:
    return {name for name, entry in lab_report(project).items() if entry["status"] == "executed"}


def published(site: Path, lang: str, name: str) -> Path:
    prefix = "" if lang == "ko" else "en/"
    return site / f"{prefix}labs/{name}/{name}.ipynb"


def page_html(site: Path, lang: str, name: str) -> str:
    prefix = "" if lang == "ko" else "en/"
    return (site / f"{prefix}labs/{name}/index.html").read_text()


def code_without_comments(code: str) -> str:
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type != tokenize.COMMENT]
    return "\n".join(line.rstrip() for line in tokenize.untokenize(tokens).splitlines() if line.strip())


def alt_shape(cell) -> tuple:
    alt = cell.metadata.get("alt")
    return ("text", 1) if isinstance(alt, str) else ("list", len(alt or []))


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


# ------------------------------------------------------------------ the sources

def test_both_languages_have_the_same_labs_and_the_nav_lists_them():
    assert NAMES and NAMES == sorted(p.stem for p in (ROOT / "docs" / "en" / "labs").glob("*.py"))
    nav = json.dumps(mkdocs_config()["nav"], ensure_ascii=False)
    for name in NAMES:
        assert f"labs/{name}.py" in nav


@pytest.mark.parametrize("name", NAMES)
def test_both_languages_run_the_same_code(name):
    """Only comments and text cells are translated: both languages compute the same things."""
    ko, en = (jupytext.read(source(lang, name)) for lang in LANGS)
    assert [c.cell_type for c in ko.cells] == [c.cell_type for c in en.cells]
    for ko_cell, en_cell in zip(ko.cells, en.cells):
        if ko_cell.cell_type == "code":
            assert code_without_comments(ko_cell.source) == code_without_comments(en_cell.source)
            assert alt_shape(ko_cell) == alt_shape(en_cell), "both languages describe the same figures"


@pytest.mark.parametrize("lang, name", LAB_IDS)
def test_lab_code_fits_the_page_column(lang, name):
    for cell in jupytext.read(source(lang, name)).cells:
        if cell.cell_type == "code":
            wide = [line for line in cell.source.splitlines() if display_width(line) > COLUMN]
            assert not wide, f"{lang}/{name}: lines wider than {COLUMN} columns scroll sideways: {wide}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_colab_cell_fits_the_page_column(lang):
    cell = notebooks.setup_cell(lang, mkdocs_config()["extra"]["repo"])
    assert max(display_width(line) for line in cell.splitlines()) <= COLUMN


@pytest.mark.build      # each lab trains its models: minutes in all
@pytest.mark.parametrize("lang, name", LAB_IDS)
def test_every_lab_runs_as_a_plain_script(lang, name, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("MPLBACKEND", None)
    proc = subprocess.run([sys.executable, str(source(lang, name))], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert not list(tmp_path.iterdir()), "a lab wrote files into the current folder"


LAB_TEXT = ('# %% [markdown]\n# # Title\n# See [the chapter](../chapter.md#part).\n\n'
            '# %%\nx = 1\n\n# %% [markdown]\n# [Back](index.md)\n')


def docs_with_a_chapter(folder: Path) -> Path:
    (folder / "chapter.md").write_text("# Chapter\n\n## Part {#part}\n")
    (folder / "labs").mkdir()
    (folder / "labs" / "index.md").write_text("# Labs\n")
    return folder


def test_prepare_keeps_the_cells_and_numbers_them():
    nb = sources.prepare(LAB_TEXT)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "markdown"]
    assert [c.id for c in nb.cells] == ["cell-1", "cell-2", "cell-3"]
    assert nb.cells[1].source == "x = 1" and "../chapter.md#part" in nb.cells[0].source
    nbformat.validate(nb)


def test_publish_adds_the_colab_cell_after_the_title_and_makes_links_absolute(tmp_path):
    nb = notebooks.for_readers(sources.prepare(LAB_TEXT), setup_cell="# setup", site_url="https://site.example/",
                               lang_prefix="en/", docs_lang_dir=docs_with_a_chapter(tmp_path))
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "markdown"]
    assert nb.cells[1].source == "# setup" and nb.cells[1].metadata["dlnotes"] == "colab-setup"
    assert "(https://site.example/en/chapter/#part)" in nb.cells[0].source
    assert "(https://site.example/en/labs/)" in nb.cells[3].source
    nbformat.validate(nb)


EXERCISE_TEXT = ('# %% [markdown]\n# # Title\n\n# %% tags=["exercise"]\ndef f(x):\n    raise NotImplementedError\n\n'
                 '# %% tags=["solution"]\ndef f(x):\n    return 2 * x\n\n# %% tags=["check"]\nprint("correct" if f(2) == 4 else f(2))\n')


def test_readers_get_the_exercise_stub_and_an_unanswered_check_with_the_shared_outputs(tmp_path):
    executed = sources.prepare(EXERCISE_TEXT)
    for n, cell in enumerate(c for c in executed.cells if c.cell_type == "code"):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"output {n}\n")]
        cell.execution_count = n + 1
    translated = EXERCISE_TEXT.replace("# # Title", "# # 제목").replace("def f(x):\n    raise", "def f(x):  # 채우기\n    raise")
    nb = notebooks.for_readers(notebooks.with_outputs(translated, executed), setup_cell="# setup",
                               site_url="https://s/", lang_prefix="", docs_lang_dir=docs_with_a_chapter(tmp_path))
    assert [c.source.splitlines()[0] for c in nb.cells] == ["# 제목", "# setup", "def f(x):  # 채우기",
                                                            "print(\"correct\" if f(2) == 4 else f(2))"]
    stub, check = nb.cells[2], nb.cells[3]
    assert stub.outputs[0].text == "output 0\n" and stub.execution_count == 1
    assert check.outputs == [] and check.execution_count is None
    with pytest.raises(sources.LabSourceError, match="3 code cells, the source 4"):
        notebooks.with_outputs(translated + "\n# %%\nx = 1\n", executed)


@pytest.mark.parametrize("link", ["../missing.md", "../chapter.md#no-such-part"])
def test_publish_rejects_links_to_pages_or_sections_that_do_not_exist(tmp_path, link):
    with pytest.raises(sources.LabSourceError, match=re.escape(link.removeprefix("../"))):
        notebooks.for_readers(sources.prepare(f"# %% [markdown]\n# [x]({link})\n"), setup_cell="",
                              site_url="https://s/", lang_prefix="", docs_lang_dir=docs_with_a_chapter(tmp_path))


def test_source_line_finds_the_marker_of_each_cell():
    text = "# %% [markdown]\n# # T\n\n# %%\nx = 1\n\n# %%\ny = 2\n"
    assert [sources.source_line(text, i) for i in range(3)] == [1, 4, 7]


@pytest.mark.parametrize("errors, starts, outcome", [
    ([kernel.KERNEL_DIED_ON_START], 2, "ran"),                               # died once: a new kernel ran it
    ([kernel.KERNEL_DIED_ON_START] * kernel.KERNEL_STARTS, kernel.KERNEL_STARTS, "raised"),
    (["some other kernel failure"], 1, "raised"),                             # only a death on start is retried
])
def test_a_kernel_that_dies_on_start_is_replaced(monkeypatch, errors, starts, outcome):
    calls = []

    def execute_once(nb, **kwargs):
        calls.append(kwargs)
        if len(calls) <= len(errors):
            raise RuntimeError(errors[len(calls) - 1])
        return {"files": [], "dists": {}}, None, None

    monkeypatch.setattr(kernel, "execute_once", execute_once)
    run = functools.partial(kernel.execute, nbformat.v4.new_notebook(), root=ROOT, cwd=ROOT, timeout=1)
    if outcome == "ran":
        assert run() == ({"files": [], "dists": {}}, None, None)
    else:
        with pytest.raises(RuntimeError, match=errors[-1]):
            run()
    assert len(calls) == starts


def test_notebook_math_becomes_arithmatex_markup_outside_code():
    html = '<p>a $x_i &lt; 3$ and <code>$5</code></p>\n<p>$$\nL = 1\n$$</p>'
    assert lab_html._with_math(html) == ('<p>a <span class="arithmatex">\\(x_i &lt; 3\\)</span> and <code>$5</code></p>\n'
                                     '<div class="arithmatex" tabindex="0">\\[\nL = 1\n\\]</div>')


def test_colab_url_opens_the_published_notebook_from_the_site_branch():
    assert pages.colab_url("https://github.com/o/r", "gh-pages", "en/labs/a/a.ipynb") == \
        "https://colab.research.google.com/github/o/r/blob/gh-pages/en/labs/a/a.ipynb"


# ------------------------------------------------------------------ builds of a copy of the project

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the project after one build that executed every lab; its log in build.log.

    The figures and variants of the checkout's cache are copied along with their state (they are not
    what these tests are about, and stale ones are regenerated anyway); the labs start with no cache.
    """
    project = copy_project(tmp_path_factory.mktemp("labs") / "project")
    cache = ROOT / ".cache" / "dlnotes"
    if (cache / "figures").is_dir():
        shutil.copytree(cache / "figures", project / ".cache" / "dlnotes" / "figures")
        state = json.loads((cache / "state.json").read_text())
        state["jobs"] = {key: job for key, job in state.get("jobs", {}).items()
                         if key.startswith(("figure:", "variant:"))}
        (project / ".cache" / "dlnotes" / "state.json").write_text(json.dumps(state))
    proc = mkdocs_build(project, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    (project / "build.log").write_text(proc.stderr)
    return project


@pytest.fixture
def project(built, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def build_ok(project: Path, **env: str) -> str:
    proc = mkdocs_build(project, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


@pytest.mark.build
@pytest.mark.parametrize("name", NAMES)
def test_every_lab_executes_once_and_cleanly_for_both_languages(built, name):
    entry = lab_report(built)[name]
    pages = [f"docs/{lang}/labs/{name}.py" for lang in sorted(LANGS)]
    assert entry["status"] == "executed" and entry["pages"] == pages
    assert entry["outputs"] == [f"labs/executed/{name}.ipynb"]
    log = (built / "build.log").read_text()
    assert log.count(f"lab {name}: executed") == 1
    assert f"lab {name}: executed (new) in" in log and f"s for {', '.join(pages)}" in log
    nb = nbformat.read(built / ".cache/dlnotes" / entry["outputs"][0], as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not [o for c in code for o in c.outputs if o.get("name") == "stderr"], "a cell wrote to stderr"


@pytest.mark.build
@pytest.mark.parametrize("lang, name", LAB_IDS)
def test_published_notebooks_are_valid_and_match_their_sources(built, lang, name):
    path = published(built / "site", lang, name)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert path.read_bytes() == (built / ".cache/dlnotes/labs/published" / lang / f"{name}.ipynb").read_bytes()
    colab = [i for i, c in enumerate(nb.cells) if c.metadata.get("dlnotes") == "colab-setup"]
    assert colab == [1], "one Colab cell, right after the title"
    assert f'"git+{mkdocs_config(built)["extra"]["repo"]}"' in nb.cells[1].source
    cells = [c for i, c in enumerate(nb.cells) if i != 1]
    # the readers' notebook is the source without the exercises' solutions
    expected = [c for c in jupytext.read(source(lang, name, built)).cells
                if notebooks.SOLUTION not in c.metadata.get("tags", [])]
    assert [c.cell_type for c in cells] == [c.cell_type for c in expected]
    ran = {c.id: c for c in nbformat.read(built / ".cache/dlnotes" / lab_report(built)[name]["outputs"][0],
                                          as_version=4).cells}
    for cell, src in zip(cells, expected):
        if cell.cell_type == "markdown":      # links to the chapters are made absolute, nothing else changes
            assert re.sub(r"\]\([^)]*\)", "]()", cell.source) == re.sub(r"\]\([^)]*\)", "]()", src.source)
            continue
        assert cell.source == src.source
        if notebooks.CHECK in src.metadata.get("tags", []):    # the reader runs the check on their own answer
            assert cell.outputs == [] and cell.execution_count is None
        else:                                 # what the one execution printed and drew
            assert cell.outputs == ran[cell.id].outputs
@pytest.mark.build
@pytest.mark.parametrize("lang, name", LAB_IDS)
def test_lab_pages_show_outputs_math_and_the_two_buttons(built, lang, name):
    html = page_html(built / "site", lang, name)
    content = html[html.index('<div class="dlnotes-lab">'):html.index("</article>")]
    prefix = "" if lang == "ko" else "en/"
    repo = mkdocs_config(built)["extra"]["repo"].removeprefix("https://github.com/")
    assert f'href="{name}.ipynb"' in content and f'download="{name}.ipynb"' in content
    assert (f'href="https://colab.research.google.com/github/{repo}/blob/gh-pages/{prefix}labs/{name}/{name}.ipynb"'
            in content)
    assert '<span class="arithmatex">' in content or '<div class="arithmatex" tabindex="0">' in content
    images = re.findall(r"<img [^>]*>", content)
    assert images and all('alt="' in img and 'alt=""' not in img for img in images)
    assert "No description has been provided" not in content
    assert not re.search(r"<script|<style|mathjax|require\.js|cdnjs|https?://cdn|data:", content, re.I)
    # the plots are PNG files beside the page, named by content, with their size (no layout jump)
    page_dir = (built / "site" / prefix / "labs" / name)
    for img in images:
        src, width, height = (re.search(rf'{key}="([^"]+)"', img)[1] for key in ("src", "width", "height"))
        png = (page_dir / src).read_bytes()
        assert src == hashlib.sha256(png).hexdigest()[:16] + ".png" and png.startswith(b"\x89PNG")
        assert (int(width), int(height)) == struct.unpack(">II", png[16:24]) and 'loading="lazy"' in img
    assert re.search(r'<h2 id="[^"]+">', content)


def executed_notebook(project: Path, name: str) -> Path:
    return project / ".cache/dlnotes" / lab_report(project)[name]["outputs"][0]


@pytest.mark.build
def test_an_unchanged_lab_is_not_executed_again(project):
    before = {name: executed_notebook(project, name).read_bytes() for name in NAMES}
    log = build_ok(project)
    assert executed(project) == set()
    assert f"{len(NAMES)} labs ({len(NAMES)} cached), {2 * len(NAMES)} lab-pages ({2 * len(NAMES)} cached)" in log
    assert {name: executed_notebook(project, name).read_bytes() for name in NAMES} == before


@pytest.mark.build
def test_lab_pages_made_again_are_the_same_bytes_and_need_no_new_run(project):
    pages = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("labs/*/*")}
    shutil.rmtree(project / ".cache/dlnotes/labs/pages")
    log = build_ok(project)
    assert f"{2 * len(NAMES)} lab-pages ({2 * len(NAMES)} rendered)" in log and executed(project) == set()
    assert {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("labs/*/*")} == pages


@pytest.mark.build
def test_translating_comments_and_text_does_not_execute_again(project):
    """The key is the code: a lab's text and comments change each language's notebook, not the run."""
    ko, en = source("ko", FIRST, project), source("en", FIRST, project)
    ko.write_text(ko.read_text().replace("\n# %%\n", "\n# %%\n# 새로 단 주석\n", 1))
    append(en, "\n# %% [markdown]\n# A closing paragraph added in English only.\n")
    log = build_ok(project)
    assert executed(project) == set()
    assert f"lab-page {FIRST}.ko: rendered" in log and f"lab-page {FIRST}.en: rendered" in log
    assert "# 새로 단 주석" in published(project / "site", "ko", FIRST).read_text()
    assert "새로 단 주석" in page_html(project / "site", "ko", FIRST)
    assert "A closing paragraph added in English only." in published(project / "site", "en", FIRST).read_text()


@pytest.mark.build
def test_code_that_differs_between_languages_fails_naming_both_files(project):
    site_before = (project / "site" / "labs" / FIRST / "index.html").read_bytes()
    append(source("en", FIRST, project), "\n# %%\nprint('only in English')\n")
    proc = mkdocs_build(project, timeout=600)
    assert proc.returncode != 0
    assert (f"lab {FIRST!r}: docs/en/labs/{FIRST}.py and docs/ko/labs/{FIRST}.py must run the same code"
            in proc.stderr)
    assert (project / "site" / "labs" / FIRST / "index.html").read_bytes() == site_before


@pytest.mark.build
def test_another_site_and_repository_reuse_the_executed_labs(project):
    """`mkdocs serve` and CI build for other addresses: only the published copies change."""
    build_ok(project, SITE_URL="https://elsewhere.example/notes/", REPO_URL="https://github.com/someone/fork")
    assert executed(project) == set()
    nb = nbformat.read(published(project / "site", "en", FIRST), as_version=4)
    assert '"git+https://github.com/someone/fork"' in nb.cells[1].source
    assert "](https://elsewhere.example/notes/en/linear-regression/)" in nb.cells[0].source
    assert ("https://colab.research.google.com/github/someone/fork/blob/gh-pages/en/labs/"
            f"{FIRST}/{FIRST}.ipynb") in page_html(project / "site", "en", FIRST)


@pytest.mark.build
def test_editing_an_imported_module_reexecutes_exactly_the_labs_that_import_it(project):
    state = json.loads((project / ".cache/dlnotes/state.json").read_text())["jobs"]
    module = "src/dlnotes/linear_regression.py"
    importers = {key.removeprefix("lab:") for key, entry in state.items()
                 if key.startswith("lab:") and module in entry["inputs"]["files"]}
    assert FIRST in importers and importers < set(NAMES)
    before = executed_notebook(project, FIRST).read_bytes()
    append(project / module, "\n# an edit that changes the file's bytes\n")
    build_ok(project)
    assert executed(project) == importers
    for name in importers:
        assert lab_report(project)[name]["reason"] == f"changed: {module}"
    assert executed_notebook(project, FIRST).read_bytes() == before, \
        "the same code gave a different notebook: outputs are not deterministic"


@pytest.mark.build
def test_a_raising_cell_fails_the_build_naming_lab_cell_and_lines(project):
    labs = {lang: source(lang, FIRST, project) for lang in LANGS}
    site_before = (project / "site" / "labs" / FIRST / "index.html").read_bytes()
    notebook_before = executed_notebook(project, FIRST).read_bytes()
    n_cells = len(jupytext.read(labs["ko"]).cells)
    lines = {lang: len(path.read_text().splitlines()) + 2 for lang, path in labs.items()}
    for path in labs.values():
        append(path, '\n# %%\nraise ValueError("a lab that fails")\n')
    proc = mkdocs_build(project, timeout=600)
    assert proc.returncode != 0
    # cells are numbered as in the sources, where the new one is the last
    assert (f"lab {FIRST!r} (used on docs/en/labs/{FIRST}.py, docs/ko/labs/{FIRST}.py) cell {n_cells + 1} "
            f"(docs/en/labs/{FIRST}.py line {lines['en']}, docs/ko/labs/{FIRST}.py line {lines['ko']}): "
            "raised ValueError: a lab that fails") in proc.stderr
    assert 'raise ValueError("a lab that fails")' in proc.stderr        # the traceback's last frames
    assert lab_report(project)[FIRST]["status"] == "failed"
    assert executed_notebook(project, FIRST).read_bytes() == notebook_before
    assert (project / "site" / "labs" / FIRST / "index.html").read_bytes() == site_before
