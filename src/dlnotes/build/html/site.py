"""The site as a whole: staged writes, the dates it carries, the 404 page, the head alternates.

Two builds of the same sources give byte-identical sites except DATED_FILES, which carry the
build date: the sitemap's <lastmod> of every page and the gzip header time of its compressed
copy (midnight UTC of that date). MkDocs takes that date from SOURCE_DATE_EPOCH when it is set
(https://reproducible-builds.org/specs/source-date-epoch/); the Makefile and the publishing
workflow set it to the time of the last commit, so that rebuilding a commit reproduces these too.
"""
from __future__ import annotations

import os
import re
import shutil

# Paths relative to the site folder. mkdocs-static-i18n writes one sitemap for both languages.
DATED_FILES = ("sitemap.xml", "sitemap.xml.gz")
STAGING_SUFFIX = ".staging"
HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[a-z-]+">')


def stage(site_dir: str) -> str:
    """Where `mkdocs build` writes: beside the site, swapped in only when the whole build succeeded,
    so that a failed build leaves the previous site untouched."""
    return site_dir + STAGING_SUFFIX


def swap_in(staged: str, final: str) -> None:
    old = final + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(final):
        os.replace(final, old)
    os.replace(staged, final)
    shutil.rmtree(old, ignore_errors=True)


def drop_head_alternates(output: str) -> str:
    """Drop the <head> language alternates; the sitemap already lists every page's hreflang pairs.

    Material's script fetches <alternate>/sitemap.xml for each of them and reroutes clicks on the
    language menu through whichever sitemap answered first, resolving its URLs without the port;
    depending on that order it sent readers to the other language's home page (seen in CI).
    Without them, the menu's own links, which mkdocs-static-i18n makes page-specific, are
    followed as written.
    """
    head, end, body = output.partition("</head>")       # only the head has them (and is short)
    return HEAD_ALTERNATE.sub("", head) + end + body


def page_404(output: str, i18n) -> str:
    """Keep the default language's 404.html at the site's root: GitHub Pages serves it for every
    missing path, in both languages.

    mkdocs-static-i18n builds each further language into the same site folder after the first,
    and the theme's 404.html of that build would overwrite the first one; its language menu
    would also carry the links of whichever page was rendered last (not the language homes).
    An empty output makes MkDocs skip the file ("Template skipped"). The head alternates go, as
    on every page; on this page Material's script also fetched en/sitemap.xml for them, which
    does not exist.
    """
    if i18n.current_language != i18n.default_language:
        return ""
    return drop_head_alternates(output)
