"""Exercise solution: SGD with Nesterov momentum by hand, next to torch.optim.SGD(nesterov=True).

Run: python snippets/exercises/optimizers_nesterov_by_hand.py
"""
import torch

from dlnotes.optimizers import rosenbrock


def nesterov_step(params, velocities, *, lr, momentum):
    """One step on every tensor of `params` (their .grad set); `velocities` holds v per tensor, None at first."""
    with torch.no_grad():
        for i, p in enumerate(params):
            g = p.grad
            v = g.clone() if velocities[i] is None else momentum * velocities[i] + g   # v_1 = g_1
            velocities[i] = v
            p -= lr * (g + momentum * v)       # look ahead by one velocity step


if __name__ == "__main__":
    ours = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    theirs = ours.detach().clone().requires_grad_()
    velocities = [None]
    reference = torch.optim.SGD([theirs], lr=1e-3, momentum=0.9, nesterov=True)
    for step in range(1, 501):
        for xy in (ours, theirs):
            xy.grad = None
            rosenbrock(xy).backward()
        nesterov_step([ours], velocities, lr=1e-3, momentum=0.9)
        reference.step()
        if step in (1, 100, 500):
            gap = (ours - theirs).abs().max().item()
            print(f"step {step:3d}: f = {rosenbrock(ours).item():.6f}"
                  f"  torch.optim.SGD(nesterov=True) within 1e-12: {gap < 1e-12}")
