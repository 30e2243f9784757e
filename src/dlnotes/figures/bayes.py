"""Figures of the chapter "Bayes' theorem and causality"."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.bayes import (KIDNEY_STONES, STONE_SIZES, beta_density, beta_quantiles, flip_coin, percent,
                           sequential_beta, theta_grid)

TREATMENT_LABELS = ("A (open surgery)", "B (PCNL)")     # PCNL: percutaneous nephrolithotomy


@dataclass(frozen=True)
class CoinUpdating:
    bias: float                 # the coin's true P(heads)
    flips: torch.Tensor         # (n,) 1 = heads
    shown: tuple                # numbers of flips whose posterior density is drawn
    theta: torch.Tensor         # (G,) grid on (0, 1)
    densities: torch.Tensor     # (len(shown), G) posterior densities after those flips
    params: torch.Tensor        # (n + 1, 2) posterior (a, b) after 0..n flips
    mean: torch.Tensor          # (n + 1,) posterior mean a / (a + b)
    lower: torch.Tensor         # (n + 1,) lower end of the credible interval
    upper: torch.Tensor         # (n + 1,) upper end
    level: float                # credible level, e.g. 0.95


def compute_coin_updating(*, seed: int, bias: float, n_flips: int, prior: tuple, shown: tuple,
                          level: float, grid_size: int) -> CoinUpdating:
    """Update a Beta prior flip by flip; keep the densities at `shown` and the interval at every n."""
    flips = flip_coin(seed=seed, n_flips=n_flips, bias=bias)
    params = sequential_beta(prior[0], prior[1], flips)
    theta = theta_grid(grid_size)
    densities = torch.stack([beta_density(*params[n].tolist(), theta) for n in shown])
    tail = (1.0 - level) / 2
    probs = torch.tensor([tail, 1.0 - tail], dtype=torch.float64)
    bounds = beta_quantiles(params[:, 0], params[:, 1], probs, grid_size=grid_size)
    mean = params[:, 0] / params.sum(1)
    return CoinUpdating(bias, flips, tuple(shown), theta, densities, params, mean, bounds[:, 0], bounds[:, 1],
                        level)


def _draw_densities(ax, data: CoinUpdating) -> None:
    colors = ["0.5"] + [f"C{i}" for i in range(6)]      # the prior in grey, then the style's colours
    for n, density, color in zip(data.shown, data.densities, colors):
        heads = int(data.flips[:n].sum())
        style = "--" if n == 0 else "-"
        ax.plot(data.theta, density, style, color=color, linewidth=1.4, label=f"n = {n} ({heads} H)")
    ax.axvline(data.bias, color="0.5", linestyle=":", linewidth=1.0)
    ax.set(xlabel=r"$\theta = P(\mathrm{heads})$", ylabel=r"posterior density $p(\theta \mid \mathcal{D})$",
           xlim=(0, 1))
    ax.legend(loc="upper left", fontsize="small")


def _draw_posterior_track(ax, data: CoinUpdating) -> None:
    """Posterior mean and credible interval after every flip, with the share of heads and the true bias."""
    n = torch.arange(len(data.mean))
    ax.fill_between(n, data.lower, data.upper, color="C0", alpha=0.25, linewidth=0,
                    label=f"{data.level:.0%} credible interval")
    ax.plot(n, data.mean, color="C0", label="posterior mean")
    running = torch.cumsum(data.flips, 0) / torch.arange(1, len(data.flips) + 1)
    ax.plot(n[1:], running, color="C1", linewidth=1.0, label="share of heads $h/n$")
    ax.axhline(data.bias, color="0.5", linestyle=":", linewidth=1.0, label=rf"true $\theta = {data.bias:g}$")
    ax.set(xlabel="number of flips $n$", ylabel=r"$\theta$", ylim=(0, 1))


def draw_coin_updating(axes, data: CoinUpdating) -> None:
    left, right = axes
    _draw_densities(left, data)
    left.set_ylim(0, None)
    _draw_posterior_track(right, data)
    right.set_xlim(0, len(data.mean) - 1)
    right.legend(loc="lower right", fontsize="small")


def compute_prior_strength(*, a: float, b: float, **settings) -> CoinUpdating:
    """The same coin under the prior Beta(a, b) (the explorable figure: the reader picks a and b)."""
    return compute_coin_updating(prior=(float(a), float(b)), **settings)


PRIOR_DENSITY_LIMIT = 30.0    # the same axes for every prior: 1000 flips peak near 29


def draw_prior_strength(axes, data: CoinUpdating) -> None:
    """The densities and the posterior track on a log scale of flips, with n = a + b marked."""
    left, right = axes
    a, b = data.params[0].tolist()
    _draw_densities(left, data)
    left.set(ylim=(0, PRIOR_DENSITY_LIMIT), title=f"prior Beta({a:g}, {b:g}), mean {a / (a + b):.2g}")
    _draw_posterior_track(right, data)
    right.axvline(a + b, color="C2", linestyle="--", linewidth=1.0, label="$n = a + b$")
    right.set(xscale="log", xlim=(1, len(data.mean) - 1))
    # below the axes: a strong prior puts its density or its track wherever a legend inside would sit
    for ax in axes:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize="small")


@dataclass(frozen=True)
class SimpsonData:
    groups: tuple               # bar-group labels
    rates: torch.Tensor         # (len(groups), 2) success rate of A and B in each group
    labels: tuple               # per group, per treatment: the text written on the bar
    patients: torch.Tensor      # (2, 2) patients per treatment (rows) and stone size (columns)


def compute_simpson() -> SimpsonData:
    """Success rates by stone size, pooled (crude) and adjusted for stone size, from the published counts."""
    trial = KIDNEY_STONES
    rates = torch.cat([trial.rates().T, trial.crude_rates()[None], trial.adjusted_rates()[None]])
    succ, pats = trial.successes, trial.patients
    labels = tuple(tuple(f"{succ[x, z]}/{pats[x, z]}" for x in range(2)) for z in range(2))
    labels += (tuple(f"{succ[x].sum()}/{pats[x].sum()}" for x in range(2)),
               tuple(f"{percent(r, 1)}%" for r in trial.adjusted_rates().tolist()))
    groups = ("small\nstones", "large\nstones", "all\n(crude)", "all\n(adjusted)")
    return SimpsonData(groups, rates, labels, pats)


def draw_simpson(axes, data: SimpsonData) -> None:
    left, right = axes
    width = 0.38
    positions = torch.arange(len(data.groups), dtype=torch.float64)
    for x, label in enumerate(TREATMENT_LABELS):
        offset = (x - 0.5) * width
        bars = left.bar(positions + offset, data.rates[:, x], width, color=f"C{x}",
                        label=label)
        bars[-1].set(alpha=0.5, edgecolor=f"C{x}", linewidth=1.2)   # lighter: computed, not counted
        for pos, rate, group_labels in zip(positions + offset, data.rates[:, x], data.labels):
            left.text(pos, rate + 0.012, group_labels[x], ha="center", va="bottom", fontsize=7, rotation=90)
    left.set_xticks(positions, data.groups, fontsize=8)
    left.set_yticks(torch.linspace(0, 1, 6).tolist())          # the room above 1 is for the legend only
    left.set(ylabel="success rate", ylim=(0, 1.25), title="success rate by stone size")
    left.grid(axis="x", visible=False)
    left.legend(loc="upper left", fontsize="small", ncols=2)

    sizes = torch.arange(len(STONE_SIZES), dtype=torch.float64)
    for x in range(len(TREATMENT_LABELS)):       # same colours as the left panel's legend
        offset = (x - 0.5) * width
        counts = data.patients[x]
        right.bar(sizes + offset, counts, width, color=f"C{x}")
        for pos, count in zip(sizes + offset, counts.tolist()):
            right.text(pos, count + 5, str(count), ha="center", va="bottom", fontsize=8)
    right.set_xticks(sizes, [f"{s} stones" for s in STONE_SIZES], fontsize=8)
    right.set(ylabel="patients", ylim=(0, 300), title="who received which treatment")
    right.grid(axis="x", visible=False)
