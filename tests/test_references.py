"""The bibliography and the citations: every work cited, every citation known, titles whole, names consistent."""
import re
from pathlib import Path

import pytest

from buildkit import append, copy_small_project, mkdocs_build
from dlnotes import references
from dlnotes.build.html import citations
from dlnotes.history import MILESTONES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("ko", "en")
CONFIG = {"docs_dir": str(DOCS), "nav": []}
WORKS = references.load()
PAGES = sorted(p.relative_to(DOCS / "ko").as_posix() for p in (DOCS / "ko").rglob("*.md"))
SOURCES = [DOCS / lang / page for lang in LANGS for page in PAGES] \
    + sorted(p for lang in LANGS for p in (DOCS / lang / "labs").glob("*.py"))
# hosts that serve papers, and every address the bibliography links to
PAPER_LINK = re.compile(r"https?://(?:[\w-]+\.)*(?:arxiv\.org|doi\.org|neurips\.cc|nips\.cc|mlr\.press|openreview\.net|"
                        r"jmlr\.org|aclanthology\.org|thecvf\.com)/|"
                        + "|".join(re.escape(w.link[1]) for w in WORKS.values()))


def source(lang, page):
    return (DOCS / lang / page).read_text(encoding="utf-8")


def expanded(lang, page):
    return citations.expand(source(lang, page), f"{lang}/{page}", CONFIG)


def outside_code(text):
    """The prose of a page: fenced code and inline code removed."""
    text = re.sub(r"^(\s*)(`{3,}|~{3,}).*?^\1\2\s*$", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]+`", "", text)


# ---------------------------------------------------------------- the citations of the pages

def test_every_cited_key_exists_and_every_work_is_cited():
    cited = {key for lang in LANGS for page in PAGES for key in citations.cited_keys(source(lang, page))}
    assert cited, "no citations found: the scan is broken"
    assert cited - set(WORKS) == set(), "cited but not in references.yaml"
    assert set(WORKS) - cited == set(), "in references.yaml but cited nowhere"


@pytest.mark.parametrize("page", PAGES)
def test_both_languages_cite_the_same_works(page):
    ko, en = (set(citations.cited_keys(source(lang, page))) for lang in LANGS)
    assert ko == en


def test_an_unknown_key_fails_the_build_with_page_and_line():
    with pytest.raises(citations.CitationError, match=r"docs/en/x\.md:3: unknown citation key nobody2001"):
        citations.expand("# X\n\nAs [@nobody2001] showed.\n", "en/x.md", CONFIG)
    with pytest.raises(citations.CitationError, match="nobody2001"):
        citations.expand("# X\n\n<!-- references: nobody2001 -->\n", "en/x.md", CONFIG)


@pytest.mark.build
def test_a_build_with_an_unknown_key_fails_naming_page_and_line(tmp_path):
    """The hook writes citations out at build time; a typo in a key stops the build, not a broken page."""
    project = copy_small_project(tmp_path / "project")
    page = project / "docs/en/linear-regression.md"
    line = len(page.read_text(encoding="utf-8").splitlines()) + 2
    append(page, "\nAs [@dauphin2041] argued.\n")
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert f"docs/en/linear-regression.md:{line}: unknown citation key dauphin2041" in proc.stderr
    assert "Traceback" not in proc.stderr


def relative(path):
    return path.relative_to(DOCS).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_pages_and_labs_cite_papers_only_through_the_bibliography(path):
    """No hand-written link to a paper, and no hand-written "Surname et al. (year)" of a work in the data."""
    text = outside_code(path.read_text(encoding="utf-8"))
    link = PAPER_LINK.search(text)
    assert not link, f"{relative(path)}: {link[0]} written by hand; cite the work's key"
    for work in WORKS.values():
        match = hand_written_citation(text, work)
        assert not match, f"{relative(path)}: {match[0]!r} cites {work.key} by hand; write @{work.key}"


def hand_written_citation(text, work):
    """The first author's surname with the work's year close behind: "Polyak (1964)", "(Silver et al., Nature 2016"."""
    name, year = re.escape(work.surnames()[0]), work.year
    return (re.search(rf"\b{name}(?: et al\.| 외| 등|,? ?(?:&|and|와|과) ?[A-Z]\S*|(?:, [A-Z][^\s,()]*)*)?,? ?\(?{year}\b", text)
            or re.search(rf"\b{name}\b(?: et al\.)?[^.()\n]{{0,40}}\([^()\n]{{0,80}}\b{year}\)", text)
            or re.search(rf"\b{name}(?: et al\.| 외)?,[^()\n]{{0,60}}?\b{year}\b", text))


@pytest.mark.parametrize("text, key", [
    ("Charig et al. (1986) compared", "charig1986"), ("Cybenko(1989)는", "cybenko1989"),
    ("Hornik, Stinchcombe, White(1989)는", "hornik1989"), ("(Barron, 1993, *IEEE", "barron1993"),
    ("[Robbins & Monro (Annals of Mathematical Statistics, 1951)](https://doi.org/x)", "robbins1951"),
    ("Adam(Kingma와 Ba, 2015, *ICLR*", "kingma2015"), ("AlphaGo (Silver et al., Nature 2016, [doi", "silver2016"),
    ("(Cireşan, Meier, Masci, Schmidhuber, Neural Networks 2012, [doi", "ciresan2012"),
    ("[Wilson et al. (NeurIPS 2017)](https://arxiv.org/abs/1705.08292)", "wilson2017"),
])
def test_the_hand_written_citation_check_finds_the_forms_the_pages_used(text, key):
    assert hand_written_citation(text, WORKS[key])
    assert not hand_written_citation(f"@{key}", WORKS[key])          # the way to cite it


def test_citation_forms_in_both_languages():
    text = ("Saddles [@dauphin2014; @ge2015]. @polyak1964 and @kingma2015:title.\n\n"
            "| x |\n| --- |\n| @he2016:source |\n\n`@polyak1964` and\n\n```\n@polyak1964\n```\n")
    en = citations.expand(text, "en/labs/index.md", CONFIG)
    assert "([Dauphin et al., 2014](../glossary.md#ref-dauphin2014); [Ge et al., 2015](../glossary.md#ref-ge2015))" in en
    assert "[Polyak (1964)](../glossary.md#ref-polyak1964) and" in en
    assert '[Kingma & Ba (2015)](../glossary.md#ref-kingma2015), "Adam: A Method for Stochastic Optimization"' in en
    assert "| [He et al.](../glossary.md#ref-he2016) · CVPR 2016 · [arXiv:1512.03385](https://arxiv.org/abs/1512.03385) |" in en
    assert en.endswith("`@polyak1964` and\n\n```\n@polyak1964\n```\n")          # code is left alone
    ko = citations.expand(text, "ko/bayes.md", CONFIG)
    assert "([Dauphin 외, 2014](glossary.md#ref-dauphin2014); [Ge 외, 2015](glossary.md#ref-ge2015))" in ko
    assert "[Polyak(1964)](glossary.md#ref-polyak1964) and" in ko


# ---------------------------------------------------------------- the bibliography itself

def test_titles_are_whole_titles_not_names():
    names = {m.name.casefold() for m in MILESTONES}
    for work in WORKS.values():
        words = work.title.split()
        assert len(words) >= 2, f"{work.key}: {work.title!r} is a name, not a title"
        assert work.title.casefold() not in names, f"{work.key}: the method's name instead of the title"
        assert work.title == work.title.strip() and not work.title.endswith("."), work.key
        assert not re.fullmatch(r"[A-Z0-9-]+", work.title.replace(" ", "")), f"{work.key}: an acronym"


def test_entries_are_complete_and_consistent():
    for work in WORKS.values():
        assert work.authors and work.title and work.venue, work.key
        conference_year = re.search(r"\b(19|20)\d\d$", work.venue)
        if conference_year:                                  # "NIPS 2014": the entry's year is the conference's
            assert int(conference_year[0]) == work.year, work.key
        if work.arxiv:
            assert re.fullmatch(r"\d{4}\.\d{4,5}", work.arxiv), work.key
            assert 2000 + int(work.arxiv[:2]) <= work.year, f"{work.key}: published before its preprint"
        if work.doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", work.doi), work.key
        label, url = work.link
        assert url.startswith("https://") and label, work.key


def nips_rule_violations(text):
    """NeurIPS before 2018 or NIPS from 2018 on: the conference took its new name in 2018."""
    wrong = [m[0] for m in re.finditer(r"\bNeurIPS(?: [A-Z][\w-]*)* (\d{4})\b", text) if int(m[1]) < 2018]
    wrong += [m[0] for m in re.finditer(r"\bNIPS(?: [A-Z][\w-]*)* (\d{4})\b", text) if int(m[1]) >= 2018]
    return wrong


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_every_page_names_the_conference_nips_before_2018_and_neurips_after(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":                       # as the reader sees it: citations written out
        text = citations.expand(text, relative(path), CONFIG)
    assert nips_rule_violations(text) == []


def test_the_nips_rule_check_finds_both_mistakes():
    assert nips_rule_violations("at NeurIPS 2014, NIPS 2017, NeurIPS 2020 and NIPS Deep Learning Workshop 2019") \
        == ["NeurIPS 2014", "NIPS Deep Learning Workshop 2019"]
    assert nips_rule_violations("NIPS renamed itself NeurIPS in 2018") == []


# ---------------------------------------------------------------- the references page

@pytest.mark.parametrize("lang", LANGS)
def test_the_references_page_lists_every_work_once_with_the_pages_citing_it(lang):
    page = citations.expand(source(lang, "glossary.md"), f"{lang}/glossary.md",
                            {"docs_dir": str(DOCS), "nav": ["index.md", "history.md"]})
    for work in WORKS.values():
        assert page.count(f'<span id="{references.anchor(work)}"></span>') == 1, work.key
    stated = re.search(r"(\d+)(?: works|편)", page)
    assert int(stated[1]) == len(WORKS)
    cited_in = references.WORDS[lang]["cited in"]
    for line in page.splitlines():
        anchor = re.search(r'<span id="ref-([a-z]+\d{4}[a-z]?)">', line)
        if anchor:
            linked = re.findall(r"\]\(([\w/-]+\.md)\)", line.partition(f" — {cited_in}: ")[2])
            citing = [p for p in PAGES if p != "glossary.md" and anchor[1] in citations.cited_keys(source(lang, p))]
            assert sorted(linked) == sorted(citing), anchor[1]
