"""The answers to the exercises of "universal approximation", checked with PyTorch."""
import math

import torch
import torch.nn.functional as F

from dlnotes.universal_approximation import relu_interpolant, sigmoid_staircase, staircase_error_bound
from exercisekit import load_solution, printed

LOW, HIGH = -math.pi, math.pi


def step_error(k: float, delta: float) -> float:
    """sup over |x| >= delta of |sigma(k x) - H(x)|, on a fine grid that starts at x = +-delta."""
    distance = torch.linspace(delta, 5, 20001, dtype=torch.float64)
    x = torch.cat([-distance, distance])
    step = torch.heaviside(x, torch.tensor(1.0, dtype=torch.float64))
    return (torch.sigmoid(k * x) - step).abs().max().item()


def test_ex_universal_approximation_1_steepness_for_a_step():
    epsilon, delta = 1e-3, 0.1
    k_min = math.log(1 / epsilon - 1) / delta                     # k >= ln(1/eps - 1) / delta
    assert round(k_min, 2) == 69.07 and round(math.log(999), 3) == 6.907
    assert step_error(k_min, delta) <= epsilon * (1 + 1e-12)
    assert step_error(k_min * 1.001, delta) < epsilon < step_error(69.0, delta)
    # the error is exactly sigma(-k delta), reached at the edges of the band
    for k in (5.0, 30.0, 69.07):
        assert abs(step_error(k, delta) - torch.sigmoid(torch.tensor(-k * delta, dtype=torch.float64)).item()) < 1e-15


def test_ex_universal_approximation_2_units_needed():
    epsilon, width = 0.05, HIGH - LOW
    bracket = 1 + 2 * math.exp(-5) / (1 - math.exp(-10))
    assert round(bracket, 4) == 1.0135 and round(width * bracket / epsilon, 2) == 127.36
    bound = lambda n: staircase_error_bound(1.0, width / n, 10.0)           # noqa: E731  (L = 1 for sin)
    assert bound(127) > epsilon > bound(128)
    interpolation_bound = lambda n: (width / n) ** 2 * 1.0 / 8               # noqa: E731  (M = 1 for sin)
    assert round(math.sqrt(8 * epsilon), 3) == 0.632 and round(width / math.sqrt(8 * epsilon), 2) == 9.93
    assert interpolation_bound(9) > epsilon > interpolation_bound(10)
    # the actual errors on a fine grid: far under the staircase's bound, close to the interpolant's
    x = torch.linspace(LOW, HIGH, 100001, dtype=torch.float64)
    staircase = sigmoid_staircase(torch.sin, low=LOW, high=HIGH, n_steps=128)
    interpolant = relu_interpolant(torch.sin, low=LOW, high=HIGH, n_pieces=10)
    errors = [(model(x) - torch.sin(x)).abs().max().item() for model in (staircase, interpolant)]
    assert [round(e, 4) for e in errors] == [0.0089, 0.0489] and round(interpolation_bound(10), 4) == 0.0493
    assert staircase.width == 128 and interpolant.width == 10


def test_ex_universal_approximation_3_relu_interpolant():
    build = load_solution("universal_approximation_relu_interpolant")["relu_interpolant"]
    gen = torch.Generator().manual_seed(3)
    for n, (low, high) in [(1, (0.0, 1.0)), (7, (-2.0, 5.0)), (40, (LOW, HIGH))]:
        values = torch.randn(n + 1, generator=gen, dtype=torch.float64)
        network = build(values, low, high)
        assert network[0].out_features == n                       # one ReLU unit per piece
        x = torch.linspace(low, high, 20 * n + 1, dtype=torch.float64)
        with torch.no_grad():
            ours = network(x[:, None])[:, 0]
        reference = F.interpolate(values[None, None], size=len(x), mode="linear", align_corners=True)[0, 0]
        torch.testing.assert_close(ours, reference)
    out = printed("universal_approximation_relu_interpolant").splitlines()
    assert float(out[0].split("= ")[1]) < 1e-12 and out[1].endswith("= 0.0489")
