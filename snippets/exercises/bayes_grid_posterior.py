"""Exercise solution: a coin's posterior on a grid, for any prior, checked against the conjugate Beta posterior.

Run: python snippets/exercises/bayes_grid_posterior.py
"""
import torch
from torch.distributions import Beta


def grid_posterior(log_prior, heads, tails, size=2000):
    """(theta, density): the posterior of a coin's bias at the midpoints of `size` cells of (0, 1).

    log_prior(theta) gives the log prior density, up to an additive constant.
    """
    theta = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    log_post = log_prior(theta) + heads * torch.log(theta) + tails * torch.log1p(-theta)
    post = torch.exp(log_post - log_post.max())       # in logs first: theta^h underflows for many flips
    return theta, post / (post.sum() / size)          # divide by the integral: the evidence


def beta_log_prior(a, b):
    return Beta(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)).log_prob


def mixture_log_prior(theta):
    """Half "a nearly fair coin", Beta(50, 50); half "no idea", the uniform Beta(1, 1)."""
    parts = torch.stack([beta_log_prior(50.0, 50.0)(theta), beta_log_prior(1.0, 1.0)(theta)])
    return torch.logsumexp(parts, dim=0) + torch.log(torch.tensor(0.5, dtype=torch.float64))


if __name__ == "__main__":
    for heads, tails in ((4, 1), (144, 56)):
        theta, density = grid_posterior(beta_log_prior(2.0, 2.0), heads, tails)
        exact = beta_log_prior(2.0 + heads, 2.0 + tails)(theta).exp()
        gap = ((density - exact).abs().max() / exact.max()).item()
        print(f"Beta(2, 2) prior, {heads:3d} heads {tails:2d} tails: grid vs Beta({2 + heads}, {2 + tails})"
              f" within 1e-6 of the peak: {gap < 1e-6}")
    for heads, tails in ((4, 1), (16, 4)):
        theta, density = grid_posterior(mixture_log_prior, heads, tails)
        mean = (theta * density).mean().item()        # the integral of theta p(theta | D)
        print(f"mixture prior, {heads:2d} heads {tails} tails: posterior mean {mean:.3f}")
