"""Panel.set_locked, the one way a lesson locks or hides settings: every panel names the rows of
its Config fields, locks grey them out and survive the panel's own updates, hiding hides them,
and unlocking gives back exactly the panel's own state."""
import pytest
from PySide6.QtWidgets import QWidget

from core.config import Config
from gui.panels import ALL_PANELS, DataPanel, LossPanel, OptimizerPanel


@pytest.fixture(params=ALL_PANELS, ids=lambda cls: cls.__name__)
def panel(request, qtbot):
    panel = request.param()
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _state(panel):
    """Enabled and visible, for every row widget and its label."""
    state = {}
    for field, widgets in panel.config_rows().items():
        for widget in widgets:
            label = panel.row_form(widget).labelForField(widget)
            state[(field, widget.objectName() or id(widget))] = (
                widget.isEnabled(), panel.row_form(widget).isRowVisible(widget),
                label.isEnabled() if label is not None else None)
    return state


def test_every_field_a_panel_edits_has_rows(panel):
    rows = panel.config_rows()
    # output_activation follows the loss: it has no control of its own.
    assert set(panel.values()) - {"output_activation"} == set(rows)
    for widgets in rows.values():
        assert widgets and all(isinstance(w, QWidget) for w in widgets)
        for widget in widgets:
            assert panel.row_form(widget).getWidgetPosition(widget)[0] >= 0, "not a row of a form"


def test_lock_and_unlock(panel):
    before = _state(panel)
    title = panel.box.title()
    fields = set(panel.config_rows())
    panel.set_locked(fields)
    for widgets in panel.config_rows().values():
        for widget in widgets:
            assert not widget.isEnabled()
            label = panel.row_form(widget).labelForField(widget)
            assert label is None or not label.isEnabled()
    assert panel.box.title() == f"{title}  (locked by the lesson)"
    panel.set_locked()
    assert _state(panel) == before and panel.box.title() == title


def test_hide_everything_hides_the_panel_and_showing_restores_it(panel):
    before = _state(panel)
    panel.set_locked(hidden=set(panel.config_rows()) | {"not_a_field"})
    assert panel.isHidden()
    panel.set_locked()
    assert not panel.isHidden() and _state(panel) == before


def test_locks_survive_the_panels_own_updates(qtbot):
    data = DataPanel()
    qtbot.addWidget(data)
    data.set_config(Config(dataset="xor_table"))  # the panel disables points and noise
    data.set_locked({"n_samples", "noise"})
    data.set_config(Config(dataset="circle"))     # ... and would enable them again
    assert not data.n_samples.isEnabled() and not data.noise_row.isEnabled()
    data.set_locked()
    assert data.n_samples.isEnabled() and data.noise.isEnabled()

    loss = LossPanel()
    qtbot.addWidget(loss)
    loss.set_locked({"reg_rate"})
    loss.set_config(Config(regularization="l2", reg_rate=0.01))
    assert not loss.reg_rate.isEnabled()
    loss.set_locked()
    assert loss.reg_rate.isEnabled()


def test_hidden_settings_stay_hidden_when_the_optimizer_changes(qtbot):
    panel = OptimizerPanel()
    qtbot.addWidget(panel)
    panel.set_locked(hidden={"beta1", "learning_rate"})
    panel.set_config(Config(optimizer="adam"))
    assert "beta1" not in panel.visible_settings() and "beta2" in panel.visible_settings()
    assert not panel.form.isRowVisible(panel.lr_row)
    panel.set_locked()
    assert {"beta1", "beta2", "epsilon"} <= set(panel.visible_settings())
    assert "momentum" not in panel.visible_settings()
