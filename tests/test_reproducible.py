"""Reproducible output: two clean builds give the same bytes, except the files that carry the date."""
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
from datetime import datetime, timezone

import pytest

from buildkit import ROOT, mkdocs_build, statuses, tree_digest
from dlnotes.build.html.site import DATED_FILES
from dlnotes_tools.projects import CLEAN_BUILD_ENV, session_dir, shared_clean_build

pytestmark = pytest.mark.build      # builds the site: `make test` only, not `make check`

OTHER_DAY = "1712345678"          # 2024-04-05 19:34:38 UTC: not the day of CLEAN_BUILD_ENV


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A fresh copy of the project, built with no cache at all (shared with test_publishing.py)."""
    project, result = shared_clean_build(session_dir(tmp_path_factory))
    assert result["returncode"] == 0, result["stderr"]
    return project


@pytest.fixture(scope="module")
def second(first, tmp_path_factory):
    """Another copy of the same sources, built again from nothing but the first build's figures.

    Every lab is executed again, every page, formula, search index and sitemap written again.
    Only the figures are taken from the first build's cache: rendering them all again would add
    minutes, and their bytes are checked already by tests/test_figures.py, which renders every
    figure in two cold processes and compares them.
    """
    project = tmp_path_factory.mktemp("second") / "project"
    shutil.copytree(first, project, symlinks=True,
                    ignore=lambda folder, names: {".cache", "site"} & set(names) if folder == str(first) else set())
    cache = project / ".cache" / "dlnotes"
    shutil.copytree(first / ".cache" / "dlnotes" / "figures", cache / "figures")
    shutil.copy2(first / ".cache" / "dlnotes" / "state.json", cache / "state.json")
    proc = mkdocs_build(project, env=CLEAN_BUILD_ENV, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    return project


def differing(a, b) -> set[str]:
    da, db = tree_digest(a), tree_digest(b)
    return {path for path in da.keys() | db.keys() if da.get(path) != db.get(path)}


def lab_statuses(project) -> set[str]:
    report = json.loads((project / ".cache" / "dlnotes" / "labs.json").read_text())
    return {entry["status"] for entry in report["labs"]}


def test_the_second_build_rendered_no_figure_and_executed_every_lab(second):
    assert set(statuses(second).values()) == {"cached"}
    assert lab_statuses(second) == {"executed"}


def test_two_clean_builds_with_the_same_date_are_byte_identical(first, second):
    assert differing(first / "site", second / "site") == set()


def test_a_build_on_another_day_differs_in_exactly_the_dated_files(second, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(second, project, symlinks=True)
    proc = mkdocs_build(project, env={**CLEAN_BUILD_ENV, "SOURCE_DATE_EPOCH": OTHER_DAY})
    assert proc.returncode == 0, proc.stderr
    assert differing(second / "site", project / "site") == set(DATED_FILES)
    assert_dated(project / "site", OTHER_DAY)


def test_the_dated_files_carry_source_date_epoch(first):
    assert_dated(first / "site", CLEAN_BUILD_ENV["SOURCE_DATE_EPOCH"])


def assert_dated(site, epoch: str):
    day = datetime.fromtimestamp(int(epoch), timezone.utc).date()
    sitemap = (site / "sitemap.xml").read_text()
    assert set(re.findall(r"<lastmod>(.*?)</lastmod>", sitemap)) == {day.isoformat()}
    packed = (site / "sitemap.xml.gz").read_bytes()
    assert gzip.decompress(packed).decode() == sitemap
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    assert struct.unpack("<I", packed[4:8])[0] == int(midnight.timestamp())     # gzip's MTIME field


def test_make_builds_with_the_last_commits_time():
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    last_commit = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout.strip()
    for target in ("build", "serve", "test"):
        plan = subprocess.run(["make", "--dry-run", "--old-file=.venv/.installed",
                               "--old-file=node_modules/.installed", target],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
        assert f"SOURCE_DATE_EPOCH={last_commit} .venv/bin/" in plan, plan
