"""y = W_3^T rho(W_2^T rho(W_1^T x + b_1) + b_2) + b_3, by hand with matrices and as nn.Sequential.

Run: python snippets/nn_mlp_by_hand.py
"""
import torch
from torch import nn

torch.manual_seed(0)
d = [4, 8, 6, 3]                                   # d_0 (input), d_1, d_2 (hidden), d_3 (output)
model = nn.Sequential(nn.Linear(d[0], d[1]), nn.ReLU(),
                      nn.Linear(d[1], d[2]), nn.ReLU(),
                      nn.Linear(d[2], d[3]))
linears = [model[0], model[2], model[4]]

# --8<-- [start:by_hand]
W = [layer.weight.detach().T for layer in linears]   # nn.Linear keeps W_l^T, shape (d_l, d_{l-1})
b = [layer.bias.detach() for layer in linears]
rho = torch.relu

x = torch.randn(d[0])                                # one input, a column vector in R^{d_0}
h1 = rho(W[0].T @ x + b[0])                          # R^{d_1}
h2 = rho(W[1].T @ h1 + b[1])                         # R^{d_2}
y = W[2].T @ h2 + b[2]                               # R^{d_3}

X = torch.randn(5, d[0])                             # a batch: one input per row
Y = rho(rho(X @ W[0] + b[0]) @ W[1] + b[1]) @ W[2] + b[2]
# --8<-- [end:by_hand]

for i, (w, layer) in enumerate(zip(W, linears), start=1):
    print(f"W_{i}: {tuple(w.shape)}   nn.Linear({layer.in_features}, {layer.out_features}).weight: "
          f"{tuple(layer.weight.shape)}")
with torch.no_grad():
    one, batch = (y - model(x)).abs().max().item(), (Y - model(X)).abs().max().item()
print(f"max |by hand - model|: one input {one:.1e}, batch of {len(X)} {batch:.1e}")
assert one < 1e-6 and batch < 1e-6
