"""The error surface's geometry, pure functions without a display: contour lines on their
levels, shading, round ticks with exact labels, and a camera that sees past a hill."""
import numpy as np

from gui.views.surface.geometry import (best_camera, camera_position, contour_levels,
                                        contour_segments, log_ticks, nice_ticks, occluded,
                                        shaded_colours, tick_labels)


def test_contour_segments_lie_on_their_levels():
    alphas, betas = np.linspace(-2, 2, 41), np.linspace(-1, 1, 21)
    A, B = np.meshgrid(alphas, betas)
    Z = A ** 2 + 4 * B ** 2  # ellipses
    levels = contour_levels(Z.min(), Z.max(), 5)
    segments = contour_segments(Z, alphas, betas, levels)
    assert len(segments) % 2 == 0 and len(segments) > 100
    assert set(np.round(segments[:, 2], 12)) <= set(np.round(levels, 12))
    # Each end is on a grid edge, where the level was interpolated linearly: close to the
    # exact ellipse (within the grid's interpolation error).
    exact = segments[:, 0] ** 2 + 4 * segments[:, 1] ** 2
    np.testing.assert_allclose(exact, segments[:, 2], atol=0.02)
    assert contour_segments(np.ones((5, 5)), alphas[:5], betas[:5], [1.0]).shape == (0, 3)


def test_a_saddle_is_resolved_by_its_centre():
    # Corners (0, 0) and (1, 1) high, the others low: one cell, two segments either way.
    Z = np.array([[1.0, 0.0], [0.0, 1.0]])
    axis = np.array([0.0, 1.0])
    low_centre = contour_segments(Z, axis, axis, [0.6])  # centre 0.5 < 0.6: two peaks
    high_centre = contour_segments(Z, axis, axis, [0.4])  # centre 0.5 > 0.4: a ridge
    for segments in (low_centre, high_centre):
        assert segments.shape == (4, 3)
    # The peaks are cut off at their corners; the ridge leaves the two low corners cut off.
    def near(segment, corner):
        return np.all(np.linalg.norm(segment[:, :2] - np.asarray(corner), axis=1) < 0.71)

    assert near(low_centre[:2], (0, 0)) or near(low_centre[:2], (1, 1))
    assert near(high_centre[:2], (1, 0)) or near(high_centre[:2], (0, 1))


def test_shaded_colours_follow_the_colour_map_and_light_a_flat_plane_evenly():
    positions = np.array([0.0, 1.0])
    colours = np.array([[0.0, 0.0, 0.0, 1.0], [1.0, 0.5, 0.0, 1.0]])
    alphas = betas = np.linspace(-1, 1, 3)
    heights = np.array([[0.0, 0.5, 1.0]] * 3)  # rising along α
    rgba = shaded_colours(heights, alphas, betas, 0.0, 1.0, (positions, colours))
    assert rgba.shape == (9, 4) and rgba.dtype == np.float32
    np.testing.assert_array_equal(rgba[:, 3], 1.0)
    flat = shaded_colours(np.full((3, 3), 0.5), alphas, betas, 0.0, 1.0, (positions, colours))
    assert np.ptp(flat[:, 0]) == 0  # a flat surface: one colour, lit evenly
    # Heights in α-major vertex order: red grows with α (rows 0-2 are α = -1).
    assert rgba[0, 0] < rgba[3, 0] < rgba[6, 0]


def test_ticks_are_round_and_their_labels_exact_and_distinct():
    np.testing.assert_allclose(nice_ticks(-2.883, 3.117), [-2, 0, 2])
    np.testing.assert_allclose(nice_ticks(0.1153, 1.537), [0.5, 1.0, 1.5])
    np.testing.assert_allclose(nice_ticks(-0.9657, 1.034), [-0.5, 0, 0.5, 1])
    assert list(nice_ticks(5.0, 5.0)) == [5.0] and len(nice_ticks(np.nan, 1.0)) == 0
    for lo, hi in ((0.0, 1e-7), (2.44e19, 2.44e19 + 1e12), (-7.7e7, -7.6e7), (3.0, 1e9)):
        ticks = nice_ticks(lo, hi)
        assert 2 <= len(ticks) <= 5 and np.all((ticks >= lo) & (ticks <= hi))
        labels = tick_labels(ticks)
        assert len(set(labels)) == len(labels)
        np.testing.assert_allclose([float(label) for label in labels], ticks, rtol=1e-9)
        # 1, 2 or 5 times a power of ten between neighbours
        step = np.diff(ticks)[0] / 10.0 ** np.floor(np.log10(np.diff(ticks)[0]))
        assert round(step, 6) in (1, 2, 5)
    assert tick_labels([0.5, 1.0, 1.5]) == ["0.5", "1", "1.5"]
    assert tick_labels([1e27, 1e28]) == ["1e+27", "1e+28"]
    positions, values = log_ticks(np.log10(0.009), np.log10(0.5))
    np.testing.assert_allclose(values, [0.01, 0.02, 0.05, 0.1, 0.2]) if len(values) == 5 else \
        np.testing.assert_allclose(values, [0.01, 0.03, 0.1, 0.3])
    np.testing.assert_allclose(positions, np.log10(values))
    positions, values = log_ticks(26.1, 29.3)
    np.testing.assert_allclose(values, [1e27, 1e28, 1e29])


def test_the_camera_looks_past_a_hill():
    # A wall along x = 0.5, high, and the current point behind it (x = 0.9) at the floor.
    xs = ys = np.linspace(-1, 1, 41)
    X, Y = np.meshgrid(xs, ys)
    heights = np.where(np.abs(X - 0.5) < 0.1, 1.0, 0.0)
    point = np.array([[0.9, 0.0, 0.02]])
    centre = (0.0, 0.0, 0.5)
    from_left = camera_position(180.0, 30.0, 4.0, centre)  # the wall between it and the point
    from_right = camera_position(0.0, 30.0, 4.0, centre)
    assert occluded(heights, xs, ys, point, from_left)[0]
    assert not occluded(heights, xs, ys, point, from_right)[0]
    azimuth, elevation = best_camera(heights, xs, ys, point, np.ones(1), (180.0, 30.0), 4.0,
                                     centre)
    camera = camera_position(azimuth, elevation, 4.0, centre)
    assert not occluded(heights, xs, ys, point, camera)[0]
    # Nothing in the way: the preferred view stays.
    flat = np.zeros_like(heights)
    assert best_camera(flat, xs, ys, point, np.ones(1), (-60.0, 32.0), 4.0, centre) == \
        (-60.0, 32.0)
