"""Imported once by the figure fork server, so that each figure's process starts with these ready.

Only third-party libraries: importing them costs about 3.5 s, which every figure would otherwise
pay again. dlnotes code is never preloaded, so each figure still runs the code as it is now.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot  # noqa: E402,F401
import numpy  # noqa: E402,F401
import torch  # noqa: E402,F401
import torch._dynamo  # noqa: E402,F401  (the first torch.optim optimizer imports it: 2 s more)
