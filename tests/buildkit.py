"""Helpers for tests that build the project or a copy of it."""
import json

from dlnotes_tools.projects import (ROOT, append, copy_project, copy_small_project, figure_report,  # noqa: F401
                                    mkdocs_build, tree_digest)


# Debian's Chromium, as the browser tests drive it (Playwright cannot download its own here)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def statuses(project) -> dict[str, str]:
    return {name: entry["status"] for name, entry in figure_report(project).items()}


def lab_report(project) -> dict[str, dict]:
    entries = json.loads((project / ".cache" / "dlnotes" / "labs.json").read_text())["labs"]
    return {entry["name"]: entry for entry in entries}
