"""Exercise: causal (masked) scaled dot-product attention by hand, next to PyTorch's.

Run: python snippets/exercises/history_causal_attention.py
"""
import math

import torch
import torch.nn.functional as F


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d_k) + M) V, where M is -inf above the diagonal: position i sees keys 0..i."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    future = torch.ones(scores.shape[-2:], dtype=torch.bool).triu(diagonal=1)
    scores = scores.masked_fill(future, float("-inf"))      # exp(-inf) = 0: no weight on later positions
    return torch.softmax(scores, dim=-1) @ v


if __name__ == "__main__":
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 6, 8, generator=gen, dtype=torch.float64) for _ in range(3))
    ours = causal_attention(q, k, v)
    reference = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    print(f"max |by hand - F.scaled_dot_product_attention| = {(ours - reference).abs().max().item():.1e}")
    # changing the last position's value leaves every earlier output as it was
    v_changed = v.clone()
    v_changed[:, -1] += 1.0
    moved = (causal_attention(q, k, v_changed) - ours).abs().amax(dim=(0, 2))
    print("outputs moved by changing the last value:", [round(m, 3) for m in moved.tolist()])
