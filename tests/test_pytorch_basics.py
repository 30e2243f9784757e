"""The PyTorch-basics chapter: every rule the page states about tensors, autograd and modules."""
import io
import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]


def load_snippet(name):
    sys.path.insert(0, str(ROOT / "snippets"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def run_snippet(name):
    proc = subprocess.run([sys.executable, str(ROOT / "snippets" / f"{name}.py")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


# ---------------------------------------------------------------- tensors

def test_default_dtypes_and_promotion():
    assert torch.tensor([1, 2]).dtype == torch.int64
    assert torch.tensor([1.0, 2.0]).dtype == torch.float32
    assert torch.from_numpy(np.ones(2)).dtype == torch.float64          # NumPy's float64 is kept
    assert (torch.tensor([1, 2]) + torch.tensor([0.5, 0.5])).dtype == torch.float32
    assert (torch.ones(2) + torch.ones(2, dtype=torch.float64)).dtype == torch.float64
    assert torch.ones(2).device.type == "cpu"
    t = torch.ones(2)
    assert t.to("cpu") is t                 # .to returns the tensor itself when nothing changes
    assert t.to(torch.float64) is not t


def broadcast_shape(a: tuple, b: tuple) -> tuple:
    """The rule on the page: align from the right, a missing size counts as 1, sizes must match or be 1."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"{x} against {y}")
        out.append(max(x, y))
    return tuple(out)


SHAPES = [(), (1,), (3,), (2, 1), (2, 3), (1, 3), (4, 1, 3), (4, 2, 1), (2,), (5, 2, 3)]


@pytest.mark.parametrize("a, b", list(itertools.combinations_with_replacement(SHAPES, 2)))
def test_broadcasting_rule_shapes(a, b):
    try:
        expected = broadcast_shape(a, b)
    except ValueError:
        with pytest.raises(RuntimeError):
            torch.broadcast_shapes(a, b)
        with pytest.raises(RuntimeError):
            torch.zeros(a) + torch.zeros(b)
        return
    assert torch.broadcast_shapes(a, b) == expected
    assert (torch.zeros(a) + torch.zeros(b)).shape == expected


def test_broadcast_adds_a_row_to_every_row():
    column = torch.tensor([[10.0], [20.0]])
    row = torch.tensor([1.0, 2.0, 3.0])
    torch.testing.assert_close(column + row, torch.tensor([[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]))
    # the same as copying both out to (2, 3) first; broadcasting just never makes those copies
    torch.testing.assert_close(column + row, column.expand(2, 3) + row.expand(2, 3))
    assert row.expand(2, 3).stride() == (0, 1)       # an expanded view repeats memory, it does not copy


def test_numpy_shares_memory():
    t = torch.zeros(3)
    view = t.numpy()
    t[0] = 7.0
    assert view[0] == 7.0 and np.shares_memory(view, t.numpy())
    array = np.ones(3)
    shared, copied = torch.from_numpy(array), torch.tensor(array)
    array[1] = 5.0
    assert shared[1] == 5.0 and copied[1] == 1.0
    # a tensor that records gradients must be detached first
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        w.numpy()
    detached = w.detach().numpy()                 # detach() shares memory too
    with torch.no_grad():
        w[0] = 5.0
    assert detached[0] == 5.0


def test_tensor_snippet_output():
    lines = run_snippet("pytorch_tensors")
    text = "\n".join(lines)
    assert "torch.Size([2, 3]) torch.float32 cpu" in text
    assert "counts: torch.Size([6]) torch.int64" in text
    assert "column + row = [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]" in text
    assert "a + ones(2) fails:" in text
    assert "numpy view sees the change: [7.0, 0.0, 0.0]" in text
    assert "from_numpy: [1.0, 5.0, 1.0] torch.float64  torch.tensor: [1.0, 1.0, 1.0]" in text


# ---------------------------------------------------------------- autograd

@pytest.mark.parametrize("seed", range(5))
def test_hand_derivative_matches_autograd(seed):
    snippet = load_snippet("pytorch_autograd_check")
    gen = torch.Generator().manual_seed(seed)
    x = (torch.randn(20, generator=gen, dtype=torch.float64) * 4).requires_grad_()
    snippet.f(x).backward()
    torch.testing.assert_close(snippet.df_by_hand(x.detach()), x.grad)
    # and the formula on the page, written out: cos(x) x^2 + 2 x sin(x)
    xd = x.detach()
    torch.testing.assert_close(torch.cos(xd) * xd ** 2 + 2 * xd * torch.sin(xd), x.grad)
    # f itself is sum_i sin(x_i) x_i^2
    torch.testing.assert_close(snippet.f(xd), (torch.sin(xd) * xd ** 2).sum())


def test_autograd_check_snippet_prints_matching_values():
    lines = run_snippet("pytorch_autograd_check")
    assert len(lines) == 7
    for line in lines:
        words = line.split()
        assert words[5] == words[7], line       # by hand == autograd, to the printed digits


def test_gradient_accumulation_doubles_grad():
    w = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True)
    (w ** 3).sum().backward()
    once = w.grad.clone()
    (w ** 3).sum().backward()                      # a new graph, a second backward: .grad grows
    torch.testing.assert_close(w.grad, 2 * once)
    torch.testing.assert_close(once, 3 * w.detach() ** 2)
    # zero_grad clears it; by default it sets .grad to None rather than to zeros
    optimizer = torch.optim.SGD([w], lr=0.1)
    optimizer.zero_grad()
    assert w.grad is None
    (w ** 3).sum().backward()
    torch.testing.assert_close(w.grad, once)


def test_grad_accumulation_snippet_output():
    lines = run_snippet("pytorch_grad_accumulation")
    assert lines[:4] == ["after backward #1: w.grad = 6.0", "after backward #2: w.grad = 12.0",
                         "after backward #3: w.grad = 18.0", "cleared, then one backward: 6.0"]
    assert lines[4].startswith("w after the step: 2.4 ")
    assert lines[5].endswith("requires_grad: False")


def test_no_grad_records_nothing():
    w = torch.ones(3, requires_grad=True)
    assert (2 * w).requires_grad and (2 * w).grad_fn is not None
    with torch.no_grad():
        y = 2 * w
        w -= 0.5                                   # allowed here: the update is not recorded
    assert not y.requires_grad and y.grad_fn is None
    assert w.requires_grad and w.grad_fn is None   # still a leaf that will get gradients
    with pytest.raises(RuntimeError):
        w -= 0.5                                   # outside no_grad: an in-place change of a leaf is refused


def test_backward_needs_a_scalar_or_a_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * x).backward()                         # a vector output: which combination of it?
    (x * x).backward(torch.ones(2))                # the same as (x * x).sum().backward()
    torch.testing.assert_close(x.grad, 2 * x.detach())


# ---------------------------------------------------------------- modules

def test_module_parameters_count():
    snippet = load_snippet("pytorch_module")
    model = snippet.TwoLayerNet(4, 8, 3)
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias",
                                                              "output.weight", "output.bias"]
    assert sum(p.numel() for p in model.parameters()) == 4 * 8 + 8 + 8 * 3 + 3 == 67
    for d_in, d_hidden, d_out in [(1, 1, 1), (10, 32, 5), (784, 128, 10)]:
        count = sum(p.numel() for p in snippet.TwoLayerNet(d_in, d_hidden, d_out).parameters())
        assert count == (d_in + 1) * d_hidden + (d_hidden + 1) * d_out
    assert model(torch.zeros(5, 4)).shape == (5, 3)
    # nn.Linear stores its weight as (out, in) and computes x W^T + b
    x = torch.randn(5, 4)
    torch.testing.assert_close(model.hidden(x), x @ model.hidden.weight.T + model.hidden.bias)


def test_module_snippet_loss_goes_down():
    lines = run_snippet("pytorch_module")
    losses = [float(line.split()[-1]) for line in lines if line.startswith("step")]
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2]
    assert "parameters in total: 67" in lines


def test_calling_a_module_runs_forward_and_hooks():
    layer = nn.Linear(3, 2)
    seen = []
    layer.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
    x = torch.randn(4, 3)
    torch.testing.assert_close(layer(x), layer.forward(x))
    assert seen == [(4, 2)]                     # only the call ran the hook; .forward() skipped it


def test_module_needs_super_init():
    class Forgetful(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)        # no super().__init__() first

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgetful()


def test_single_underscore_init_is_never_called():
    class AsInThePost(nn.Module):
        def _init_(self):                      # not __init__: Python never calls it
            super().__init__()
            self.lin_1 = nn.Linear(2, 2)

        def forward(self, x):
            return self.lin_1(x)

    model = AsInThePost()
    assert list(model.parameters()) == []
    with pytest.raises(AttributeError):
        model(torch.zeros(1, 2))


def test_state_dict_round_trip():
    snippet = load_snippet("pytorch_module")
    torch.manual_seed(1)
    trained = snippet.TwoLayerNet(4, 8, 3)
    buffer = io.BytesIO()
    torch.save(trained.state_dict(), buffer)
    buffer.seek(0)
    fresh = snippet.TwoLayerNet(4, 8, 3)        # the class is needed: the file holds only tensors
    fresh.load_state_dict(torch.load(buffer))
    x = torch.randn(6, 4)
    torch.testing.assert_close(fresh(x), trained(x))
    assert set(trained.state_dict()) == {"hidden.weight", "hidden.bias", "output.weight", "output.bias"}
