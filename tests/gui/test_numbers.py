"""Numbers in labels read the same everywhere."""
import math

from gui.numbers import format_number


def test_format_number():
    assert format_number(None) == format_number(math.nan) == format_number(math.inf) == "–"
    assert format_number(0.0) == "0"
    assert format_number(0.123456) == "0.1235" and format_number(12.5) == "12.5"
    assert format_number(0.123456, fixed=True) == "0.1235"
    assert format_number(2.0, fixed=True) == "2.0000"
    assert format_number(2.5e-5) == "2.500e-05" and format_number(-12345.0) == "-1.234e+04"
    assert format_number(2.5e-5, sci_digits=2) == "2.50e-05"
    assert format_number(-1.5, 3, true_minus=True) == "−1.5"
    assert format_number(-2.5e-7, 3, true_minus=True) == "−2.50e−07"
