"""What a figure is: a name, a compute function, a draw function, settings and limits.

The contract between the registry (dlnotes.registry) and the build (dlnotes.build): the registry
imports this module only, so that reading it never imports the build, torch or matplotlib.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

NAME_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Knob:
    """A setting of a figure the reader can change on the page: every value is computed at build time.

    Numbers (in the order given) get a slider, names get a radio group. The label names the setting in
    each language; value_text says how a value reads beside it, with the symbol the text uses, in plain
    text ("η = {}·ηₘₐₓ"); value_names gives names their words per language when the value itself is
    not what the reader should see ({"xavier": {"ko": "Xavier", "en": "Xavier"}}).
    """

    setting: str                       # a keyword argument of compute
    values: tuple                      # 2 to 8 values; the figure's settings hold the default one
    label: dict                        # {"ko": "스텝 크기", "en": "step size"}
    value_text: str = "{}"
    value_names: dict = field(default_factory=dict)

    @property
    def ordered(self) -> bool:
        """Numbers: a slider (in the order given); names: a radio group."""
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)

    def text(self, value, lang: str) -> str:
        """How a value reads on the page, e.g. 'η = 0.9·ηₘₐₓ'."""
        shown = self.value_names.get(value, {}).get(lang, value) if self.value_names else value
        return self.value_text.format(shown)


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the site.

    compute and draw are references, not functions, so that reading the registry never
    imports torch: either "package.module:function" or "path/to/file.py:function"
    (relative to the repository root, used for snippets that double as figure code).
    """

    name: str                          # used in page markers and output file names
    compute: str                       # compute(**settings) -> data
    draw: str                          # draw(axes, data): draws into the Axes it is given
    settings: dict = field(default_factory=dict)   # keyword arguments of compute (seed, sizes, epochs)
    size: tuple[float, float] = (7.2, 4.0)         # inches; 7.2 in = the width of the content column
    panels: tuple[int, int] = (1, 1)               # rows, columns of Axes passed to draw
    time_limit: float = 60.0                       # seconds, for one process: the figure or one variant
    explore: tuple = ()                            # up to two Knobs: the page lets the reader turn them

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"figure name {self.name!r}: use lower-case words joined by '-'")
        for ref in (self.compute, self.draw):
            split_ref(ref)
        if len(self.explore) > 2:
            raise ValueError(f"figure {self.name!r}: at most two settings to explore")
        for knob in self.explore:
            where = f"figure {self.name!r}, setting {knob.setting!r}"
            if knob.setting not in self.settings:
                raise ValueError(f"{where}: not in the figure's settings (which hold the default value)")
            if self.settings[knob.setting] not in knob.values:
                raise ValueError(f"{where}: the default {self.settings[knob.setting]!r} is not one of {knob.values}")
            if not 2 <= len(set(knob.values)) == len(knob.values) <= 8:
                raise ValueError(f"{where}: give 2 to 8 different values")
            if not {"ko", "en"} <= set(knob.label):
                raise ValueError(f"{where}: label it in both languages (ko, en)")

    def variants(self) -> list[dict]:
        """Every combination of the explored values, as {setting: value}; the default first."""
        combos = [{}]
        for knob in self.explore:
            combos = [{**c, knob.setting: v} for c in combos for v in knob.values]
        default = {knob.setting: self.settings[knob.setting] for knob in self.explore}
        return [default] + [c for c in combos if c != default]


def variant_slug(choice: dict) -> str:
    """A variant's file name part: 'eta_fraction-0.9', 'init-xavier.activation-relu'."""
    return ".".join(f"{setting}-{value}" for setting, value in choice.items()).replace("/", "-")

def split_ref(ref: str) -> tuple[str, str]:
    """'a.b:func' or 'dir/file.py:func' -> (target, function); raise on anything else."""
    target, sep, func = ref.partition(":")
    if not sep or not target or not func.isidentifier():
        raise ValueError(f"bad function reference {ref!r}: expected 'module:function' or 'file.py:function'")
    return target, func


def ref_source_file(ref: str, root: Path) -> Path:
    """The file that defines a reference, found without importing it."""
    target, _ = split_ref(ref)
    if target.endswith(".py"):
        return root / target
    module_path = root / "src" / Path(*target.split("."))
    if module_path.is_dir():
        return module_path / "__init__.py"
    return module_path.with_suffix(".py")


def check_registry(figures) -> dict[str, FigureSpec]:
    """Index the registry by name; duplicate names are an error."""
    by_name: dict[str, FigureSpec] = {}
    for spec in figures:
        if spec.name in by_name:
            raise ValueError(f"figure {spec.name!r} is registered twice")
        by_name[spec.name] = spec
    return by_name
