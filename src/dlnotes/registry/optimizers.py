"""Figures of the chapter on optimizers."""
from dlnotes.spec import FigureSpec, Knob

_FIG = "dlnotes.figures.optimizers"
_ROSENBROCK = dict(start=(-1.5, 2.0), steps=500, grid_size=161, window=(-1.8, 1.4, -0.4, 2.6),
                   optimizers={"sgd": dict(lr=1e-3), "momentum": dict(lr=1e-3, momentum=0.9),
                               "rmsprop": dict(lr=1e-2), "adam": dict(lr=0.1)})

FIGURES = (
    FigureSpec(name="optim-rosenbrock", compute=f"{_FIG}:compute_rosenbrock", draw=f"{_FIG}:draw_rosenbrock",
               settings=_ROSENBROCK, size=(7.2, 3.6), panels=(1, 2)),
    # Explorable: every learning rate of optim-rosenbrock times one factor; the gradient-sized steps blow up,
    # the normalised ones only bounce.
    FigureSpec(name="optim-rosenbrock-lr", compute=f"{_FIG}:compute_rosenbrock_lr",
               draw=f"{_FIG}:draw_rosenbrock_lr", settings=dict(_ROSENBROCK, lr_scale=1), size=(7.2, 4.2),
               panels=(1, 2),
               explore=(Knob("lr_scale", (0.1, 0.3, 1, 2, 3, 10), value_text="η × {}",
                             label={"ko": "학습률 배율", "en": "learning-rate factor"}),)),
    # the MLP of the digits chapter (dlnotes.digits.train_mlp), one run per optimizer
    FigureSpec(name="optim-digits-curves", compute=f"{_FIG}:compute_digits_curves",
               draw=f"{_FIG}:draw_digits_curves",
               settings=dict(epochs=20, batch_size=64, seed=0,
                             optimizers={"sgd": dict(lr=0.1), "momentum": dict(lr=0.01, momentum=0.9),
                                         "rmsprop": dict(lr=1e-3), "adam": dict(lr=1e-3)}),
               size=(7.2, 3.4), panels=(1, 2)),
)
