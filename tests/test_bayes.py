"""Every formula and number of the chapter "Bayes' theorem and causality", checked with PyTorch."""
import functools
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import scipy.stats
import torch

from dlnotes.bayes import (KIDNEY_STONES, DiagnosticTest, StratifiedTrial, after_repeated_identical_test,
                           beta_binomial_evidence, beta_density, beta_quantiles, beta_update, credible_interval,
                           evidence, flip_coin, grid_posterior, percent, posterior, sequential_beta,
                           simulate_trial, theta_grid)
from dlnotes.figures.bayes import compute_coin_updating, compute_prior_strength, compute_simpson
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "docs" / lang / "bayes.md" for lang in ("ko", "en")]
EXAMPLE = DiagnosticTest(prevalence=0.01, sensitivity=0.99, false_positive_rate=0.05)
F64 = torch.float64


def random_joint(seed, shape):
    gen = torch.Generator().manual_seed(seed)
    joint = torch.rand(*shape, generator=gen, dtype=F64)
    return joint / joint.sum()


def log_beta_fn(a, b):
    a, b = torch.as_tensor(a, dtype=F64), torch.as_tensor(b, dtype=F64)
    return torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)


def text_blocks(page):
    return re.findall(r"```text\n(.*?)```", page.read_text(), re.S)


def run_snippet(name):
    proc = subprocess.run([sys.executable, str(ROOT / "snippets" / name)], capture_output=True, text=True,
                          timeout=120, check=True)
    return proc.stdout


# ---------------------------------------------------------------- Bayes' theorem


@pytest.mark.parametrize("seed", range(4))
def test_bayes_theorem_follows_from_the_product_rule(seed):
    joint = random_joint(seed, (3, 4))            # P(A = i, B = j)
    p_a, p_b = joint.sum(1), joint.sum(0)
    a_given_b = joint / p_b                       # P(A | B) = P(A and B) / P(B), column j
    b_given_a = joint / p_a[:, None]
    torch.testing.assert_close(p_b * a_given_b, joint)                  # P(A and B) = P(B) P(A | B)
    torch.testing.assert_close(p_a[:, None] * b_given_a, joint)         # = P(A) P(B | A)
    torch.testing.assert_close(p_b * a_given_b / p_a[:, None], b_given_a)   # Bayes' theorem
    torch.testing.assert_close(a_given_b.sum(0), torch.ones(4, dtype=F64))   # each P(. | B = j) sums to 1
    assert not torch.allclose(a_given_b, b_given_a)                      # P(A | B) and P(B | A) differ


@pytest.mark.parametrize("n_hypotheses", [2, 5, 50])
def test_evidence_is_the_law_of_total_probability(n_hypotheses):
    joint = random_joint(n_hypotheses, (n_hypotheses, 6))   # P(theta_k, D = d)
    prior = joint.sum(1)
    likelihood = joint / prior[:, None]                       # P(D | theta_k)
    evid = (likelihood * prior[:, None]).sum(0)              # sum_k P(D | theta_k) P(theta_k)
    torch.testing.assert_close(evid, joint.sum(0))
    post = likelihood * prior[:, None] / evid                 # P(theta_k | D) for every possible D
    torch.testing.assert_close(post.sum(0), torch.ones(6, dtype=F64))
    if n_hypotheses == 2:   # the two-hypothesis helpers of the diagnostic test
        for d in range(6):
            assert evidence(prior[0].item(), likelihood[0, d].item(), likelihood[1, d].item()) == pytest.approx(evid[d].item())
            assert posterior(prior[0].item(), likelihood[0, d].item(), likelihood[1, d].item()) == pytest.approx(post[0, d].item())


# ---------------------------------------------------------------- the diagnostic test


def test_diagnostic_test_numbers():
    assert EXAMPLE.p_positive() == pytest.approx(0.0594)
    assert 0.99 * 0.01 == pytest.approx(0.0099) and 0.05 * 0.99 == pytest.approx(0.0495)
    assert EXAMPLE.p_disease_if_positive() == pytest.approx(1 / 6)
    assert f"{EXAMPLE.p_disease_if_positive():.1%}" == "16.7%"
    assert EXAMPLE.false_discovery_rate() == pytest.approx(5 / 6)
    assert f"{EXAMPLE.false_discovery_rate():.1%}" == "83.3%"
    counts = EXAMPLE.counts(10_000)
    expected = dict(sick=100, healthy=9_900, true_positive=99, false_positive=495, positive=594)
    assert counts == pytest.approx(expected)
    # the negative column of the table: 1, 9 405, 9 406
    assert counts["sick"] - counts["true_positive"] == pytest.approx(1)
    assert counts["healthy"] - counts["false_positive"] == pytest.approx(9_405)
    assert 10_000 - counts["positive"] == pytest.approx(9_406)
    assert counts["true_positive"] / counts["positive"] == pytest.approx(1 / 6)


def test_diagnostic_test_by_simulation():
    gen = torch.Generator().manual_seed(0)
    n = 2_000_000
    sick = torch.bernoulli(torch.full((n,), EXAMPLE.prevalence, dtype=F64), generator=gen).bool()
    p_pos = torch.where(sick, EXAMPLE.sensitivity, EXAMPLE.false_positive_rate)
    positive = torch.bernoulli(p_pos, generator=gen).bool()
    assert positive.double().mean().item() == pytest.approx(0.0594, abs=0.001)
    assert sick[positive].double().mean().item() == pytest.approx(1 / 6, abs=0.005)


def test_second_and_third_positive_results():
    probs = EXAMPLE.after_positives(3)
    assert probs[1] == pytest.approx(1 / 6)
    assert probs[2] == pytest.approx(0.99 / 1.24)
    assert (0.99 / 6) / (0.99 / 6 + 0.05 * 5 / 6) == pytest.approx(0.99 / 1.24)
    assert [f"{p:.1%}" for p in probs[2:]] == ["79.8%", "98.7%"]
    # with conditionally independent results, k updates = one update with the product likelihoods
    assert probs[2] == pytest.approx(posterior(0.01, 0.99 ** 2, 0.05 ** 2))


def test_repeating_a_test_with_shared_errors_adds_nothing():
    # a population where a retest repeats the first result exactly (errors fully shared)
    gen = torch.Generator().manual_seed(1)
    n = 2_000_000
    sick = torch.bernoulli(torch.full((n,), 0.01, dtype=F64), generator=gen).bool()
    first = torch.bernoulli(torch.where(sick, 0.99, 0.05), generator=gen).bool()
    second = first.clone()
    both = first & second
    observed = sick[both].double().mean().item()
    assert observed == pytest.approx(1 / 6, abs=0.005)
    assert after_repeated_identical_test(EXAMPLE, 2) == pytest.approx(1 / 6)
    assert abs(observed - EXAMPLE.after_positives(2)[2]) > 0.5     # naive chaining claims 79.8 %
    # and with independent retests the chaining is right
    independent = torch.bernoulli(torch.where(sick, 0.99, 0.05), generator=gen).bool()
    assert sick[first & independent].double().mean().item() == pytest.approx(0.99 / 1.24, abs=0.01)


# ---------------------------------------------------------------- the coin


@pytest.mark.parametrize("n, h", [(1, 0), (10, 7), (200, 144), (30, 30)])
def test_likelihood_is_not_a_density_over_theta(n, h):
    theta = theta_grid(100_000)
    likelihood = torch.distributions.Binomial(n, probs=theta).log_prob(torch.tensor(float(h), dtype=F64)).exp()
    torch.testing.assert_close(likelihood[::997], float(math.comb(n, h)) * theta[::997] ** h * (1 - theta[::997]) ** (n - h))
    integral = likelihood.mean().item()                 # midpoint rule on (0, 1)
    assert integral == pytest.approx(1 / (n + 1), rel=1e-6)
    if n > 1:
        assert abs(integral - 1) > 0.3
    # while for a fixed theta it is a distribution over the data: it sums to 1 over h
    binom = torch.distributions.Binomial(n, probs=torch.tensor(0.3, dtype=F64))
    assert binom.log_prob(torch.arange(n + 1, dtype=F64)).exp().sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize("a, b", [(1.0, 1.0), (2.0, 5.0), (0.5, 0.5), (145.0, 57.0)])
def test_beta_density_matches_the_formula(a, b):
    theta = theta_grid(1000)
    formula = ((a - 1) * theta.log() + (b - 1) * torch.log1p(-theta) - log_beta_fn(a, b)).exp()
    torch.testing.assert_close(beta_density(a, b, theta), formula)
    # B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b), against the integral of the unnormalised density
    if a >= 1 and b >= 1:
        unnormalised = (theta ** (a - 1) * (1 - theta) ** (b - 1)).mean()
        assert unnormalised.item() == pytest.approx(log_beta_fn(a, b).exp().item(), rel=1e-5)


@pytest.mark.parametrize("prior", [(1.0, 1.0), (2.0, 2.0), (5.0, 1.5)])
@pytest.mark.parametrize("n_flips", [1, 10, 200])
def test_conjugate_posterior_matches_the_grid_posterior(prior, n_flips):
    theta = theta_grid(20_000)
    flips = flip_coin(seed=n_flips, n_flips=n_flips, bias=0.7)
    numerical = grid_posterior(beta_density(*prior, theta), flips, theta)
    a, b = beta_update(*prior, flips)
    assert (a, b) == (prior[0] + flips.sum().item(), prior[1] + n_flips - flips.sum().item())
    closed_form = beta_density(a, b, theta)
    assert (numerical - closed_form).abs().max().item() < 1e-4 * closed_form.max().item()
    if n_flips == 200:   # why the grid works in logs: the plain likelihood is tiny, and 0 in float32
        likelihood = theta ** flips.sum() * (1 - theta) ** (n_flips - flips.sum())
        assert likelihood.max().item() < 1e-50
        assert (theta.float() ** flips.sum().float() * (1 - theta.float()) ** (n_flips - flips.sum().float())).max() == 0


def test_one_flip_at_a_time_equals_all_flips_at_once():
    flips = flip_coin(seed=0, n_flips=200, bias=0.7)
    params = sequential_beta(1.0, 1.0, flips)
    assert params.shape == (201, 2)
    assert tuple(params[-1].tolist()) == beta_update(1.0, 1.0, flips) == (145.0, 57.0)
    assert tuple(params[-1].tolist()) == beta_update(1.0, 1.0, flips[torch.randperm(200)])   # order is irrelevant
    # batches of 1, 1, 3, 5, 40, 150, as in the snippet
    a, b, seen = 1.0, 1.0, 0
    for batch in (1, 1, 3, 5, 40, 150):
        a, b = beta_update(a, b, flips[seen:seen + batch])
        seen += batch
        assert (a, b) == tuple(params[seen].tolist())
    # the same on a grid, with each numerical posterior used as the next prior
    theta = theta_grid(5_000)
    density = beta_density(1.0, 1.0, theta)
    for flip in flips[:60]:
        density = grid_posterior(density, flip.reshape(1), theta)
    all_at_once = grid_posterior(beta_density(1.0, 1.0, theta), flips[:60], theta)
    torch.testing.assert_close(density, all_at_once)


@pytest.mark.parametrize("prior, heads, tails", [((1.0, 1.0), 7, 3), ((1.0, 1.0), 0, 12), ((2.0, 3.0), 5, 5),
                                                 ((0.5, 0.5), 144, 56)])
def test_coin_evidence_is_the_integral_of_prior_times_likelihood(prior, heads, tails):
    theta = theta_grid(200_000)
    integrand = theta ** heads * (1 - theta) ** tails * beta_density(*prior, theta)
    sequence_evidence = integrand.mean().item()                  # one particular order of the flips
    closed_form = (log_beta_fn(prior[0] + heads, prior[1] + tails) - log_beta_fn(*prior)).exp().item()
    assert sequence_evidence == pytest.approx(closed_form, rel=1e-3)
    n = heads + tails
    assert beta_binomial_evidence(*prior, heads, tails) == pytest.approx(math.comb(n, heads) * closed_form, rel=1e-9)
    if prior == (1.0, 1.0):
        assert beta_binomial_evidence(*prior, heads, tails) == pytest.approx(1 / (n + 1))
    # the evidence depends on the prior: same data, another prior, another value
    assert beta_binomial_evidence(3.0, 1.0, heads, tails) != pytest.approx(beta_binomial_evidence(*prior, heads, tails))


@pytest.mark.parametrize("a, b", [(1.0, 2.0), (7.0, 5.0), (145.0, 57.0)])
def test_posterior_mean_and_sd_match_torch(a, b):
    dist = torch.distributions.Beta(torch.tensor(a, dtype=F64), torch.tensor(b, dtype=F64))
    assert dist.mean.item() == pytest.approx(a / (a + b))
    assert dist.stddev.item() == pytest.approx(math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))))
    theta = theta_grid(100_000)
    density = beta_density(a, b, theta)
    assert (theta * density).mean().item() == pytest.approx(a / (a + b), rel=1e-6)
    # read (a, b) as a prior (a0, b0) plus h heads and t tails: the posterior mean is a weighted
    # average of the prior mean and h / n, with weight n / (a0 + b0 + n) on the data
    for a0, b0 in [(1.0, 1.0), (0.5, 0.5), (1.0, 0.5)]:
        h, n = a - a0, a + b - a0 - b0
        weight = n / (a0 + b0 + n)
        assert a / (a + b) == pytest.approx(weight * h / n + (1 - weight) * a0 / (a0 + b0))
    if a + b > 100:   # the sd shrinks like 1 / sqrt(n): close to sqrt(p (1 - p) / n)
        p, n = a / (a + b), a + b - 2
        assert dist.stddev.item() == pytest.approx(math.sqrt(p * (1 - p) / n), rel=0.02)


@pytest.mark.parametrize("heads, tails", [(1, 1), (2, 6), (144, 56)])
def test_beta_mode_and_mean_read_as_imagined_flips(heads, tails):
    flips = torch.tensor([1.0] * heads + [0.0] * tails, dtype=F64)
    theta = theta_grid(200_001)
    # the uniform prior (no imagined flip for the mode, one head and one tail for the mean), and another
    for a0, b0 in [(1.0, 1.0), (3.0, 2.0)]:
        a, b = beta_update(a0, b0, flips)
        mode = theta[beta_density(a, b, theta).argmax()].item()
        assert mode == pytest.approx((a - 1) / (a + b - 2), abs=1e-5)
        # mode: share of heads among a0 - 1 imagined and h real heads, b0 - 1 imagined and t real tails
        assert mode == pytest.approx((a0 - 1 + heads) / (a0 - 1 + heads + b0 - 1 + tails), abs=1e-5)
        # mean: share of heads among a0 imagined and h real heads, b0 imagined and t real tails
        mean = torch.distributions.Beta(torch.tensor(a, dtype=F64), torch.tensor(b, dtype=F64)).mean.item()
        assert mean == pytest.approx((a0 + heads) / (a0 + b0 + heads + tails))


def test_credible_interval_matches_scipy_and_samples():
    params = torch.tensor([[1, 1], [1, 2], [1, 3], [3, 4], [7, 5], [38, 14], [145, 57]], dtype=F64)
    probs = torch.tensor([0.025, 0.5, 0.975], dtype=F64)
    ours = beta_quantiles(params[:, 0], params[:, 1], probs)
    reference = scipy.stats.beta.ppf(probs.numpy()[None], params[:, :1].numpy(), params[:, 1:].numpy())
    torch.testing.assert_close(ours, torch.from_numpy(reference), atol=1e-6, rtol=0)
    lo, hi = credible_interval(145.0, 57.0)
    assert (f"{lo:.3f}", f"{hi:.3f}") == ("0.654", "0.778")
    samples = torch.distributions.Beta(torch.tensor(145.0, dtype=F64), torch.tensor(57.0, dtype=F64)).sample((400_000,))
    inside = ((samples > lo) & (samples < hi)).double().mean().item()
    assert inside == pytest.approx(0.95, abs=0.002)


def test_coin_snippet_prints_what_the_page_shows():
    out = run_snippet("bayes_coin.py")
    for page in PAGES:
        assert text_blocks(page)[0] == out
    # the rows agree with the conjugate update of the library
    flips = flip_coin(seed=0, n_flips=200, bias=0.7)
    params = sequential_beta(1.0, 1.0, flips)
    for line in out.splitlines():
        seen, heads, a, b = map(int, re.match(r"after +(\d+) flips \( *(\d+) heads\): Beta\( *(\d+), *(\d+)\)", line).groups())
        assert int(flips[:seen].sum()) == heads and (a, b) == tuple(int(v) for v in params[seen].tolist())


def test_coin_figure_uses_the_snippets_flips():
    settings = next(s for s in FIGURES if s.name == "bayes-coin-updating").settings
    data = compute_coin_updating(**settings)
    gen = torch.Generator().manual_seed(0)
    snippet_flips = torch.bernoulli(torch.full((200,), 0.7, dtype=F64), generator=gen)   # as in the snippet
    torch.testing.assert_close(data.flips, snippet_flips)
    assert [int(data.flips[:n].sum()) for n in data.shown] == [0, 0, 0, 2, 6, 37, 144]
    torch.testing.assert_close(data.mean[-1], torch.tensor(145 / 202, dtype=F64))
    assert data.lower[-1] < 0.7 < data.upper[-1]
    widths = data.upper - data.lower
    assert widths[-1] < widths[10] < widths[0]


@functools.cache
def prior_strength_variants() -> dict:
    """Every prior the sliders offer, computed as the build computes it: {(a, b): data}."""
    spec = next(s for s in FIGURES if s.name == "bayes-prior-strength")
    a_values, b_values = (knob.values for knob in spec.explore)
    return {(a, b): compute_prior_strength(**dict(spec.settings, a=a, b=b)) for a in a_values for b in b_values}


def test_posterior_mean_weighs_the_prior_as_a_plus_b_flips():
    for (a, b), data in prior_strength_variants().items():
        heads = torch.cumsum(data.flips, 0)
        n = torch.arange(1, len(data.flips) + 1, dtype=F64)
        weight = (a + b) / (a + b + n)
        mixed = weight * a / (a + b) + (1 - weight) * heads / n
        exact = torch.distributions.Beta(a + heads, b + n - heads).mean
        torch.testing.assert_close(mixed, exact)
        torch.testing.assert_close(data.mean[1:], exact)
        assert weight[a + b - 1] == 0.5                       # at n = a + b the prior and the data weigh the same


def test_prior_strength_figure_strong_prior_leads_early_and_washes_out_slowly():
    variants = prior_strength_variants()
    static = compute_coin_updating(**next(s for s in FIGURES if s.name == "bayes-coin-updating").settings)
    torch.testing.assert_close(variants[1, 1].flips[:200], static.flips)     # the same coin, flipped on
    assert int(static.flips[:10].sum()) == 6
    assert f"{variants[50, 50].mean[10]:.3f}" == "0.509" and f"{variants[1, 1].mean[10]:.3f}" == "0.583"
    share = variants[1, 1].flips.mean().item()
    assert f"{share:.3f}" == "0.706"
    assert all(abs(data.mean[-1] - share) < 0.01 for (a, b), data in variants.items() if a + b <= 20)
    assert f"{variants[50, 50].mean[-1]:.3f}" == "0.687" and f"{variants[10, 50].mean[-1]:.3f}" == "0.675"
    assert f"{variants[10, 50].mean[0]:.2f}" == "0.17"                         # its prior mean


def test_prior_strength_figure_a_confident_wrong_prior_misses_the_truth_longest():
    def last_miss(data):
        missed = ((data.lower > 0.7) | (data.upper < 0.7)).nonzero()
        return missed.max().item() if len(missed) else None

    misses = {prior: last_miss(data) for prior, data in prior_strength_variants().items()}
    assert misses[10, 50] == 947 and misses[1, 1] is None
    # narrower from the start: the strong prior's interval after 10 flips is less than half the uniform one's
    width = {prior: (data.upper - data.lower)[10].item() for prior, data in prior_strength_variants().items()}
    assert width[10, 50] < 0.5 * width[1, 1]


# ---------------------------------------------------------------- causality and Simpson's paradox


def test_kidney_stone_counts_are_consistent():
    succ, pats = KIDNEY_STONES.successes, KIDNEY_STONES.patients
    assert succ.sum(1).tolist() == [273, 289] and pats.sum(1).tolist() == [350, 350]
    assert pats.sum().item() == 700 and pats.sum(0).tolist() == [357, 343]
    assert [81 + 192, 87 + 263, 234 + 55, 270 + 80] == [273, 350, 289, 350]
    published = [[93, 73], [87, 69]]          # Charig et al. / Julious and Mullee, small and large stones
    assert [[percent(r) for r in row] for row in KIDNEY_STONES.rates().tolist()] == [[str(p) for p in row] for row in published]
    assert [percent(r) for r in KIDNEY_STONES.crude_rates().tolist()] == ["78", "83"]
    assert 234 / 270 == pytest.approx(0.867, abs=5e-4)    # not the 83 % of the online text of Julious and Mullee
    assert [[f"{r:.1%}" for r in row] for row in KIDNEY_STONES.rates().tolist()] == [["93.1%", "73.0%"], ["86.7%", "68.8%"]]


def test_tables_on_the_pages_match_the_data():
    succ, pats = KIDNEY_STONES.successes, KIDNEY_STONES.patients
    rows = [[f"{succ[x, z]}/{pats[x, z]} ({percent(succ[x, z] / pats[x, z])}%)" for z in range(2)]
            + [f"{succ[x].sum()}/{pats[x].sum()} ({percent(succ[x].sum() / pats[x].sum())}%)"] for x in range(2)]
    counts = EXAMPLE.counts(10_000)
    for page in PAGES:
        chapter = page.read_text().split("{#exercises}")[0]     # the exercises have tables of their own
        cells = re.findall(r"(\d+/\d+ \(\d+%\))", chapter)
        assert cells == rows[0] + rows[1]
        numbers = re.findall(r"^\| [^|]+ \| ([\d ]+) \| ([\d ]+) \| ([\d ]+) \|$", chapter, re.M)
        table = [[int(v.replace(" ", "")) for v in row] for row in numbers]
        assert table == [[99, 1, 100], [495, 9_405, 9_900], [594, 9_406, 10_000]]
        assert table[2][0] == counts["positive"] and table[1][0] == counts["false_positive"]


def test_simpsons_paradox_holds():
    rates, crude = KIDNEY_STONES.rates(), KIDNEY_STONES.crude_rates()
    assert torch.all(rates[0] > rates[1])           # A better for small and for large stones
    assert crude[1] > crude[0]                       # B better when pooled
    assert torch.all(rates[:, 0] > rates[:, 1])      # small stones are easier under either treatment


def test_crude_and_adjusted_rates():
    trial = KIDNEY_STONES
    torch.testing.assert_close(trial.crude_rates_as_mixture(), trial.crude_rates())   # sum_z P(y|x,z) P(z|x)
    weights = trial.stratum_weights()
    torch.testing.assert_close(weights, torch.tensor([0.51, 0.49], dtype=F64))
    assert 357 / 700 == pytest.approx(0.51) and 343 / 700 == pytest.approx(0.49)
    adjusted = trial.adjusted_rates()
    torch.testing.assert_close(adjusted, torch.tensor([81 / 87 * 0.51 + 192 / 263 * 0.49,
                                                       234 / 270 * 0.51 + 55 / 80 * 0.49], dtype=F64))
    assert [f"{r:.3f}" for r in adjusted.tolist()] == ["0.833", "0.779"]
    assert [percent(r, 1) for r in adjusted.tolist()] == ["83.3", "77.9"]
    assert adjusted[0] > adjusted[1]                 # after adjustment A wins
    # the numbers of the explanation: who got A, and the share of large stones per treatment
    given_size = trial.treatment_given_stratum()
    assert [percent(v) for v in given_size[0].tolist()] == ["24", "77"]
    assert [percent(263 / 350), percent(80 / 350)] == ["75", "23"]
    # the snippet's "crude" and "adjusted" columns
    assert [f"{r:.1%}" for r in trial.crude_rates().tolist()] == ["78.0%", "82.6%"]
    assert [f"{r:.1%}" for r in adjusted.tolist()] == ["83.3%", "77.9%"]


def test_adjustment_matches_a_simulated_intervention():
    trial, n = KIDNEY_STONES, 400_000
    x, y = simulate_trial(trial, seed=0, n_patients=n)               # observation: doctors choose
    observed = torch.stack([y[x == k].double().mean() for k in range(2)])
    torch.testing.assert_close(observed, trial.crude_rates(), atol=0.004, rtol=0)
    for k in range(2):                                               # intervention: everybody gets k
        xk, yk = simulate_trial(trial, seed=k + 1, n_patients=n, do_treatment=k)
        assert torch.all(xk == k)
        assert yk.double().mean().item() == pytest.approx(trial.adjusted_rates()[k].item(), abs=0.004)
    # the gap between observing and intervening is far larger than the sampling error
    assert (trial.crude_rates() - trial.adjusted_rates()).abs().min() > 0.04


def test_simpson_snippet_prints_what_the_page_shows():
    out = run_snippet("bayes_simpson.py")
    for page in PAGES:
        assert text_blocks(page)[1] == out
    lines = out.splitlines()
    simulated = [float(re.search(r"([\d.]+)%$", line).group(1)) / 100 for line in lines[2:]]
    assert simulated == pytest.approx(KIDNEY_STONES.adjusted_rates().tolist(), abs=0.002)
    assert f"{math.sqrt(0.83 * 0.17 / 1_000_000):.4f}" == "0.0004"     # the page's sampling error


def test_random_assignment_makes_crude_rates_equal_adjusted_rates():
    trial = KIDNEY_STONES
    per_size = trial.patients.sum(0)
    for share_a in (0.5, 0.2):     # toss a (possibly biased) coin for the treatment, whatever the stone
        patients = torch.stack([per_size * share_a, per_size * (1 - share_a)])
        randomised = StratifiedTrial(successes=trial.rates() * patients, patients=patients)
        torch.testing.assert_close(randomised.rates(), trial.rates())          # P(y | x, z) unchanged
        torch.testing.assert_close(randomised.stratum_weights(), trial.stratum_weights())
        torch.testing.assert_close(randomised.crude_rates(), trial.adjusted_rates())
        torch.testing.assert_close(randomised.adjusted_rates(), trial.adjusted_rates())
        assert not torch.allclose(randomised.crude_rates(), trial.crude_rates())


def test_simpson_figure_shows_the_table():
    data = compute_simpson()
    torch.testing.assert_close(data.rates[:2], KIDNEY_STONES.rates().T)
    torch.testing.assert_close(data.rates[2], KIDNEY_STONES.crude_rates())
    torch.testing.assert_close(data.rates[3], KIDNEY_STONES.adjusted_rates())
    assert data.labels == (("81/87", "234/270"), ("192/263", "55/80"), ("273/350", "289/350"), ("83.3%", "77.9%"))
