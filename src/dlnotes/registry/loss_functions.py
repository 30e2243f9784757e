"""Figures of the chapter on loss functions."""
from dlnotes.spec import FigureSpec

_MODULE = "dlnotes.figures.loss_functions"

FIGURES = (
    FigureSpec(name="loss-robust-fits", compute=f"{_MODULE}:compute_robust_fits",
               draw=f"{_MODULE}:draw_robust_fits",
               settings=dict(seed=1, n_points=40, n_outliers=4, outlier_shift=-6.0, delta=1.0, steps=400, lr=0.5),
               size=(7.2, 3.4), panels=(1, 2)),
    FigureSpec(name="loss-ce-vs-mse", compute=f"{_MODULE}:compute_ce_vs_mse", draw=f"{_MODULE}:draw_ce_vs_mse",
               settings=dict(z_min=-10.0, z_max=6.0, n_points=321), size=(7.2, 3.2), panels=(1, 2)),
    FigureSpec(name="loss-gaussian-uncertainty", compute=f"{_MODULE}:compute_gaussian_uncertainty",
               draw=f"{_MODULE}:draw_gaussian_uncertainty",
               settings=dict(seed=0, n_points=250, hidden=32, steps=400, lr=0.01, grid_size=121),
               size=(7.2, 3.4), panels=(1, 2)),
)
