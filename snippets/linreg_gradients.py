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
# dL/dw = -2/N sum_i (y_i - y_hat_i) x_i
# dL/db = -2/N sum_i (y_i - y_hat_i)
residual = y - (w * x + b)
grad_w = -2 * (residual * x).mean()
grad_b = -2 * residual.mean()
# --8<-- [end:by_hand]

# --8<-- [start:autograd]
# autograd records the computation of the loss
w_auto = w.clone().requires_grad_()
b_auto = b.clone().requires_grad_()
loss = ((y - (w_auto * x + b_auto)) ** 2).mean()
loss.backward()  # fills w_auto.grad, b_auto.grad
# --8<-- [end:autograd]

print(f"dL/dw  by hand {grad_w.item():+.10f}   autograd {w_auto.grad.item():+.10f}")
print(f"dL/db  by hand {grad_b.item():+.10f}   autograd {b_auto.grad.item():+.10f}")
assert torch.allclose(grad_w, w_auto.grad) and torch.allclose(grad_b, b_auto.grad)
