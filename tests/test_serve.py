"""Under a real `mkdocs serve`: every save reruns exactly the jobs that depend on what changed."""
import shutil

import pytest

from buildkit import copy_small_project, mkdocs_build, statuses
from dlnotes_tools.serve_bench import JOB_RAN, Serve

pytestmark = pytest.mark.build      # builds the site: `make test` only, not `make check`


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A one-chapter copy, built once, then served; yields the project and its server."""
    project = copy_small_project(tmp_path_factory.mktemp("serve") / "project")
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr
    server = Serve(project)
    yield project, server
    server.close()
    shutil.rmtree(project, ignore_errors=True)


def ran(log: list[str]) -> list[str]:
    return [JOB_RAN.search(line)[0].split(":")[0].split()[1] for line in log if JOB_RAN.search(line)]


def test_a_page_save_reruns_no_job(served):
    project, server = served
    _, log = server.edit(project / "docs/en/linear-regression.md", "\nA new paragraph.\n")
    assert ran(log) == []
    assert "A new paragraph." in (project / "docs/en/linear-regression.md").read_text()


def test_a_module_save_reruns_exactly_the_figures_that_load_it(served):
    project, server = served
    _, log = server.edit(project / "src/dlnotes/figures/linear_regression.py", "\n# a serve edit\n")
    assert sorted(ran(log)) == ["linreg-loss-curves", "linreg-loss-surface", "linreg-step-size"]
    assert statuses(project) == {"linreg-fits": "cached", "linreg-loss-curves": "regenerated",
                                 "linreg-loss-surface": "regenerated", "linreg-step-size": "regenerated"}


def test_a_registry_save_reruns_the_figure_whose_settings_changed(served):
    project, server = served
    registry = project / "src/dlnotes/registry/linear_regression.py"
    _, log = server.after(lambda: registry.write_text(registry.read_text().replace("n_points=40", "n_points=41")))
    assert ran(log) == ["linreg-fits"]
    assert any("linreg-fits: regenerated (settings changed)" in line for line in log)
