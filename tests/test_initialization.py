"""Every formula and claim of the chapter "weight initialization", checked against PyTorch.

Statistical tolerances: a test that estimates a standard deviation from n independent draws
allows 5 standard errors. For a normal sample the relative standard error of the sample std is
1/sqrt(2n); for a uniform U(-a, a) sample it is sqrt(1/5 - 1/9) * 3 / 2 / sqrt(n) = 0.447/sqrt(n)
(from the fourth moment a^4/5). The largest |w| of n uniform draws falls below a (1 - k/n) with
probability (1 - k/n)^n ~ e^-k, so k = 20 leaves a chance of 2e-9. All draws are seeded, so the
tests are deterministic; the tolerances say why the seed is not a lucky one.
"""
import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from dlnotes.figures.initialization import RELU_LOG10_RANGE, compute_activation_histograms, compute_layer_histograms
from dlnotes.initialization import (constant_init_, he_bound, he_std, layer_activations,
                                    layer_gradient_norms, leaky_relu_gain, lecun_std, linear_default_bound,
                                    stack_weights, train_for_symmetry, xavier_bound, xavier_std)
from dlnotes.mlp import MLP
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
FAN_OUT, FAN_IN = 400, 2500            # 10^6 entries, and fan_in != fan_out so the modes differ
N = FAN_OUT * FAN_IN
NORMAL_STD_TOL = 5 / math.sqrt(2 * N)           # 0.35 %
UNIFORM_STD_TOL = 5 * 0.447 / math.sqrt(N)      # 0.22 %


def weight(seed=0):
    return torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64), torch.Generator().manual_seed(seed)


def assert_normal_std(w, std):
    assert w.mean().abs() < 5 * std / math.sqrt(w.numel())
    assert w.std().item() == pytest.approx(std, rel=NORMAL_STD_TOL)


def assert_uniform(w, bound):
    assert w.abs().max().item() <= bound
    assert w.abs().max().item() > bound * (1 - 20 / w.numel())
    assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=UNIFORM_STD_TOL)


# ---------------------------------------------------------------- the variance argument

def test_forward_variance_is_n_in_var_w_var_x():
    # z = sum_i w_i x_i with a fresh, independent (w, x) for each of m samples of z
    gen = torch.Generator().manual_seed(0)
    m, n_in, var_w, var_x = 100_000, 50, 0.3 ** 2, 1.5 ** 2
    w = 0.3 * torch.randn(m, n_in, generator=gen, dtype=torch.float64)
    x = 1.5 * torch.randn(m, n_in, generator=gen, dtype=torch.float64)
    z = (w * x).sum(dim=1)
    # z is close to normal, so its sample variance has relative standard error sqrt(2/m) = 0.45 %
    assert z.var().item() == pytest.approx(n_in * var_w * var_x, rel=0.025)
    # inputs with a non-zero mean (like ReLU outputs): Var(z) = n_in Var(w) E[x^2], not n_in Var(w) Var(x)
    z = (w * (x + 2.0)).sum(dim=1)
    assert z.var().item() == pytest.approx(n_in * var_w * (var_x + 4.0), rel=0.025)
    assert z.var().item() > 1.5 * n_in * var_w * var_x


def test_backward_variance_uses_fan_out():
    gen = torch.Generator().manual_seed(1)
    fan_in, fan_out, var_w = 300, 120, 0.05
    w = math.sqrt(var_w) * torch.randn(fan_out, fan_in, generator=gen, dtype=torch.float64)
    x = torch.randn(3000, fan_in, generator=gen, dtype=torch.float64, requires_grad=True)
    delta_out = torch.randn(3000, fan_out, generator=gen, dtype=torch.float64)   # dL/dz, variance 1
    (x @ w.T).backward(delta_out)
    assert x.grad.var().item() == pytest.approx(fan_out * var_w * 1.0, rel=0.03)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2])
def test_relu_halves_the_second_moment(slope):
    z = 1.7 * torch.randn(10 ** 6, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    second_moment = nn.functional.leaky_relu(z, slope).pow(2).mean().item()
    # E[relu(z)^2] = Var(z) / 2 for symmetric z; a leaky slope a keeps (1 + a^2) / 2 of it.
    # relative standard error of the estimate: sqrt(5/4) / (1/2) / sqrt(n) = 0.22 %; allow 5 of them
    assert second_moment == pytest.approx(1.7 ** 2 * (1 + slope ** 2) / 2, rel=0.012)
    assert leaky_relu_gain(slope) ** 2 * (1 + slope ** 2) / 2 == pytest.approx(1.0)


# ---------------------------------------------------------------- formulas against torch.nn.init

def test_calculate_gain_values():
    gain = nn.init.calculate_gain
    assert gain("linear") == 1.0 and gain("sigmoid") == 1.0
    assert gain("tanh") == pytest.approx(5 / 3)
    assert gain("relu") == pytest.approx(math.sqrt(2))
    assert gain("leaky_relu") == pytest.approx(leaky_relu_gain(0.01))          # default slope 0.01
    assert gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / (1 + 0.2 ** 2)))
    assert gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_normal_and_uniform_match_the_formulas(gain):
    w, gen = weight(3)
    assert_normal_std(nn.init.xavier_normal_(w, gain=gain, generator=gen), xavier_std(FAN_IN, FAN_OUT, gain))
    assert_uniform(nn.init.xavier_uniform_(w, gain=gain, generator=gen), xavier_bound(FAN_IN, FAN_OUT, gain))
    assert xavier_bound(FAN_IN, FAN_OUT, gain) == pytest.approx(math.sqrt(3) * xavier_std(FAN_IN, FAN_OUT, gain))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0.0), ("leaky_relu", 0.1), ("tanh", 0.0), ("linear", 0.0)])
def test_kaiming_normal_and_uniform_match_the_formulas(mode, nonlinearity, a):
    w, gen = weight(4)
    fan = FAN_IN if mode == "fan_in" else FAN_OUT
    gain = {"relu": math.sqrt(2), "leaky_relu": leaky_relu_gain(a), "tanh": 5 / 3, "linear": 1.0}[nonlinearity]
    nn.init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nonlinearity, generator=gen)
    assert_normal_std(w, he_std(fan, gain))
    nn.init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity, generator=gen)
    assert_uniform(w, he_bound(fan, gain))


def test_lecun_is_kaiming_with_the_linear_gain():
    w, gen = weight(5)
    assert_normal_std(nn.init.kaiming_normal_(w, nonlinearity="linear", generator=gen), lecun_std(FAN_IN))
    assert he_std(FAN_IN, gain=1.0) == lecun_std(FAN_IN)
    # Xavier and LeCun agree exactly when fan_in == fan_out (the posts' 100 x 100 layers)
    assert xavier_std(100, 100) == pytest.approx(lecun_std(100))
    assert xavier_std(FAN_IN, FAN_OUT) > 1.2 * lecun_std(FAN_IN)    # sqrt(2 / 2900) vs sqrt(1 / 2500)


def test_kaiming_defaults_are_he_for_relu():
    # nn.init.kaiming_normal_(w) with no options: a=0, mode="fan_in", nonlinearity="leaky_relu",
    # and a leaky ReLU of slope 0 is a ReLU, so the gain is sqrt(2)
    w, gen = weight(6)
    assert_normal_std(nn.init.kaiming_normal_(w, generator=gen), math.sqrt(2 / FAN_IN))


def test_nn_linear_weight_is_out_by_in_so_fan_in_is_in_features():
    layer = nn.Linear(FAN_IN, FAN_OUT)
    assert layer.weight.shape == (FAN_OUT, FAN_IN)
    with torch.no_grad():
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=torch.Generator().manual_seed(7))
    assert_normal_std(layer.weight.double(), math.sqrt(2 / FAN_IN))        # in_features, not out_features
    assert abs(layer.weight.std().item() - math.sqrt(2 / FAN_OUT)) > 0.5 * math.sqrt(2 / FAN_IN)


def test_nn_linear_default_init_is_uniform_with_bound_one_over_sqrt_fan_in():
    assert linear_default_bound(FAN_IN) == pytest.approx(1 / math.sqrt(FAN_IN))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(8)
        layer = nn.Linear(FAN_IN, FAN_OUT, dtype=torch.float64)
    # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3), bound sqrt(1/3) sqrt(3/fan_in) = 1/sqrt(fan_in),
    # so std = 1/sqrt(3 fan_in): a third of the LeCun variance
    assert_uniform(layer.weight, 1 / math.sqrt(FAN_IN))
    assert layer.weight.std().item() == pytest.approx(1 / math.sqrt(3 * FAN_IN), rel=UNIFORM_STD_TOL)
    assert layer.bias.abs().max().item() <= 1 / math.sqrt(FAN_IN)


def test_mlp_init_param_schemes_match_the_formulas():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(9)
        nets = {init: MLP((1000, 1000, 10), activation="tanh", init=init) for init in ("he", "lecun", "xavier")}
    tol = 5 / math.sqrt(2 * 1000 * 1000)
    first = {init: net.layers[0].weight for init, net in nets.items()}
    assert first["he"].std().item() == pytest.approx(math.sqrt(2 / 1000), rel=tol)
    assert first["lecun"].std().item() == pytest.approx(lecun_std(1000), rel=tol)
    assert first["xavier"].std().item() == pytest.approx(xavier_std(1000, 1000, 5 / 3), rel=tol)
    assert all(torch.count_nonzero(layer.bias) == 0 for net in nets.values() for layer in net.layers)


def load_snippet(name):
    spec = importlib.util.spec_from_file_location(f"snippet_{name}", ROOT / "snippets" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_init_param_snippet_draws_what_the_page_says(capsys):
    snippet = load_snippet("init_param")
    capsys.readouterr()
    net = snippet.TwoLayerNet(2000, 500, 10)
    tol = 5 / math.sqrt(2 * 500 * 2000)
    assert net.hidden.weight.std().item() == pytest.approx(math.sqrt(2 / 2000), rel=tol)
    assert torch.count_nonzero(net.hidden.bias) == 0 and torch.count_nonzero(net.out.bias) == 0
    before = net.hidden.weight.clone()
    net.init_param()                                 # draws again: new numbers, same scale
    assert not torch.equal(before, net.hidden.weight)
    assert net.hidden.weight.std().item() == pytest.approx(math.sqrt(2 / 2000), rel=tol)


def test_init_param_snippet_prints_what_the_page_shows():
    proc = subprocess.run([sys.executable, str(ROOT / "snippets" / "init_param.py")], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for lang in ("ko", "en"):
        page = (ROOT / "docs" / lang / "weight-initialization.md").read_text()
        assert proc.stdout.strip() in page, lang           # the output block on the page is current


# ---------------------------------------------------------------- the deep-stack experiment

def test_layer_activations_api():
    outputs = layer_activations(activation="tanh", init="xavier", n_layers=3, width=20, n_inputs=50)
    assert [tuple(h.shape) for h in outputs] == [(50, 20)] * 3
    again = layer_activations(activation="tanh", init="xavier", n_layers=3, width=20, n_inputs=50)
    assert all(torch.equal(a, b) for a, b in zip(outputs, again))                 # seeded
    assert layer_gradient_norms(activation="relu", init="he", n_layers=3, width=20, n_inputs=50).shape == (3,)
    with pytest.raises(ValueError):
        layer_activations(activation="gelu", init="he")
    with pytest.raises(ValueError):
        layer_activations(activation="relu", init="zeros")
    # every init draws the same standard normals and only scales them
    for big, small in zip(stack_weights(init="std1"), stack_weights(init="std0.01")):
        torch.testing.assert_close(small, 0.01 * big)


def test_std_001_tanh_shrinks_towards_zero_layer_by_layer():
    stds = torch.stack([h.std() for h in layer_activations(activation="tanh", init="std0.01")])
    # tanh is the identity near 0, so each layer multiplies the std by sqrt(100) * 0.01 = 0.1
    ratios = stds[1:] / stds[:-1]
    assert torch.all((ratios > 0.07) & (ratios < 0.13)), ratios
    assert stds[-1] < 1e-4


def test_std_1_sigmoid_saturates_near_0_and_1():
    for h in layer_activations(activation="sigmoid", init="std1"):
        near_the_ends = ((h < 0.02) | (h > 0.98)).float().mean()
        assert near_the_ends > 0.5
    for h in layer_activations(activation="sigmoid", init="xavier"):
        assert ((h < 0.02) | (h > 0.98)).float().mean() < 0.01


def test_std_001_sigmoid_outputs_collapse_to_one_half():
    for h in layer_activations(activation="sigmoid", init="std0.01")[1:]:
        assert torch.all((h - 0.5).abs() < 0.05)


def test_he_relu_keeps_the_second_moment():
    second_moments = torch.stack([h.pow(2).mean() for h in layer_activations(activation="relu", init="he")])
    # E[x^2] = 1 for the standard normal inputs; every layer should stay near it
    assert torch.all((second_moments > 0.7) & (second_moments < 1.4)), second_moments
    # with Xavier (n Var(w) = 1) ReLU halves it at every layer instead
    xavier = torch.stack([h.pow(2).mean() for h in layer_activations(activation="relu", init="xavier")])
    ratios = xavier[1:] / xavier[:-1]
    assert torch.all((ratios > 0.35) & (ratios < 0.65)), ratios


def test_xavier_tanh_keeps_the_std_roughly_stable():
    stds = torch.stack([h.std() for h in layer_activations(activation="tanh", init="xavier")])
    ratios = stds[1:] / stds[:-1]
    assert torch.all((ratios > 0.75) & (ratios <= 1.0)), ratios          # vs 0.1 per layer at std 0.01
    assert 0.3 < stds[-1] < 0.7


def test_tanh_gain_five_thirds_keeps_the_std_steadier():
    gen = torch.Generator().manual_seed(1)
    h = torch.randn(1000, 100, generator=torch.Generator().manual_seed(0))
    stds = []
    for _ in range(5):
        h = torch.tanh(h @ nn.init.xavier_normal_(torch.empty(100, 100), gain=5 / 3, generator=gen).T)
        stds.append(h.std())
    stds = torch.stack(stds)
    plain = torch.stack([h.std() for h in layer_activations(activation="tanh", init="xavier")])
    assert stds[-1] / stds[0] > 0.8 > 0.6 > plain[-1] / plain[0]


def test_histograms_hold_every_value_of_bounded_activations():
    data = compute_activation_histograms(seed=0, inits=("xavier", "std1"), activations=("sigmoid", "tanh", "relu"),
                                         n_layers=3, width=50, n_inputs=200, bins=20)
    for key, fractions in data.fractions.items():
        assert fractions.shape == (3, 20)
        totals = fractions.sum(dim=1)
        if key[1] == "relu":                      # positive outputs up to the 99.5th percentile
            assert torch.all(totals > 0.98) and torch.all(totals <= 1 + 1e-6)
        else:
            torch.testing.assert_close(totals, torch.ones(3))


# ---------------------------------------------------------------- the explorable histograms: one init, one activation

def layer_histograms(init, activation):
    spec = next(s for s in FIGURES if s.name == "init-layer-histograms")
    assert {init, activation} <= {v for knob in spec.explore for v in knob.values}     # a variant the page shows
    return compute_layer_histograms(**{**spec.settings, "init": init, "activation": activation})


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_layer_histograms_keep_their_axes_and_hold_every_output(activation):
    variants = [layer_histograms(init, activation) for init in ("std1", "std0.01", "xavier", "he")]
    for data in variants:
        torch.testing.assert_close(data.edges, variants[0].edges, rtol=0, atol=0)     # switching keeps the axes
        totals = data.fractions.sum(dim=1)
        if activation == "relu":       # log10 of the positive outputs: the fixed range holds (nearly) all of them
            assert (data.edges[0].item(), data.edges[-1].item()) == RELU_LOG10_RANGE
            assert torch.all(totals > 0.999), (data.init, totals)
        else:
            torch.testing.assert_close(totals, torch.ones(5))


def test_layer_histograms_std_001_collapse_into_one_spike():
    tanh, sigmoid = layer_histograms("std0.01", "tanh"), layer_histograms("std0.01", "sigmoid")
    middle = tanh.fractions.shape[1] // 2
    assert tanh.edges[middle] > -0.05 and tanh.edges[middle + 1] < 0.05          # the middle bin: |h| < 0.05
    assert torch.all(tanh.fractions[1:, middle] == 1.0)          # layers 2 to 5: every tanh output in it
    assert tanh.fractions[0, middle] < 0.5                       # layer 1 still spreads out
    assert sigmoid.edges[middle] < 0.5 < sigmoid.edges[middle + 1]
    assert torch.all(sigmoid.fractions[1:, middle] > 0.9)        # the sigmoid's spike at 0.5


def test_layer_histograms_std_1_pile_up_at_the_two_ends():
    for activation, share in (("tanh", 0.85), ("sigmoid", 0.6)):
        fractions = layer_histograms("std1", activation).fractions
        assert torch.all(fractions[:, 0] + fractions[:, -1] > share), activation


@pytest.mark.parametrize("init, var_w", [("std1", 1.0), ("std0.01", 1e-4), ("xavier", 0.01), ("he", 0.02)])
def test_relu_layer_histograms_slide_by_the_root_of_the_mean_square_factor(init, var_w):
    data = layer_histograms(init, "relu")
    centres = (data.edges[1:] + data.edges[:-1]) / 2
    mean_log10 = (data.fractions * centres).sum(dim=1) / data.fractions.sum(dim=1)
    # E[h_l^2] = n_in Var(w) E[h_{l-1}^2] / 2 per layer, so every scale moves by the root of that factor
    per_layer = math.log10(math.sqrt(100 * var_w / 2))
    assert round(per_layer, 2) == {"std1": 0.85, "std0.01": -1.15, "xavier": -0.15, "he": 0.0}[init]
    shifts = mean_log10.diff()
    assert torch.all((shifts - per_layer).abs() < 0.05), shifts
    if init == "he":                                             # He stays at the inputs' scale, h = 1
        assert torch.all(mean_log10.abs() < 0.2), mean_log10


# ---------------------------------------------------------------- gradients of the stack

def test_layer_gradient_norms_match_nn_linear_autograd():
    width, n = 30, 40
    weights = stack_weights(init="he", n_layers=3, width=width)
    layers = nn.Sequential(*(m for w in weights for m in (nn.Linear(width, width, bias=False), nn.Tanh())))
    with torch.no_grad():
        for layer, w in zip(layers[::2], weights):
            layer.weight.copy_(w)
    x = torch.randn(n, width, generator=torch.Generator().manual_seed(0))
    readout = torch.randn(n, width, generator=torch.Generator().manual_seed(2))
    ((readout * layers(x)).sum() / n).backward()
    expected = torch.stack([torch.linalg.matrix_norm(layer.weight.grad) for layer in layers[::2]])
    got = layer_gradient_norms(activation="tanh", init="he", n_layers=3, width=width, n_inputs=n)
    torch.testing.assert_close(got, expected)


def test_weight_gradient_is_delta_transpose_times_layer_input():
    gen = torch.Generator().manual_seed(5)
    h_prev = torch.randn(64, 30, generator=gen, dtype=torch.float64)
    w = torch.randn(20, 30, generator=gen, dtype=torch.float64, requires_grad=True)
    z = h_prev @ w.T
    z.retain_grad()
    torch.sigmoid(z).pow(2).sum().backward()
    torch.testing.assert_close(w.grad, z.grad.T @ h_prev)        # dL/dW_l = delta_l^T h_{l-1}


def test_sigmoid_slope_is_at_most_a_quarter_and_tanh_slope_is_one_at_zero():
    z = torch.linspace(-8, 8, 1601, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch.sigmoid(z).sum(), z)
    torch.testing.assert_close(slope, torch.sigmoid(z) * (1 - torch.sigmoid(z)))
    assert slope.max().item() == pytest.approx(0.25) and slope[800].item() == pytest.approx(0.25)
    (tanh_slope,) = torch.autograd.grad(torch.tanh(z).sum(), z)
    assert tanh_slope[800].item() == pytest.approx(1.0) and torch.sigmoid(z)[800].item() == 0.5


def test_xavier_sigmoid_gradients_shrink_towards_the_input():
    norms = layer_gradient_norms(activation="sigmoid", init="xavier")
    # sigmoid'(z) <= 1/4 while n Var(w) = 1: about a quarter per layer going back
    ratios = norms[:-1] / norms[1:]
    assert torch.all(ratios < 0.5), ratios
    assert norms[0] < 0.02 * norms[-1]


def test_std_1_sigmoid_saturates_but_its_gradients_do_not_vanish_here():
    norms = layer_gradient_norms(activation="sigmoid", init="std1")
    # large weights (x10 per layer) make up for the small sigmoid'(z) of saturated units
    assert norms.max() < 1.5 * norms.min()
    assert norms[0] > 50 * layer_gradient_norms(activation="sigmoid", init="xavier")[0]


def test_std_1_tanh_gradients_grow_towards_the_input():
    norms = layer_gradient_norms(activation="tanh", init="std1")
    assert torch.all(norms[:-1] > 2 * norms[1:]), norms


def test_relu_stack_gradients_scale_as_c_to_the_l_minus_1():
    # ReLU is positively homogeneous: multiplying every weight by c multiplies the output by c^L
    # and each dL/dW_l by c^(L-1). std 1 = 100 x std 0.01, L = 5.
    big = layer_gradient_norms(activation="relu", init="std1")
    small = layer_gradient_norms(activation="relu", init="std0.01")
    torch.testing.assert_close(big, 100.0 ** 4 * small, rtol=1e-4, atol=0)
    he = layer_gradient_norms(activation="relu", init="he")
    assert he.max() < 1.5 * he.min()


# ---------------------------------------------------------------- symmetry

def test_constant_init_keeps_hidden_units_identical():
    constant = train_for_symmetry(init="constant", steps=200).hidden_weights     # (steps + 1, units, inputs)
    spread = (constant - constant[:, :1]).abs().amax()
    assert spread == 0.0                          # every unit's row equals unit 1's, at every step
    assert (constant[-1] - constant[0]).abs().max() > 0.1          # the weights did move, all together
    random = train_for_symmetry(init="xavier", steps=200).hidden_weights[-1]
    gaps = torch.cdist(random, random) + torch.eye(len(random)) * 1e9
    assert gaps.min() > 0.05                      # every pair of units differs


def test_constant_init_gives_every_hidden_unit_the_same_gradient():
    model = constant_init_(MLP((3, 5, 2), activation="tanh").double(), 0.4)
    x = torch.randn(16, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    y = torch.randn(16, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    ((model(x) - y) ** 2).mean().backward()
    grad_hidden, grad_out = model.layers[0].weight.grad, model.layers[1].weight.grad
    assert grad_hidden.abs().max() > 1e-3
    torch.testing.assert_close(grad_hidden, grad_hidden[:1].expand_as(grad_hidden), rtol=0, atol=0)
    torch.testing.assert_close(grad_out, grad_out[:, :1].expand_as(grad_out), rtol=0, atol=0)
    assert not torch.allclose(grad_hidden[0, 0], grad_hidden[0, 1])     # but not every weight alike


def test_constant_init_learns_less_than_random_init():
    constant = train_for_symmetry(init="constant").losses
    random = train_for_symmetry(init="xavier").losses
    assert random[-1] < 0.25 * constant[-1]


def zero_mlp(activation, seed=0):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = MLP((2, 8, 1), activation=activation).double()
    for layer in model.layers:
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    return model


def toy_targets():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(200, 2, generator=gen, dtype=torch.float64)
    return x, (torch.sin(2 * x[:, :1]) + 0.5 * x[:, 1:] ** 2)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_zero_init_gives_zero_weight_gradients(activation):
    x, y = toy_targets()
    model = zero_mlp(activation)
    ((model(x) - y) ** 2).mean().backward()
    for layer in model.layers:
        assert torch.count_nonzero(layer.weight.grad) == 0          # every weight gradient is exactly 0
    assert model.layers[-1].bias.grad.abs() > 0.1                    # only the output bias moves


def test_zero_init_sigmoid_is_the_symmetry_problem():
    x, y = toy_targets()
    model = zero_mlp("sigmoid")
    ((model(x) - y) ** 2).mean().backward()
    grad_out = model.layers[1].weight.grad                           # h_j = 1/2 for every unit: equal, nonzero
    assert grad_out.abs().min() > 0.1
    torch.testing.assert_close(grad_out, grad_out[:, :1].expand_as(grad_out), rtol=0, atol=0)


def test_zero_init_is_a_saddle_not_a_local_minimum():
    x, y = toy_targets()
    model = zero_mlp("relu")
    with torch.no_grad():                          # where SGD from all zeros ends: the best constant
        model.layers[-1].bias.fill_(y.mean().item())
    loss = lambda: ((model(x) - y) ** 2).mean()    # noqa: E731
    stuck = loss()
    stuck.backward()
    assert all(p.grad.abs().max() < 1e-12 for p in model.parameters())    # a stationary point
    torch.testing.assert_close(stuck, y.var(unbiased=False))
    # ... but not a minimum: a small step along B (first layer) and a (second) lowers the loss,
    # since the output moves by t^2 a^T relu(B x) and its correlation with y - mean(y) has a sign
    gen = torch.Generator().manual_seed(4)
    direction_b = torch.randn(8, 2, generator=gen, dtype=torch.float64)
    direction_a = torch.randn(1, 8, generator=gen, dtype=torch.float64)
    feature = torch.relu(x @ direction_b.T) @ direction_a.T
    if ((y - y.mean()) * feature).mean() < 0:
        direction_a = -direction_a
    t = 0.05
    with torch.no_grad():
        model.layers[0].weight.copy_(t * direction_b)
        model.layers[1].weight.copy_(t * direction_a)
        assert loss() < stuck
