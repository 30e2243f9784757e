"""Every formula of the chapter "neural networks and activation functions", checked against PyTorch."""
import runpy
from pathlib import Path

import pytest
import torch
from torch import nn

from dlnotes.figures.neural_networks import compute_activation_curves, compute_linear_collapse
from dlnotes.mlp import MLP
from dlnotes.neural_networks import (ACTIVATIONS, autograd_derivative, collapse_affine_stack, collapsed_linear,
                                     mlp_by_hand, notes_weights, relu_kinks, sigmoid_derivative, step,
                                     tanh_derivative)
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
F64 = torch.float64


def linear_stack(sizes, seed):
    torch.manual_seed(seed)
    return [nn.Linear(i, o, dtype=F64) for i, o in zip(sizes[:-1], sizes[1:])]


def second_differences(y):
    return y[2:] - 2 * y[1:-1] + y[:-2]


# ---------------------------------------------------------------- stacking linear layers

STACKS = [(1, 1, 1), (3, 5, 2), (4, 16, 16, 16, 1), (10, 3, 20, 7, 2, 6), (2,) + (8,) * 10 + (2,)]


@pytest.mark.parametrize("sizes", STACKS)
def test_stacked_linear_layers_equal_one_linear_layer(sizes):
    layers = linear_stack(sizes, seed=len(sizes))
    single = collapsed_linear(layers)
    assert single.weight.shape == (sizes[-1], sizes[0])
    x = torch.randn(64, sizes[0], dtype=F64)
    with torch.no_grad():
        torch.testing.assert_close(single(x), nn.Sequential(*layers)(x))


def test_two_layer_collapse_formula():
    # A_2 (A_1 x + b_1) + b_2 = (A_2 A_1) x + (A_2 b_1 + b_2), with A_l = nn.Linear.weight
    first, second = linear_stack((4, 7, 3), seed=1)
    a1, b1, a2, b2 = first.weight.detach(), first.bias.detach(), second.weight.detach(), second.bias.detach()
    x = torch.randn(4, dtype=F64)
    torch.testing.assert_close(a2 @ (a1 @ x + b1) + b2, (a2 @ a1) @ x + (a2 @ b1 + b2))
    weight, bias = collapse_affine_stack([a1, a2], [b1, b2])
    torch.testing.assert_close(weight, a2 @ a1)
    torch.testing.assert_close(bias, a2 @ b1 + b2)
    # in the notes' convention W_l = A_l^T the composed weight is W_1 W_2
    torch.testing.assert_close(weight.T, a1.T @ a2.T)


def test_a_narrow_linear_layer_limits_the_rank_of_the_stack():
    layers = linear_stack((6, 32, 2, 32, 6), seed=3)          # a bottleneck of width 2
    weight, _ = collapse_affine_stack([l.weight.detach() for l in layers], [l.bias.detach() for l in layers])
    assert weight.shape == (6, 6)
    assert torch.linalg.matrix_rank(weight) == 2               # not 6: stacking lost, never gained


def test_relu_between_the_layers_breaks_the_collapse():
    layers = linear_stack((3, 32, 32, 1), seed=4)
    bent = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])
    x = torch.randn(500, 3, dtype=F64)
    design = torch.cat([x, torch.ones(500, 1, dtype=F64)], dim=1)
    with torch.no_grad():
        y = bent(x)
        residual = y - design @ torch.linalg.lstsq(design, y, driver="gelsd").solution
    assert residual.std() > 0.05 * y.std()                     # the best affine map misses clearly


def test_collapse_figure_data():
    spec = next(s for s in FIGURES if s.name == "nn-linear-collapse")
    data = compute_linear_collapse(**spec.settings)
    torch.testing.assert_close(data.linear, data.collapsed)
    # the linear stacks are straight lines: zero second differences on an evenly spaced grid
    for curve in data.linear:
        assert second_differences(curve).abs().max() < 1e-10 * curve.abs().max()
    # the ReLU twins (same weights) bend
    for curve in data.relu:
        assert second_differences(curve).abs().max() > 1e-3 * curve.abs().max()


def test_collapse_snippet_prints_a_tiny_difference(capsys):
    runpy.run_path(str(ROOT / "snippets" / "nn_linear_collapse.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "parameters: stack 3395, single layer 18"
    linear_gap = float(lines[1].split("=")[1])
    relu_gap = float(lines[2].split("=")[1].split()[0])
    relu_spread = float(lines[2].split("std")[1].strip(" )"))
    assert linear_gap < 1e-12
    assert relu_gap > relu_spread > 0                          # the best affine map misses by more than the spread


# ---------------------------------------------------------------- activation functions

POINTS = torch.tensor([-5.0, -2.0, -0.7, -1e-3, 1e-3, 0.3, 1.0, 4.0], dtype=F64)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu"])
def test_activation_derivative_formulas_match_autograd(name):
    function, derivative = ACTIVATIONS[name]
    torch.testing.assert_close(derivative(POINTS), autograd_derivative(function, POINTS))
    if name != "relu":                                         # differentiable at 0 as well
        zero = torch.zeros(1, dtype=F64)
        torch.testing.assert_close(derivative(zero), autograd_derivative(function, zero))


def test_activation_functions_match_torch_nn():
    x = torch.linspace(-4, 4, 81, dtype=F64)
    torch.testing.assert_close(ACTIVATIONS["sigmoid"][0](x), 1 / (1 + torch.exp(-x)))
    torch.testing.assert_close(ACTIVATIONS["sigmoid"][0](x), nn.Sigmoid()(x))
    e_plus, e_minus = torch.exp(x), torch.exp(-x)
    torch.testing.assert_close(ACTIVATIONS["tanh"][0](x), (e_plus - e_minus) / (e_plus + e_minus))
    torch.testing.assert_close(ACTIVATIONS["relu"][0](x), torch.clamp(x, min=0))
    torch.testing.assert_close(ACTIVATIONS["relu"][0](x), nn.ReLU()(x))
    torch.testing.assert_close(step(x), (x >= 0).to(F64))
    # tanh is a sigmoid, stretched and shifted: tanh(x) = 2 sigma(2x) - 1
    torch.testing.assert_close(torch.tanh(x), 2 * torch.sigmoid(2 * x) - 1)


def test_relu_derivative_at_zero_is_zero_in_pytorch():
    zero = torch.zeros(1, dtype=F64)
    assert autograd_derivative(torch.relu, zero).item() == 0.0
    assert autograd_derivative(nn.ReLU(), zero).item() == 0.0
    assert autograd_derivative(nn.functional.relu, zero).item() == 0.0
    # one-sided slopes at 0 are 0 and 1: no derivative exists there, 0 is a convention
    h = 1e-6
    assert torch.relu(torch.tensor(h)) / h == pytest.approx(1.0)
    assert torch.relu(torch.tensor(-h)) / -h == pytest.approx(0.0)


def test_step_gives_no_gradient():
    x = torch.tensor([-2.0, -0.5, 0.5, 2.0], dtype=F64)
    with pytest.raises(RuntimeError, match="not implemented"):
        step(x.clone().requires_grad_()).sum().backward()      # autograd has no rule for the step
    h = 1e-4                                                   # away from 0 it is flat: slope 0
    torch.testing.assert_close((step(x + h) - step(x - h)) / (2 * h), torch.zeros_like(x))
    # the usual workaround (sign(x) + 1) / 2 runs, but every gradient it returns is 0
    torch.testing.assert_close(autograd_derivative(lambda t: (torch.sign(t) + 1) / 2, x), torch.zeros_like(x))
    assert ACTIVATIONS["step"][1](torch.zeros(1, dtype=F64)).isnan().all()   # undefined at the jump


def test_sigmoid_and_tanh_derivative_bounds():
    x = torch.linspace(-10, 10, 20001, dtype=F64)              # contains 0
    assert sigmoid_derivative(x).max().item() == pytest.approx(0.25)
    assert tanh_derivative(x).max().item() == pytest.approx(1.0)
    assert abs(x[sigmoid_derivative(x).argmax()]) < 1e-12 and abs(x[tanh_derivative(x).argmax()]) < 1e-12
    assert torch.all(sigmoid_derivative(x) <= 0.25) and torch.all(tanh_derivative(x) <= 1)
    # saturation: far from 0 the derivatives all but vanish
    assert sigmoid_derivative(torch.tensor(10.0)) < 5e-5 and tanh_derivative(torch.tensor(10.0)) < 1e-8


@pytest.mark.parametrize("depth", [1, 3, 10])
def test_sigmoid_chain_gradient_is_at_most_a_quarter_per_layer(depth):
    x = torch.linspace(-3, 3, 61, dtype=F64)

    def chain(t):
        for _ in range(depth):
            t = torch.sigmoid(t)
        return t
    grad = autograd_derivative(chain, x)
    assert torch.all(grad > 0) and torch.all(grad <= 0.25 ** depth)
    if depth == 1:
        assert grad.max().item() == pytest.approx(0.25)        # reached at x = 0


def test_dead_relu_unit_gets_no_gradient():
    torch.manual_seed(5)
    layer, head = nn.Linear(3, 4, dtype=F64), nn.Linear(4, 1, dtype=F64)
    with torch.no_grad():
        layer.bias[0] = -100.0                                 # unit 0: pre-activation < 0 for every input
    x = torch.randn(200, 3, dtype=F64)
    assert torch.all(layer(x)[:, 0] < 0)
    loss = (head(torch.relu(layer(x))) ** 2).mean()
    loss.backward()
    assert torch.all(layer.weight.grad[0] == 0) and layer.bias.grad[0] == 0
    assert layer.weight.grad[1:].abs().sum() > 0               # the live units do learn
    before = layer.weight[0].detach().clone()
    torch.optim.SGD(layer.parameters(), lr=0.1).step()
    torch.testing.assert_close(layer.weight[0].detach(), before)    # so it stays dead


def test_activation_figure_data():
    data = compute_activation_curves(x_range=(-4.0, 4.0), grid_size=400)
    for name in ("identity", "sigmoid", "tanh", "relu"):
        torch.testing.assert_close(data.derivatives[name], ACTIVATIONS[name][1](data.x))
    assert torch.all(data.derivatives["step"] == 0)            # the grid skips 0


# ---------------------------------------------------------------- the MLP with matrices

@pytest.mark.parametrize("sizes, activation", [((4, 8, 6, 3), "relu"), ((1, 16, 16, 1), "tanh"),
                                               ((10, 5, 7, 2), "sigmoid"), ((3, 3, 3, 3), "identity")])
@pytest.mark.parametrize("with_bias", [False, True])
def test_mlp_formula_matches_the_mlp_module(sizes, activation, with_bias):
    torch.manual_seed(sum(sizes))
    model = MLP(sizes, activation=activation, init="he").double()
    if with_bias:                                              # MLP starts with zero biases
        for layer in model.layers:
            nn.init.normal_(layer.bias)
    weights, biases = notes_weights(model)
    for l, w in enumerate(weights, start=1):
        assert w.shape == (sizes[l - 1], sizes[l])             # W_l is (d_{l-1}, d_l)
    rho = ACTIVATIONS[activation][0]
    x = torch.randn(sizes[0], dtype=F64)                       # one column vector
    if not with_bias:                                          # y = W_3^T rho(W_2^T rho(W_1^T x)), as on the page
        w1, w2, w3 = weights
        by_hand = w3.T @ rho(w2.T @ rho(w1.T @ x))
    else:
        by_hand = mlp_by_hand(x[None, :], weights, biases, rho)[0]
    with torch.no_grad():
        torch.testing.assert_close(by_hand, model(x[None, :])[0])
        batch = torch.randn(32, sizes[0], dtype=F64)
        torch.testing.assert_close(mlp_by_hand(batch, weights, biases, rho), model(batch))


def test_nn_linear_stores_the_weight_as_out_by_in():
    layer = nn.Linear(5, 3, dtype=F64)
    assert layer.weight.shape == (3, 5)
    x = torch.randn(7, 5, dtype=F64)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), x @ layer.weight.T + layer.bias)
        torch.testing.assert_close(layer(x), nn.functional.linear(x, layer.weight, layer.bias))


def test_posts_second_layer_expression_does_not_type_check():
    torch.manual_seed(6)
    d0, d1, d2, n = 4, 8, 6, 5
    x_batch = torch.randn(n, d0)                               # X: the data, one input per row
    w1, w2 = torch.randn(d0, d1), torch.randn(d1, d2)
    h1 = torch.relu(w1.T @ x_batch[0])                         # h_1 for one input, in R^{d_1}
    with pytest.raises(RuntimeError):
        w2.T @ x_batch @ h1                                    # W_2^T X h_1, as written in the post
    with pytest.raises(RuntimeError):
        w1.T @ x_batch                                         # W_1^T X with rows as inputs
    assert (w2.T @ h1).shape == (d2,)                          # the intended W_2^T h_1
    assert (x_batch @ w1).shape == (n, d1)                     # the batch form X W_1


def test_relu_network_bends_only_where_a_unit_switches():
    torch.manual_seed(7)
    model = MLP((1, 6, 1), activation="relu", init="he").double()
    nn.init.uniform_(model.layers[0].bias, -2, 2)
    kinks = relu_kinks(model.layers[0])                        # x_j = -b_j / w_j
    edges = torch.cat([torch.tensor([-50.0], dtype=F64), kinks, torch.tensor([50.0], dtype=F64)])
    with torch.no_grad():
        for left, right in zip(edges[:-1], edges[1:]):
            inside = torch.linspace(0, 1, 9, dtype=F64)[1:-1] * (right - left) + left
            y = model(inside[:, None])[:, 0]
            assert second_differences(y).abs().max() < 1e-9     # straight between two kinks
        # at x_j = -b_j / w_j the slope changes by a_j |w_j|, a_j the unit's output weight
        w, b = model.layers[0].weight[:, 0], model.layers[0].bias
        a = model.layers[1].weight[0]
        f = lambda t: model(torch.tensor([[t]], dtype=F64)).item()  # noqa: E731
        h = 1e-4
        for j in range(6):
            x_j = (-b[j] / w[j]).item()
            slope_right = (f(x_j + 2 * h) - f(x_j + h)) / h
            slope_left = (f(x_j - h) - f(x_j - 2 * h)) / h
            assert slope_right - slope_left == pytest.approx((a[j] * w[j].abs()).item(), abs=1e-6)


def test_mlp_snippet_prints_the_shapes_and_matches_the_model(capsys):
    runpy.run_path(str(ROOT / "snippets" / "nn_mlp_by_hand.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("W_1: (4, 8)") and lines[0].endswith("weight: (8, 4)")
    assert lines[2].startswith("W_3: (6, 3)") and lines[2].endswith("weight: (3, 6)")
    assert "one input 0.0e+00" in lines[3] and "batch of 5 0.0e+00" in lines[3]
