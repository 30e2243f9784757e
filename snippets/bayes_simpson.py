"""Simpson's paradox in the kidney-stone study (Charig et al., BMJ 1986) and the adjustment that resolves it.

Run: python snippets/bayes_simpson.py     prints per-size, crude and adjusted success rates
"""
import torch

# rows: treatment A (open surgery), B (percutaneous nephrolithotomy); columns: small, large stones
successes = torch.tensor([[81, 192], [234, 55]], dtype=torch.float64)
patients = torch.tensor([[87, 263], [270, 80]], dtype=torch.float64)

rate = successes / patients                      # P(y | x, z)
crude = successes.sum(1) / patients.sum(1)       # P(y | x): the stone sizes pooled
p_size = patients.sum(0) / patients.sum()        # P(z) over all 700 patients
adjusted = rate @ p_size                         # sum_z P(y | x, z) P(z) = P(y | do(x))

for x, name in enumerate("AB"):
    print(f"{name}: small {rate[x, 0]:.1%}  large {rate[x, 1]:.1%}  "
          f"crude {crude[x]:.1%}  adjusted {adjusted[x]:.1%}")

# The same answer by intervening: in a simulated hospital with these probabilities,
# give everybody treatment x whatever their stone, and count the successes.
gen = torch.Generator().manual_seed(0)
size = torch.multinomial(p_size, 1_000_000, replacement=True, generator=gen)
for x, name in enumerate("AB"):
    cured = torch.bernoulli(rate[x, size], generator=gen)
    print(f"do({name}) in simulation: {cured.mean():.1%}")
