"""Publishing: the workflow, the addresses a fork gets without edits, the sitemap and the 404 page.

The built-site tests use the clean build shared with test_reproducible.py, made with the
SITE_URL and REPO_URL that the workflow would set for a fork published under a sub-path.
"""
import http.server
import os
import posixpath
import re
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import sync_playwright

from buildkit import CHROMIUM, CHROMIUM_ARGS, ROOT
from dlnotes_tools.projects import CLEAN_BUILD_ENV, load_config, session_dir, shared_clean_build
from dlnotes_tools.static_server import serve

pytestmark = pytest.mark.build      # builds the site: `make test` only, not `make check`

SITE_URL, REPO_URL = CLEAN_BUILD_ENV["SITE_URL"], CLEAN_BUILD_ENV["REPO_URL"]
SUB_PATH = urlsplit(SITE_URL).path                     # /fork-name/
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
LANGS = {"ko", "en"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project, result = shared_clean_build(session_dir(tmp_path_factory))
    assert result["returncode"] == 0, result["stderr"]
    return project / "site"


def pages(site) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


def served_file(path: str) -> str:
    """The file of the site that a path under SUB_PATH names, as a static server resolves it."""
    assert path.startswith(SUB_PATH), path
    rel = posixpath.normpath(path[len(SUB_PATH):] or ".")
    return "index.html" if rel == "." else rel + "/index.html" if path.endswith(("/", "/.")) else rel


def url_file(url: str) -> str:
    assert url.startswith(SITE_URL), url
    return served_file(urlsplit(url).path)


# ------------------------------------------------------------------ the sitemap

def test_the_sitemap_lists_every_page_of_both_languages_under_site_url(site):
    entries = ET.parse(site / "sitemap.xml").getroot().findall("s:url", SITEMAP)
    locs = [entry.find("s:loc", SITEMAP).text for entry in entries]
    assert len(locs) == len(set(locs))
    assert {url_file(loc) for loc in locs} == pages(site)
    assert {loc for loc in locs if not loc.startswith(SITE_URL + "en/")} and {SITE_URL, SITE_URL + "en/"} <= set(locs)
    for entry in entries:
        alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", SITEMAP)}
        assert set(alternates) == LANGS, entry.find("s:loc", SITEMAP).text
        assert all((site / url_file(href)).is_file() for href in alternates.values())


# ------------------------------------------------------------------ the addresses

def test_site_url_and_the_labs_repository_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("REPO_URL", raising=False)
    default = load_config(ROOT / "mkdocs.yml")
    assert default["site_url"].startswith("https://") and default["site_url"].endswith("/")
    monkeypatch.setenv("SITE_URL", SITE_URL)
    monkeypatch.setenv("REPO_URL", REPO_URL)
    config = load_config(ROOT / "mkdocs.yml")
    assert (config["site_url"], config["extra"]["repo"]) == (SITE_URL, REPO_URL)


def test_pages_use_the_site_url_and_the_repository_they_were_built_with(site):
    for page in pages(site):
        html = (site / page).read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{SITE_URL}{page.removesuffix("index.html")}">' in html, page
    labs = sorted(site.glob("**/labs/*/*.ipynb"))
    assert labs, "no lab notebook was published"
    owner_name = urlsplit(REPO_URL).path.strip("/")
    branch = load_config(ROOT / "mkdocs.yml")["extra"]["labs_branch"]
    for notebook in labs:
        rel = notebook.relative_to(site).as_posix()
        html = (notebook.parent / "index.html").read_text(encoding="utf-8")
        assert f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/{rel}" in html, rel
        assert f"git+{REPO_URL}" in notebook.read_text(encoding="utf-8"), rel


# ------------------------------------------------------------------ the 404 page

def test_one_404_page_at_the_root_in_the_default_language_with_links_under_the_sub_path(site):
    assert [p.relative_to(site).as_posix() for p in site.rglob("404.html")] == ["404.html"]
    html = (site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="ko"' in html
    local = [link for link in re.findall(r'(?:href|src)="([^"#]+)', html) if not link.startswith(("https:", "http:"))]
    assert local
    for link in local:
        assert (site / served_file(link)).is_file(), link
    menu = re.findall(r'<a href="([^"]*)" hreflang="([a-z]+)"', html)
    assert menu == [(SUB_PATH, "ko"), (SUB_PATH + "en/", "en")]
    assert '<link rel="alternate"' not in html       # as on every page: see hook.on_post_page


class GitHubPagesLike(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; any missing path gets the site's top-level 404.html, as GitHub Pages does."""
    not_found_page = None

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def pages_server(site, tmp_path_factory):
    """The site at http://127.0.0.1:PORT/fork-name/, like a project site on GitHub Pages."""
    root = tmp_path_factory.mktemp("pages")
    (root / SUB_PATH.strip("/")).symlink_to(site, target_is_directory=True)
    handler = type("Handler", (GitHubPagesLike,), {"not_found_page": site / "404.html"})
    with serve(root, handler) as url:
        yield url


@pytest.mark.parametrize("missing", ["no-such-page/", "en/no/such/page.html"])
def test_the_404_page_works_for_any_missing_path_under_the_sub_path(pages_server, missing):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        url = f"{pages_server}{SUB_PATH}{missing}"
        failed, errors = [], []
        page.on("response", lambda r: r.status >= 400 and r.url != url and failed.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and m.location.get("url") != url and errors.append(m.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        response = page.goto(url, wait_until="load")
        assert response.status == 404
        assert page.locator("h1").first.inner_text() == "404 - Not found"
        # Material's stylesheet and scripts came from the site's own path
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
        links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        browser.close()
    assert failed == [] and errors == []
    internal = sorted({link.split("#")[0] for link in links if link.startswith(pages_server)})
    assert f"{pages_server}{SUB_PATH}en/" in internal and len(internal) > 10
    for link in internal:
        with urllib.request.urlopen(link) as reply:      # raises HTTPError on the 404 page
            assert reply.status == 200, link


# ------------------------------------------------------------------ the workflow

@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def steps(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action + "@")]


def commands(job: dict) -> list[str]:
    return [step["run"].strip() for step in job["steps"] if "run" in step]


def test_the_workflow_runs_on_every_push_to_main_and_by_hand(workflow):
    on = workflow.get("on", workflow.get(True))       # YAML 1.1 reads a bare `on` as true
    assert on["push"]["branches"] == ["main"] and "workflow_dispatch" in on
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False


@pytest.mark.parametrize("name, command", [("test", "make test"), ("build", "make build")])
def test_the_workflow_tests_then_builds_with_python_311_and_node_20(workflow, name, command):
    job = workflow["jobs"][name]
    assert job["runs-on"] == "ubuntu-latest"
    assert commands(job) == [command]
    assert [s["with"]["python-version"] for s in steps(job, "actions/setup-python")] == ["3.11"]
    assert [s["with"]["node-version"] for s in steps(job, "actions/setup-node")] == ["20"]
    assert workflow["jobs"]["build"]["needs"] == "test"


def test_the_build_starts_from_the_cache_the_test_job_left_for_this_commit(workflow):
    test, build = workflow["jobs"]["test"], workflow["jobs"]["build"]
    saved = steps(test, "actions/cache")[0]["with"]
    restored = steps(build, "actions/cache/restore")[0]["with"]
    assert saved["path"] == restored["path"] == ".cache/dlnotes"
    assert "${{ github.sha }}" in saved["key"] and restored["key"] == saved["key"]
    names = lambda job: [s.get("uses", s.get("run")) for s in job["steps"]]  # noqa: E731
    assert names(test).index(steps(test, "actions/cache")[0]["uses"]) < names(test).index("make test")
    assert names(build).index(steps(build, "actions/cache/restore")[0]["uses"]) < names(build).index("make build")



    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    make_build = next(step for step in build["steps"] if step.get("run") == "make build")
    pages_id = steps(build, "actions/configure-pages")[0]["id"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert f"steps.{pages_id}.outputs.base_url" in make_build["env"]["SITE_URL"]
    assert make_build["env"]["REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert [s["with"]["path"] for s in steps(build, "actions/upload-pages-artifact")] == ["site"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert {"pages": "write", "id-token": "write"}.items() <= deploy["permissions"].items()
    assert len(steps(deploy, "actions/deploy-pages")) == 1


def test_the_colab_job_pushes_the_notebooks_to_the_labs_branch(workflow):
    build, colab = workflow["jobs"]["build"], workflow["jobs"]["colab"]
    uploaded = steps(build, "actions/upload-artifact")[0]["with"]
    downloaded = steps(colab, "actions/download-artifact")[0]["with"]
    assert uploaded["path"] == "site/**/*.ipynb" and downloaded["name"] == uploaded["name"]
    assert colab["env"]["LABS_BRANCH"] == load_config(ROOT / "mkdocs.yml")["extra"]["labs_branch"]
    assert colab["permissions"] == {"contents": "write"}
    assert 'git push --force origin "HEAD:refs/heads/$LABS_BRANCH"' in commands(colab)[0]


# ------------------------------------------------------------------ the Makefile on a runner

@pytest.mark.parametrize("uid, sudo", [("0", False), ("1001", True)])
def test_make_installs_chromium_through_sudo_only_when_not_root(tmp_path, uid, sudo):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["PATH"] = f"{fake}{os.pathsep}{env['PATH']}"
    plan = subprocess.run(["make", "--dry-run", "chromium"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True).stdout
    assert "apt-get install -y -qq chromium" in plan
    assert ("sudo apt-get update" in plan and "sudo env DEBIAN_FRONTEND=noninteractive apt-get install" in plan) == sudo
    assert ("sudo" in plan) == sudo
