"""Fuzzing both file readers: a few hundred random hostile cases, each opened as the app would.

Every case must end in one of the documented outcomes (opened, or refused with the reader's
own error), within :data:`fuzzcases.MAX_SECONDS` and :data:`fuzzcases.MAX_BYTES`; a
counterexample names its seed, which ``bench/fuzz_files.py --replay SEED`` runs again. The
same cases run for minutes in ``bench/fuzz_files.py``.
"""
import os

import fuzzcases

SEED = int(os.environ.get("COSTSCAPE_FUZZ_SEED", "20"))
CASES = 240


def test_random_hostile_files_end_in_documented_outcomes(tmp_path):
    tally = fuzzcases.run(SEED, CASES, tmp_path)
    print(tally.report())
    assert tally.cases == CASES
    assert not tally.failures, tally.report()
    # Both readers were reached past their first checks: some cases open, some are refused.
    outcomes = {outcome for _, outcome in tally.counts}
    assert any(o.startswith("opened") for o in outcomes)
    assert any(o.startswith("loaded") for o in outcomes)
    assert len([o for o in outcomes if o.startswith("refused")]) >= 15
