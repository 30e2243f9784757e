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
    time_limit: float = 60.0                       # seconds, for the whole worker process

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"figure name {self.name!r}: use lower-case words joined by '-'")
        for ref in (self.compute, self.draw):
            split_ref(ref)


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
