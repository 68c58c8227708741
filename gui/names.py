"""Config values as a person reads them, with no Qt (views' models use it too)."""
from __future__ import annotations

import os

from core import datasets


def dataset_words(dataset, data_path=None) -> str:
    """Config.dataset as a person reads it: a built-in set's display name ("XOR truth table"
    for ``xor_table``), the file's name for "csv", "points drawn by hand" for "custom"."""
    if dataset == "csv":
        return f"the file {os.path.basename(data_path)}" if data_path else "a CSV file"
    if dataset == "custom":
        return "points drawn by hand"
    try:
        return datasets.display_name(dataset)
    except ValueError:
        return str(dataset)
