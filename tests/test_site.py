"""The real site: `mkdocs build --strict`, then every page of both languages in Debian's Chromium."""
import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from buildkit import ROOT, mkdocs_build, statuses

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    proc = mkdocs_build(ROOT, "--site-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "failed" not in statuses(ROOT).values()
    return out


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def page_urls(site: Path) -> list[str]:
    pages = [p.relative_to(site).parent.as_posix() for p in site.rglob("index.html")]
    return sorted("" if p == "." else p + "/" for p in pages)


def test_both_languages_have_the_same_pages(site):
    urls = page_urls(site)
    korean = [u for u in urls if not u.startswith("en/")]
    english = [u.removeprefix("en/") for u in urls if u.startswith("en/")]
    assert korean == english and "linear-regression/" in korean


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_renders_offline(site, base_url, browser, scheme):
    for path in page_urls(site):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        outside, errors = [], []

        def block_outside(route):
            if urlparse(route.request.url).hostname != "127.0.0.1":
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", block_outside)
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
        page.goto(f"{base_url}/{path}", wait_until="load")
        check_math(page, path)
        check_images(page, path, scheme)
        assert not outside, f"/{path} requested {outside}"
        assert not errors, f"/{path} console errors: {errors}"
        context.close()


def check_math(page, path):
    math = page.evaluate("""() => [...document.querySelectorAll('.arithmatex')].map(
        el => ({typeset: !!el.querySelector('.katex'), error: !!el.querySelector('.katex-error'), text: el.textContent.slice(0, 60)}))""")
    untypeset = [m["text"] for m in math if not m["typeset"] or m["error"]]
    assert not untypeset, f"/{path}: math not typeset: {untypeset}"
    visible = page.evaluate("() => document.querySelector('article').innerText")
    assert "\\(" not in visible and "\\[" not in visible and "$$" not in visible, f"/{path}: raw TeX visible"


def check_images(page, path, scheme):
    images = page.evaluate("""async () => {
        const imgs = [...document.querySelectorAll('article img')];
        imgs.forEach(img => img.loading = 'eager');
        await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
        return imgs.map(img => ({src: img.getAttribute('src'), width: img.naturalWidth, shown: img.offsetWidth > 0, alt: img.alt}));
    }""")
    for image in images:
        assert image["width"] > 0, f"/{path}: image did not load: {image['src']}"
        assert image["alt"].strip(), f"/{path}: image without alt text: {image['src']}"
    figures = [i for i in images if "/figures/" in i["src"]]
    shown = {i["src"].rsplit(".", 2)[-2] for i in figures if i["shown"]}   # light or dark variant
    assert not figures or shown == {scheme}, f"/{path}: {scheme} palette shows {shown}"


def test_language_switcher_keeps_the_page(site, base_url, browser):
    page = browser.new_page()
    for here, there, lang in (("linear-regression/", "en/linear-regression/", "en"),
                              ("en/linear-regression/", "linear-regression/", "ko")):
        # Wait until every fetch has settled: Material reroutes the menu's clicks once it has
        # loaded the sitemaps of the <head> alternates, and that rerouting is what broke here.
        page.goto(f"{base_url}/{here}", wait_until="networkidle")
        link = page.locator(f'.md-header__option a[hreflang="{lang}"]')
        # The menu opens on hover; a DOM click follows the same link without hover timing.
        with page.expect_navigation(timeout=30_000):
            link.evaluate("a => a.click()")
        assert page.url == f"{base_url}/{there}"
        assert page.evaluate("document.documentElement.lang") == lang
    page.close()
