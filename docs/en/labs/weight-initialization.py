# %% [markdown]
# # Lab 2: The weight-initialization experiment
#
# The chapter [Weight initialization](../weight-initialization.md) stacked layers without biases, pushed standard
# normal inputs through them and showed how the size of each layer's outputs and gradients depends on the
# initialization. In this lab you run that experiment yourself and turn its knobs:
#
# - `ACTIVATION`: the activation function, one of `"sigmoid"`, `"tanh"`, `"relu"`;
# - `INIT`: the weight initialization, one of `"std1"` (standard deviation 1), `"std0.01"`, `"xavier"`, `"he"`,
#   `"lecun"`;
# - `N_LAYERS`, `WIDTH`: the number of layers and their width.
#
# The experiment is `layer_activations` and `layer_gradient_norms` from `dlnotes.initialization`, the code behind
# the chapter's figures and tests. The inputs are drawn with seed 0 and the weights with seed 1, so changing the
# initialization keeps the random numbers and changes only their scale.

# %%
import math

from matplotlib import pyplot as plt
import torch
from torch import nn

from dlnotes import labkit
from dlnotes.figures.initialization import (
    compute_activation_histograms, compute_gradient_norms,
    draw_activation_histograms, draw_gradient_norms)
from dlnotes.initialization import (
    he_std, layer_activations, layer_gradient_norms, xavier_std)

labkit.setup(seed=0)

# %% [markdown]
# ## Each layer's outputs in one setting
#
# Pick one combination first and look at the mean and standard deviation of each layer's outputs $h_l$.
# The last column is the share of outputs where the activation function has stopped doing its job: for sigmoid
# and tanh the saturated outputs stuck at either end of the range (sigmoid below 0.02 or above 0.98, tanh beyond
# 0.98 in absolute value), for ReLU the outputs that are exactly 0.

# %%
ACTIVATION = "tanh"   # "sigmoid", "tanh", "relu"
INIT = "xavier"       # "std1", "std0.01", "xavier", "he", "lecun"
N_LAYERS = 5
WIDTH = 100


def stuck_fraction(h, activation):
    """Share of outputs at the flat ends (sigmoid, tanh) or at zero (ReLU)."""
    if activation == "sigmoid":
        return ((h < 0.02) | (h > 0.98)).float().mean().item()
    if activation == "tanh":
        return (h.abs() > 0.98).float().mean().item()
    return (h == 0).float().mean().item()


outputs = layer_activations(activation=ACTIVATION, init=INIT,
                            n_layers=N_LAYERS, width=WIDTH)
print(f"{ACTIVATION}, {INIT}: {N_LAYERS} layers of width {WIDTH}")
for layer, h in enumerate(outputs, 1):
    stuck = stuck_fraction(h, ACTIVATION)
    print(f"layer {layer}:  mean {h.mean().item():+.4f}"
          f"  std {h.std().item():.4f}  stuck {stuck:6.1%}")

# %% [markdown]
# The same outputs as histograms, drawn by the function behind the chapter's figure: one colour per layer.

# %% alt="Histograms of each layer's outputs for the chosen activation and initialization, one outline per layer"
histograms = compute_activation_histograms(
    seed=0, inits=(INIT,), activations=(ACTIVATION,), n_layers=N_LAYERS,
    width=WIDTH, n_inputs=1000, bins=40)
fig, axes = plt.subplots(1, 1, figsize=(7.2, 3.0), layout="constrained",
                         squeeze=False)
draw_activation_histograms(axes, histograms)
plt.show()

# %% [markdown]
# ## Stacking deeper
#
# Five layers, as in the chapter, only hint at where the scale is heading. Stack `DEEP_LAYERS` layers and plot,
# for each initialization, the root mean square of each layer's outputs $\sqrt{\mathbb{E}[h_l^2]}$ on a log scale.
# A scale that grows or shrinks by the same factor at every layer is a straight line there.

# %% alt="The root mean square of each layer's outputs against the layer, one line per initialization, on a log scale"
DEEP_LAYERS = 30
INITS = ("std1", "std0.01", "xavier", "he", "lecun")

fig, ax = plt.subplots(figsize=(7.2, 3.4), layout="constrained")
for i, init in enumerate(INITS):
    deep = layer_activations(activation=ACTIVATION, init=init,
                             n_layers=DEEP_LAYERS, width=WIDTH)
    # squared in float64, so that tiny values do not vanish to 0
    rms = [h.double().pow(2).mean().sqrt().item() for h in deep]
    ax.semilogy(range(1, DEEP_LAYERS + 1), rms, "o-", markersize=3,
                color=f"C{i}", label=init)
    print(f"{init:8s} layer 1: {rms[0]:9.3g}"
          f"   layer {DEEP_LAYERS}: {rms[-1]:9.3g}")
ax.set(xlabel="layer $l$", ylabel=r"$\sqrt{E[h_l^2]}$", title=ACTIVATION)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# All layers have the same width, so $n_{\text{in}} = n_{\text{out}}$, and then Xavier and LeCun both have the
# standard deviation $1/\sqrt{n}$: their two lines coincide. With tanh, Xavier's scale still shrinks a little at
# every layer: tanh has slope 1 only near the origin and squashes large values.
#
# Set `ACTIVATION` to `"relu"` and run again. He passes the mean square on unchanged, so its line is flat; Xavier
# and LeCun, with $1/\sqrt{2}$ of He's standard deviation, halve the mean square at every layer. Standard deviations
# 1 and 0.01 multiply the scale by the same factor at every layer and soon reach the ends of the floating-point range.
#
# ## Gradients
#
# For the backward pass we use, as in the chapter, a fixed random direction dotted with the last layer,
# $L = \frac{1}{N} \sum_i r_i^{\top} h_{L,i}$. Its $\partial L / \partial h_L$ is the same whatever the
# initialization, so whatever differs from layer to layer is what the network itself does to the signal.

# %% alt="The gradient norm of each layer's weights for the chosen activation, one line per initialization, on a log scale"
for init in INITS:
    norms = layer_gradient_norms(activation=ACTIVATION, init=init,
                                 n_layers=N_LAYERS, width=WIDTH)
    print(f"{init:8s}", "  ".join(f"{n:9.3g}" for n in norms.tolist()))

gradients = compute_gradient_norms(
    seed=0, inits=INITS, activations=(ACTIVATION,), n_layers=N_LAYERS,
    width=WIDTH, n_inputs=1000)
fig, axes = plt.subplots(1, 1, figsize=(7.2, 3.2), layout="constrained",
                         squeeze=False)
draw_gradient_norms(axes[0], gradients)
plt.show()

# %% [markdown]
# Each row of the table is one initialization's $\lVert \partial L / \partial W_l \rVert$, from layer 1 to the last.
#
# ## The formulas against `torch.nn.init`
#
# Xavier's normal distribution has the standard deviation $\sqrt{2 / (n_{\text{in}} + n_{\text{out}})}$, He's for
# ReLU $\sqrt{2 / n_{\text{in}}}$. We draw a large weight matrix with `torch.nn.init` and compare its sample
# standard deviation with the formula. An `nn.Linear` weight has the shape `(fan_out, fan_in)`.

# %%
FAN_IN, FAN_OUT = 300, 100
weight = torch.empty(FAN_OUT, FAN_IN)
generator = torch.Generator().manual_seed(0)

nn.init.xavier_normal_(weight, generator=generator)
print(f"xavier  formula {xavier_std(FAN_IN, FAN_OUT):.4f}"
      f"   sampled {weight.std().item():.4f}")
nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
print(f"he      formula {he_std(FAN_IN):.4f}"
      f"   sampled {weight.std().item():.4f}")

# %% [markdown]
# ## Exercise: He initialization by hand
#
# Write `he_normal_` yourself: fill a weight of shape `(fan_out, fan_in)` in place with numbers from
# $\mathcal{N}(0, 2 / n_{\text{in}})$, drawn with `torch.randn` from the generator it is given. This is exercise 4
# of the chapter [Weight initialization](../weight-initialization.md#exercises). Fill in the next cell and run it; the
# cell after it compares your weights with `nn.init.kaiming_normal_` given an equally seeded generator and prints
# `correct` when they agree.

# %% tags=["exercise"]
def he_normal_(weight, generator):
    # fan_in is the second dimension of the weight. Draw
    # torch.randn(weight.shape, generator=generator), scale it to the standard
    # deviation sqrt(2 / fan_in), copy it into weight under torch.no_grad()
    # and return weight.
    raise NotImplementedError("write he_normal_ in this cell")


# %% tags=["solution"]
def he_normal_(weight, generator):
    fan_in = weight.shape[1]
    with torch.no_grad():
        noise = torch.randn(weight.shape, generator=generator)
        return weight.copy_(noise * math.sqrt(2 / fan_in))


# %% tags=["check"]
ours = he_normal_(torch.empty(128, 256), torch.Generator().manual_seed(0))
reference = nn.init.kaiming_normal_(
    torch.empty(128, 256), nonlinearity="relu",
    generator=torch.Generator().manual_seed(0))
gap = (ours - reference).abs().max().item()
print("correct" if gap < 1e-6 else f"largest difference {gap:.3g}")

# %% [markdown]
# ## Things to try
#
# - With `ACTIVATION = "sigmoid"` and `INIT = "xavier"`, how much do the gradients shrink towards the input?
#   Compare with the chapter's section [Gradient size per layer](../weight-initialization.md#gradient-norms).
# - With a narrow `WIDTH = 10`, is the He line for ReLU still flat? How much does the mean square wobble from layer
#   to layer with so few units?
# - With `ACTIVATION = "relu"` and `DEEP_LAYERS = 100`, what happens to the outputs of standard deviation 1?
#   Find the layer where the values start to become `inf` or `nan`, and explain it with the factor by which the
#   scale grows per layer.
