"""Throw-away copies of the project, `mkdocs build` in them, mkdocs.yml as data: for the tests and the benchmark."""
from __future__ import annotations

import fcntl
import hashlib
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
import yaml_env_tag

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("mkdocs.yml", "src", "snippets", "docs", "package.json")


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def copy_small_project(dest: Path, chapter: str = "linear-regression") -> Path:
    """A copy with one chapter (both languages), a plain home page and that chapter's figures only.

    Pipeline tests change and rebuild it many times; the full site would make each build slow.
    """
    copy_project(dest)
    module = chapter.replace("-", "_")
    for page in (dest / "docs").glob("*/**/*"):
        if page.is_file() and page.suffix in (".md", ".py", ".ipynb") and page.name != f"{chapter}.md":
            page.unlink()
    for lang in ("ko", "en"):
        (dest / "docs" / lang / "index.md").write_text(f"# dlnotes ({lang})\n\n[{chapter}]({chapter}.md)\n")
    for registry in (dest / "src/dlnotes/registry").glob("*.py"):
        if registry.name not in ("__init__.py", f"{module}.py"):
            registry.unlink()
    config = dest / "mkdocs.yml"
    nav = f"nav:\n  - 홈: index.md\n  - {chapter}: {chapter}.md\n"
    config.write_text(re.sub(r"^nav:\n(?:[ -].*\n?)*", nav, config.read_text(), flags=re.M))
    return dest


def copy_true_floor_project(dest: Path) -> Path:
    """The same Markdown pages built with plain Material: the floor a warm build is measured against.

    Material, mkdocs-static-i18n, the same Markdown extensions and search, and nothing of ours:
    no dlnotes plugin (no figures, no build-time math: formulas stay arithmatex markup for a
    browser script), no labs (their sources and nav entries go, and mkdocs-jupyter with them), no
    theme overrides. Figure markers stay what they are in Markdown, HTML comments.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "docs", dest / "docs", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for folder in ("snippets", "src"):        # pages include code from both (pymdownx.snippets)
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^  mkdocs-jupyter:\n(?:(?:    .*|\s*#.*|)\n)*", "", config, flags=re.M)
    config = re.sub(r"^  dlnotes:.*\n", "", config, flags=re.M)
    config = re.sub(r"^  custom_dir:.*\n", "", config, flags=re.M)
    config = re.sub(r"^ +- [^\n]*: labs/[\w-]+\.py\n", "", config, flags=re.M)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


def mkdocs_build(project: Path, *extra: str, env: dict | None = None, timeout: float = 300, strict: bool = True):
    """`mkdocs build --strict` in project, with project/src ahead of any installed dlnotes."""
    full_env = dict(os.environ, PYTHONPATH=str(project / "src"), NO_MKDOCS_2_WARNING="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else []), *extra],
                          cwd=project,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def figure_report(project: Path) -> dict[str, dict]:
    report = json.loads((project / ".cache" / "dlnotes" / "figures.json").read_text())
    return {entry["name"]: entry for entry in report["figures"]}


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


# The clean build that tests/test_reproducible.py and tests/test_publishing.py share: a fixed build
# date, and the addresses the publishing workflow would set for a fork published under a sub-path.
CLEAN_BUILD_ENV = {"SOURCE_DATE_EPOCH": "1700000000",                      # 2023-11-14 22:13:20 UTC
                   "SITE_URL": "https://fork-owner.github.io/fork-name/",
                   "REPO_URL": "https://github.com/fork-owner/fork-name"}


def session_dir(tmp_path_factory) -> Path:
    """A folder that every pytest-xdist worker of this test run shares (the run's own folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_clean_build(folder: Path, timeout: float = 1800) -> tuple[Path, dict]:
    """A fresh copy of the project built with CLEAN_BUILD_ENV and no cache at all, made once per run.

    A cold build renders every figure and executes every lab (minutes on 2 cores), so the test
    files that need one share it: the first caller builds under a file lock, later callers
    (other workers included) wait for it and get the same project and result
    ({"returncode", "stderr"}).
    """
    folder.mkdir(parents=True, exist_ok=True)
    project, result_path = folder / "clean-build" / "project", folder / "clean-build" / "result.json"
    with open(folder / "clean-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result_path.exists():
            shutil.rmtree(project.parent, ignore_errors=True)
            copy_project(project)
            proc = mkdocs_build(project, env=CLEAN_BUILD_ENV, timeout=timeout)
            result_path.write_text(json.dumps({"returncode": proc.returncode, "stderr": proc.stderr}))
        return project, json.loads(result_path.read_text())


def load_config(path: Path) -> dict:
    """mkdocs.yml as MkDocs reads it: `!ENV [NAME, default]` resolved from the environment.

    The `!!python/...` tags (the slugify function) come back as None: reading the file must
    not import or call anything.
    """
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_constructor("!ENV", yaml_env_tag.construct_env_tag)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=Loader)
