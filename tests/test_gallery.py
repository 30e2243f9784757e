"""The figure gallery: made from the registry and the pages, every figure once, in both languages."""
import re

import pytest

from buildkit import ROOT
from dlnotes.build.figures import gallery
from dlnotes.build.figures.jobs import figure_uses, load_registry
from dlnotes.build.figures.worker import preview_size
from dlnotes_tools.projects import load_config

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def made():
    specs = load_registry()
    uses = figure_uses(DOCS, set(specs))
    report = {f"figure:{name}": {"computed_seconds": 1.25} for name in specs}
    chapters = gallery.chapter_order(load_config(ROOT / "mkdocs.yml")["nav"])
    return specs, uses, {lang: gallery.expand(gallery.MARKER, f"{lang}/gallery.md", specs, uses, report, chapters, DOCS)
                         for lang in ("ko", "en")}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_figure_on_a_page_has_one_card_linking_to_it_in_place(made, lang):
    specs, uses, pages = made
    cards = re.findall(r'<figure class="dlnotes-gallery-card[^"]*" markdown="span">\n(.*?)</figure>', pages[lang], re.S)
    shown = [name for name in specs if any(page.startswith(f"docs/{lang}/") for page, _ in uses[name])]
    assert len(cards) == len(shown) == len(specs)
    for name in shown:
        page, marker = next((p, m) for p, m in uses[name] if p.startswith(f"docs/{lang}/"))
        card = next(card for card in cards if f"#figure-{name})" in card)
        assert f"]({page.removeprefix(f'docs/{lang}/')}#figure-{name})" in card
        assert f"[{marker.caption}](" in card or f"[{marker.caption.replace('[', '(').replace(']', ')')}](" in card
        assert f"previews/{name}.light.png#only-light" in card and f"previews/{name}.dark.png#only-dark" in card
        width, height = preview_size(specs[name].size)     # its place is kept before it loads
        assert card.count(f"width={width} height={height} }}") == 2
        assert ("1.2" in card) and (("조절" in card or "explore" in card) == bool(specs[name].explore))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_only_the_first_card_loads_with_the_page(made, lang):
    loading = re.findall(r"loading=(\w+)", made[2][lang])
    assert loading[:2] == ["eager", "eager"] and set(loading[2:]) == {"lazy"}


def test_the_cards_follow_the_chapters_in_the_order_of_the_nav(made):
    specs, uses, pages = made
    order = gallery.chapter_order(load_config(ROOT / "mkdocs.yml")["nav"])
    linked = re.findall(r"\]\(([\w-]+\.md)#figure-", pages["en"])
    assert [order.index(page) for page in linked] == sorted(order.index(page) for page in linked)


def test_a_page_without_the_marker_is_left_alone(made):
    specs, uses, _ = made
    assert gallery.expand("# A page\n", "en/other.md", specs, uses, {}, [], DOCS) == "# A page\n"
