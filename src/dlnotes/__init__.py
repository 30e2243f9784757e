"""dlnotes: the tested PyTorch code behind the figures and formulas of the study notes."""
