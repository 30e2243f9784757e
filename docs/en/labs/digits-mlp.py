# %% [markdown]
# # Lab 3: An MLP on handwritten digits
#
# In this lab you run the training of the chapter [An MLP on handwritten digits](../digits-mlp.md)
# from start to finish: load the data and look at it, build the model, draw the learning curves and read the
# confusion matrix to see where the model goes wrong.
#
# The split, the model and the training loop are `load_digits_split`, `make_model` and `train_mlp` from
# `dlnotes.digits`, the code behind the chapter's figures and tests. Settings worth changing: the hidden layers
# `HIDDEN`, the optimizer `OPTIMIZER`, the learning rate `LR`, the number of epochs `EPOCHS` and the seed `SEED`.
# Training takes a few seconds on one CPU thread.

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
# ## The data
#
# The images have 8×8 pixels, each an integer from 0 to 16. `load_digits_raw` reads the data file that ships with
# scikit-learn as it is. Let us draw the first image of every digit.

# %% alt="The first 8×8 handwritten image of every digit from 0 to 9"
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
# ## Split and standardisation
#
# `load_digits_split` makes the fixed, stratified split that sets aside 25 % of every digit as the test set, and
# standardises every pixel with the mean and standard deviation of the **training images only**. On the training
# set every pixel therefore has mean 0 and a standard deviation of at most 1 (the nearly constant border pixels
# stay below 1, because the standard deviation is floored at 1). The test set played no part in these statistics,
# so its pixel means stray a little from 0.

# %%
data = load_digits_split(seed=0)
print("train:", tuple(data.x_train.shape), " test:", tuple(data.x_test.shape))
print("test images per digit:", torch.bincount(data.y_test).tolist())
for name, x in [("train", data.x_train), ("test", data.x_test)]:
    means, stds = x.mean(dim=0), x.std(dim=0, correction=0)
    print(f"{name:5s} pixel means {means.min():+.3f}..{means.max():+.3f}"
          f"   pixel stds {stds.min():.3f}..{stds.max():.3f}")

# %% [markdown]
# ## The model
#
# `make_model` builds an `MLP` with 64 inputs, the hidden layers `HIDDEN` and 10 outputs, and draws the weights
# with He initialization. The outputs are logits, one score per digit; a softmax turns them into probabilities.

# %%
HIDDEN = (128,)        # the hidden layers, e.g. (32,) or (256, 128)
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
# Before training, the probability is spread over all ten digits.
#
# ## Training
#
# `train_mlp` runs the mini-batch training loop. After every epoch it records the loss (cross-entropy) and the
# accuracy on the whole training and test sets, and it returns them in a `TrainingRun`. The loop itself is in the
# chapter's section [Reading the plain loop](../digits-mlp.md#plain-loop).

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
# The same record, drawn by the function behind the chapter's learning curves: the loss on a log scale on the
# left, the accuracy on the right.

# %% alt="The cross-entropy loss (left) and the accuracy (right) on the training and test sets against the epoch"
curves = Curves(run.train_loss, run.test_loss, run.train_acc, run.test_acc)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
draw_curves(axes, curves)
plt.show()

# %% [markdown]
# The training loss falls much faster than the test loss, so the gap between them widens from epoch to epoch:
# the model is fitting details that only the training set has. On this data the test accuracy stays high all
# the same.
#
# ## The confusion matrix
#
# Cell $(i, j)$ of the confusion matrix counts the test images of digit $i$ that the model called $j$. The
# diagonal holds the right answers, everything off it the mistakes. A digit's accuracy is its diagonal cell
# divided by the sum of its row.

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
# The function behind the chapter's figure draws the confusion matrix next to the misclassified images. Under
# each image, $p$ is the probability the model gave its (wrong) answer.

# %% alt="The confusion matrix on the test set (left) and the handwritten digits the model got wrong (right)"
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
# ## Things to try
#
# - How much test accuracy do you lose with a small hidden layer, `HIDDEN = (16,)`? And with more layers,
#   `(256, 128)`?
# - Switch to `OPTIMIZER = "sgd"` and compare the learning curves for `LR` = 0.002, 0.05 and 0.2.
# - Train several times with only `SEED` changed: how much does the test accuracy vary? Compare with the chapter's
#   section [Local minima and seeds](../digits-mlp.md#local-minima).
