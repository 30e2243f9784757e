"""Fixtures shared by several test files."""
import pytest
from playwright.sync_api import sync_playwright

from buildkit import CHROMIUM, CHROMIUM_ARGS, ROOT, mkdocs_build, statuses
from dlnotes.threads import one_thread
from dlnotes_tools.static_server import serve


@pytest.fixture
def single_thread():
    """Small tensors in long loops: one thread is faster, as in the figure workers."""
    with one_thread():
        yield


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The checkout's site, built with --strict into a folder of the test's (the cache is the checkout's)."""
    out = tmp_path_factory.mktemp("site") / "site"
    proc = mkdocs_build(ROOT, "--site-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "failed" not in statuses(ROOT).values()
    return out


@pytest.fixture(scope="module")
def base_url(site):
    """The built site served as a static host serves it (gzip, see static_server)."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
