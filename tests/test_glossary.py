"""The glossary links only to headings that exist, and the references list every paper the site links to.

The references and every citation are written out at build time from src/dlnotes/references.yaml
(dlnotes.citations); the tests on them read the pages as the build writes them out.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dlnotes.build.html import citations

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("ko", "en")
GLOSSARY = "glossary.md"

# [text](target): the text may hold [x], the target balanced parentheses (DOIs such as 10.1016/0893-6080(89)90020-8)
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")
BARE_URL = re.compile(r"<(https?://[^>\s]+)>")
# {#id} or {#id key="value" ...} (attr_list): the exercise headings carry their kind as data-kind
HEADING_ID = re.compile(r"^#+ .*\{#([\w-]+)(?: [^}]*)?\}\s*$", re.M)
YEAR = re.compile(r"\((\d{4})[a-z]?\)")
# hosts that serve papers: a link to any of them is a citation and belongs in the references
PAPER_HOSTS = ("arxiv.org", "doi.org", "proceedings.neurips.cc", "papers.nips.cc", "papers.neurips.cc",
               "proceedings.mlr.press", "jmlr.org", "openreview.net", "aclanthology.org", "ieeexplore.ieee.org",
               "nature.com", "science.org", "openaccess.thecvf.com", "link.springer.com", "sciencedirect.com",
               "dl.acm.org", "jstor.org", "biorxiv.org", "psycnet.apa.org", "ojs.aaai.org", "bmj.com",
               "academic.oup.com", "cs.toronto.edu", "yann.lecun.com", "image-net.org")


def page_text(lang, name):
    return (DOCS / lang / name).read_text(encoding="utf-8")


def built_text(lang, name):
    """The page's Markdown with its citations and reference lists written out, as the build does it."""
    return citations.expand(page_text(lang, name), f"{lang}/{name}", {"docs_dir": str(DOCS), "nav": []})


def section(text, heading_id):
    """The text under the heading with {#heading_id}, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) .*\{{#{heading_id}\}}\s*$", text, re.M)
    assert match, f"no heading with id {heading_id!r}"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[:end.start()] if end else rest


def glossary_rows(lang):
    """(korean term, english term, ((page, anchor), ...)) for every row of the glossary table."""
    rows = []
    for line in section(page_text(lang, GLOSSARY), "terms").splitlines():
        if not line.startswith("| ") or set(line) <= set("|- :"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("한국어", "English"):
            continue                                                       # the header row
        korean, english = (cells[0], cells[1]) if lang == "ko" else (cells[1], cells[0])
        targets = tuple(split_target(target) for _, target in LINK.findall(cells[2]))
        rows.append((korean, english, targets))
    return rows


def split_target(target):
    page, _, anchor = target.partition("#")
    return page, anchor or None


def explicit_ids(lang, page):
    return set(HEADING_ID.findall(page_text(lang, page)))


def normalise(url):
    """One spelling per paper: https, no trailing slash, doi.org for dx.doi.org, arXiv abs without version."""
    url = url.strip().rstrip("/.")
    url = re.sub(r"^http://", "https://", url)
    url = url.replace("://dx.doi.org/", "://doi.org/").replace("://www.doi.org/", "://doi.org/")
    url = re.sub(r"://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?$", r"://arxiv.org/abs/\1", url)
    if "://doi.org/" in url:
        url = url.lower()
    return url


def is_paper(url):
    host = urlsplit(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in PAPER_HOSTS)


def external_links(text):
    return [t for _, t in LINK.findall(text) if t.startswith("http")] + BARE_URL.findall(text)


def references_section(text):
    match = re.search(r"^#+ .*\{#references\}\s*$", text, re.M)
    return section(text, "references") if match else ""


def cited_papers():
    """Every paper link on the other pages: links to paper hosts, and any link in a page's references section."""
    cited = {}
    for lang in LANGS:
        for page in sorted((DOCS / lang).glob("*.md")):
            if page.name == GLOSSARY:
                continue
            text = built_text(lang, page.name)
            in_references = set(external_links(references_section(text)))
            for url in external_links(text):
                if is_paper(url) or url in in_references:
                    cited.setdefault(normalise(url), set()).add(f"{lang}/{page.name}")
    return cited


def reference_entries(lang):
    """The bullet entries of the glossary's references, in order."""
    text = section(built_text(lang, GLOSSARY), "references")
    return [line for line in text.splitlines() if line.startswith("- ")]


def cited_anchors(lang):
    """(page, anchor) of every citation on the other pages: each links to an entry of the references."""
    return {(page.name, anchor) for page in sorted((DOCS / lang).rglob("*.md")) if page.name != GLOSSARY
            for anchor in re.findall(r"\]\((?:\.\./)?glossary\.md#([\w-]+)\)",
                                     built_text(lang, page.relative_to(DOCS / lang).as_posix()))}


def test_glossary_links_point_to_existing_pages_and_explicit_ids():
    for lang in LANGS:
        rows = glossary_rows(lang)
        assert len(rows) >= 40, f"{lang}: {len(rows)} terms"
        intro = (DOCS / lang / "glossary.md").read_text(encoding="utf-8").split("\n\n")[1]
        assert re.findall(r"\d+", intro) == [str(len(rows))], f"{lang}: the first paragraph miscounts the terms"
        for korean, english, targets in rows:
            assert targets, f"{lang}: {english} links to no page"
            for page, anchor in targets:
                assert "/" not in page and page.endswith(".md"), f"{lang}: {english} -> {page}"
                assert (DOCS / lang / page).is_file(), f"{lang}: {english} -> missing page {page}"
                if anchor is not None:
                    assert anchor in explicit_ids(lang, page), \
                        f"{lang}: {english} -> {page}#{anchor}, but {page} has no heading with {{#{anchor}}}"


def test_glossary_has_the_same_terms_and_targets_in_both_languages():
    ko, en = glossary_rows("ko"), glossary_rows("en")
    assert sorted(ko) == sorted(en)
    targets = lambda rows: {t for _, _, ts in rows for t in ts}   # noqa: E731
    assert targets(ko) == targets(en)
    assert len({e for _, e, _ in ko}) == len(ko), "an English term appears twice"
    assert len({k for k, _, _ in ko}) == len(ko), "a Korean term appears twice"


def test_glossary_is_sorted_and_covers_every_chapter():
    ko, en = glossary_rows("ko"), glossary_rows("en")
    assert [k for k, _, _ in ko] == sorted((k for k, _, _ in ko), key=str.casefold)
    assert [e for _, e, _ in en] == sorted((e for _, e, _ in en), key=str.casefold)
    linked = {page for _, _, ts in ko for page, _ in ts}
    chapters = {p.name for p in (DOCS / "ko").glob("*.md")} - {GLOSSARY, "index.md", "gallery.md"}   # not chapters
    assert chapters <= linked, f"chapters with no glossary entry: {sorted(chapters - linked)}"


def spellings(term):
    """A glossary cell may give several spellings ("에포크, 에폭") and an abbreviation or optional word in
    brackets ("stochastic gradient descent (SGD)"); British and American English count as one."""
    unify = lambda s: re.sub(r"is(e|ing|ation)", r"iz\1", s.casefold())   # noqa: E731
    return [unify(re.sub(r"\s*\([^)]*\)", "", t).strip()) for t in term.split(",")], unify


def test_each_term_appears_on_the_pages_it_links_to():
    for lang in LANGS:
        for korean, english, targets in glossary_rows(lang):
            variants, unify = spellings(korean if lang == "ko" else english)
            for page, _ in targets:
                text = unify(page_text(lang, page))
                assert any(v in text for v in variants), f"{lang}: {variants} does not occur on {page}"


def test_every_paper_linked_on_the_site_is_in_the_references():
    cited = cited_papers()
    assert cited, "no paper links found: the scan is broken"
    for lang in LANGS:
        listed = {normalise(u) for entry in reference_entries(lang) for u in external_links(entry)}
        missing = {url: sorted(pages) for url, pages in cited.items() if url not in listed}
        assert not missing, f"{lang} references lack papers cited on: {missing}"
        ids = set(re.findall(r'<span id="([\w-]+)"></span>', section(built_text(lang, GLOSSARY), "references")))
        anchors = cited_anchors(lang)
        assert len(anchors) > 50, "few citations found: the scan is broken"
        assert {a for _, a in anchors} <= ids, f"{lang}: citations link to entries that do not exist"


def test_references_are_complete_entries_sorted_by_year():
    for lang in LANGS:
        entries = reference_entries(lang)
        years = []
        for entry in entries:
            year = YEAR.search(entry)
            assert year, f"{lang}: no (year) in {entry[:80]!r}"
            assert external_links(entry), f"{lang}: no link in {entry[:80]!r}"
            assert "*" in entry, f"{lang}: no venue in italics in {entry[:80]!r}"
            years.append(int(year.group(1)))
        assert years == sorted(years)
    links = lambda lang: [external_links(e) for e in reference_entries(lang)]   # noqa: E731
    assert links("ko") == links("en")


@pytest.mark.parametrize("url, expected", [
    ("http://arxiv.org/abs/1412.6980v9", "https://arxiv.org/abs/1412.6980"),
    ("https://arxiv.org/pdf/1512.03385.pdf", "https://arxiv.org/abs/1512.03385"),
    ("https://dx.doi.org/10.1136/BMJ.292.6524.879", "https://doi.org/10.1136/bmj.292.6524.879"),
    ("https://proceedings.mlr.press/v9/glorot10a.html", "https://proceedings.mlr.press/v9/glorot10a.html"),
])
def test_url_normalisation(url, expected):
    assert normalise(url) == expected
