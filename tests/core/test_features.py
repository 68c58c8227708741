"""Input features: values, names per input count, validation."""
import numpy as np
import pytest

from core import features


def test_values_are_the_playground_features():
    X = np.array([[2.0, -3.0], [0.5, 1.0]])
    names = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"]
    expected = np.array([[2.0, -3.0, 4.0, 9.0, -6.0, np.sin(2.0), np.sin(-3.0)],
                         [0.5, 1.0, 0.25, 1.0, 0.5, np.sin(0.5), np.sin(1.0)]])
    np.testing.assert_allclose(features.transform(X, names), expected)
    assert features.transform(X, None) is X


def test_one_input_offers_only_its_own_features():
    assert features.names(1) == ["x1", "x1^2", "sin_x1"]
    assert features.names(2) == list(features.FEATURES)


@pytest.mark.parametrize("choice,n_inputs,message", [
    ((), 2, "at least one"), (("x2",), 1, "x2"), (("x1", "x1"), 2, "repeat"),
    (("cos_x1",), 2, "cos_x1"), (("x1",), 3, "1 or 2"),
])
def test_bad_choices_are_explained(choice, n_inputs, message):
    with pytest.raises(ValueError, match=message):
        features.check(choice, n_inputs)
