"""Imported once by the job server (runner.py), so that every job's process starts with these ready.

Only third-party libraries: importing them costs about 3.5 s, which every job would otherwise pay
again. dlnotes code is never preloaded, so each job runs the code as it is on disk now.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot  # noqa: E402,F401
import numpy  # noqa: E402,F401
import torch  # noqa: E402,F401
import torch._dynamo  # noqa: E402,F401  (the first torch.optim optimizer imports it: 2 s more)
import bs4  # noqa: E402,F401  (the lab pages' jobs: 1 s of imports each otherwise)
import mkdocs_jupyter.convert  # noqa: E402,F401

import importlib.metadata  # noqa: E402

# Which distribution provides each top-level module: the probe (probe.py) needs it at the end of
# every job, and reading every installed distribution's metadata takes about 0.4 s.
PROVIDERS = importlib.metadata.packages_distributions()
