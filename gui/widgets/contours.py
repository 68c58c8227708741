"""Contour lines of a height field as line segments (marching squares; pure numpy, no Qt).

The error surface draws its level lines with it, and the boundary view the decision boundary
of a network the learner points at (the level of its output at the threshold).
"""
from __future__ import annotations

import numpy as np

# Marching squares. Cell corners: 0 = (j, i), 1 = (j, i+1), 2 = (j+1, i+1), 3 = (j+1, i); a
# cell's case has bit k set when corner k is above the level. Edges: 0 = corners 0-1,
# 1 = 1-2, 2 = 3-2, 3 = 0-3. Each case lists the edge pairs its (at most two) segments join;
# the saddles 5 and 10 are listed for a centre below the level and swapped when it is above.
_CASES = {1: ((3, 0),), 2: ((0, 1),), 3: ((3, 1),), 4: ((1, 2),), 5: ((3, 0), (1, 2)),
          6: ((0, 2),), 7: ((3, 2),), 8: ((2, 3),), 9: ((0, 2),), 10: ((0, 1), (2, 3)),
          11: ((1, 2),), 12: ((1, 3),), 13: ((0, 1),), 14: ((0, 3),)}
_SEGMENTS = np.full((16, 2, 2), -1)
for _case, _pairs in _CASES.items():
    _SEGMENTS[_case, :len(_pairs)] = _pairs


def contour_segments(Z, alphas, betas, levels) -> np.ndarray:
    """Contour lines of ``Z`` as line segments in plane coordinates (marching squares).

    Parameters
    ----------
    Z : (B, A) array
        ``Z[j, i]`` is the height at ``(alphas[i], betas[j])`` (as :func:`core.landscape.surface`).
    alphas : (A,) array, evenly spaced
    betas : (B,) array, evenly spaced
    levels : (L,) array

    Returns
    -------
    (2·s, 3) float array
        Rows ``(α, β, level)``; rows 2k and 2k + 1 are the ends of segment k (for
        ``GLLinePlotItem(mode="lines")`` and ``PlotDataItem(connect="pairs")``).
    """
    Z = np.asarray(Z, dtype=float)
    if Z.shape[0] < 2 or Z.shape[1] < 2:
        return np.empty((0, 3))
    da = (alphas[-1] - alphas[0]) / (len(alphas) - 1)
    db = (betas[-1] - betas[0]) / (len(betas) - 1)
    corners = np.stack([Z[:-1, :-1], Z[:-1, 1:], Z[1:, 1:], Z[1:, :-1]])  # (4, B-1, A-1)
    parts = []
    for level in levels:
        above = corners > level
        case = above[0] + 2 * above[1] + 4 * above[2] + 8 * above[3]
        j, i = np.nonzero((case > 0) & (case < 15))
        if not len(j):
            continue
        c = corners[:, j, i]  # (4, m)
        case = case[j, i]
        saddle = ((case == 5) | (case == 10)) & (c.mean(axis=0) > level)
        # Where the level crosses each edge, as a fraction from its first corner.
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = [(level - c[a]) / (c[b] - c[a]) for a, b in ((0, 1), (1, 2), (3, 2), (0, 3))]
        ex = np.stack([i + frac[0], i + 1.0, i + frac[2], i + 0.0])  # (edge, cell) in samples
        ey = np.stack([j + 0.0, j + frac[1], j + 1.0, j + frac[3]])
        pairs = _SEGMENTS[case]  # (m, 2, 2), a copy
        pairs[saddle] = _SEGMENTS[15 - case[saddle]]  # a saddle with its centre above
        for slot in range(2):
            keep = pairs[:, slot, 0] >= 0
            cells = np.nonzero(keep)[0]
            if not len(cells):
                continue
            ends = pairs[cells, slot]  # (k, 2)
            rows = np.empty((len(cells), 2, 3))
            for e in range(2):
                rows[:, e, 0] = alphas[0] + ex[ends[:, e], cells] * da
                rows[:, e, 1] = betas[0] + ey[ends[:, e], cells] * db
            rows[:, :, 2] = level
            parts.append(rows.reshape(-1, 3))
    return np.vstack(parts) if parts else np.empty((0, 3))
