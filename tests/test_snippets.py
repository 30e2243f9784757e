"""Every snippet runs on its own, exactly as a learner would run it."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the pages' snippets and, in snippets/exercises/, the exercises' solutions
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))
SNIPPET_ID = lambda p: p.relative_to(ROOT / "snippets").as_posix()   # noqa: E731


def run(args, cwd):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_there_are_snippets():
    assert SNIPPETS


@pytest.mark.parametrize("snippet", SNIPPETS, ids=SNIPPET_ID)
def test_snippet_runs_standalone(snippet, tmp_path):
    # from an unrelated folder, so nothing depends on the repository being the working directory
    proc = run([str(snippet)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), "a snippet prints its result"


@pytest.mark.parametrize("snippet", [p for p in SNIPPETS if "--out" in p.read_text()], ids=SNIPPET_ID)
def test_snippet_writes_its_figure(snippet, tmp_path):
    out = tmp_path / "figure.svg"
    proc = run([str(snippet), "--out", str(out)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in out.read_bytes()


def test_gradients_snippet_prints_matching_values():
    proc = run([str(ROOT / "snippets" / "linreg_gradients.py")], cwd=ROOT)
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        words = line.split()
        assert words[3] == words[5], line      # by hand == autograd, to the printed digits


def test_gd_snippet_approaches_least_squares():
    import torch

    sys.path.insert(0, str(ROOT / "snippets"))
    try:
        import linreg_gd
    finally:
        sys.path.pop(0)
    history = linreg_gd.fit_history()
    design = torch.stack([history.x, torch.ones_like(history.x)], dim=1)
    w_star, b_star = torch.linalg.lstsq(design, history.y[:, None], driver="gelsd").solution.flatten()
    w, b, _ = history.lines[-1]
    assert abs(w - w_star) < 1e-3 and abs(b - b_star) < 1e-3
    assert torch.all(history.lines[1:, 2] < history.lines[:-1, 2])    # the loss drops at every recorded step
