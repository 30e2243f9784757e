"""Figures of the chapter on loss functions."""
from dlnotes.spec import FigureSpec, Knob

_MODULE = "dlnotes.figures.loss_functions"
_OUTLIERS = dict(seed=1, n_points=40, n_outliers=4, outlier_shift=-6.0, delta=1.0, steps=400, lr=0.5)
_OUTLIER_COUNTS = (0, 1, 2, 4, 6, 8, 10, 12)

FIGURES = (
    FigureSpec(name="loss-robust-fits", compute=f"{_MODULE}:compute_robust_fits",
               draw=f"{_MODULE}:draw_robust_fits",
               settings=_OUTLIERS, size=(7.2, 3.4), panels=(1, 2)),
    FigureSpec(name="loss-ce-vs-mse", compute=f"{_MODULE}:compute_ce_vs_mse", draw=f"{_MODULE}:draw_ce_vs_mse",
               settings=dict(z_min=-10.0, z_max=6.0, n_points=321), size=(7.2, 3.2), panels=(1, 2)),
    FigureSpec(name="loss-gaussian-uncertainty", compute=f"{_MODULE}:compute_gaussian_uncertainty",
               draw=f"{_MODULE}:draw_gaussian_uncertainty",
               settings=dict(seed=0, n_points=250, hidden=32, steps=400, lr=0.01, grid_size=121),
               size=(7.2, 3.4), panels=(1, 2)),
    # Explorable: the same fits as the outliers grow from none to 12 of the 40 points.
    FigureSpec(name="loss-outlier-count", compute=f"{_MODULE}:compute_outlier_count_fits",
               draw=f"{_MODULE}:draw_outlier_count_fits", settings=dict(_OUTLIERS, counts=_OUTLIER_COUNTS),
               size=(7.2, 3.4), panels=(1, 2),
               explore=(Knob("n_outliers", _OUTLIER_COUNTS, label={"ko": "이상치 개수", "en": "outliers"},
                             value_text="{} / 40"),)),
)
