"""The MkDocs hook named in mkdocs.yml; the logic lives in dlnotes.pipeline.hook.

MkDocs imports a hook file once per process, so under `mkdocs serve` edits to the pipeline
would be ignored: this file reloads the pipeline modules before every build instead.
"""
import importlib
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

# This checkout's src/ first: a copy of the project (as in the tests) builds with its own code.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PIPELINE_MODULES = ["dlnotes.pipeline.spec", "dlnotes.pipeline.cache", "dlnotes.pipeline.runner",
                    "dlnotes.pipeline.markers", "dlnotes.pipeline.source_checks", "dlnotes.pipeline.labs",
                    "dlnotes.pipeline.search_index",
                    "dlnotes.pipeline.hook"]
impl = importlib.import_module("dlnotes.pipeline.hook")


def on_startup(*, command, dirty):
    impl.on_startup(command=command, dirty=dirty)


@event_priority(100)   # before mkdocs-static-i18n derives its per-language paths from site_dir
def on_config(config):
    return impl.on_config(config)


def on_pre_build(*, config):
    global impl
    if not impl._nested(config):
        state = dict(impl._build)
        for name in PIPELINE_MODULES:
            importlib.reload(importlib.import_module(name))
        impl = sys.modules["dlnotes.pipeline.hook"]
        impl._build.update(state)
    impl.on_pre_build(config=config)


@event_priority(-200)  # after mkdocs-static-i18n rebuilt the file list, which would drop generated files
def on_files(files, *, config):
    return impl.on_files(files, config=config)


def on_page_markdown(markdown, *, page, config, files):
    return impl.on_page_markdown(markdown, page=page, config=config, files=files)


def on_page_content(html, *, page, config, files):
    return impl.on_page_content(html, page=page, config=config, files=files)


def on_post_page(output, *, page, config):
    return impl.on_post_page(output, page=page, config=config)


@event_priority(-300)  # after mkdocs-static-i18n built the other languages
def on_post_build(*, config):
    impl.on_post_build(config=config)
