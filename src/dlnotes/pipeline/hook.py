"""What the build does with figures, event by event (registered via mkdocs_hook.py).

on_config      `mkdocs build` writes into <site>.staging and swaps it in only when the whole
               build succeeded, so a failed build leaves the previous site untouched.
on_pre_build   find the figure markers of every page, regenerate the stale figures in
               parallel, write .cache/dlnotes/figures.json; fail naming figure and pages.
               Then execute the stale labs (labs.py), fail naming lab and cell.
on_files       serve the cached SVGs and KaTeX (from node_modules) as site files;
               turn lab sources into pages backed by their executed notebooks.
on_page_markdown  check the source (unclosed fences, malformed snippet markers: page and line),
               then replace figure markers with images, caption and code.
on_page_content   fit the labs' notebook HTML into the site (labs.py).
on_post_page   typeset every formula with KaTeX (a rejected one fails the build with page and
               line), so pages need no math script; drop head alternates.
on_post_build  swap the staged site in.
"""
from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from dlnotes import citations
from dlnotes.pipeline import cache, labs, markers, runner, search_index, source_checks
from dlnotes.pipeline.spec import check_registry

log = logging.getLogger("mkdocs.plugins.dlnotes")
ROOT = Path(__file__).resolve().parents[3]
CACHE_DIR = ROOT / ".cache" / "dlnotes"
KATEX_DIR = ROOT / "node_modules" / "katex" / "dist"
KATEX_FILES = ("katex.min.css",)   # formulas are typeset at build time: the CSS and fonts are all pages need
STAGING_SUFFIX = ".staging"

_build = {"command": None, "specs": {}, "final_site_dir": None, "math": None}


def on_startup(*, command, dirty):
    _build["command"] = command


def on_config(config):
    if _build["command"] == "build" and not _nested(config) and not config.site_dir.endswith(STAGING_SUFFIX):
        _build["final_site_dir"] = config.site_dir
        config.site_dir = config.site_dir + STAGING_SUFFIX
    return config


def on_pre_build(*, config):
    labs.configure_renderer(config, CACHE_DIR)
    if _nested(config):        # mkdocs-static-i18n rebuilding another language: figures are done
        return
    if _build["math"] is not None:
        _build["math"].close()
    _build["math"] = source_checks.MathRenderer(ROOT)
    registry = importlib.reload(importlib.import_module("dlnotes.registry"))
    try:
        _build["specs"] = check_registry(registry.FIGURES)
    except ValueError as error:
        raise PluginError(f"src/dlnotes/registry/: {error}") from None
    pages = _figure_uses(Path(config.docs_dir), set(_build["specs"]))
    if os.environ.get("DLNOTES_FIGURES") == "off":
        log.info("figures: step skipped (DLNOTES_FIGURES=off), serving cached outputs as they are")
    else:
        _refresh_figures(pages)
    labs.refresh(config, ROOT, CACHE_DIR)


def on_files(files, *, config):
    for name in _build["specs"]:
        for variant in ("light", "dark"):
            svg = CACHE_DIR / "figures" / f"{name}.{variant}.svg"
            if not svg.exists():
                raise PluginError(f"figure {name!r}: no output at {svg}; build without DLNOTES_FIGURES=off")
            files.append(File.generated(config, f"figures/{svg.name}", abs_src_path=str(svg)))
    for rel in KATEX_FILES + tuple(p.relative_to(KATEX_DIR).as_posix() for p in sorted(KATEX_DIR.glob("fonts/*.woff2"))):
        if not (KATEX_DIR / rel).exists():
            raise PluginError(f"KaTeX is not installed ({KATEX_DIR / rel} missing): run `npm ci`")
        files.append(File.generated(config, f"assets/katex/{rel.removeprefix('contrib/')}",
                                    abs_src_path=str(KATEX_DIR / rel)))
    return labs.on_files(files, config, CACHE_DIR)


def on_page_markdown(markdown, *, page, config, files):
    errors = source_checks.check_markdown(markdown, _source(page))
    if errors:
        raise PluginError("\n".join(errors))
    markdown = citations.expand(markdown, page.file.src_uri, config)
    try:
        return markers.replace_markers(markdown, page.file.src_uri, _build["specs"], ROOT)
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None


def on_page_content(html, *, page, config, files):
    if labs.is_lab_page(page):
        return labs.on_page_content(html, page, config)
    return html


def _source(page) -> str:
    """The page's source file relative to the repository root, as error messages name it."""
    return Path(page.file.abs_src_path).resolve().relative_to(ROOT).as_posix()


HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[a-z-]+">')


def on_post_page(output, *, page, config):
    """Drop the <head> language alternates; the sitemap already lists every page's hreflang pairs.

    Material's script fetches <alternate>/sitemap.xml for each of them and reroutes clicks on the
    language menu through whichever sitemap answered first, resolving its URLs without the port;
    depending on that order it sent readers to the other language's home page (seen in CI).
    Without them, the menu's own links, which mkdocs-static-i18n makes page-specific, are
    followed as written.
    """
    # Here, after the search plugin has indexed the page: the index keeps the TeX source rather
    # than KaTeX's markup, which is larger and slow for it to parse. Lab pages too (labs.py
    # writes their formulas in the same arithmatex markup).
    try:
        output = _build["math"].render_page(output, _source(page))
    except source_checks.MathError as error:
        raise PluginError(str(error)) from None
    if not config.plugins.get("i18n"):
        return output
    return HEAD_ALTERNATE.sub("", output)


def on_post_build(*, config):
    if _nested(config):
        return
    _build["math"].close()
    try:
        search_index.split(Path(config.site_dir))
    except ValueError as error:      # before the swap below: the previous site stays
        raise PluginError(str(error)) from None
    final = _build["final_site_dir"]
    if final is None:
        return
    old = final + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(final):
        os.replace(final, old)
    os.replace(config.site_dir, final)
    shutil.rmtree(old, ignore_errors=True)
    log.info(f"site written to {final}")


def _nested(config) -> bool:
    i18n = config.plugins.get("i18n")
    return bool(i18n and getattr(i18n, "building", False))


def _figure_uses(docs_dir: Path, known: set[str]) -> dict[str, list[str]]:
    """Which pages use which figure; a bad or unknown marker fails the build here, before any work."""
    uses: dict[str, list[str]] = {name: [] for name in known}
    errors = []
    for page in sorted(docs_dir.rglob("*.md")):
        rel = page.relative_to(docs_dir).as_posix()
        try:
            for marker in markers.find_markers(page.read_text(encoding="utf-8"), f"docs/{rel}", known):
                uses[marker.name].append(f"docs/{rel}")
        except markers.MarkerError as error:
            errors.append(str(error))
    if errors:
        raise PluginError("\n".join(errors))
    return uses


def _refresh_figures(pages: dict[str, list[str]]) -> None:
    """Regenerate exactly the stale figures, record what happened, fail on any failure."""
    start = time.perf_counter()
    state_path = CACHE_DIR / "state.json"
    state = cache.load_state(state_path)
    report, stale, inputs = {}, [], {}
    for name, spec in _build["specs"].items():
        previous = state.get(name)
        inputs[name] = cache.current_inputs(spec, ROOT, previous and previous["inputs"])
        outputs = previous["outputs"] if previous else []
        present = bool(outputs) and all((CACHE_DIR / "figures" / o).exists() for o in outputs)
        reason = cache.stale_reason(inputs[name], previous and previous["inputs"], present)
        report[name] = {"name": name, "status": "cached", "reason": reason or "unchanged", "seconds": 0.0,
                        "outputs": [f"figures/{o}" for o in outputs], "pages": pages[name]}
        if reason:
            stale.append(spec)
    failures = []
    for result in runner.run_figures(stale, ROOT, CACHE_DIR):
        entry = report[result.name]
        entry["seconds"] = round(result.seconds, 2)
        if result.ok:
            entry.update(status="regenerated", outputs=[f"figures/{o}" for o in result.outputs])
            state[result.name] = {"outputs": result.outputs,
                                  "inputs": _recorded_inputs(inputs[result.name], result)}
            log.info(f"figure {result.name}: regenerated ({entry['reason']}) in {result.seconds:.1f} s")
        else:
            entry["status"] = "failed"
            failures.append(f"figure {result.name!r} (used on {', '.join(entry['pages']) or 'no page'}) "
                            f"{result.error}")
    cache.save_state(state_path, state)
    cache.save_json(CACHE_DIR / "figures.json", {"figures": [report[n] for n in sorted(report)]})
    counts = {s: sum(e["status"] == s for e in report.values()) for s in ("regenerated", "cached", "failed")}
    log.info(f"figures: {len(report)} total, {counts['regenerated']} regenerated, {counts['cached']} cached, "
             f"{counts['failed']} failed in {time.perf_counter() - start:.1f} s")
    if failures:
        raise PluginError("\n\n".join(failures) + "\n\nThe previous output of each failed figure was kept.")


def _recorded_inputs(before: dict, result: runner.RunResult) -> dict:
    """Inputs as hashed before the run, widened by the files and distributions the worker loaded."""
    files = dict(before["files"])
    for f in result.files:
        files.setdefault(f, cache.file_digest(ROOT / f))
    dists = {**result.dists, **before["dists"]}
    return {**before, "files": dict(sorted(files.items())), "dists": dict(sorted(dists.items()))}
