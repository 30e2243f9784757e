# %% [markdown]
# # Lab 4: Loss functions compared
#
# The same model gives different answers depending on the loss it is trained with. In this lab you run the two
# comparisons of the chapter [Loss functions](../loss-functions.md) yourself:
#
# 1. **Regression:** fit the same line model $\hat{y} = wx + b$ to data with outliers with the mean squared error
#    (MSE), the mean absolute error (MAE) and the Huber loss, and with a loss of your own.
# 2. **Classification:** see how the gradients of the cross-entropy (CE) and of the MSE differ on one sigmoid output.
#
# The loss functions and the training loop come from `dlnotes.loss_functions`, the code behind the chapter's
# figures and tests. Settings to change: the number of outliers `N_OUTLIERS`, how far they are pulled down
# `OUTLIER_SHIFT`, and the Huber threshold `DELTA`.

# %%
import math

from matplotlib import pyplot as plt
import torch
from torch import nn

from dlnotes import labkit
from dlnotes.figures.loss_functions import (
    compute_ce_vs_mse, compute_robust_fits, draw_ce_vs_mse, draw_robust_fits)
from dlnotes.loss_functions import (
    best_l1_line, fit_line_by_descent, huber_loss, mae_loss,
    make_outlier_line_data, mse_line, mse_loss)

labkit.setup(seed=0)

# %% [markdown]
# ## The data and the three losses
#
# The points scatter around the line $y = x + 0.5$, except the `N_OUTLIERS` points with the largest $x$, which are
# pulled down by `OUTLIER_SHIFT`. For a residual $r = y - \hat{y}$ the three losses of one point are as follows;
# each loss averages them over the points.
#
# $$
# \ell_{\text{MSE}}(r) = r^2,
# \qquad
# \ell_{\text{MAE}}(r) = |r|,
# \qquad
# \ell_{\text{Huber}}(r) =
# \begin{cases}
# \frac{1}{2} r^2 & |r| \le \delta \\
# \delta \left(|r| - \frac{1}{2} \delta\right) & |r| > \delta
# \end{cases}
# $$
#
# First, a check that the three functions of `dlnotes` give the same values as PyTorch's `nn.MSELoss`, `nn.L1Loss`
# and `nn.HuberLoss`.

# %%
N_POINTS = 40
N_OUTLIERS = 4         # how many points are pulled down
OUTLIER_SHIFT = -6.0   # how far
DELTA = 1.0            # the Huber loss's threshold

x, y = make_outlier_line_data(seed=1, n_points=N_POINTS, n_outliers=N_OUTLIERS,
                              outlier_shift=OUTLIER_SHIFT)
pred = 0.8 * x + 0.2   # any line will do
checks = [
    ("MSE", mse_loss(pred, y), nn.MSELoss()(pred, y)),
    ("MAE", mae_loss(pred, y), nn.L1Loss()(pred, y)),
    ("Huber", huber_loss(pred, y, DELTA), nn.HuberLoss(delta=DELTA)(pred, y)),
]
for name, ours, torch_nn in checks:
    print(f"{name:6s} dlnotes {ours.item():.10f}"
          f"   torch.nn {torch_nn.item():.10f}")
    assert torch.allclose(ours, torch_nn)

# %% [markdown]
# ## One line, three losses
#
# The MSE has a closed-form solution (least squares). The MAE and the Huber loss are fitted by
# `fit_line_by_descent`, which starts at $(w, b) = (0, 0)$, runs gradient descent on the loss and decays the step
# size to 0. The same function fits the MSE too, to check that it lands on the closed form, and the MAE line is also
# compared with the exact solution (`best_l1_line`).

# %%
STEPS, LR = 400, 0.5


def huber(pred, target):
    return huber_loss(pred, target, DELTA)


lines = {
    "MSE (closed form)": mse_line(x, y),
    "MSE (descent)": fit_line_by_descent(x, y, mse_loss, steps=STEPS, lr=LR),
    "MAE (descent)": fit_line_by_descent(x, y, mae_loss, steps=STEPS, lr=LR),
    "MAE (exact)": best_l1_line(x, y),
    "Huber (descent)": fit_line_by_descent(x, y, huber, steps=STEPS, lr=LR),
}
print("clean line          w = 1.0000  b = 0.5000")
for name, (w, b) in lines.items():
    print(f"{name:19s} w = {w:.4f}  b = {b:+.4f}")

# %% [markdown]
# The MSE line tilts far towards the outliers; the MAE and Huber lines stay much closer to the clean line.
#
# ## Who pulls the line
#
# In gradient descent, the force with which point $i$ moves the line is the gradient of the loss with respect to
# its prediction, $\partial L / \partial \hat{y}_i$. For the MSE it is proportional to the residual ($-2r_i/N$),
# the MAE keeps only its sign ($-\operatorname{sign}(r_i)/N$), and the Huber loss clips it to
# $[-\delta, \delta]$. Let autograd compute these gradients on the clean line and see what share of their size
# comes from the `N_OUTLIERS` outliers.

# %%
is_outlier = torch.zeros(N_POINTS, dtype=torch.bool)
is_outlier[torch.argsort(x, descending=True)[:N_OUTLIERS]] = True
for name, loss_fn in [("MSE", mse_loss), ("MAE", mae_loss), ("Huber", huber)]:
    clean_pred = (1.0 * x + 0.5).requires_grad_()
    loss_fn(clean_pred, y).backward()
    pull = clean_pred.grad.abs()
    share = (pull[is_outlier].sum() / pull.sum()).item()
    print(f"{name:6s} outliers give {share:6.1%} of the pull"
          f"  ({N_OUTLIERS} of {N_POINTS} points)")

# %% [markdown]
# The function behind the chapter's figure draws the three lines and the shapes of the three losses.

# %% alt="Lines fitted by the MSE, MAE and Huber losses to data with outliers (left) and the three losses against the residual (right)"
fits = compute_robust_fits(seed=1, n_points=N_POINTS, n_outliers=N_OUTLIERS,
                           outlier_shift=OUTLIER_SHIFT, delta=DELTA,
                           steps=STEPS, lr=LR)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4), layout="constrained")
draw_robust_fits(axes, fits)
plt.show()

# %% [markdown]
# ## A loss of your own
#
# `fit_line_by_descent` takes any function of the form `loss_fn(pred, target)`. The log-cosh loss
# $\ell(r) = \log \cosh r$, for example, behaves like $r^2/2$ near 0 and like $|r| - \log 2$ far from it: much like
# the Huber loss, but smooth everywhere. Fit the same line with it, then try losses of your own.

# %%
def log_cosh_loss(pred, target):
    return torch.log(torch.cosh(pred - target)).mean()


w, b = fit_line_by_descent(x, y, log_cosh_loss, steps=STEPS, lr=LR)
print(f"log-cosh (descent)  w = {w:.4f}  b = {b:+.4f}")

# %% [markdown]
# ## Exercise: a log-cosh loss that does not overflow
#
# `torch.log(torch.cosh(r))` is fine for the residuals above, but in float32 $\cosh r$ becomes `inf` once $|r|$
# exceeds about 89, and the loss with it. Write `stable_log_cosh_loss`, finite for every residual, from the identity
# $\log \cosh r = |r| + \log(1 + e^{-2|r|}) - \log 2$: exercise 4 of the chapter
# [Loss functions](../loss-functions.md#exercises). The cell after yours compares it with `torch.log(torch.cosh(r))` in
# float64 and with $|r| - \log 2$ far out in float32, and prints `correct` when both agree.

# %% tags=["exercise"]
def stable_log_cosh_loss(pred, target):
    # r = |pred - target|. The middle term log(1 + exp(-2r)) is
    # nn.functional.softplus(-2 * r), which cannot overflow.
    # Return the mean over all elements.
    raise NotImplementedError("write stable_log_cosh_loss in this cell")


# %% tags=["solution"]
def stable_log_cosh_loss(pred, target):
    r = (pred - target).abs()
    return (r + nn.functional.softplus(-2 * r) - math.log(2)).mean()


# %% tags=["check"]
r = torch.linspace(-20, 20, 401, dtype=torch.float64)
far = torch.tensor([-1000.0, 500.0, 1000.0])   # float32: cosh overflows
pairs = [
    (stable_log_cosh_loss(r, torch.zeros_like(r)),
     torch.log(torch.cosh(r)).mean()),
    (stable_log_cosh_loss(far, torch.zeros_like(far)),
     (far.abs() - math.log(2)).mean()),
]
if all(torch.allclose(ours, want) for ours, want in pairs):
    print("correct")
else:
    gap = max((ours - want).abs().item() for ours, want in pairs)
    print(f"largest difference {gap:.3g}")

# %% [markdown]
# ## In classification: cross-entropy and MSE
#
# Take one example with the label 1 and a model with a sigmoid output $p = \sigma(z)$. The cross-entropy is
# $-\log \sigma(z)$; the MSE on the probability is $(1 - \sigma(z))^2$. When the model is confidently wrong, that is
# when $z$ is very negative, what are the two losses' gradients in the logit? `nn.BCEWithLogitsLoss`, `nn.MSELoss`
# and autograd tell.

# %%
for value in [-8.0, -2.0, 0.0, 2.0]:
    z = torch.tensor([value], dtype=torch.float64, requires_grad=True)
    label = torch.ones(1, dtype=torch.float64)
    (ce_grad,) = torch.autograd.grad(nn.BCEWithLogitsLoss()(z, label), z)
    (mse_grad,) = torch.autograd.grad(nn.MSELoss()(torch.sigmoid(z), label), z)
    print(f"z = {value:+.0f}   dCE/dz = {ce_grad.item():+.5f}"
          f"   dMSE/dz = {mse_grad.item():+.5f}")

# %% [markdown]
# At $z = -8$ the cross-entropy's gradient stays large, close to $-1$, while the MSE's is nearly 0 because of its
# factor $\sigma(z)$: trained with the MSE, the examples that are most wrong get corrected least. The function
# behind the chapter's figure draws both losses and their gradients in full.

# %% alt="The cross-entropy and MSE losses against the logit for the label 1 (left) and their gradients in the logit (right)"
curves = compute_ce_vs_mse(z_min=-10.0, z_max=6.0, n_points=321)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
draw_ce_vs_mse(axes, curves)
plt.show()

# %% [markdown]
# ## Things to try
#
# - Set `N_OUTLIERS` to 0, 4 and 12. How many outliers does it take before the MAE line gives way too?
# - With `DELTA` at 0.1 and at 10, which loss's line does the Huber line come close to, and why?
# - Make `OUTLIER_SHIFT` $-60$: how far do the MSE and MAE lines move? Compare with the chapter's section
#   [Outliers, the MAE and the Huber loss](../loss-functions.md#robust).
