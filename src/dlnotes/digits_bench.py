"""Digits benchmark: our PyTorch MLP against scikit-learn's MLPClassifier on the same split.

    python -m dlnotes.digits_bench

Prints `name: value unit` lines (test accuracy, training seconds) and asserts nothing. Both
models get the same standardised images, the same hidden layer, Adam with the same step size,
batch size and number of epochs, a fixed seed, and one CPU thread. (train_mlp also measures both
sets after every epoch, for the curves; sklearn does not, so its time leaves that out.)
"""
from __future__ import annotations

import inspect
import time
import warnings

import torch

from dlnotes.digits import load_digits_split, train_mlp

DEFAULTS = {name: p.default for name, p in inspect.signature(train_mlp).parameters.items()}


def bench_torch(seed: int = 0) -> tuple[float, float]:
    """(test accuracy, training seconds) of dlnotes.digits.train_mlp with its defaults."""
    split = load_digits_split()
    # warm-up: the first torch.optim optimizer of a process imports torch._dynamo (about 2 s of
    # CPU), a one-time cost that has nothing to do with training
    train_mlp(seed=seed, split=split, epochs=1)
    start = time.perf_counter()
    run = train_mlp(seed=seed, split=split)
    return run.test_acc[-1], time.perf_counter() - start


def bench_sklearn(seed: int = 0) -> tuple[float, float]:
    """(test accuracy, training seconds) of sklearn's MLPClassifier with the same settings."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    split = load_digits_split()
    classifier = MLPClassifier(hidden_layer_sizes=DEFAULTS["hidden"], activation="relu",
                               solver="adam", learning_rate_init=DEFAULTS["lr"],
                               batch_size=DEFAULTS["batch_size"],
                               alpha=0.0,          # no L2 penalty: train_mlp has none either
                               max_iter=DEFAULTS["epochs"],   # the same number of epochs
                               random_state=seed)
    with threadpool_limits(limits=1), warnings.catch_warnings():   # one thread, as torch gets
        # sklearn warns whenever fit() ends at max_iter; a fixed budget of epochs is the point here.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        start = time.perf_counter()
        classifier.fit(split.x_train.numpy(), split.y_train.numpy())
        seconds = time.perf_counter() - start
    accuracy = classifier.score(split.x_test.numpy(), split.y_test.numpy())
    return float(accuracy), seconds


def main() -> None:
    torch.set_num_threads(1)
    accuracy, seconds = bench_torch()
    print(f"digits-mlp: accuracy {accuracy:.4f}")
    print(f"digits-mlp-train: {seconds:.2f} s")
    accuracy, seconds = bench_sklearn()
    print(f"digits-sklearn-mlp: accuracy {accuracy:.4f}")
    print(f"digits-sklearn-mlp-train: {seconds:.2f} s")


if __name__ == "__main__":
    main()
