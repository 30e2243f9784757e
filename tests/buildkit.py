"""Helpers for tests that build the project or a copy of it."""
from dlnotes.pipeline.sandbox import (ROOT, append, copy_project, copy_small_project, figure_report,  # noqa: F401
                                      mkdocs_build, tree_digest)


def statuses(project) -> dict[str, str]:
    return {name: entry["status"] for name, entry in figure_report(project).items()}
