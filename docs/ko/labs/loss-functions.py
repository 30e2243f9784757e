# %% [markdown]
# # 실습 4: 손실 함수 비교
#
# 같은 모델도 어떤 손실로 학습하느냐에 따라 다른 답을 낸다. 이 실습에서는 [손실 함수](../loss-functions.md) 장의
# 두 가지 비교를 직접 돌려 본다.
#
# 1. **회귀:** 이상치가 섞인 데이터에 같은 직선 모델 $\hat{y} = wx + b$를 평균제곱오차(MSE), 평균절대오차(MAE),
#    Huber 손실로 맞춘다. 직접 만든 손실도 하나 넣어 본다.
# 2. **분류:** 시그모이드 출력 하나에 교차 엔트로피(CE)와 MSE를 걸었을 때 그래디언트가 어떻게 다른지 본다.
#
# 손실 함수와 학습 루프는 장의 그림과 테스트가 쓰는 `dlnotes.loss_functions`에서 가져온다.
# 바꿔 볼 설정은 이상치 개수 `N_OUTLIERS`, 이상치를 끌어내린 거리 `OUTLIER_SHIFT`, Huber의 문턱값 `DELTA`다.

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
# ## 데이터와 세 손실
#
# 점들은 직선 $y = x + 0.5$ 주변에 흩어져 있고, $x$가 가장 큰 `N_OUTLIERS`개의 점만 `OUTLIER_SHIFT`만큼 아래로 끌려 있다.
# 잔차 $r = y - \hat{y}$에 대해 세 손실은 점 하나당 다음과 같고, 모두 점들에 대해 평균한다.
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
# 먼저 `dlnotes`의 세 함수가 PyTorch의 `nn.MSELoss`, `nn.L1Loss`, `nn.HuberLoss`와 같은 값을 내는지 확인한다.

# %%
N_POINTS = 40
N_OUTLIERS = 4         # 아래로 끌어내린 점의 개수
OUTLIER_SHIFT = -6.0   # 끌어내린 거리
DELTA = 1.0            # Huber 손실의 문턱값

x, y = make_outlier_line_data(seed=1, n_points=N_POINTS, n_outliers=N_OUTLIERS,
                              outlier_shift=OUTLIER_SHIFT)
pred = 0.8 * x + 0.2   # 아무 직선이나 하나
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
# ## 같은 직선, 세 가지 손실
#
# MSE는 닫힌 해(최소제곱)가 있다. MAE와 Huber는 `fit_line_by_descent`로 맞춘다.
# 이 함수는 $(w, b) = (0, 0)$에서 출발해 손실의 그래디언트로 경사하강법을 하고, 스텝 크기를 0까지 줄여 간다.
# 같은 함수로 MSE도 맞춰서 닫힌 해와 일치하는지 보고, MAE는 정확한 해(`best_l1_line`)와도 비교한다.

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
# MSE 직선은 이상치 쪽으로 크게 기울고, MAE와 Huber는 깨끗한 직선에 훨씬 가깝다.
#
# ## 누가 직선을 끌어당기는가
#
# 경사하강법에서 점 $i$가 직선을 움직이는 힘은 예측 $\hat{y}_i$에 대한 손실의 그래디언트 $\partial L / \partial \hat{y}_i$다.
# MSE는 잔차에 비례하고($-2r_i/N$), MAE는 잔차의 부호만 남기며($-\operatorname{sign}(r_i)/N$),
# Huber는 잔차를 $[-\delta, \delta]$로 잘라 쓴다. 깨끗한 직선 위에서 이 그래디언트를 autograd로 구해,
# 그 크기의 몇 퍼센트가 이상치 `N_OUTLIERS`개에서 오는지 보자.

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
# 장의 그림과 같은 함수로 세 직선과 세 손실의 모양을 그린다.

# %% alt="이상치가 있는 데이터에 MSE, MAE, Huber 손실로 맞춘 직선(왼쪽)과 잔차에 따른 세 손실의 모양(오른쪽)"
fits = compute_robust_fits(seed=1, n_points=N_POINTS, n_outliers=N_OUTLIERS,
                           outlier_shift=OUTLIER_SHIFT, delta=DELTA,
                           steps=STEPS, lr=LR)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4), layout="constrained")
draw_robust_fits(axes, fits)
plt.show()

# %% [markdown]
# ## 손실을 직접 만들어 보기
#
# `fit_line_by_descent`는 `loss_fn(pred, target)` 꼴의 함수라면 무엇이든 받는다. 예를 들어 log-cosh 손실
# $\ell(r) = \log \cosh r$은 0 근처에서는 $r^2/2$에, 멀리서는 $|r| - \log 2$에 가깝다. Huber와 비슷하지만
# 어디서나 매끄럽다. 이 손실로 같은 직선을 맞춰 보고, 다른 손실도 만들어 넣어 보자.

# %%
def log_cosh_loss(pred, target):
    return torch.log(torch.cosh(pred - target)).mean()


w, b = fit_line_by_descent(x, y, log_cosh_loss, steps=STEPS, lr=LR)
print(f"log-cosh (descent)  w = {w:.4f}  b = {b:+.4f}")

# %% [markdown]
# ## 연습 문제: 넘치지 않는 log-cosh 손실
#
# 위의 잔차에서는 `torch.log(torch.cosh(r))`로 충분하지만, float32에서는 $|r|$이 89 남짓을 넘으면 $\cosh r$이 `inf`가 되고
# 손실도 따라서 `inf`가 된다. 항등식 $\log \cosh r = |r| + \log(1 + e^{-2|r|}) - \log 2$를 써서 어떤 잔차에서도 유한한
# `stable_log_cosh_loss`를 작성하라. 장 [손실 함수](../loss-functions.md#exercises)의 연습 문제 4다. 그다음 셀이 float64의
# `torch.log(torch.cosh(r))`, 그리고 멀리 떨어진 잔차에서는 float32의 $|r| - \log 2$와 비교해, 둘 다 맞으면 `correct`를 출력한다.

# %% tags=["exercise"]
def stable_log_cosh_loss(pred, target):
    # r = |pred - target|. 가운데 항 log(1 + exp(-2r))은
    # nn.functional.softplus(-2 * r)이고, 이 함수는 넘치지 않는다.
    # 모든 원소에 대한 평균을 돌려준다.
    raise NotImplementedError("write stable_log_cosh_loss in this cell")


# %% tags=["solution"]
def stable_log_cosh_loss(pred, target):
    r = (pred - target).abs()
    return (r + nn.functional.softplus(-2 * r) - math.log(2)).mean()


# %% tags=["check"]
r = torch.linspace(-20, 20, 401, dtype=torch.float64)
far = torch.tensor([-1000.0, 500.0, 1000.0])   # float32: cosh가 넘친다
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
# ## 분류에서는: 교차 엔트로피와 MSE
#
# 정답이 1인 예제 하나에 시그모이드 출력 $p = \sigma(z)$를 내는 모델을 생각하자. 교차 엔트로피는 $-\log \sigma(z)$이고,
# 확률에 MSE를 걸면 $(1 - \sigma(z))^2$이다. 모델이 자신 있게 틀렸을 때, 곧 $z$가 큰 음수일 때 두 손실의 로짓 그래디언트를
# `nn.BCEWithLogitsLoss`, `nn.MSELoss`와 autograd로 구해 보자.

# %%
for value in [-8.0, -2.0, 0.0, 2.0]:
    z = torch.tensor([value], dtype=torch.float64, requires_grad=True)
    label = torch.ones(1, dtype=torch.float64)
    (ce_grad,) = torch.autograd.grad(nn.BCEWithLogitsLoss()(z, label), z)
    (mse_grad,) = torch.autograd.grad(nn.MSELoss()(torch.sigmoid(z), label), z)
    print(f"z = {value:+.0f}   dCE/dz = {ce_grad.item():+.5f}"
          f"   dMSE/dz = {mse_grad.item():+.5f}")

# %% [markdown]
# $z = -8$에서 교차 엔트로피의 그래디언트는 거의 $-1$로 크게 남지만, MSE의 그래디언트는 $\sigma(z)$라는 인수 때문에 0에 가깝다.
# MSE로 학습하면 가장 크게 틀린 예제가 가장 적게 고쳐진다. 장의 그림과 같은 함수로 두 손실과 그래디언트 전체를 그린다.

# %% alt="정답이 1일 때 로짓에 따른 교차 엔트로피와 MSE 손실(왼쪽)과 두 손실의 로짓 그래디언트(오른쪽)"
curves = compute_ce_vs_mse(z_min=-10.0, z_max=6.0, n_points=321)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
draw_ce_vs_mse(axes, curves)
plt.show()

# %% [markdown]
# ## 더 해 볼 것
#
# - `N_OUTLIERS`를 0, 4, 12로 바꿔 보자. 이상치가 몇 개쯤이면 MAE 직선도 버티지 못하는가?
# - `DELTA`를 0.1과 10으로 바꾸면 Huber 직선은 어느 손실의 직선에 가까워지는가? 왜 그런가?
# - `OUTLIER_SHIFT`를 $-60$으로 키우면 MSE 직선과 MAE 직선은 각각 얼마나 움직이는가?
#   장의 [이상치와 MAE, Huber 손실](../loss-functions.md#robust) 절과 비교해 보자.
