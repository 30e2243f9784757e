"""Gradients add up in .grad until they are cleared; torch.no_grad() records nothing.

Run: python snippets/pytorch_grad_accumulation.py
"""
import torch

w = torch.tensor(3.0, requires_grad=True)

# --8<-- [start:accumulate]
for attempt in range(1, 4):
    loss = w ** 2                 # d(loss)/dw = 2w = 6
    loss.backward()               # adds 6 to w.grad; it does not overwrite it
    print(f"after backward #{attempt}: w.grad = {w.grad.item()}")
w.grad = None                     # what optimizer.zero_grad() does by default
(w ** 2).backward()
print("cleared, then one backward:", w.grad.item())
# --8<-- [end:accumulate]

# --8<-- [start:no_grad]
with torch.no_grad():
    w -= 0.1 * w.grad             # an update is not part of the model: do not record it
    doubled = 2 * w
print("w after the step:", round(w.item(), 6), "  requires_grad:", w.requires_grad)
print("result computed under no_grad requires_grad:", doubled.requires_grad)
# --8<-- [end:no_grad]
