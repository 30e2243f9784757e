"""The answers to the exercises of the chapter "Bayes' theorem and causality", checked with torch.distributions."""
import math
from fractions import Fraction

import pytest
import torch

from dlnotes.bayes import DiagnosticTest, StratifiedTrial, beta_update, posterior
from exercisekit import assert_pages_show, load_solution, run_solution, solution_output_on_pages

CHAPTER = "bayes"
F64 = torch.float64


def odds(p):
    return p / (1 - p)


def test_ex_bayes_1_posterior_odds_are_prior_odds_times_the_likelihood_ratio():
    for prior, sensitivity, false_positive in ((0.01, 0.99, 0.05), (0.3, 0.8, 0.2), (0.001, 0.5, 0.01)):
        after_positive = posterior(prior, sensitivity, false_positive)
        assert math.isclose(odds(after_positive), odds(prior) * sensitivity / false_positive, rel_tol=1e-12)
        after_negative = posterior(prior, 1 - sensitivity, 1 - false_positive)
        assert math.isclose(odds(after_negative), odds(prior) * (1 - sensitivity) / (1 - false_positive),
                            rel_tol=1e-12)
    # the chapter's test, exactly: prior odds 1/99, likelihood ratios 19.8 and 1/95
    prior_odds, ratio = Fraction(1, 99), Fraction(99, 100) / Fraction(5, 100)
    assert ratio == Fraction(198, 10)
    probability = lambda o: o / (1 + o)                                   # noqa: E731
    assert prior_odds * ratio == Fraction(1, 5) and probability(prior_odds * ratio) == Fraction(1, 6)
    positives_needed = next(k for k in range(1, 10) if probability(prior_odds * ratio ** k) > Fraction(95, 100))
    assert positives_needed == 3 and f"{float(probability(prior_odds * ratio ** 3)):.3f}" == "0.987"
    negative = prior_odds * Fraction(1, 100) / Fraction(95, 100)
    assert negative == Fraction(1, 9405) and probability(negative) == Fraction(1, 9406)
    chapter = DiagnosticTest(prevalence=0.01, sensitivity=0.99, false_positive_rate=0.05)
    assert math.isclose(chapter.after_positives(3)[3], float(probability(prior_odds * ratio ** 3)), rel_tol=1e-12)
    assert f"{1 / 9406:.6f}" == "0.000106"
    assert_pages_show(CHAPTER, 1, "19.8", "0.2", "3.96", "78.4", "0.987", "9405", "9406", "0.000106")


def test_ex_bayes_2_beta_posterior_mean_and_mode_after_hhthh():
    flips = torch.tensor([1.0, 1.0, 0.0, 1.0, 1.0], dtype=F64)               # H H T H H
    a, b = beta_update(2.0, 2.0, flips)
    assert (a, b) == (6.0, 3.0)
    post = torch.distributions.Beta(torch.tensor(a, dtype=F64), torch.tensor(b, dtype=F64))
    assert math.isclose(post.mean.item(), 2 / 3, rel_tol=1e-12) and math.isclose(post.mode.item(), 5 / 7, rel_tol=1e-12)
    theta = torch.tensor(5 / 7, dtype=F64, requires_grad=True)
    post.log_prob(theta).backward()
    assert abs(theta.grad.item()) < 1e-12                                  # the log density is flat at the mode
    grid = (torch.arange(100_000, dtype=F64) + 0.5) / 100_000
    assert abs(grid[post.log_prob(grid).argmax()].item() - 5 / 7) < 1e-5
    assert flips.mean().item() == 0.8                                      # the maximum likelihood estimate h/n
    assert f"{2 / 3:.3f}" == "0.667" and f"{5 / 7:.3f}" == "0.714"
    assert_pages_show(CHAPTER, 2, r"\mathrm{Beta}(6, 3)", "0.667", "0.714", "0.8")


def test_ex_bayes_3_adjusted_rates_of_a_confounded_table():
    trial = StratifiedTrial(successes=torch.tensor([[40, 90], [175, 25]]),
                            patients=torch.tensor([[50, 150], [250, 50]]))
    torch.testing.assert_close(trial.rates(), torch.tensor([[0.8, 0.6], [0.7, 0.5]], dtype=F64))
    torch.testing.assert_close(trial.crude_rates(), torch.tensor([0.65, 2 / 3], dtype=F64))
    torch.testing.assert_close(trial.stratum_weights(), torch.tensor([0.6, 0.4], dtype=F64))
    torch.testing.assert_close(trial.adjusted_rates(), torch.tensor([0.72, 0.62], dtype=F64))
    # exactly, and the paradox: the drug is better in each stratum, worse pooled, better adjusted
    exact = [Fraction(40, 50) * Fraction(3, 5) + Fraction(90, 150) * Fraction(2, 5),
             Fraction(175, 250) * Fraction(3, 5) + Fraction(25, 50) * Fraction(2, 5)]
    assert exact == [Fraction(18, 25), Fraction(31, 50)]
    assert Fraction(130, 200) < Fraction(200, 300)
    assert_pages_show(CHAPTER, 3, "130", "200", "66.7", "0.6", "0.4", "0.72", "0.62")


def mixture_posterior_mean(heads, tails):
    """The mixture prior 1/2 Beta(50, 50) + 1/2 Beta(1, 1) is conjugate too: a mixture of Beta posteriors."""
    def log_beta(p, q):
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)
    parts = [(a, b, log_beta(a + heads, b + tails) - log_beta(a, b)) for a, b in ((50, 50), (1, 1))]
    weights = torch.softmax(torch.tensor([w for _, _, w in parts], dtype=F64), dim=0)
    return sum(w.item() * (a + heads) / (a + b + heads + tails) for w, (a, b, _) in zip(weights, parts))


@pytest.mark.parametrize("prior, heads, tails", [((2.0, 2.0), 4, 1), ((1.0, 1.0), 0, 7), ((0.5, 3.0), 144, 56)])
def test_ex_bayes_4_grid_posterior_matches_torch_beta(prior, heads, tails, tmp_path):
    solution = load_solution("bayes_grid_posterior")
    theta, density = solution["grid_posterior"](solution["beta_log_prior"](*prior), heads, tails)
    exact = torch.distributions.Beta(torch.tensor(prior[0] + heads, dtype=F64),
                                     torch.tensor(prior[1] + tails, dtype=F64)).log_prob(theta).exp()
    assert ((density - exact).abs().max() / exact.max()).item() < 1e-5
    assert abs(density.mean().item() - 1) < 1e-12                          # integrates to 1 on (0, 1)
    for h, t, shown in ((4, 1, "0.617"), (16, 4, "0.742")):
        theta, density = solution["grid_posterior"](solution["mixture_log_prior"], h, t)
        mean = (theta * density).mean().item()
        assert abs(mean - mixture_posterior_mean(h, t)) < 1e-6 and f"{mean:.3f}" == shown
    if heads == 4:                                                         # the printout, once
        assert run_solution("bayes_grid_posterior", tmp_path).strip() == solution_output_on_pages(CHAPTER, 4)
