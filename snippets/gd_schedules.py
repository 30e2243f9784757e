"""Three ways to shrink the step size, written as formulas and as PyTorch schedulers.

Run: python snippets/gd_schedules.py
"""
import torch
from torch.optim.lr_scheduler import ExponentialLR, LambdaLR, StepLR

eta0 = 0.1
formulas = {
    "StepLR": lambda t: eta0 * 0.5 ** (t // 10),       # halve every 10 epochs
    "ExponentialLR": lambda t: eta0 * 0.9 ** t,        # 10 % less every epoch
    "LambdaLR (1/t)": lambda t: eta0 / (1 + t / 5),    # eta0 / (1 + t / t0)
}


def scheduler_for(name, optimizer):
    if name == "StepLR":
        return StepLR(optimizer, step_size=10, gamma=0.5)
    if name == "ExponentialLR":
        return ExponentialLR(optimizer, gamma=0.9)
    return LambdaLR(optimizer, lr_lambda=lambda t: 1 / (1 + t / 5))   # a factor on eta0


def learning_rates(name, epochs):
    w = torch.zeros(3, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=eta0)
    scheduler = scheduler_for(name, optimizer)
    rates = []
    for epoch in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])   # the step size used in this epoch
        # ... for every batch: loss.backward(); optimizer.step(); optimizer.zero_grad()
        optimizer.step()
        scheduler.step()                                # once per epoch, after the optimizer
    return rates


epochs = (0, 1, 9, 10, 20, 50)
print("epoch          " + "".join(f"{t:>9d}" for t in epochs))
for name, formula in formulas.items():
    rates = learning_rates(name, max(epochs) + 1)
    assert all(abs(rates[t] - formula(t)) < 1e-12 for t in range(len(rates)))
    print(f"{name:15s}" + "".join(f"{rates[t]:9.5f}" for t in epochs))
