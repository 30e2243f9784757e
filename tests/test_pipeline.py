"""The build's figure jobs, end to end: builds of a temporary copy of the project (one chapter)."""
import json
import shutil
import time

import pytest

from buildkit import append, copy_small_project, figure_report, mkdocs_build, statuses, tree_digest

pytestmark = pytest.mark.build      # builds the site: `make test` only, not `make check`

ALL = {"linreg-fits", "linreg-loss-surface", "linreg-loss-curves", "linreg-step-size"}
DESCENT = {"linreg-loss-surface", "linreg-loss-curves", "linreg-step-size"}     # they import the descent code
STEP_SIZES = (0.1, 0.5, 0.9, 0.98, 1.02, 1.1)          # linreg-step-size's knob (registry/linear_regression.py)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the project (the first chapter only) after one cold build."""
    project = copy_small_project(tmp_path_factory.mktemp("built") / "project")
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr
    assert set(statuses(project).values()) == {"regenerated"}
    return project


@pytest.fixture
def project(built, tmp_path):
    """A private copy of the built project, with its cache and site, to change at will."""
    copy = tmp_path / "project"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def build_ok(project):
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr
    return proc


def regenerated(project):
    return {name for name, status in statuses(project).items() if status == "regenerated"}


def test_report_lists_every_figure_with_its_pages(built):
    report = figure_report(built)
    assert set(report) == ALL
    for entry in report.values():
        assert set(entry) >= {"name", "status", "reason", "seconds", "outputs", "pages"}
        assert entry["pages"] == ["docs/en/linear-regression.md", "docs/ko/linear-regression.md"]
        for output in entry["outputs"]:
            assert (built / "site" / output).read_bytes() == (built / ".cache/dlnotes" / output).read_bytes()


def test_second_build_regenerates_nothing(project):
    before = tree_digest(project / "site" / "figures")
    proc = build_ok(project)
    assert statuses(project) == dict.fromkeys(ALL, "cached")
    assert f"jobs: 4 figures (4 cached), {len(STEP_SIZES) - 1} variants ({len(STEP_SIZES) - 1} cached), 0 failed in" \
        in proc.stderr
    assert tree_digest(project / "site" / "figures") == before


@pytest.mark.parametrize("edited, expected", [
    ("src/dlnotes/figures/linear_regression.py", DESCENT),
    ("src/dlnotes/linear_regression.py", DESCENT),
    ("snippets/linreg_gd.py", {"linreg-fits"}),
    ("src/dlnotes/styles/dark.mplstyle", ALL),
])
def test_editing_a_file_regenerates_exactly_the_figures_that_use_it(project, edited, expected):
    append(project / edited, "\n# an edit that changes the file's bytes\n")
    proc = build_ok(project)
    assert regenerated(project) == expected
    for name in expected:
        assert f"figure {name}: regenerated (changed: {edited})" in proc.stderr


def test_changing_settings_regenerates_only_that_figure(project):
    registry = project / "src/dlnotes/registry/linear_regression.py"
    registry.write_text(registry.read_text().replace("n_points=40", "n_points=41"))
    build_ok(project)
    assert regenerated(project) == {"linreg-fits"}
    assert figure_report(project)["linreg-fits"]["reason"] == "settings changed"


def variants(project) -> dict[str, str]:
    entries = json.loads((project / ".cache/dlnotes/variants.json").read_text())["variants"]
    return {entry["name"]: entry["status"] for entry in entries}


def set_step_sizes(project, values: tuple) -> None:
    registry = project / "src/dlnotes/registry/linear_regression.py"
    registry.write_text(registry.read_text().replace(repr(STEP_SIZES), repr(values)))


def test_a_new_value_of_a_knob_computes_only_its_variant(project):
    set_step_sizes(project, STEP_SIZES + (1.05,))
    build_ok(project)
    assert regenerated(project) == set()
    ran = {name for name, status in variants(project).items() if status == "regenerated"}
    assert ran == {"linreg-step-size[eta_fraction=1.05]"}
    assert (project / "site/figures/linreg-step-size/eta_fraction-1.05.dark.svg").is_file()


def test_a_removed_value_takes_only_its_own_variant_away(project):
    cache = project / ".cache/dlnotes/figures"
    kept = tree_digest(cache)
    set_step_sizes(project, tuple(v for v in STEP_SIZES if v != 0.5))
    build_ok(project)
    gone = {f"linreg-step-size/eta_fraction-0.5.{palette}.svg" for palette in ("light", "dark")}
    assert tree_digest(cache) == {path: digest for path, digest in kept.items() if path not in gone}
    assert not (project / "site/figures/linreg-step-size/eta_fraction-0.5.light.svg").exists()
    assert set(variants(project).values()) == {"cached"}


def test_a_raising_variant_fails_the_build_naming_the_figure_and_its_values(project):
    site_before = tree_digest(project / "site")
    append(project / "src/dlnotes/figures/linear_regression.py",
           "\n_descent = compute_descent_paths\n\n\ndef compute_descent_paths(**settings):\n"
           "    if settings['eta_fractions'] == (1.1,):\n        raise ValueError('no step of 1.1 here')\n"
           "    return _descent(**settings)\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert "figure 'linreg-step-size' with eta_fraction=1.1 (used on docs/en/linear-regression.md" in proc.stderr
    assert "ValueError: no step of 1.1 here" in proc.stderr
    assert tree_digest(project / "site") == site_before


def test_a_raising_figure_fails_the_build_and_keeps_the_previous_output(project):
    site_before, cache_before = tree_digest(project / "site"), tree_digest(project / ".cache/dlnotes/figures")
    snippet = project / "snippets/linreg_gd.py"
    original = snippet.read_text()
    snippet.write_text(original.replace("    gen = torch.Generator()", "    raise RuntimeError('broken on purpose')\n    gen = torch.Generator()", 1))
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert "figure 'linreg-fits' (used on docs/en/linear-regression.md, docs/ko/linear-regression.md)" in proc.stderr
    assert "RuntimeError: broken on purpose" in proc.stderr
    assert 'linreg_gd.py", line' in proc.stderr            # the failing frame
    assert statuses(project)["linreg-fits"] == "failed"
    assert tree_digest(project / "site") == site_before
    assert tree_digest(project / ".cache/dlnotes/figures") == cache_before
    # undoing the change brings back the cached output: nothing was lost or overwritten
    snippet.write_text(original)
    build_ok(project)
    assert statuses(project)["linreg-fits"] == "cached"


def test_a_figure_past_its_time_limit_fails_the_build(project):
    site_before = tree_digest(project / "site")
    (project / "src/dlnotes/figures/slow.py").write_text(
        "import time\n\ndef compute():\n    time.sleep(120)\n\ndef draw(ax, data):\n    pass\n")
    append(project / "src/dlnotes/registry/linear_regression.py",
           "\nFIGURES += (FigureSpec(name='slow', compute='dlnotes.figures.slow:compute',\n"
           "                        draw='dlnotes.figures.slow:draw', time_limit=4),)\n")
    append(project / "docs/ko/index.md", "\n<!-- figure: slow | 느린 그림 -->\n")
    start = time.monotonic()
    proc = mkdocs_build(project)
    assert time.monotonic() - start < 60                  # stopped, not waited out
    assert proc.returncode != 0
    assert "figure 'slow' (used on docs/ko/index.md) ran past its time limit of 4 s" in proc.stderr
    assert statuses(project)["slow"] == "failed"
    assert tree_digest(project / "site") == site_before


def test_a_page_that_fails_while_a_figure_runs_fails_the_build_and_the_figure_is_kept(project):
    """Figures run while the pages are made (plugin.py, on_pre_build): a page that fails meanwhile
    fails the build, the running figure still finishes and is recorded, and the site stays."""
    site_before = tree_digest(project / "site")
    # the figure takes 3 s more, so that the page fails while it runs (the first language's pages are
    # made beside the jobs; the others after them)
    append(project / "snippets/linreg_gd.py", "\nimport time\ntime.sleep(3)\n")
    append(project / "docs/ko/index.md", '\n```python\n--8<-- "snippets/no_such_snippet.py"\n```\n')
    proc = mkdocs_build(project)
    assert proc.returncode != 0 and "no_such_snippet.py" in proc.stderr
    assert "figure linreg-fits: regenerated (changed: snippets/linreg_gd.py)" in proc.stderr
    assert tree_digest(project / "site") == site_before
    page = project / "docs/ko/index.md"
    page.write_text(page.read_text().split("\n```python\n--8<-- \"snippets/no_such", 1)[0])
    build_ok(project)
    assert regenerated(project) == set()


def test_a_page_naming_an_unknown_figure_fails_with_page_and_line(project):
    site_before = tree_digest(project / "site")
    page = project / "docs/en/index.md"
    line = len(page.read_text().splitlines()) + 2
    append(page, "\n<!-- figure: no-such-figure | a figure nobody registered -->\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert f"docs/en/index.md:{line}: unknown figure 'no-such-figure'" in proc.stderr
    assert tree_digest(project / "site") == site_before


def test_a_malformed_figure_marker_fails_with_page_and_line(project):
    page = project / "docs/ko/index.md"
    line = len(page.read_text().splitlines()) + 2
    append(page, "\n<!-- figure: linreg-fits -->\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert f"docs/ko/index.md:{line}: malformed figure marker" in proc.stderr


def test_a_missing_snippet_fails_the_build_and_keeps_the_site(project):
    site_before = tree_digest(project / "site")
    append(project / "docs/en/index.md", '\n```python\n--8<-- "snippets/no_such_snippet.py"\n```\n')
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert "no_such_snippet.py" in proc.stderr and "en/index.md" in proc.stderr
    assert tree_digest(project / "site") == site_before


def test_an_unclosed_code_fence_fails_with_page_and_line(project):
    site_before = tree_digest(project / "site")
    page = project / "docs/en/linear-regression.md"
    line = len(page.read_text().splitlines()) + 2
    append(page, "\n```python\nprint('this fence never closes')\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert f"docs/en/linear-regression.md:{line}: code fence ``` is never closed" in proc.stderr
    assert tree_digest(project / "site") == site_before


@pytest.mark.parametrize("marker", ['--8<-- "snippets/linreg_gd.py', "--8<-- snippets/linreg_gd.py"])
def test_a_malformed_snippet_marker_fails_with_page_and_line(project, marker):
    page = project / "docs/ko/linear-regression.md"
    line = len(page.read_text().splitlines()) + 3
    append(page, f"\n```python\n{marker}\n```\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert f"docs/ko/linear-regression.md:{line}: malformed snippet marker" in proc.stderr


def test_a_formula_katex_rejects_fails_with_page_and_line(project):
    site_before = tree_digest(project / "site")
    page = project / "docs/ko/linear-regression.md"
    line = len(page.read_text().splitlines()) + 3
    append(page, "\n$$\nL = \\frac{1}{N \\sum_i r_i^2\n$$\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert f"docs/ko/linear-regression.md:{line}: KaTeX parse error" in proc.stderr
    assert tree_digest(project / "site") == site_before


def test_a_build_served_from_the_memo_writes_the_site_a_fresh_derivation_writes(project):
    """Typeset formulas, search entries and code boxes come from .cache/dlnotes/memo/ on a warm
    build; without the memo every one is derived again, and the site must not change by a byte."""
    build_ok(project)
    from_memo = tree_digest(project / "site")
    shutil.rmtree(project / ".cache/dlnotes/memo")
    build_ok(project)
    assert tree_digest(project / "site") == from_memo
    assert {p.name for p in (project / ".cache/dlnotes/memo").iterdir()} >= {"math.json", "search.json", "code.json"}


def test_an_edited_formula_is_typeset_again_not_served_from_the_memo(project):
    page = project / "docs/en/linear-regression.md"
    append(page, "\n$$\nq_{\\text{memo test}} = 1\n$$\n")
    build_ok(project)
    html = (project / "site/en/linear-regression/index.html").read_text()
    assert "memo test" in html and "q_{\\text{memo test}}" in html   # KaTeX markup, TeX kept as its annotation
