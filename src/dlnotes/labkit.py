"""What every lab calls first: fixed seeds, one thread and the site's figure style.

The labs (docs/{ko,en}/labs/*.py) run in three places: in the site build, as plain scripts and
in Jupyter or Colab. `setup()` makes the numbers and figures the same in all three.
"""
from __future__ import annotations

import random
from pathlib import Path

STYLE_DIR = Path(__file__).parent / "styles"
# A notebook shows one image for both of the site's palettes, so lab figures keep the light
# colours on an opaque white background, which stays readable on the dark palette too.
NOTEBOOK_STYLE = {"figure.facecolor": "white", "savefig.facecolor": "white",
                  "savefig.transparent": False, "figure.dpi": 100}


def setup(seed: int = 0) -> None:
    """Seed Python, NumPy and torch, use one torch thread and the site's matplotlib style.

    One thread keeps the order of floating-point sums fixed, so two runs print the same digits.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    plt.style.use([STYLE_DIR / "base.mplstyle", STYLE_DIR / "light.mplstyle", NOTEBOOK_STYLE])
    _sharp_inline_figures()


def _sharp_inline_figures() -> None:
    """Inside Jupyter, draw figures at twice the pixel density (PNG stays byte-for-byte stable)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:      # a plain `python lab.py` run without IPython installed
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")
