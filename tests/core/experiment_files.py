"""What the experiment-file tests share: two runs' settings, a trained run, and a file's header
and arrays read and written independently of ``core.experiment``."""
import json

import numpy as np

from core.config import Config
from core.trainer import Trainer

ADAM = Config(dataset="spiral", n_samples=200, hidden_layers=(5, 3), optimizer="adam",
              learning_rate=0.01, batch_size=7, seed=3)
TINY = Config(dataset="xor_table", hidden_layers=(2,), optimizer="momentum", batch_size=3)


def trained(config=ADAM, steps=137, **kwargs):
    trainer = Trainer(config, **kwargs)
    trainer.step(steps)
    return trainer


def contents(path):
    """The file's header dict and arrays, read independently of core.experiment."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    return json.loads(arrays.pop("header").tobytes().decode("utf-8")), arrays


def write(path, header, arrays):
    blob = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, header=blob, **arrays)
