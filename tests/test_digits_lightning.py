"""The Lightning version of the digits MLP learns as well as the plain loop, quietly."""
import logging

import pytest
import torch

from dlnotes.digits import load_digits_split, make_model, train_mlp
from dlnotes.digits_lightning import DigitsModule, train_lightning


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


def test_lightning_module_starts_from_the_same_model_and_optimizer():
    module = DigitsModule(seed=0)
    plain = make_model(seed=0)
    assert all(torch.equal(a, b) for a, b in zip(module.model.parameters(), plain.parameters()))
    optimizer = module.configure_optimizers()
    assert isinstance(optimizer, torch.optim.Adam) and optimizer.defaults["lr"] == 2e-3


def test_lightning_reaches_the_same_accuracy_as_the_plain_loop(split, capfd):
    torch.set_num_threads(1)
    levels = [logging.getLogger(n).level for n in ("lightning.pytorch", "lightning.fabric")]
    module, accuracy = train_lightning(split=split)
    plain = train_mlp(split=split).test_acc[-1]
    assert accuracy >= 0.97
    assert abs(accuracy - plain) <= 0.01
    # the accuracy Lightning logged in validation_step (whole test set in one batch) is the same
    assert module.trainer.callback_metrics["test_acc"].item() == pytest.approx(accuracy)
    assert module.trainer.current_epoch == 30
    # quiet, and Lightning's process-wide settings are back as they were
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert not torch.are_deterministic_algorithms_enabled()
    assert [logging.getLogger(n).level for n in ("lightning.pytorch", "lightning.fabric")] == levels


def test_lightning_training_is_deterministic(split):
    first, _ = train_lightning(split=split, epochs=2)
    again, _ = train_lightning(split=split, epochs=2)
    other, _ = train_lightning(split=split, epochs=2, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), again.parameters()))
    assert not torch.equal(first.model.layers[0].weight, other.model.layers[0].weight)


def test_dataloader_draws_from_its_generator_before_shuffling(split):
    # why the Lightning run sees other batches than the plain loop, although both seed the order
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(split.x_train, split.y_train), batch_size=len(split.y_train),
                        shuffle=True, generator=torch.Generator().manual_seed(0))
    _, first_epoch_labels = next(iter(loader))
    plain_order = torch.randperm(len(split.y_train), generator=torch.Generator().manual_seed(0))
    assert not torch.equal(first_epoch_labels, split.y_train[plain_order])
    gen = torch.Generator().manual_seed(0)
    torch.empty((), dtype=torch.int64).random_(generator=gen)     # the DataLoader's draw for worker seeds
    assert torch.equal(first_epoch_labels, split.y_train[torch.randperm(len(split.y_train), generator=gen)])
