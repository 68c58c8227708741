"""Data sets to learn: the Neural Network Playground's problems, a few classics, and CSV files.

Every generated set comes from ``make(name, n_samples, noise, seed, train_fraction)`` and all its
randomness from one ``np.random.default_rng(seed)``, so the same arguments give the same data.

>>> from core import datasets
>>> data = datasets.make("spiral", n_samples=200, noise=0.1, seed=1)
>>> data.X_train.shape, data.y_train.shape, data.task
((100, 2), (100, 1), 'binary')

Every error this package raises is a :class:`DataError` (a ``ValueError``).

=================  ===================================================================
module             what it owns
=================  ===================================================================
``dataset``        :class:`Dataset` (the record every data set is) and :class:`DataError`
``generators``     the built-in sets: :func:`make`, :func:`names`, :func:`display_name`, ...
``csv``            the one CSV reader: :func:`load_csv`, and :func:`preview_csv`
``editing``        points added and removed by hand: :func:`with_point`, ...
=================  ===================================================================
"""
from core.datasets.csv import (MAX_CLASSES, MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_CSV_ROWS,
                               MAX_CSV_VALUE, MAX_DETECTED_CLASSES, CsvPreview, load_csv,
                               preview_csv)
from core.datasets.dataset import TASKS, DataError, Dataset
from core.datasets.editing import CUSTOM, nearest_point, with_point, without_point
from core.datasets.generators import (MAX_SAMPLES, MIN_SAMPLES, PLAYGROUND_DOMAIN, describe,
                                      display_name, generator, input_count, make, names,
                                      task_of)

__all__ = [
    "CUSTOM", "MAX_CLASSES", "MAX_CSV_BYTES", "MAX_CSV_COLUMNS", "MAX_CSV_ROWS", "MAX_CSV_VALUE",
    "MAX_DETECTED_CLASSES",
    "MAX_SAMPLES", "MIN_SAMPLES", "PLAYGROUND_DOMAIN", "TASKS", "CsvPreview", "DataError",
    "Dataset", "describe", "display_name", "generator", "input_count", "load_csv", "make", "names",
    "nearest_point", "preview_csv", "task_of", "with_point", "without_point",
]
