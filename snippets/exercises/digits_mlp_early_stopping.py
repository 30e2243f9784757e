"""Exercise solution: early stopping on the digits MLP, judged on a validation set cut from the training images.

Run: python snippets/exercises/digits_mlp_early_stopping.py   (a few seconds on one CPU thread)
"""
import copy

import torch
from torch import nn

from dlnotes.digits import (DigitsSplit, evaluate, load_digits_raw, load_digits_split, make_model,
                            standardisation, stratified_split)


def validation_split(fraction=0.2, seed=1):
    """The chapter's training images split again into training and validation; the test images stay out."""
    pixels, labels = load_digits_raw()
    rows = load_digits_split().train_index            # the chapter's 1347 training images
    keep, held_out = stratified_split(labels[rows], test_fraction=fraction, seed=seed)
    train_rows, val_rows = rows[keep], rows[held_out]
    mean, std = standardisation(pixels[train_rows])   # statistics of the remaining training images only
    # DigitsSplit's "test" fields hold the validation images here
    return DigitsSplit((pixels[train_rows] - mean) / std, labels[train_rows],
                       (pixels[val_rows] - mean) / std, labels[val_rows], mean, std, train_rows, val_rows)


def train_with_early_stopping(data, *, patience=5, max_epochs=100, lr=2e-3, batch_size=64, seed=0):
    """The chapter's training loop, stopped once `patience` epochs in a row fail to lower the best
    validation loss; the model gets back the weights of its best epoch. Returns (model, best_epoch, losses)."""
    model = make_model(seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    shuffle = torch.Generator().manual_seed(seed)
    losses, best_epoch, best_state = [], 0, None
    for epoch in range(1, max_epochs + 1):
        for batch in torch.randperm(len(data.y_train), generator=shuffle).split(batch_size):
            loss = nn.functional.cross_entropy(model(data.x_train[batch]), data.y_train[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses.append(evaluate(model, data.x_test, data.y_test)[0])      # validation loss
        if losses[-1] < min(losses[:-1], default=float("inf")):
            best_epoch, best_state = epoch, copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    return model, best_epoch, losses


if __name__ == "__main__":
    torch.set_num_threads(1)                          # a fixed order of sums: the same numbers every run
    data = validation_split()
    print(f"train {len(data.y_train)}, validation {len(data.y_test)} images")
    model, best_epoch, losses = train_with_early_stopping(data, patience=5)
    print(f"best validation loss {losses[best_epoch - 1]:.4f} at epoch {best_epoch}, stopped after epoch {len(losses)}")
    test = load_digits_split()                        # used once, at the very end
    x_test = (load_digits_raw()[0][test.test_index] - data.mean) / data.std
    print(f"test accuracy of the restored model {evaluate(model, x_test, test.y_test)[1]:.4f}")
