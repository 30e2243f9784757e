"""The job engine on its own: one queue for every kind, time limits, failures, cache keys.

The jobs here run tests/engine_worker.py in real job processes, forked from the build's server.
"""
import json
import logging
from pathlib import Path

import pytest

from dlnotes.build.engine import runner
from dlnotes.build.engine.jobs import Job
from dlnotes.build.engine.refresh import JobsFailed, refresh, start


def job(kind: str, name: str, *, estimate: float = 1.0, time_limit: float = 60.0, **payload) -> Job:
    outputs = (f"{kind}s/{name}.json",)
    return Job(kind=kind, name=name, worker="engine_worker", payload={"outputs": outputs, **payload},
               files=(), dists=(), outputs=outputs, time_limit=time_limit, pages=(f"docs/{name}.md",),
               estimate=estimate)


def record(cache: Path, one: Job) -> dict:
    return json.loads((cache / one.outputs[0]).read_text())


def test_the_queue_starts_the_longest_job_first(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "cores", lambda: 1)        # one at a time: the start order is the queue's
    jobs = [job("figure", "short", estimate=1), job("lab", "long", estimate=30), job("figure", "middle", estimate=5)]
    refresh(jobs, tmp_path, tmp_path / "cache")
    started = sorted(jobs, key=lambda one: record(tmp_path / "cache", one)["started"])
    assert [one.name for one in started] == ["long", "middle", "short"]


def test_stale_jobs_of_every_kind_share_one_queue(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "cores", lambda: 2)
    lab = job("lab", "long", estimate=30, sleep=5)
    figures = [job("figure", f"short-{n}", sleep=0.2) for n in range(3)]
    entries = refresh(figures + [lab], tmp_path, tmp_path / "cache")
    cache = tmp_path / "cache"
    assert {e["status"] for e in entries.values()} == {"regenerated"}
    # the figures ran while the lab ran: one queue, not one phase per kind
    assert all(record(cache, figure)["ended"] < record(cache, lab)["ended"] for figure in figures)
    report = json.loads((cache / "labs.json").read_text())["labs"]
    assert [(e["name"], e["status"], e["pages"]) for e in report] == [("long", "regenerated", ["docs/long.md"])]
    assert len(json.loads((cache / "figures.json").read_text())["figures"]) == 3


def test_a_second_refresh_runs_nothing_and_an_edited_loaded_file_reruns_its_job(tmp_path):
    (tmp_path / "helper_module.py").write_text("VALUE = 1\n")
    uses, alone = job("figure", "uses-helper", helper="helper_module"), job("figure", "alone")
    cache = tmp_path / "cache"
    refresh([uses, alone], tmp_path, cache)
    again = refresh([uses, alone], tmp_path, cache)
    assert {k: e["status"] for k, e in again.items()} == {uses.key: "cached", alone.key: "cached"}
    assert again[uses.key]["computed_seconds"] > 0
    (tmp_path / "helper_module.py").write_text("VALUE = 2\n")
    edited = refresh([uses, alone], tmp_path, cache)
    assert edited[uses.key]["status"] == "regenerated" and edited[uses.key]["reason"] == "changed: helper_module.py"
    assert edited[alone.key]["status"] == "cached"


def test_a_failing_job_fails_naming_it_and_keeps_its_last_good_output(tmp_path):
    cache = tmp_path / "cache"
    good = job("figure", "flaky")
    refresh([good], tmp_path, cache)
    before = (cache / good.outputs[0]).read_bytes()
    broken = job("figure", "flaky", version=2, **{"raise": "broken on purpose"})
    with pytest.raises(JobsFailed) as failure:
        refresh([broken], tmp_path, cache)
    assert "figure 'flaky' (used on docs/flaky.md) raised:" in str(failure.value)
    assert "RuntimeError: broken on purpose" in str(failure.value)
    assert (cache / good.outputs[0]).read_bytes() == before
    assert json.loads((cache / "figures.json").read_text())["figures"][0]["status"] == "failed"
    assert refresh([good], tmp_path, cache)[good.key]["status"] == "cached"   # the old inputs still match


def test_the_build_can_wait_for_the_labs_while_the_figures_run_on(tmp_path):
    cache = tmp_path / "cache"
    lab, figure = job("lab", "quick", estimate=30, sleep=0.5), job("figure", "slow", sleep=4)
    running = start([lab, figure], tmp_path, cache)
    running.wait_for(frozenset({"lab"}))
    assert (cache / lab.outputs[0]).exists() and not (cache / figure.outputs[0]).exists()
    assert running.wait()[figure.key]["status"] == "regenerated"


def test_waiting_for_a_lab_that_fails_fails_naming_it(tmp_path):
    lab, figure = job("lab", "broken", **{"raise": "broken on purpose"}), job("figure", "fine", sleep=1)
    running = start([lab, figure], tmp_path, tmp_path / "cache")
    with pytest.raises(JobsFailed, match=r"lab 'broken' \(used on docs/broken.md\) raised"):
        running.wait_for(frozenset({"lab"}))
    assert (tmp_path / "cache" / figure.outputs[0]).exists()      # the figure ran to its end


def test_a_job_whose_process_is_lost_runs_once_more(tmp_path, caplog):
    starts = tmp_path / "starts.txt"
    lost_once = job("figure", "lost-once", exits_silently=str(starts), times=1)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.dlnotes"):
        entries = refresh([lost_once], tmp_path, tmp_path / "cache")
    assert entries[lost_once.key]["status"] == "regenerated" and len(starts.read_text().splitlines()) == 2
    assert f"{lost_once.label}: {runner.LOST} (exit 255, nothing printed). It runs once more." in caplog.text


def test_a_job_whose_process_is_lost_twice_fails_the_build(tmp_path):
    starts = tmp_path / "starts.txt"
    lost = job("figure", "lost", exits_silently=str(starts), times=2)
    with pytest.raises(JobsFailed, match=r"figure 'lost' \(used on docs/lost.md\) its process ended without a report"):
        refresh([lost], tmp_path, tmp_path / "cache")
    assert len(starts.read_text().splitlines()) == 2


def test_a_job_past_its_time_limit_is_stopped_with_the_processes_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    slow = job("lab", "slow", time_limit=3, sleep=120, child_pid_file=str(pid_file))
    with pytest.raises(JobsFailed, match=r"lab 'slow' \(used on docs/slow.md\) ran past its time limit of 3 s"):
        refresh([slow], tmp_path, tmp_path / "cache")
    stat = Path(f"/proc/{pid_file.read_text()}/stat")
    assert not stat.exists() or stat.read_text().split(") ")[1][0] in "ZX", "the job's child process still runs"
    assert not (tmp_path / "cache" / slow.outputs[0]).exists()
