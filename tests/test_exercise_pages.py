"""The exercise sections: well formed, the same in both languages, and every checkable answer tested.

The convention: a chapter page ends with `## 연습 문제 {#exercises}` / `## Exercises {#exercises}`;
each exercise is `### N. KIND: title {#ex-N data-kind="kind"}`, its statement, then a collapsed
`??? success "풀이"` / `??? success "Solution"` block that names the test behind the answer
(`tests/test_exercises_CHAPTER.py::test_ex_CHAPTER_N_...`) and, for a code exercise, includes
its solution from `snippets/exercises/`.
"""
import ast
import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("ko", "en")
KINDS = ("derive", "compute", "code", "explain")
CHECKED_KINDS = ("derive", "compute", "code")       # the kinds whose answer a test checks
SECTION_TITLE = {"ko": "연습 문제", "en": "Exercises"}
SOLUTION_TITLE = {"ko": "풀이", "en": "Solution"}
CHECKED_BY = {"ko": "검증:", "en": "Checked by:"}
KIND_WORD = {"ko": dict(zip(KINDS, ("유도", "계산", "코드", "설명"))),
             "en": dict(zip(KINDS, ("Derive", "Compute", "Code", "Explain")))}
# The parts of the notes as the nav groups them; the home page is the introduction chapter.
PARTS = {
    "foundations": ("index", "history", "pytorch-basics", "linear-regression"),
    "neural networks": ("neural-networks", "universal-approximation", "loss-functions"),
    "training": ("weight-initialization", "gradient-descent", "optimizers", "digits-mlp"),
    "probability": ("bayes",),
}
MIN_EXERCISES = 45

SECTION = re.compile(r"^## (.*) \{#exercises\}\s*$", re.M)
HEADING = re.compile(r'^### (\d+)\. (.*) \{#ex-(\d+) data-kind="(\w+)"\}\s*$')
NAMED_TEST = re.compile(r"`tests/(\w+\.py)::(\w+)`")
SNIPPET = re.compile(r'--8<-- "(snippets/exercises/[^"]+)"')
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Exercise:
    number: int
    kind: str
    title: str
    statement: str
    solution_line: str          # the `??? ...` line that opens the solution block
    solution: str               # the block's lines, indentation removed

    @property
    def tests(self):
        return NAMED_TEST.findall(self.solution)

    @property
    def snippets(self):
        return SNIPPET.findall(self.solution)

    @property
    def numbers(self):
        """Every number of the exercise except the one that numbers its heading."""
        return Counter(NUMBER.findall("\n".join((self.title, self.statement, self.solution))))


def chapter_of(page: str) -> str:
    return page.replace("-", "_")


def exercises_section(lang: str, page: str) -> tuple[str, str] | None:
    """(the section's title, its text) or None when the page has no exercises."""
    text = (DOCS / lang / f"{page}.md").read_text(encoding="utf-8")
    match = SECTION.search(text)
    return (match[1], text[match.end():]) if match else None


@functools.cache
def exercises(lang: str, page: str) -> list[Exercise]:
    _, text = exercises_section(lang, page)
    prose = re.sub(r"^( *)```.*?^\1```", "", text, flags=re.M | re.S)       # a "# comment" in code is no heading
    assert not re.search(r"^#{1,2} ", prose, re.M), f"{lang}/{page}: the exercises are not the last section"
    parsed = []
    for block in re.split(r"^(?=### )", text, flags=re.M)[1:]:       # [0]: an introduction, if any
        heading, _, body = block.partition("\n")
        match = HEADING.match(heading)
        assert match, f"{lang}/{page}: malformed exercise heading {heading!r}"
        number, title, anchor, kind = match.groups()
        assert number == anchor, f"{lang}/{page}: heading {number} has the id ex-{anchor}"
        parts = re.split(r"^(\?\?\?\+? .*)$", body, maxsplit=1, flags=re.M)
        statement, opener, solution = parts if len(parts) == 3 else (body, "", "")
        lines = solution.rstrip("\n").split("\n")
        assert all(not line.strip() or line.startswith("    ") for line in lines), \
            f"{lang}/{page} ex-{number}: the solution block has lines that are not indented by 4 spaces"
        parsed.append(Exercise(int(number), kind, title, statement.strip(), opener,
                               "\n".join(line[4:] for line in lines).strip()))
    return parsed


def pages_with_exercises() -> list[tuple[str, str]]:
    return [(lang, p.stem) for lang in LANGS for p in sorted((DOCS / lang).glob("*.md"))
            if exercises_section(lang, p.stem)]


def nav_chapters() -> set[str]:
    """The chapter pages of mkdocs.yml's nav: every top-level page but the labs, the figure gallery
    and the glossary."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    return set(re.findall(r"^\s+- [^\n]+: ([\w-]+)\.md$", nav, re.M)) - {"glossary", "gallery"}


@functools.cache
def defined_tests(file: str) -> set[str]:
    path = ROOT / "tests" / file
    if not path.is_file():
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


PAGES = pages_with_exercises()


def test_some_pages_have_exercises():
    assert PAGES


@pytest.mark.parametrize("lang, page", PAGES, ids=[f"{lang}/{page}" for lang, page in PAGES])
def test_exercise_section_follows_the_convention(lang, page):
    title, _ = exercises_section(lang, page)
    assert title == SECTION_TITLE[lang]
    found = exercises(lang, page)
    assert 3 <= len(found) <= 6, f"{lang}/{page}: {len(found)} exercises"
    assert [e.number for e in found] == list(range(1, len(found) + 1))
    chapter = chapter_of(page)
    for e in found:
        where = f"{lang}/{page} ex-{e.number}"
        assert e.kind in KINDS, f"{where}: unknown kind {e.kind!r}"
        assert e.title.startswith(KIND_WORD[lang][e.kind] + ": "), f"{where}: {e.title!r} does not say {e.kind}"
        assert e.statement, f"{where}: no problem statement"
        # ??? (not ???+): collapsed, so the reader tries first
        assert e.solution_line == f'??? success "{SOLUTION_TITLE[lang]}"', f"{where}: {e.solution_line!r}"
        assert e.solution, f"{where}: an empty solution"
        if e.kind in CHECKED_KINDS:
            assert len(e.tests) == 1, f"{where}: a {e.kind} exercise names exactly one test, not {e.tests}"
            [(file, test)] = e.tests
            assert f"{CHECKED_BY[lang]} `tests/{file}::{test}`" in e.solution, f"{where}: no '{CHECKED_BY[lang]}' line"
            assert file == f"test_exercises_{chapter}.py", f"{where}: the test belongs in test_exercises_{chapter}.py"
            assert test.startswith(f"test_ex_{chapter}_{e.number}_"), f"{where}: {test} is not test_ex_{chapter}_{e.number}_..."
            assert test in defined_tests(file), f"{where}: tests/{file} has no function {test}"
        else:
            assert not e.tests, f"{where}: an explain exercise names no test"
        if e.kind == "code":
            assert e.snippets, f"{where}: a code solution includes its file from snippets/exercises/"
        for snippet in e.snippets:
            assert (ROOT / snippet).is_file(), f"{where}: {snippet} does not exist"
            assert Path(snippet).name.startswith(f"{chapter}_"), f"{where}: {snippet} is not named {chapter}_..."


KOREAN_PAGES = sorted(page for lang, page in PAGES if lang == "ko")


@pytest.mark.parametrize("page", KOREAN_PAGES)
def test_both_languages_have_the_same_exercises_and_numbers(page):
    assert exercises_section("en", page), f"en/{page} has no exercises"
    ko, en = exercises("ko", page), exercises("en", page)
    same = lambda e: (e.number, e.kind, e.tests, e.snippets)   # noqa: E731
    assert [same(e) for e in ko] == [same(e) for e in en]
    differences = [f"ex-{k.number}: only in ko {dict(k.numbers - e.numbers)}, only in en {dict(e.numbers - k.numbers)}"
                   for k, e in zip(ko, en) if k.numbers != e.numbers]
    assert not differences, "numbers that differ between the languages:\n" + "\n".join(differences)


def test_every_exercise_test_is_named_by_its_exercise():
    """No test_ex_ function that no page names: tests/ names the test behind each exercise, and only those."""
    named = {test for lang, page in PAGES for e in exercises(lang, page) for _, test in e.tests}
    for path in sorted((ROOT / "tests").glob("test_exercises_*.py")):
        orphans = {t for t in defined_tests(path.name) if t.startswith("test_ex_")} - named
        assert not orphans, f"{path.name}: tests no exercise names: {sorted(orphans)}"


def test_the_parts_are_the_chapters_of_the_nav():
    assert {page for pages in PARTS.values() for page in pages} == nav_chapters()


def test_every_chapter_ends_with_exercises():
    missing = [f"{lang}/{page}" for lang in LANGS for page in sorted(nav_chapters())
               if not exercises_section(lang, page)]
    assert not missing, f"chapters without exercises: {missing}"


def test_enough_exercises_and_every_kind_in_every_part():
    counts = {page: Counter(e.kind for e in exercises("ko", page)) for lang, page in PAGES if lang == "ko"}
    total = sum(sum(c.values()) for c in counts.values())
    assert total >= MIN_EXERCISES, f"{total} exercises, at least {MIN_EXERCISES} wanted"
    for part, pages in PARTS.items():
        present = {kind for page in pages for kind in counts.get(page, ())}
        assert present == set(KINDS), f"{part}: no {sorted(set(KINDS) - present)} exercise"
