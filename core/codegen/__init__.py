"""The code behind the run: a standalone numpy script that reproduces a training run.

:func:`generate_script` turns a :class:`~core.config.Config` into the text of a Python script
that needs nothing but numpy and that a learner reads top to bottom::

    # ===== 1. Data =====
    # ===== 2. Initial weights =====
    # ===== 3. Forward pass =====
    # ===== 4. The cost function (mean loss over the examples + regularization) =====
    # ===== 5. Its derivative: the delta backpropagation starts from =====
    # ===== 6. Backpropagation =====
    # ===== 7. The update (<optimizer>) =====
    # ===== 8. Training loop =====

Only the code this configuration uses is emitted: its activations, its loss, its optimizer, its
regularization, and its input features (:mod:`core.features`, computed from the raw inputs at
the end of section 1, after which ``X_train`` holds the network's inputs). The script does the
same arithmetic as :class:`~core.trainer.Trainer` (same initial-weight draws, same shuffling
stream, same fused output deltas, same clipping), so after hundreds of steps its cost equals
the app's to about 1e-12; it ends by printing ``final train cost: <repr of the float>``.

Data: up to :data:`EMBED_LIMIT` examples are written into the script as literal arrays (``repr``
of a float round-trips exactly); a larger built-in data set is made by the app's own generator
code, copied from :mod:`core.datasets.generators`, with the same seed. Data passed in (a CSV
file, points a learner drew) are always embedded; their test rows only when the total stays
within the limit.

>>> from core.config import Config
>>> text = generate_script(Config(dataset="xor_table", hidden_layers=(4,), loss="mse"))
>>> "# ===== 4. The cost function" in text
True

The functions the script shows are real Python copied with ``inspect.getsource``: the
activations, losses and optimizers from :mod:`core.codegen.snippets` (written for the script's
reader and checked against core by tests), the initializers from :mod:`core.initializers` and
the data generators from :mod:`core.datasets.generators`.

=============  ================================================================================
module         what it writes
=============  ================================================================================
``script``     :func:`generate_script`: the header, then the sections in order
``plan``       nothing: what a script needs to know about the run (:class:`~plan.Plan`)
``data``       section 1, the data
``model``      sections 2 and 3, the initial weights and the forward pass
``training``   sections 4 to 8, cost, derivative, backpropagation, update, loop
``text``       literals, the banners, and :class:`~text.Copier`, which copies real functions
``snippets``   the activations, losses and optimizers as the script shows them
=============  ================================================================================
"""
from core.codegen.plan import EMBED_LIMIT, EXTRA_PARAMS
from core.codegen.script import generate_script
from core.codegen.text import BANNERS, LINE_WIDTH

#: The modules whose source the scripts copy; a frozen app must bundle their .py files
#: (packaging/costscape.spec, ``module_collection_mode``).
SOURCE_MODULES = ("core.codegen.snippets", "core.datasets.generators", "core.initializers")

__all__ = ["BANNERS", "EMBED_LIMIT", "EXTRA_PARAMS", "LINE_WIDTH", "SOURCE_MODULES",
           "generate_script"]
