"""The maintainer's loop, measured: a real `mkdocs serve` in a copy, a save, the end of the rebuild.

The time runs from the write of the file to the "Reloading browsers" line that `mkdocs serve`
logs when the rebuild is done (its watcher waits a quarter second for more changes first, as it
does for every writer).
"""
from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from dlnotes_tools.projects import append

DONE, SERVING, FAILED = "Reloading browsers", "Serving on", "An error happened during the rebuild"
JOB_RAN = re.compile(r"\b(figure|lab) [\w-]+: (regenerated|executed) \(")


class Serve:
    """`mkdocs serve` of project on a free local port, with its log lines readable as they come."""

    def __init__(self, project: Path, timeout: float = 900):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=str(project / "src"), NO_MKDOCS_2_WARNING="1")
        self.process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve",
                                         "-a", f"127.0.0.1:{port}"], cwd=project, env=env, text=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for(SERVING, timeout)

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> list[str]:
        seen, deadline = [], time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            seen.append(line)
            if FAILED in line:
                raise SystemExit("mkdocs serve: the rebuild failed:\n" + "".join(seen[-30:]))
            if text in line:
                return seen

    def edit(self, path: Path, text: str, timeout: float = 600) -> tuple[float, list[str]]:
        """Append text to path: seconds from the write to the end of the rebuild, and what it logged."""
        return self.after(lambda: append(path, text), timeout)

    def after(self, change, timeout: float = 600) -> tuple[float, list[str]]:
        """Make a change to the files: seconds to the end of the rebuild, and what the rebuild logged."""
        while not self.lines.empty():
            self.lines.get()
        start = time.monotonic()
        change()
        seen = self.wait_for(DONE, timeout)
        return time.monotonic() - start, seen

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.reader.join(timeout=60)       # the log is read to its end before the pipe closes
        self.process.stderr.close()


def measure(project: Path, page: str, module: str, figure: str, repeats: int = 3) -> dict[str, float]:
    """Median seconds of a page save and of a figure-module save (each repeated), under one serve."""
    serve = Serve(project)
    try:
        page_times, figure_times, logs = [], [], []
        for n in range(repeats):
            page_times.append(serve.edit(project / page, "\n")[0])
            seconds, log = serve.edit(project / module, f"\n# serve benchmark edit {n}\n")
            figure_times.append(seconds)
            logs.append(log)
    finally:
        serve.close()
    jobs_ran = [line for log in logs for line in log if JOB_RAN.search(line)]
    ran = [line for line in jobs_ran if f"figure {figure}: regenerated" in line]
    if len(ran) != repeats:
        raise SystemExit(f"expected figure {figure} to rerun after each edit of {module}; the log said:\n"
                         + "".join(logs[-1]))
    figure_seconds = sorted(float(line.split(" in ")[-1].split()[0]) for line in ran)
    return {"page": sorted(page_times)[repeats // 2], "figure": sorted(figure_times)[repeats // 2],
            "figure-compute": figure_seconds[repeats // 2], "other-jobs-ran": len(jobs_ran) - len(ran)}
