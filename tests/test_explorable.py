"""Explorable figures: declared in the registry, computed as variants, switched on the page."""
import json
import re
from html import unescape
from urllib.parse import urlparse

import pytest

from buildkit import ROOT
from dlnotes.build.figures import explore
from dlnotes.build.figures.jobs import figure_jobs
from dlnotes.registry import FIGURES
from dlnotes.spec import FigureSpec, Knob, variant_slug

EXPLORABLE = [spec for spec in FIGURES if spec.explore]
STEP = Knob("eta", (0.1, 0.5, 1.1), label={"ko": "스텝 크기", "en": "step size"}, value_text="η = {}·η_c")
ACTIVATION = Knob("act", ("tanh", "relu"), label={"ko": "활성화 함수", "en": "activation"},
                  value_names={"tanh": {"ko": "tanh", "en": "tanh"}, "relu": {"ko": "ReLU", "en": "ReLU"}})


def spec(**changes) -> FigureSpec:
    fields = dict(name="demo", compute="m:c", draw="m:d", settings={"eta": 0.5, "act": "relu", "seed": 0},
                  explore=(STEP, ACTIVATION))
    return FigureSpec(**{**fields, **changes})


# ------------------------------------------------------------------ declaring

def test_there_are_at_least_six_explorable_figures():
    assert len(EXPLORABLE) >= 6, [s.name for s in EXPLORABLE]


def test_every_combination_is_a_variant_and_the_default_comes_first():
    variants = spec().variants()
    assert variants[0] == {"eta": 0.5, "act": "relu"}
    assert len(variants) == 6 and len({json.dumps(v, sort_keys=True) for v in variants}) == 6
    assert variant_slug({"eta": 1.1, "act": "tanh"}) == "eta-1.1.act-tanh"


@pytest.mark.parametrize("changes, message", [
    (dict(settings={"act": "relu"}), "not in the figure's settings"),
    (dict(settings={"eta": 0.7, "act": "relu"}), "the default 0.7 is not one of"),
    (dict(explore=(STEP, ACTIVATION, STEP)), "at most two"),
    (dict(explore=(Knob("eta", (0.5,), label={"ko": "a", "en": "a"}),)), "2 to 8 different values"),
    (dict(explore=(Knob("eta", (0.1, 0.5), label={"en": "step"}),)), "both languages"),
])
def test_a_bad_declaration_is_refused_naming_the_figure_and_setting(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        spec(**changes)


def test_each_variant_is_a_job_of_its_own_and_errors_name_the_values():
    jobs = figure_jobs(spec(), ROOT, ["docs/en/demo.md"])
    assert [job.kind for job in jobs] == ["figure"] + ["variant"] * 5
    assert len({job.payload_digest() for job in jobs}) == 6
    assert jobs[0].outputs[:2] == ("figures/demo.light.svg", "figures/demo.dark.svg")
    tanh = next(job for job in jobs if job.payload["settings"] == {"eta": 1.1, "act": "tanh", "seed": 0})
    assert tanh.outputs == ("figures/demo/eta-1.1.act-tanh.light.svg", "figures/demo/eta-1.1.act-tanh.dark.svg")
    assert tanh.label == "figure 'demo' with eta=1.1, act='tanh' (used on docs/en/demo.md)"
    assert tanh.time_limit == spec().time_limit                 # the figure's limit applies per variant


def test_a_new_value_adds_jobs_and_leaves_the_others_keys_alone():
    before = {job.key: job.payload_digest() for job in figure_jobs(spec(), ROOT, [])}
    wider = spec(explore=(Knob("eta", (0.1, 0.5, 1.1, 2.0), label=STEP.label, value_text=STEP.value_text), ACTIVATION))
    after = {job.key: job.payload_digest() for job in figure_jobs(wider, ROOT, [])}
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == len(before) + 2


def test_controls_name_the_setting_and_value_in_the_page_language():
    korean = unescape(explore.controls_html(spec(), "캡션", "ko"))
    assert "스텝 크기" in korean and "η = 0.5·η_c" in korean and 'type="range"' in korean
    assert 'type="radio"' in korean and ">ReLU</label>" in korean and "hidden" in korean
    variants = json.loads(re.search(r'data-variants="([^"]*)"', explore.controls_html(spec(), "c", "en"))[1]
                          .replace("&quot;", '"'))
    assert variants["1,1"] == {"stem": "demo", "alt": "c (step size: η = 0.5·η_c; activation: ReLU)"}
    assert variants["2,0"]["stem"] == "demo/eta-1.1.act-tanh"


# ------------------------------------------------------------------ on the page, in Chromium



def page_of(site, name: str, lang: str) -> str:
    prefix = "en/" if lang == "en" else ""
    for page in sorted((site / prefix).glob("*/index.html")):
        if f'id="figure-{name}"' in page.read_text(encoding="utf-8"):
            return f"{prefix}{page.parent.name}/"
    raise AssertionError(f"no {lang} page shows {name}")


FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]"


def tab_to(page, control) -> None:
    """Focus the last element before the control that takes the focus, then press Tab."""
    page.evaluate("""([control, selector]) => {
        const focusable = [...document.querySelectorAll(selector)]
            .filter(el => el.tabIndex >= 0 && !el.disabled && !el.closest('[hidden]'));
        for (let i = focusable.indexOf(control) - 1; i >= 0; i--) {
            focusable[i].focus();
            if (document.activeElement === focusable[i]) return;
        }
    }""", [control.element_handle(), FOCUSABLE])
    page.keyboard.press("Tab")


@pytest.mark.build
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("figure", EXPLORABLE, ids=lambda s: s.name)
def test_the_keyboard_turns_each_knob_and_the_figure_follows(site, base_url, browser, figure, lang, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    requests, outside = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.route("**/*", lambda route: (outside.append(route.request.url), route.abort()) if urlparse(
        route.request.url).hostname != "127.0.0.1" else route.continue_())
    page.goto(f"{base_url}/{page_of(site, figure.name, lang)}", wait_until="load")
    assert not [url for url in requests if f"/figures/{figure.name}/" in url], "a variant loaded with the page"
    knobs = page.locator(f'.dlnotes-knobs[data-figure="figure-{figure.name}"]')
    assert knobs.is_visible()
    images = page.locator(f"#figure-{figure.name} img")
    choice = {knob.setting: figure.settings[knob.setting] for knob in figure.explore}
    for number, knob in enumerate(figure.explore):
        control_box = knobs.locator(".dlnotes-knob").nth(number)
        control = control_box.locator("input[type=range]" if knob.ordered else "input:checked")
        tab_to(page, control)
        assert control.evaluate("el => el === document.activeElement"), f"Tab does not reach {knob.setting}"
        before = images.evaluate_all("imgs => imgs.map(img => img.getAttribute('src'))")
        current = knob.values.index(choice[knob.setting])
        step = 1 if current + 1 < len(knob.values) else -1
        choice[knob.setting] = knob.values[current + step]
        with page.expect_response(lambda r: f"/figures/{figure.name}" in r.url and f".{scheme}.svg" in r.url) as shown:
            page.keyboard.press("ArrowRight" if step == 1 else "ArrowLeft")
        assert shown.value.status == 200
        after = images.evaluate_all("imgs => imgs.map(img => ({src: img.getAttribute('src'), alt: img.alt}))")
        assert all(a["src"] != b for a, b in zip(after, before)), "both palettes switch"
        assert all(k.text(choice[k.setting], lang) in a["alt"] for a in after for k in figure.explore), \
            "the alt text names the values shown"
        # the response has come; the image is decoded a moment later
        shown_images = f"[...document.querySelectorAll('#figure-{figure.name} img')].filter(img => img.offsetWidth > 0)"
        page.wait_for_function(f"{shown_images}.every(img => img.complete)", timeout=10_000)
        visible = page.evaluate(f"{shown_images}.map(img => img.naturalWidth)")
        assert len(visible) == 1 and visible[0] > 0, "the palette's image is shown and loaded"
        if knob.ordered:
            assert control.get_attribute("aria-valuetext") == knob.text(choice[knob.setting], lang)
        else:
            assert control_box.locator("input:checked").evaluate("el => el === document.activeElement")
    assert not outside, outside
    context.close()
