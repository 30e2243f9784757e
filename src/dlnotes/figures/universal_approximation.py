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
    x_train, y_train, x, w_all, b_all = _nested_units(seed=seed, max_width=max(widths), x_range=x_range,
                                                       n_train=n_train, n_grid=n_grid)
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


def _nested_units(*, seed: int, max_width: int, x_range: tuple, n_train: int, n_grid: int) -> tuple:
    """Training points and targets, the dense grid, and the one draw of max_width hidden units
    whose first n form the width-n network."""
    low, high = x_range
    x_train = torch.linspace(low, high, n_train, dtype=torch.float64)
    x = torch.linspace(low, high, n_grid, dtype=torch.float64)
    w_all, b_all = random_hidden_layer(seed=seed, width=max_width, low=low, high=high)
    return x_train, bumpy_target(x_train), x, w_all, b_all


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


# ---------------------------------------------------------------- one width at a time (explorable)

@dataclass(frozen=True)
class WidthFit:
    width: int                 # hidden units: the first `width` of the sweep's one draw
    x: torch.Tensor            # (G,) dense grid
    target: torch.Tensor       # (G,) g(x)
    centres: torch.Tensor      # (width,) where each hidden unit switches, c_j = -b_j / w_j
    fits: dict                 # activation -> (G,) the fitted network on the grid
    max_errors: dict           # activation -> max |f - g| on the grid


def compute_width_fit(*, seed: int, width: int, max_width: int, activations: tuple, x_range: tuple,
                      n_train: int, n_grid: int) -> WidthFit:
    """The networks of one width of compute_width_sweep (the same units, the same fit), on the grid."""
    x_train, y_train, x, w_all, b_all = _nested_units(seed=seed, max_width=max_width, x_range=x_range,
                                                       n_train=n_train, n_grid=n_grid)
    w, b = w_all[:width], b_all[:width]
    fits = {activation: fit_output_layer(x_train, y_train, w, b, activation)(x) for activation in activations}
    target = bumpy_target(x)
    max_errors = {activation: (fit - target).abs().max().item() for activation, fit in fits.items()}
    return WidthFit(width, x, target, -b / w, fits, max_errors)


WIDTH_FIT_ERROR_LIMITS = (1e-12, 10.0)   # the same axes for every width, so that the panels compare
_SHOWN_FITS = ("sigmoid", "relu")        # the polynomial fits do not change with the width: errors only


def draw_width_fit(axes, data: WidthFit) -> None:
    """Left: g, the sigmoid and ReLU fits and where the units switch; right: |f - g| of every activation."""
    fit_ax, error_ax = axes
    fit_ax.plot(data.x, data.target, color="0.5", linewidth=4, alpha=0.6, label=r"target $g$")
    fit_ax.plot(data.centres, torch.full_like(data.centres, -1.15), "|", color="0.5", markersize=9,
                label=r"unit centres $c_j$")
    for activation, fit in data.fits.items():
        color, style, label = _ACTIVATION_STYLE[activation]
        if activation in _SHOWN_FITS:
            fit_ax.plot(data.x, fit, color=color, linewidth=1.4)
        error = (fit - data.target).abs().clamp(min=WIDTH_FIT_ERROR_LIMITS[0] / 10)
        error_ax.semilogy(data.x, error, color=color, linestyle=style[1:], linewidth=1.1,
                          label=f"{label}: max {data.max_errors[activation]:.2g}".replace("e-0", "e-"))
    fit_ax.set(xlabel=r"$x$", ylabel=r"$y$", ylim=(-1.3, 2.4), title=f"width $n = {data.width}$")
    error_ax.set(xlabel=r"$x$", ylabel=r"$|f(x) - g(x)|$", ylim=WIDTH_FIT_ERROR_LIMITS, title="error")
    # one legend above both panels: it stays two rows high, so the axes keep their place from width to width
    handles, labels = zip(*(ax.get_legend_handles_labels() for ax in axes))
    fit_ax.figure.legend(sum(handles, []), sum(labels, []), loc="outside upper center", ncols=3)


# ---------------------------------------------------------------- constructions

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
