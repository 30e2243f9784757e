"""Naive log(softmax(z)) breaks down for large logits; log_softmax does not.

Run: python snippets/loss_log_softmax_stability.py
"""
import torch

z = torch.tensor([1000.0, 0.0, -1000.0])   # float32 logits, 3 classes

naive = torch.log(torch.exp(z) / torch.exp(z).sum())  # inf / inf = nan
two_step = torch.log(torch.softmax(z, dim=0))         # p = 0 -> log 0 = -inf
m = z.max()
by_hand = z - (m + torch.log(torch.exp(z - m).sum()))  # z - logsumexp(z)
fused = torch.log_softmax(z, dim=0)
ce = torch.nn.CrossEntropyLoss()(z[None], torch.tensor([2]))

print("log(exp(z) / sum exp(z))  ", naive.tolist())
print("log(softmax(z))           ", two_step.tolist())
print("z - logsumexp(z)          ", by_hand.tolist())
print("log_softmax(z)            ", fused.tolist())
print("CrossEntropyLoss, class 2 ", ce.item())
assert torch.isnan(naive).any() and torch.isinf(two_step).any()
assert torch.allclose(by_hand, fused) and torch.isfinite(fused).all()
