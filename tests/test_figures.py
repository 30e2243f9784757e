"""Figures: their computations are right, drawing works, and two runs give the same bytes.

Parametrized over the registry, so a new figure is covered with no new test code.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dlnotes.figures.linear_regression import compute_descent_paths
from dlnotes.linear_regression import least_squares, make_line_data
from dlnotes.build.figures.jobs import figure_job
from dlnotes.spec import check_registry
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]


def render_all(specs, out_dir: Path, hash_seed: str) -> subprocess.Popen:
    """Start the build's worker on the given figures in one fresh process (a cold interpreter)."""
    jobs = []
    for spec in specs:
        (out_dir / spec.name).mkdir(parents=True)
        jobs.append({"payload": figure_job(spec, ROOT, []).payload, "root": str(ROOT),
                     "out_dir": str(out_dir / spec.name)})
    (out_dir / "jobs.json").write_text(json.dumps(jobs))
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT / "src"))
    with open(out_dir / "jobs.json") as jobs_file:
        return subprocess.Popen([sys.executable, "-m", "dlnotes.build.figures.worker"], stdin=jobs_file,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def renders(request, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Two independent runs over the selected figures, different hash seeds, side by side on the cores."""
    selected = {item.callspec.params["spec"].name for item in request.session.items
                if item.originalname == "test_figure_is_deterministic_svg"}
    specs = [spec for spec in FIGURES if spec.name in selected]
    procs = {seed: (tmp_path_factory.mktemp(f"hash-seed-{seed}"),) for seed in ("1", "2")}
    procs = {seed: (out, render_all(specs, out, seed)) for seed, (out,) in procs.items()}
    return {seed: (out, proc.communicate(timeout=900)[1] + f"(exit {proc.returncode})")
            for seed, (out, proc) in procs.items()}


def svgs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*.svg"))}


def test_registry_is_valid():
    by_name = check_registry(FIGURES)
    assert len(by_name) == len(FIGURES) > 0


@pytest.mark.build      # renders every figure twice
@pytest.mark.parametrize("spec", FIGURES, ids=lambda s: s.name)
def test_figure_is_deterministic_svg(spec, renders):
    (first_dir, log), (second_dir, _) = renders["1"], renders["2"]
    first, second = svgs(first_dir / spec.name), svgs(second_dir / spec.name)
    assert first, f"figure {spec.name} was not rendered:\n{log[-3000:]}"
    assert sorted(first) == [f"{spec.name}.dark.svg", f"{spec.name}.light.svg"]
    assert first == second
    light, dark = first[f"{spec.name}.light.svg"], first[f"{spec.name}.dark.svg"]
    assert light != dark                                   # the palettes really differ
    for svg in (light, dark):
        assert b"<dc:date>" not in svg and b"<text" not in svg    # no date; glyphs as paths
        assert len(svg) < 300_000                           # small enough for a page


def descent(**overrides):
    settings = dict(next(s for s in FIGURES if s.name == "linreg-loss-surface").settings)
    settings.update(overrides)
    return compute_descent_paths(**settings)


def test_descent_paths_behave_as_their_labels_say():
    data = descent()
    too_small, good, diverging = data.paths
    w_star, b_star = data.optimum
    distance = lambda path: torch.linalg.vector_norm(path[-1, :2] - torch.tensor([w_star, b_star]))  # noqa: E731
    assert distance(good) < distance(too_small) < distance(too_small[:1])
    assert diverging[-1, 2] > diverging[0, 2]              # past 2 / lambda_max the loss grows
    assert good[-1, 2] < too_small[-1, 2]


def test_descent_loss_grid_is_the_mse():
    data = descent(grid_size=5)
    settings = next(s for s in FIGURES if s.name == "linreg-loss-surface").settings
    x, y = make_line_data(seed=settings["seed"], n_points=settings["n_points"],
                          x_low=settings["x_range"][0], x_high=settings["x_range"][1])
    i, j = 2, 3
    expected = ((y - (data.w_grid[j] * x + data.b_grid[i])) ** 2).mean()
    torch.testing.assert_close(data.loss_grid[i, j], expected)
    w_star, b_star = least_squares(x, y)
    assert data.optimum == pytest.approx((w_star.item(), b_star.item()), rel=1e-12)
