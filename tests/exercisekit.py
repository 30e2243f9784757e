"""Shared by the tests/test_exercises_*.py files: a solution's code and the exercise as the pages show it."""
import contextlib
import io
import re
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "snippets" / "exercises"


def load_solution(name: str) -> dict:
    """The functions and constants of snippets/exercises/NAME.py, without running its main block."""
    return runpy.run_path(str(EXERCISES / f"{name}.py"), run_name="exercise")


def printed(name: str) -> str:
    """What `python snippets/exercises/NAME.py` prints, run in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(EXERCISES / f"{name}.py"), run_name="__main__")
    return out.getvalue()


def run_solution(name: str, cwd: Path) -> str:
    """What `python snippets/exercises/NAME.py` prints, run from an unrelated folder as a reader might."""
    proc = subprocess.run([sys.executable, str(EXERCISES / f"{name}.py")], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=True)
    return proc.stdout


def exercise_text(lang: str, chapter: str, number: int) -> str:
    """The markdown of exercise `number` of docs/LANG/CHAPTER.md, from its heading to the next heading."""
    text = (ROOT / "docs" / lang / f"{chapter}.md").read_text(encoding="utf-8")
    start = re.search(rf"^### {number}\. .*\{{#ex-{number} ", text, re.M)
    assert start, f"{lang}/{chapter}.md has no exercise {number}"
    end = re.search(r"^#{1,3} ", text[start.end():], re.M)
    return text[start.start():start.end() + end.start()] if end else text[start.start():]


def assert_pages_show(chapter: str, number: int, *shown: str) -> None:
    """Both languages' exercise `number` print every string in `shown` (the numbers the test checks)."""
    for lang in ("ko", "en"):
        block = exercise_text(lang, chapter, number)
        missing = [s for s in shown if s not in block]
        assert not missing, f"{lang}/{chapter}.md exercise {number} does not show {missing}"


def solution_output_on_pages(chapter: str, number: int) -> str:
    """The ```text block inside the solution of exercise `number` (the same in both languages)."""
    outputs = []
    for lang in ("ko", "en"):
        found = re.findall(r"```text\n(.*?)```", exercise_text(lang, chapter, number), re.S)
        assert len(found) == 1, f"{lang}/{chapter}.md exercise {number}: expected one text block"
        outputs.append("\n".join(line.strip() for line in found[0].strip().splitlines()))
    assert outputs[0] == outputs[1]
    return outputs[0]
