"""The answers to the exercises of "PyTorch basics", checked with PyTorch."""
import pytest
import torch
from torch import nn

from exercisekit import load_solution, printed


@pytest.mark.parametrize("left, right, expected", [
    ((5, 1, 4), (3, 1), (5, 3, 4)),
    ((8, 1, 6, 1), (7, 1, 5), (8, 7, 6, 5)),
    ((1,), (3, 1), (3, 1)),
    ((3, 4), (4, 3), None),                               # 4 meets 3 at the right end: an error
])
def test_ex_pytorch_basics_1_broadcast_shapes(left, right, expected):
    if expected is None:
        with pytest.raises(RuntimeError):
            torch.broadcast_shapes(left, right)
        with pytest.raises(RuntimeError):
            torch.zeros(left) + torch.zeros(right)
    else:
        assert torch.broadcast_shapes(left, right) == expected
        assert (torch.zeros(left) + torch.zeros(right)).shape == expected


def test_ex_pytorch_basics_2_result_dtypes():
    results = {
        "torch.arange(3) + 0.5": torch.arange(3) + 0.5,
        "torch.arange(3) / 2": torch.arange(3) / 2,
        "torch.arange(3) // 2": torch.arange(3) // 2,
        "torch.ones(3) + torch.ones(3, dtype=torch.float64)": torch.ones(3) + torch.ones(3, dtype=torch.float64),
        "torch.ones(3) + torch.tensor(2.0, dtype=torch.float64)": torch.ones(3) + torch.tensor(2.0, dtype=torch.float64),
    }
    assert {code: value.dtype for code, value in results.items()} == {
        "torch.arange(3) + 0.5": torch.float32,
        "torch.arange(3) / 2": torch.float32,
        "torch.arange(3) // 2": torch.int64,
        "torch.ones(3) + torch.ones(3, dtype=torch.float64)": torch.float64,
        "torch.ones(3) + torch.tensor(2.0, dtype=torch.float64)": torch.float32,
    }


def test_ex_pytorch_basics_3_backward_with_a_vector():
    w = torch.tensor([[1.0, 2, 0], [0, -1, 3]])
    x = torch.ones(3, requires_grad=True)
    y = w @ x
    y.backward(torch.tensor([1.0, 2]))
    assert x.grad.tolist() == [1.0, 0.0, 6.0]                                  # W^T v
    # in general x.grad = J^T v, with J the Jacobian of y in x
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(4, generator=gen, dtype=torch.float64, requires_grad=True)
    v = torch.randn(4, generator=gen, dtype=torch.float64)
    f = lambda x: x.sin() * x.cumsum(0)                                        # noqa: E731
    f(x).backward(v)
    torch.testing.assert_close(x.grad, torch.autograd.functional.jacobian(f, x.detach()).T @ v)
    # y.sum().backward() is y.backward(ones): the Jacobian of the sum is a row of ones
    a, b = x.detach().clone().requires_grad_(), x.detach().clone().requires_grad_()
    f(a).sum().backward()
    f(b).backward(torch.ones(4, dtype=torch.float64))
    torch.testing.assert_close(a.grad, b.grad)


def test_ex_pytorch_basics_4_micro_batches():
    accumulated_gradients = load_solution("pytorch_basics_micro_batches")["accumulated_gradients"]
    torch.manual_seed(4)
    model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 2)).double()
    x, y = torch.randn(11, 3, dtype=torch.float64), torch.randn(11, 2, dtype=torch.float64)
    model.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    whole = [p.grad.clone() for p in model.parameters()]
    for micro_batch in (1, 3, 4, 11, 20):
        pieces = accumulated_gradients(model, nn.MSELoss(), x, y, micro_batch)
        for piece, reference in zip(pieces, whole):
            torch.testing.assert_close(piece, reference)
    # dividing by the number of chunks instead: with 10 examples in chunks of 4, 4 and 2, each of the last
    # two counts twice as much as each of the others (weights 1/12 and 1/6 instead of 1/10)
    x, y = x[:10], y[:10]
    model.zero_grad()
    for start in range(0, 10, 4):
        (nn.functional.mse_loss(model(x[start:start + 4]), y[start:start + 4]) / 3).backward()
    by_chunk_count = [p.grad.clone() for p in model.parameters()]
    weights = torch.tensor([1 / 12] * 8 + [1 / 6] * 2, dtype=torch.float64)
    model.zero_grad()
    (weights * ((model(x) - y) ** 2).mean(dim=1)).sum().backward()
    for got, reference in zip(by_chunk_count, model.parameters()):
        torch.testing.assert_close(got, reference.grad)
    assert not torch.allclose(by_chunk_count[0], accumulated_gradients(model, nn.MSELoss(), x, y, 4)[0])
    assert float(printed("pytorch_basics_micro_batches").split("difference ")[1]) < 1e-12
