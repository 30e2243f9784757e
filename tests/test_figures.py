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
from dlnotes.build.engine.runner import run_one
from dlnotes.build.figures.jobs import figure_jobs
from dlnotes.build.figures import worker
from dlnotes.build.figures.worker import preview_size
from dlnotes.spec import check_registry
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]


JOBS = [job for spec in FIGURES for job in figure_jobs(spec, ROOT, [])]     # every figure and every variant


def render_all(jobs, out_dir: Path, hash_seed: str) -> subprocess.Popen:
    """Start the build's worker on the given figure jobs in one fresh process (a cold interpreter)."""
    work = []
    for job in jobs:
        (out_dir / job.name).mkdir(parents=True)
        work.append({"payload": job.payload, "root": str(ROOT), "out_dir": str(out_dir / job.name)})
    (out_dir / "jobs.json").write_text(json.dumps(work))
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT / "src"))
    with open(out_dir / "jobs.json") as jobs_file:
        return subprocess.Popen([sys.executable, "-m", "dlnotes.build.figures.worker"], stdin=jobs_file,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def renders(request, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Two independent runs over the selected jobs, different hash seeds, side by side on the cores."""
    selected = {item.callspec.params["job"].name for item in request.session.items
                if item.originalname == "test_figure_is_deterministic"}
    jobs = [job for job in JOBS if job.name in selected]
    procs = {seed: (tmp_path_factory.mktemp(f"hash-seed-{seed}"),) for seed in ("1", "2")}
    procs = {seed: (out, render_all(jobs, out, seed)) for seed, (out,) in procs.items()}
    return {seed: (out, proc.communicate(timeout=1200)[1] + f"(exit {proc.returncode})")
            for seed, (out, proc) in procs.items()}


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_registry_is_valid():
    by_name = check_registry(FIGURES)
    assert len(by_name) == len(FIGURES) > 0


@pytest.mark.build      # renders every figure and every variant twice
@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_figure_is_deterministic(job, renders):
    (first_dir, log), (second_dir, _) = renders["1"], renders["2"]
    first, second = outputs(first_dir / job.name), outputs(second_dir / job.name)
    assert first, f"{job.label} was not rendered:\n{log[-3000:]}"
    assert sorted(first) == sorted(job.outputs)     # both palettes' SVGs, and a figure's previews
    assert first == second
    light, dark = (first[name] for name in job.payload["outputs"])
    assert light != dark                                   # the palettes really differ
    for svg in (light, dark):
        assert b"<dc:date>" not in svg and b"<text" not in svg    # no date; glyphs as paths
        assert len(svg) < 300_000                           # small enough for a page
    for preview in job.payload["previews"]:      # a gallery card: its size in pixels, colours from a palette
        png = first[preview]
        assert png.startswith(b"\x89PNG") and len(png) < 20_000
        width, height, colour_type = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"), png[25]
        assert (width, height) == preview_size(tuple(job.payload["size"])) and colour_type == 3


def svg_with_its_own_layout(payload, data, draw, variant: str) -> bytes:
    """The palette's SVG as each palette was drawn before they shared one layout and one math parser."""
    import io

    import matplotlib
    import matplotlib.pyplot as plt

    worker.use_style(variant)
    matplotlib.rcParams["svg.hashsalt"] = payload["name"]
    fig = plt.figure(figsize=payload["size"], layout="constrained")
    draw(fig.subplots(*payload["panels"]), data)
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return out.getvalue()


# a suptitle and figure legends, a figure legend alone, one below, insets, log axes, a data-limited aspect
SHARED_LAYOUT_CASES = ["init-layer-histograms", "uat-width-fit", "optim-rosenbrock", "digits-confusion",
                       "gd-batch-size", "gd-lr-decay"]


@pytest.mark.build
@pytest.mark.parametrize("name", SHARED_LAYOUT_CASES)
# matplotlib converting torch tensors warns of a NumPy 2 deprecation; the build's workers do not
# turn warnings into errors, and neither does this test
@pytest.mark.filterwarnings("ignore:__array_wrap__ must accept context:DeprecationWarning")
def test_the_dark_palette_reuses_the_light_layout_with_the_same_bytes(name, tmp_path):
    job = next(job for job in JOBS if job.name == name)
    worker.seed_everything()
    compute, draw = (worker.load_function(job.payload[key], ROOT) for key in ("compute", "draw"))
    data = compute(**job.payload["settings"])
    worker.draw_svgs(job.payload, data, draw, tmp_path)
    light, dark = ((tmp_path / output).read_bytes() for output in job.payload["outputs"])
    assert dark == svg_with_its_own_layout(job.payload, data, draw, "dark")
    assert light == svg_with_its_own_layout(job.payload, data, draw, "light")     # the shared math parser


def math_parses(saves: int) -> int:
    """How many times matplotlib parses one formula to save a figure showing it `saves` times as SVG."""
    import io

    import matplotlib.pyplot as plt
    from matplotlib.mathtext import MathTextParser

    before = MathTextParser._parse_cached.cache_info().misses
    fig = plt.figure(figsize=(2, 1))
    fig.text(0.1, 0.5, r"$\theta_{t+1} = \theta_t - \eta\,\nabla L$")
    for _ in range(saves):
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)
    return MathTextParser._parse_cached.cache_info().misses - before


def test_one_math_parser_parses_a_formula_once_for_every_renderer():
    """What worker.one_math_parser relies on: each SVG renderer gets its parser from TextToPath()."""
    assert math_parses(saves=3) == 3          # matplotlib alone: once per renderer
    with worker.one_math_parser():
        assert math_parses(saves=3) == 1
    assert math_parses(saves=2) == 2          # and the block leaves matplotlib as it was


def test_a_palette_that_draws_other_things_gets_its_own_layout(tmp_path):
    import matplotlib

    worker.use_style("dark")
    dark_text = matplotlib.rcParams["text.color"]

    def draw(ax, data):
        ax.plot(data)
        if matplotlib.rcParams["text.color"] == dark_text:       # only in one palette: one more text
            ax.figure.suptitle("a title only the dark palette has")

    payload = {"name": "palettes-differ", "size": [4, 3], "panels": [1, 1],
               "outputs": ["palettes-differ.light.svg", "palettes-differ.dark.svg"]}
    worker.use_style("light")
    assert matplotlib.rcParams["text.color"] != dark_text        # what draw tells the palettes by
    worker.draw_svgs(payload, [0, 1, 4, 9], draw, tmp_path)
    dark = (tmp_path / payload["outputs"][1]).read_bytes()
    assert dark == svg_with_its_own_layout(payload, [0, 1, 4, 9], draw, "dark")


@pytest.mark.build
def test_the_job_server_draws_the_bytes_of_a_fresh_interpreter(tmp_path):
    """The job server loads fonts and draws once before the jobs (engine/preload.py): that must
    change the time a figure takes, never its bytes."""
    job = next(job for job in JOBS if job.name == "gd-batch-size")     # log axes, math text, previews
    proc = render_all([job], tmp_path / "fresh", "0")
    assert proc.communicate(timeout=300)[1] is not None and proc.returncode == 0
    result = run_one(job, ROOT, tmp_path / "served")
    assert result.ok, result.error
    assert outputs(tmp_path / "served") == outputs(tmp_path / "fresh" / job.name)


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
