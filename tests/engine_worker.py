"""A worker for the engine's tests (tests/test_engine.py): runs in a job's process like a real one.

It records when it started and ended in its outputs, can import a helper module from the
project root (which the probe must then record), start a long-lived child process, exit at once without a word, or raise.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dlnotes.build.engine.probe import loaded_dependencies


def run(payload: dict, root: Path, work_dir: Path) -> dict:
    started = time.monotonic()
    if payload.get("helper"):
        sys.path.insert(0, str(root))
        __import__(payload["helper"])
    if payload.get("child_pid_file"):
        child = subprocess.Popen(["sleep", "600"])
        Path(payload["child_pid_file"]).write_text(str(child.pid))
    if payload.get("exits_silently"):         # as a process whose exit the job server loses
        starts = Path(payload["exits_silently"])
        starts.write_text(starts.read_text() + "start\n" if starts.exists() else "start\n")
        if payload.get("times", 1) >= len(starts.read_text().splitlines()):
            os._exit(255)
    if payload.get("raise"):
        raise RuntimeError(payload["raise"])
    time.sleep(payload.get("sleep", 0))
    for output in payload["outputs"]:
        (work_dir / output).parent.mkdir(parents=True, exist_ok=True)
        (work_dir / output).write_text(json.dumps({"started": started, "ended": time.monotonic(),
                                                   "version": payload.get("version", 1)}))
    return loaded_dependencies(root)
