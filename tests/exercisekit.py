"""Helpers for the exercise tests: the solution files of snippets/exercises/, loaded as a reader runs them."""
import contextlib
import io
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "snippets" / "exercises"


def solution(name: str) -> dict:
    """What the solution file defines, without running its `__main__` part."""
    return runpy.run_path(str(SOLUTIONS / f"{name}.py"), run_name="exercise")


def printed(name: str) -> str:
    """What `python snippets/exercises/NAME.py` prints (run in this process)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(SOLUTIONS / f"{name}.py"), run_name="__main__")
    return out.getvalue()
