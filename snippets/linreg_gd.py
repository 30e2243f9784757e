"""Fit y_hat = w*x + b by gradient descent and record the line as it moves.

Run: python snippets/linreg_gd.py            prints (w, b, loss) at a few steps
     python snippets/linreg_gd.py --out F    also draws the data and those lines into F
"""
import argparse
from dataclasses import dataclass

import matplotlib
import torch


@dataclass(frozen=True)
class FitHistory:
    x: torch.Tensor          # inputs, shape (N,)
    y: torch.Tensor          # targets, shape (N,)
    steps: tuple             # the steps at which the line was recorded
    lines: torch.Tensor      # rows (w, b, loss), one per recorded step


def fit_history(*, seed=0, n_points=40, eta=0.05, steps=(0, 3, 10, 30, 100)):
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n_points, generator=gen) * 4 - 2
    y = 1.5 * x + 0.7 + 0.4 * torch.randn(n_points, generator=gen)
    w, b = torch.tensor(-1.0), torch.tensor(-1.5)
    rows = []
    for step in range(max(steps) + 1):
        residual = y - (w * x + b)
        if step in steps:
            rows.append(torch.stack([w, b, (residual ** 2).mean()]))
        w = w + eta * 2 * (residual * x).mean()   # w <- w - eta dL/dw
        b = b + eta * 2 * residual.mean()         # b <- b - eta dL/db
    return FitHistory(x, y, tuple(steps), torch.stack(rows))


def draw(ax, history):
    ax.scatter(history.x, history.y, s=14, color="0.5", label="data")
    grid = torch.linspace(-2, 2, 2)
    shades = torch.linspace(0.0, 0.9, len(history.steps)).tolist()
    colors = matplotlib.colormaps["viridis"](shades)
    for step, (w, b, _), color in zip(history.steps, history.lines.tolist(), colors):
        ax.plot(grid, w * grid + b, color=color, label=f"step {step}")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(loc="upper left", fontsize="small")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the figure to this file (.svg, .png or .pdf)")
    args = parser.parse_args()
    history = fit_history()
    for step, (w, b, loss) in zip(history.steps, history.lines.tolist()):
        print(f"step {step:3d}: w = {w:+.3f}  b = {b:+.3f}  loss = {loss:.4f}")
    if args.out:
        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
        fig, ax = plt.subplots(figsize=(7.2, 4.0), layout="constrained")
        draw(ax, history)
        fig.savefig(args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
