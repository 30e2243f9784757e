"""Several nn.Linear layers in a row, with nothing between them, are one nn.Linear.

Run: python snippets/nn_linear_collapse.py
"""
import torch
from torch import nn

torch.manual_seed(0)
sizes = [5, 32, 64, 16, 3]                  # 5 -> 32 -> 64 -> 16 -> 3: four layers
layers = [nn.Linear(i, o, dtype=torch.float64) for i, o in zip(sizes[:-1], sizes[1:])]
stack = nn.Sequential(*layers)

# --8<-- [start:collapse]
# A_2 (A_1 x + b_1) + b_2 = (A_2 A_1) x + (A_2 b_1 + b_2), one layer at a time
weight, bias = layers[0].weight, layers[0].bias
for layer in layers[1:]:
    weight = layer.weight @ weight
    bias = layer.weight @ bias + layer.bias

single = nn.Linear(sizes[0], sizes[-1], dtype=torch.float64)
with torch.no_grad():
    single.weight.copy_(weight)             # shape (3, 5): out x in, like any nn.Linear
    single.bias.copy_(bias)
# --8<-- [end:collapse]

x = torch.randn(1000, sizes[0], dtype=torch.float64)
with torch.no_grad():
    gap = (stack(x) - single(x)).abs().max().item()
    # the same layers with a ReLU between them: not even the best affine map fits it
    bent = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2], nn.ReLU(), layers[3])
    design = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)      # rows [x^T, 1]
    best_affine = design @ torch.linalg.lstsq(design, bent(x), driver="gelsd").solution  # gelsd: same bits every run
    gap_relu = (bent(x) - best_affine).abs().max().item()
    spread = bent(x).std().item()
print(f"parameters: stack {sum(p.numel() for p in stack.parameters())}, "
      f"single layer {sum(p.numel() for p in single.parameters())}")
print(f"linear stack: max |stack(x) - single(x)|   = {gap:.1e}")
print(f"ReLU stack:   max |bent(x) - best affine|  = {gap_relu:.1e}  (its outputs have std {spread:.1e})")
assert gap < 1e-12
