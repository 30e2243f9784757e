"""Figures of the chapter "gradient descent, SGD and mini-batches".

All three use the linear model of chapter 1 on one seeded data set, so that every difference
between the curves comes from the batch size or the step size and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.gradient_descent import excess_loss, minibatch_sgd, mse_along, schedule
from dlnotes.linear_regression import least_squares, make_line_data, mse

BATCH_COLORS = {"full": "C0", "mini": "C2", "single": "C1"}


def _problem(seed: int, n_points: int, x_range: tuple):
    x, y = make_line_data(seed=seed, n_points=n_points, x_low=x_range[0], x_high=x_range[1])
    w_star, b_star = least_squares(x, y)
    return x, y, (w_star.item(), b_star.item()), mse(x, y, w_star, b_star).item()


def _batch_label(batch_size: int, n: int) -> str:
    if batch_size == n:
        return f"full batch, $B = N = {n}$"
    if batch_size == 1:
        return "SGD, $B = 1$"
    return f"mini-batch, $B = {batch_size}$"


def _batch_color(batch_size: int, n: int) -> str:
    return BATCH_COLORS["full" if batch_size == n else "single" if batch_size == 1 else "mini"]


# ---------------------------------------------------------------- gd-paths

@dataclass(frozen=True)
class PathsData:
    w_grid: torch.Tensor      # (G,)
    b_grid: torch.Tensor      # (G,)
    loss_grid: torch.Tensor   # (G, G), rows indexed by b
    optimum: tuple            # (w*, b*)
    loss_min: float
    n_points: int
    batch_sizes: tuple
    paths: tuple              # one (steps + 1, 2) tensor of (w, b) per batch size
    eta: float
    steps: int


def compute_paths(*, seed: int, n_points: int, x_range: tuple, batch_sizes: tuple, eta: float, steps: int,
                  start: tuple, grid_size: int, window: tuple) -> PathsData:
    """The first `steps` updates of each batch size, from the same start with the same step size."""
    x, y, optimum, loss_min = _problem(seed, n_points, x_range)
    paths = []
    for batch_size in batch_sizes:
        epochs = -(-steps * batch_size // n_points)                       # enough epochs for `steps` updates
        path = minibatch_sgd(x, y, batch_size=batch_size, epochs=epochs, learning_rate=eta, start=tuple(start),
                             seed=seed)
        paths.append(path[:steps + 1, 0])
    w_grid = torch.linspace(window[0], window[1], grid_size, dtype=x.dtype)
    b_grid = torch.linspace(window[2], window[3], grid_size, dtype=x.dtype)
    bb, ww = torch.meshgrid(b_grid, w_grid, indexing="ij")
    loss_grid = mse_along(x, y, torch.stack([ww, bb], dim=-1))
    return PathsData(w_grid, b_grid, loss_grid, optimum, loss_min, n_points, tuple(batch_sizes), tuple(paths),
                     eta, steps)


def draw_paths(ax, data: PathsData) -> None:
    levels = (data.loss_min + torch.logspace(-1.5, 1.5, 9, dtype=torch.float64)).tolist()
    ax.contour(data.w_grid, data.b_grid, data.loss_grid, levels=levels, colors="0.6", linewidths=0.7)
    for batch_size, path in zip(data.batch_sizes, data.paths):
        ax.plot(path[:, 0], path[:, 1], "o-", color=_batch_color(batch_size, data.n_points), markersize=2,
                linewidth=1.0, label=_batch_label(batch_size, data.n_points))
    ax.plot(*data.paths[0][0].tolist(), marker="s", markersize=6, color="C4", linestyle="none", label="start")
    ax.plot(*data.optimum, marker="*", markersize=13, color="C3", linestyle="none", label=r"$(w^*, b^*)$")
    ax.set(xlim=(data.w_grid[0], data.w_grid[-1]), ylim=(data.b_grid[0], data.b_grid[-1]), xlabel=r"$w$",
           ylabel=r"$b$", title=rf"{data.steps} steps each, $\eta = {data.eta:g}$")
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


# ---------------------------------------------------------------- gd-loss-curves

@dataclass(frozen=True)
class CurvesData:
    n_points: int
    batch_sizes: tuple
    steps: tuple              # per batch size: the step indices at which the loss was recorded
    excess: tuple             # per batch size: mean excess loss L - L* over the runs at those steps
    eta: float
    epochs: int
    runs: int


def _log_spaced(last: int, count: int) -> torch.Tensor:
    """About `count` distinct integers from 0 to last, dense at the start (for log axes)."""
    return torch.unique(torch.logspace(0, torch.log10(torch.tensor(last + 1.0)), count).long() - 1)


def _recorded_runs(x, y, optimum: tuple, *, batch_size: int, eta: float, epochs: int, start: tuple, seed: int,
                   runs: int, points: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`runs` runs of mini-batch SGD: (recorded steps, excess loss (steps, runs) there, final thetas (runs, 2)).

    The loss is recorded at about `points` log-spaced steps: enough to draw the curves, few enough to
    draw them fast.
    """
    path = minibatch_sgd(x, y, batch_size=batch_size, epochs=epochs, learning_rate=eta, start=tuple(start),
                         seed=seed, runs=runs)
    steps = _log_spaced(path.shape[0] - 1, points)
    return steps, excess_loss(x, path[steps], torch.tensor(optimum, dtype=x.dtype)), path[-1]


def compute_loss_curves(*, seed: int, n_points: int, x_range: tuple, batch_sizes: tuple, eta: float, epochs: int,
                        start: tuple, runs: int, points: int) -> CurvesData:
    """Every batch size for the same number of epochs, i.e. the same number of examples seen.

    The loss is averaged over `runs` runs with different shuffles.
    """
    x, y, optimum, _ = _problem(seed, n_points, x_range)
    recorded, excess = [], []
    for batch_size in batch_sizes:
        steps, per_run, _ = _recorded_runs(x, y, optimum, batch_size=batch_size, eta=eta, epochs=epochs,
                                           start=start, seed=seed, runs=runs, points=points)
        recorded.append(steps)
        excess.append(per_run.mean(dim=1))
    return CurvesData(n_points, tuple(batch_sizes), tuple(recorded), tuple(excess), eta, epochs, runs)


def draw_loss_curves(axes, data: CurvesData) -> None:
    by_step, by_example = axes
    by_example.sharey(by_step)
    by_example.tick_params(labelleft=False)
    for batch_size, steps, excess in zip(data.batch_sizes, data.steps, data.excess):
        color, label = _batch_color(batch_size, data.n_points), _batch_label(batch_size, data.n_points)
        by_step.loglog(steps[1:], excess[1:], color=color, label=label)
        by_example.loglog((steps[1:] * batch_size / data.n_points), excess[1:], color=color)
    by_step.set(xlabel="update steps", ylabel=rf"$L(\theta) - L(\theta^*)$, mean of {data.runs} runs")
    by_example.set(xlabel=rf"examples seen / $N$ (epochs), $N = {data.n_points}$")
    by_example.legend(*by_step.get_legend_handles_labels(), loc="lower left", fontsize="small")


# ---------------------------------------------------------------- gd-batch-size (explorable)

@dataclass(frozen=True)
class BatchSizeData:
    n_points: int
    batch_size: int
    epochs: int
    steps: torch.Tensor       # recorded step indices
    excess: torch.Tensor      # (len(steps), runs): L - L* of every run at those steps
    full_steps: torch.Tensor  # the same for one full-batch run, drawn in every variant for reference
    full_excess: torch.Tensor
    final: torch.Tensor       # (runs, 2): theta of every run after the last epoch
    optimum: tuple
    w_grid: torch.Tensor
    b_grid: torch.Tensor
    excess_grid: torch.Tensor  # (G, G), rows indexed by b: L - L* around the minimum


def compute_batch_size_curves(*, batch_size: int, seed: int, n_points: int, x_range: tuple, eta: float, epochs: int,
                              start: tuple, runs: int, points: int, grid_size: int,
                              window: tuple) -> BatchSizeData:
    """One batch size for `epochs` epochs, `runs` runs with different shuffles, and the full batch beside it."""
    x, y, optimum, _ = _problem(seed, n_points, x_range)
    record = dict(eta=eta, epochs=epochs, start=start, seed=seed, points=points)
    steps, excess, final = _recorded_runs(x, y, optimum, batch_size=batch_size, runs=runs, **record)
    full_steps, full_excess, _ = _recorded_runs(x, y, optimum, batch_size=n_points, runs=1, **record)
    w_grid = torch.linspace(window[0], window[1], grid_size, dtype=x.dtype)
    b_grid = torch.linspace(window[2], window[3], grid_size, dtype=x.dtype)
    bb, ww = torch.meshgrid(b_grid, w_grid, indexing="ij")
    excess_grid = excess_loss(x, torch.stack([ww, bb], dim=-1), torch.tensor(optimum, dtype=x.dtype))
    return BatchSizeData(n_points, batch_size, epochs, steps, excess, full_steps, full_excess[:, 0], final,
                         optimum, w_grid, b_grid, excess_grid)


BATCH_SIZE_GAP_LIMITS = (1e-6, 30.0)   # the same axes for every batch size, so that the variants compare


def draw_batch_size_curves(axes, data: BatchSizeData) -> None:
    """Left: the gap of one run and of the mean of all runs per epoch; right: where the runs end."""
    curves, cloud = axes
    n, batch = data.n_points, data.batch_size
    color = _batch_color(batch, n)
    epochs = data.steps[1:] * batch / n
    curves.loglog(data.full_steps[1:], data.full_excess[1:], "--", color="0.5", linewidth=1.0,
                  label=_batch_label(n, n))
    curves.loglog(epochs, data.excess[1:, 0], color=color, linewidth=0.6, alpha=0.6, label="one run")
    curves.loglog(epochs, data.excess[1:].mean(dim=1), color=color, linewidth=1.8,
                  label=f"mean of {data.excess.shape[1]} runs")
    curves.set(xlim=(1 / n, data.epochs), ylim=BATCH_SIZE_GAP_LIMITS, xlabel=r"epochs (examples seen / $N$)",
               ylabel=r"$L(\theta) - L(\theta^*)$",
               title=f"$B = {batch}$: {n // batch} update{'s' if n // batch > 1 else ''} per epoch")
    curves.yaxis.minorticks_off()     # over eight decades they add little and cost half the drawing time
    curves.legend(loc="lower left", fontsize="small")
    levels = torch.logspace(-4, -1, 4).tolist()
    contours = cloud.contour(data.w_grid, data.b_grid, data.excess_grid, levels=levels, colors="0.6",
                             linewidths=0.7)
    cloud.clabel(contours, fmt="%.0e", fontsize=7)
    cloud.plot(*data.optimum, marker="*", markersize=12, color="C3", linestyle="none")
    cloud.plot(data.final[:, 0], data.final[:, 1], "o", color=color, markersize=3.5, alpha=0.8)
    distance = (data.final - torch.tensor(data.optimum, dtype=data.final.dtype)).norm(dim=1).mean().item()
    cloud.text(0.03, 0.96, rf"mean $\|\theta - \theta^*\| = {distance:.2g}$", transform=cloud.transAxes,
               va="top", fontsize="small")
    cloud.set(xlim=(data.w_grid[0], data.w_grid[-1]), ylim=(data.b_grid[0], data.b_grid[-1]), xlabel=r"$w$",
              ylabel=r"$b$", title=rf"$\theta$ of the {len(data.final)} runs after epoch {data.epochs}")
    cloud.grid(False)


# ---------------------------------------------------------------- gd-lr-decay

@dataclass(frozen=True)
class DecayData:
    labels: tuple             # one per schedule
    epochs: int
    runs: int
    excess: tuple             # per schedule: (epochs,) excess loss L - L*, mean over each epoch's steps and the runs
    final: tuple              # per schedule: (runs, 2) theta after the last step
    optimum: tuple
    shown_in_cloud: tuple     # indices of the schedules whose final thetas are drawn


def compute_lr_decay(*, seed: int, n_points: int, x_range: tuple, batch_size: int, epochs: int, runs: int,
                     start: tuple, schedules: dict, shown_in_cloud: tuple) -> DecayData:
    """SGD under several step-size schedules, `runs` runs each with different shuffles, all in one loop."""
    x, y, optimum, _ = _problem(seed, n_points, x_range)
    rules = [schedule(name, **params) for name, params in schedules.values()]
    per_run = lambda t: torch.tensor([rule(t) for rule in rules]).repeat_interleave(runs)  # noqa: E731
    path = minibatch_sgd(x, y, batch_size=batch_size, epochs=epochs, learning_rate=per_run, start=tuple(start),
                         seed=seed, runs=runs * len(rules))
    excess = excess_loss(x, path[1:], torch.tensor(optimum, dtype=x.dtype))            # (steps, rules * runs)
    excess = excess.reshape(epochs, -1, len(rules), runs).mean(dim=(1, 3))             # (epochs, rules)
    final = path[-1].unflatten(0, (len(rules), runs))
    return DecayData(tuple(schedules), epochs, runs, tuple(excess.T), tuple(final), optimum, tuple(shown_in_cloud))


SCHEDULE_COLORS = ("C0", "C1", "C2", "C4")     # C3 is the optimum's star, as in chapter 1


def draw_lr_decay(axes, data: DecayData) -> None:
    curves, cloud = axes
    epochs = torch.arange(1, data.epochs + 1)
    for label, excess, color in zip(data.labels, data.excess, SCHEDULE_COLORS):
        curves.loglog(epochs, excess, color=color, linewidth=1.3, label=label)
    curves.set(xlabel="epoch", ylabel=rf"$L(\theta) - L(\theta^*)$, epoch mean of {data.runs} runs")
    curves.legend(loc="lower left", fontsize="small")
    cloud.plot(*data.optimum, marker="*", markersize=12, color="C3", linestyle="none", label=r"$\theta^*$")
    for i in data.shown_in_cloud:
        final = data.final[i]
        cloud.plot(final[:, 0], final[:, 1], "o", color=SCHEDULE_COLORS[i], markersize=3, alpha=0.8,
                   label=data.labels[i])
    cloud.set(xlabel=r"$w$", ylabel=r"$b$", title=f"$\\theta$ after epoch {data.epochs}, {data.runs} runs")
    cloud.set_aspect("equal", adjustable="datalim")
    cloud.legend(loc="upper left", fontsize="small")
