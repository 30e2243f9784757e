"""Figures of the chapter on neural networks and activation functions."""
from dlnotes.spec import FigureSpec

FIGURES = (
    FigureSpec(name="nn-linear-collapse", compute="dlnotes.figures.neural_networks:compute_linear_collapse",
               draw="dlnotes.figures.neural_networks:draw_linear_collapse",
               settings=dict(seed=0, sizes=(1, 16, 16, 16, 1), n_networks=3, x_range=(-3.0, 3.0), grid_size=241,
                             bias_range=1.0),
               size=(7.2, 3.4), panels=(1, 2)),
    FigureSpec(name="nn-activations", compute="dlnotes.figures.neural_networks:compute_activation_curves",
               draw="dlnotes.figures.neural_networks:draw_activations",
               settings=dict(x_range=(-4.0, 4.0), grid_size=400), size=(7.2, 3.4), panels=(1, 2)),
)
