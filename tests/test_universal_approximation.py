"""Every formula and claim of the chapter on universal approximation, checked numerically."""
import math

import numpy as np
import pytest
import torch

from dlnotes.figures.universal_approximation import compute_constructions, compute_width_fit, compute_width_sweep
from dlnotes.mlp import MLP
from dlnotes.registry import FIGURES
from dlnotes.universal_approximation import (OneHiddenLayer, bumpy_target, fit_output_layer, max_error,
                                             random_hidden_layer, relu_interpolant, relu_ramp, sigmoid_bump,
                                             sigmoid_staircase, sigmoid_step, staircase_error_bound)

F64 = torch.float64
GRID = torch.linspace(-3, 3, 20001, dtype=F64)          # dense grid for sup-norm errors


def settings(name):
    return dict(next(s for s in FIGURES if s.name == name).settings)


def derivative_bound(function, order=1):
    x = GRID.clone().requires_grad_()
    y = function(x)
    for _ in range(order):
        (y,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return y.abs().max().item()


# ---------------------------------------------------------------- width

@pytest.fixture(scope="module")
def sweep():
    return compute_width_sweep(**settings("uat-width"))


def test_error_shrinks_with_width(sweep):
    data = sweep
    assert data.widths[0] == 1 and data.widths[-1] == 64
    for activation in ("sigmoid", "relu"):
        errors = data.max_errors[activation]
        assert errors[-1] < 0.05 * errors[0]                  # the widest is far better than width 1
    assert data.max_errors["sigmoid"][-1] < 1e-6
    # the widths are nested (the first n units of one draw), so the training error can only go down
    for activation, mses in data.train_mse.items():
        assert all(later <= earlier * (1 + 1e-9) + 1e-15 for earlier, later in zip(mses, mses[1:])), activation


def test_polynomial_activations_do_not_improve_with_width(sweep):
    data = sweep
    x_train = torch.linspace(-3, 3, settings("uat-width")["n_train"], dtype=F64)
    y_train = bumpy_target(x_train)

    def best_polynomial_error(degree):
        design = torch.stack([x_train ** p for p in range(degree + 1)], dim=1)
        coefficients = torch.linalg.lstsq(design, y_train[:, None], driver="gelsd").solution[:, 0]
        return max_error(lambda x: torch.stack([x ** p for p in range(degree + 1)], dim=1) @ coefficients,
                         bumpy_target, data.x)
    # identity: any width is a line (the collapse); square: from width 2 on, exactly the best quadratic
    for error in data.max_errors["identity"]:
        assert error == pytest.approx(best_polynomial_error(1), rel=1e-6)
    for error in data.max_errors["square"][1:]:
        assert error == pytest.approx(best_polynomial_error(2), rel=1e-6)
    assert min(data.max_errors["square"]) > 1.0


def test_least_squares_output_layer_is_the_optimum_and_an_mlp():
    x = torch.linspace(-3, 3, 101, dtype=F64)
    w, b = random_hidden_layer(seed=1, width=12, low=-3.0, high=3.0)
    fitted = fit_output_layer(x, bumpy_target(x), w, b, "sigmoid")
    # the gradient of the MSE in the output weights vanishes at the least-squares solution
    a, c = fitted.a.clone().requires_grad_(), fitted.c.clone().requires_grad_()
    loss = ((fitted.hidden(x) @ a + c - bumpy_target(x)) ** 2).mean()
    grad_a, grad_c = torch.autograd.grad(loss, (a, c))
    assert grad_a.abs().max() < 1e-8 and abs(grad_c) < 1e-8
    # and the fitted network is the notes' MLP with sizes (1, 12, 1)
    model = MLP((1, 12, 1), activation="sigmoid").double()
    with torch.no_grad():
        model.layers[0].weight.copy_(w[:, None])
        model.layers[0].bias.copy_(b)
        model.layers[1].weight.copy_(fitted.a[None, :])
        model.layers[1].bias.copy_(fitted.c[None])
        torch.testing.assert_close(model(x[:, None])[:, 0], fitted(x))


def test_a_fit_is_only_good_on_the_interval_it_was_fitted_on():
    x_train = torch.linspace(-3, 3, 401, dtype=F64)
    w, b = random_hidden_layer(seed=0, width=64, low=-3.0, high=3.0)
    fitted = fit_output_layer(x_train, bumpy_target(x_train), w, b, "sigmoid")
    assert max_error(fitted, bumpy_target, GRID) < 1e-6
    outside = torch.linspace(4, 8, 2001, dtype=F64)
    assert max_error(fitted, bumpy_target, outside) > 5.0              # the page: off by up to about 10
    # a sigmoid network is bounded: |f(x)| <= sum_j |a_j| + |c| for every x
    far = torch.linspace(-1e3, 1e3, 20001, dtype=F64)
    assert fitted(far).abs().max() <= fitted.a.abs().sum() + fitted.c.abs()


# ---------------------------------------------------------------- one width at a time (the explorable figure)

def width_fit(width):
    spec = next(s for s in FIGURES if s.name == "uat-width-fit")
    assert width in spec.explore[0].values                     # a variant the page shows
    return compute_width_fit(**{**spec.settings, "width": width})


def two_digits(value):
    return float(f"{value:.2g}")


def test_width_fit_shows_the_sweeps_networks_and_the_errors_the_page_quotes(sweep):
    for i, width in enumerate(sweep.widths):
        data = width_fit(width)
        assert data.max_errors == pytest.approx({a: errors[i] for a, errors in sweep.max_errors.items()}, rel=1e-9)
        if width in sweep.shown:
            torch.testing.assert_close(data.fits["sigmoid"], sweep.shown[width])
    # sigmoid and ReLU largest errors at widths 8, 16, 32 and 64, as the page gives them
    quoted = {8: (0.23, 1.1), 16: (4.2e-3, 0.49), 32: (3.1e-6, 0.17), 64: (5.6e-10, 0.060)}
    for width, (sigmoid, relu) in quoted.items():
        errors = width_fit(width).max_errors
        assert (two_digits(errors["sigmoid"]), two_digits(errors["relu"])) == (sigmoid, relu), width


@pytest.mark.parametrize("width", [8, 16, 32])
def test_a_relu_network_is_straight_between_neighbouring_unit_centres(width):
    data = width_fit(width)
    knots = torch.sort(data.centres).values
    bounds = torch.cat([data.x[:1] - 1, knots, data.x[-1:] + 1])
    spacing = (data.x[1] - data.x[0]).item()
    for activation, straight in (("relu", True), ("sigmoid", False)):
        bends = []
        for low, high in zip(bounds[:-1], bounds[1:]):
            piece = data.fits[activation][(data.x > low) & (data.x < high)]
            if len(piece) >= 3:                    # second differences on the even grid: 0 for a straight piece
                bends.append((piece[2:] - 2 * piece[1:-1] + piece[:-2]).abs().max().item() / spacing ** 2)
        assert (max(bends) < 1e-6) == straight, (activation, max(bends))


def test_polynomial_width_fits_are_the_same_at_every_width():
    narrowest = {"identity": width_fit(1).fits["identity"], "square": width_fit(2).fits["square"]}
    for width in (2, 4, 8, 16, 32, 64):
        fits = width_fit(width).fits
        for activation, fit in narrowest.items():
            torch.testing.assert_close(fits[activation], fit, rtol=0, atol=1e-8)


# ---------------------------------------------------------------- constructions

@pytest.mark.parametrize("k", [1.0, 10.0, 100.0])
def test_a_steep_sigmoid_is_a_step_except_near_the_jump(k):
    delta = 0.2
    x = torch.linspace(-3, 3, 60001, dtype=F64)
    away = (x - 0.5).abs() >= delta
    gap = (sigmoid_step(x, at=0.5, steepness=k) - (x >= 0.5).to(F64))[away].abs().max().item()
    # the largest miss sits at the edge of the band: sigma(-k delta)
    assert gap == pytest.approx(1 / (1 + math.exp(k * delta)), rel=1e-3)
    if k == 100.0:
        assert gap < 1e-8


@pytest.mark.parametrize("k", [5.0, 20.0, 80.0])
def test_two_sigmoids_make_a_bump(k):
    delta = 0.25
    x = torch.linspace(-3, 3, 60001, dtype=F64)
    away = ((x + 1).abs() >= delta) & ((x - 1).abs() >= delta)
    box = ((x >= -1) & (x <= 1)).to(F64)
    gap = (sigmoid_bump(x, left=-1.0, right=1.0, steepness=k) - box)[away].abs().max().item()
    assert gap <= 2 / (1 + math.exp(k * delta))               # each of the two units misses by <= sigma(-k delta)


def test_two_relus_make_an_exact_ramp():
    x = torch.linspace(-3, 3, 6001, dtype=F64)
    ramp = relu_ramp(x, at=0.5, width=0.01)
    torch.testing.assert_close(ramp[x <= 0.5], torch.zeros_like(ramp[x <= 0.5]))
    torch.testing.assert_close(ramp[x >= 0.51], torch.ones_like(ramp[x >= 0.51]))
    assert torch.all((ramp >= 0) & (ramp <= 1 + 1e-12))                # a ramp, never overshooting


@pytest.mark.parametrize("n_steps", [10, 30, 100, 300])
def test_sigmoid_staircase_is_within_its_error_bound(n_steps):
    lipschitz = derivative_bound(bumpy_target)
    assert lipschitz == pytest.approx(2.91, abs=0.005)         # the L quoted on the page
    staircase = sigmoid_staircase(bumpy_target, low=-3.0, high=3.0, n_steps=n_steps)
    assert isinstance(staircase, OneHiddenLayer) and staircase.width == n_steps
    error = max_error(staircase, bumpy_target, GRID)
    bound = staircase_error_bound(lipschitz, 6.0 / n_steps, 10.0)
    assert error <= bound
    if n_steps == 300:
        assert error < 0.02                                    # 300 sigmoids: within 0.02 everywhere on [-3, 3]


@pytest.mark.parametrize("n_pieces", [8, 30, 100])
def test_relu_units_give_the_piecewise_linear_interpolant(n_pieces):
    interpolant = relu_interpolant(bumpy_target, low=-3.0, high=3.0, n_pieces=n_pieces)
    knots = torch.linspace(-3, 3, n_pieces + 1, dtype=F64)
    torch.testing.assert_close(interpolant(knots), bumpy_target(knots))          # exact at the knots
    # linear between the knots: equal to numpy's interpolation everywhere
    expected = torch.from_numpy(np.interp(GRID.numpy(), knots.numpy(), bumpy_target(knots).numpy()))
    torch.testing.assert_close(interpolant(GRID), expected)
    # and the classic bound: |f - g| <= delta^2 / 8 max |g''|
    delta = 6.0 / n_pieces
    assert max_error(interpolant, bumpy_target, GRID) <= delta ** 2 / 8 * derivative_bound(bumpy_target, order=2)


def test_construction_figure_data():
    data = compute_constructions(**settings("uat-construction"))
    x = data.x
    for k, step in zip(data.steepness, data.steps):
        torch.testing.assert_close(step, torch.sigmoid(k * x))
    torch.testing.assert_close(data.bumps[-1], torch.sigmoid(100 * (x + 1)) - torch.sigmoid(100 * (x - 1)))
    n = data.n_units
    lipschitz = derivative_bound(bumpy_target)
    assert (data.staircase - data.target).abs().max() <= staircase_error_bound(lipschitz, 6.0 / n, 10.0)


def test_mlp_module_reproduces_the_staircase():
    staircase = sigmoid_staircase(bumpy_target, low=-3.0, high=3.0, n_steps=20)
    model = MLP((1, 20, 1), activation="sigmoid").double()
    with torch.no_grad():
        model.layers[0].weight.copy_(staircase.w[:, None])
        model.layers[0].bias.copy_(staircase.b)
        model.layers[1].weight.copy_(staircase.a[None, :])
        model.layers[1].bias.copy_(staircase.c[None])
        torch.testing.assert_close(model(GRID[:, None])[:, 0], staircase(GRID))
