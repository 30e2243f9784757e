"""An MLP on scikit-learn's handwritten digits (8x8 images, 1797 of them, bundled: no download).

load_digits_split gives a fixed, stratified train/test split, standardised with statistics of the
training images only; train_mlp trains dlnotes.mlp.MLP on it with a plain PyTorch loop and
records the loss and accuracy on both sets after every epoch.
"""
from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from dlnotes.mlp import MLP

N_PIXELS = 64          # 8 x 8 grey levels, each an integer 0..16
N_CLASSES = 10
STD_FLOOR = 1.0        # one grey level: nearly constant border pixels are not blown up


@dataclass(frozen=True)
class DigitsSplit:
    x_train: torch.Tensor      # (N_train, 64) float32, standardised
    y_train: torch.Tensor      # (N_train,) int64, digit 0..9
    x_test: torch.Tensor       # (N_test, 64) float32, standardised with the training statistics
    y_test: torch.Tensor       # (N_test,) int64
    mean: torch.Tensor         # (64,) per-pixel mean of the raw training images
    std: torch.Tensor          # (64,) per-pixel std of the raw training images, at least STD_FLOOR
    train_index: torch.Tensor  # (N_train,) rows of load_digits() used for training, sorted
    test_index: torch.Tensor   # (N_test,) rows used for testing, sorted


def load_digits_raw() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1797 images of sklearn.datasets.load_digits(): pixels (1797, 64) in 0..16, labels (1797,).

    Read straight from the file scikit-learn ships (sklearn/datasets/data/digits.csv.gz, one image
    per row, the label last), the file load_digits() reads. Importing sklearn costs about 1.5 s
    in every figure process; tests/test_digits.py checks that both give the same arrays.
    """
    pixels, labels = _raw_digits()
    return pixels.clone(), labels.clone()


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[torch.Tensor, torch.Tensor]:
    package = importlib.util.find_spec("sklearn")          # finds the folder, does not import it
    path = Path(package.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    table = torch.from_numpy(np.loadtxt(path, delimiter=",", dtype=np.int64))
    return table[:, :-1].to(torch.float32), table[:, -1]


def stratified_split(labels: torch.Tensor, *, test_fraction: float,
                     seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sorted (train_index, test_index): each class gives round(test_fraction * its size) to test."""
    gen = torch.Generator().manual_seed(seed)
    train, test = [], []
    for digit in range(int(labels.max()) + 1):
        members = torch.nonzero(labels == digit).flatten()
        members = members[torch.randperm(len(members), generator=gen)]
        n_test = round(test_fraction * len(members))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return torch.cat(train).sort().values, torch.cat(test).sort().values


def standardisation(train_pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-pixel mean and std of the training images; the test images must not leak into these."""
    mean = train_pixels.mean(dim=0)
    std = train_pixels.std(dim=0, correction=0).clamp_min(STD_FLOOR)
    return mean, std


def load_digits_split(seed: int = 0, test_fraction: float = 0.25) -> DigitsSplit:
    """Fixed stratified split of load_digits(), standardised with the training statistics only."""
    pixels, labels = load_digits_raw()
    train_index, test_index = stratified_split(labels, test_fraction=test_fraction, seed=seed)
    mean, std = standardisation(pixels[train_index])
    return DigitsSplit((pixels[train_index] - mean) / std, labels[train_index],
                       (pixels[test_index] - mean) / std, labels[test_index],
                       mean, std, train_index, test_index)


OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


def make_optimizer(name: str, params, *, lr: float, momentum: float = 0.0) -> torch.optim.Optimizer:
    """'momentum' is SGD with momentum (0.9 unless given); 'sgd' and 'rmsprop' use the momentum given."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum or 0.9)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose from {OPTIMIZERS}")


def make_model(*, seed: int, hidden=(128,), activation: str = "relu", init: str = "he") -> MLP:
    """MLP 64 -> hidden... -> 10; its init_param() draws from `seed` and leaves the global RNG as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MLP((N_PIXELS, *hidden, N_CLASSES), activation=activation, init=init)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of the model on a whole set."""
    logits = model(x)
    loss = nn.functional.cross_entropy(logits, y).item()
    return loss, (logits.argmax(dim=1) == y).float().mean().item()


@dataclass
class TrainingRun:
    model: nn.Module
    train_loss: list = field(default_factory=list)   # mean cross-entropy on the whole set, per epoch
    test_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)    # fraction classified correctly, per epoch
    test_acc: list = field(default_factory=list)

    def record(self, data: DigitsSplit) -> None:
        """Append the loss and accuracy of the model as it is now on both sets."""
        for losses, accs, x, y in ((self.train_loss, self.train_acc, data.x_train, data.y_train),
                                   (self.test_loss, self.test_acc, data.x_test, data.y_test)):
            loss, accuracy = evaluate(self.model, x, y)
            losses.append(loss)
            accs.append(accuracy)


# --8<-- [start:loop]
def train_mlp(*, optimizer="adam", lr=2e-3, epochs=30, batch_size=64, seed=0, hidden=(128,),
              activation="relu", init="he", momentum=0.0, split=None) -> TrainingRun:
    """Mini-batch training on the fixed split; the same seed gives the same numbers."""
    data = split or load_digits_split()            # the fixed split (seed 0), standardised
    model = make_model(seed=seed, hidden=hidden, activation=activation, init=init)
    opt = make_optimizer(optimizer, model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()                # takes logits and class indices
    shuffle = torch.Generator().manual_seed(seed)  # the batch order depends on the seed only
    run = TrainingRun(model)
    n_train = len(data.y_train)
    for epoch in range(epochs):
        order = torch.randperm(n_train, generator=shuffle)
        for start in range(0, n_train, batch_size):
            batch = order[start:start + batch_size]
            loss = loss_fn(model(data.x_train[batch]), data.y_train[batch])
            opt.zero_grad()                        # .grad adds up: clear the previous batch's
            loss.backward()
            opt.step()
        run.record(data)                           # loss and accuracy on the whole train and test sets
    return run
# --8<-- [end:loop]


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return model(x).argmax(dim=1)


def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int = N_CLASSES) -> torch.Tensor:
    """counts[i, j] = number of examples of true class i predicted as class j."""
    flat = y_true * n_classes + y_pred
    return torch.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
