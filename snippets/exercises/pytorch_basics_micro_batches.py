"""Exercise: the gradient of a whole batch, collected micro-batch by micro-batch with backward().

Run: python snippets/exercises/pytorch_basics_micro_batches.py
"""
import torch
from torch import nn


def accumulated_gradients(model: nn.Module, loss_fn, x: torch.Tensor, y: torch.Tensor,
                          micro_batch: int) -> list[torch.Tensor]:
    """The gradient of loss_fn(model(x), y), a mean over the N examples, from chunks of micro_batch."""
    model.zero_grad()
    n = len(x)
    for start in range(0, n, micro_batch):
        xs, ys = x[start:start + micro_batch], y[start:start + micro_batch]
        # a chunk's mean loss weighs len(xs) examples out of n; backward() adds to .grad
        (loss_fn(model(xs), ys) * len(xs) / n).backward()
    return [p.grad.clone() for p in model.parameters()]


if __name__ == "__main__":
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    x, y = torch.randn(10, 3, dtype=torch.float64), torch.randn(10, 1, dtype=torch.float64)
    loss_fn = nn.MSELoss()
    pieces = accumulated_gradients(model, loss_fn, x, y, micro_batch=4)      # chunks of 4, 4 and 2
    model.zero_grad()
    loss_fn(model(x), y).backward()
    whole = [p.grad for p in model.parameters()]
    gap = max((a - b).abs().max().item() for a, b in zip(pieces, whole))
    print(f"micro-batches of 4 vs the whole batch of 10: max difference {gap:.1e}")
