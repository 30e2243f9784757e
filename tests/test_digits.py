"""The chapter "an MLP on handwritten digits": data, split, scaling, model, training loop, claims."""
import math
import re

import pytest
import torch
from torch import nn

from dlnotes import digits_bench
from dlnotes.digits import (STD_FLOOR, confusion_matrix, evaluate, load_digits_raw, load_digits_split,
                            make_model, predict, standardisation, train_mlp)


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


@pytest.fixture(scope="module")
def default_run(split):
    torch.set_num_threads(1)      # as in the figure worker and the snippet
    return train_mlp(split=split)


def test_bundled_file_is_sklearn_load_digits():
    from sklearn.datasets import load_digits

    pixels, labels = load_digits_raw()
    reference = load_digits()
    assert pixels.shape == (1797, 64) and labels.shape == (1797,)
    assert pixels.dtype == torch.float32 and labels.dtype == torch.int64
    assert torch.equal(pixels, torch.as_tensor(reference.data, dtype=torch.float32))
    assert torch.equal(labels, torch.as_tensor(reference.target))
    assert pixels.min() == 0 and pixels.max() == 16 and torch.equal(pixels, pixels.round())
    assert torch.equal(pixels[0].reshape(8, 8), torch.as_tensor(reference.images[0], dtype=torch.float32))


def test_split_is_stratified_disjoint_and_fixed(split):
    _, labels = load_digits_raw()
    train, test = split.train_index, split.test_index
    assert len(train) == 1347 and len(test) == 450
    assert len(set(train.tolist()) | set(test.tolist())) == 1797                 # disjoint, covers all
    class_sizes = torch.bincount(labels)
    test_sizes = torch.bincount(labels[test], minlength=10)
    assert torch.equal(test_sizes, torch.round(0.25 * class_sizes.double()).long())   # stratified
    assert torch.equal(split.y_train, labels[train]) and torch.equal(split.y_test, labels[test])
    again = load_digits_split()                                                  # fixed
    assert torch.equal(again.train_index, train) and torch.equal(again.x_test, split.x_test)
    assert not torch.equal(load_digits_split(seed=1).test_index, test)           # the seed matters
    # 21 full mini-batches of 64 and a last one of 3 per epoch
    assert math.ceil(1347 / 64) == 22 and 1347 - 21 * 64 == 3


def test_scaling_uses_training_statistics_only(split):
    pixels, _ = load_digits_raw()
    train_raw, test_raw = pixels[split.train_index], pixels[split.test_index]
    mean = train_raw.mean(dim=0)
    std = train_raw.std(dim=0, correction=0).clamp_min(STD_FLOOR)
    torch.testing.assert_close(split.mean, mean)
    torch.testing.assert_close(split.std, std)
    torch.testing.assert_close(split.x_train, (train_raw - mean) / std)
    torch.testing.assert_close(split.x_test, (test_raw - mean) / std)
    # statistics of all 1797 images would differ: the test images did not go into them
    assert not torch.allclose(standardisation(pixels)[0], mean)
    # standardised training pixels: mean 0, and std 1 wherever the floor was not needed
    torch.testing.assert_close(split.x_train.mean(dim=0), torch.zeros(64), atol=1e-5, rtol=0)
    varied = train_raw.std(dim=0, correction=0) >= STD_FLOOR
    torch.testing.assert_close(split.x_train.std(dim=0, correction=0)[varied], torch.ones(int(varied.sum())))
    # the numbers on the page: 17 pixels vary by less than one grey level, 4 never leave 0 ...
    assert (~varied).sum() == 17
    always_blank = torch.nonzero(train_raw.amax(dim=0) == 0).flatten().tolist()
    assert always_blank == [0, 32, 39, 56]
    # ... and pixel 56 (bottom-left corner) is not blank in every test image: without the floor
    # its standardised value would be 1 / 0
    assert test_raw[:, 56].max() == 1 and split.x_test[:, 56].isfinite().all()


def test_model_is_64_128_10_with_he_init():
    model = make_model(seed=0)
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [(128, 64), (128,), (10, 128), (10,)]
    assert sum(p.numel() for p in model.parameters()) == 64 * 128 + 128 + 128 * 10 + 10 == 9610
    first = model.layers[0].weight
    assert abs(first.std().item() - math.sqrt(2 / 64)) < 0.01                   # He: std = sqrt(2 / fan_in)
    assert all(torch.count_nonzero(layer.bias) == 0 for layer in model.layers)
    # the posts' bare nn.init.kaiming_normal_(w) uses leaky_relu with a=0: the same gain as relu
    assert nn.init.calculate_gain("leaky_relu", 0) == nn.init.calculate_gain("relu") == math.sqrt(2)
    state = torch.get_rng_state()
    same = make_model(seed=0)
    assert torch.equal(state, torch.get_rng_state())                            # global RNG untouched
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), same.parameters()))


def test_default_run_reaches_97_percent(default_run):
    assert default_run.test_acc[-1] >= 0.97
    assert default_run.test_acc[-1] >= 0.985          # "about 99 %" on the page
    assert default_run.train_acc[-1] == 1.0           # every training image right after 30 epochs
    assert len(default_run.train_loss) == len(default_run.test_acc) == 30
    assert default_run.train_loss[-1] < default_run.test_loss[-1] < default_run.test_loss[0]
    # the curves as the page describes them: the test loss is lowest at the end, 97 % is passed
    # within the first few epochs, and from epoch 20 to 30 the training loss more than halves
    # while the test accuracy gains less than one point
    assert default_run.test_loss[-1] == min(default_run.test_loss)
    assert max(default_run.test_acc[:8]) >= 0.97
    assert default_run.train_loss[29] < default_run.train_loss[19] / 2
    assert 0 <= default_run.test_acc[29] - default_run.test_acc[19] < 0.01


def test_another_seed_reaches_97_percent_too(split):
    assert train_mlp(seed=2, split=split).test_acc[-1] >= 0.97


def test_training_is_deterministic(split, default_run):
    again = train_mlp(split=split)
    for name in ("train_loss", "test_loss", "train_acc", "test_acc"):
        assert getattr(again, name) == getattr(default_run, name), name            # exactly equal
    other = train_mlp(split=split, seed=1, epochs=1)
    assert other.train_loss[0] != default_run.train_loss[0]


def test_confusion_matrix_sums_to_the_test_size_and_its_trace_is_the_accuracy(split, default_run):
    from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

    predicted = predict(default_run.model, split.x_test)
    counts = confusion_matrix(split.y_test, predicted)
    assert counts.shape == (10, 10) and counts.sum() == len(split.y_test) == 450
    assert torch.equal(counts.sum(dim=1), torch.bincount(split.y_test))        # rows: true digits
    assert counts.trace() / counts.sum() == pytest.approx(default_run.test_acc[-1])
    assert counts.trace() / counts.sum() == pytest.approx(evaluate(default_run.model, split.x_test,
                                                                   split.y_test)[1])
    assert torch.equal(counts, torch.as_tensor(sklearn_confusion_matrix(split.y_test, predicted)))


def test_cross_entropy_loss_takes_logits_and_class_indices():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(32, 10, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 10, (32,), generator=gen)
    one_hot = nn.functional.one_hot(y, 10).double()
    y_hat = torch.softmax(logits, dim=1)                   # the model's probabilities: not one-hot
    posts_formula = -(one_hot * torch.log(y_hat)).sum(dim=1).mean()   # CE = -1/N sum_i sum_d y log y_hat
    torch.testing.assert_close(nn.CrossEntropyLoss()(logits, y), posts_formula)
    torch.testing.assert_close(nn.CrossEntropyLoss()(logits, y), -torch.log_softmax(logits, 1)[range(32), y].mean())
    # a softmax inside the model as well would be applied twice: a different, flatter loss
    twice = nn.CrossEntropyLoss()(y_hat, y)
    assert not torch.isclose(twice, posts_formula)
    # even a certain, correct model cannot push it below -log(e / (e + 9)) ~ 1.46
    certain = 50.0 * one_hot
    assert nn.CrossEntropyLoss()(certain, y) < 1e-6
    floor = math.log((math.e + 9) / math.e)
    torch.testing.assert_close(nn.CrossEntropyLoss()(torch.softmax(certain, 1), y),
                               torch.tensor(floor, dtype=torch.float64))
    assert twice > floor


def test_hidden_unit_permutation_shows_the_loss_is_not_convex(split, default_run):
    model = default_run.model
    loss = lambda m: evaluate(m, split.x_train, split.y_train)[0]     # noqa: E731
    first, last = model.layers
    perm = torch.randperm(first.out_features, generator=torch.Generator().manual_seed(0))
    swapped = make_model(seed=0)
    with torch.no_grad():     # reorder the hidden units: rows of W1 and b1, columns of W2
        swapped.layers[0].weight.copy_(first.weight[perm])
        swapped.layers[0].bias.copy_(first.bias[perm])
        swapped.layers[1].weight.copy_(last.weight[:, perm])
        swapped.layers[1].bias.copy_(last.bias)
    torch.testing.assert_close(swapped(split.x_test), model(split.x_test))   # the same function
    midpoint = make_model(seed=0)
    with torch.no_grad():
        for mid, a, b in zip(midpoint.parameters(), model.parameters(), swapped.parameters()):
            mid.copy_((a + b) / 2)
    # convex would mean loss(midpoint) <= (loss(a) + loss(b)) / 2 = loss(a); it is far above
    assert loss(midpoint) > 0.1 and loss(midpoint) > 10 * loss(model)


def test_different_seeds_end_at_different_weights_but_equally_good(split, default_run):
    other = train_mlp(split=split, seed=1)
    w0, w1 = default_run.model.layers[0].weight, other.model.layers[0].weight
    assert (w0 - w1).norm() > 0.5 * w0.norm()                       # not the same solution
    assert other.train_acc[-1] == default_run.train_acc[-1] == 1.0
    assert other.test_acc[-1] >= 0.97


def test_zero_grad_is_needed_because_gradients_add_up(split):
    model = make_model(seed=0)
    loss_fn = nn.CrossEntropyLoss()
    first, second = split.x_train[:64], split.x_train[64:128]
    y1, y2 = split.y_train[:64], split.y_train[64:128]
    loss_fn(model(first), y1).backward()
    g1 = model.layers[0].weight.grad.clone()
    model.zero_grad()
    loss_fn(model(second), y2).backward()
    g2 = model.layers[0].weight.grad.clone()
    loss_fn(model(first), y1).backward()                     # no zero_grad in between
    torch.testing.assert_close(model.layers[0].weight.grad, g1 + g2)


def test_train_and_eval_mode_give_the_same_outputs(split):
    # the loop never calls model.train()/model.eval(): this MLP has no dropout or batch norm
    model = make_model(seed=0)
    assert not any(isinstance(m, (nn.Dropout, nn.BatchNorm1d)) for m in model.modules())
    train_out = model.train()(split.x_test)
    torch.testing.assert_close(model.eval()(split.x_test), train_out, rtol=0, atol=0)


def test_bench_prints_name_value_unit_lines_and_both_models_reach_97_percent(capsys):
    digits_bench.main()
    lines = capsys.readouterr().out.splitlines()
    names = [line.split(":")[0] for line in lines]
    assert names == ["digits-mlp", "digits-mlp-train", "digits-sklearn-mlp", "digits-sklearn-mlp-train"]
    for line in lines[0::2]:
        assert re.fullmatch(r"[a-z-]+: accuracy \d\.\d{4}", line), line
        assert float(line.split()[-1]) >= 0.97
    for line in lines[1::2]:
        assert re.fullmatch(r"[a-z-]+: \d+\.\d\d s", line), line


def test_adam_default_step_size_also_passes_97_percent_but_fits_slower(split, default_run):
    slower = train_mlp(split=split, lr=1e-3)          # torch.optim.Adam's own default step size
    assert slower.test_acc[-1] >= 0.97
    assert slower.train_loss[-1] > 2 * default_run.train_loss[-1]


def test_snippet_prints_a_test_accuracy_of_at_least_97_percent(capsys):
    # in this process (tests/test_snippets.py runs it standalone in a fresh one)
    import runpy
    from pathlib import Path

    runpy.run_path(str(Path(__file__).resolve().parents[1] / "snippets" / "digits_train_loop.py"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "train (1347, 64), test (450, 64)"
    assert lines[-1].startswith("test accuracy ") and float(lines[-1].split()[-1]) >= 0.97
