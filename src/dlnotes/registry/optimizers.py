"""Figures of the chapter on optimizers."""
from dlnotes.spec import FigureSpec

_FIG = "dlnotes.figures.optimizers"

FIGURES = (
    FigureSpec(name="optim-rosenbrock", compute=f"{_FIG}:compute_rosenbrock", draw=f"{_FIG}:draw_rosenbrock",
               settings=dict(start=(-1.5, 2.0), steps=500, grid_size=161, window=(-1.8, 1.4, -0.4, 2.6),
                             optimizers={"sgd": dict(lr=1e-3), "momentum": dict(lr=1e-3, momentum=0.9),
                                         "rmsprop": dict(lr=1e-2), "adam": dict(lr=0.1)}),
               size=(7.2, 3.6), panels=(1, 2)),
    # the MLP of the digits chapter (dlnotes.digits.train_mlp), one run per optimizer
    FigureSpec(name="optim-digits-curves", compute=f"{_FIG}:compute_digits_curves",
               draw=f"{_FIG}:draw_digits_curves",
               settings=dict(epochs=20, batch_size=64, seed=0,
                             optimizers={"sgd": dict(lr=0.1), "momentum": dict(lr=0.01, momentum=0.9),
                                         "rmsprop": dict(lr=1e-3), "adam": dict(lr=1e-3)}),
               size=(7.2, 3.4), panels=(1, 2)),
)
