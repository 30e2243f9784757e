# %% [markdown]
# # 실습 3: 손글씨 숫자 MLP
#
# [손글씨 숫자를 분류하는 MLP](../digits-mlp.md) 장의 학습을 처음부터 끝까지 직접 돌려 본다.
# 데이터를 불러와 들여다보고, 모델을 만들고, 학습 곡선을 그리고, 혼동 행렬로 어디서 틀리는지 읽는다.
#
# 데이터 분할, 모델, 학습 루프는 장의 그림과 테스트가 쓰는 `dlnotes.digits`의 `load_digits_split`,
# `make_model`, `train_mlp`를 그대로 쓴다. 바꿔 볼 만한 설정은 은닉층의 크기 `HIDDEN`, 옵티마이저 `OPTIMIZER`,
# 학습률 `LR`, 에포크 수 `EPOCHS`, 시드 `SEED`다. 학습은 CPU 한 스레드로 몇 초면 끝난다.

# %%
from matplotlib import pyplot as plt
import torch

from dlnotes import labkit
from dlnotes.digits import (
    N_CLASSES, confusion_matrix, load_digits_raw, load_digits_split,
    make_model, predict, train_mlp)
from dlnotes.figures.digits import (
    Confusion, Curves, draw_confusion, draw_curves)

labkit.setup(seed=0)

# %% [markdown]
# ## 데이터
#
# 이미지는 8×8 픽셀이고, 픽셀 값은 0부터 16까지의 정수다. `load_digits_raw`는 scikit-learn이 함께 배포하는
# 데이터 파일을 그대로 읽는다. 숫자마다 첫 이미지를 하나씩 그려 보자.

# %% alt="0부터 9까지 숫자마다 첫 번째 8×8 손글씨 이미지"
pixels, labels = load_digits_raw()
print("pixels:", tuple(pixels.shape), pixels.dtype,
      f"values {pixels.min().item():.0f}..{pixels.max().item():.0f}")
print("images per digit:", torch.bincount(labels).tolist())

fig, axes = plt.subplots(1, 10, figsize=(7.2, 1.2), layout="constrained")
for digit, ax in enumerate(axes):
    first = torch.nonzero(labels == digit)[0, 0]
    ax.imshow(pixels[first].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
    ax.set_title(str(digit))
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## 분할과 표준화
#
# `load_digits_split`은 숫자마다 25%를 테스트 세트로 떼어 두는 고정된 층화 분할을 만들고,
# 픽셀마다 **학습 이미지만의** 평균과 표준편차로 표준화한다. 그래서 학습 세트에서는 픽셀마다 평균이 0이고
# 표준편차가 1 이하다(거의 변하지 않는 가장자리 픽셀은 표준편차의 바닥을 1로 두어 1보다 작게 남는다).
# 테스트 세트는 통계를 계산할 때 쓰지 않았으므로 평균이 0에서 조금씩 벗어난다.

# %%
data = load_digits_split(seed=0)
print("train:", tuple(data.x_train.shape), " test:", tuple(data.x_test.shape))
print("test images per digit:", torch.bincount(data.y_test).tolist())
for name, x in [("train", data.x_train), ("test", data.x_test)]:
    means, stds = x.mean(dim=0), x.std(dim=0, correction=0)
    print(f"{name:5s} pixel means {means.min():+.3f}..{means.max():+.3f}"
          f"   pixel stds {stds.min():.3f}..{stds.max():.3f}")

# %% [markdown]
# ## 모델
#
# `make_model`은 입력 64개, 은닉층 `HIDDEN`, 출력 10개인 `MLP`를 만들고 He 초기화로 가중치를 뽑는다.
# 출력은 숫자 열 개의 점수인 로짓이다. 확률이 필요하면 소프트맥스를 씌운다.

# %%
HIDDEN = (128,)        # 은닉층의 크기, 예: (32,), (256, 128)
SEED = 0

model = make_model(seed=SEED, hidden=HIDDEN)
print(model)
n_params = sum(p.numel() for p in model.parameters())
print("parameters:", n_params)
with torch.no_grad():
    logits = model(data.x_train[:3])
print("logits of 3 images:", tuple(logits.shape))
probabilities = torch.softmax(logits, dim=1)[0]
print("softmax before training:",
      " ".join(f"{p:.2f}" for p in probabilities.tolist()))

# %% [markdown]
# 학습 전이라 확률이 열 숫자에 고르게 퍼져 있다.
#
# ## 학습
#
# `train_mlp`가 미니배치 학습 루프를 돈다. 에포크마다 학습 세트와 테스트 세트 전체에서 손실(교차 엔트로피)과
# 정확도를 기록해 `TrainingRun`으로 돌려준다. 루프 자체는 장의 [학습 루프](../digits-mlp.md#plain-loop) 절에 있다.

# %%
OPTIMIZER = "adam"     # "sgd", "momentum", "rmsprop", "adam"
LR = 2e-3
EPOCHS = 30
BATCH_SIZE = 64

run = train_mlp(optimizer=OPTIMIZER, lr=LR, epochs=EPOCHS,
                batch_size=BATCH_SIZE, seed=SEED, hidden=HIDDEN, split=data)
print("epoch  train loss  test loss  train acc  test acc")
for epoch in [1, 2, 5, 10, 20, EPOCHS]:
    if epoch <= EPOCHS:
        i = epoch - 1
        print(f"{epoch:5d}  {run.train_loss[i]:10.4f}  {run.test_loss[i]:9.4f}"
              f"  {run.train_acc[i]:9.1%}  {run.test_acc[i]:8.1%}")

# %% [markdown]
# 같은 기록을 장의 학습 곡선과 같은 함수로 그린다. 왼쪽은 로그 눈금의 손실, 오른쪽은 정확도다.

# %% alt="에포크에 따른 학습 세트와 테스트 세트의 교차 엔트로피 손실(왼쪽)과 정확도(오른쪽)"
curves = Curves(run.train_loss, run.test_loss, run.train_acc, run.test_acc)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
draw_curves(axes, curves)
plt.show()

# %% [markdown]
# 학습 손실이 테스트 손실보다 훨씬 빨리 내려가서 둘의 간격이 에포크마다 벌어진다.
# 모델이 학습 세트에만 있는 세부까지 맞추고 있다는 신호다. 이 데이터에서는 그래도 테스트 정확도가 높은 채로 남는다.
#
# ## 혼동 행렬
#
# 혼동 행렬의 $(i, j)$ 칸은 정답이 $i$인 테스트 이미지 가운데 모델이 $j$라고 답한 개수다.
# 대각선이 맞힌 개수이고, 대각선 밖이 틀린 것이다. 숫자마다 정확도는 대각선을 그 행의 합으로 나눈 값이다.

# %%
predicted = predict(run.model, data.x_test)
counts = confusion_matrix(data.y_test, predicted)
print("true \\ predicted", " ".join(f"{d:3d}" for d in range(N_CLASSES)))
for digit, row in enumerate(counts.tolist()):
    print(f"{digit:16d}", " ".join(f"{c:3d}" for c in row))
per_digit = counts.diag() / counts.sum(dim=1)
print("accuracy per digit:", " ".join(f"{a:.0%}" for a in per_digit.tolist()))
print(f"test accuracy: {counts.trace().item()} of {counts.sum().item()}")

# %% [markdown]
# 장의 그림과 같은 함수로 혼동 행렬과 틀린 이미지를 함께 그린다.
# 오른쪽 이미지 밑의 $p$는 모델이 자기의 (틀린) 답에 준 확률이다.

# %% alt="테스트 세트의 혼동 행렬(왼쪽)과 모델이 틀린 손글씨 숫자 이미지들(오른쪽)"
wrong = torch.nonzero(predicted != data.y_test).flatten()[:8]
with torch.no_grad():
    confidence = torch.softmax(run.model(data.x_test[wrong]), dim=1).max(dim=1)
confusion = Confusion(counts, pixels[data.test_index[wrong]].reshape(-1, 8, 8),
                      data.y_test[wrong].tolist(), predicted[wrong].tolist(),
                      confidence.values.tolist())
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.6), layout="constrained")
draw_confusion(axes, confusion)
plt.show()

# %% [markdown]
# ## 더 해 볼 것
#
# - `HIDDEN = (16,)`처럼 은닉층을 줄이면 테스트 정확도가 얼마나 떨어지는가? `(256, 128)`처럼 층을 늘리면?
# - `OPTIMIZER = "sgd"`로 바꾸고 `LR`을 0.002, 0.05, 0.2로 바꿔 가며 학습 곡선을 비교해 보자.
# - `SEED`만 바꿔 여러 번 학습하면 테스트 정확도가 얼마나 흔들리는가? 장의
#   [지역 최솟값과 시드](../digits-mlp.md#local-minima) 절과 비교해 보자.
