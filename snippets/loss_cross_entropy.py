"""nn.CrossEntropyLoss three ways: on labels, as LogSoftmax + NLLLoss, by hand.

Run: python snippets/loss_cross_entropy.py
"""
import torch
from torch import nn

torch.manual_seed(0)
logits = torch.randn(5, 4, dtype=torch.float64)   # N = 5, C = 4 classes
labels = torch.tensor([2, 0, 3, 3, 1])            # class indices

# --8<-- [start:three_ways]
ce = nn.CrossEntropyLoss()(logits, labels)               # takes logits
nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels)  # same, in two steps

y = nn.functional.one_hot(labels, num_classes=4).double()  # one-hot (N, C)
log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
by_hand = -(y * log_p).sum(dim=1).mean()     # -1/N sum_i sum_k y_ik log p_ik

ce_probs = nn.CrossEntropyLoss()(logits, y)  # targets given as probabilities
# --8<-- [end:three_ways]

# --8<-- [start:smoothing]
eps = 0.1
smoothed = (1 - eps) * y + eps / 4                   # (1 - eps) y + eps / C
ce_smooth = nn.CrossEntropyLoss(label_smoothing=eps)(logits, labels)
ce_smooth_by_hand = -(smoothed * log_p).sum(dim=1).mean()
# --8<-- [end:smoothing]

# --8<-- [start:softmax_twice]
probs = torch.softmax(logits, dim=1)
wrong = nn.CrossEntropyLoss()(probs, labels)   # a second softmax inside
# --8<-- [end:softmax_twice]

rows = [("CrossEntropyLoss(logits, labels)", ce),
        ("NLLLoss(LogSoftmax(logits), labels)", nll),
        ("-mean sum y log softmax(z)", by_hand),
        ("CrossEntropyLoss(logits, one-hot)", ce_probs)]
for label, value in rows:
    print(f"{label:<36}{value.item():.10f}")
print(f"{'label_smoothing=0.1':<36}{ce_smooth.item():.10f}"
      f"  by hand {ce_smooth_by_hand.item():.10f}")
print(f"{'CrossEntropyLoss(softmax(logits))':<36}{wrong.item():.10f}"
      "  <- not the cross-entropy")
assert torch.allclose(ce, nll) and torch.allclose(ce, by_hand)
assert torch.allclose(ce, ce_probs)
assert torch.allclose(ce_smooth, ce_smooth_by_hand)
