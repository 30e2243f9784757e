"""Tools for the tests and the benchmark, never imported by the site build (dlnotes.build).

projects       throw-away copies of the project and `mkdocs build` in them, mkdocs.yml as data
static_server  a built site served on 127.0.0.1 as a static host serves it (gzip), page weights
linkcheck      every link and anchor of a built site, offline: python -m dlnotes_tools.linkcheck site/
preview        one figure as PNG files without a site build: python -m dlnotes_tools.preview NAME
bench          `make bench`: build times, page weights, Lighthouse, the digits MLP
"""
