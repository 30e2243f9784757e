"""Learn a coin's bias with a Beta prior, one batch of flips at a time.

Run: python snippets/bayes_coin.py     prints the posterior after each batch
"""
import torch
from torch.distributions import Beta


def update(a, b, flips):
    """Beta(a, b) prior + h heads and t tails -> Beta(a + h, b + t) posterior."""
    heads = int(flips.sum())
    return a + heads, b + len(flips) - heads


gen = torch.Generator().manual_seed(0)
flips = torch.bernoulli(torch.full((200,), 0.7, dtype=torch.float64), generator=gen)   # 1 = heads

a, b = 1, 1                        # Beta(1, 1): before any flip, every bias is equally plausible
seen = 0
for batch in (1, 1, 3, 5, 40, 150):
    a, b = update(a, b, flips[seen:seen + batch])     # the last posterior is the prior of this batch
    seen += batch
    belief = Beta(float(a), float(b))
    heads = int(flips[:seen].sum())
    print(f"after {seen:3d} flips ({heads:3d} heads): Beta({a:3d}, {b:2d})  "
          f"mean {belief.mean:.3f}  sd {belief.stddev:.3f}")

assert (a, b) == update(1, 1, flips)   # one update with all 200 flips lands on the same Beta
