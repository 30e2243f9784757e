"""Figures of the chapter on loss functions."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.loss_functions import (MeanVarianceFit, fit_line_by_descent, fit_lines_by_descent,
                                    fit_mean_variance, huber_loss, mae_loss, make_heteroscedastic_data,
                                    make_outlier_line_data, mse_line, true_std)

# ---------------------------------------------------------------- MSE, MAE and Huber on data with outliers


@dataclass(frozen=True)
class RobustFits:
    x: torch.Tensor             # (N,) inputs
    y: torch.Tensor             # (N,) targets, outliers included
    is_outlier: torch.Tensor    # (N,) bool
    clean_line: tuple           # (w, b) of the line the clean points scatter around
    lines: dict                 # loss name -> fitted (w, b)
    delta: float                # the Huber threshold
    residuals: torch.Tensor     # (R,) residuals at which the loss shapes are drawn
    shapes: dict                # loss name -> (R,) loss of one point with that residual


CLEAN_LINE = (1.0, 0.5)      # (w, b) of the line the clean points scatter around


def compute_robust_fits(*, seed: int, n_points: int, n_outliers: int, outlier_shift: float,
                        delta: float, steps: int, lr: float) -> RobustFits:
    """Fit one line by each loss: MSE in closed form, MAE and Huber by gradient descent."""
    x, y, is_outlier = _outlier_data(seed=seed, n_points=n_points, n_outliers=n_outliers,
                                     outlier_shift=outlier_shift)
    lines = {"MSE": mse_line(x, y), **{name: fit_line_by_descent(x, y, loss_fn, steps=steps, lr=lr)
                                       for name, loss_fn in _descent_losses(delta).items()}}
    r = torch.linspace(-4, 4, 161, dtype=torch.float64)
    zero = torch.zeros_like(r)
    shapes = {"MSE": r ** 2, "MAE": mae_loss(r, zero, reduction="none"),
              "Huber": huber_loss(r, zero, delta, reduction="none")}
    return RobustFits(x, y, is_outlier, CLEAN_LINE, lines, delta, r, shapes)


def _outlier_data(*, seed: int, n_points: int, n_outliers: int, outlier_shift: float) -> tuple:
    x, y = make_outlier_line_data(seed=seed, n_points=n_points, n_outliers=n_outliers,
                                  w_true=CLEAN_LINE[0], b_true=CLEAN_LINE[1], outlier_shift=outlier_shift)
    is_outlier = torch.zeros(n_points, dtype=torch.bool)
    is_outlier[torch.argsort(x, descending=True)[:n_outliers]] = True
    return x, y, is_outlier


def _descent_losses(delta: float) -> dict:
    """The losses fitted by gradient descent (the MSE line has a closed form)."""
    return {"MAE": mae_loss, "Huber": lambda p, t: huber_loss(p, t, delta)}


LOSS_COLORS = {"MSE": "C1", "MAE": "C2", "Huber": "C0"}


def _loss_label(name: str, delta: float) -> str:
    return rf"Huber ($\delta = {delta:g}$)" if name == "Huber" else name


def _draw_line_fits(ax, data: RobustFits) -> None:
    """The points, the outliers marked, the clean line and the three fitted lines on x in [-2, 2]."""
    clean = ~data.is_outlier
    ax.scatter(data.x[clean], data.y[clean], s=14, color="0.5", label="data")
    ax.scatter(data.x[data.is_outlier], data.y[data.is_outlier], s=30, marker="x", color="C3", label="outliers")
    grid = torch.linspace(-2, 2, 2, dtype=torch.float64)
    w, b = data.clean_line
    ax.plot(grid, w * grid + b, color="0.5", linestyle="--", linewidth=1.2, label="clean line")
    for name, (w, b) in data.lines.items():
        ax.plot(grid, w * grid + b, color=LOSS_COLORS[name], label=_loss_label(name, data.delta))
    ax.set(xlabel=r"$x$", ylabel=r"$y$", title="line fits")
    ax.legend(loc="lower left", fontsize="small")     # the outliers sit at the lower right


def draw_robust_fits(axes, data: RobustFits) -> None:
    fit_ax, shape_ax = axes
    _draw_line_fits(fit_ax, data)
    for name, loss in data.shapes.items():
        shape_ax.plot(data.residuals, loss, color=LOSS_COLORS[name], label=_loss_label(name, data.delta))
    shape_ax.set(xlabel=r"residual $r = y - \hat{y}$", ylabel="loss of one point", ylim=(0, 6),
                 title="loss vs residual")
    shape_ax.legend(loc="upper center", fontsize="small")


# ---------------------------------------------------------------- the same fits as the outliers grow in number


@dataclass(frozen=True)
class OutlierCountFits:
    fits: RobustFits            # the data and the three lines for the chosen number of outliers
    counts: tuple               # every number of outliers the reader can choose
    slopes: dict                # loss name -> the fitted slope w for each of counts


def compute_outlier_count_fits(*, seed: int, n_points: int, n_outliers: int, counts: tuple,
                               outlier_shift: float, delta: float, steps: int, lr: float) -> OutlierCountFits:
    """The outlier figure's fits with n_outliers outliers, and every loss's slope for each of counts.

    The slopes come from one batched descent per loss (the same steps as each fit alone, see
    fit_lines_by_descent), so the eight data sets cost about what one does.
    """
    settings = dict(seed=seed, n_points=n_points, outlier_shift=outlier_shift)
    fits = compute_robust_fits(n_outliers=n_outliers, delta=delta, steps=steps, lr=lr, **settings)
    data_sets = [_outlier_data(n_outliers=count, **settings)[:2] for count in counts]
    xs, ys = (torch.stack(column) for column in zip(*data_sets))
    slopes = {"MSE": [mse_line(x, y)[0] for x, y in data_sets]}
    for name, loss_fn in _descent_losses(delta).items():
        slopes[name] = fit_lines_by_descent(xs, ys, loss_fn, steps=steps, lr=lr)[0].tolist()
    return OutlierCountFits(fits, tuple(counts), {name: tuple(w) for name, w in slopes.items()})


OUTLIER_FIT_LIMITS = ((-2.1, 2.1), (-8.5, 3.5))   # x and y: the same for every number of outliers
SLOPE_LIMITS = (-1.5, 1.2)


def draw_outlier_count_fits(axes, data: OutlierCountFits) -> None:
    """Left: the fits for the chosen number of outliers; right: each loss's slope against that number."""
    fit_ax, slope_ax = axes
    _draw_line_fits(fit_ax, data.fits)
    fit_ax.set(xlim=OUTLIER_FIT_LIMITS[0], ylim=OUTLIER_FIT_LIMITS[1],
               title=f"{int(data.fits.is_outlier.sum())} outliers of {len(data.fits.x)} points")
    slope_ax.axhline(data.fits.clean_line[0], color="0.5", linestyle="--", linewidth=1.2, label="clean slope")
    for name, slopes in data.slopes.items():
        slope_ax.plot(data.counts, slopes, "o-", color=LOSS_COLORS[name], markersize=3.5,
                      label=_loss_label(name, data.fits.delta))
    slope_ax.axvline(int(data.fits.is_outlier.sum()), color="C3", linewidth=1.0)
    slope_ax.set(xlabel="number of outliers", ylabel=r"fitted slope $w$", ylim=SLOPE_LIMITS, xticks=data.counts,
                 title="slope of each fit")
    slope_ax.legend(loc="lower left", fontsize="small")


# ---------------------------------------------------------------- CE vs MSE on a sigmoid output


@dataclass(frozen=True)
class BinaryLossCurves:
    z: torch.Tensor           # (Z,) logits; the true label is 1
    ce: torch.Tensor          # -log sigmoid(z)
    mse: torch.Tensor         # (1 - sigmoid(z))^2
    ce_grad: torch.Tensor     # dCE/dz, by autograd
    mse_grad: torch.Tensor    # dMSE/dz, by autograd


def compute_ce_vs_mse(*, z_min: float, z_max: float, n_points: int) -> BinaryLossCurves:
    """Both losses of a sigmoid output against the label 1, and their slopes in the logit (autograd)."""
    z = torch.linspace(z_min, z_max, n_points, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(z)
    ce = -torch.nn.functional.logsigmoid(z)
    mse = (1 - p) ** 2
    (ce_grad,) = torch.autograd.grad(ce.sum(), z)     # each loss depends only on its own z
    (mse_grad,) = torch.autograd.grad(mse.sum(), z)
    return BinaryLossCurves(z.detach(), ce.detach(), mse.detach(), ce_grad, mse_grad)


def draw_ce_vs_mse(axes, data: BinaryLossCurves) -> None:
    loss_ax, grad_ax = axes
    ce_label = r"CE $= -\log \sigma(z)$"
    mse_label = r"MSE $= (1 - \sigma(z))^2$"
    loss_ax.plot(data.z, data.ce, color="C0", label=ce_label)
    loss_ax.plot(data.z, data.mse, color="C1", label=mse_label)
    loss_ax.set(xlabel=r"logit $z$ (true label $y = 1$)", ylabel="loss", ylim=(0, 6), title="loss")
    loss_ax.legend(loc="upper right", fontsize="small")
    grad_ax.axhline(-1, color="0.5", linestyle="--", linewidth=1.0)
    grad_ax.axhline(0, color="0.5", linewidth=0.8)
    grad_ax.plot(data.z, data.ce_grad, color="C0", label=r"$\sigma(z) - 1$")
    grad_ax.plot(data.z, data.mse_grad, color="C1", label=r"$-2\,\sigma(z)\,(1 - \sigma(z))^2$")
    grad_ax.set(xlabel=r"logit $z$ (true label $y = 1$)", ylabel=r"$\partial L / \partial z$",
                ylim=(-1.15, 0.1), title="gradient")
    grad_ax.legend(loc="lower right", fontsize="small")


# ---------------------------------------------------------------- a Gaussian with learned mean and variance


@dataclass(frozen=True)
class UncertaintyFit:
    x: torch.Tensor            # (N,) training inputs
    y: torch.Tensor            # (N,) training targets
    fit: MeanVarianceFit       # the trained model on a grid
    true_mean: torch.Tensor    # (G,) sin(x) on the grid
    true_std: torch.Tensor     # (G,) the noise level the data were drawn with


def compute_gaussian_uncertainty(*, seed: int, n_points: int, hidden: int, steps: int, lr: float,
                                 grid_size: int) -> UncertaintyFit:
    x, y = make_heteroscedastic_data(seed=seed, n_points=n_points)
    grid = torch.linspace(-3, 3, grid_size)
    fit = fit_mean_variance(x, y, seed=seed, hidden=hidden, steps=steps, lr=lr, grid=grid)
    return UncertaintyFit(x, y, fit, torch.sin(grid), true_std(grid))


def draw_gaussian_uncertainty(axes, data: UncertaintyFit) -> None:
    band_ax, std_ax = axes
    fit = data.fit
    band_ax.scatter(data.x, data.y, s=6, color="0.5", alpha=0.7, label="data")
    band_ax.fill_between(fit.grid, fit.mean - 2 * fit.std, fit.mean + 2 * fit.std, color="C0", alpha=0.25,
                         linewidth=0, label=r"$\mu(x) \pm 2\sigma(x)$")
    band_ax.plot(fit.grid, data.true_mean, color="0.5", linestyle="--", linewidth=1.2, label=r"$\sin x$")
    band_ax.plot(fit.grid, fit.mean, color="C0", label=r"$\mu(x)$")
    band_ax.set(xlabel=r"$x$", ylabel=r"$y$", title="predicted mean and band")
    band_ax.legend(loc="upper left", fontsize="small")
    std_ax.plot(fit.grid, data.true_std, color="0.5", linestyle="--", linewidth=1.2, label="true noise std")
    std_ax.plot(fit.grid, fit.std, color="C1", label=r"predicted $\sigma(x)$")
    std_ax.set(xlabel=r"$x$", ylabel="standard deviation", ylim=(0, None), title="predicted noise level")
    std_ax.legend(loc="upper left", fontsize="small")
