"""Figures of the chapter on universal approximation by one hidden layer."""
from dlnotes.spec import FigureSpec, Knob

FIGURES = (
    FigureSpec(name="uat-width", compute="dlnotes.figures.universal_approximation:compute_width_sweep",
               draw="dlnotes.figures.universal_approximation:draw_width_sweep",
               settings=dict(seed=0, widths=(1, 2, 4, 8, 16, 32, 64),
                             activations=("sigmoid", "relu", "identity", "square"),
                             shown_widths=(4, 8, 16), x_range=(-3.0, 3.0), n_train=401, n_grid=2001),
               size=(7.2, 3.6), panels=(1, 2)),
    FigureSpec(name="uat-construction", compute="dlnotes.figures.universal_approximation:compute_constructions",
               draw="dlnotes.figures.universal_approximation:draw_constructions",
               settings=dict(steepness=(1.0, 3.0, 10.0, 100.0), n_units=8, x_range=(-3.0, 3.0), n_grid=1201),
               size=(7.2, 2.9), panels=(1, 3)),
    # Explorable: one width at a time; the same units and fits as uat-width.
    FigureSpec(name="uat-width-fit", compute="dlnotes.figures.universal_approximation:compute_width_fit",
               draw="dlnotes.figures.universal_approximation:draw_width_fit",
               settings=dict(seed=0, width=8, max_width=64, activations=("sigmoid", "relu", "identity", "square"),
                             x_range=(-3.0, 3.0), n_train=401, n_grid=2001),
               size=(7.2, 3.8), panels=(1, 2),
               explore=(Knob("width", (1, 2, 4, 8, 16, 32, 64), label={"ko": "은닉층 너비", "en": "hidden width"},
                             value_text="n = {}"),)),
)
