"""Unit tests of the build's pure parts: page markers, cache keys, the search index split."""
import json
from pathlib import Path

import pytest

from dlnotes.build.engine import keys
from dlnotes.build.figures import markers
from dlnotes.build.figures.jobs import figure_job
from dlnotes.build.html import search_index
from dlnotes.spec import FigureSpec, check_registry, ref_source_file
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
KNOWN = {"linreg-fits", "linreg-loss-curves"}


def test_markers_are_found_with_their_lines_and_captions():
    text = "# t\n\n<!-- figure: linreg-fits | 직선이 데이터에 맞춰진다 -->\ntext\n<!--figure:linreg-loss-curves|curves-->\n"
    found = markers.find_markers(text, "p.md", KNOWN)
    assert [(m.line, m.name, m.caption) for m in found] == [
        (3, "linreg-fits", "직선이 데이터에 맞춰진다"), (5, "linreg-loss-curves", "curves")]


def test_markers_inside_code_fences_are_left_alone():
    text = "```markdown\n<!-- figure: nothing-here | shown as code -->\n```\n~~~\n<!-- figure: x -->\n~~~\n"
    assert markers.find_markers(text, "p.md", KNOWN) == []


@pytest.mark.parametrize("line, message", [
    ("<!-- figure: linreg-fits -->", "p.md:2: malformed figure marker"),
    ("<!-- figure: linreg-fits |  -->", "p.md:2: malformed figure marker"),
    ("<!-- figure linreg-fits | caption -->", "p.md:2: malformed figure marker"),
    ("<!-- figure: Linreg_Fits | caption -->", "p.md:2: malformed figure marker"),
    ("<!-- figure: linreg-fitz | caption -->", "p.md:2: unknown figure 'linreg-fitz'"),
])
def test_bad_markers_name_page_and_line(line, message):
    with pytest.raises(markers.MarkerError, match=message):
        markers.find_markers(f"intro\n{line}\n", "p.md", KNOWN)


def test_expansion_links_both_palettes_relative_to_the_page_and_shows_the_code():
    specs = check_registry(FIGURES)
    out = markers.replace_markers("<!-- figure: linreg-fits | A line & data -->\n", "en/chapter.md", specs, ROOT)
    assert "![A line & data](../figures/linreg-fits.light.svg#only-light)" in out
    assert "![A line & data](../figures/linreg-fits.dark.svg#only-dark)" in out
    assert "<figcaption>A line &amp; data</figcaption>" in out
    assert '??? abstract "Code: `linreg-fits` · `snippets/linreg_gd.py`"' in out
    assert "    def fit_history(" in out and "    def draw(ax, history):" in out
    assert '<div class="dlnotes-figure-code" data-search-exclude="" markdown>' in out   # not in the search index


def test_code_box_is_labelled_in_the_page_language():
    specs = check_registry(FIGURES)
    korean = markers.replace_markers("<!-- figure: linreg-fits | 직선 -->\n", "ko/chapter.md", specs, ROOT)
    assert '??? abstract "코드: `linreg-fits` · `snippets/linreg_gd.py`"' in korean


def test_spec_rejects_bad_names_and_references():
    with pytest.raises(ValueError, match="lower-case"):
        FigureSpec(name="Bad Name", compute="a:b", draw="a:c")
    with pytest.raises(ValueError, match="bad function reference"):
        FigureSpec(name="ok", compute="no_function_here", draw="a:c")
    twice = FigureSpec(name="same", compute="a:b", draw="a:c")
    with pytest.raises(ValueError, match="registered twice"):
        check_registry([twice, twice])


def test_every_registered_reference_points_at_an_existing_function():
    for spec in FIGURES:
        for ref in (spec.compute, spec.draw):
            source = ref_source_file(ref, ROOT)
            assert markers.function_source(source, ref.split(":")[1]).startswith("def ")


def figure(name):
    return next(spec for spec in FIGURES if spec.name == name)


def test_stale_reason_names_what_changed():
    now = keys.current_inputs(figure_job(figure("linreg-fits"), ROOT, []), ROOT, None)
    assert keys.stale_reason(now, None, outputs_present=False) == "new"
    assert keys.stale_reason(now, now, outputs_present=True) is None
    assert keys.stale_reason(now, now, outputs_present=False) == "output missing"
    edited = {**now, "files": {**now["files"], "snippets/linreg_gd.py": "0" * 64}}
    assert keys.stale_reason(now, edited, True) == "changed: snippets/linreg_gd.py"
    older = {**now, "dists": {**now["dists"], "torch": "2.0.0"}}
    assert keys.stale_reason(now, older, True) == "versions changed: torch"
    other = {**now, "spec": "x"}
    assert keys.stale_reason(now, other, True) == "settings changed"


def test_key_covers_the_figure_code_the_renderer_and_the_pinned_libraries():
    now = keys.current_inputs(figure_job(figure("linreg-loss-surface"), ROOT, []), ROOT, None)
    assert {"src/dlnotes/figures/linear_regression.py", "src/dlnotes/build/figures/worker.py",
            "src/dlnotes/styles/light.mplstyle"} <= set(now["files"])
    assert {"torch", "numpy", "matplotlib"} <= set(now["dists"])
    assert "missing" not in now["dists"].values()


def test_the_search_index_is_split_into_configuration_and_documents(tmp_path):
    (tmp_path / "search").mkdir()
    index = {"config": {"lang": ["ko"], "separator": "[\\s]+"}, "docs": [{"location": "a/", "title": "가", "text": "나"}]}
    (tmp_path / search_index.INDEX).write_text(json.dumps(index), encoding="utf-8")
    search_index.split(tmp_path)
    assert json.loads((tmp_path / search_index.INDEX).read_text(encoding="utf-8")) == {**index, "docs": []}
    assert json.loads((tmp_path / search_index.DOCS).read_text(encoding="utf-8")) == {"docs": index["docs"]}

    (tmp_path / search_index.INDEX).write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a Material search index"):
        search_index.split(tmp_path)
    search_index.split(tmp_path / "no-site")      # a build without the search plugin: nothing to do
