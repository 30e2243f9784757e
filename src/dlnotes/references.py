"""The bibliography (references.yaml) and how a work is written out, in Korean or in English.

The data say everything about a work once; citations.py puts the forms below into the pages.
Running text names authors in the page's language ("Dauphin et al." / "Dauphin 외"); a full
entry keeps the byline as published.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("references.yaml")
KEY = r"[a-z]+\d{4}[a-z]?"
LANGS = ("ko", "en")
KINDS = ("book", "data set", "lecture slides", "blog post", "technical report")

WORDS = {
    "en": {"et al.": "et al.", "cited in": "cited in", "web page": "web page",
           "book": "book", "data set": "data set", "lecture slides": "lecture slides",
           "blog post": "blog post", "technical report": "technical report"},
    "ko": {"et al.": "외", "cited in": "인용한 곳", "web page": "웹 페이지",
           "book": "책", "data set": "데이터 집합", "lecture slides": "강의 슬라이드",
           "blog post": "블로그 글", "technical report": "기술 보고서"},
}


@dataclass(frozen=True)
class Work:
    key: str
    authors: tuple[str, ...]      # "Surname, Initials", in byline order
    year: int
    title: str                    # exactly as published
    venue: str
    details: str = ""             # volume(issue), pages, edition, series
    kind: str = ""                # one of KINDS; empty for a paper
    et_al: bool = False           # the byline goes on beyond `authors`
    doi: str = ""
    arxiv: str = ""
    url: str = ""
    url_label: str = ""

    @property
    def link(self) -> tuple[str, str]:
        """(label, address) of the entry's one link: the DOI or arXiv id when there is one."""
        if self.doi:
            return f"doi:{self.doi}", f"https://doi.org/{self.doi}"
        if self.arxiv:
            return f"arXiv:{self.arxiv}", f"https://arxiv.org/abs/{self.arxiv}"
        return self.url_label, self.url

    @property
    def venue_with_year(self) -> str:
        """"NIPS 2014" as it is; a journal gets its year: "Nature 2015"."""
        return self.venue if self.venue.endswith(str(self.year)) else f"{self.venue} {self.year}"

    def surnames(self) -> list[str]:
        return [author.split(",")[0] for author in self.authors]


class BibliographyError(ValueError):
    """references.yaml holds an entry that cannot be cited as it is."""


@lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int) -> dict[str, Work]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    works = {}
    for key, fields in raw.items():
        try:
            work = Work(key=key, authors=tuple(fields.pop("authors")), **fields)
        except TypeError as error:
            raise BibliographyError(f"{path.name}: entry {key!r}: {error}") from None
        problems = _problems(work)
        if problems:
            raise BibliographyError(f"{path.name}: entry {key!r}: {'; '.join(problems)}")
        works[key] = work
    return works


def load(path: Path = DATA) -> dict[str, Work]:
    """The works by key; read again whenever the file changes (as under `mkdocs serve`)."""
    return _load_cached(path, path.stat().st_mtime_ns)


def _problems(work: Work) -> list[str]:
    problems = []
    if not re.fullmatch(KEY, work.key) or not work.key.endswith(str(work.year)):
        problems.append("the key is not surname + year")
    if not work.authors or not all(re.fullmatch(r"[^,]+, \S.*", a) for a in work.authors):
        problems.append('authors are not "Surname, Initials"')
    if not work.title.strip() or not work.venue.strip():
        problems.append("empty title or venue")
    if work.kind and work.kind not in KINDS:
        problems.append(f"unknown kind {work.kind!r}")
    if sum(bool(x) for x in (work.doi, work.arxiv, work.url)) != 1 or (work.url and not work.url_label):
        problems.append("needs exactly one of doi, arxiv, url (with url_label)")
    return problems


# ---------------------------------------------------------------- running text

def short_authors(work: Work, lang: str) -> str:
    """One or two surnames ("Robbins & Monro"), else the first and et al. ("Dauphin 외" in Korean)."""
    names = work.surnames()
    if work.et_al or len(names) > 2:
        return f"{names[0]} {WORDS[lang]['et al.']}"
    return " & ".join(names)


def parenthetical(works: list[Work], lang: str, href) -> str:
    """(Dauphin et al., 2014; Ge et al., 2015), each name linked to its entry."""
    return "(" + "; ".join(f"[{short_authors(w, lang)}, {w.year}]({href(w)})" for w in works) + ")"


def narrative(work: Work, lang: str, href) -> str:
    """Polyak (1964) in English; Polyak(1964) in Korean, where a particle follows directly."""
    space = "" if lang == "ko" else " "
    return f"[{short_authors(work, lang)}{space}({work.year})]({href(work)})"


def with_title(work: Work, lang: str, href) -> str:
    return f'{narrative(work, lang, href)}, "{work.title}"'


def source(work: Work, lang: str, href) -> str:
    """Authors · venue and year · link: the paper column of a table."""
    label, url = work.link
    return f"[{short_authors(work, lang)}]({href(work)}) · {work.venue_with_year} · [{_word(label, lang)}]({url})"


# ---------------------------------------------------------------- full entries

def entry(work: Work, lang: str) -> str:
    """Authors (year). Title. *Venue*, details (kind). [link]: one line of Markdown."""
    byline = ", ".join(work.authors) + (", et al." if work.et_al else "")
    title = work.title if work.title[-1] in ".?!" else work.title + "."
    where = f"*{work.venue}*" + (f", {work.details}" if work.details else "")
    if work.kind:
        where += f" ({WORDS[lang][work.kind]})"
    label, url = work.link
    return f"{byline} ({work.year}). {title} {where}. [{_word(label, lang)}]({url})"


def anchor(work: Work) -> str:
    """The id of the work's entry on the references page."""
    return f"ref-{work.key}"


def _word(label: str, lang: str) -> str:
    return WORDS[lang].get(label, label)
