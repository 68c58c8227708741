"""The error surface's controls: showing the span of the plane on screen."""
from gui.views.surface.controls import SurfaceControls
from gui.views.surface.model import DEFAULT_MODE


def test_the_same_span_again_leaves_the_box_alone(qtbot):
    # Every new plane while training shows its span (twice a second): the same value again
    # must not go to the box (QDoubleSpinBox.setValue repaints it even then).
    controls = SurfaceControls(DEFAULT_MODE)
    qtbot.addWidget(controls)
    spin = controls.span_spin
    controls.show_span(0.6)
    set_values, changed, real = [], [], spin.setValue
    spin.setValue = lambda value: set_values.append(value) or real(value)
    spin.valueChanged.connect(changed.append)
    controls.show_span(0.6)
    controls.show_span(0.6000001)  # shows as 0.6 all the same
    assert set_values == [] and spin.value() == 0.6
    controls.show_span(1.5)
    assert set_values == [1.5] and spin.value() == 1.5 and spin.lineEdit().text() == "± 1.5"
    assert changed == []  # no signal either way: the view set it
