"""Exercise solution: mini-batch SGD on the line model by hand, next to torch.optim.SGD + ExponentialLR.

Run: python snippets/exercises/gradient_descent_sgd_by_hand.py
"""
import torch
from torch import nn


def sgd_by_hand(x, y, epochs_of_batches, *, lr, gamma):
    """SGD on y_hat = w x + b from (0, 0); the step size is lr * gamma**epoch. (w, b) after each epoch."""
    w, b = 0.0, 0.0
    path = []
    for epoch, batches in enumerate(epochs_of_batches):
        eta = lr * gamma ** epoch                   # what ExponentialLR sets, stepped once per epoch
        for batch in batches:
            r = y[batch] - (w * x[batch] + b)       # the batch's residuals
            grad_w, grad_b = -2 * (r * x[batch]).mean(), -2 * r.mean()
            w, b = w - eta * grad_w, b - eta * grad_b
        path.append((float(w), float(b)))
    return path


if __name__ == "__main__":
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(64, generator=gen, dtype=torch.float64) * 4 - 1            # x in [-1, 3)
    y = 1.5 * x + 0.7 + 0.4 * torch.randn(64, generator=gen, dtype=torch.float64)
    epochs = [torch.randperm(64, generator=gen).split(8) for _ in range(20)]   # B = 8

    ours = sgd_by_hand(x, y, epochs, lr=0.05, gamma=0.9)

    model = nn.Linear(1, 1, dtype=torch.float64)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    for epoch, batches in enumerate(epochs):
        for batch in batches:
            opt.zero_grad()
            nn.functional.mse_loss(model(x[batch, None]), y[batch, None]).backward()
            opt.step()
        scheduler.step()                            # after the epoch's steps, as PyTorch expects
        w, b = model.weight.item(), model.bias.item()
        gap = max(abs(w - ours[epoch][0]), abs(b - ours[epoch][1]))
        if epoch + 1 in (1, 5, 20):
            print(f"epoch {epoch + 1:2d}  by hand w = {ours[epoch][0]:.6f}, b = {ours[epoch][1]:.6f}"
                  f"  torch.optim within 1e-12: {gap < 1e-12}")
