# %% [markdown]
# # 실습 2: 가중치 초기화 실험
#
# [가중치 초기화](../weight-initialization.md) 장은 편향 없는 층을 여러 개 쌓고 표준정규분포에서 뽑은 입력을 통과시켜,
# 초기화에 따라 층마다 출력과 그래디언트의 크기가 어떻게 변하는지 보였다.
# 이 실습에서는 그 실험을 직접 돌리며 설정값을 바꿔 본다. 바꿀 수 있는 값은 다음과 같다.
#
# - `ACTIVATION`: 활성화 함수, `"sigmoid"`, `"tanh"`, `"relu"` 가운데 하나
# - `INIT`: 가중치 초기화, `"std1"`(표준편차 1), `"std0.01"`, `"xavier"`, `"he"`, `"lecun"` 가운데 하나
# - `N_LAYERS`, `WIDTH`: 층의 개수와 폭
#
# 실험 코드는 장의 그림과 테스트가 쓰는 `dlnotes.initialization`의 `layer_activations`와
# `layer_gradient_norms`다. 입력은 시드 0, 가중치는 시드 1로 뽑으므로, 초기화를 바꿔도 난수는 같고 크기만 달라진다.

# %%
import math

from matplotlib import pyplot as plt
import torch
from torch import nn

from dlnotes import labkit
from dlnotes.figures.initialization import (
    compute_activation_histograms, compute_gradient_norms,
    draw_activation_histograms, draw_gradient_norms)
from dlnotes.initialization import (
    he_std, layer_activations, layer_gradient_norms, xavier_std)

labkit.setup(seed=0)

# %% [markdown]
# ## 한 가지 설정에서 층마다 출력 보기
#
# 먼저 한 가지 조합을 골라 층마다 출력 $h_l$의 평균과 표준편차를 본다.
# 마지막 열은 활성화 함수가 제 역할을 못 하는 출력의 비율이다. 시그모이드와 tanh는 출력이 범위의 양 끝에 붙은
# 포화 상태(시그모이드는 0.02 아래나 0.98 위, tanh는 절댓값 0.98 위)를, ReLU는 정확히 0인 출력을 센다.

# %%
ACTIVATION = "tanh"   # "sigmoid", "tanh", "relu"
INIT = "xavier"       # "std1", "std0.01", "xavier", "he", "lecun"
N_LAYERS = 5
WIDTH = 100


def stuck_fraction(h, activation):
    """Share of outputs at the flat ends (sigmoid, tanh) or at zero (ReLU)."""
    if activation == "sigmoid":
        return ((h < 0.02) | (h > 0.98)).float().mean().item()
    if activation == "tanh":
        return (h.abs() > 0.98).float().mean().item()
    return (h == 0).float().mean().item()


outputs = layer_activations(activation=ACTIVATION, init=INIT,
                            n_layers=N_LAYERS, width=WIDTH)
print(f"{ACTIVATION}, {INIT}: {N_LAYERS} layers of width {WIDTH}")
for layer, h in enumerate(outputs, 1):
    stuck = stuck_fraction(h, ACTIVATION)
    print(f"layer {layer}:  mean {h.mean().item():+.4f}"
          f"  std {h.std().item():.4f}  stuck {stuck:6.1%}")

# %% [markdown]
# 같은 출력을 장의 그림과 같은 함수로 히스토그램으로 그린다. 층마다 색이 다르다.

# %% alt="고른 활성화 함수와 초기화에서 층마다 출력의 분포를 겹쳐 그린 히스토그램"
histograms = compute_activation_histograms(
    seed=0, inits=(INIT,), activations=(ACTIVATION,), n_layers=N_LAYERS,
    width=WIDTH, n_inputs=1000, bins=40)
fig, axes = plt.subplots(1, 1, figsize=(7.2, 3.0), layout="constrained",
                         squeeze=False)
draw_activation_histograms(axes, histograms)
plt.show()

# %% [markdown]
# ## 더 깊이 쌓으면
#
# 장에서 본 다섯 층만으로는 크기가 어느 쪽으로 흘러가는지 짐작만 할 수 있다. 층을 `DEEP_LAYERS`개까지 쌓고
# 초기화마다 층별 출력의 제곱 평균 제곱근 $\sqrt{\mathbb{E}[h_l^2]}$를 로그 눈금으로 그려 보자.
# 층마다 일정한 비율로 커지거나 줄면 로그 눈금에서 직선이 된다.

# %% alt="초기화마다 층별 출력의 제곱 평균 제곱근을 층 번호에 따라 로그 눈금으로 그린 그래프"
DEEP_LAYERS = 30
INITS = ("std1", "std0.01", "xavier", "he", "lecun")

fig, ax = plt.subplots(figsize=(7.2, 3.4), layout="constrained")
for i, init in enumerate(INITS):
    deep = layer_activations(activation=ACTIVATION, init=init,
                             n_layers=DEEP_LAYERS, width=WIDTH)
    # float64로 제곱해야 아주 작은 값이 0으로 사라지지 않는다
    rms = [h.double().pow(2).mean().sqrt().item() for h in deep]
    ax.semilogy(range(1, DEEP_LAYERS + 1), rms, "o-", markersize=3,
                color=f"C{i}", label=init)
    print(f"{init:8s} layer 1: {rms[0]:9.3g}"
          f"   layer {DEEP_LAYERS}: {rms[-1]:9.3g}")
ax.set(xlabel="layer $l$", ylabel=r"$\sqrt{E[h_l^2]}$", title=ACTIVATION)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# 폭이 같은 층을 쌓았으므로 $n_{\text{in}} = n_{\text{out}}$이고, 이때 Xavier와 LeCun의 표준편차는 $1/\sqrt{n}$으로 같아 두 선이 겹친다.
# tanh에서는 Xavier의 크기가 층마다 조금씩 준다. 원점 근처에서만 기울기가 1이고, 큰 값은 눌러 줄이기 때문이다.
#
# `ACTIVATION`을 `"relu"`로 바꾸고 다시 실행해 보자. He는 제곱 평균을 층마다 그대로 옮기므로 선이 수평이고,
# 표준편차가 He의 $1/\sqrt{2}$배인 Xavier와 LeCun은 제곱 평균이 층마다 절반이 된다.
# 표준편차 1과 0.01은 층마다 같은 배수로 커지거나 줄어서 곧 부동소수점 범위의 끝에 닿는다.
#
# ## 그래디언트
#
# 역전파 쪽은 장에서처럼 마지막 층에 고정된 무작위 방향을 내적한 손실 $L = \frac{1}{N} \sum_i r_i^{\top} h_{L,i}$로 잰다.
# 이 손실의 $\partial L / \partial h_L$은 초기화와 상관없이 같으므로, 층마다 다른 것은 신경망 자체가 신호에 하는 일뿐이다.

# %% alt="고른 활성화 함수에서 초기화마다 각 층 가중치의 그래디언트 노름을 로그 눈금으로 그린 그래프"
for init in INITS:
    norms = layer_gradient_norms(activation=ACTIVATION, init=init,
                                 n_layers=N_LAYERS, width=WIDTH)
    print(f"{init:8s}", "  ".join(f"{n:9.3g}" for n in norms.tolist()))

gradients = compute_gradient_norms(
    seed=0, inits=INITS, activations=(ACTIVATION,), n_layers=N_LAYERS,
    width=WIDTH, n_inputs=1000)
fig, axes = plt.subplots(1, 1, figsize=(7.2, 3.2), layout="constrained",
                         squeeze=False)
draw_gradient_norms(axes[0], gradients)
plt.show()

# %% [markdown]
# 표의 각 행은 한 초기화에서 1층부터 마지막 층까지의 $\lVert \partial L / \partial W_l \rVert$다.
#
# ## 공식과 `torch.nn.init` 맞춰 보기
#
# Xavier 정규분포의 표준편차는 $\sqrt{2 / (n_{\text{in}} + n_{\text{out}})}$, ReLU용 He 정규분포는 $\sqrt{2 / n_{\text{in}}}$다.
# `torch.nn.init`으로 큰 가중치 행렬을 뽑아 표본 표준편차를 공식과 비교한다.
# `nn.Linear`의 가중치 모양은 `(fan_out, fan_in)`이다.

# %%
FAN_IN, FAN_OUT = 300, 100
weight = torch.empty(FAN_OUT, FAN_IN)
generator = torch.Generator().manual_seed(0)

nn.init.xavier_normal_(weight, generator=generator)
print(f"xavier  formula {xavier_std(FAN_IN, FAN_OUT):.4f}"
      f"   sampled {weight.std().item():.4f}")
nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
print(f"he      formula {he_std(FAN_IN):.4f}"
      f"   sampled {weight.std().item():.4f}")

# %% [markdown]
# ## 연습 문제: He 초기화를 손으로
#
# `he_normal_`을 직접 작성해 보자. `(fan_out, fan_in)` 모양의 가중치를 $\mathcal{N}(0, 2 / n_{\text{in}})$에서 뽑은
# 수로 제자리에서 채우되, 난수는 인자로 받은 생성기로 `torch.randn`을 불러 뽑는다. 장 [가중치 초기화](../weight-initialization.md#exercises)의
# 연습 문제 4와 같은 문제다. 다음 셀을 채워 실행하면, 그다음 셀이 같은 시드의 생성기를 받은 `nn.init.kaiming_normal_`과
# 결과를 비교해 같으면 `correct`를 출력한다.

# %% tags=["exercise"]
def he_normal_(weight, generator):
    # fan_in은 가중치의 두 번째 차원이다.
    # torch.randn(weight.shape, generator=generator)로 뽑고,
    # 표준편차가 sqrt(2 / fan_in)이 되도록 곱한 다음,
    # torch.no_grad() 아래에서 weight에 복사하고 weight를 돌려준다.
    raise NotImplementedError("write he_normal_ in this cell")


# %% tags=["solution"]
def he_normal_(weight, generator):
    fan_in = weight.shape[1]
    with torch.no_grad():
        noise = torch.randn(weight.shape, generator=generator)
        return weight.copy_(noise * math.sqrt(2 / fan_in))


# %% tags=["check"]
ours = he_normal_(torch.empty(128, 256), torch.Generator().manual_seed(0))
reference = nn.init.kaiming_normal_(
    torch.empty(128, 256), nonlinearity="relu",
    generator=torch.Generator().manual_seed(0))
gap = (ours - reference).abs().max().item()
print("correct" if gap < 1e-6 else f"largest difference {gap:.3g}")

# %% [markdown]
# ## 더 해 볼 것
#
# - `ACTIVATION = "sigmoid"`, `INIT = "xavier"`에서 그래디언트가 입력 쪽으로 갈수록 얼마나 줄어드는가?
#   장의 [층별 그래디언트 크기](../weight-initialization.md#gradient-norms) 절과 비교해 보자.
# - `WIDTH = 10`처럼 폭을 줄이면 He와 ReLU의 선이 여전히 수평인가? 유닛이 적으면 층마다 제곱 평균이 얼마나 흔들리는가?
# - `ACTIVATION = "relu"`, `DEEP_LAYERS = 100`이면 표준편차 1인 초기화의 출력은 어떻게 되는가?
#   값이 `inf`나 `nan`이 되기 시작하는 층을 찾고, 층마다 커지는 배수로 그 층을 설명해 보자.
