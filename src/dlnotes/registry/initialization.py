"""Figures of the chapter on weight initialization."""
from dlnotes.spec import FigureSpec

# The deep-stack experiment: 5 bias-free layers of 100 units, 1000 standard normal inputs.
_STACK = dict(seed=0, inits=("std1", "std0.01", "xavier", "he"), activations=("sigmoid", "tanh", "relu"),
              n_layers=5, width=100, n_inputs=1000)
_MODULE = "dlnotes.figures.initialization"

FIGURES = (
    FigureSpec(name="init-symmetry", compute=f"{_MODULE}:compute_symmetry", draw=f"{_MODULE}:draw_symmetry",
               settings=dict(seed=0, n_hidden=6, steps=300, lr=0.1, constant=0.3), size=(7.2, 2.9),
               panels=(1, 3)),
    FigureSpec(name="init-activation-histograms", compute=f"{_MODULE}:compute_activation_histograms",
               draw=f"{_MODULE}:draw_activation_histograms", settings=dict(_STACK, bins=40), size=(7.2, 7.6),
               panels=(4, 3)),
    FigureSpec(name="init-gradient-norms", compute=f"{_MODULE}:compute_gradient_norms",
               draw=f"{_MODULE}:draw_gradient_norms", settings=_STACK, size=(7.2, 3.0), panels=(1, 3)),
)
