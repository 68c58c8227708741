"""What a generated script needs to know about one run: its settings, data and choices."""
from __future__ import annotations

import numpy as np

from core import activations, features, losses
from core.config import OWN_DATA, Config
from core.network import Network

#: Most examples (train + test) written into the script as literal arrays.
EMBED_LIMIT = 600
#: The learnable activations and the parameter lists each adds to ``Ws`` and ``bs``. The script
#: shows them in hidden layers (their own parameters learn beside W and b), not as the output
#: layer's.
EXTRA_PARAMS = {"prelu": ("slopes",), "maxout": ("Ws_2", "bs_2")}


class Plan:
    """The run a script repeats: ``config``, its data and ``steps``, and what follows from them.

    Raises ValueError for what the script cannot show (see ``generate_script``).
    """

    def __init__(self, config: Config, data, steps):
        if config.output_activation in EXTRA_PARAMS:
            raise ValueError(
                f"the code view shows {activations.get(config.output_activation).display_name} "
                f"in hidden layers, not as the output layer's activation: choose another "
                f"output activation to see this run's code")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be a whole number >= 0, not {steps!r}")
        self.config, self.steps = config, int(steps)
        self.custom = data is not None or config.dataset in OWN_DATA
        if data is None:
            from core.trainer import load_data  # the trainer's rule for which data a config names
            data = load_data(config)
        self.data = data
        self.loss = losses.get(config.loss)
        self.n_out = data.n_classes if data.task == "multiclass" else 1
        try:
            features.check(config.features, data.n_features)
        except ValueError as err:
            raise ValueError(f"features: {err}") from None
        self.features = config.features
        self.n_inputs = len(config.features) if config.features else data.n_features
        self.sizes = (self.n_inputs, *config.hidden_layers, self.n_out)
        self.one_hot = data.task == "multiclass" and not self.loss.sparse
        self.hidden = config.activation if config.hidden_layers else None
        self.output = config.output_activation
        #: Names of the parameter lists beside Ws and bs (a learnable hidden activation's).
        self.extra = EXTRA_PARAMS.get(self.hidden, ())
        #: Whether backpropagation starts from the loss itself instead of its derivative (the
        #: mistake of the classic XOR code, ``Config.classic_mistake``).
        self.mistake = config.classic_mistake
        #: Whether the output delta is the fused (ŷ − y)/n of this output activation and loss.
        self.fused = (self.output, self.loss.name) in Network.FUSED and not self.mistake
        rate = config.reg_rate
        self.regularization = config.regularization if rate > 0 else "none"
        n_train, n_test = len(data.X_train), len(data.X_test)
        self.generated = not self.custom and n_train + n_test > EMBED_LIMIT
        self.with_test = self.generated or n_train + n_test <= EMBED_LIMIT
