"""Pure numpy geometry of the drawn surface: its shading and its contour lines (no Qt).

Both run off the UI thread or are cheap enough to run on it; the scene and the contour map
only hand the arrays to their items.
"""
from __future__ import annotations

import numpy as np

# The contour lines: shared with the boundary view's lines of a probed network.
from gui.widgets.contours import contour_segments  # noqa: F401 - part of this module's face

#: The plane is drawn in a box x, y in [-1, 1], z in [0, BOX_HEIGHT], whatever the units.
BOX_HEIGHT = 1.0
#: Contour lines per surface.
N_LEVELS = 12


def shaded_colours(heights, alphas, betas, lo, hi, stops) -> np.ndarray:
    """Per-vertex RGBA (w·h, 4) for ``GLSurfacePlotItem``: the colour map by height, lit from
    the front left so that slopes facing away darken (the valley's shape reads without a
    shader).

    ``stops`` is the colour map as ``(positions (s,), rgba floats (s, 4))``, interpolated
    linearly as ``pyqtgraph.ColorMap.map`` does. Vertex order follows the item's ``z`` =
    ``heights.T`` (alpha-major).
    """
    t = (heights - lo) / (hi - lo) if hi > lo else np.zeros_like(heights)
    positions, colours = stops
    flat = t.T.reshape(-1)
    rgba = np.column_stack([np.interp(flat, positions, colours[:, k]) for k in range(4)])
    # Normals in box coordinates: x = α/span, y = β/span, z = BOX_HEIGHT·t.
    z = BOX_HEIGHT * t
    dx = 2.0 / max(len(alphas) - 1, 1)
    dy = 2.0 / max(len(betas) - 1, 1)
    gz_b, gz_a = np.gradient(z, dy, dx)
    normal = np.stack([-gz_a, -gz_b, np.ones_like(z)])
    normal /= np.linalg.norm(normal, axis=0)
    light = np.array([-0.45, -0.65, 0.62])
    light /= np.linalg.norm(light)
    lambert = np.clip(np.tensordot(light, normal, axes=1), 0.0, 1.0)
    shade = (0.5 + 0.5 * lambert).T.reshape(-1, 1)
    rgba[:, :3] = np.clip(rgba[:, :3] * shade, 0.0, 1.0)
    rgba[:, 3] = 1.0
    return np.ascontiguousarray(rgba, dtype=np.float32)


def contour_levels(lo, hi, n=N_LEVELS) -> np.ndarray:
    """``n`` heights evenly spaced strictly inside ``(lo, hi)`` (none for a flat surface)."""
    if not hi > lo:
        return np.empty(0)
    return np.linspace(lo, hi, n + 2)[1:-1]


# ---------------------------------------------------------------------------- ticks
def nice_ticks(lo, hi, most=5) -> np.ndarray:
    """Round values (1, 2 or 5 times a power of ten, times an integer) in ``[lo, hi]``: as many
    as fit in ``most``, at least two unless the range is a single value (then that value)."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return np.empty(0)
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:
        return np.array([lo])
    power = 10.0 ** np.floor(np.log10((hi - lo) / most))
    for factor in (1, 2, 5, 10, 20, 50, 100):
        step = factor * power
        first, last = np.ceil(lo / step), np.floor(hi / step)
        if last - first + 1 <= most:
            ticks = np.arange(first, last + 1) * step
            # -0.0 and 1.0000000000000002 read badly: snap to the step's digits.
            return np.round(ticks, max(0, int(-np.floor(np.log10(step))) + 1)) + 0.0
    return np.array([lo, hi])


def log_ticks(lo, hi, most=5):
    """Ticks of a log10 axis from ``lo`` to ``hi`` (log10 of the values): round values
    1, 2, 5 × 10^k (or fewer per decade when they are too many), else round values on a linear
    scale. Returns ``(positions, values)`` with ``positions = log10(values)``."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return np.empty(0), np.empty(0)
    lo, hi = min(lo, hi), max(lo, hi)
    decades = np.arange(np.floor(lo), np.ceil(hi) + 1)
    for mantissas in ((1, 2, 5), (1, 3), (1,)):
        values = np.array([m * 10.0 ** k for k in decades for m in mantissas])
        values = values[(np.log10(values) >= lo - 1e-12) & (np.log10(values) <= hi + 1e-12)]
        if 2 <= len(values) <= most:
            return np.log10(values), values
    if len(decades) - 1 > most:  # many decades: every few powers of ten
        every = int(np.ceil((len(decades) - 1) / (most - 1)))
        values = 10.0 ** decades[(decades >= lo) & (decades <= hi)][::every]
        if len(values) >= 2:
            return np.log10(values), values
    values = nice_ticks(10.0 ** lo, 10.0 ** hi, most)
    values = values[values > 0]
    return np.log10(values), values


def tick_labels(values) -> list:
    """Labels of round ``values`` with as few digits as read them exactly (and differently
    from one another): ``0.05``, ``150``, ``2e+19``."""
    values = [float(v) for v in values]
    scale = max([abs(v) for v in values] + [1e-300])
    plain = all(v == 0 or 1e-3 <= abs(v) < 1e4 for v in values)
    for digits in range(0, 16):
        labels = [_trim(f"{v:.{digits}f}") if plain else _compact(f"{v:.{digits}e}")
                  for v in values]
        exact = all(abs(float(label) - v) <= 1e-9 * scale for label, v in zip(labels, values))
        if exact and len(set(labels)) == len(labels):
            return ["0" if float(label) == 0 else label for label in labels]
    return labels


def _trim(text):
    """``1.50`` -> ``1.5``, ``2.0`` -> ``2``."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _compact(text):
    """``1.0e+27`` -> ``1e+27``."""
    mantissa, exponent = text.split("e")
    return f"{_trim(mantissa)}e{exponent}"


# ---------------------------------------------------------------------------- the camera
def camera_position(azimuth, elevation, distance, centre) -> np.ndarray:
    """Where pyqtgraph's orbit camera is (degrees; the same formula as GLViewWidget's)."""
    a, e = np.radians(azimuth), np.radians(elevation)
    return np.asarray(centre, dtype=float) + distance * np.array(
        [np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])


def occluded(heights, xs, ys, points, camera, samples=40, tolerance=0.01) -> np.ndarray:
    """Which of ``points`` (p, 3) the surface hides from ``camera`` (3,), all in box units.

    The surface is ``heights`` (B, A) over the box coordinates ``xs`` (A,), ``ys`` (B,). A point
    is hidden when, somewhere on the straight line from the camera to it over the surface, the
    surface is above the line (by more than ``tolerance``).
    """
    from gui.views.surface.model import bilinear

    t = np.linspace(0.0, 1.0, samples + 1)[1:-1]
    q = camera + t[None, :, None] * (points[:, None, :] - camera)  # (p, s, 3)
    over = (np.abs(q[..., 0]) <= xs[-1]) & (np.abs(q[..., 1]) <= ys[-1])
    surface = bilinear(heights, xs, ys, q[..., :2].reshape(-1, 2)).reshape(q.shape[:2])
    return np.any(over & (q[..., 2] < surface - tolerance), axis=1)


def best_camera(heights, xs, ys, points, weights, preferred, distance, centre,
                elevations=(30.0, 40.0, 55.0)):
    """The ``(azimuth, elevation)`` from which the surface hides the least of ``points``.

    Each point counts with its ``weights`` (the current point most); candidates go round the
    box every 30° at ``elevations``; ties go to the candidate nearest ``preferred`` (the
    mode's usual view, azimuth and elevation in degrees).
    """
    pa, pe = preferred
    best = None
    for azimuth in pa + np.arange(0.0, 360.0, 30.0):
        for elevation in (pe, *elevations):
            camera = camera_position(azimuth, elevation, distance, centre)
            score = float(weights @ occluded(heights, xs, ys, points, camera))
            turn = abs((azimuth - pa + 180.0) % 360.0 - 180.0) + abs(elevation - pe)
            if best is None or (score, turn) < best[0]:
                best = ((score, turn), (float((azimuth + 180.0) % 360.0 - 180.0), elevation))
            if best[0] == (0.0, 0.0):
                return best[1]  # nothing hidden from the preferred view: no need to look on
    return best[1]


# ---------------------------------------------------------------------------- picking
def to_screen(points, mvp, width, height):
    """Where ``points`` (m, 3) fall in a ``width`` × ``height`` view under ``mvp`` (4 × 4,
    projection · view · model, acting on column vectors): ``x`` right and ``y`` down in
    pixels, and ``depth`` (the clip w, the distance in front of the camera; ≤ 0 behind it)."""
    homogeneous = np.column_stack([points, np.ones(len(points))]) @ np.asarray(mvp).T
    depth = homogeneous[:, 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (homogeneous[:, 0] / depth + 1.0) / 2.0 * width
        y = (1.0 - homogeneous[:, 1] / depth) / 2.0 * height
    return x, y, depth


def pick_front(x, y, depth, px, py, radius, tolerance):
    """The index of the point under pixel ``(px, py)``: of the points within ``radius`` pixels
    of it and in front of the camera, those within ``tolerance`` of the nearest one's depth
    (the front surface, not a fold behind it), the nearest on screen. None if there is none."""
    d2 = (x - px) ** 2 + (y - py) ** 2
    near = np.flatnonzero((d2 <= radius * radius) & (depth > 0))
    if not len(near):
        return None
    front = near[depth[near] <= depth[near].min() + tolerance]
    return int(front[np.argmin(d2[front])])
