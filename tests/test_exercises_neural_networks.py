"""The answers to the exercises of "neural networks and activation functions", checked with PyTorch."""
import torch
import torch.nn.functional as F
from torch import nn

from dlnotes.mlp import MLP
from exercisekit import load_solution, printed


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_ex_neural_networks_1_parameter_counts():
    sizes = (784, 256, 128, 10)
    assert parameter_count(MLP(sizes)) == 200960 + 32896 + 1290 == 235146
    assert parameter_count(nn.Linear(784, 10)) == 7850
    assert parameter_count(MLP(sizes)) - parameter_count(nn.Linear(784, 10)) == 227296
    # without activations the three layers are one nn.Linear(784, 10): fold them and compare outputs
    stack = MLP(sizes, activation="identity").double()
    with torch.no_grad():
        for layer in stack.layers:
            layer.bias.normal_()                      # the MLP starts its biases at zero; make them count
        weight, bias = torch.eye(784, dtype=torch.float64), torch.zeros(784, dtype=torch.float64)
        for layer in stack.layers:
            weight, bias = layer.weight @ weight, layer.weight @ bias + layer.bias
        single = nn.Linear(784, 10).double()
        single.weight.copy_(weight)
        single.bias.copy_(bias)
        x = torch.randn(16, 784, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
        torch.testing.assert_close(single(x), stack(x))


def test_ex_neural_networks_2_softplus_derivatives():
    x = torch.linspace(-30, 30, 601, dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad(F.softplus(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    sigma = torch.sigmoid(x.detach())
    torch.testing.assert_close(first.detach(), sigma)                          # softplus' = sigma
    torch.testing.assert_close(second, sigma * (1 - sigma))                    # softplus'' = sigma (1 - sigma)
    assert abs(second.max().item() - 0.25) < 1e-15 and abs(x[second.argmax()].item()) < 1e-12   # 1/4 at x = 0
    torch.testing.assert_close(F.softplus(x) - F.softplus(-x), x)              # softplus(x) - softplus(-x) = x
    torch.testing.assert_close(F.softplus(x), torch.log1p(torch.exp(x)))        # the formula itself
    # softplus(x) - ReLU(x) = softplus(-|x|) <= ln 2, with equality at 0
    gap = (F.softplus(x) - F.relu(x)).detach()
    torch.testing.assert_close(gap, F.softplus(-x.detach().abs()))
    torch.testing.assert_close(gap.max(), torch.log(torch.tensor(2.0, dtype=torch.float64)))


def relu_network():
    """f(x) = 2 ReLU(x - 1) - 3 ReLU(-2x + 1) + 0.5 ReLU(4x + 2) + 1."""
    hidden, output = nn.Linear(1, 3).double(), nn.Linear(3, 1).double()
    with torch.no_grad():
        hidden.weight.copy_(torch.tensor([[1.0], [-2.0], [4.0]]))
        hidden.bias.copy_(torch.tensor([-1.0, 1.0, 2.0]))
        output.weight.copy_(torch.tensor([[2.0, -3.0, 0.5]]))
        output.bias.fill_(1.0)
    return nn.Sequential(hidden, nn.ReLU(), output)


def test_ex_neural_networks_3_relu_bends():
    f = relu_network()
    slope = lambda x: torch.autograd.functional.jacobian(f, torch.tensor([[x]], dtype=torch.float64)).item()  # noqa: E731
    assert [slope(x) for x in (-2.0, 0.0, 0.75, 2.0)] == [6.0, 8.0, 2.0, 4.0]
    h = 1e-4
    for bend, change in [(-0.5, 2.0), (0.5, -6.0), (1.0, 2.0)]:
        assert abs(slope(bend + h) - slope(bend - h) - change) < 1e-12
    # and nowhere else: the slope is constant between the bends
    for low, high in [(-5, -0.5), (-0.5, 0.5), (0.5, 1.0), (1.0, 5)]:
        xs = torch.linspace(low, high, 12, dtype=torch.float64)[1:-1]
        assert len({slope(x) for x in xs.tolist()}) == 1
    assert f(torch.zeros(1, 1, dtype=torch.float64)).item() == -1.0


def test_ex_neural_networks_4_dead_units():
    dead_units = load_solution("neural_networks_dead_units")["dead_units"]
    torch.manual_seed(4)
    hidden, output = nn.Linear(3, 8), nn.Linear(8, 2)
    with torch.no_grad():
        hidden.bias[[1, 4, 6]] = -20.0
        hidden.bias[[0, 2]] = 20.0
    x, y = torch.randn(300, 3), torch.randn(300, 2)
    expected = torch.zeros(8, dtype=torch.bool)
    expected[[1, 4, 6]] = True
    assert torch.equal(dead_units(hidden, x), expected)
    # the reference: exactly the units autograd gives a zero gradient, for every weight and the bias
    F.mse_loss(output(torch.relu(hidden(x))), y).backward()
    no_gradient = (hidden.weight.grad == 0).all(dim=1) & (hidden.bias.grad == 0)
    assert torch.equal(no_gradient, expected)
    # a unit is dead only if it is off on every example: one example on the right side revives it
    revived = torch.cat([x, torch.full((1, 3), 100.0) * hidden.weight[1].detach().sign()])
    assert not dead_units(hidden, revived)[1]
    lines = printed("neural_networks_dead_units").splitlines()
    assert lines[0].split(":")[1].strip() == lines[1].split(":")[1].strip()
