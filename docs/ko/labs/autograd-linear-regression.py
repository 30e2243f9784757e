# %% [markdown]
# # 실습 1: 자동 미분과 선형 회귀
#
# [선형 신경망과 경사하강법](../linear-regression.md) 장에서는 평균제곱오차의 그래디언트를 손으로 유도했다.
# 이 실습에서는 그 식을 PyTorch의 자동 미분(autograd)과 직접 맞춰 보고, 같은 직선을 세 가지 방법으로 맞춘다.
#
# 1. 장에서 유도한 그래디언트 식으로 경사하강법을 돌린다.
# 2. 그래디언트 계산을 autograd에 맡긴다.
# 3. `nn.Linear`와 `torch.optim.SGD`로, 곧 PyTorch에서 흔히 쓰는 방식으로 학습한다.
#
# 데이터, 손실, 그래디언트 식, 경사하강법은 사이트의 그림과 테스트가 쓰는 `dlnotes.linear_regression` 모듈에서 그대로 가져온다.
# 대문자로 쓴 설정값(`N_POINTS`, `ETA` 등)을 바꿔 가며 다시 실행해 보자.
# CPU에서 처음부터 끝까지 몇 초면 끝난다.

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

labkit.setup(seed=0)   # 시드 고정, torch 스레드 하나, 사이트와 같은 그림 스타일

# %% [markdown]
# ## 데이터
#
# 참 직선 $y = 1.5x + 0.7$ 주변에 잡음을 더한 점들을 만든다. 입력 $x$는 $[-2, 2)$에서 고르게 뽑는다.
# 정밀도 차이로 결과가 흐려지지 않도록 모든 텐서는 배정밀도(`float64`)다.

# %%
N_POINTS = 60   # 점의 개수
NOISE = 0.4     # 잡음의 표준편차

x, y = make_line_data(seed=0, n_points=N_POINTS, noise=NOISE)
print("x:", tuple(x.shape), x.dtype)
print(f"x from {x.min().item():.2f} to {x.max().item():.2f}")
print("first three (x, y):", [(round(a, 3), round(b, 3))
                             for a, b in zip(x[:3].tolist(), y[:3].tolist())])

# %% [markdown]
# ## 그래디언트: 손으로 유도한 식과 autograd
#
# 잔차를 $r_i = y_i - w x_i - b$라 하면 장에서 유도한 그래디언트는 다음과 같다.
#
# $$
# \frac{\partial L}{\partial w} = -\frac{2}{N} \sum_{i=1}^{N} r_i\, x_i,
# \qquad
# \frac{\partial L}{\partial b} = -\frac{2}{N} \sum_{i=1}^{N} r_i
# $$
#
# `mse_gradients`가 이 식을 그대로 계산한다. autograd 쪽은 파라미터를 `requires_grad=True`로 만들고 손실을 계산한 뒤
# `backward()`를 부르면 된다. 그러면 PyTorch가 연쇄 법칙을 거꾸로 적용해 각 파라미터의 `.grad`를 채운다.

# %%
w = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
b = torch.tensor(-0.1, dtype=torch.float64, requires_grad=True)

loss = mse(x, y, w, b)   # 이 계산 과정이 기록된다
loss.backward()          # 기록을 거꾸로 따라가며 w.grad, b.grad를 채운다

# 손으로 유도한 식
grad_w, grad_b = mse_gradients(x, y, w.detach(), b.detach())
print(f"loss = {loss.item():.6f}")
print(f"dL/dw  by hand {grad_w.item():+.12f}   autograd {w.grad.item():+.12f}")
print(f"dL/db  by hand {grad_b.item():+.12f}   autograd {b.grad.item():+.12f}")
assert torch.allclose(grad_w, w.grad) and torch.allclose(grad_b, b.grad)

# %% [markdown]
# ### autograd가 기록한 것
#
# 손실 텐서의 `grad_fn`은 손실을 만든 마지막 연산이고, 각 연산의 `next_functions`는 그 연산의 입력을 만든 연산을 가리킨다.
# 이 사슬을 따라 내려가면 autograd가 기록한 계산 그래프가 보인다.
# 맨 아래의 `AccumulateGrad`는 그래디언트를 받아 `.grad`에 쌓는 잎 노드(leaf), 곧 $w$와 $b$다.

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
# ### 그래디언트는 쌓인다
#
# `backward()`는 `.grad`를 새 값으로 바꾸지 않고 기존 값에 **더한다**. 그래서 학습 루프에서는 스텝마다 그래디언트를 지워야 한다.
# 지우지 않고 한 번 더 `backward()`를 부르면 값이 정확히 두 배가 된다.

# %%
mse(x, y, w, b).backward()   # 같은 손실을 한 번 더
print("w.grad / (dL/dw):", (w.grad / grad_w).item())
# 학습 루프에서는 optimizer.zero_grad()가 하는 일
w.grad = None
b.grad = None

# %% [markdown]
# ## 직선 맞추기: 세 가지 방법
#
# 세 방법 모두 같은 출발점 $(w, b) = (-1, -1.5)$에서 같은 스텝 크기로 `STEPS`번 움직인다.
#
# **손으로 유도한 식.** `gradient_descent`는 `mse_gradients`로 그래디언트를 구해
# $w \leftarrow w - \eta\, \partial L / \partial w$, $b \leftarrow b - \eta\, \partial L / \partial b$를 반복한다.

# %%
ETA = 0.1     # 스텝 크기(학습률)
STEPS = 60
W0, B0 = -1.0, -1.5

# 행마다 (w, b, loss), 출발점부터 STEPS번째 스텝까지
by_hand = gradient_descent(x, y, eta=ETA, steps=STEPS, w0=W0, b0=B0)


def last_step(name, path):
    """Print the (w, b, loss) row of a path's last step."""
    w_end, b_end, loss_end = path[-1].tolist()
    print(f"{name:12s} w = {w_end:.6f}  b = {b_end:.6f}  loss = {loss_end:.6f}")


last_step("by hand", by_hand)

# %% [markdown]
# **autograd.** 그래디언트만 autograd에 맡기고 갱신은 직접 한다. 갱신 자체는 기록할 필요가 없으므로
# `torch.no_grad()` 안에서 하고, 다음 스텝을 위해 `.grad`를 지운다.

# %%
w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
rows = []
for step in range(STEPS + 1):
    loss = mse(x, y, w, b)
    rows.append([w.item(), b.item(), loss.item()])
    loss.backward()
    with torch.no_grad():      # 갱신은 그래프에 넣지 않는다
        w -= ETA * w.grad
        b -= ETA * b.grad
    w.grad = None
    b.grad = None
with_autograd = torch.tensor(rows, dtype=torch.float64)
last_step("autograd", with_autograd)

# %% [markdown]
# **`nn.Linear`와 `torch.optim.SGD`.** 모델은 입력 하나, 출력 하나인 `nn.Linear`이고, 손실은 `nn.MSELoss`다.
# 출력이 하나일 때 `nn.MSELoss`는 장의 손실 $L$과 같다.
# 옵티마이저가 갱신(`step`)과 그래디언트 지우기(`zero_grad`)를 맡는다.

# %%
model = nn.Linear(1, 1, dtype=torch.float64)
with torch.no_grad():        # 다른 두 방법과 같은 출발점
    model.weight.fill_(W0)
    model.bias.fill_(B0)
optimizer = torch.optim.SGD(model.parameters(), lr=ETA)
loss_fn = nn.MSELoss()
inputs = x.unsqueeze(1)      # nn.Linear는 (N, 1) 모양의 입력을 받는다
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
# 세 경로를 최소제곱 해 $(w^*, b^*)$와 비교한다. 세 방법은 같은 그래디언트로 같은 갱신을 하므로,
# 경로가 부동소수점 반올림 수준까지 일치해야 한다.

# %% alt="왼쪽: 데이터 점과 0·5·60번째 스텝의 직선. 오른쪽: 세 방법의 손실 곡선이 로그 눈금에서 하나로 겹친다"
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
# 세 손실 곡선이 하나로 겹친다. 왼쪽은 출발 직선(기울기가 반대다)이 몇 스텝 만에 데이터 쪽으로 돌아서는 모습이다.
#
# ## 스텝 크기 바꿔 보기
#
# 장에서 본 대로 경사하강법은 스텝 크기가 $\eta_c = 2 / \lambda_{\mathrm{max}}(H)$보다 작을 때만 수렴한다.
# 여기서 $H$는 손실의 헤세 행렬이다. 아래 셀은 장의 그림과 같은 함수(`compute_descent_paths`, `draw_loss_surface`,
# `draw_loss_curves`)로 그림을 그린다. `ETA_FRACTIONS`(각 경로의 $\eta / \eta_c$)와 `X_RANGE`를 바꿔 보자.
# 예를 들어 `X_RANGE = (-2.0, 2.0)`으로 입력을 0 주변에 모으면 손실의 골짜기가 원에 가까워지고 수렴이 빨라진다.

# %% alt=["세 스텝 크기로 출발한 경사하강법 경로를 손실 등고선 위에 그린 그림", "세 스텝 크기에서 손실을 스텝에 따라 로그 눈금으로 그린 곡선"]
ETA_FRACTIONS = (0.1, 0.9, 1.02)   # 세 경로의 스텝 크기 (eta_c의 몇 배)
X_RANGE = (0.0, 4.0)               # 입력의 범위

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
# 위에서 쓴 $\eta_c$는 `critical_step_size`가 헤세 행렬의 가장 큰 고윳값으로 계산한다.
# 처음의 데이터(`x`가 $[-2, 2)$에 있는)에서도 $\eta_c$를 구해, 앞에서 쓴 `ETA`가 안전했는지 확인할 수 있다.

# %%
eta_c = critical_step_size(x)
print(f"eta_c = {eta_c:.4f}, ETA = {ETA} is {ETA / eta_c:.2f} eta_c")

# %% [markdown]
# ## 더 해 볼 것
#
# - `ETA`를 `eta_c`보다 조금 크게 잡고 세 방법을 다시 실행해 보자. 세 경로가 여전히 일치하는가? 손실은 어떻게 되는가?
# - `NOISE = 0`이면 최소제곱 해와 참 직선 $(1.5, 0.7)$은 어떤 관계인가?
# - 자동 미분 루프에서 `w.grad = None` 두 줄을 지우면 무엇이 달라지는지 예측한 뒤 확인해 보자.
