"""The digits MLP of dlnotes.digits as a PyTorch Lightning module: the same model, data and optimizer.

Lightning (`import lightning as L`) is needed by this module only.
"""
from __future__ import annotations

import contextlib
import logging
import warnings

import lightning as L
import torch
from lightning.pytorch.utilities.warnings import PossibleUserWarning
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlnotes.digits import evaluate, load_digits_split, make_model


# --8<-- [start:module]
class DigitsModule(L.LightningModule):
    def __init__(self, *, lr=2e-3, hidden=(128,), seed=0):
        super().__init__()
        self.model = make_model(seed=seed, hidden=hidden)   # the same MLP, the same init_param()
        self.loss_fn = nn.CrossEntropyLoss()
        self.lr = lr

    def forward(self, x):
        return self.model(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self(x), y)      # Lightning runs zero_grad, backward and step

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("test_loss", self.loss_fn(logits, y))
        self.log("test_acc", (logits.argmax(dim=1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def train_lightning(*, lr=2e-3, epochs=30, batch_size=64, seed=0, hidden=(128,), split=None):
    data = split or load_digits_split()
    module = DigitsModule(lr=lr, hidden=hidden, seed=seed)
    train_loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=batch_size,
                              shuffle=True, generator=torch.Generator().manual_seed(seed))
    test_loader = DataLoader(TensorDataset(data.x_test, data.y_test), batch_size=len(data.y_test))
    with quiet_lightning():                  # no banners on the console (defined below)
        trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, deterministic=True,
                            logger=False, enable_checkpointing=False, enable_progress_bar=False,
                            enable_model_summary=False, num_sanity_val_steps=0)
        trainer.fit(module, train_loader, test_loader)
    return module, evaluate(module.model, data.x_test, data.y_test)[1]
# --8<-- [end:module]


@contextlib.contextmanager
def quiet_lightning():
    """No banners, two known harmless warnings hidden, and the global state Lightning sets put back."""
    loggers = [logging.getLogger(name) for name in ("lightning.pytorch", "lightning.fabric")]
    levels = [logger.level for logger in loggers]
    deterministic = torch.are_deterministic_algorithms_enabled()
    try:
        for logger in loggers:
            logger.setLevel(logging.WARNING)    # "GPU available: False ...", a tip, "fit stopped"
        with warnings.catch_warnings():
            # Lightning 2.6's own pytree helper uses a torch class that torch 2.13 deprecates;
            # nothing in our code, and nothing we could change.
            warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated",
                                    category=FutureWarning)
            # On machines with more than 2 cores Lightning suggests DataLoader worker processes;
            # the data are two small tensors already in memory, and workers would only add start-up time.
            warnings.filterwarnings("ignore", message=r"The '\w+' does not have many workers",
                                    category=PossibleUserWarning)
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
        # Trainer(deterministic=True) switches this on for the whole process and leaves it on.
        torch.use_deterministic_algorithms(deterministic)
