"""Worker of a lab job: execute the lab's code once, in a fresh kernel, into a notebook.

Runs in a process of its own per lab (engine/runner.py). It reads the default language's
jupytext source, executes every cell with errors not allowed, and writes the executed notebook
(its outputs serve every language, notebooks.py). A raising cell fails the job naming the cell
and its line in every language's source. After the last cell the kernel runs the engine's probe
(engine/probe.py), which lists the repository files and distributions it loaded: they become
part of the lab's cache key.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat

from dlnotes.build.engine.jobs import JobFailed
from dlnotes.build.labs.sources import prepare, source_line

TRACEBACK_LINES = 14                  # how much of a failing cell's traceback the build error shows
# A kernel can die before it answers at all: jupyter_client picks free ports, then the kernel binds
# them, and another kernel started in between (the build runs two labs at once, the tests several
# builds) may take one first. Seen once in a CI run; a fresh kernel is started, up to this many.
KERNEL_STARTS = 3
KERNEL_DIED_ON_START = "Kernel died before replying to kernel_info"
ANSI = re.compile(r"\x1b\[[0-9;]*m")   # IPython colours its tracebacks
PROBE = ("import json as _json\nfrom dlnotes.build.engine.probe import loaded_dependencies as _loaded\n"
         "print(_json.dumps(_loaded(%r)))")


def run(payload: dict, root: Path, work_dir: Path) -> dict:
    sources = {lang: (root / path).read_text(encoding="utf-8") for lang, path in payload["sources"].items()}
    nb = prepare((root / payload["source"]).read_text(encoding="utf-8"))
    # The kernel imports this checkout's dlnotes, and shows figures inline (no MPLBACKEND).
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")]))
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    os.environ.pop("MPLBACKEND", None)
    loaded, error, index = execute(nb, root=root, cwd=work_dir, timeout=payload["cell_timeout"])
    if error is not None:
        lines = ", ".join(f"{path} line {source_line(sources[lang], index)}"
                          for lang, path in sorted(payload["sources"].items()))
        raise JobFailed(f"cell {index + 1} ({lines}): {error}")
    nbformat.validate(nb)
    out = work_dir / "labs" / "executed" / f"{payload['name']}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return loaded


def execute(nb: nbformat.NotebookNode, *, root: Path, cwd: Path,
            timeout: float) -> tuple[dict | None, str | None, int | None]:
    """Run every cell in order; return (dependencies, error, index of the failing cell)."""
    for start in range(1, KERNEL_STARTS + 1):
        try:
            return execute_once(nb, root=root, cwd=cwd, timeout=timeout)
        except RuntimeError as error:
            if KERNEL_DIED_ON_START not in str(error) or start == KERNEL_STARTS:
                raise
            print(f"lab kernel: {error}; starting a new kernel ({start + 1} of {KERNEL_STARTS})", file=sys.stderr)


def execute_once(nb: nbformat.NotebookNode, *, root: Path, cwd: Path,
                 timeout: float) -> tuple[dict | None, str | None, int | None]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    # shutdown_kernel="immediate": the outputs are all in by then, and a graceful shutdown waited up
    # to 3 s for the kernel to exit, holding one of the build's cores idle (0.5 s to 3.1 s measured).
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            force_raise_errors=True,   # not even a cell tagged raises-exception may fail
                            shutdown_kernel="immediate",
                            record_timing=False, resources={"metadata": {"path": str(cwd)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
                merge_adjacent_streams(cell)
            except CellExecutionError as error:
                tail = "\n".join(ANSI.sub("", str(error)).strip().splitlines()[-TRACEBACK_LINES:])
                return None, f"raised {error.ename}: {error.evalue}\n{tail}", index
            except CellTimeoutError:
                return None, f"ran past the time limit of {timeout:g} s per cell", index
            except DeadKernelError as error:
                return None, f"killed the kernel ({error})", index
        probe = nbformat.v4.new_code_cell(PROBE % str(root))
        nb.cells.append(probe)      # nbclient stores each cell back into the notebook by index
        try:
            client.execute_cell(probe, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1]), None, None


def merge_adjacent_streams(cell) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How printed text is split into outputs depends on when the kernel flushes, so it differs
    from run to run; joined, the notebook is the same bytes every time. (nbclient's
    coalesce_streams would also move text printed after a figure above it.)
    """
    if cell.cell_type != "code":
        return
    merged = []
    for output in cell.outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    cell.outputs = merged
