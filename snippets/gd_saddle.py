"""Gradient descent stops on a saddle point; the noise of SGD pushes it off.

Loss of example i: l_i(u, v) = u^2/2 + v^4/4 - v^2/2 + c_i v, with the c_i averaging to 0.
The full loss L = u^2/2 + v^4/4 - v^2/2 has a saddle at (0, 0) and minima at (0, +1), (0, -1).

Run: python snippets/gd_saddle.py
"""
import torch

c = torch.tensor([-0.5, 0.5, -0.25, 0.25], dtype=torch.float64)   # sums to exactly 0


def loss(theta, examples):
    u, v = theta
    return (u ** 2 / 2 + v ** 4 / 4 - v ** 2 / 2 + c[examples] * v).mean()


def descend(start, *, batch_size, eta=0.1, steps=400, seed=0):
    """Returns the final theta and the first step at which the full loss fell below -0.2."""
    gen = torch.Generator().manual_seed(seed)
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    escaped = None
    for step in range(steps):
        batch = torch.randperm(len(c), generator=gen)[:batch_size]
        (grad,) = torch.autograd.grad(loss(theta, batch), theta)
        with torch.no_grad():
            theta -= eta * grad
            if escaped is None and loss(theta, torch.arange(len(c))) < -0.2:
                escaped = step + 1
    return theta.detach(), escaped


runs = {
    "full batch from (2, 0)": descend((2.0, 0.0), batch_size=len(c)),
    "full batch from (2, 1e-6)": descend((2.0, 1e-6), batch_size=len(c)),
    "SGD, B = 1, from (2, 0)": descend((2.0, 0.0), batch_size=1),
}
for name, (theta, escaped) in runs.items():
    u, v = theta.tolist()
    left = f"left the saddle at step {escaped}" if escaped else "never left the saddle"
    print(f"{name:26s} ends at ({u:+.4f}, {v:+.4f}), {left}")
