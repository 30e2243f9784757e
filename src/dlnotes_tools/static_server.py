"""Serve a built site on 127.0.0.1 the way a static host does, gzip included, and weigh its pages.

Used by the browser tests and `make bench` (Lighthouse, page weights). Python's http.server
sends every file uncompressed, which no real host does (GitHub Pages gzips text), so page
weights and Lighthouse scores measured through it would describe a host nobody uses.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import sys
import threading
from pathlib import Path

COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-encoded when the client accepts it and the type is text-like."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()          # the redirect to the URL with a slash
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not ctype.startswith(COMPRESSED_TYPES):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")    # what GitHub Pages sends
        self.end_headers()
        return _Body(body)

    def log_message(self, *args):
        pass


class _Body:
    """The file-like object send_head returns; copyfile reads it."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that drops a connection mid-response (a page closed while it loads) is no
        # error of the site; anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(site: Path, handler_class=GzipHandler):
    """Serve site on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(handler_class, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def page_paths(site: Path) -> list[str]:
    """Every page of a built site as a URL path relative to its root ('' for the home page)."""
    pages = [p.relative_to(site).parent.as_posix() for p in site.rglob("index.html")]
    return sorted("" if p == "." else p + "/" for p in pages)


# Every variant of every explorable figure of a page, fetched as its controls would (explorable.js).
LOAD_VARIANTS = """async () => {
    const urls = [];
    document.querySelectorAll('.dlnotes-knobs[data-variants]').forEach(knobs => {
        const folder = document.getElementById(knobs.dataset.figure).querySelector('img')
            .getAttribute('src').replace(/[^/]*$/, '');
        Object.values(JSON.parse(knobs.dataset.variants)).forEach(variant =>
            ['light', 'dark'].forEach(palette => urls.push(`${folder}${variant.stem}.${palette}.svg`)));
    });
    await Promise.all(urls.map(url => fetch(url).then(response => response.blob())));
}"""


def page_weights(browser, base_url: str, paths: list[str], variants: bool = False) -> dict[str, int]:
    """Bytes transferred to show each page completely: every request, lazy images included, and with
    variants=True every variant of its explorable figures as well."""
    weights = {}
    for path in paths:
        context = browser.new_context()
        page = context.new_page()
        requests = []
        page.on("requestfinished", lambda request: requests.append(request))
        page.goto(f"{base_url}/{path}", wait_until="load")
        page.evaluate("""async () => {
            const imgs = [...document.querySelectorAll('img')];
            imgs.forEach(img => img.loading = 'eager');
            await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
        }""")
        if variants:
            page.evaluate(LOAD_VARIANTS)
        page.wait_for_load_state("networkidle")
        weights[path] = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests)
        context.close()
    return weights
