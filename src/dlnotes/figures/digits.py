"""Figures of the chapter "an MLP on handwritten digits"."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.digits import confusion_matrix, load_digits_raw, load_digits_split, predict, train_mlp


@dataclass(frozen=True)
class Curves:
    train_loss: list
    test_loss: list
    train_acc: list
    test_acc: list


def compute_curves(*, seed: int, epochs: int) -> Curves:
    """Per-epoch loss and accuracy of train_mlp with its default settings."""
    run = train_mlp(seed=seed, epochs=epochs)
    return Curves(run.train_loss, run.test_loss, run.train_acc, run.test_acc)


def draw_curves(axes, data: Curves) -> None:
    """Left: cross-entropy on a log scale; right: accuracy in percent. Train C0, test C1."""
    epochs = range(1, len(data.train_loss) + 1)
    loss_ax, acc_ax = axes
    loss_ax.semilogy(epochs, data.train_loss, color="C0", label="train")
    loss_ax.semilogy(epochs, data.test_loss, color="C1", label="test")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss")
    loss_ax.legend()
    acc_ax.plot(epochs, [100 * a for a in data.train_acc], color="C0", label="train")
    acc_ax.plot(epochs, [100 * a for a in data.test_acc], color="C1",
                label=f"test (last: {100 * data.test_acc[-1]:.1f} %)")
    acc_ax.axhline(97, color="C2", linestyle=":", linewidth=1.2, label="97 %")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", ylim=(90, 100.5))
    acc_ax.legend(loc="lower right")


@dataclass(frozen=True)
class Confusion:
    counts: torch.Tensor        # (10, 10) rows: true digit, columns: predicted digit
    images: torch.Tensor        # (K, 8, 8) raw grey levels 0..16 of misclassified test images
    true: list                  # their true digits
    predicted: list             # what the model said
    confidence: list            # the softmax probability the model gave its (wrong) answer


def compute_confusion(*, seed: int, epochs: int, n_shown: int) -> Confusion:
    """Confusion matrix of the trained model on the test set, and its first misclassified images."""
    split = load_digits_split()
    run = train_mlp(seed=seed, epochs=epochs, split=split)
    predicted = predict(run.model, split.x_test)
    wrong = torch.nonzero(predicted != split.y_test).flatten()[:n_shown]
    with torch.no_grad():
        probabilities = torch.softmax(run.model(split.x_test[wrong]), dim=1)
    pixels, _ = load_digits_raw()
    return Confusion(confusion_matrix(split.y_test, predicted),
                     pixels[split.test_index[wrong]].reshape(-1, 8, 8),
                     split.y_test[wrong].tolist(), predicted[wrong].tolist(),
                     probabilities.max(dim=1).values.tolist())


def draw_confusion(axes, data: Confusion) -> None:
    """Left: the counts (zeros left blank); right: misclassified digits titled true -> predicted."""
    import matplotlib as mpl
    import numpy as np

    matrix_ax, digits_ax = axes
    counts = data.counts.numpy()
    cmap = mpl.colormaps["viridis"].with_extremes(bad=(0, 0, 0, 0))   # zero cells: see-through
    matrix_ax.imshow(np.ma.masked_equal(counts, 0), cmap=cmap, norm=mpl.colors.LogNorm(1, counts.max()))
    for (i, j), count in np.ndenumerate(counts):
        if count:   # text in the colormap's far end, so it reads on its own cell in both palettes
            bright = count > counts.max() ** 0.5
            matrix_ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                           color=cmap(0.0) if bright else cmap(1.0))
    ticks = range(counts.shape[0])
    matrix_ax.set(xticks=ticks, yticks=ticks, xlabel="predicted digit", ylabel="true digit",
                  title=f"test set: {counts.trace()} of {counts.sum()} right")
    matrix_ax.grid(False)
    edges = np.arange(-0.5, counts.shape[0])                # thin lines between the cells
    matrix_ax.set_xticks(edges, minor=True)
    matrix_ax.set_yticks(edges, minor=True)
    matrix_ax.grid(True, which="minor")
    matrix_ax.tick_params(which="both", length=0)
    for spine in matrix_ax.spines.values():
        spine.set_visible(False)

    # the digits are drawn in the text colour on a see-through background: ink on either palette
    ink = mpl.colors.to_rgb(mpl.rcParams["text.color"])
    ink_cmap = mpl.colors.LinearSegmentedColormap.from_list("ink", [(*ink, 0.0), (*ink, 1.0)])
    digits_ax.set_axis_off()
    digits_ax.set_title("misclassified: true → predicted")
    n_cols = max(1, min(4, len(data.true)))
    n_rows = max(1, -(-len(data.true) // n_cols))
    for k, (image, true, predicted, p) in enumerate(zip(data.images, data.true, data.predicted,
                                                        data.confidence)):
        row, col = divmod(k, n_cols)
        cell = digits_ax.inset_axes([(col + 0.08) / n_cols, 1 - (row + 0.85) / n_rows,
                                     0.84 / n_cols, 0.75 / n_rows])
        cell.imshow(image.numpy(), cmap=ink_cmap, vmin=0, vmax=16)
        cell.set_xticks([])
        cell.set_yticks([])
        cell.grid(False)
        cell.set_xlabel(f"{true} → {predicted}\n$p$ = {p:.2f}", fontsize=9, labelpad=3)
        for spine in cell.spines.values():
            spine.set_visible(True)
            spine.set_linewidth(0.6)
