"""The answers to the exercises of the chapter "Weight initialization", checked against torch.nn.init."""
import math

import pytest
import torch
from torch import nn

from exercisekit import assert_pages_show, load_solution, run_solution, solution_output_on_pages

CHAPTER = "weight-initialization"


def sample_std_is(weight, std, tolerance):
    return abs(weight.std().item() / std - 1) < tolerance


def test_ex_weight_initialization_1_uniform_init_gives_var_z_n_a_squared_over_3():
    for a in (0.0625, 0.5, 2.0):
        uniform = torch.distributions.Uniform(torch.tensor(-a, dtype=torch.float64), torch.tensor(a, dtype=torch.float64))
        assert math.isclose(uniform.variance.item(), a * a / 3, rel_tol=1e-12)   # E[w^2] = a^2 / 3
    # nn.Linear's default bound a = 1/sqrt(n) gives Var(z) = n a^2 / 3 = 1/3 whatever n is
    torch.manual_seed(0)
    for n in (64, 256, 1024):
        layer = nn.Linear(n, 512, bias=False)
        assert math.isclose(layer.weight.abs().max().item(), 1 / math.sqrt(n), rel_tol=2e-3)
        z = layer(torch.randn(4096, n))                  # inputs of mean 0 and variance 1
        assert abs(z.var().item() - 1 / 3) < 0.01
    # the bound that keeps the variance: a = sqrt(3/n), LeCun's uniform (kaiming_uniform_ with the linear gain)
    w = nn.init.kaiming_uniform_(torch.empty(512, 256), nonlinearity="linear", generator=torch.Generator().manual_seed(1))
    assert 0.1082 < w.abs().max().item() <= math.sqrt(3 / 256) and f"{math.sqrt(3 / 256):.4f}" == "0.1083"
    z = torch.randn(4096, 256, generator=torch.Generator().manual_seed(2)) @ w.T
    assert abs(z.var().item() - 1) < 0.03
    assert_pages_show(CHAPTER, 1, "0.0625", "0.1083", r"\frac{a^2}{3}")


def test_ex_weight_initialization_2_xavier_for_a_256_to_128_layer():
    layer = nn.Linear(256, 128)
    assert layer.weight.shape == (128, 256)               # (fan_out, fan_in)
    std, bound = math.sqrt(2 / (256 + 128)), math.sqrt(6 / (256 + 128))
    assert f"{std:.4f}" == "0.0722" and bound == 0.125
    gen = torch.Generator().manual_seed(0)
    normal = nn.init.xavier_normal_(layer.weight.detach().clone(), generator=gen)
    uniform = nn.init.xavier_uniform_(layer.weight.detach().clone(), generator=gen)
    # 32768 draws: five relative standard errors are 2.0% (normal) and 1.3% (uniform)
    assert sample_std_is(normal, std, 0.02) and sample_std_is(uniform, std, 0.013)
    assert 0.124 < uniform.abs().max().item() <= bound
    assert_pages_show(CHAPTER, 2, "0.0722", "0.125", "384")


def test_ex_weight_initialization_3_he_std_for_a_leaky_relu_layer():
    gain = nn.init.calculate_gain("leaky_relu", 0.2)
    assert math.isclose(gain, math.sqrt(2 / 1.04), rel_tol=1e-12) and f"{gain:.4f}" == "1.3868"
    std = gain / math.sqrt(512)
    assert f"{std:.4f}" == "0.0613"
    w = nn.init.kaiming_normal_(torch.empty(1024, 512), a=0.2, nonlinearity="leaky_relu",
                                generator=torch.Generator().manual_seed(0))
    assert sample_std_is(w, std, 5 / math.sqrt(2 * w.numel()))      # five standard errors, 0.5%
    assert_pages_show(CHAPTER, 3, "1.04", "1.3868", "0.0613")


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_ex_weight_initialization_4_he_by_hand_equals_kaiming_normal(mode, tmp_path):
    he_normal_ = load_solution("weight_initialization_he_by_hand")["he_normal_"]
    for shape in ((128, 256), (10, 784)):
        ours = he_normal_(torch.empty(shape), mode, torch.Generator().manual_seed(3))
        reference = nn.init.kaiming_normal_(torch.empty(shape), mode=mode, nonlinearity="relu",
                                            generator=torch.Generator().manual_seed(3))
        assert torch.equal(ours, reference)
    layer = nn.Linear(300, 100)                           # in place, on a weight that requires grad
    assert he_normal_(layer.weight, mode) is layer.weight and layer.weight.requires_grad
    assert sample_std_is(layer.weight, math.sqrt(2 / (300 if mode == "fan_in" else 100)), 0.03)
    printed = run_solution("weight_initialization_he_by_hand", tmp_path).strip()
    assert printed == solution_output_on_pages(CHAPTER, 4)
    assert printed.count("kaiming_normal_: True") == 2
