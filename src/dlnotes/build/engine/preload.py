"""Imported once by the job server (runner.py), so that every job's process starts with these ready.

Only third-party libraries: importing them costs about 3.5 s, which every job would otherwise pay
again. dlnotes code is not preloaded (the probe of loaded files aside), so each job runs the code
as it is on disk now.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot  # noqa: E402,F401
import numpy  # noqa: E402,F401
import torch  # noqa: E402,F401
import torch._dynamo  # noqa: E402,F401  (the first torch.optim optimizer imports it: 2 s more)
import bs4  # noqa: E402,F401  (the lab pages' jobs: 1 s of imports each otherwise)
import mkdocs_jupyter.convert  # noqa: E402,F401

import importlib.metadata  # noqa: E402

# Which distribution provides each top-level module: the probe (probe.py) needs it at the end of
# every job, and reading every installed distribution's metadata takes about 0.4 s.
PROVIDERS = importlib.metadata.packages_distributions()

# Sort the modules loaded so far once, here: every forked job inherits the probe's caches and only
# sorts what it loads itself. The one dlnotes module preloaded is the probe (build code: a change
# to it needs a new `make serve`, like any change to the build).
from pathlib import Path  # noqa: E402

from dlnotes.build.engine import probe  # noqa: E402

probe.loaded_dependencies(Path(__file__).resolve().parents[4])


def _draw_once() -> None:
    """Draw and save one throwaway figure in each palette: the fonts, glyph outlines and math text
    that every figure needs are then loaded once here, not again in each job (about 0.2 s a job)."""
    import io

    import matplotlib.pyplot as plt

    styles = Path(__file__).resolve().parents[2] / "styles"
    for palette in ("light", "dark"):
        matplotlib.rcdefaults()
        plt.style.use([styles / "base.mplstyle", styles / f"{palette}.mplstyle"])
        fig = plt.figure(figsize=(7.2, 4.0), layout="constrained")
        left, right = fig.subplots(1, 2)
        x = numpy.linspace(0.01, 10, 50)
        left.plot(x, x ** 2, label=r"$\eta = 0.1\,\lambda_{\max}$")
        left.set(xscale="log", yscale="log", title="0123456789 abc ABC", xlabel=r"$\theta$", ylabel="loss")
        left.legend()
        right.hist(numpy.sin(x), bins=10)
        right.contour(numpy.outer(x, x))
        right.text(0.5, 0.5, "0.1 1e-3 −2")
        fig.savefig(io.BytesIO(), format="svg")
        fig.savefig(io.BytesIO(), format="png", dpi=50)
        plt.close(fig)
    matplotlib.rcdefaults()


_draw_once()
