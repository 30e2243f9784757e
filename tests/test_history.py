"""The history chapter: its table is the data in dlnotes.history, the timeline is readable, the formulas hold."""
import math
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import torch
import torch.nn.functional as F

from dlnotes import references
from dlnotes.build.html import citations
from dlnotes.figures.history import compute_history_timeline, stagger_levels
from dlnotes.history import FIELDS, MILESTONES
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
PAGES = {lang: ROOT / "docs" / lang / "history.md" for lang in ("ko", "en")}
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
WORKS = references.load()


def table_rows(page: Path) -> list[list[str]]:
    """The cells of the first Markdown table whose first column holds years."""
    rows = []
    for line in page.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(r"\d{4}", cells[0]):
            rows.append(cells)
        elif rows:
            break
    return rows


def links(milestone) -> list[str]:
    """The address of every paper of a milestone's row, from the bibliography."""
    return [WORKS[key].link[1] for key in milestone.papers]


@pytest.mark.parametrize("lang", PAGES)
def test_table_matches_history_data(lang):
    rows = table_rows(PAGES[lang])
    assert len(rows) == len(MILESTONES)
    for (year, idea, papers, why), milestone in zip(rows, MILESTONES):
        assert int(year) == milestone.year
        assert re.match(r"\*\*([^*]+)\*\*", idea)[1] == milestone.name
        assert papers.split("<br>") == [f"@{key}:source" for key in milestone.papers]
        shown = citations.expand(papers, f"{lang}/history.md", {"docs_dir": str(ROOT / "docs"), "nav": []})
        assert [url for _, url in LINK.findall(shown) if not url.startswith("glossary.md")] == links(milestone)
        assert why and not LINK.search(why)


def test_both_languages_show_the_same_table():
    ko, en = (table_rows(PAGES[lang]) for lang in ("ko", "en"))
    names = lambda rows: [re.match(r"\*\*([^*]+)\*\*", r[1])[1] for r in rows]  # noqa: E731
    assert [r[0] for r in ko] == [r[0] for r in en]             # years
    assert names(ko) == names(en)
    assert [r[2] for r in ko] == [r[2] for r in en]             # authors, venues, links


def test_milestones_are_in_date_order():
    dates = [(m.year, m.month) for m in MILESTONES]
    assert dates == sorted(dates)
    assert MILESTONES[0].year == 2012 and MILESTONES[-1].year == 2020
    assert len({m.name for m in MILESTONES}) == len(MILESTONES)


def test_links_are_well_formed():
    urls = [url for m in MILESTONES for url in links(m)]
    assert len(set(urls)) == len(urls)
    for url in urls:
        parts = urlparse(url)
        assert parts.scheme == "https" and "." in parts.netloc and parts.path.strip("/"), url
        assert not re.search(r"\s", url), url
        if parts.netloc == "arxiv.org":
            assert re.fullmatch(r"/abs/\d{4}\.\d{4,5}", parts.path), url
        if parts.netloc == "doi.org":
            assert re.fullmatch(r"/10\.\d{4,9}/\S+", parts.path), url


def test_arxiv_ids_agree_with_year_and_month():
    # an arXiv id starts with YYMM of its first version; the table dates each milestone by its main paper
    for milestone in MILESTONES:
        match = re.fullmatch(r"(\d\d)(\d\d)\.\d+", WORKS[milestone.paper].arxiv)
        if match:
            assert (2000 + int(match[1]), int(match[2])) == (milestone.year, milestone.month), milestone.name
    assert sum(1 for m in MILESTONES if WORKS[m.paper].arxiv) >= 8


def test_venue_is_not_earlier_than_first_version():
    for milestone in MILESTONES:
        for key in milestone.papers:
            venue = WORKS[key].venue_with_year
            venue_year = int(re.search(r"(\d{4})$", venue)[1])
            assert 2011 <= venue_year <= 2021, venue
        assert int(WORKS[milestone.paper].venue_with_year[-4:]) >= milestone.year
        assert 1 <= milestone.month <= 12 and milestone.field in FIELDS


def timeline_settings():
    return next(s for s in FIGURES if s.name == "history-timeline").settings


def test_timeline_keeps_labels_apart():
    settings = timeline_settings()
    data = compute_history_timeline(**settings)
    widths = [settings["years_per_char"] * len(name) for name in data.names]
    boxes = [(d - w / 2, d + w / 2, level) for d, w, level in zip(data.dates, widths, data.levels)]
    for i, (left, right, level) in enumerate(boxes):
        for j, (other_left, other_right, other_level) in enumerate(boxes):
            if i != j and level == other_level:
                assert right <= other_left or other_right <= left, (data.names[i], data.names[j])
            # no stem runs through a label nearer the axis on the same side
            if level * other_level > 0 and abs(level) > abs(other_level):
                assert not other_left < data.dates[i] < other_right, (data.names[i], data.names[j])
    assert 0 not in data.levels
    # labels far apart share the first row; a label that would touch its neighbour moves across the axis
    assert stagger_levels([0.0, 5.0], [1.0, 1.0], pad=0.1) == (1, 1)
    assert stagger_levels([0.0, 0.8], [1.0, 1.0], pad=0.1) == (1, -1)


def test_timeline_places_each_milestone_in_its_year():
    data = compute_history_timeline(**timeline_settings())
    by_name = {m.name: m for m in MILESTONES}
    assert sorted(data.names) == sorted(by_name)
    for name, date in zip(data.names, data.dates):
        assert by_name[name].year < date < by_name[name].year + 1, name
    assert list(data.dates) == sorted(data.dates)
    assert (data.first_year, data.last_year) == (2012, 2020)


def test_every_field_has_a_colour_and_a_milestone():
    assert len(FIELDS) <= 6                                  # the style has six colours, C0..C5
    assert {m.field for m in MILESTONES} == set(FIELDS)


@pytest.mark.parametrize("size, padding, expected", [(227, 0, 55), (224, 0, 54), (224, 2, 55)])
def test_alexnet_first_layer_output_size(size, padding, expected):
    conv = torch.nn.Conv2d(3, 96, kernel_size=11, stride=4, padding=padding)
    out = conv(torch.zeros(1, 3, size, size))
    assert out.shape == (1, 96, expected, expected)
    assert math.floor((size + 2 * padding - 11) / 4) + 1 == expected     # the page's formula


def test_residual_block_with_zero_weights_is_the_identity():
    d = 6
    inner = torch.nn.Sequential(torch.nn.Linear(d, d), torch.nn.ReLU(), torch.nn.Linear(d, d)).double()
    for p in inner.parameters():
        torch.nn.init.zeros_(p)
    x = torch.randn(4, d, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    residual = lambda v: v + inner(v)      # noqa: E731   y = x + F(x)
    torch.testing.assert_close(residual(x), x)
    jac = torch.autograd.functional.jacobian(residual, x[0])
    torch.testing.assert_close(jac, torch.eye(d, dtype=torch.float64))   # the gradient passes unchanged
    # the plain block with the same weights outputs zero and passes no gradient at all
    torch.testing.assert_close(inner(x), torch.zeros_like(x))
    torch.testing.assert_close(torch.autograd.functional.jacobian(inner, x[0]), torch.zeros(d, d, dtype=torch.float64))


@pytest.mark.parametrize("seed", range(3))
def test_attention_formula_matches_scaled_dot_product_attention(seed):
    gen = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(2, 5, 8, generator=gen, dtype=torch.float64) for _ in range(3))
    by_formula = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1) @ v
    torch.testing.assert_close(by_formula, F.scaled_dot_product_attention(q, k, v))


def simclr_loss_by_formula(z: torch.Tensor, tau: float, i: int, j: int) -> torch.Tensor:
    """l_ij = -log exp(sim(z_i, z_j)/tau) / sum_{k != i} exp(sim(z_i, z_k)/tau), term by term."""
    sim = lambda a, b: torch.dot(a, b) / (a.norm() * b.norm())     # noqa: E731
    denominator = sum(torch.exp(sim(z[i], z[k]) / tau) for k in range(len(z)) if k != i)
    return -torch.log(torch.exp(sim(z[i], z[j]) / tau) / denominator)


def test_simclr_loss_is_cross_entropy_over_similarities():
    n, tau = 4, 0.5
    z = torch.randn(2 * n, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])    # views 0..n-1 pair with n..2n-1
    unit = F.normalize(z, dim=1)
    logits = unit @ unit.T / tau
    logits.fill_diagonal_(float("-inf"))           # k != i: an example is not its own candidate
    per_pair = F.cross_entropy(logits, partner, reduction="none")
    for i in range(2 * n):
        torch.testing.assert_close(per_pair[i], simclr_loss_by_formula(z, tau, i, int(partner[i])))


def transformer_layer_parameters(d: int) -> int:
    attention = torch.nn.MultiheadAttention(d, num_heads=2)          # W_q, W_k, W_v, W_o and biases
    feed_forward = torch.nn.Sequential(torch.nn.Linear(d, 4 * d), torch.nn.GELU(), torch.nn.Linear(4 * d, d))
    norms = torch.nn.ModuleList([torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)])
    return sum(p.numel() for m in (attention, feed_forward, norms) for p in m.parameters())


@pytest.mark.parametrize("d", [8, 16, 64])
def test_gpt3_parameter_count_from_its_shape(d):
    assert transformer_layer_parameters(d) == 12 * d ** 2 + 13 * d
    n_layer, d_model, n_vocab, n_ctx = 96, 12288, 50257, 2048          # GPT-3 175B, Brown et al. Table 2.1
    total = n_layer * (12 * d_model ** 2 + 13 * d_model) + (n_vocab + n_ctx) * d_model
    assert total == pytest.approx(175e9, rel=0.003)
    assert round(total / 1e8) == 1746                                  # "about 174.6 billion" on the page
