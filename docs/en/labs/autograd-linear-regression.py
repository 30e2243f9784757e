# %% [markdown]
# # Lab 1: Autograd and linear regression
#
# The chapter [The linear neural network and gradient descent](../linear-regression.md) derived the gradient of the
# mean squared error by hand. In this lab we hold that formula against PyTorch's automatic differentiation (autograd)
# and fit the same line in three ways:
#
# 1. gradient descent with the gradient formulas derived in the chapter;
# 2. the same, with autograd computing the gradients;
# 3. `nn.Linear` with `torch.optim.SGD`, the way PyTorch code usually trains.
#
# The data, the loss, the gradient formulas and gradient descent come from `dlnotes.linear_regression`, the module
# behind the site's figures and tests. Change the settings in capitals (`N_POINTS`, `ETA`, ...) and run again.
# The whole lab takes a few seconds on a CPU.

# %%
import torch
from torch import nn
from matplotlib import pyplot as plt

from dlnotes import labkit
from dlnotes.figures.linear_regression import (
    compute_descent_paths, draw_loss_curves, draw_loss_surface)
from dlnotes.linear_regression import (
    critical_step_size, gradient_descent, least_squares, make_line_data, mse,
    mse_gradients)

labkit.setup(seed=0)   # fixed seeds, one torch thread, the site's figure style

# %% [markdown]
# ## The data
#
# Points scattered around the true line $y = 1.5x + 0.7$, with inputs $x$ drawn uniformly from $[-2, 2)$.
# Every tensor is in double precision (`float64`), so that rounding does not blur the comparisons.

# %%
N_POINTS = 60   # number of points
NOISE = 0.4     # standard deviation of the noise

x, y = make_line_data(seed=0, n_points=N_POINTS, noise=NOISE)
print("x:", tuple(x.shape), x.dtype)
print(f"x from {x.min().item():.2f} to {x.max().item():.2f}")
print("first three (x, y):", [(round(a, 3), round(b, 3))
                             for a, b in zip(x[:3].tolist(), y[:3].tolist())])

# %% [markdown]
# ## The gradient: derived by hand and by autograd
#
# With the residuals $r_i = y_i - w x_i - b$, the chapter derived
#
# $$
# \frac{\partial L}{\partial w} = -\frac{2}{N} \sum_{i=1}^{N} r_i\, x_i,
# \qquad
# \frac{\partial L}{\partial b} = -\frac{2}{N} \sum_{i=1}^{N} r_i
# $$
#
# `mse_gradients` computes exactly these formulas. For autograd, we create the parameters with `requires_grad=True`,
# compute the loss and call `backward()`: PyTorch applies the chain rule backwards and fills each parameter's `.grad`.

# %%
w = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
b = torch.tensor(-0.1, dtype=torch.float64, requires_grad=True)

loss = mse(x, y, w, b)   # this computation is recorded
loss.backward()          # walks the record backwards and fills w.grad, b.grad

# the formulas derived by hand
grad_w, grad_b = mse_gradients(x, y, w.detach(), b.detach())
print(f"loss = {loss.item():.6f}")
print(f"dL/dw  by hand {grad_w.item():+.12f}   autograd {w.grad.item():+.12f}")
print(f"dL/db  by hand {grad_b.item():+.12f}   autograd {b.grad.item():+.12f}")
assert torch.allclose(grad_w, w.grad) and torch.allclose(grad_b, b.grad)

# %% [markdown]
# ### What autograd recorded
#
# A loss tensor's `grad_fn` is the last operation that produced it, and each operation's `next_functions` point to the
# operations that produced its inputs. Following that chain shows the computation graph autograd recorded. The
# `AccumulateGrad` nodes at the bottom are the leaves, $w$ and $b$: they receive the gradients and add them to `.grad`.

# %%
def show_graph(fn, depth=0):
    """Print the backward graph autograd recorded, one operation per line."""
    if fn is None:           # an input that needs no gradient (x, y)
        return
    name = type(fn).__name__
    if name == "AccumulateGrad":
        name += f"   <- leaf, shape {tuple(fn.variable.shape)}"
    print("    " * depth + name)
    for child, _ in fn.next_functions:
        show_graph(child, depth + 1)


show_graph(loss.grad_fn)

# %% [markdown]
# ### Gradients accumulate
#
# `backward()` does not replace `.grad`: it **adds** to it. That is why a training loop clears the gradients at every
# step. Calling `backward()` once more without clearing them gives exactly twice the value.

# %%
mse(x, y, w, b).backward()   # the same loss once more
print("w.grad / (dL/dw):", (w.grad / grad_w).item())
# what optimizer.zero_grad() does in a training loop
w.grad = None
b.grad = None

# %% [markdown]
# ## Fitting the line three ways
#
# All three start from $(w, b) = (-1, -1.5)$ and take `STEPS` steps of the same size.
#
# **The formulas derived by hand.** `gradient_descent` gets the gradient from `mse_gradients` and repeats
# $w \leftarrow w - \eta\, \partial L / \partial w$, $b \leftarrow b - \eta\, \partial L / \partial b$.

# %%
ETA = 0.1     # step size (learning rate)
STEPS = 60
W0, B0 = -1.0, -1.5

# one row (w, b, loss) per step, from the start to step STEPS
by_hand = gradient_descent(x, y, eta=ETA, steps=STEPS, w0=W0, b0=B0)


def last_step(name, path):
    """Print the (w, b, loss) row of a path's last step."""
    w_end, b_end, loss_end = path[-1].tolist()
    print(f"{name:12s} w = {w_end:.6f}  b = {b_end:.6f}  loss = {loss_end:.6f}")


last_step("by hand", by_hand)

# %% [markdown]
# **Autograd.** Autograd computes the gradients, and we update the parameters ourselves. The update itself need not
# be recorded, so it runs inside `torch.no_grad()`; then `.grad` is cleared for the next step.

# %%
w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
rows = []
for step in range(STEPS + 1):
    loss = mse(x, y, w, b)
    rows.append([w.item(), b.item(), loss.item()])
    loss.backward()
    with torch.no_grad():      # keep the update out of the graph
        w -= ETA * w.grad
        b -= ETA * b.grad
    w.grad = None
    b.grad = None
with_autograd = torch.tensor(rows, dtype=torch.float64)
last_step("autograd", with_autograd)

# %% [markdown]
# **`nn.Linear` and `torch.optim.SGD`.** The model is an `nn.Linear` with one input and one output, the loss
# `nn.MSELoss`, which equals the chapter's loss $L$ when there is one output. The optimizer takes care of the update
# (`step`) and of clearing the gradients (`zero_grad`).

# %%
model = nn.Linear(1, 1, dtype=torch.float64)
with torch.no_grad():        # the same start as the other two
    model.weight.fill_(W0)
    model.bias.fill_(B0)
optimizer = torch.optim.SGD(model.parameters(), lr=ETA)
loss_fn = nn.MSELoss()
inputs = x.unsqueeze(1)      # nn.Linear takes inputs of shape (N, 1)
rows = []
for step in range(STEPS + 1):
    loss = loss_fn(model(inputs).squeeze(1), y)
    rows.append([model.weight.item(), model.bias.item(), loss.item()])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
with_optim = torch.tensor(rows, dtype=torch.float64)
last_step("torch.optim", with_optim)

# %% [markdown]
# Now the three paths against the least-squares solution $(w^*, b^*)$. The three methods make the same updates with
# the same gradients, so their paths must agree up to floating-point rounding.

# %% alt="Left: the data and the lines at steps 0, 5 and 60. Right: the loss curves of the three methods, on top of each other on a log scale"
w_star, b_star = least_squares(x, y)
loss_star = mse(x, y, w_star, b_star).item()
last_step("least sq.", torch.tensor([[w_star, b_star, loss_star]]))
for name, path in [("autograd", with_autograd), ("torch.optim", with_optim)]:
    gap = (path - by_hand).abs().max().item()
    print(f"{name}: largest difference from the by-hand path {gap:.1e}")
    assert gap < 1e-10

fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(7.2, 3.2),
                                     layout="constrained")
ax_fit.scatter(x, y, s=12, color="0.6", label="data")
grid = torch.linspace(-2, 2, 2, dtype=torch.float64)
for step, color in [(0, "C1"), (5, "C2"), (STEPS, "C0")]:
    w_s, b_s, _ = by_hand[step].tolist()
    ax_fit.plot(grid, w_s * grid + b_s, color=color, label=f"step {step}")
ax_fit.set(xlabel="$x$", ylabel="$y$")
ax_fit.legend(loc="upper left", fontsize="small")
for path, style, label in [(by_hand, "-", "by hand"),
                           (with_autograd, "--", "autograd"),
                           (with_optim, ":", "torch.optim")]:
    ax_loss.semilogy(path[:, 2], linestyle=style, label=label)
ax_loss.axhline(loss_star, color="0.5", linewidth=1.0, label="$L(w^*, b^*)$")
ax_loss.set(xlabel="step", ylabel="$L(w, b)$")
ax_loss.legend(fontsize="small")
plt.show()

# %% [markdown]
# The three loss curves lie on top of each other. On the left, the starting line (with the wrong sign of slope) turns
# towards the data within a few steps.
#
# ## Changing the step size
#
# As the chapter showed, gradient descent converges only for step sizes below $\eta_c = 2 / \lambda_{\mathrm{max}}(H)$, where
# $H$ is the Hessian of the loss. The next cell draws with the functions behind the chapter's figures
# (`compute_descent_paths`, `draw_loss_surface`, `draw_loss_curves`). Change `ETA_FRACTIONS` (each path's
# $\eta / \eta_c$) and `X_RANGE`. For example, `X_RANGE = (-2.0, 2.0)` centres the inputs around 0: the valley of the
# loss becomes nearly round and descent gets faster.

# %% alt=["Gradient-descent paths with three step sizes over the contours of the loss", "The loss against the step for three step sizes, on a log scale"]
ETA_FRACTIONS = (0.1, 0.9, 1.02)   # the three step sizes, in units of eta_c
X_RANGE = (0.0, 4.0)               # the range of the inputs

paths = compute_descent_paths(
    seed=0, n_points=50, x_range=X_RANGE, eta_fractions=ETA_FRACTIONS,
    steps=30, start=(0.0, 3.2), grid_size=121, window=(-1.0, 3.0, -1.5, 4.0))
print(f"eta_c = {paths.eta_critical:.4f}")

fig, axes = plt.subplots(1, 3, figsize=(7.2, 3.0), layout="constrained")
draw_loss_surface(axes, paths)
plt.show()

fig, ax = plt.subplots(figsize=(7.2, 3.0), layout="constrained")
draw_loss_curves(ax, paths)
plt.show()

# %% [markdown]
# `critical_step_size` computes $\eta_c$ from the largest eigenvalue of the Hessian. On the first data set (with `x`
# in $[-2, 2)$) it tells whether the `ETA` used above was safe.

# %%
eta_c = critical_step_size(x)
print(f"eta_c = {eta_c:.4f}, ETA = {ETA} is {ETA / eta_c:.2f} eta_c")

# %% [markdown]
# ## Things to try
#
# - Set `ETA` a little above `eta_c` and run the three methods again. Do the paths still agree? What does the loss do?
# - With `NOISE = 0`, how does the least-squares solution relate to the true line $(1.5, 0.7)$?
# - Predict what changes when you delete the two `w.grad = None` lines of the autograd loop, then check.
