"""Figures of the chapter on universal approximation by one hidden layer."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.universal_approximation import (bumpy_target, fit_output_layer, max_error, random_hidden_layer,
                                             relu_interpolant, sigmoid_bump, sigmoid_staircase, sigmoid_step)


@dataclass(frozen=True)
class WidthSweep:
    widths: tuple              # hidden widths, growing; each network uses the first n units of one draw
    x: torch.Tensor            # (G,) dense grid on which the fits are drawn and the error is measured
    target: torch.Tensor       # (G,) g(x)
    shown: dict                # width -> (G,) sigmoid fit, for the widths drawn in the first panel
    max_errors: dict           # activation -> tuple of max |f - g| on the grid, one per width
    train_mse: dict            # activation -> tuple of mean squared errors on the training points


def compute_width_sweep(*, seed: int, widths: tuple, activations: tuple, shown_widths: tuple,
                        x_range: tuple, n_train: int, n_grid: int) -> WidthSweep:
    """One-hidden-layer networks of growing width fitted to bumpy_target on x_range.

    Hidden layer: random (random_hidden_layer); output layer: least squares (fit_output_layer).
    """
    low, high = x_range
    x_train = torch.linspace(low, high, n_train, dtype=torch.float64)
    y_train = bumpy_target(x_train)
    x = torch.linspace(low, high, n_grid, dtype=torch.float64)
    w_all, b_all = random_hidden_layer(seed=seed, width=max(widths), low=low, high=high)
    max_errors, train_mse, shown = {}, {}, {}
    for activation in activations:
        errors, mses = [], []
        for n in widths:
            model = fit_output_layer(x_train, y_train, w_all[:n], b_all[:n], activation)
            errors.append(max_error(model, bumpy_target, x))
            mses.append(((model(x_train) - y_train) ** 2).mean().item())
            if activation == "sigmoid" and n in shown_widths:
                shown[n] = model(x)
        max_errors[activation], train_mse[activation] = tuple(errors), tuple(mses)
    return WidthSweep(tuple(widths), x, bumpy_target(x), shown, max_errors, train_mse)


_ACTIVATION_STYLE = {"sigmoid": ("C0", "o-", r"sigmoid $\sigma$"), "relu": ("C1", "s-", "ReLU"),
                     "identity": ("C2", "^--", "identity"), "square": ("C3", "v--", r"square $t^2$")}


def draw_width_sweep(axes, data: WidthSweep) -> None:
    left, right = axes
    left.plot(data.x, data.target, color="0.5", linewidth=4, alpha=0.6, label=r"target $g$")
    for i, (n, fit) in enumerate(sorted(data.shown.items())):
        left.plot(data.x, fit, color=f"C{i}", linewidth=1.4, label=f"width {n}")
    left.set(xlabel=r"$x$", ylabel=r"$y$", ylim=(-1.3, 2.4), title="sigmoid networks, one hidden layer")
    left.legend(loc="upper left", ncols=2, fontsize="small")
    for activation, errors in data.max_errors.items():
        color, style, label = _ACTIVATION_STYLE[activation]
        right.loglog(data.widths, errors, style, color=color, markersize=4, label=label)
    right.set(xlabel="hidden width $n$", ylabel=r"$\max_x |f(x) - g(x)|$", title="worst-case error")
    right.set_xticks(data.widths, [str(n) for n in data.widths])
    right.minorticks_off()
    right.legend(loc="lower left", fontsize="small")


@dataclass(frozen=True)
class Constructions:
    x: torch.Tensor            # (G,) grid on [-3, 3]
    steepness: tuple           # k of the single steps and the bumps
    steps: torch.Tensor        # (len(steepness), G) sigma(k x)
    bumps: torch.Tensor        # (len(steepness), G) sigma(k (x + 1)) - sigma(k (x - 1))
    target: torch.Tensor       # (G,) g(x)
    n_units: int               # hidden units of both approximations of g
    staircase: torch.Tensor    # (G,) sum of n_units sigmoid steps
    interpolant: torch.Tensor  # (G,) sum of n_units ReLU units


def compute_constructions(*, steepness: tuple, n_units: int, x_range: tuple, n_grid: int) -> Constructions:
    x = torch.linspace(*x_range, n_grid, dtype=torch.float64)
    steps = torch.stack([sigmoid_step(x, at=0.0, steepness=k) for k in steepness])
    bumps = torch.stack([sigmoid_bump(x, left=-1.0, right=1.0, steepness=k) for k in steepness])
    staircase = sigmoid_staircase(bumpy_target, low=x_range[0], high=x_range[1], n_steps=n_units)
    interpolant = relu_interpolant(bumpy_target, low=x_range[0], high=x_range[1], n_pieces=n_units)
    return Constructions(x, tuple(steepness), steps, bumps, bumpy_target(x), n_units, staircase(x), interpolant(x))


def draw_constructions(axes, data: Constructions) -> None:
    step_ax, bump_ax, fit_ax = axes
    step_ax.plot(data.x, (data.x >= 0).to(data.x.dtype), color="0.5", linewidth=4, alpha=0.6, label="step")
    bump_ax.plot(data.x, ((data.x >= -1) & (data.x <= 1)).to(data.x.dtype), color="0.5", linewidth=4, alpha=0.6,
                 label="box")
    for i, (k, s, b) in enumerate(zip(data.steepness, data.steps, data.bumps)):
        step_ax.plot(data.x, s, color=f"C{i}", linewidth=1.4, label=f"$k = {k:g}$")
        bump_ax.plot(data.x, b, color=f"C{i}", linewidth=1.4)
    step_ax.set(xlabel=r"$x$", title=r"$\sigma(kx)$")
    bump_ax.set(xlabel=r"$x$", title=r"$\sigma(k(x+1)) - \sigma(k(x-1))$")
    step_ax.legend(loc="upper left", fontsize="small")
    fit_ax.plot(data.x, data.target, color="0.5", linewidth=4, alpha=0.6, label=r"$g$")
    fit_ax.plot(data.x, data.staircase, color="C0", linewidth=1.4, label=f"{data.n_units} sigmoids")
    fit_ax.plot(data.x, data.interpolant, color="C1", linewidth=1.4, label=f"{data.n_units} ReLUs")
    fit_ax.set(xlabel=r"$x$", ylim=(-1.3, 2.4), title="built from units")
    fit_ax.legend(loc="upper left", fontsize="small")
