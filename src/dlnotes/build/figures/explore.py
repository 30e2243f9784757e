"""The controls of an explorable figure: one per knob, above the figure, and the variants they show.

Each combination of values is a variant the build computed (figures/jobs.py). The controls are
native: a range input for ordered numbers, a radio group for names, so Tab reaches them, arrows
change them and screen readers say the value (aria-valuetext). The page's script
(theme/assets/javascripts/explorable.js) swaps both palettes' images and their alt text, which names
the values, and loads a variant only when it is chosen. Without the script the controls stay
hidden and the figure shows its default values, with their names in the alt text.
"""
from __future__ import annotations

import html
import json

from dlnotes.spec import FigureSpec, Knob, variant_slug


def alt_text(caption: str, spec: FigureSpec, choice: dict, lang: str) -> str:
    """The caption, and for an explorable figure the values shown: 'caption (step size: η = 0.9·ηₘₐₓ)'."""
    if not spec.explore:
        return caption
    values = "; ".join(f"{knob.label[lang]}: {knob.text(choice[knob.setting], lang)}" for knob in spec.explore)
    return f"{caption} ({values})"


def controls_html(spec: FigureSpec, caption: str, lang: str) -> str:
    """The controls' HTML, hidden until the page's script takes them over.

    Each variant is named by its path in the figures folder, without the palette and suffix
    ("NAME/eta_fraction-0.5"): the script puts it where the default image's own link points, as
    MkDocs wrote that link for the page's address.
    """
    default = spec.variants()[0]
    variants = {}
    for choice in spec.variants():
        index = ",".join(str(knob.values.index(choice[knob.setting])) for knob in spec.explore)
        stem = spec.name if choice == default else f"{spec.name}/{variant_slug(choice)}"
        variants[index] = {"stem": stem, "alt": alt_text(caption, spec, choice, lang)}
    knobs = "\n".join(_knob_html(spec.name, knob, default[knob.setting], lang) for knob in spec.explore)
    return (f'<div class="dlnotes-knobs" data-figure="figure-{spec.name}" data-search-exclude="" '
            f'data-variants="{html.escape(json.dumps(variants, ensure_ascii=False))}" hidden>\n{knobs}\n</div>\n')


def _knob_html(figure: str, knob: Knob, value, lang: str) -> str:
    ident = f"knob-{figure}-{knob.setting}".replace("_", "-")
    label, texts = html.escape(knob.label[lang]), [knob.text(v, lang) for v in knob.values]
    if knob.ordered:
        current = knob.values.index(value)
        return (f'<div class="dlnotes-knob"><label for="{ident}">{label}</label>'
                f'<input type="range" id="{ident}" min="0" max="{len(knob.values) - 1}" step="1" value="{current}" '
                f'aria-valuetext="{html.escape(texts[current])}" '
                f'data-texts="{html.escape(json.dumps(texts, ensure_ascii=False))}">'
                f'<output for="{ident}" aria-hidden="true">{html.escape(texts[current])}</output></div>')
    options = "".join(f'<label><input type="radio" name="{ident}" value="{i}"{" checked" if v == value else ""}>'
                      f'{html.escape(text)}</label>' for i, (v, text) in enumerate(zip(knob.values, texts)))
    return f'<fieldset class="dlnotes-knob"><legend>{label}</legend>{options}</fieldset>'
