"""How numbers read in labels, tooltips and ticks: one rule everywhere, at the precision each
place has room for."""
import math


def format_number(value, digits=4, fixed=False, sci_digits=None, true_minus=False) -> str:
    """``value`` as a label shows it.

    "–" when it is missing (None) or not finite, "0" for zero, scientific notation beyond 1e4
    or below 1e-3 in size (``sci_digits`` decimals, by default ``digits − 1``), else ``digits``
    decimals (``fixed``) or significant digits. ``true_minus`` writes the minus sign "−"
    rather than the hyphen "-".

    >>> format_number(0.123456), format_number(2.5e-5), format_number(-1.5, 3, true_minus=True)
    ('0.1235', '2.500e-05', '−1.5')
    """
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        text = f"{value:.{digits - 1 if sci_digits is None else sci_digits}e}"
    else:
        text = f"{value:.{digits}{'f' if fixed else 'g'}}"
    return text.replace("-", "−") if true_minus else text
