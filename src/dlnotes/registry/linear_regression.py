"""Figures of the chapter on the linear neural network and gradient descent."""
from dlnotes.spec import FigureSpec, Knob

_DESCENT = dict(seed=0, n_points=50, x_range=(0.0, 4.0), eta_fractions=(0.1, 0.9, 1.02), steps=30,
                start=(0.0, 3.2), grid_size=121, window=(-1.0, 3.0, -1.5, 4.0))

FIGURES = (
    # The snippet shown on the page is also the code of this figure.
    FigureSpec(name="linreg-fits", compute="snippets/linreg_gd.py:fit_history",
               draw="snippets/linreg_gd.py:draw",
               settings=dict(seed=0, n_points=40, eta=0.05, steps=(0, 3, 10, 30, 100)), size=(7.2, 4.0)),
    FigureSpec(name="linreg-loss-surface", compute="dlnotes.figures.linear_regression:compute_descent_paths",
               draw="dlnotes.figures.linear_regression:draw_loss_surface", settings=_DESCENT,
               size=(7.2, 3.2), panels=(1, 3)),
    FigureSpec(name="linreg-loss-curves", compute="dlnotes.figures.linear_regression:compute_descent_paths",
               draw="dlnotes.figures.linear_regression:draw_loss_curves", settings=_DESCENT, size=(7.2, 3.6)),
    # Explorable: the reader moves the step size across eta_c = 2 / lambda_max and sees the path turn.
    FigureSpec(name="linreg-step-size", compute="dlnotes.figures.linear_regression:compute_step_size_path",
               draw="dlnotes.figures.linear_regression:draw_step_size_path",
               settings={**{k: v for k, v in _DESCENT.items() if k != "eta_fractions"}, "eta_fraction": 0.9},
               size=(7.2, 3.2), panels=(1, 2),
               explore=(Knob("eta_fraction", (0.1, 0.5, 0.9, 0.98, 1.02, 1.1),
                             label={"ko": "스텝 크기", "en": "step size"}, value_text="η = {}·η_c"),)),
)
