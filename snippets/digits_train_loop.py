"""Train the digits MLP with the plain PyTorch loop of dlnotes.digits and print how it went.

Run: python snippets/digits_train_loop.py   (about two seconds on one CPU thread)
"""
import torch

from dlnotes.digits import confusion_matrix, load_digits_split, predict, train_mlp

torch.set_num_threads(1)          # one thread: sums run in a fixed order, so every run prints the same
split = load_digits_split()       # fixed stratified split, standardised with training statistics
print(f"train {tuple(split.x_train.shape)}, test {tuple(split.x_test.shape)}")

run = train_mlp(split=split)      # MLP 64-128-10, Adam, 30 epochs of mini-batches of 64
for epoch in (1, 2, 5, 10, 20, 30):
    i = epoch - 1
    print(f"epoch {epoch:2d}  loss train {run.train_loss[i]:.4f} test {run.test_loss[i]:.4f}"
          f"  accuracy train {run.train_acc[i]:.4f} test {run.test_acc[i]:.4f}")

counts = confusion_matrix(split.y_test, predict(run.model, split.x_test))
print("confusion matrix (rows: true digit, columns: predicted digit)")
print(counts)
print(f"test accuracy {counts.trace() / counts.sum():.4f}")
