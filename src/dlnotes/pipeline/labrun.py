"""Worker process: turn one lab source into an executed notebook.

Run by the build as `python -m dlnotes.pipeline.labrun` with a JSON job on stdin, one process
per lab. It reads the jupytext percent-format source, executes every cell in a fresh kernel
with errors not allowed, and writes `NAME.ipynb` and `result.json` into the job's work folder.
`result.json` says whether a cell raised (which one, and the traceback) and lists the
repository files and the distributions that the kernel loaded: they become part of the lab's
cache key. `publish` (used by the build, not here) turns an executed notebook into the one
readers download.
"""
from __future__ import annotations

import copy
import json
import posixpath
import re
import sys
from pathlib import Path

import jupytext
import nbformat

TRACEBACK_LINES = 14                  # how much of a failing cell's traceback the build error shows
# A kernel can die before it answers at all: jupyter_client picks free ports, then the kernel binds
# them, and another kernel started in between (the build runs two labs at once, the tests several
# builds) may take one first. Seen once in a CI run; a fresh kernel is started, up to this many.
KERNEL_STARTS = 3
KERNEL_DIED_ON_START = "Kernel died before replying to kernel_info"
ANSI = re.compile(r"\x1b\[[0-9;]*m")   # IPython colours its tracebacks
# [text](../chapter.md#anchor) in a lab's Markdown: relative to the lab's folder, like any page.
MD_LINK = re.compile(r"\]\((?P<path>[\w./-]+?\.md)(?P<anchor>#[\w-]+)?\)")

# Runs in the kernel after the last cell: which repository files and distributions it loaded.
# Files of the virtual environment are not repository files: their distributions' versions
# stand for them.
PROBE = """
import importlib.metadata as _md, json as _json, sys as _sys
from pathlib import Path as _Path
def _probe(root):
    root, files, tops = _Path(root).resolve(), set(), set()
    envs = {_Path(p).resolve() for p in (_sys.prefix, _sys.base_prefix)}
    for module in list(_sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not _Path(path).is_absolute():
            continue
        path = _Path(path).resolve()
        outside_env = not any(path.is_relative_to(env) for env in envs) and "site-packages" not in path.parts
        if path.is_relative_to(root) and outside_env:
            files.add(path.relative_to(root).as_posix())
        else:
            tops.add(module.__name__.partition(".")[0])
    providers = _md.packages_distributions()
    dists = {d for top in tops - set(_sys.stdlib_module_names) for d in providers.get(top, ())}
    return {"files": sorted(files), "dists": {d: _md.version(d) for d in sorted(dists)}}
print(_json.dumps(_probe(%r)))
"""


class LabSourceError(ValueError):
    """The lab links to a page or a section that does not exist."""


def prepare(source: str) -> nbformat.NotebookNode:
    """The notebook to execute: the source's cells, with fixed ids (`cell-1`, `cell-2`, ...).

    Fixed ids make an unchanged lab give the same bytes. Nothing here depends on where the site
    is published, so a build for another address (`mkdocs serve`, CI) reuses the executed notebook.
    """
    nb = jupytext.reads(source, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for number, cell in enumerate(nb.cells, 1):
        cell.id = f"cell-{number}"
    return nb


def publish(executed: nbformat.NotebookNode, *, setup_cell: str, site_url: str, lang_prefix: str,
            docs_lang_dir: Path) -> nbformat.NotebookNode:
    """The notebook readers download: the executed one, with the Colab cell after the title cell
    and the links to the chapters made absolute (they work in Colab and in a download too).

    Raises LabSourceError naming every link to a page or a {#section} that does not exist.
    """
    nb = copy.deepcopy(executed)
    setup = nbformat.v4.new_code_cell(setup_cell, metadata={"dlnotes": "colab-setup"}, id="colab-setup")
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, setup)
    missing = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = MD_LINK.sub(lambda m: _absolute_link(m, site_url, lang_prefix, docs_lang_dir, missing),
                                      cell.source)
    if missing:
        raise LabSourceError("links to pages or sections that do not exist: " + ", ".join(sorted(set(missing))))
    return nb


def _absolute_link(match, site_url: str, lang_prefix: str, docs_lang_dir: Path, missing: list) -> str:
    """../chapter.md#id -> SITE/chapter/#id."""
    target = posixpath.normpath(posixpath.join("labs", match["path"]))
    anchor = match["anchor"] or ""
    page = docs_lang_dir / target
    if target.startswith("..") or not page.is_file():
        missing.append(match["path"])
    elif anchor and f"{{{anchor}}}" not in page.read_text(encoding="utf-8"):
        missing.append(match["path"] + anchor)
    stem = target.removesuffix(".md")
    url = "" if stem == "index" else (stem.removesuffix("/index") + "/" if stem.endswith("/index") else stem + "/")
    return f"]({site_url}{lang_prefix}{url}{anchor})"


def source_line(source: str, cell_index: int) -> int | None:
    """The line of the `# %%` marker that starts the source's cell number cell_index (from 0)."""
    markers = [n for n, line in enumerate(source.splitlines(), 1) if line.startswith("# %%")]
    return markers[cell_index] if cell_index < len(markers) else None


def execute(nb: nbformat.NotebookNode, *, root: Path, cwd: Path,
            timeout: float) -> tuple[dict | None, str | None, int | None]:
    """Run every cell in order; return (dependencies, error, index of the failing cell)."""
    for start in range(1, KERNEL_STARTS + 1):
        try:
            return execute_once(nb, root=root, cwd=cwd, timeout=timeout)
        except RuntimeError as error:
            if KERNEL_DIED_ON_START not in str(error) or start == KERNEL_STARTS:
                raise
            print(f"labrun: {error}; starting a new kernel ({start + 1} of {KERNEL_STARTS})", file=sys.stderr)


def execute_once(nb: nbformat.NotebookNode, *, root: Path, cwd: Path,
                 timeout: float) -> tuple[dict | None, str | None, int | None]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            force_raise_errors=True,   # not even a cell tagged raises-exception may fail
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


def main() -> None:
    job = json.loads(sys.stdin.read())
    source_path, work_dir = Path(job["source"]), Path(job["work_dir"])
    source = source_path.read_text(encoding="utf-8")
    result = {"ok": False, "error": "", "cell": None, "line": None, "files": [], "dists": {}}
    nb = prepare(source)
    deps, error, index = execute(nb, root=Path(job["root"]), cwd=work_dir, timeout=job["cell_timeout"])
    if error is None:
        nbformat.validate(nb)
        nbformat.write(nb, work_dir / f"{job['name']}.ipynb")
        result.update(ok=True, files=deps["files"], dists=deps["dists"])
    else:
        result.update(error=error, cell=index + 1, line=source_line(source, index))
    (work_dir / "result.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
