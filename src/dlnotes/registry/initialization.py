"""Figures of the chapter on weight initialization."""
from dlnotes.spec import FigureSpec, Knob

# The deep-stack experiment: 5 bias-free layers of 100 units, 1000 standard normal inputs.
_STACK = dict(seed=0, inits=("std1", "std0.01", "xavier", "he"), activations=("sigmoid", "tanh", "relu"),
              n_layers=5, width=100, n_inputs=1000)
_MODULE = "dlnotes.figures.initialization"
_ONE_STACK = {k: v for k, v in _STACK.items() if k not in ("inits", "activations")}
_INIT_NAMES = {"std1": "σ = 1", "std0.01": "σ = 0.01", "xavier": "Xavier", "he": "He"}
_ACTIVATION_NAMES = {"sigmoid": {"ko": "시그모이드", "en": "sigmoid"}, "tanh": {"ko": "tanh", "en": "tanh"},
                     "relu": {"ko": "ReLU", "en": "ReLU"}}

FIGURES = (
    FigureSpec(name="init-symmetry", compute=f"{_MODULE}:compute_symmetry", draw=f"{_MODULE}:draw_symmetry",
               settings=dict(seed=0, n_hidden=6, steps=300, lr=0.1, constant=0.3), size=(7.2, 2.9),
               panels=(1, 3)),
    FigureSpec(name="init-activation-histograms", compute=f"{_MODULE}:compute_activation_histograms",
               draw=f"{_MODULE}:draw_activation_histograms", settings=dict(_STACK, bins=40), size=(7.2, 7.6),
               panels=(4, 3)),
    FigureSpec(name="init-gradient-norms", compute=f"{_MODULE}:compute_gradient_norms",
               draw=f"{_MODULE}:draw_gradient_norms", settings=_STACK, size=(7.2, 3.0), panels=(1, 3)),
    # Explorable: one init and one activation at a time, the five layers side by side on fixed axes.
    FigureSpec(name="init-layer-histograms", compute=f"{_MODULE}:compute_layer_histograms",
               draw=f"{_MODULE}:draw_layer_histograms",
               settings=dict(_ONE_STACK, init="std0.01", activation="tanh", bins=21), size=(7.2, 2.4),
               panels=(1, 5),
               explore=(Knob("init", tuple(_INIT_NAMES), label={"ko": "초기화", "en": "initialization"},
                             value_names={k: {"ko": v, "en": v} for k, v in _INIT_NAMES.items()}),
                        Knob("activation", tuple(_ACTIVATION_NAMES),
                             label={"ko": "활성화 함수", "en": "activation"}, value_names=_ACTIVATION_NAMES))),
)
