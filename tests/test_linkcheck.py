"""The offline link checker (dlnotes_tools.linkcheck) on a tiny synthetic site."""
import subprocess
import sys

import pytest

from dlnotes_tools.linkcheck import check_site, external_problem, site_url_of

SITE_URL = "https://notes.example.org/"


def write_site(root, pages: dict[str, str]):
    for rel, body in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


def html(body: str) -> str:
    return f'<!doctype html><html><head><link rel="stylesheet" href="/assets/site.css"></head><body>{body}</body></html>'


GOOD_PAGES = {
    "index.html": html('<a href="topic/">topic</a> <a href="topic/#details">details</a> <a href="#top" id="top">top</a>'
                       '<img src="figures/plot.svg" alt="plot"> <script src="assets/app.js"></script>'
                       '<a href="https://pytorch.org/docs/stable/index.html">PyTorch</a> <a href="mailto:me@example.org">mail</a>'
                       f'<a href="{SITE_URL}topic/">canonical</a> <a href="http://127.0.0.1:8000">local server</a>'),
    "topic/index.html": html('<h2 id="details">Details</h2><a name="old-name"></a><a href="../">home</a>'
                             '<a href="../#top">top</a> <a href="/topic/#old-name">old</a> <a href="#">page top</a>'
                             '<a href="../ko/%EA%B2%BD%EC%82%AC/#%ED%95%98%EA%B0%95">encoded</a>'
                             '<img src="data:image/png;base64,AAAA" alt="">'),
    "ko/경사/index.html": html('<h2 id="하강">하강</h2><a href="../../index.html?x=1#top">back</a>'),
    "assets/site.css": "body {}",
    "assets/app.js": "",
    "figures/plot.svg": "<svg/>",
}


def with_bad_page(body: str) -> dict[str, str]:
    """The good site plus one page, bad/index.html, with the links under test."""
    return dict(GOOD_PAGES, **{"bad/index.html": html(body)})


def problems_of(root) -> list[tuple[str, str, str]]:
    return [(p.page, p.link, p.problem) for p in check_site(root, SITE_URL)]


def test_a_good_site_passes(tmp_path):
    assert problems_of(write_site(tmp_path, GOOD_PAGES)) == []


def test_a_broken_page_link_is_reported(tmp_path):
    pages = with_bad_page('<a href="../missing/">gone</a> <img src="../figures/nope.svg"> <a href="../topic/">ok</a>')
    assert problems_of(write_site(tmp_path, pages)) == [
        ("bad/index.html", "../missing/", "no such file: missing/index.html"),
        ("bad/index.html", "../figures/nope.svg", "no such file: figures/nope.svg"),
    ]


def test_an_id_given_twice_is_reported(tmp_path):
    pages = with_bad_page('<pre><span id="line-1"></span></pre><pre><span id="line-1"></span><a name="line-1"></a></pre>')
    assert problems_of(write_site(tmp_path, pages)) == [("bad/index.html", "#line-1", "id given to two elements")]


def test_a_link_under_site_url_counts_as_internal(tmp_path):
    pages = with_bad_page(f'<link rel="canonical" href="{SITE_URL}nowhere/">')
    assert problems_of(write_site(tmp_path, pages)) == [
        ("bad/index.html", f"{SITE_URL}nowhere/", "no such file: nowhere/index.html")]


def test_root_absolute_links_start_at_the_path_of_site_url(tmp_path):
    pages = with_bad_page('<a href="/notes/topic/#details">in</a> <a href="/topic/">out</a>'
                          '<a href="https://notes.example.org/notes/topic/">canonical</a>')
    problems = [(p.page, p.link, p.problem) for p in check_site(write_site(tmp_path, pages), SITE_URL + "notes/")
                if p.page == "bad/index.html"]
    assert problems == [("bad/index.html", "/assets/site.css", "outside the site (served at /notes/)"),   # html()'s
                        ("bad/index.html", "/topic/", "outside the site (served at /notes/)")]


def test_site_url_is_read_as_mkdocs_reads_it(tmp_path, monkeypatch):
    config = tmp_path / "mkdocs.yml"
    config.write_text('site_name: x\nsite_url: !ENV [SITE_URL, "https://notes.example.org/notes/"]\n')
    monkeypatch.delenv("SITE_URL", raising=False)
    assert site_url_of(config) == "https://notes.example.org/notes/"
    monkeypatch.setenv("SITE_URL", "https://fork.example.org/")
    assert site_url_of(config) == "https://fork.example.org/"


def test_a_missing_anchor_is_reported(tmp_path):
    pages = with_bad_page('<a href="../topic/#detail">typo</a> <a href="#nowhere">here</a>'
                          '<a href="../topic/#details">ok</a>')
    assert problems_of(write_site(tmp_path, pages)) == [
        ("bad/index.html", "../topic/#detail", "no anchor #detail in topic/index.html"),
        ("bad/index.html", "#nowhere", "no anchor #nowhere in bad/index.html"),
    ]


def test_a_link_above_the_site_root_is_reported(tmp_path):
    pages = with_bad_page('<a href="../../index.html">up</a>')
    assert problems_of(write_site(tmp_path, pages)) == [("bad/index.html", "../../index.html", "outside the site")]


def test_a_malformed_external_url_is_reported(tmp_path):
    pages = with_bad_page('<a href="https://arxiv org/abs/1412.6980">Adam</a>'
                          '<a href="https://arxiv.org/abs/1412.6980">ok</a>')
    assert problems_of(write_site(tmp_path, pages)) == [
        ("bad/index.html", "https://arxiv org/abs/1412.6980", "space in link")]


@pytest.mark.parametrize("link, problem", [
    ("https://arxiv.org/abs/1412.6980", None),
    ("https://doi.org/10.24432/C50P49", None),
    ("http://[::1]:8000/", None),
    ("mailto:someone@example.org", None),
    ("https://pytorch/docs", "malformed host 'pytorch'"),
    ("https:/pytorch.org/docs", "no // after the scheme"),
    ("https://", "no host"),
    ("https://pytorch.org:80a/", "malformed port"),
    ("ftp://example.org/file", "unexpected scheme 'ftp'"),
    ("mailto:someone", "malformed e-mail address"),
    ("https://example.org/a b", "space in link"),
])
def test_external_links_are_checked_for_form(link, problem):
    assert external_problem(link) == problem


def test_the_command_prints_problems_and_fails(tmp_path):
    site = write_site(tmp_path / "site", with_bad_page('<a href="../topic/#detail">typo</a>'))
    run = subprocess.run([sys.executable, "-m", "dlnotes_tools.linkcheck", str(site), "--site-url", SITE_URL],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout == "bad/index.html: ../topic/#detail: no anchor #detail in topic/index.html\n"
    good = write_site(tmp_path / "good", GOOD_PAGES)
    run = subprocess.run([sys.executable, "-m", "dlnotes_tools.linkcheck", str(good), "--site-url", SITE_URL],
                         capture_output=True, text=True, cwd=tmp_path)
    assert (run.returncode, run.stdout) == (0, "")
