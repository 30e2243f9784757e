"""Worker of a figure job: compute the data, draw it into a light and a dark SVG.

Runs in a process of its own per figure (engine/runner.py). `python -m dlnotes.build.figures.worker`
does the same in a fresh interpreter for a JSON list of {"payload", "out_dir"} on stdin (the
determinism test runs it that way, in two cold processes).
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import random
import sys
import traceback
from pathlib import Path

from dlnotes.build.engine.probe import loaded_dependencies
from dlnotes.spec import variant_slug

STYLE_DIR = Path(__file__).resolve().parents[2] / "styles"
VARIANTS = ("light", "dark")   # Material's palettes; pages show the one that matches


PREVIEW_DPI = 50       # a 7.2 in wide figure becomes a 360 px preview
PREVIEW_COLOURS = 64   # a palette of 64 colours looks the same at that size, in a quarter of the bytes


def output_names(name: str) -> tuple[str, ...]:
    return tuple(f"figures/{name}.{variant}.svg" for variant in VARIANTS)


def preview_names(name: str) -> tuple[str, ...]:
    return tuple(f"figures/previews/{name}.{variant}.png" for variant in VARIANTS)


def variant_names(name: str, choice: dict) -> tuple[str, ...]:
    """An explorable figure's other variants: figures/NAME/SETTING-VALUE.light.svg, ..."""
    return tuple(f"figures/{name}/{variant_slug(choice)}.{variant}.svg" for variant in VARIANTS)


def load_function(ref: str, root: Path):
    target, func = ref.split(":")
    if target.endswith(".py"):
        path = root / target
        module_name = "dlnotes_snippet_" + path.stem
        if module_name not in sys.modules:
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module     # so that the probe records the snippet
            spec.loader.exec_module(module)
        return getattr(sys.modules[module_name], func)
    return getattr(importlib.import_module(target), func)


def seed_everything(seed: int = 0) -> None:
    """Same numbers on every run: seeded generators and one thread, so reductions run in a fixed order.

    (torch.use_deterministic_algorithms is left off: it matters for GPU kernels, not on the CPU,
    and importing what it needs costs 1.5 s per figure. The tests compare bytes of two runs.)
    """
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)


def use_style(variant: str) -> None:
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.rcdefaults()           # no state leaks from one variant or figure to the next
    plt.style.use([STYLE_DIR / "base.mplstyle", STYLE_DIR / f"{variant}.mplstyle"])


def draw_svgs(payload: dict, data, draw, out_dir: Path) -> None:
    """Each palette's SVG, and where the payload asks for them, small PNG previews (the gallery's)."""
    previews = payload.get("previews") or [None] * len(VARIANTS)
    layout = None      # the first palette's, which the others reuse (see Layout)
    with one_math_parser():
        for variant, output, preview in zip(VARIANTS, payload["outputs"], previews):
            layout = draw_palette(payload, data, draw, out_dir, variant, output, preview, layout)


def draw_palette(payload: dict, data, draw, out_dir: Path, variant: str, output: str, preview: str | None,
                 layout: Layout | None) -> Layout:
    import matplotlib
    import matplotlib.pyplot as plt

    use_style(variant)
    matplotlib.rcParams["svg.hashsalt"] = payload["name"]   # stable clip-path ids
    fig = plt.figure(figsize=payload["size"], layout="constrained" if layout is None else None)
    draw(fig.subplots(*payload["panels"]), data)
    if layout is not None:
        layout.apply(fig)
    (out_dir / output).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / output, format="svg", metadata={"Date": None, "Creator": None})
    layout = layout or Layout(fig)
    if preview:
        fig.set_layout_engine("none")    # the preview keeps the SVG's layout
        (out_dir / preview).parent.mkdir(parents=True, exist_ok=True)
        save_preview(fig, out_dir / preview)
    plt.close(fig)
    return layout


@contextlib.contextmanager
def one_math_parser():
    """Every SVG renderer of the block lays out math text (labels, legends, log-axis ticks such
    as 10^3) with one parser.

    matplotlib gives each renderer a TextToPath of its own, and its parser's cache is keyed on the
    parser, so each formula was parsed again for the layout pass, the light SVG and the dark SVG:
    about a fifth of a figure's drawing time. Parsing is deterministic and its results are only
    read, so the bytes do not change (tests/test_figures.py draws with and without it).
    """
    from matplotlib import textpath

    parser = textpath.MathTextParser("path")
    own_parser = textpath.TextToPath.__init__

    def with_shared_parser(self) -> None:
        own_parser(self)
        self.mathtext_parser = parser

    textpath.TextToPath.__init__ = with_shared_parser
    try:
        yield
    finally:
        textpath.TextToPath.__init__ = own_parser


class Layout:
    """Where constrained layout put a figure's axes and texts, and the axes' final limits.

    Text has the same size in every palette, so the second palette takes the first one's layout
    instead of solving it again (about a quarter of the drawing time). Its SVG comes out byte for byte as
    with its own layout, for every figure and variant (tests/test_figures.py checks it on the
    figures that have a suptitle, figure legends, insets, log axes or a data-limited aspect).
    """

    def __init__(self, fig):
        self.axes = [(ax.get_position(original=True), ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
        self.texts = [text.get_position() for text in fig.texts]     # a suptitle among them

    def apply(self, fig) -> None:
        if len(fig.axes) != len(self.axes) or len(fig.texts) != len(self.texts):
            fig.set_layout_engine("constrained")     # a palette that draws other things: its own layout
            return
        for ax, (position, xlim, ylim) in zip(fig.axes, self.axes):
            ax.set_position(position, which="original")
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
        for text, position in zip(fig.texts, self.texts):
            text.set_position(position)


def save_preview(fig, path: Path) -> None:
    """A small PNG for the gallery, its colours reduced to a palette (Pillow comes with matplotlib)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PREVIEW_DPI)
    with Image.open(buffer) as image:
        image.quantize(colors=PREVIEW_COLOURS, method=Image.Quantize.FASTOCTREE).save(path, format="png", optimize=True)


def preview_size(size: tuple[float, float]) -> tuple[int, int]:
    """The preview's pixels, for the page to keep its place before it loads."""
    return round(size[0] * PREVIEW_DPI), round(size[1] * PREVIEW_DPI)


def run(payload: dict, root: Path, work_dir: Path) -> dict:
    import matplotlib
    matplotlib.use("Agg")
    seed_everything()
    compute = load_function(payload["compute"], root)
    draw = load_function(payload["draw"], root)
    data = compute(**payload["settings"])
    draw_svgs(payload, data, draw, work_dir)
    return loaded_dependencies(root)


def main() -> None:
    """Render each job on stdin; a failing job is reported and the others still run."""
    failed = []
    for job in json.loads(sys.stdin.read()):
        try:
            run(job["payload"], Path(job["root"]), Path(job["out_dir"]))
        except Exception:
            traceback.print_exc()
            failed.append(job["payload"]["name"])
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
