"""The answers to the exercises of the historical review, checked with PyTorch."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from exercisekit import load_solution, printed


def test_ex_history_1_alexnet_sizes():
    layers = [nn.Conv2d(3, 96, kernel_size=11, stride=4), nn.MaxPool2d(3, stride=2),
              nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.MaxPool2d(3, stride=2)]
    size = lambda n, k, s=1, p=0: (n + 2 * p - k) // s + 1          # noqa: E731
    by_formula = [size(227, 11, 4), size(55, 3, 2), size(27, 5, 1, 2), size(27, 3, 2)]
    x, sizes = torch.zeros(1, 3, 227, 227), []
    with torch.no_grad():
        for layer in layers:
            x = layer(x)
            sizes.append(x.shape[-1])
    assert sizes == by_formula == [55, 27, 27, 13]
    assert x.shape == (1, 256, 13, 13)
    assert sum(p.numel() for p in layers[0].parameters()) == 96 * (11 * 11 * 3) + 96 == 34944


@pytest.mark.parametrize("d_k", [16, 64, 256])
def test_ex_history_2_attention_scores_have_variance_d_k(d_k):
    gen = torch.Generator().manual_seed(d_k)
    q, k = (torch.randn(100_000, d_k, generator=gen, dtype=torch.float64) for _ in range(2))
    scores = (q * k).sum(dim=1)
    assert scores.var().item() == pytest.approx(d_k, rel=0.03)                  # Var(q.k) = d_k
    assert (scores / math.sqrt(d_k)).var().item() == pytest.approx(1, rel=0.03)
    # each term q_i k_i has mean 0 and variance E[q_i^2] E[k_i^2] = 1
    torch.manual_seed(d_k)                               # torch.distributions draws from the global generator
    terms = torch.distributions.Normal(0.0, 1.0).sample((2, 100_000)).prod(dim=0)
    assert terms.mean().item() == pytest.approx(0, abs=0.02) and terms.var().item() == pytest.approx(1, rel=0.03)


def test_ex_history_3_gpt2_parameter_count():
    n_layer, d, n_vocab, n_ctx = 48, 1600, 50257, 1024                       # GPT-2, the largest of the four
    # modules on the meta device have shapes but no memory: 1.5 billion parameters cost nothing
    layers = nn.ModuleList(nn.TransformerEncoderLayer(d, nhead=25, dim_feedforward=4 * d, device="meta")
                           for _ in range(n_layer))
    embeddings = nn.ModuleList([nn.Embedding(n_vocab, d, device="meta"), nn.Embedding(n_ctx, d, device="meta")])
    count = lambda module: sum(p.numel() for p in module.parameters())        # noqa: E731
    assert count(layers[0]) == 12 * d ** 2 + 13 * d == 30740800
    assert n_layer * count(layers[0]) == 1475558400
    total = count(layers) + count(embeddings)
    assert total == n_layer * (12 * d ** 2 + 13 * d) + (n_vocab + n_ctx) * d == 1557608000
    assert count(embeddings) == 82049600 and round(100 * count(embeddings) / total, 1) == 5.3
    gpt3 = 96 * (12 * 12288 ** 2 + 13 * 12288) + (n_vocab + 2048) * 12288
    assert round(100 * (n_vocab + 2048) * 12288 / gpt3, 1) == 0.4


def test_ex_history_4_causal_attention():
    causal_attention = load_solution("history_causal_attention")["causal_attention"]
    gen = torch.Generator().manual_seed(4)
    for shape in [(1, 1, 4), (3, 7, 5), (2, 4, 12, 16)]:
        q, k, v = (torch.randn(*shape, generator=gen, dtype=torch.float64) for _ in range(3))
        torch.testing.assert_close(causal_attention(q, k, v), F.scaled_dot_product_attention(q, k, v, is_causal=True))
    # position i does not depend on any later position: the Jacobian of output i in v_j is zero for j > i
    q, k, v = (torch.randn(5, 3, generator=gen, dtype=torch.float64) for _ in range(3))
    jacobian = torch.autograd.functional.jacobian(lambda v: causal_attention(q, k, v), v)   # (5, 3, 5, 3)
    depends = jacobian.abs().sum(dim=(1, 3)) > 0
    assert torch.equal(depends, torch.ones(5, 5, dtype=torch.bool).tril())
    assert float(printed("history_causal_attention").splitlines()[0].split("= ")[1]) < 1e-12
