"""Your own numpy network: Network.from_arrays and weight files opened as a run."""
from __future__ import annotations

import numpy as np
import pytest

from core.network import Network
from core.own_network import OwnNetworkError, open_run, orient, read_arrays

TRUTH_TABLE = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
XOR = np.array([[0], [1], [1], [0]], dtype=float)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def classic_xor(iterations=500, seed=1):
    """The classic small numpy XOR network (the bias trick: a third input that is always 1),
    written as that code writes it: syn_0 (3×4), syn_1 (4×1), sigmoids, no biases."""
    rng = np.random.default_rng(seed)
    syn_0 = 2 * rng.random((3, 4)) - 1
    syn_1 = 2 * rng.random((4, 1)) - 1
    for _ in range(iterations):
        l1 = _sigmoid(TRUTH_TABLE @ syn_0)
        l2 = _sigmoid(l1 @ syn_1)
        l2_delta = (XOR - l2) * l2 * (1 - l2)
        l1_delta = (l2_delta @ syn_1.T) * l1 * (1 - l1)
        syn_1 += l1.T @ l2_delta
        syn_0 += TRUTH_TABLE.T @ l1_delta
    return syn_0, syn_1


def _csv(path, X, y):
    rows = [",".join([f"x{k + 1}" for k in range(X.shape[1])] + ["y"])] + [",".join(f"{v:g}" for v in (*x, t)) for x, t in zip(X, y[:, 0])]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_from_arrays_computes_what_numpy_computes():
    rng = np.random.default_rng(0)
    W0, W1 = rng.normal(size=(2, 5)), rng.normal(size=(5, 3))
    b0, b1 = rng.normal(size=(1, 5)), rng.normal(size=3)
    net = Network.from_arrays([W0, W1], [b0, b1], activation="tanh", output_activation="linear")
    X = rng.normal(size=(7, 2))
    np.testing.assert_allclose(net.predict(X), np.tanh(X @ W0 + b0) @ W1 + b1, rtol=1e-14)
    assert net.layer_sizes == (2, 5, 3)
    W0[0, 0] = 99.0  # copies, not views of the caller's arrays
    assert net.weights[0][0, 0] != 99.0


def test_from_arrays_without_biases_starts_them_at_zero():
    net = Network.from_arrays([np.eye(2), np.ones((2, 1))])
    assert not np.any(net.biases[0]) and not np.any(net.biases[1])


@pytest.mark.parametrize("weights,biases,match", [
    ([np.ones((3, 4)), np.ones((3, 1))], None, "weights\\[1\\] has 3 rows"),
    ([np.ones(3)], None, "2-D"),
    ([], None, "at least one"),
    ([np.ones((2, 2))], [np.ones(3)], "biases\\[0\\] must hold 2"),
    ([np.ones((2, 2)), np.ones((2, 1))], [np.ones(2)], "1 bias vectors for 2"),
])
def test_from_arrays_names_what_does_not_fit(weights, biases, match):
    with pytest.raises(ValueError, match=match):
        Network.from_arrays(weights, biases)


def test_the_classic_xor_code_opens_with_the_same_outputs(tmp_path):
    syn_0, syn_1 = classic_xor()
    np.save(tmp_path / "syn_0.npy", syn_0)
    np.save(tmp_path / "syn_1.npy", syn_1)
    csv = _csv(tmp_path / "xor.csv", TRUTH_TABLE, XOR)
    run = open_run([tmp_path / "syn_1.npy", tmp_path / "syn_0.npy"], csv, "sigmoid", "sigmoid",
                   loss="mse", learning_rate=2.0)
    assert "x @ W + b" in run.note and "3 → 4 → 1" in run.note and "start at 0" in run.note
    trainer = run.trainer
    X = trainer.data.X_train
    assert sorted(map(tuple, X)) == sorted(map(tuple, TRUTH_TABLE))  # all 4 rows train
    expected = _sigmoid(_sigmoid(X @ syn_0) @ syn_1)
    np.testing.assert_allclose(trainer.predict(X), expected, rtol=0, atol=1e-14)
    assert trainer.step_count == 0 and len(trainer.history_arrays()["step"]) == 1
    # Training on: one full-batch step of the mean squared error at rate 2 is that code's step
    # (its update is the gradient of ½Σ(y − ŷ)², ours of the mean of (y − ŷ)² over 4 rows).
    y = trainer.data.y_train
    l1 = _sigmoid(X @ syn_0)
    l2 = _sigmoid(l1 @ syn_1)
    l2_delta = (y - l2) * l2 * (1 - l2)
    l1_delta = (l2_delta @ syn_1.T) * l1 * (1 - l1)
    trainer.step(1)
    np.testing.assert_allclose(trainer.network.weights[1], syn_1 + l1.T @ l2_delta, atol=1e-13)
    np.testing.assert_allclose(trainer.network.weights[0], syn_0 + X.T @ l1_delta, atol=1e-13)


def test_the_transposed_convention_is_detected_and_said(tmp_path):
    rng = np.random.default_rng(2)
    W1, b1, W2, b2 = rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=(1, 5)), \
        rng.normal(size=1)
    np.savez(tmp_path / "net.npz", W1=W1, b1=b1, W2=W2, b2=b2)
    X = rng.uniform(-1, 1, (12, 2))
    y = (X[:, :1] > 0).astype(float)
    run = open_run(tmp_path / "net.npz", _csv(tmp_path / "d.csv", np.c_[X, X[:, :1]][:, :2], y),
                   "tanh", "sigmoid")
    assert "W @ x + b" in run.note and "with their biases" in run.note
    Xd = run.trainer.data.X_train
    expected = _sigmoid((W2 @ np.tanh(W1 @ Xd.T + b1[:, None]) + b2[:, None]).T)
    np.testing.assert_allclose(run.trainer.predict(Xd), expected, rtol=1e-13)


def test_square_matrices_are_read_as_x_at_w_and_it_says_so():
    found = orient([np.eye(2), np.ones((2, 1))], n_inputs=None)
    assert found.convention == "x @ W + b"
    found = orient([np.eye(2), np.eye(2)])
    assert "both conventions fit" in found.note


def test_shapes_that_chain_in_neither_convention_are_refused():
    with pytest.raises(OwnNetworkError, match="do not chain"):
        orient([np.ones((3, 4)), np.ones((3, 2))])
    with pytest.raises(OwnNetworkError, match="take 5 inputs"):
        orient([np.ones((3, 4))], n_inputs=5)


def test_pickled_and_foreign_files_are_refused_unread(tmp_path):
    np.save(tmp_path / "objects.npy", np.array([np.ones(2), np.ones(3)], dtype=object),
            allow_pickle=True)
    with pytest.raises(OwnNetworkError, match="Python objects"):
        read_arrays([tmp_path / "objects.npy"])
    (tmp_path / "text.npz").write_text("not an archive")
    with pytest.raises(OwnNetworkError, match="not a .npz"):
        read_arrays([tmp_path / "text.npz"])
    with pytest.raises(OwnNetworkError, match="cannot be read"):
        read_arrays([tmp_path / "missing.npy"])


def test_a_network_that_does_not_fit_the_data_is_refused(tmp_path):
    np.save(tmp_path / "W.npy", np.ones((2, 4)))
    csv = _csv(tmp_path / "xor.csv", TRUTH_TABLE, XOR)
    with pytest.raises(OwnNetworkError, match="take 3 inputs"):
        open_run([tmp_path / "W.npy"], csv)
