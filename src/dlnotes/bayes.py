"""Bayes' theorem, sequential updating of a coin's bias, and conditioning versus intervening.

Names used on the page: prior P(H), likelihood P(D | H), evidence P(D), posterior P(H | D);
theta a coin's probability of heads; Beta(a, b) its prior/posterior; x treatment, z stone size,
y success in the kidney-stone study.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

# ---------------------------------------------------------------- Bayes' theorem, two hypotheses


def evidence(prior: float, likelihood: float, likelihood_if_not: float) -> float:
    """Law of total probability over the partition {H, not H}: P(D) = P(D|H)P(H) + P(D|not H)P(not H)."""
    return likelihood * prior + likelihood_if_not * (1.0 - prior)


def posterior(prior: float, likelihood: float, likelihood_if_not: float) -> float:
    """Bayes' theorem: P(H | D) = P(H) P(D | H) / P(D)."""
    return prior * likelihood / evidence(prior, likelihood, likelihood_if_not)


@dataclass(frozen=True)
class DiagnosticTest:
    prevalence: float            # P(disease), the prior before any test
    sensitivity: float           # P(positive | disease)
    false_positive_rate: float   # P(positive | healthy) = 1 - specificity

    def p_positive(self, prior: float | None = None) -> float:
        """P(positive), averaged over the sick and the healthy."""
        p = self.prevalence if prior is None else prior
        return evidence(p, self.sensitivity, self.false_positive_rate)

    def p_disease_if_positive(self, prior: float | None = None) -> float:
        """The posterior after one positive result; also the test's precision (positive predictive value)."""
        p = self.prevalence if prior is None else prior
        return posterior(p, self.sensitivity, self.false_positive_rate)

    def false_discovery_rate(self, prior: float | None = None) -> float:
        """The share of positive results that are wrong: P(healthy | positive) = 1 - precision."""
        return 1.0 - self.p_disease_if_positive(prior)

    def after_positives(self, k: int) -> list[float]:
        """Posterior after 0, 1, ..., k positive results, each posterior becoming the next prior.

        Valid only if the results are independent given the disease status (see
        after_repeated_identical_test for when they are not).
        """
        probs = [self.prevalence]
        for _ in range(k):
            probs.append(self.p_disease_if_positive(probs[-1]))
        return probs

    def counts(self, population: int) -> dict[str, float]:
        """The same numbers as expected counts in a population ("natural frequencies")."""
        sick = population * self.prevalence
        healthy = population - sick
        true_pos = sick * self.sensitivity
        false_pos = healthy * self.false_positive_rate
        return dict(sick=sick, healthy=healthy, true_positive=true_pos, false_positive=false_pos,
                    positive=true_pos + false_pos)


def after_repeated_identical_test(test: DiagnosticTest, k: int) -> float:
    """P(disease | k positives) when a retest always repeats the first result (fully dependent errors).

    Then the k results carry no more information than the first, so the posterior stays put.
    """
    # P(all k positive | disease) = sensitivity, P(all k positive | healthy) = false_positive_rate
    return posterior(test.prevalence, test.sensitivity, test.false_positive_rate) if k >= 1 else test.prevalence


# ---------------------------------------------------------------- a coin's bias, Beta prior


def flip_coin(*, seed: int, n_flips: int, bias: float) -> torch.Tensor:
    """n_flips results of a coin with P(heads) = bias, as float64 ones (heads) and zeros (tails)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.bernoulli(torch.full((n_flips,), bias, dtype=torch.float64), generator=gen)


def beta_update(a: float, b: float, flips: torch.Tensor) -> tuple[float, float]:
    """Conjugacy: Beta(a, b) prior and h heads, t tails give the posterior Beta(a + h, b + t)."""
    heads = float(flips.sum())
    return a + heads, b + (len(flips) - heads)


def sequential_beta(a: float, b: float, flips: torch.Tensor) -> torch.Tensor:
    """(a, b) after 0, 1, ..., n flips, updating one flip at a time: rows of shape (n + 1, 2)."""
    rows = [(a, b)]
    for flip in flips:
        rows.append(beta_update(*rows[-1], flip.reshape(1)))
    return torch.tensor(rows, dtype=torch.float64)


def beta_density(a: float, b: float, theta: torch.Tensor) -> torch.Tensor:
    """The Beta(a, b) density at theta, from torch.distributions.Beta."""
    dist = torch.distributions.Beta(torch.tensor(a, dtype=theta.dtype), torch.tensor(b, dtype=theta.dtype))
    return dist.log_prob(theta).exp()


def theta_grid(size: int) -> torch.Tensor:
    """Midpoints of `size` equal cells of (0, 1): avoids the endpoints, where a density can be 0 or infinite."""
    return (torch.arange(size, dtype=torch.float64) + 0.5) / size


def grid_posterior(prior_density: torch.Tensor, flips: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Numerical posterior density on an even grid: prior * likelihood, divided by its integral (the evidence)."""
    heads = flips.sum()
    tails = len(flips) - heads
    # in logs, so that 200 flips do not underflow theta^h (1 - theta)^t
    log_unnormalised = prior_density.log() + heads * theta.log() + tails * torch.log1p(-theta)
    unnormalised = (log_unnormalised - log_unnormalised.max()).exp()
    cell = theta[1] - theta[0]
    return unnormalised / (unnormalised.sum() * cell)


def beta_binomial_evidence(a: float, b: float, heads: int, tails: int) -> float:
    """P(h heads in n flips) under a Beta(a, b) prior: C(n, h) B(a + h, b + t) / B(a, b)."""
    def log_beta(p, q):
        return torch.lgamma(p) + torch.lgamma(q) - torch.lgamma(p + q)
    t = lambda v: torch.tensor(float(v), dtype=torch.float64)   # noqa: E731
    n = heads + tails
    log_choose = torch.lgamma(t(n + 1)) - torch.lgamma(t(heads + 1)) - torch.lgamma(t(tails + 1))
    return float((log_choose + log_beta(t(a + heads), t(b + tails)) - log_beta(t(a), t(b))).exp())


def beta_quantiles(a, b, probs: torch.Tensor, *, grid_size: int = 20_000) -> torch.Tensor:
    """Quantiles of Beta(a, b), found on a grid (torch has no Beta inverse CDF).

    The CDF is the running integral of the density (midpoint rule), inverted by linear interpolation.
    a and b may be tensors of shape (K,) for K distributions at once; the result is then (K, len(probs)).
    """
    a = torch.as_tensor(a, dtype=torch.float64).reshape(-1, 1)
    b = torch.as_tensor(b, dtype=torch.float64).reshape(-1, 1)
    probs = torch.as_tensor(probs, dtype=torch.float64)
    theta = theta_grid(grid_size)
    cell = 1.0 / grid_size
    density = torch.distributions.Beta(a, b).log_prob(theta).exp()               # (K, G)
    cdf = torch.nn.functional.pad(torch.cumsum(density, dim=1), (1, 0))          # at the cell edges 0, 1/G, ..., 1
    cdf = cdf / cdf[:, -1:]
    idx = torch.searchsorted(cdf, probs.expand(len(cdf), -1).contiguous()).clamp(1, grid_size)
    lo, hi = cdf.gather(1, idx - 1), cdf.gather(1, idx)
    quantiles = ((idx - 1) + (probs - lo) / (hi - lo)) * cell
    return quantiles[0] if quantiles.shape[0] == 1 and a.numel() == 1 else quantiles


def credible_interval(a: float, b: float, level: float = 0.95) -> tuple[float, float]:
    """The equal-tailed interval holding `level` of the posterior mass."""
    tail = (1.0 - level) / 2
    lo, hi = beta_quantiles(a, b, torch.tensor([tail, 1.0 - tail], dtype=torch.float64)).tolist()
    return lo, hi


# ---------------------------------------------------------------- conditioning versus intervening

TREATMENTS = ("A", "B")              # A open surgery, B percutaneous nephrolithotomy
STONE_SIZES = ("small", "large")     # < 2 cm, >= 2 cm


@dataclass(frozen=True)
class StratifiedTrial:
    """Successes and patients per treatment (rows) and stratum (columns)."""
    successes: torch.Tensor          # (2, 2) int64
    patients: torch.Tensor           # (2, 2) int64

    def rates(self) -> torch.Tensor:
        """P(success | treatment, stone size)."""
        return self.successes.double() / self.patients.double()

    def crude_rates(self) -> torch.Tensor:
        """P(success | treatment): strata pooled, which is what the 'overall' row reports."""
        return self.successes.sum(1).double() / self.patients.sum(1).double()

    def stratum_weights(self) -> torch.Tensor:
        """P(stone size), over all patients of both treatments."""
        per_size = self.patients.sum(0).double()
        return per_size / per_size.sum()

    def treatment_given_stratum(self) -> torch.Tensor:
        """P(treatment | stone size): how doctors chose, the arrow z -> x."""
        return self.patients.double() / self.patients.sum(0, keepdim=True).double()

    def adjusted_rates(self) -> torch.Tensor:
        """Back-door adjustment: P(success | do(treatment)) = sum_z P(success | treatment, z) P(z)."""
        return self.rates() @ self.stratum_weights()

    def crude_rates_as_mixture(self) -> torch.Tensor:
        """The crude rate is the same sum weighted by P(z | treatment) instead of P(z)."""
        stratum_given_treatment = self.patients.double() / self.patients.sum(1, keepdim=True).double()
        return (self.rates() * stratum_given_treatment).sum(1)


# Charig, Webb, Payne, Wickham (1986), BMJ 292:879-882, as tabulated by Julious and Mullee (1994).
KIDNEY_STONES = StratifiedTrial(
    successes=torch.tensor([[81, 192], [234, 55]]),
    patients=torch.tensor([[87, 263], [270, 80]]),
)


def percent(fraction, digits: int = 0) -> str:
    """A rate (float or 0-d tensor) in percent as the page prints it: `digits` decimals, halves rounded up.

    Python's round() sends exact halves to the even neighbour (round(0.5) == 0); tables round halves up.
    """
    scaled = math.floor(float(fraction) * 100 * 10 ** digits + 0.5 + 1e-9)   # 1e-9: halves lost to float noise
    return f"{scaled / 10 ** digits:.{digits}f}"


def simulate_trial(trial: StratifiedTrial, *, seed: int, n_patients: int,
                   do_treatment: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample patients from the causal model z -> x, z -> y, x -> y fitted to the trial's counts.

    z ~ P(z); x ~ P(x | z), or x = do_treatment for everyone (the intervention cuts z -> x);
    y ~ Bernoulli(P(y | x, z)). Returns (x, y) as int64 tensors of length n_patients.
    """
    gen = torch.Generator().manual_seed(seed)
    z = torch.multinomial(trial.stratum_weights(), n_patients, replacement=True, generator=gen)
    if do_treatment is None:
        p_b = trial.treatment_given_stratum()[1, z]              # P(x = B | z)
        x = torch.bernoulli(p_b, generator=gen).long()
    else:
        x = torch.full((n_patients,), do_treatment, dtype=torch.long)
    y = torch.bernoulli(trial.rates()[x, z], generator=gen).long()
    return x, y
