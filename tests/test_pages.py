"""What pages claim about the code is true: named tests exist, both languages match."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*/*.md"))
TEST_NAMES = {m for p in (ROOT / "tests").glob("test_*.py") for m in re.findall(r"^def (test_\w+)", p.read_text(), re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT / "docs").as_posix())
def test_every_test_a_page_names_exists(page):
    named = set(re.findall(r"`(?:tests/\w+\.py::)?(test_\w+)`", page.read_text()))
    assert named <= TEST_NAMES, f"{page.name} names tests that do not exist: {sorted(named - TEST_NAMES)}"


def structure(page: Path) -> dict:
    text = page.read_text()
    return {
        "figures": re.findall(r"<!-- figure: ([a-z0-9-]+) \|", text),
        "snippets": re.findall(r'--8<-- "([^"]+)"', text),
        "display math": text.count("\n$$\n"),
        "heading ids": re.findall(r"^#+ .*\{#([\w-]+)[^}]*\}", text, re.M),     # with attributes too (exercises)
        "tests": re.findall(r"`(test_\w+)`", text),
    }


def test_both_languages_have_the_same_pages():
    names = lambda lang: sorted(p.name for p in (ROOT / "docs" / lang).glob("*.md"))  # noqa: E731
    assert names("ko") == names("en")


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "docs" / "ko").glob("*.md")))
def test_both_languages_show_the_same_figures_snippets_and_formulas(name):
    assert structure(ROOT / "docs" / "ko" / name) == structure(ROOT / "docs" / "en" / name)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_home_page_lists_every_chapter_and_the_labs(lang):
    docs = ROOT / "docs" / lang
    chapters = {p.name for p in docs.glob("*.md")} - {"index.md"}
    linked = set(re.findall(r"\]\(([\w/-]+\.md)\)", (docs / "index.md").read_text()))
    assert chapters | {"labs/index.md"} <= linked


# Korean words a careful read found reading as translation, with the word the pages use instead.
TRANSLATIONESE = {
    "대리인": "대리 지표 (a proxy of the goal is not a person)",
    "짓누르": "스쿼싱 (squashing)",
    "짓눌": "스쿼싱 (squashing)",
    "시계로 잰": "실제 경과 시간 (wall-clock time)",
    "두 시점": "두 뷰 (SimCLR's two augmented views)",
    "이득 1": "게인 (an initialization's gain)",
    "어떤 이득": "게인 (an initialization's gain)",
    "최소점": "최솟점 (one spelling, as on every other page)",
    "초기값": "초깃값 (the standard spelling)",
    "야코비안": "야코비 행렬 (the glossary's term for the Jacobian)",
    "로그 가능도": "로그가능도 (one spelling across pages)",
    "최대 가능도": "최대가능도 (one spelling across pages)",
    "닫힌 형태의 해": "닫힌 해 (closed-form solution)",
    "계단식 감쇠": "계단 감쇠 (step decay, as the schedule table names it)",
    "실효 학습률": "유효 학습률 (effective learning rate, as the momentum section names it)",
    "유한 모집단 보정": "유한 모집단 수정 (finite population correction, as defined where it appears)",
    "거의 0의 확률": "0에 가까운 확률 (calque of 'almost zero probability')",
    "많은 것을 말해 준다": "많은 것을 알 수 있다 (calque of 'tells us a lot')",
    "가정 위에 서": "가정에 기대다 (calque of 'rests on an assumption')",
}
KOREAN_SOURCES = sorted((ROOT / "docs" / "ko").rglob("*.md")) + sorted((ROOT / "docs" / "ko").rglob("*.py"))


@pytest.mark.parametrize("path", KOREAN_SOURCES, ids=lambda p: p.relative_to(ROOT / "docs").as_posix())
def test_korean_pages_avoid_words_that_read_as_translation(path):
    text = path.read_text(encoding="utf-8")
    found = [f"{word!r} (line {text[:text.index(word)].count(chr(10)) + 1}): write {better}"
             for word, better in TRANSLATIONESE.items() if word in text]
    assert not found, "; ".join(found)
