"""Figures of the chapter on optimizers: paths on the Rosenbrock function, curves on the digits MLP."""
from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from dlnotes.optimizers import descend, rosenbrock, rosenbrock_gradient

OPTIMIZER_COLORS = {"sgd": "C0", "momentum": "C1", "rmsprop": "C2", "adam": "C4"}   # C3: the minimum's star
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
OPTIMIZER_STYLES = {"sgd": "-", "momentum": "-", "rmsprop": "-", "adam": "--"}     # Adam and momentum share a road
DIGITS_STYLES = {"sgd": "-", "momentum": "--", "rmsprop": "-", "adam": "-"}        # momentum retraces SGD there


def _label(name: str, options: dict) -> str:
    extra = "".join(f", {key} {value:g}" for key, value in options.items() if key != "lr")
    return f"{OPTIMIZER_NAMES[name]} (lr {options['lr']:g}{extra})"


# ---------------------------------------------------------------- optim-rosenbrock

@dataclass(frozen=True)
class RosenbrockData:
    x_grid: torch.Tensor
    y_grid: torch.Tensor
    f_grid: torch.Tensor          # (G, G), rows indexed by y
    names: tuple
    labels: tuple
    paths: tuple                  # one (steps + 1, 2) tensor per optimizer
    values: tuple                 # f along each path
    lr_scale: float = 1.0         # every learning rate times this (the explorable figure)


def compute_rosenbrock(*, start: tuple, steps: int, optimizers: dict, grid_size: int, window: tuple) -> RosenbrockData:
    """Each optimizer (torch.optim, settings as given) from the same start for the same number of steps."""
    names, labels, paths, values = [], [], [], []
    for name, options in optimizers.items():
        path = descend(rosenbrock_gradient, tuple(start), optimizer=name, steps=steps, **options)
        names.append(name)
        labels.append(_label(name, options))
        paths.append(path)
        values.append(rosenbrock(path))
    x_grid = torch.linspace(window[0], window[1], grid_size, dtype=torch.float64)
    y_grid = torch.linspace(window[2], window[3], grid_size, dtype=torch.float64)
    yy, xx = torch.meshgrid(y_grid, x_grid, indexing="ij")
    f_grid = rosenbrock(torch.stack([xx, yy], dim=-1))
    return RosenbrockData(x_grid, y_grid, f_grid, tuple(names), tuple(labels), tuple(paths), tuple(values))


def _drawable(path: torch.Tensor, bound: float = 1e3) -> torch.Tensor:
    """A path up to its first point that is not finite or lies beyond `bound` (kept, clipped): a run that
    blows up leaves the picture there instead of handing matplotlib numbers near 1e300."""
    outside = ~(torch.isfinite(path).all(dim=1) & (path.abs() < bound).all(dim=1))
    end = int(outside.nonzero()[0]) + 1 if outside.any() else len(path)
    return path[:end].clamp(-bound, bound)


def _draw_paths(surface, data: RosenbrockData) -> None:
    levels = torch.logspace(-1, 3, 9).tolist()                  # 0.1 ... 1000: the valley and its walls
    surface.contour(data.x_grid, data.y_grid, data.f_grid, levels=levels, colors="0.6", linewidths=0.6)
    surface.plot(1.0, 1.0, marker="*", markersize=12, color="C3", linestyle="none")
    # the paths that get furthest are drawn first, so that they do not hide the shorter ones
    final = [values[-1].nan_to_num(nan=torch.inf).item() for values in data.values]
    for i in sorted(range(len(data.names)), key=final.__getitem__):
        name, path = data.names[i], _drawable(data.paths[i])
        color = OPTIMIZER_COLORS[name]
        # a dot every 25 steps: far apart where the optimizer moves fast
        surface.plot(path[:, 0], path[:, 1], OPTIMIZER_STYLES[name], color=color, linewidth=1.1, marker="o",
                     markersize=2.5, markevery=25)
        surface.plot(path[-1, 0], path[-1, 1], "o", color=color, markersize=5)
    surface.plot(*data.paths[0][0].tolist(), marker="s", markersize=6, color="0.5", linestyle="none")
    surface.set(xlim=(data.x_grid[0], data.x_grid[-1]), ylim=(data.y_grid[0], data.y_grid[-1]), xlabel=r"$x$",
                ylabel=r"$y$", title=r"$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2$")
    surface.grid(False)


def draw_rosenbrock(axes, data: RosenbrockData) -> None:
    surface, curves = axes
    _draw_paths(surface, data)
    for name, label, values in zip(data.names, data.labels, data.values):
        curves.semilogy(values, OPTIMIZER_STYLES[name], color=OPTIMIZER_COLORS[name], linewidth=1.2, label=label)
    curves.set(xlabel="step", ylabel=r"$f(x, y)$")
    curves.legend(loc="lower left", fontsize="small")


def compute_rosenbrock_lr(*, lr_scale: float, optimizers: dict, **settings) -> RosenbrockData:
    """The runs of optim-rosenbrock with every learning rate times lr_scale (the explorable figure)."""
    scaled = {name: dict(options, lr=options["lr"] * lr_scale) for name, options in optimizers.items()}
    return replace(compute_rosenbrock(optimizers=scaled, **settings), lr_scale=lr_scale)


ROSENBROCK_F_LIMITS = (1e-7, 1e4)   # the same axes for every learning rate; a run that blows up ends on top


def draw_rosenbrock_lr(axes, data: RosenbrockData) -> None:
    """The paths and f per step; a run that blows up is pinned to the top and says so in the legend."""
    surface, curves = axes
    _draw_paths(surface, data)
    top = ROSENBROCK_F_LIMITS[1]
    for name, label, values in zip(data.names, data.labels, data.values):
        not_finite = (~torch.isfinite(values)).nonzero()
        if len(not_finite):
            label += f", blows up at step {int(not_finite[0])}"
        curves.semilogy(values.nan_to_num(nan=top, posinf=top).clamp(max=top), OPTIMIZER_STYLES[name],
                        color=OPTIMIZER_COLORS[name], linewidth=1.2, label=label)
    curves.set(xlabel="step", ylabel=r"$f(x, y)$", ylim=ROSENBROCK_F_LIMITS,
               title=rf"every learning rate $\times$ {data.lr_scale:g}")
    # below both panels: wherever it sat inside, some learning rate would draw a curve under it
    surface.figure.legend(*curves.get_legend_handles_labels(), loc="outside lower center", ncols=2,
                          fontsize="small")


# ---------------------------------------------------------------- optim-digits-curves

@dataclass(frozen=True)
class DigitsCurves:
    names: tuple
    labels: tuple
    train_loss: tuple         # per optimizer: mean cross-entropy on the training set after each epoch
    test_acc: tuple           # per optimizer: accuracy on the test set after each epoch


def compute_digits_curves(*, epochs: int, batch_size: int, seed: int, optimizers: dict) -> DigitsCurves:
    """The digits chapter's MLP trained once per optimizer: same split, same initial weights, same batches."""
    # imported here, not at the top: the Rosenbrock figure must not be rebuilt when the digits chapter changes
    from dlnotes.digits import train_mlp       # the digits chapter's training loop, on its fixed split

    names, labels, losses, accuracies = [], [], [], []
    for name, options in optimizers.items():
        run = train_mlp(optimizer=name, epochs=epochs, batch_size=batch_size, seed=seed, **options)
        names.append(name)
        labels.append(_label(name, options))
        losses.append(torch.tensor(run.train_loss))
        accuracies.append(torch.tensor(run.test_acc))
    return DigitsCurves(tuple(names), tuple(labels), tuple(losses), tuple(accuracies))


def draw_digits_curves(axes, data: DigitsCurves) -> None:
    loss_ax, acc_ax = axes
    for name, label, loss, accuracy in zip(data.names, data.labels, data.train_loss, data.test_acc):
        epochs = torch.arange(1, len(loss) + 1)
        style = dict(color=OPTIMIZER_COLORS[name], linestyle=DIGITS_STYLES[name], linewidth=1.4)
        loss_ax.semilogy(epochs, loss, label=label, **style)
        acc_ax.plot(epochs, accuracy, **style)
    loss_ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)")
    acc_ax.set(xlabel="epoch", ylabel="test accuracy")
    loss_ax.legend(loc="lower left", fontsize="small")

