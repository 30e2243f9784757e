"""The MSE gradient of y_hat = w*x + b, derived by hand and computed by autograd.

Run: python snippets/linreg_gradients.py
"""
import torch

torch.manual_seed(0)
x = torch.randn(100, dtype=torch.float64)
y = 1.5 * x + 0.7 + 0.4 * torch.randn(100, dtype=torch.float64)
w = torch.tensor(0.2, dtype=torch.float64)
b = torch.tensor(-0.1, dtype=torch.float64)

# --8<-- [start:by_hand]
residual = y - (w * x + b)            # y_i - y_hat_i
grad_w = -2 * (residual * x).mean()   # dL/dw = -2/N sum (y_i - y_hat_i) x_i
grad_b = -2 * residual.mean()         # dL/db = -2/N sum (y_i - y_hat_i)
# --8<-- [end:by_hand]

# --8<-- [start:autograd]
w_auto = w.clone().requires_grad_()
b_auto = b.clone().requires_grad_()
loss = ((y - (w_auto * x + b_auto)) ** 2).mean()
loss.backward()                       # fills w_auto.grad and b_auto.grad
# --8<-- [end:autograd]

print(f"dL/dw  by hand {grad_w.item():+.10f}   autograd {w_auto.grad.item():+.10f}")
print(f"dL/db  by hand {grad_b.item():+.10f}   autograd {b_auto.grad.item():+.10f}")
assert torch.allclose(grad_w, w_auto.grad) and torch.allclose(grad_b, b_auto.grad)
