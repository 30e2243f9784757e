"""Figures of the chapter on gradient descent, SGD and mini-batches."""
from dlnotes.spec import FigureSpec, Knob

_FIG = "dlnotes.figures.gradient_descent"
_DATA = dict(seed=0, n_points=128, x_range=(-1.0, 3.0))

FIGURES = (
    FigureSpec(name="gd-paths", compute=f"{_FIG}:compute_paths", draw=f"{_FIG}:draw_paths",
               settings=dict(_DATA, batch_sizes=(128, 8, 1), eta=0.05, steps=80, start=(-1.0, 3.0),
                             grid_size=121, window=(-1.4, 2.4, 0.0, 3.4)),
               size=(7.2, 4.2)),
    FigureSpec(name="gd-loss-curves", compute=f"{_FIG}:compute_loss_curves", draw=f"{_FIG}:draw_loss_curves",
               settings=dict(_DATA, batch_sizes=(128, 8, 1), eta=0.05, epochs=100, start=(-1.0, 3.0),
                             runs=16, points=150),
               size=(7.2, 3.4), panels=(1, 2)),
    # Explorable: one batch size at a time for the same epochs; the noise and the progress per epoch trade places.
    FigureSpec(name="gd-batch-size", compute=f"{_FIG}:compute_batch_size_curves",
               draw=f"{_FIG}:draw_batch_size_curves",
               settings=dict(_DATA, batch_size=8, eta=0.05, epochs=100, start=(-1.0, 3.0), runs=16, points=150,
                             grid_size=81, window=(1.1, 1.95, 0.25, 0.95)),
               size=(7.2, 3.4), panels=(1, 2),
               explore=(Knob("batch_size", (1, 2, 4, 8, 16, 32, 64, 128),
                             label={"ko": "배치 크기", "en": "batch size"}, value_text="B = {}"),)),
    FigureSpec(name="gd-lr-decay", compute=f"{_FIG}:compute_lr_decay", draw=f"{_FIG}:draw_lr_decay",
               settings=dict(_DATA, batch_size=1, epochs=100, runs=32, start=(-1.0, 3.0),
                             schedules={
                                 r"constant $\eta = 0.1$": ("constant", dict(eta0=0.1)),
                                 r"constant $\eta = 0.005$": ("constant", dict(eta0=0.005)),
                                 r"step: $0.1 \cdot 0.5^{\lfloor t/10 \rfloor}$":
                                     ("step", dict(eta0=0.1, gamma=0.5, step_size=10)),
                                 r"$1/t$: $0.1 / (1 + t/2)$": ("inverse-time", dict(eta0=0.1, t0=2.0)),
                             },
                             shown_in_cloud=(0, 3)),
               size=(7.2, 3.4), panels=(1, 2)),
)
