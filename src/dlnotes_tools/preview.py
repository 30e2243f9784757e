"""Render one registered figure to PNG files for a quick look, without a site build.

    python -m dlnotes_tools.preview NAME [--out DIR] [--set '{"epochs": 5}']

Prints the compute and draw times; the build itself always renders through dlnotes.build.figures.worker.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from dlnotes.build.figures.worker import VARIANTS, load_function, seed_everything, use_style

ROOT = Path(__file__).resolve().parents[2]
BACKGROUNDS = {"light": "white", "dark": "#1e2129"}   # Material's page colours, for the PNG only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--set", default="{}", help="JSON object of settings to override")
    args = parser.parse_args()

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlnotes.registry import FIGURES
    spec = {s.name: s for s in FIGURES}.get(args.name)
    if spec is None:
        raise SystemExit(f"no figure named {args.name!r}; known: {', '.join(sorted(s.name for s in FIGURES))}")
    seed_everything()
    start = time.perf_counter()
    data = load_function(spec.compute, ROOT)(**{**spec.settings, **json.loads(args.set)})
    print(f"compute: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    for variant in VARIANTS:
        use_style(variant)
        fig = plt.figure(figsize=spec.size, layout="constrained")
        load_function(spec.draw, ROOT)(fig.subplots(*spec.panels), data)
        out = args.out / f"preview-{spec.name}-{variant}.png"
        fig.savefig(out, dpi=90, facecolor=BACKGROUNDS[variant])
        plt.close(fig)
        print(f"wrote {out}")
    print(f"draw: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
