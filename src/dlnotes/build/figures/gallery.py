"""The figure gallery: every figure of the site, made from the registry and the pages at build time.

A page holding `<!-- gallery -->` gets, in its language and in the order of the chapters, a card
per figure: its preview in the reader's palette (PNGs the figure's job draws beside its SVGs), its
caption linking to the figure in place, its chapter, the seconds its job took, and for an
explorable figure its knobs and the number of variants. A new figure appears with no edit here.
"""
from __future__ import annotations

import html
import posixpath
from pathlib import Path

from dlnotes.build.figures.markers import Marker
from dlnotes.build.figures.worker import VARIANTS, preview_names, preview_size
from dlnotes.spec import FigureSpec

MARKER = "<!-- gallery -->"
WORDS = {
    "ko": {"seconds": "계산 {:.1f}초", "explorable": "조절: {} · 그림 {}개, 모두 {:.1f}초"},
    "en": {"seconds": "computed in {:.1f} s", "explorable": "explore: {} · {} variants, {:.1f} s in all"},
}


def expand(markdown: str, page_src_uri: str, specs: dict[str, FigureSpec],
           uses: dict[str, list[tuple[str, Marker]]], report: dict, chapters: list[str], docs_dir: Path) -> str:
    """The page's Markdown with its gallery marker replaced by the cards (no marker: unchanged)."""
    if MARKER not in markdown:
        return markdown
    lang = page_src_uri.split("/")[0]
    shown = []
    for name, spec in specs.items():
        for page, marker in uses[name]:
            chapter = page.removeprefix(f"docs/{lang}/")
            if page.startswith(f"docs/{lang}/") and chapter in chapters:
                shown.append((chapters.index(chapter), marker.line, chapter, spec, marker))
                break
    # the first card is in view at load (on a phone, it is the largest picture): not lazy
    cards = [_card(spec, marker, chapter, page_src_uri, report, lang, docs_dir, "eager" if number == 0 else "lazy")
             for number, (_, _, chapter, spec, marker) in enumerate(sorted(shown, key=lambda item: item[:2]))]
    gallery = '<div class="dlnotes-gallery" markdown>\n\n' + "\n\n".join(cards) + "\n\n</div>"
    return markdown.replace(MARKER, gallery)


def _card(spec: FigureSpec, marker: Marker, chapter: str, page_src_uri: str, report: dict, lang: str,
          docs_dir: Path, loading: str) -> str:
    here = posixpath.dirname(page_src_uri.split("/", 1)[1]) or "."
    base = posixpath.relpath("figures", posixpath.dirname(page_src_uri) or ".")
    alt = marker.caption.replace("[", "(").replace("]", ")")
    width, height = preview_size(spec.size)
    images = "\n".join(f"![{alt}]({base}/{preview.removeprefix('figures/')}#only-{variant})"
                       f"{{ loading={loading} width={width} height={height} }}"
                       for variant, preview in zip(VARIANTS, preview_names(spec.name)))
    words = WORDS.get(lang, WORDS["en"])
    figure, variants = report.get(f"figure:{spec.name}", {}), [e for k, e in report.items()
                                                              if k.startswith(f"variant:{spec.name}[")]
    facts = [html.escape(_title(docs_dir / lang / chapter)), words["seconds"].format(figure.get("computed_seconds") or 0)]
    if spec.explore:
        knobs = ", ".join(knob.label[lang] for knob in spec.explore)
        total = sum(e.get("computed_seconds") or 0 for e in [figure, *variants])
        facts.append(words["explorable"].format(html.escape(knobs), len(variants) + 1, total))
    link = f"{posixpath.relpath(chapter, here)}#figure-{spec.name}"
    return (f'<figure class="dlnotes-gallery-card{" dlnotes-explorable" if spec.explore else ""}" markdown="span">\n'
            f"{images}\n<figcaption markdown=\"span\">[{alt}]({link})<br>{' · '.join(facts)}</figcaption>\n</figure>")


def _title(page: Path) -> str:
    """The chapter's title: its first level-1 heading."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].split("{#")[0].strip()
    return page.stem


def chapter_order(nav) -> list[str]:
    """The Markdown pages of the nav, in order (the gallery follows it)."""
    pages = []
    for item in nav or []:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages.extend(chapter_order(value))
        elif isinstance(value, str) and value.endswith(".md"):
            pages.append(value)
    return pages
