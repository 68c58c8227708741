"""Fuzzing the two file readers: random hostile cases, and what each outcome counts as.

:func:`experiment_case` and :func:`csv_case` write one random case (from a seeded
``numpy.random.Generator``) and :func:`run_case` opens it as the app would, under a clock and a
memory tracer, and names the outcome: ``"opened"`` (and what stepping it then did) or
``"refused: <why>"`` for the documented errors, and ``"BUG: ..."``, ``"SLOW"`` or
``"MEMORY"`` for what the readers promise never to do. ``test_fuzz_files.py`` runs a few
hundred cases of each; ``bench/fuzz_files.py`` runs them for minutes and prints the counts.
"""
import collections
import io
import json
import math
import time
import tracemalloc
import warnings
import zipfile

import numpy as np

import hostile
from core import datasets, experiment
from core.config import Config
from core.trainer import DivergenceError, Trainer

#: A case may take this long and allocate this much (the files are all small). The "edge"
#: cases reach the limits (100,000 rows, a row of a million characters), which under the
#: memory tracer take seconds: they get EDGE_SECONDS.
MAX_SECONDS = 3.0
EDGE_SECONDS = 20.0
MAX_BYTES = 96 * 2**20

BASES = {
    "tiny": (hostile.TINY, 7, {"history_capacity": 4, "path_capacity": 2}),
    "adam": (Config(dataset="spiral", n_samples=60, hidden_layers=(5, 3), optimizer="adam",
                    learning_rate=0.01, batch_size=7, seed=3), 23, {}),
    "regression": (Config(dataset="sine", n_samples=40, hidden_layers=(6,), loss="huber",
                          optimizer="rmsprop", lr_schedule="cosine", seed=1), 11, {}),
    "multiclass": (Config(dataset="blobs", n_samples=48, hidden_layers=(4,), activation="relu",
                          optimizer="nesterov", features=None, seed=2), 9, {}),
    "features": (Config(dataset="circle", n_samples=40, hidden_layers=(3,),
                        features=("x1^2", "x2^2", "x1*x2"), regularization="l2",
                        reg_rate=0.01, seed=4), 5, {}),
}

_ODD_NUMBERS = [0, 1, -1, 2, 3, 7, 2**31 - 1, 2**31, 2**31 + 1, 2**32, 2**53 + 1, 2**62,
                2**62 + 1, 2**63, 2**64, -2**63, 10**30, 20_000, 20_001, 1_000_000, 0.5, 1e300,
                float("nan"), float("inf"), True, None, "1", [], {}, [1, 2], {"a": 1}]


def make_bases(folder) -> dict:
    """{name: bytes of a real saved experiment} for the mutations to start from."""
    bases = {}
    for name, (config, steps, capacities) in BASES.items():
        path = folder / f"base-{name}.costscape"
        trainer = Trainer(config, **capacities)
        trainer.step(steps)
        experiment.save(path, trainer)
        bases[name] = path.read_bytes()
    return bases


# --------------------------------------------------------------------------- experiments

def experiment_case(rng, bases, path) -> str:
    """Write one random experiment case to ``path``; return the kind of damage."""
    kind = str(rng.choice(["bytes", "flips", "header", "arrays", "zip", "counts"],
                          p=[0.08, 0.22, 0.22, 0.22, 0.12, 0.14]))
    base = bases[str(rng.choice(sorted(bases)))]
    if kind == "bytes":
        prefix = [b"", b"PK\x03\x04", b"\x93NUMPY\x01\x00", base[:200]][rng.integers(4)]
        path.write_bytes(prefix + rng.bytes(int(rng.integers(0, 2000))))
    elif kind == "flips":
        raw = bytearray(base)
        for _ in range(int(rng.integers(1, 9))):
            # Half the flips near the end: the zip directory and the last arrays' headers.
            low = 0 if rng.random() < 0.5 else max(0, len(raw) - 600)
            raw[int(rng.integers(low, len(raw)))] ^= int(rng.integers(1, 256))
        cut = len(raw) if rng.random() < 0.7 else int(rng.integers(0, len(raw)))
        path.write_bytes(bytes(raw[:cut]))
    else:
        header, arrays = _contents(base)
        {"header": _damage_header, "arrays": _damage_arrays, "counts": _damage_counts,
         "zip": lambda *a: None}[kind](rng, header, arrays)
        if kind == "zip":
            _write_odd_zip(rng, path, header, arrays)
        else:
            hostile.write(path, header, arrays)
    return kind


def _contents(raw):
    with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
        content = {name: arrays[name] for name in arrays.files}
    return json.loads(bytes(content.pop("header")).decode()), content


def _header_paths(section, prefix=()):
    for key, value in section.items():
        yield prefix + (key,)
        if isinstance(value, dict):
            yield from _header_paths(value, prefix + (key,))


def _random_json(rng, depth=0):
    choice = int(rng.integers(6 if depth < 2 else 4))
    if choice == 0:
        return _ODD_NUMBERS[int(rng.integers(len(_ODD_NUMBERS)))]
    if choice == 1:
        return int(rng.integers(-10, 1000))
    if choice == 2:
        return float(rng.normal() * 10.0 ** int(rng.integers(-3, 20)))
    if choice == 3:
        return "".join(rng.choice(list("ab_1 é\"\\{}"), int(rng.integers(0, 12))))
    if choice == 4:
        return [_random_json(rng, depth + 1) for _ in range(int(rng.integers(0, 4)))]
    return {str(rng.integers(100)): _random_json(rng, depth + 1)
            for _ in range(int(rng.integers(0, 3)))}


def _damage_header(rng, header, arrays):
    for _ in range(int(rng.integers(1, 4))):
        paths = sorted(_header_paths(header))
        *parents, key = paths[int(rng.integers(len(paths)))]
        section = header
        for parent in parents:
            section = section[parent]
        if rng.random() < 0.15:
            section.pop(key, None)
        else:
            section[key] = _random_json(rng)


def _damage_arrays(rng, header, arrays):
    for _ in range(int(rng.integers(1, 4))):
        name = sorted(arrays)[int(rng.integers(len(arrays)))]
        array = arrays[name]
        how = int(rng.integers(8))
        with np.errstate(all="ignore"):
            if how == 0 and array.size:
                array = array.copy()
                value = (rng.choice([np.nan, np.inf, -np.inf, 1e300, -1e16, 0.5, 3.0, -1.0,
                                     2.0**31]) if array.dtype.kind == "f"
                         else rng.choice([-1, 0, 1, 2**31 - 1, 255]))
                array.reshape(-1)[int(rng.integers(array.size))] = value
            elif how == 1 and array.ndim:
                array = array[:int(rng.integers(0, len(array) + 1))]
            elif how == 2:
                array = array.astype(rng.choice([np.float32, np.int64, np.uint8, bool,
                                                 np.int8, np.complex64, ">f8"]))
            elif how == 3:
                array = np.asfortranarray(array.reshape(array.shape[::-1]))
            elif how == 4:
                array = array * rng.choice([1e9, -1.0, 0.0, 1e-300])
            elif how == 5:
                array = np.concatenate([array, array]) if array.ndim else array
            elif how == 6:
                del arrays[name]
                continue
            else:
                shape = tuple(int(n) for n in rng.integers(0, 5, int(rng.integers(0, 3))))
                array = rng.normal(size=shape)
        arrays[name] = array


def _damage_counts(rng, header, arrays):
    """Counts, capacities, strides and the history at and past the edges of what is allowed."""
    state = header["state"]
    keys = ["step_count", "epoch", "position", "optimizer_t", "history_stride", "path_stride",
            "history_capacity", "path_capacity"]
    for _ in range(int(rng.integers(1, 3))):
        key = keys[int(rng.integers(len(keys)))]
        state[key] = _ODD_NUMBERS[int(rng.integers(len(_ODD_NUMBERS)))]
    if rng.random() < 0.3:
        history = arrays["history"].copy()
        column = int(rng.integers(history.shape[1]))
        history[int(rng.integers(len(history))), column] = rng.choice([np.nan, np.inf, -1.0,
                                                                       2.0**40])
        arrays["history"] = history
    if rng.random() < 0.2:  # runaway data: the "me" loss on data scaled by 1e9
        header["config"]["loss"] = "me"
        for name in ("X_train", "y_train", "X_test", "y_test", "domain"):
            arrays[name] = arrays[name] * 1e9


def _write_odd_zip(rng, path, header, arrays):
    """Valid contents in a zip Costscape would not write: compressed members, duplicates,
    junk members, a zip64 record, or sizes in the directory that lie."""
    blob = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    members = {"header": blob, **arrays}
    how = int(rng.integers(5))
    method = [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA][int(rng.integers(3))]
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": meant
        for name, array in members.items():
            buffer = io.BytesIO()
            np.save(buffer, array)
            compress = method if how == 0 and rng.random() < 0.5 else zipfile.ZIP_STORED
            archive.writestr(zipfile.ZipInfo(f"{name}.npy"), buffer.getvalue(), compress)
            if how == 1 and rng.random() < 0.3:
                archive.writestr(zipfile.ZipInfo(f"{name}.npy"), b"duplicate")
        if how == 2:
            for i in range(int(rng.integers(10, 80))):
                archive.writestr(f"junk{i}.npy", b"")
    raw = bytearray(path.read_bytes())
    if how == 3:  # a zip64 locator before the end record
        end = raw.rfind(b"PK\x05\x06")
        raw[end:end] = b"PK\x06\x07" + bytes(16)
    elif how == 4:  # a member's size in the directory made huge
        at = raw.find(b"PK\x01\x02", int(rng.integers(0, len(raw))) // 2)
        if at >= 0:
            raw[at + 24:at + 28] = int(rng.integers(2**20, 2**32)).to_bytes(4, "little")
    path.write_bytes(bytes(raw))


# --------------------------------------------------------------------------- CSV files

_TOKENS = (list("0123456789") * 4 + list(",;\t\n\r .-+eE\"'") * 2
           + ["nan", "inf", "1_000", "١٢", "１", "\u00a0", "é", "\0", "\ufeff", "x", "\r\n",
              "1e400", "-1e13", "0x1"])


def csv_case(rng, path) -> str:
    """Write one random CSV case to ``path``; return its kind."""
    kind = str(rng.choice(["tokens", "table", "mutated", "bytes", "encoded", "edge"],
                          p=[0.2, 0.25, 0.25, 0.1, 0.1, 0.1]))
    if kind == "tokens":
        n = int(rng.integers(0, 200))
        path.write_text("".join(rng.choice(_TOKENS, n)), encoding="utf-8", newline="")
    elif kind in ("table", "mutated"):
        text = _table(rng)
        if kind == "mutated":
            chars = list(text)
            for _ in range(int(rng.integers(1, 6))):
                at = int(rng.integers(0, len(chars) + 1))
                chars[at:at + int(rng.integers(0, 3))] = list(str(rng.choice(_TOKENS)))
            text = "".join(chars)
        path.write_text(text, encoding="utf-8", newline="")
    elif kind == "bytes":
        prefix = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]
        path.write_bytes(prefix[int(rng.integers(5))] + rng.bytes(int(rng.integers(0, 400))))
    elif kind == "encoded":
        encoding = str(rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "utf-8-sig"]))
        text = _table(rng)
        path.write_bytes(text.encode(encoding, errors="replace"))
    else:
        _edge(rng, path)
    return kind


def _table(rng) -> str:
    rows, columns = int(rng.integers(0, 60)), int(rng.integers(1, 8))
    delimiter = str(rng.choice([",", ";", "\t"]))
    newline = str(rng.choice(["\n", "\r\n", "\r"]))
    labels = rng.integers(0, int(rng.integers(1, 25)), rows)
    values = rng.normal(size=(rows, columns - 1)) * 10.0 ** int(rng.integers(-3, 8))
    lines = []
    if rng.random() < 0.5:
        names = [f"x{i}" for i in range(columns)]
        if rng.random() < 0.3:
            names[0] = f'"a{delimiter}b{newline}c"'  # a quoted header cell with a separator
        lines.append(delimiter.join(names))
    for row, label in zip(values, labels):
        cells = [repr(float(v)) for v in row] + [str(label)]
        if delimiter == ";" and rng.random() < 0.5:
            cells = [c.replace(".", ",") for c in cells]
        if rng.random() < 0.1:
            cells = [f'"{c}"' for c in cells]
        lines.append(delimiter.join(cells))
        if rng.random() < 0.05:
            lines.append("")
    return newline.join(lines) + (newline if rng.random() < 0.7 else "")


def _edge(rng, path):
    how = int(rng.integers(5))
    if how == 0:  # columns at and past the limit
        width = datasets.MAX_CSV_COLUMNS + int(rng.integers(-1, 2))
        row = ",".join(["1"] * width)
        path.write_text(row + "\n" + row.replace("1", "0", 1) + "\n")
    elif how == 1:  # a row longer than any
        path.write_text("1," * int(rng.integers(400_000, 600_000)))
    elif how == 2:  # a quoted cell with many line breaks
        path.write_text('"' + "\n" * int(rng.integers(1, 50_000)) + '",1\n1,2\n3,4\n')
    elif how == 3:  # rows at and past the limit
        rows = datasets.MAX_CSV_ROWS + int(rng.integers(-1, 2))
        path.write_bytes(b"x,y\n" + b"1,0\n2,1\n" * (rows // 2) + b"3,1\n" * (rows % 2))
    else:  # blank lines, then data
        path.write_text("\n" * int(rng.integers(0, 100_000)) + "1,0\n2,1\n")


# --------------------------------------------------------------------------- outcomes

_EXPERIMENT_REASONS = [
    ("compressed", "compressed member"), ("members Costscape", "zip directory too large"),
    ("too large to open", "too large"), ("not a Costscape experiment", "not an experiment"),
    ("not a file Costscape wrote", "not an experiment"), ("newer Costscape", "newer format"),
    ("is empty", "empty"), ("damaged or incomplete", "damaged zip"),
    ("Python objects", "objects refused unread"), ("incomplete: it has no", "missing array"),
    ("settings are not valid", "invalid settings"), ("do not fit", "parts do not fit"),
    ("is cut short", "damaged array"), ("wrong length", "damaged array"),
    ("claims", "damaged sizes"), ("cost history", "damaged history"),
    ("capacity", "bad capacity"), ("stride", "bad stride"), ("expected a whole number",
                                                             "count out of range"),
    ("the file is damaged", "damaged content"),
]
_CSV_REASONS = [
    ("data rows.", "too many rows"), ("columns; Costscape", "too many columns"),
    ("longer than", "row too long"), ("not a number", "not a number"), ("is empty", "empty cell"),
    ("not finite", "not finite"), ("too large", "value too large"), ("cells but row", "ragged"),
    ("binary", "binary"), ("UTF-16 text without", "UTF-16 without BOM"), ("text; save", "encoding"),
    ("label", "labels do not fit the task"), ("file is empty", "empty file"),
    ("only a header", "header only"), ("2 columns", "one column"), ("2 data rows", "one row"),
    ("cannot split", "cannot split"), ("larger than", "file too large"),
]


def _reason(message, table) -> str:
    return next((kind for key, kind in table if key in message), "other reason")


def open_experiment(path) -> str:
    try:
        trainer = experiment.load(path)
    except experiment.ExperimentError as err:
        if "unexpected" in err.reason:
            return f"BUG: caught {err.reason[:60]}"
        return f"refused: {_reason(err.reason, _EXPERIMENT_REASONS)}"
    try:  # what an opened file does once trained: steps, or says it diverged
        with np.errstate(all="ignore"):
            trainer.step(3)
            trainer.metrics()
    except DivergenceError:
        return "opened, then diverged"
    return "opened, then trained"


def open_csv(path) -> str:
    try:
        preview = datasets.preview_csv(path)
        assert len(preview.rows) == len(preview.row_numbers) <= 10
    except datasets.DataError:
        pass
    try:
        data = datasets.load_csv(path)
    except datasets.DataError as err:
        return f"refused: {_reason(err.reason, _CSV_REASONS)}"
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()
    assert data.n_features <= datasets.MAX_CSV_COLUMNS - 1
    assert len(data.X) <= datasets.MAX_CSV_ROWS
    return f"loaded ({data.task})"


def run_case(opener, path, max_seconds=MAX_SECONDS) -> tuple:
    """(outcome, seconds, peak bytes traced) of ``opener(path)``: the outcome becomes
    ``"SLOW ..."`` or ``"MEMORY ..."`` past ``max_seconds`` or :data:`MAX_BYTES`, and
    ``"BUG: <exception>"`` when anything but the documented error escapes."""
    tracemalloc.reset_peak()
    start = time.perf_counter()
    try:
        outcome = opener(path)
    except Exception as err:  # noqa: BLE001 - exactly what the fuzzer looks for
        outcome = f"BUG: {type(err).__name__}: {str(err)[:80]}"
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    if seconds > max_seconds:
        outcome = f"SLOW ({seconds:.1f} s): {outcome}"
    if peak > MAX_BYTES:
        outcome = f"MEMORY ({peak / 2**20:.0f} MB): {outcome}"
    return outcome, seconds, peak


def is_failure(outcome) -> bool:
    return outcome.startswith(("BUG", "SLOW", "MEMORY"))


class Tally:
    """Counts of outcomes, by reader and by kind of case; the slowest and largest cases."""

    def __init__(self):
        self.counts = collections.Counter()
        self.kinds = collections.Counter()
        self.failures = []
        self.slowest = (0.0, "")
        self.largest = (0, "")
        self.cases = 0

    def add(self, reader, kind, outcome, seconds, peak, seed):
        self.cases += 1
        self.counts[(reader, outcome)] += 1
        self.kinds[(reader, kind)] += 1
        label = f"{reader} {kind} #{seed}"
        self.slowest = max(self.slowest, (seconds, label))
        self.largest = max(self.largest, (peak, label))
        if is_failure(outcome):
            self.failures.append((label, outcome))

    def report(self) -> str:
        lines = [f"{self.cases:,} cases"]
        for reader in ("experiment", "csv"):
            total = sum(n for (r, _), n in self.counts.items() if r == reader)
            kinds = ", ".join(f"{kind} {n:,}" for (r, kind), n in sorted(self.kinds.items())
                              if r == reader)
            lines.append(f"{reader}: {total:,} cases ({kinds})")
            for (r, outcome), n in sorted(self.counts.items(), key=lambda item: -item[1]):
                if r == reader:
                    lines.append(f"  {n:7,}  {outcome}")
        lines.append(f"slowest case {self.slowest[0]:.2f} s ({self.slowest[1]}); most memory "
                     f"{self.largest[0] / 2**20:.1f} MB traced ({self.largest[1]})")
        lines.append(f"failures (bug, slow or memory): {len(self.failures)}")
        lines += [f"  {label}: {outcome}" for label, outcome in self.failures[:20]]
        return "\n".join(lines)


def run(seed, cases, folder, tally=None, deadline=math.inf) -> Tally:
    """Run ``cases`` cases (or until ``deadline``, a ``time.monotonic()``), alternating the
    two readers, from ``seed``; files go to ``folder``."""
    tally = tally or Tally()
    bases = make_bases(folder)
    started = tracemalloc.is_tracing()
    if not started:
        tracemalloc.start()
    try:
        for i in range(cases):
            if time.monotonic() > deadline:
                break
            case_seed = seed * 1_000_003 + i
            rng = np.random.default_rng(case_seed)
            if i % 2 == 0:
                path = folder / "case.costscape"
                kind = experiment_case(rng, bases, path)
                outcome, seconds, peak = run_case(open_experiment, path)
                tally.add("experiment", kind, outcome, seconds, peak, case_seed)
            else:
                path = folder / "case.csv"
                kind = csv_case(rng, path)
                outcome, seconds, peak = run_case(
                    open_csv, path, EDGE_SECONDS if kind == "edge" else MAX_SECONDS)
                tally.add("csv", kind, outcome, seconds, peak, case_seed)
    finally:
        if not started:
            tracemalloc.stop()
    return tally
