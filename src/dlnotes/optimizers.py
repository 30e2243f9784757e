"""SGD, momentum, RMSProp and Adam written out by hand, one pure function per update rule.

Each rule takes (param, grad, state, **hyperparameters) and returns (new_param, new_state); state
is None before the first step. The names and defaults of the hyperparameters are PyTorch's, and
tests/test_optimizers.py checks every rule against torch.optim step by step.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

Tensor = torch.Tensor


# ---------------------------------------------------------------- SGD and momentum

def sgd_step(param: Tensor, grad: Tensor, velocity: Tensor | None, *, lr: float, momentum: float = 0.0,
             dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0, decoupled: bool = False):
    """torch.optim.SGD: v <- mu v + (1 - dampening) g, p <- p - lr v (or p - lr (g + mu v) with Nesterov).

    Returns (new_param, new_velocity). The first step sets v = g, without dampening, as PyTorch does.
    weight_decay with decoupled=False adds weight_decay * p to the gradient (torch.optim.SGD); with
    decoupled=True it shrinks p by lr * weight_decay before the step and keeps it out of the velocity
    (SGDW of Loshchilov & Hutter, with the decay scaled by lr as torch.optim.AdamW does).
    """
    if weight_decay and decoupled:
        param = param * (1 - lr * weight_decay)
    elif weight_decay:
        grad = grad + weight_decay * param                      # L2 penalty folded into the gradient
    if momentum == 0:
        return param - lr * grad, None
    velocity = grad.clone() if velocity is None else momentum * velocity + (1 - dampening) * grad
    direction = grad + momentum * velocity if nesterov else velocity
    return param - lr * direction, velocity


def textbook_momentum_step(param: Tensor, grad: Tensor, velocity: Tensor | None, *, lr: float, momentum: float):
    """The classical form (Polyak 1964; Sutskever et al. 2013): v <- mu v - lr g, p <- p + v.

    The learning rate sits inside the velocity, so changing lr only affects the steps to come.
    """
    velocity = -lr * grad if velocity is None else momentum * velocity - lr * grad
    return param + velocity, velocity


# ---------------------------------------------------------------- RMSProp

def rmsprop_step(param: Tensor, grad: Tensor, square_avg: Tensor | None, *, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, eps_inside_sqrt: bool = False):
    """torch.optim.RMSprop: s <- alpha s + (1 - alpha) g^2, p <- p - lr g / (sqrt(s) + eps).

    eps_inside_sqrt=True divides by sqrt(s + eps) instead, as some other libraries do.
    Returns (new_param, new_square_avg).
    """
    previous = torch.zeros_like(param) if square_avg is None else square_avg
    square_avg = alpha * previous + (1 - alpha) * grad * grad
    denom = (square_avg + eps).sqrt() if eps_inside_sqrt else square_avg.sqrt() + eps
    return param - lr * grad / denom, square_avg


# ---------------------------------------------------------------- Adam

@dataclass(frozen=True)
class AdamState:
    step: int
    m: Tensor          # running mean of the gradients (first moment)
    v: Tensor          # running mean of the squared gradients (second moment)


def adam_step(param: Tensor, grad: Tensor, state: AdamState | None, *, lr: float = 1e-3,
              betas: tuple = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False):
    """Adam as in Algorithm 1 of Kingma & Ba and in torch.optim.Adam / AdamW.

    m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
    m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t),  p <- p - lr m_hat / (sqrt(v_hat) + eps).

    weight_decay with decoupled=False adds weight_decay * p to the gradient (torch.optim.Adam);
    with decoupled=True it shrinks p by lr * weight_decay before the step (torch.optim.AdamW).
    """
    beta1, beta2 = betas
    if weight_decay and decoupled:
        param = param * (1 - lr * weight_decay)
    elif weight_decay:
        grad = grad + weight_decay * param
    if state is None:
        state = AdamState(0, torch.zeros_like(param), torch.zeros_like(param))
    t = state.step + 1
    m = beta1 * state.m + (1 - beta1) * grad
    v = beta2 * state.v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), AdamState(t, m, v)


def adam_step_eps_hat(param: Tensor, grad: Tensor, state: AdamState | None, *, lr: float = 1e-3,
                      betas: tuple = (0.9, 0.999), eps_hat: float = 1e-8):
    """The paper's faster ordering (end of its section 2): one scalar step size, eps_hat added to sqrt(v).

    lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),  p <- p - lr_t m / (sqrt(v) + eps_hat).
    It equals adam_step with eps = eps_hat / sqrt(1 - b2^t): the same name, a different constant.
    """
    beta1, beta2 = betas
    if state is None:
        state = AdamState(0, torch.zeros_like(param), torch.zeros_like(param))
    t = state.step + 1
    m = beta1 * state.m + (1 - beta1) * grad
    v = beta2 * state.v + (1 - beta2) * grad * grad
    lr_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return param - lr_t * m / (v.sqrt() + eps_hat), AdamState(t, m, v)


# ---------------------------------------------------------------- driving a rule like torch.optim

class ByHand:
    """Use an update rule above like a torch.optim optimizer: ByHand(model.parameters(), adam_step, lr=...).

    step() replaces every parameter's values by rule(param, param.grad, state); one state per parameter.
    """

    def __init__(self, params: Iterable[Tensor], rule: Callable, **hyperparameters):
        self.params = list(params)
        self.rule = rule
        self.hyperparameters = hyperparameters
        self.states = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        for i, param in enumerate(self.params):
            if param.grad is None:
                continue
            new_param, self.states[i] = self.rule(param, param.grad, self.states[i], **self.hyperparameters)
            param.copy_(new_param)

    def zero_grad(self) -> None:
        for param in self.params:
            param.grad = None


# ---------------------------------------------------------------- the Rosenbrock function

def rosenbrock(xy: Tensor, a: float = 1.0, b: float = 100.0) -> Tensor:
    """f(x, y) = (a - x)^2 + b (y - x^2)^2, minimum 0 at (a, a^2), at the end of a long curved valley.

    xy has shape (..., 2); the result has shape (...).
    """
    x, y = xy[..., 0], xy[..., 1]
    return (a - x) ** 2 + b * (y - x ** 2) ** 2


def rosenbrock_gradient(xy: Tensor, a: float = 1.0, b: float = 100.0) -> Tensor:
    """(df/dx, df/dy) = (-2 (a - x) - 4 b x (y - x^2), 2 b (y - x^2))."""
    x, y = xy[..., 0], xy[..., 1]
    return torch.stack([-2 * (a - x) - 4 * b * x * (y - x ** 2), 2 * b * (y - x ** 2)], dim=-1)


OPTIMIZERS = {
    "sgd": lambda params, lr, **kw: torch.optim.SGD(params, lr=lr, **kw),
    "momentum": lambda params, lr, momentum=0.9, **kw: torch.optim.SGD(params, lr=lr, momentum=momentum, **kw),
    "rmsprop": lambda params, lr, **kw: torch.optim.RMSprop(params, lr=lr, **kw),
    "adam": lambda params, lr, **kw: torch.optim.Adam(params, lr=lr, **kw),
}


def descend(gradient: Callable[[Tensor], Tensor], start: tuple, *, optimizer: str, lr: float, steps: int,
            **options) -> Tensor:
    """Run a torch.optim optimizer on a 2-parameter tensor whose gradient is gradient(xy); (steps + 1, 2) path.

    The gradient is handed to the optimizer through xy.grad, exactly where backward() would put it.
    """
    xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = OPTIMIZERS[optimizer]([xy], lr, **options)
    path = torch.empty(steps + 1, 2, dtype=torch.float64)
    path[0] = xy.detach()
    for step in range(steps):
        xy.grad = gradient(xy.detach())
        opt.step()
        path[step + 1] = xy.detach()
    return path
