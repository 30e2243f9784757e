"""A small model as an nn.Module: its parameters, a forward pass, and one training step.

Run: python snippets/pytorch_module.py
"""
import torch
from torch import nn


# --8<-- [start:module]
class TwoLayerNet(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()                  # first: sets up the registries for parameters and layers
        self.hidden = nn.Linear(d_in, d_hidden)
        self.output = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))
# --8<-- [end:module]


# --8<-- [start:use]
torch.manual_seed(0)
model = TwoLayerNet(4, 8, 3)
for name, p in model.named_parameters():
    print(f"{name:14s} {tuple(p.shape)}")
print("parameters in total:", sum(p.numel() for p in model.parameters()))   # 4*8 + 8 + 8*3 + 3

x = torch.randn(5, 4)                       # a batch of 5 inputs
target = torch.tensor([0, 2, 1, 1, 0])
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    loss = nn.functional.cross_entropy(model(x), target)   # call the model, not model.forward
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
# --8<-- [end:use]
