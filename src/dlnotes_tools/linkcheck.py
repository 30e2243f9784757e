"""Check every link of a built site, offline: `python -m dlnotes_tools.linkcheck site/`.

Internal links of <a>, <img>, <link> and <script> (relative ones, root-absolute ones under the
path of `site_url`, absolute ones under `site_url`) must name a file of the site (a folder means
its index.html), and a #fragment must be an id (or <a name>) of the page it points to; no id may
name two elements of a page (a link to it would land on either). External
links (http, https, mailto) are only checked for their form: a known scheme, a host with a dot
(a name or an IP address), no spaces. Problems print as `page: link: problem`; the exit status
is 1 when there is any.

Why no library: the known link checkers (linkchecker, lychee, htmltest, muffet ...) fetch every
external URL, and this check must run offline and give the same answer every time; what it needs
is a walk over files and the standard library's HTML parser.
"""
from __future__ import annotations

import argparse
import ipaddress
import posixpath
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src"}
EXTERNAL_SCHEMES = {"http", "https", "mailto"}
IGNORED_SCHEMES = {"data", "blob", "javascript", "tel"}   # nothing to resolve or to fetch
HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$", re.IGNORECASE)
MAIL = re.compile(r"^[^@\s]+@((?:[a-z0-9-]+\.)+[a-z]{2,})$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    page: str      # the page, relative to the site folder
    link: str      # the link as written
    problem: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link}: {self.problem}"


class _PageParser(HTMLParser):
    """Collects the links and the anchor targets (ids, <a name>) of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()
        self.repeated_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            if values["id"] in self.anchors:
                self.repeated_ids.append(values["id"])
            self.anchors.add(values["id"])
        if tag == "a" and values.get("name"):
            self.anchors.add(values["name"])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.links.append(values[attribute])

    handle_startendtag = handle_starttag


def parse_page(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def check_site(site: Path, site_url: str | None = None) -> list[Problem]:
    """Every problem of every HTML page under `site`, published at `site_url` (as in mkdocs.yml):
    absolute links under it and root-absolute links under its path (/dlnotes/...) are internal."""
    site = Path(site).resolve()
    parsed: dict[Path, _PageParser] = {}

    def page(path: Path) -> _PageParser:
        if path not in parsed:
            parsed[path] = parse_page(path)
        return parsed[path]

    problems = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        problems += [Problem(rel, f"#{id_}", "id given to two elements") for id_ in page(path).repeated_ids]
        for link in page(path).links:
            problem = check_link(link, rel, site, site_url, page)
            if problem:
                problems.append(Problem(rel, link, problem))
    return problems


def check_link(link: str, page_rel: str, site: Path, site_url: str | None, parse) -> str | None:
    """What is wrong with one link of the page `page_rel` (None when nothing is)."""
    base = (site_url or "/").rstrip("/") + "/"
    root = urlsplit(base).path                     # where the site folder is served: / or /dlnotes/
    if site_url and link.startswith(base):
        link = root + link[len(base):]             # an absolute link into this site
    parts = urlsplit(link)
    scheme = parts.scheme.lower()
    if scheme in IGNORED_SCHEMES:
        return None
    if scheme or link.startswith("//"):
        return external_problem(link)
    if any(c.isspace() for c in link):
        return "space in link"
    if parts.path.startswith("/"):
        if not (parts.path + "/").startswith(root):
            return f"outside the site (served at {root})"
        target_rel = posixpath.normpath(unquote(parts.path[len(root):]) or ".")
    else:
        target_rel = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(parts.path) or
                                                       posixpath.basename(page_rel)))
    if target_rel == ".." or target_rel.startswith("../"):
        return "outside the site"
    target = site / target_rel
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"no such file: {target.relative_to(site).as_posix()}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in parse(target).anchors:
        return f"no anchor #{fragment} in {target.relative_to(site).as_posix()}"
    return None


def external_problem(link: str) -> str | None:
    """What is wrong with the form of an external link (None when nothing is)."""
    if any(c.isspace() for c in link):
        return "space in link"
    parts = urlsplit(link)
    scheme = parts.scheme.lower()
    if scheme not in EXTERNAL_SCHEMES:
        return f"unexpected scheme {scheme or '(none)'!r}"
    if scheme == "mailto":
        return None if MAIL.match(unquote(parts.path)) else "malformed e-mail address"
    if not link.lower().startswith(f"{scheme}://"):
        return "no // after the scheme"
    try:
        host = parts.hostname or ""
        parts.port   # raises ValueError on a malformed port
    except ValueError:
        return "malformed port"
    if not (HOST.match(host) or _is_ip_address(host)):
        return f"malformed host {host!r}" if host else "no host"
    return None


def _is_ip_address(host: str) -> bool:
    """127.0.0.1 or ::1 (urlsplit drops the brackets): a host without a name is well formed too."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def site_url_of(config: Path) -> str | None:
    """site_url of a mkdocs.yml, read as MkDocs reads it (`!ENV [SITE_URL, default]` included)."""
    from mkdocs.utils.yaml import yaml_load     # MkDocs' YAML tags; imported only where needed

    with open(config, "rb") as file:
        return yaml_load(file).get("site_url")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlnotes_tools.linkcheck", description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site folder")
    parser.add_argument("--site-url", help="absolute links under it are internal (default: site_url of ./mkdocs.yml)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} has no index.html: build the site first")
    config = Path("mkdocs.yml")
    site_url = args.site_url or (site_url_of(config) if config.is_file() else None)
    problems = check_site(args.site, site_url)
    for problem in problems:
        print(problem)
    pages = sum(1 for _ in args.site.rglob("*.html"))
    print(f"{len(problems)} problem(s) in {pages} pages", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
