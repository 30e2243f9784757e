"""Figures of the chapter on weight initialization."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.initialization import layer_activations, layer_gradient_norms, train_for_symmetry

INIT_LABELS = {"std1": r"$\sigma = 1$", "std0.01": r"$\sigma = 0.01$", "xavier": "Xavier", "he": "He",
               "lecun": "LeCun"}
ACTIVATION_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
FIXED_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}   # ReLU's range is read off the data


# ---------------------------------------------------------------- activation histograms

@dataclass(frozen=True)
class ActivationHistograms:
    inits: tuple
    activations: tuple
    edges: dict          # (init, activation) -> (bins + 1,) bin edges
    fractions: dict      # (init, activation) -> (n_layers, bins): share of a layer's (drawn) values per bin


def compute_activation_histograms(*, seed: int, inits: tuple, activations: tuple, n_layers: int,
                                  width: int, n_inputs: int, bins: int) -> ActivationHistograms:
    """Histograms of every layer's outputs for each (init, activation).

    ReLU keeps only the positive outputs (about half are exactly 0) and its range ends at the
    largest 99.5th percentile among the layers, so that drifting scales show up as drifting outlines.
    """
    edges, fractions = {}, {}
    for init in inits:
        for activation in activations:
            outputs = [h.flatten() for h in layer_activations(
                activation=activation, init=init, n_layers=n_layers, width=width, n_inputs=n_inputs, seed=seed)]
            if activation in FIXED_RANGES:
                low, high = FIXED_RANGES[activation]
            else:
                outputs = [h[h > 0] for h in outputs]
                low, high = 0.0, max(torch.quantile(h, 0.995).item() for h in outputs)
            key = (init, activation)
            edges[key], fractions[key] = _histogram_shares(outputs, low, high, bins)
    return ActivationHistograms(tuple(inits), tuple(activations), edges, fractions)


def _histogram_shares(values: list, low: float, high: float, bins: int) -> tuple:
    """Bin edges, and per tensor of values the share of its values in each bin (values outside count
    in the total but in no bin)."""
    counts = torch.stack([torch.histc(v, bins=bins, min=low, max=high) for v in values])
    sizes = torch.tensor([len(v) for v in values], dtype=counts.dtype)
    return torch.linspace(low, high, bins + 1), counts / sizes[:, None]


def draw_activation_histograms(axes, data: ActivationHistograms) -> None:
    """Rows = inits, columns = activations; each cell overlays one outline per layer (C0..C4)."""
    for row, init in enumerate(data.inits):
        for col, activation in enumerate(data.activations):
            ax = axes[row, col]
            key = (init, activation)
            edges = data.edges[key].tolist()
            for layer, fraction in enumerate(data.fractions[key].tolist()):
                # a step line, not ax.stairs: a Line2D is much cheaper for matplotlib to lay out
                ax.plot(edges, fraction + fraction[-1:], drawstyle="steps-post", color=f"C{layer}",
                        linewidth=1.2, label=f"layer {layer + 1}")
            ax.set_yticks([])
            ax.set_ylim(0, None)
            low, high = data.edges[key][0].item(), data.edges[key][-1].item()
            # three plain ticks per cell: fewer labels keep the layout fast and the grid readable
            ticks = (low, (low + high) / 2, high)
            ax.set(xlim=(low, high), xticks=ticks, xticklabels=[_short(t) for t in ticks])
            ax.grid(False)
            if row == 0:
                title = ACTIVATION_LABELS[activation] + (r" ($h > 0$)" if activation not in FIXED_RANGES else "")
                ax.set_title(title)
            if col == 0:
                ax.set_ylabel(INIT_LABELS[init])
    fig = axes[0, 0].figure
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncols=len(labels))


def _short(value: float) -> str:
    """2 significant digits, exponent without '+0': 72000 -> '7.2e4'."""
    return f"{value:.2g}".replace("e+0", "e").replace("e+", "e")


# ---------------------------------------------------------------- one init and one activation, layer by layer

# The same axes for every init, so that switching it shows the outputs move, not the axes.
# ReLU outputs have no upper bound and their scale changes tenfold per layer with std 1 or 0.01,
# so ReLU is binned in log10 h over a range that holds every init's layers.
RELU_LOG10_RANGE = (-9.0, 6.0)
RELU_BINS_PER_DECADE = 2
SHARE_LIMIT = 1.0


@dataclass(frozen=True)
class LayerHistograms:
    init: str
    activation: str
    edges: torch.Tensor       # (bins + 1,) bin edges of h, or of log10 h for ReLU (h > 0 only)
    fractions: torch.Tensor   # (n_layers, bins): share of a layer's (drawn) values per bin

    @property
    def log_scale(self) -> bool:
        return self.activation not in FIXED_RANGES


def compute_layer_histograms(*, seed: int, init: str, activation: str, n_layers: int, width: int,
                             n_inputs: int, bins: int) -> LayerHistograms:
    """Histograms of every layer's outputs for one (init, activation), on axes fixed per activation:
    bins over the whole range of sigmoid and tanh, RELU_BINS_PER_DECADE of log10 h for ReLU."""
    outputs = [h.flatten() for h in layer_activations(
        activation=activation, init=init, n_layers=n_layers, width=width, n_inputs=n_inputs, seed=seed)]
    if activation in FIXED_RANGES:
        edges, fractions = _histogram_shares(outputs, *FIXED_RANGES[activation], bins)
    else:
        low, high = RELU_LOG10_RANGE
        edges, fractions = _histogram_shares([torch.log10(h[h > 0]) for h in outputs], low, high,
                                             round((high - low) * RELU_BINS_PER_DECADE))
    return LayerHistograms(init, activation, edges, fractions)


def draw_layer_histograms(axes, data: LayerHistograms) -> None:
    """One panel per layer, left to right from the input, all on the same axes."""
    edges = data.edges.tolist()
    low, high = edges[0], edges[-1]
    ticks = (-8, -4, 0, 4) if data.log_scale else (low, (low + high) / 2, high)
    for layer, (ax, fraction) in enumerate(zip(axes, data.fractions.tolist())):
        color = f"C{layer}"
        ax.fill_between(edges, fraction + fraction[-1:], step="post", color=color, alpha=0.35, linewidth=0)
        ax.plot(edges, fraction + fraction[-1:], drawstyle="steps-post", color=color, linewidth=1.2)
        if data.log_scale:      # h = 1, the scale of the inputs: He keeps the layers on it
            ax.axvline(0.0, color="0.5", linestyle="--", linewidth=0.8)
        ax.set(title=f"layer {layer + 1}", xlim=(low, high), ylim=(0, SHARE_LIMIT), xticks=ticks,
               xticklabels=[_short(t) for t in ticks])
        ax.grid(False)
        if layer > 0:
            ax.tick_params(labelleft=False)
    axes[0].set_ylabel("share of outputs")
    if data.log_scale:
        axes[len(axes) // 2].set_xlabel(r"$\log_{10} h$")
    activation = ACTIVATION_LABELS[data.activation] + (r" ($h > 0$)" if data.log_scale else "")
    axes[0].figure.suptitle(f"{INIT_LABELS[data.init]}, {activation}")


# ---------------------------------------------------------------- gradient norms per layer

@dataclass(frozen=True)
class GradientNorms:
    inits: tuple
    activations: tuple
    norms: dict          # (init, activation) -> (n_layers,) ||dL/dW_l||


def compute_gradient_norms(*, seed: int, inits: tuple, activations: tuple, n_layers: int, width: int,
                           n_inputs: int) -> GradientNorms:
    norms = {(init, activation): layer_gradient_norms(activation=activation, init=init, n_layers=n_layers,
                                                      width=width, n_inputs=n_inputs, seed=seed)
             for init in inits for activation in activations}
    return GradientNorms(tuple(inits), tuple(activations), norms)


def draw_gradient_norms(axes, data: GradientNorms) -> None:
    """One panel per activation: ||dL/dW_l|| against the layer, one line per init, log scale."""
    for ax in axes[1:]:
        ax.sharey(axes[0])              # one scale for all: the activations compare directly
        ax.tick_params(labelleft=False)
    for ax, activation in zip(axes, data.activations):
        for i, init in enumerate(data.inits):
            norms = data.norms[(init, activation)]
            ax.semilogy(range(1, len(norms) + 1), norms.tolist(), "o-", color=f"C{i}", markersize=3.5,
                        label=INIT_LABELS[init])
        ax.set(title=ACTIVATION_LABELS[activation], xlabel="layer $l$", xticks=range(1, len(norms) + 1))
    axes[0].set_ylabel(r"$\Vert \partial L / \partial W_l \Vert$")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].figure.legend(handles, labels, loc="outside upper center", ncols=len(labels))


# ---------------------------------------------------------------- symmetry

@dataclass(frozen=True)
class SymmetryRuns:
    constant: torch.Tensor        # (steps + 1, n_hidden): w_j1 of every hidden unit j, constant start
    random: torch.Tensor          # the same from a random (Xavier) start
    constant_loss: torch.Tensor   # (steps + 1,)
    random_loss: torch.Tensor


def compute_symmetry(*, seed: int, n_hidden: int, steps: int, lr: float, constant: float) -> SymmetryRuns:
    runs = {init: train_for_symmetry(init=init, seed=seed, n_hidden=n_hidden, steps=steps, lr=lr,
                                     constant=constant)
            for init in ("constant", "xavier")}
    first_input = {init: run.hidden_weights[:, :, 0] for init, run in runs.items()}
    return SymmetryRuns(first_input["constant"], first_input["xavier"], runs["constant"].losses,
                        runs["xavier"].losses)


def draw_symmetry(axes, data: SymmetryRuns) -> None:
    """Left: constant start (the units stay one curve); middle: random start; right: the losses."""
    n_hidden = data.constant.shape[1]
    for ax, weights, title in ((axes[0], data.constant, "constant init"), (axes[1], data.random, "random init")):
        for j in range(n_hidden):
            # widest first, so identical curves show as one striped band instead of hiding each other
            width = 1.0 + 3.0 * (n_hidden - 1 - j) / max(n_hidden - 1, 1)
            ax.plot(weights[:, j].tolist(), color=f"C{j % 6}", linewidth=width, label=f"unit {j + 1}")
        ax.set(title=title, xlabel="SGD step")
    axes[0].set_ylabel(r"first input's weight $W_{j1}$")
    axes[1].sharey(axes[0])
    axes[2].semilogy(data.constant_loss.tolist(), color="C0", label="constant")
    axes[2].semilogy(data.random_loss.tolist(), color="C1", label="random")
    axes[2].set(title="training loss (MSE)", xlabel="SGD step")
    axes[2].legend(loc="upper right")
