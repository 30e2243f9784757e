"""The real site: `mkdocs build --strict`, then every page of both languages in Debian's Chromium."""
import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlparse

import material
import pytest

from buildkit import ROOT
from dlnotes.build.html import search_index
from dlnotes_tools import linkcheck
from dlnotes_tools.static_server import page_paths, page_weights

pytestmark = pytest.mark.build      # builds the site: `make test` only, not `make check`





def test_both_languages_have_the_same_pages(site):
    urls = page_paths(site)
    korean = [u for u in urls if not u.startswith("en/")]
    english = [u.removeprefix("en/") for u in urls if u.startswith("en/")]
    assert korean == english and "linear-regression/" in korean


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_renders_offline(site, base_url, browser, scheme):
    for path in page_paths(site):
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
        check_axe(page, path, scheme)
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


# ---------------------------------------------------------------- whole-site quality gates
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HANGUL = re.compile("[\uac00-\ud7a3]")
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def test_every_link_and_anchor_resolves(site):
    problems = linkcheck.check_site(site, linkcheck.site_url_of(ROOT / "mkdocs.yml"))
    assert not problems, "\n".join(map(str, problems))


def test_search_dialog_override_is_materials_partial_with_a_name():
    """src/dlnotes/theme/partials/search.html must follow Material's own partial (say, after an upgrade)."""
    def without_header(text):
        return text.split("-#}\n", 1)[1]
    theirs = without_header((Path(material.__file__).parent / "templates/partials/search.html").read_text())
    ours = without_header((ROOT / "src/dlnotes/theme/partials/search.html").read_text())
    dialog = '<div class="md-search" data-md-component="search" role="dialog"'
    assert ours == theirs.replace(dialog, dialog + " aria-label=\"{{ lang.t('search') }}\"")


def check_axe(page, path, scheme):
    """axe-core finds no serious or critical violation (run from test_every_page_renders_offline,
    which has the page loaded already). Only colours differ between the palettes: the dark run
    checks those, the light run every rule."""
    options = {"resultTypes": ["violations"]}
    if scheme == "dark":
        options["runOnly"] = {"type": "rule", "values": COLOUR_RULES}
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate("""async options => {
        await document.fonts.ready;    // then two frames: the theme's script has marked wide formulas
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const {violations} = await axe.run(document, options);
        return violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v =>
            `${v.id} (${v.impact}, ${v.nodes.length} nodes): ` + v.nodes.slice(0, 3).map(
                n => `${n.target.join(' ')} ${n.failureSummary.replace(/\\s+/g, ' ')}`).join(' | '));
    }""", options)
    assert not violations, f"/{path} ({scheme}) axe:\n" + "\n".join(violations)


def test_labels_and_alt_text_are_in_the_page_language(site):
    """A figure's alt text and caption say what it shows, in the page's language; English pages
    carry no Korean label (aria-label, title, placeholder) either."""
    problems = []
    for page in sorted(site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(site).as_posix()
        korean = re.search(r'<html lang="([a-z-]+)"', text)[1] == "ko"
        article = re.search(r"<article\b.*?</article>", text, re.S)
        figure_texts = []
        for img in re.findall(r"<img\b[^>]*>", article[0] if article else ""):
            alt = re.search(r'\balt="([^"]*)"', img)
            figure_texts.append(unescape(alt[1]) if alt else "")
        figure_texts += [unescape(re.sub(r"<[^>]+>", "", caption))
                         for caption in re.findall(r"<figcaption>(.*?)</figcaption>", text, re.S)]
        for alt in figure_texts:
            if len(alt.split()) < 3 or re.search(r"\.(svg|png)\b", alt):
                problems.append(f"{where}: alt text or caption says little: {alt!r}")
            elif bool(HANGUL.search(alt)) != korean:
                problems.append(f"{where}: alt text or caption not in the page's language: {alt!r}")
        if not korean:
            problems += [f"{where}: Korean {m[1]}: {m[2]!r}" for m in
                         re.finditer(r'\b(aria-label|title|placeholder)="([^"]*[\uac00-\ud7a3][^"]*)"', text)]
    assert not problems, "\n".join(problems)


FOCUSED = """() => {
    const element = document.activeElement, style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {tag: element.tagName, class: String(element.className), text: element.textContent.trim().slice(0, 40),
            ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                   && style.outlineColor !== 'rgba(0, 0, 0, 0)') || style.boxShadow !== 'none',
            shown: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
            content: !!element.closest('article')};
}"""


def in_view(page, selector) -> bool:
    """The element is on screen and not under Material's sticky header."""
    return page.evaluate("""selector => {
        const box = document.querySelector(selector).getBoundingClientRect();
        const header = document.querySelector('.md-header').getBoundingClientRect();
        return box.top >= header.bottom - 1 && box.top < innerHeight;
    }""", selector)


def test_the_keyboard_alone_reaches_the_content(base_url, browser):
    page = browser.new_page()
    page.goto(f"{base_url}/linear-regression/", wait_until="load")
    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED)
    assert "md-skip" in skip["class"] and skip["ring"] and skip["shown"], skip
    page.keyboard.press("Enter")
    heading = page.evaluate("document.querySelector('article h1').id")
    assert unquote(urlparse(page.url).fragment) == heading
    assert in_view(page, "article h1")
    # From there, Tab walks the content; each stop shows a focus ring, up to the first content link.
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        assert stops[-1]["content"] and stops[-1]["ring"] and stops[-1]["shown"], stops
        if stops[-1]["tag"] == "A" and "headerlink" not in stops[-1]["class"]:
            break
    else:
        pytest.fail(f"no content link within 40 Tab stops: {stops}")
    page.close()


def wait_until_search_answers(page, site, home: str) -> None:
    """Until the search box no longer says what the page first says ('Initializing search'):
    its worker has had the index data and answered."""
    text = (site / home / "index.html").read_text(encoding="utf-8")
    initializing = re.search(r'class="md-search-result__meta">\s*(.*?)\s*<', text)[1]
    page.wait_for_function("text => document.querySelector('.md-search-result__meta').textContent.trim() !== text",
                           arg=initializing, timeout=60_000)


@pytest.mark.parametrize("home, query, expected", [
    ("", "경사하강법", {"/linear-regression/", "/gradient-descent/"}),
    ("en/", "gradient descent", {"/en/linear-regression/", "/en/gradient-descent/"}),
], ids=["ko", "en"])
def test_search_finds_the_page_with_the_keyboard(site, base_url, browser, home, query, expected):
    page = browser.new_page()
    page.goto(f"{base_url}/{home}", wait_until="load")
    page.keyboard.press("/")                     # Material's shortcut, as is 's'
    assert page.evaluate("document.activeElement.matches('.md-search__input')")
    wait_until_search_answers(page, site, home)
    # The text arrives as an input method sends it, without key events; Material reads the query
    # on keyup, which End gives, so the search runs once, on the whole query.
    page.keyboard.insert_text(query)
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__list > li", state="attached", timeout=60_000)
    results = page.evaluate("[...document.querySelectorAll('.md-search-result__list > li > a')].map(a => a.href)")
    assert expected & {urlparse(url).path for url in results[:3]}, f"{query!r}: {results[:5]}"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == results[0]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlparse(page.url).path == urlparse(results[0]).path
    page.close()


def search_worker_state(page) -> str:
    """The state search-on-demand.js reports: waiting, loading (the documents), building or ready."""
    [worker] = [w for w in page.workers if "search-on-demand.js" in w.url]
    return worker.evaluate("self.dlnotesSearch.state")


def test_search_documents_are_downloaded_and_indexed_on_the_first_query_not_on_page_load(site, base_url, browser):
    page = browser.new_page()
    fetched = []
    page.context.on("request", lambda request: fetched.append(urlparse(request.url).path))
    page.goto(f"{base_url}/en/bayes/", wait_until="networkidle")
    wait_until_search_answers(page, site, "en/")
    assert search_worker_state(page) == "waiting"
    index, docs = "/" + search_index.INDEX.as_posix(), "/" + search_index.DOCS.as_posix()
    assert index in fetched and docs not in fetched
    page.keyboard.press("/")
    for letter in "simpson":                     # one query per keystroke, the first ones while it loads
        page.keyboard.press(letter)
    page.wait_for_selector(".md-search-result__list > li", state="attached", timeout=60_000)
    assert search_worker_state(page) == "ready"
    assert fetched.count(docs) == 1
    first = page.evaluate("document.querySelector('.md-search-result__list > li > a').href")
    assert urlparse(first).path == "/en/bayes/", first
    page.close()


def test_the_page_loads_the_search_configuration_and_the_worker_the_documents(site):
    """search_index.json, which every page fetches, is Material's index with no documents; the
    documents of both languages are in search_docs.json."""
    index = json.loads((site / search_index.INDEX).read_text(encoding="utf-8"))
    docs = json.loads((site / search_index.DOCS).read_text(encoding="utf-8"))["docs"]
    assert index["docs"] == [] and set(index["config"]["lang"]) == {"ko", "en"}
    assert {"linear-regression/", "en/linear-regression/"} <= {doc["location"] for doc in docs}
    assert (site / search_index.INDEX).stat().st_size < 1000


def test_no_page_transfers_more_than_1_5_mb(site, base_url, browser):
    weights = page_weights(browser, base_url, page_paths(site))
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] <= 1.5e6, f"/{heaviest}: {weights[heaviest] / 1e6:.2f} MB"
    assert weights[""] > 100_000                 # the weighing counts what a page loads (HTML, CSS, JS)


def shown_figures(page) -> dict[str, int]:
    """Each figure variant on show (light/dark) and the smallest width of its loaded images."""
    images = page.evaluate("""async () => {
        const shown = [...document.querySelectorAll('article figure img')].filter(img => img.offsetWidth > 0);
        shown.forEach(img => img.loading = 'eager');     // lazy ones below the fold would never load
        await Promise.all(shown.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
        return shown.map(img => [img.getAttribute('src').split('.').slice(-2)[0], img.naturalWidth]);
    }""")
    return {variant: min(w for v, w in images if v == variant) for variant, _ in images}


# The button that switches to the other palette (our palette.html shows one, hides the others).
PALETTE_TOGGLE = 'form[data-dlnotes-component="palette"] label:not([hidden])'


@pytest.mark.parametrize("scheme, other", [("light", "dark"), ("dark", "light")])
def test_palette_toggle_shows_the_figures_of_the_other_palette(base_url, browser, scheme, other):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{base_url}/en/linear-regression/", wait_until="load")
    assert set(shown_figures(page)) == {scheme}
    before = page.evaluate("document.body.dataset.mdColorScheme")
    page.locator(PALETTE_TOGGLE).click()
    page.wait_for_function("before => document.body.dataset.mdColorScheme !== before", arg=before)
    shown = shown_figures(page)
    assert set(shown) == {other} and shown[other] > 0, shown
    context.close()


def test_the_palette_follows_the_system_until_the_reader_chooses_one(base_url, browser):
    """Our palette script (theme/partials/javascripts/palette.html) runs while the header is
    parsed: Material's script is blocked here and the dark page is dark all the same. A choice
    is kept for the next pages; Enter on the focused option switches too."""
    context = browser.new_context(color_scheme="dark")
    scheme = "document.body.dataset.mdColorScheme"
    page = context.new_page()
    page.route("**/bundle.*.min.js", lambda route: route.abort())
    page.goto(f"{base_url}/en/", wait_until="load")
    assert page.evaluate(scheme) == "slate"
    toggle = page.locator(PALETTE_TOGGLE)
    assert toggle.count() == 1 and toggle.get_attribute("title") == "Switch to the light theme"
    page.close()

    page = context.new_page()
    page.goto(f"{base_url}/en/", wait_until="load")
    page.locator(PALETTE_TOGGLE).click()
    assert page.evaluate(scheme) == "default"
    page.goto(f"{base_url}/en/bayes/", wait_until="load")
    assert page.evaluate(scheme) == "default"          # stored, though the system is dark
    page.locator("#__palette_0").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(scheme) == "slate" and page.evaluate("document.activeElement.id") == "__palette_1"
    context.close()


def test_copy_button_puts_the_code_in_the_clipboard(base_url, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{base_url}/en/linear-regression/", wait_until="load")
    # The last code block of a few lines outside a collapsed box, far below the first screen:
    # Material gives a block its button when the block first scrolls into view (content.lazy).
    blocks = "article pre:not(details pre)"
    last = page.evaluate("""selector => [...document.querySelectorAll(selector)]
        .map((pre, i) => pre.textContent.trim().split('\\n').length > 3 ? i : -1).reduce((a, b) => Math.max(a, b))""",
                         blocks)
    block = page.locator(blocks).nth(last)
    assert block.locator(".md-code__button").count() == 0
    block.scroll_into_view_if_needed()
    button = block.locator(".md-code__button[data-md-type='copy']")
    code = page.evaluate("selector => document.querySelector(selector).textContent",
                         button.get_attribute("data-clipboard-target"))
    button.click()
    for _ in range(50):                       # the copy is asynchronous
        copied = page.evaluate("navigator.clipboard.readText()")
        if copied:
            break
        page.wait_for_timeout(100)
    assert code.count("\n") > 3 and copied.rstrip("\n") == code.rstrip("\n")
    context.close()


def test_a_deep_link_renders_and_scrolls_to_its_heading(base_url, browser):
    path = "en/linear-regression/#gradients"
    page = browser.new_page()
    page.goto(f"{base_url}/{path}", wait_until="load")
    assert in_view(page, "#gradients")
    check_math(page, path)
    check_images(page, path, "light")
    assert in_view(page, "#gradients")        # still there once every figure has loaded
    page.close()


# The solution blocks of a chapter's exercises: the <details> after the "exercises" heading.
SOLUTIONS = "article h2#exercises ~ details"


@pytest.mark.parametrize("path", ["linear-regression/", "en/linear-regression/"], ids=["ko", "en"])
def test_exercise_solutions_are_collapsed_and_open_with_the_keyboard(base_url, browser, path):
    """Collapsed at load, so the reader tries first; Tab reaches a solution's summary and Enter or
    Space opens it; the math inside is typeset (at build time) and shows once it is open."""
    page = browser.new_page()
    page.goto(f"{base_url}/{path}", wait_until="load")
    exercises = page.locator("article h3[data-kind]").count()
    solutions = page.locator(SOLUTIONS)
    assert exercises >= 3 and solutions.count() == exercises
    assert page.evaluate(f"[...document.querySelectorAll('{SOLUTIONS}')].map(d => d.open)") == [False] * exercises
    assert not solutions.first.locator(".katex").first.is_visible()
    for number, key in ((1, "Enter"), (2, " ")):
        solution = solutions.nth(number - 1)
        assert solution.locator(".katex").count() > 0 and solution.locator(".katex-error").count() == 0
        # from the exercise's heading link, Tab walks the statement (display formulas are focusable,
        # for scrolling) to the solution's summary
        page.locator(f"#ex-{number} > a.headerlink").focus()
        for _ in range(10):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused["tag"] == "SUMMARY":
                break
        assert focused["tag"] == "SUMMARY" and focused["ring"] and focused["shown"], focused
        assert solution.evaluate("d => d.contains(document.activeElement)")
        page.keyboard.press(key)
        assert solution.evaluate("d => d.open")
        math = solution.locator(".katex").first
        math.wait_for(state="visible")
        assert math.bounding_box()["height"] > 0
    assert page.evaluate(f"[...document.querySelectorAll('{SOLUTIONS}')].map(d => d.open)")[2:] == [False] * (exercises - 2)
    page.close()
