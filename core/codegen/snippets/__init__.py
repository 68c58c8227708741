"""The functions a generated script shows, as real Python that :mod:`core.codegen` copies.

Each module holds plain numpy functions written for the learner who reads the script: a formula
in every docstring, the same arithmetic as :mod:`core` (so the script reproduces the app's run
to rounding), and nothing but numpy. :mod:`core.codegen` copies the ones a run uses with
``inspect.getsource``, together with the module's own definitions they call, and renames a few
(``mse_loss`` becomes ``loss``, ``adam_update`` becomes ``update``) so the script reads the same
for every choice.

=================  ========================================================================
module             functions, for every name in the core registry
=================  ========================================================================
``activations``    ``<name>(z)`` and ``<name>_backward(grad_a, z, a)``
``losses``         ``<name>_loss``, ``<name>_cost_derivative`` (and ``rmse_cost``), and the
                   fused ``<activation>_<loss>_output_delta`` of ``Network.FUSED``
``optimizers``     ``<name>_update(params, grads, <state arrays>[, t])``
=================  ========================================================================

The initial weights come from :mod:`core.initializers` itself and the generated data from
:mod:`core.datasets.generators`. ``tests/core/test_codegen_snippets.py`` checks every function
here against core's own implementation.
"""
