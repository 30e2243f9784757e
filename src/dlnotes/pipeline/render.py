"""Worker: compute one figure and save its light and dark SVG.

The build runs render_job in a process of its own per figure, forked from a server that has
torch and matplotlib loaded already (runner.py), so that a crash or a time-out stays inside it
and every build runs the dlnotes code as it is now. `python -m dlnotes.pipeline.render` does the
same for a JSON job (or a list of jobs) on stdin. Besides the SVGs each job writes deps.json: the
repository files and the distributions that the figure actually loaded, part of its cache key.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import random
import sys
import traceback
from pathlib import Path

STYLE_DIR = Path(__file__).with_name("styles")
VARIANTS = ("light", "dark")   # Material's palettes; pages show the one that matches


def load_function(ref: str, root: Path):
    target, func = ref.split(":")
    if target.endswith(".py"):
        path = root / target
        module_name = "dlnotes_snippet_" + path.stem
        if module_name not in sys.modules:
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module     # recorded as a dependency below
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


def save_variants(job: dict, data, draw, out_dir: Path) -> list[str]:
    import matplotlib
    import matplotlib.pyplot as plt

    outputs = []
    for variant in VARIANTS:
        matplotlib.rcdefaults()           # no state leaks from one variant or figure to the next
        plt.style.use([STYLE_DIR / "base.mplstyle", STYLE_DIR / f"{variant}.mplstyle"])
        matplotlib.rcParams["svg.hashsalt"] = job["name"]   # stable clip-path ids
        fig = plt.figure(figsize=job["size"], layout="constrained")
        axes = fig.subplots(*job["panels"])
        draw(axes, data)
        out = out_dir / f"{job['name']}.{variant}.svg"
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
        outputs.append(out.name)
    return outputs


def loaded_dependencies(root: Path) -> tuple[list[str], dict[str, str]]:
    """Repository files and third-party distributions behind the modules loaded so far."""
    files, top_levels = set(), set()
    environments = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not Path(path).is_absolute():   # some extension modules report bare names
            continue
        path = Path(path).resolve()
        # a virtualenv inside the checkout holds third-party code: versioned as distributions
        if path.is_relative_to(root) and not any(path.is_relative_to(env) for env in environments):
            files.add(path.relative_to(root).as_posix())
        else:
            top_levels.add(module.__name__.partition(".")[0])
    providers = importlib.metadata.packages_distributions()
    dists = {d for top in top_levels - set(sys.stdlib_module_names) for d in providers.get(top, ())}
    return sorted(files), {d: importlib.metadata.version(d) for d in sorted(dists)}


def render_job(job: dict) -> None:
    root, out_dir = Path(job["root"]).resolve(), Path(job["out_dir"])
    import matplotlib
    matplotlib.use("Agg")
    seed_everything()
    compute = load_function(job["compute"], root)
    draw = load_function(job["draw"], root)
    data = compute(**job["settings"])
    outputs = save_variants(job, data, draw, out_dir)
    files, dists = loaded_dependencies(root)
    (out_dir / "deps.json").write_text(json.dumps({"outputs": outputs, "files": files, "dists": dists}))


def main() -> None:
    """Render each job on stdin; a failing job is reported and the others still run."""
    jobs = json.loads(sys.stdin.read())
    failed = []
    for job in jobs if isinstance(jobs, list) else [jobs]:
        try:
            render_job(job)
        except Exception:
            traceback.print_exc()
            failed.append(job["name"])
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
