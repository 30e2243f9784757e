"""Every figure of the site. A page shows one with `<!-- figure: NAME | caption -->`.

One module here per chapter, each with a FIGURES tuple of FigureSpec; this package joins them.
To add a figure: write compute_x(*, settings...) -> data and draw_x(axes, data) (in a module
of dlnotes.figures, or in a snippet that the page also shows), then add a FigureSpec to the
chapter's module here. The build regenerates a figure whenever its code, the dlnotes modules it
imports, its settings or the versions of torch, numpy and matplotlib change.
"""
import importlib
import pkgutil


def _collect() -> tuple:
    figures = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        # (under `mkdocs serve` the build drops this package from sys.modules before each build,
        # so that edits to a chapter's module are seen)
        figures.extend(importlib.import_module(f"{__name__}.{info.name}").FIGURES)
    return tuple(figures)


FIGURES = _collect()
