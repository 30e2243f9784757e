"""One epoch of mini-batch gradients, averaged, gives back the full-batch gradient.

Run: python snippets/gd_minibatch_mean.py
"""
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.rand(128, 1, dtype=torch.float64) * 4 - 1
y = 1.5 * x + 0.7 + 0.4 * torch.randn(128, 1, dtype=torch.float64)
model = torch.nn.Linear(1, 1, dtype=torch.float64)
loss_fn = torch.nn.MSELoss()                                  # the mean over the batch


def gradient(xb, yb):
    model.zero_grad()
    loss_fn(model(xb), yb).backward()
    return torch.cat([model.weight.grad.flatten(), model.bias.grad])


full = gradient(x, y)                                         # B = N: one step of gradient descent
loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
batch_grads = torch.stack([gradient(xb, yb) for xb, yb in loader])   # 8 batches of 16

print("full gradient          ", full.numpy().round(6))
for k in range(3):
    print(f"batch {k} gradient        ", batch_grads[k].numpy().round(6))
print("mean of the 8 batches  ", batch_grads.mean(dim=0).numpy().round(6))
print(f"largest difference from the full gradient: {(batch_grads.mean(dim=0) - full).abs().max():.1e}")
