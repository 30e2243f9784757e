"""Publishing: the files that carry a date, mkdocs.yml as the build reads it, the 404 page.

Also a MkDocs hook (named in mkdocs.yml) with one event, on_post_template.

Two builds of the same sources give byte-identical sites except DATED_FILES, which carry the
build date: the sitemap's <lastmod> of every page and the gzip header time of its compressed
copy (midnight UTC of that date). MkDocs takes that date from SOURCE_DATE_EPOCH when it is set
(https://reproducible-builds.org/specs/source-date-epoch/); the Makefile and the publishing
workflow set it to the time of the last commit, so that rebuilding a commit reproduces these too.
"""
from __future__ import annotations

from pathlib import Path

import yaml
import yaml_env_tag

# Paths relative to the site folder. mkdocs-static-i18n writes one sitemap for both languages.
DATED_FILES = ("sitemap.xml", "sitemap.xml.gz")


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


def on_post_template(output, *, template_name, config):
    """Keep the default language's 404.html at the site's root: GitHub Pages serves it for every
    missing path, in both languages.

    mkdocs-static-i18n builds each further language into the same site folder after the first,
    and the theme's 404.html of that build would overwrite the first one; its language menu
    would also carry the links of whichever page was rendered last (not the language homes).
    An empty output makes MkDocs skip the file ("Template skipped").
    The head alternates go, as on every page (hook.on_post_page says why); on this page Material's
    script also fetched en/sitemap.xml for them, which does not exist.
    """
    if template_name != "404.html":
        return output
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return output
    if i18n.current_language != i18n.default_language:
        return ""
    from dlnotes.pipeline.hook import HEAD_ALTERNATE
    return HEAD_ALTERNATE.sub("", output)
