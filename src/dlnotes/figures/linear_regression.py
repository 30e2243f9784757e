"""Figures of the chapter "the linear neural network and gradient descent"."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.linear_regression import (critical_step_size, gradient_descent, least_squares,
                                       make_line_data, mse)


@dataclass(frozen=True)
class DescentPaths:
    w_grid: torch.Tensor        # (G,) slopes at which the loss was evaluated
    b_grid: torch.Tensor        # (G,) intercepts
    loss_grid: torch.Tensor     # (G, G) loss, rows indexed by b, columns by w
    optimum: tuple              # (w*, b*) from least squares
    loss_min: float             # L(w*, b*), the lowest loss any path can reach
    eta_critical: float         # 2 / lambda_max of the Hessian
    eta_fractions: tuple        # each path's step size as a fraction of eta_critical
    paths: tuple                # one (steps + 1, 3) tensor of (w, b, loss) per step size


def compute_descent_paths(*, seed: int, n_points: int, x_range: tuple, eta_fractions: tuple,
                          steps: int, start: tuple, grid_size: int, window: tuple) -> DescentPaths:
    """Gradient descent from one start with several step sizes, and the loss surface around it."""
    x, y = make_line_data(seed=seed, n_points=n_points, x_low=x_range[0], x_high=x_range[1])
    eta_c = critical_step_size(x)
    paths = tuple(gradient_descent(x, y, eta=f * eta_c, steps=steps, w0=start[0], b0=start[1])
                  for f in eta_fractions)
    w_grid = torch.linspace(window[0], window[1], grid_size, dtype=x.dtype)
    b_grid = torch.linspace(window[2], window[3], grid_size, dtype=x.dtype)
    bb, ww = torch.meshgrid(b_grid, w_grid, indexing="ij")
    residual = y[:, None, None] - (ww[None] * x[:, None, None] + bb[None])
    loss_grid = (residual ** 2).mean(dim=0)
    w_star, b_star = least_squares(x, y)
    return DescentPaths(w_grid, b_grid, loss_grid, (w_star.item(), b_star.item()),
                        mse(x, y, w_star, b_star).item(), eta_c, tuple(eta_fractions), paths)


PATH_COLORS = ("C0", "C1", "C2")   # too small, good, diverging


def _path_label(fraction: float) -> str:
    return rf"$\eta = {fraction:g}\,\eta_c$"


def _draw_path_on_contours(ax, data: DescentPaths, fraction: float, path: torch.Tensor, color: str) -> None:
    levels = torch.logspace(-0.7, 2.0, 10).tolist()
    contours = ax.contour(data.w_grid, data.b_grid, data.loss_grid, levels=levels, colors="0.6", linewidths=0.7)
    ax.clabel(contours, fmt="%.2g", fontsize=7)
    ax.plot(path[:, 0], path[:, 1], "o-", color=color, markersize=2.5, linewidth=1.1)
    ax.plot(*data.optimum, marker="*", markersize=12, color="C3", linestyle="none")
    ax.set(xlim=(data.w_grid[0], data.w_grid[-1]), ylim=(data.b_grid[0], data.b_grid[-1]),
           xlabel=r"$w$", ylabel=r"$b$", title=_path_label(fraction))
    ax.grid(False)


def draw_loss_surface(axes, data: DescentPaths) -> None:
    """One panel per step size, each with the same contours of L(w, b)."""
    for ax, fraction, path, color in zip(axes, data.eta_fractions, data.paths, PATH_COLORS):
        _draw_path_on_contours(ax, data, fraction, path, color)
    for ax in axes[1:]:
        ax.set_ylabel("")


def compute_step_size_path(*, eta_fraction: float, **settings) -> DescentPaths:
    """One path of gradient descent, with the step size a fraction of eta_c = 2 / lambda_max
    (the explorable figure: the reader moves the step size across eta_c)."""
    return compute_descent_paths(eta_fractions=(eta_fraction,), **settings)


STEP_SIZE_LOSS_LIMITS = (1e-2, 1e4)   # the same axes for every step size, so that the panels compare


def draw_step_size_path(axes, data: DescentPaths) -> None:
    """The path on the contours of L(w, b), and its loss per step; beyond eta_c both run away."""
    (fraction,), (path,) = data.eta_fractions, data.paths
    color = "C0" if fraction < 1 else "C1"
    _draw_path_on_contours(axes[0], data, fraction, path, color)
    axes[1].semilogy(path[:, 2].clamp(max=STEP_SIZE_LOSS_LIMITS[1]), color=color)
    axes[1].axhline(data.loss_min, color="0.5", linestyle="--", linewidth=1.0, label=r"$L(w^*, b^*)$")
    axes[1].set(xlabel="step", ylabel=r"$L(w, b)$", ylim=STEP_SIZE_LOSS_LIMITS, title=_path_label(fraction))
    axes[1].legend(loc="upper right")


def draw_loss_curves(ax, data: DescentPaths) -> None:
    for fraction, path, color in zip(data.eta_fractions, data.paths, PATH_COLORS):
        ax.semilogy(path[:, 2], color=color, label=_path_label(fraction))
    ax.axhline(data.loss_min, color="0.5", linestyle="--", linewidth=1.0, label=r"$L(w^*, b^*)$")
    ax.set(xlabel="step", ylabel=r"$L(w, b)$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))   # outside: the curves fill the axes
