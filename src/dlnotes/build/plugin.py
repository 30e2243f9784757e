"""The dlnotes MkDocs plugin: the whole build, event by event (README, "The build").

on_config      `mkdocs build` writes into <site>.staging and swaps it in only when the whole
               build succeeded, so a failed build leaves the previous site untouched.
on_pre_build   read the registry, the figure markers of every page and the labs; make one job per
               figure and per lab; start the stale ones in one queue (engine/refresh.py). Stale
               labs are waited for here; figures run on while the pages are made, until the
               gallery or on_env needs them. Write each language's lab notebooks. Any failure
               stops the build naming job, pages and error.
on_files       serve the cached SVGs and KaTeX's CSS and fonts as site files; lab sources become
               pages backed by their notebooks; a gallery page goes last.
on_pre_page    a lab page is rendered from its notebook, in the site's own markup (labs/html.py).
on_page_content   the figures' code boxes, highlighted once and kept in the memo.
on_page_markdown  check the source (unclosed fences, malformed snippet markers: page and line),
               write out citations (html/citations.py) and the figure gallery (figures/gallery.py),
               replace figure markers with images, caption, code and an explorable figure's controls.
on_page_context   serve unchanged pages' search entries from the memo (html/search_index.py).
on_env         wait for the figures still running (before MkDocs copies them into the site).
on_post_page   typeset every formula with KaTeX (a rejected one fails with page and line).
on_post_build  split the search index, swap the staged site in.

mkdocs-static-i18n builds each further language as a nested build inside the first one's
on_post_build, with these events again: the jobs and the site swap happen once, in the outer build.
State lives on the plugin instance, which `mkdocs serve` keeps from one rebuild to the next
(MkDocs does so for plugins with on_startup); an edit to this package needs a restart of serve.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import markdown
import markdown.extensions.toc

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from dlnotes import references
from dlnotes.build.engine.keys import dist_version, file_digest
from dlnotes.build.engine.memo import Memo, digest, source_digest
from dlnotes.build.engine import refresh
from dlnotes.build.figures import gallery, markers
from dlnotes.build.figures.jobs import figure_jobs, figure_uses, load_registry
from dlnotes.build.html import checks, citations, math, search_index, site
from dlnotes.build.labs import pages as lab_pages
from dlnotes.build.labs.sources import find_labs, lab_job, page_job
from dlnotes.spec import ref_source_file

log = logging.getLogger("mkdocs.plugins.dlnotes")
MARKERS_VERSION = source_digest(Path(markers.__file__))
MARKDOWN_VERSIONS = {name: dist_version(name) for name in ("markdown", "pymdown-extensions", "pygments")}
CITATIONS_VERSION = source_digest(Path(citations.__file__), Path(references.__file__))
CODE_BOX = "data-dlnotes-code-box"
CODE_BOX_PLACE = re.compile(rf'<div {CODE_BOX}="([a-z0-9-]+)"></div>')
KATEX_FILES = ("katex.min.css",)   # formulas are typeset at build time: the CSS and fonts are all pages need
# Only figures run beside the pages; labs are needed before (readers' notebooks, lab pages' files).
BESIDE_THE_PAGES = frozenset({"figure", "variant"})
SWITCHES = {"figure": "DLNOTES_FIGURES", "variant": "DLNOTES_FIGURES",      # =off: stale outputs served
            "lab": "DLNOTES_LABS", "lab-page": "DLNOTES_LABS"}                # as they are (drafts)
# A build's log keeps one line per job that ran and a summary: not mkdocs-jupyter's line per
# notebook it converts, nor mkdocs-static-i18n's lines per language (its warnings still show).
QUIET_LOGGERS = ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter", "mkdocs.plugins.mkdocs_static_i18n")


class DlnotesConfig(base.Config):
    cache_dir = c.Type(str, default=".cache/dlnotes")   # relative to mkdocs.yml


class DlnotesPlugin(BasePlugin[DlnotesConfig]):
    def on_startup(self, *, command, dirty):
        self.command = command
        self.jobs, self.labs, self.specs, self.uses, self.report = [], [], {}, {}, {}
        self.final_site_dir = None
        self.running = None      # the stale jobs of this build, while they run (engine/refresh.py)
        self.math = None
        self.memos = {}
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)

    @event_priority(100)   # before mkdocs-static-i18n derives its per-language paths from site_dir
    def on_config(self, config):
        self.root = Path(config.config_file_path).resolve().parent
        self.cache_dir = self.root / self.config.cache_dir
        if self.command == "build" and not _nested(config) and not config.site_dir.endswith(site.STAGING_SUFFIX):
            self.final_site_dir = config.site_dir
            config.site_dir = site.stage(config.site_dir)
        return config

    def on_pre_build(self, *, config):
        if _nested(config):        # another language: the jobs are done
            return
        if self.math is None:
            self.math = math.MathRenderer(self.root)
        # what pages derive from unchanged inputs, kept from the last build (engine/memo.py)
        self.markdown = None      # for the figures' code boxes, made when one is not in the memo
        self.memos = {name: Memo(self.cache_dir / "memo" / f"{name}.json")
                      for name in ("math", "search", "sources", "code", "pages")}
        self.citation_inputs = digest(CITATIONS_VERSION, file_digest(references.DATA))
        self.math.start_build(self.memos["math"])
        docs_dir = Path(config.docs_dir)
        try:
            self.specs = load_registry()
            self.uses = figure_uses(docs_dir, set(self.specs))
            self.labs = find_labs(docs_dir)
            default_lang = lab_pages.default_language(config)
            self.jobs = ([job for name, spec in self.specs.items()
                          for job in figure_jobs(spec, self.root, [page for page, _ in self.uses[name]])]
                         + [lab_job(lab, self.root, default_lang, self.memos["sources"]) for lab in self.labs]
                         + [page_job(lab, lang, self.root, self.cache_dir, default_lang, _slugify(config))
                            for lab in self.labs for lang in sorted(lab.sources)])
            skip = frozenset(kind for kind, switch in SWITCHES.items() if os.environ.get(switch) == "off")
            for kind in sorted(skip):
                log.info(f"{kind}s: stale outputs served as they are ({SWITCHES[kind]}=off)")
            self.running = refresh.start(self.jobs, self.root, self.cache_dir, skip)
        except ValueError as error:      # registry, markers, lab sources
            raise PluginError(str(error)) from None
        if self.running.kinds - BESIDE_THE_PAGES:      # stale labs: what follows needs them now
            try:
                self.running.wait_for(self.running.kinds - BESIDE_THE_PAGES)
            except refresh.JobsFailed as error:
                self.running = None
                raise PluginError(str(error)) from None
        errors = lab_pages.publish_all(self.labs, config, self.cache_dir, self.memos["sources"])
        if errors:
            raise PluginError("\n".join(errors))

    @event_priority(-200)  # after mkdocs-static-i18n rebuilt the file list, which would drop generated files
    def on_files(self, files, *, config):
        for job in self.jobs:     # (the files of figures still running are there by on_env)
            for output in job.outputs:
                if job.kind in BESIDE_THE_PAGES:
                    files.append(File.generated(config, output, abs_src_path=str(self.cache_dir / output)))
        katex_dir = self.root / "node_modules" / "katex" / "dist"
        fonts = tuple(p.relative_to(katex_dir).as_posix() for p in sorted(katex_dir.glob("fonts/*.woff2")))
        for rel in KATEX_FILES + fonts:
            if not (katex_dir / rel).exists():
                raise PluginError(f"KaTeX is not installed ({katex_dir / rel} missing): run `npm ci`")
            files.append(File.generated(config, f"assets/katex/{rel}", abs_src_path=str(katex_dir / rel)))
        # Pages are made in the order of the files: a gallery, which waits for the figures still
        # running, goes last, so that every other page is made meanwhile.
        for file in [f for f in files.documentation_pages() if f.abs_src_path and gallery.MARKER in
                     Path(f.abs_src_path).read_text(encoding="utf-8")]:
            files.remove(file)
            files.append(file)
        return lab_pages.on_files(files, config, self.cache_dir)

    def on_pre_page(self, page, *, config, files):
        if lab_pages.is_lab_page(page):       # a lab: its notebook, not Markdown, makes the page
            page.read_source = lambda config: lab_pages.no_markdown(page)
            page.render = lambda config, files: lab_pages.render(page, config, self.cache_dir)
        return page

    def on_page_markdown(self, markdown, *, page, config, files):
        errors = checks.check_markdown(markdown, self._source(page))
        if errors:
            raise PluginError("\n".join(errors))
        # citations first: marker lines become many, and citation errors name the source's lines
        markdown = self._citations(markdown, page.file.src_uri, config)
        if gallery.MARKER in markdown:    # it shows the seconds each figure took
            self._jobs_done()
        markdown = gallery.expand(markdown, page.file.src_uri, self.specs, self.uses, self.report,
                                  gallery.chapter_order(config.nav), Path(config.docs_dir))
        try:
            # the code boxes go in after the Markdown (on_page_content): see _code_box
            return markers.replace_markers(markdown, page.file.src_uri, self.specs, self.root,
                                           lambda spec, lang: f'<div {CODE_BOX}="{spec.name}"></div>\n')
        except markers.MarkerError as error:
            raise PluginError(str(error)) from None

    def on_page_content(self, html, *, page, config, files):
        lang = page.file.src_uri.split("/")[0]
        return CODE_BOX_PLACE.sub(lambda m: self._code_box(self.specs[m[1]], lang, config), html)

    def on_env(self, env, *, config, files):
        if not _nested(config):
            self._jobs_done()     # before MkDocs copies the figures into the site
        return env

    def on_build_error(self, *, error):
        if self.running is not None:      # the jobs finish and are recorded; the build fails as it would
            try:
                self._jobs_done()
            except PluginError:
                pass

    @event_priority(10)    # before the search plugin indexes the page
    def on_page_context(self, context, *, page, config, nav):
        search = config.plugins.get("material/search")
        if search is not None and search.config.enabled:
            search_index.memoize_entries(search.search_index, self.memos["search"])
        return context

    def on_post_page(self, output, *, page, config):
        # After the search plugin has indexed the page: the index keeps the TeX source rather
        # than KaTeX's markup. Lab pages too (labs/html.py writes the same arithmatex markup).
        try:
            output = self.math.render_page(output, self._source(page))
        except math.MathError as error:
            raise PluginError(str(error)) from None
        return site.drop_head_alternates(output) if config.plugins.get("i18n") else output

    def on_post_template(self, output, *, template_name, config):
        i18n = config.plugins.get("i18n")
        return site.page_404(output, i18n) if template_name == "404.html" and i18n else output

    @event_priority(-300)  # after mkdocs-static-i18n built the other languages
    def on_post_build(self, *, config):
        if _nested(config):
            return
        try:
            search_index.split(Path(config.site_dir))
        except ValueError as error:      # before the swap below: the previous site stays
            raise PluginError(str(error)) from None
        for name, memo in self.memos.items():
            log.debug(f"memo {name}: {memo.hits} served, {memo.misses} derived")
            memo.save()
        if self.final_site_dir is not None:
            site.swap_in(config.site_dir, self.final_site_dir)
            log.info(f"site written to {self.final_site_dir}")

    def on_shutdown(self):
        if self.math is not None:
            self.math.close()

    def _jobs_done(self) -> None:
        """Wait for the stale jobs; fail the build if one failed or left an output missing."""
        if self.running is None:
            return
        running, self.running = self.running, None
        try:
            self.report = running.wait()
        except refresh.JobsFailed as error:
            raise PluginError(str(error)) from None
        for job in self.jobs:
            for output in job.outputs:
                if not (self.cache_dir / output).exists():
                    raise PluginError(f"{job.label}: no output at {self.cache_dir / output}")

    def _citations(self, markdown: str, src_uri: str, config) -> str:
        """The page with its citations written out, once per version of it and of the bibliography.

        A page with a reference list also depends on every page of its language (which of them
        cite each work) and on the nav (their order).
        """
        lang = src_uri.split("/")[0]
        others = ({p.relative_to(config.docs_dir).as_posix(): file_digest(p)
                   for p in sorted((Path(config.docs_dir) / lang).rglob("*.md"))}, config.nav) \
            if "<!-- references:" in markdown else None
        key = digest(self.citation_inputs, src_uri, markdown, others)
        return self.memos["pages"].get(key, lambda: citations.expand(markdown, src_uri, config))

    def _code_box(self, spec, lang: str, config) -> str:
        """A figure's code box as HTML, made once per version of its sources and of the Markdown setup.

        Highlighting 30 code listings per language was a third of a warm build, and as raw HTML in
        the page's Markdown the boxes cost as much again to parse: the page gets a placeholder, and
        the box replaces it once the Markdown is done. Its line anchors take the figure's name (a
        box converted on its own numbers its code block 0).
        """
        files = {ref: file_digest(ref_source_file(ref, self.root)) for ref in (spec.compute, spec.draw)}
        key = digest(MARKERS_VERSION, spec.name, spec.settings, [k.values for k in spec.explore], files, lang,
                     file_digest(Path(config.config_file_path)), MARKDOWN_VERSIONS)

        def convert() -> str:
            box = markers.code_box_markdown(spec, lang, markers.figure_code(spec, self.root), self.root)
            if self.markdown is None:
                self.markdown = markdown.Markdown(extensions=config.markdown_extensions,
                                                  extension_configs=config.mdx_configs)
            # the box is a <div> with the details inside (md_in_html), which the page keeps as it is
            return self.markdown.reset().convert(box).replace("__codelineno-0-", f"__codelineno-{spec.name}-")

        return self.memos["code"].get(key, convert)

    def _source(self, page) -> str:
        """The page's source file relative to the repository root, as error messages name it."""
        return Path(page.file.abs_src_path).resolve().relative_to(self.root).as_posix()


def _slugify(config) -> dict:
    """The site's heading-id function, described for a lab page's job (which makes heading ids too)."""
    function = config.mdx_configs.get("toc", {}).get("slugify", markdown.extensions.toc.slugify)
    keywords = getattr(function, "keywords", {})
    function = getattr(function, "func", function)
    return {"function": f"{function.__module__}:{function.__name__}", "keywords": keywords}


def _nested(config) -> bool:
    i18n = config.plugins.get("i18n")
    return bool(i18n and getattr(i18n, "building", False))
