"""The answers to the exercises of the chapter "An MLP on handwritten digits", checked with PyTorch."""
import math

import pytest
import torch
from torch import nn

from dlnotes.digits import load_digits_split, make_model, train_mlp
from dlnotes.mlp import MLP
from exercisekit import ROOT, assert_pages_show, load_solution, run_solution, solution_output_on_pages

CHAPTER = "digits-mlp"

pytestmark = pytest.mark.usefixtures("single_thread")   # tests/conftest.py; also fixes the order of sums


def test_ex_digits_mlp_1_parameters_of_a_64_256_128_10_mlp():
    model = MLP((64, 256, 128, 10))
    counts = [p.numel() for p in model.parameters()]
    assert counts == [64 * 256, 256, 256 * 128, 128, 128 * 10, 10]
    assert counts == [16384, 256, 32768, 128, 1280, 10] and sum(counts) == 50826
    assert_pages_show(CHAPTER, 1, "16384", "32768", "1280", "50826")


def test_ex_digits_mlp_2_cross_entropy_of_equal_logits_and_the_geometric_mean():
    labels = load_digits_split().y_test
    equal = nn.CrossEntropyLoss()(torch.zeros(len(labels), 10, dtype=torch.float64), labels)
    assert math.isclose(equal.item(), math.log(10), rel_tol=1e-12) and f"{equal.item():.4f}" == "2.3026"
    # exp(-CE) is the geometric mean of the probabilities given to the true classes
    logits = torch.randn(450, 10, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    loss = nn.CrossEntropyLoss()(logits, labels)
    p_true = torch.softmax(logits, dim=1)[torch.arange(450), labels]
    assert math.isclose(math.exp(-loss.item()), p_true.log().mean().exp().item(), rel_tol=1e-12)
    assert f"{math.exp(-0.0365):.4f}" == "0.9642" and f"{math.exp(-0.6727):.4f}" == "0.5103"
    # the two losses and the 84% are the chapter's printed epochs 1 and 30
    printed = (ROOT / "docs" / "en" / f"{CHAPTER}.md").read_text()
    assert "epoch  1  loss train 0.6535 test 0.6727  accuracy train 0.8463 test 0.8400" in printed
    assert "epoch 30  loss train 0.0070 test 0.0365" in printed
    assert_pages_show(CHAPTER, 2, "2.3026", "0.0365", "0.9642", "0.6727", "0.5103", "84%")


def test_ex_digits_mlp_3_output_bias_gradient_sums_to_zero():
    data = load_digits_split()
    model = make_model(seed=0)
    x, y = data.x_train[:64], data.y_train[:64]
    loss = nn.CrossEntropyLoss()(model(x), y)
    (grad,) = torch.autograd.grad(loss, model.layers[-1].bias)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)
    expected = (p - nn.functional.one_hot(y, 10).float()).mean(dim=0)     # (1/N) sum_i (p_i - y_i)
    torch.testing.assert_close(grad, expected)
    assert abs(grad.sum().item()) < 1e-6 and grad.abs().max() > 1e-2
    # so plain SGD keeps the sum of the output biases at its starting 0; Adam does not
    sgd = train_mlp(optimizer="sgd", lr=0.1, epochs=2, split=data).model.layers[-1].bias
    adam = train_mlp(optimizer="adam", lr=2e-3, epochs=2, split=data).model.layers[-1].bias
    assert abs(sgd.sum().item()) < 1e-5 < 1e-2 < sgd.abs().max().item()
    assert abs(adam.sum().item()) > 1e-3
    assert_pages_show(CHAPTER, 3, r"\frac{1}{N}")


def test_ex_digits_mlp_4_early_stopping_matches_the_chapters_loop(tmp_path):
    solution = load_solution("digits_mlp_early_stopping")
    data = solution["validation_split"]()
    assert (len(data.y_train), len(data.y_test)) == (1078, 269)
    assert set(data.train_index.tolist()).isdisjoint(data.test_index.tolist())
    assert set(data.test_index.tolist()) <= set(load_digits_split().train_index.tolist())   # no test image
    model, best_epoch, losses = solution["train_with_early_stopping"](data, patience=3, lr=1e-2)
    # the validation losses are those train_mlp records on the same split, epoch by epoch
    reference = train_mlp(split=data, lr=1e-2, epochs=len(losses))
    assert losses == reference.test_loss
    assert best_epoch == 1 + min(range(len(losses)), key=losses.__getitem__)
    assert len(losses) == best_epoch + 3                       # stopped after 3 epochs without a new best
    restored = train_mlp(split=data, lr=1e-2, epochs=best_epoch).model
    for ours, theirs in zip(model.parameters(), restored.parameters()):
        assert torch.equal(ours, theirs)                       # the weights of the best epoch
    printed = run_solution("digits_mlp_early_stopping", tmp_path).strip()
    assert printed == solution_output_on_pages(CHAPTER, 4)
