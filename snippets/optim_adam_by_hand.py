"""Adam written out by hand, next to torch.optim.Adam, on the same model and the same batches.

Run: python snippets/optim_adam_by_hand.py
"""
import copy

import torch

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)).double()
twin = copy.deepcopy(model)                      # the same starting weights
x = torch.randn(200, 4, dtype=torch.float64)
y = (x @ torch.randn(4, 3, dtype=torch.float64)).argmax(dim=1)   # labels a linear rule can learn
loss_fn = torch.nn.CrossEntropyLoss()

# --8<-- [start:by_hand]
lr, beta1, beta2, eps = 1e-2, 0.9, 0.999, 1e-8
m = [torch.zeros_like(p) for p in model.parameters()]   # first moment: mean of g
v = [torch.zeros_like(p) for p in model.parameters()]   # second moment: mean of g^2


def adam_by_hand(t):                                     # t = 1, 2, 3, ...
    with torch.no_grad():
        for p, m_p, v_p in zip(model.parameters(), m, v):
            g = p.grad
            m_p.mul_(beta1).add_((1 - beta1) * g)        # m <- b1 m + (1 - b1) g
            v_p.mul_(beta2).add_((1 - beta2) * g * g)    # v <- b2 v + (1 - b2) g^2
            m_hat = m_p / (1 - beta1 ** t)               # bias correction
            v_hat = v_p / (1 - beta2 ** t)
            p -= lr * m_hat / (v_hat.sqrt() + eps)       # eps outside the square root
# --8<-- [end:by_hand]


# --8<-- [start:torch]
adam = torch.optim.Adam(twin.parameters(), lr=1e-2, betas=(0.9, 0.999), eps=1e-8)
# --8<-- [end:torch]

for t in range(1, 51):
    batch = torch.randint(0, 200, (32,))
    for net in (model, twin):
        net.zero_grad()
        loss_fn(net(x[batch]), y[batch]).backward()
    adam_by_hand(t)
    adam.step()
    if t in (1, 10, 50):
        gap = max((p - q).abs().max().item() for p, q in zip(model.parameters(), twin.parameters()))
        loss = loss_fn(model(x), y).item()
        print(f"step {t:2d}: loss {loss:.4f}, largest difference from torch.optim.Adam {gap:.1e}")
