"""Autograd against a derivative worked out by hand, for f(x) = sum_i sin(x_i) * x_i**2.

Run: python snippets/pytorch_autograd_check.py
"""
import torch


# --8<-- [start:function]
def f(x):
    return (torch.sin(x) * x ** 2).sum()


def df_by_hand(x):
    # product rule on each term
    return (torch.cos(x) * x ** 2
            + 2 * x * torch.sin(x))
# --8<-- [end:function]


# --8<-- [start:autograd]
x = torch.linspace(-3, 3, 7, dtype=torch.float64,
                   requires_grad=True)
y = f(x)      # a scalar; y.grad_fn records
              # how it was computed
y.backward()  # fills x.grad with df/dx
# --8<-- [end:autograd]

with torch.no_grad():
    hand = df_by_hand(x)
for xi, by_hand, by_autograd in zip(x.tolist(), hand.tolist(), x.grad.tolist()):
    print(f"x = {xi:+.1f}   by hand {by_hand:+.10f}   autograd {by_autograd:+.10f}")
assert torch.allclose(hand, x.grad)
