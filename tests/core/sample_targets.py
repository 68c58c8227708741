"""Valid random targets for any loss, shared by the core tests."""
import numpy as np


def targets(loss_name, n, k, rng):
    """Targets a loss accepts: labels for sparse_cce, one-hot for cce/kl_div, 0/1 for the
    binary losses, non-negative values for msle, reals otherwise; shaped ``(n, k)`` (or
    ``(n, 1)`` labels)."""
    if loss_name == "sparse_cce":
        return rng.integers(0, k, size=(n, 1)).astype(float)
    if loss_name in ("cce", "kl_div"):
        return np.eye(k)[rng.integers(0, k, size=n)]
    if loss_name in ("bce", "hinge", "squared_hinge"):
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if loss_name == "msle":
        return rng.uniform(0, 2, size=(n, k))
    return rng.normal(size=(n, k))
