"""Neural Network Playground links: open one as a :class:`~core.config.Config`, or write one.

The Playground (playground.tensorflow.org) keeps its whole state in the link's fragment::

    https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&...

:func:`from_url` reads such a link into the same experiment: its data set, noise, split, batch
size, learning rate, regularization, network shape and input features, and its model, which is
not Costscape's default: a tanh output trained towards the labels −1/+1 with the squared error
(``Config.signed_targets``), weights drawn from U(−0.5, 0.5) and biases 0.1 (``init="uniform"``).
:func:`to_url` writes the link of a config the Playground can express, and raises
:class:`PlaygroundError` saying why for one it cannot.

Two numbers are converted so that each update is the Playground's. Its squared error is
½(ŷ − y)², Costscape's (ŷ − y)², so the gradient here is twice the Playground's: the learning
rate is halved. The Playground then applies the penalty's gradient at the full rate, so the
regularization rate is doubled: ``w −= η/2 · (2·∂E + 2λ·∂R) = η·(∂E + λ·∂R)``. Costs read twice
the Playground's "loss".

>>> config = from_url("https://playground.tensorflow.org/#dataset=xor&learningRate=0.1")
>>> config.dataset, config.learning_rate, config.signed_targets
('xor', 0.05, True)
>>> from_url(to_url(config)) == config
True
"""
from __future__ import annotations

import dataclasses
import math
import re
import urllib.parse
import zlib
from decimal import Decimal

from core.config import MAX_SEED, Config, ConfigError

PLAYGROUND = "https://playground.tensorflow.org/"
#: The Playground's link when it opens (its seed aside).
DEFAULT_LINK = (PLAYGROUND + "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane"
                "&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.00000"
                "&showTestData=false&discretize=false&percTrainData=50&x=true&y=true"
                "&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false"
                "&sinY=false&collectStats=false&problem=classification&initZero=false"
                "&hideText=false")

#: Playground data set -> Costscape's, per problem.
DATASETS = {"circle": "circle", "xor": "xor", "gauss": "gauss", "spiral": "spiral"}
REG_DATASETS = {"reg-plane": "plane", "reg-gauss": "gauss_regression"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = {"none": "none", "L1": "l1", "L2": "l2"}
#: The Playground's inputs in its order (the network's input order) -> core.features names.
FEATURES = {"x": "x1", "y": "x2", "xSquared": "x1^2", "ySquared": "x2^2", "xTimesY": "x1*x2",
            "sinX": "sin_x1", "sinY": "sin_x2"}
#: The Playground draws this many points (train and test together).
N_SAMPLES = {"classification": 500, "regression": 1200}
#: Fields the Playground keeps that change only what it shows (cosX and cosY are in its state
#: but feed no input); they are read and written, never reported as unknown.
DISPLAY_FIELDS = ("showTestData", "discretize", "collectStats", "hideText", "cosX", "cosY")
_BOOLEANS = ("initZero", *FEATURES, *DISPLAY_FIELDS)
#: Every field of the Playground's state (its state.ts), besides the "<control>_hide" ones.
FIELDS = ("activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
          "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
          "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY",
          "sinY", "collectStats", "tutorial", "problem", "initZero", "hideText")
#: The Playground's largest network: 6 hidden layers of at most 8 neurons.
MAX_LAYERS, MAX_NEURONS = 6, 8
#: What a link cannot carry over, said once when one opens.
UNMATCHED = ("Not matched: the Playground's random points and initial weights (its seed drives "
             "another generator), its fixed order of the points (Costscape reshuffles every "
             "epoch), its L1 clipping of weights at 0 and its gauss points beyond [−6, 6]²; "
             "and costs read twice its loss (its squared error has a factor ½).")


class PlaygroundError(ValueError):
    """A Playground link cannot be read, or a config cannot be written as one. The message
    names the field and says what would be valid."""


@dataclasses.dataclass(frozen=True)
class PlaygroundLink:
    """What :func:`read` found in a link.

    Attributes
    ----------
    config : Config
    unknown : tuple of str
        Fields the Playground does not have (reported, not fatal).
    unmatched : str
        One sentence: what of the Playground's run cannot be matched.
    """

    config: Config
    unknown: tuple
    unmatched: str = UNMATCHED


# --------------------------------------------------------------------------- reading
def _fields(url) -> dict:
    """The link's ``name=value`` pairs, from its fragment (or the text itself)."""
    if not isinstance(url, str):
        raise PlaygroundError(f"a Playground link must be text, not {type(url).__name__}")
    text = url.strip()
    if not text:
        raise PlaygroundError("the link is empty")
    if len(text) > 10_000:
        raise PlaygroundError("the link is too long to be a Playground link")
    fragment = text.split("#", 1)[1] if "#" in text else text
    if "#" not in text and "=" not in text:
        host = urllib.parse.urlsplit(text).netloc.lower()
        if host.endswith("playground.tensorflow.org"):
            return {}  # the Playground's own page: its defaults
        raise PlaygroundError("this is not a Playground link: it has no settings after '#' "
                              "(such as #activation=tanh&dataset=circle...)")
    fields = {}
    for pair in fragment.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        fields[urllib.parse.unquote(name).strip()] = urllib.parse.unquote(value).strip()
    return fields


def _number(fields, name, default, low, high, whole=False):
    if name not in fields or fields[name] == "":
        return default
    text = fields[name]
    try:
        value = float(text)
    except ValueError:
        raise PlaygroundError(f"{name} must be a number, not {text!r}") from None
    if not (math.isfinite(value) and low <= value <= high) or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise PlaygroundError(f"{name} must be {kind} from {low:g} to {high:g}; got {text!r}")
    return int(value) if whole else value


def _scaled(fields, name, default, low, high, scale) -> float:
    """Field ``name`` (checked as :func:`_number` does) times ``scale``, computed in decimal
    and rounded once, so that any float :func:`_plain` wrote reads back exactly."""
    _number(fields, name, default, low, high)
    text = fields.get(name) or str(default)
    return float(Decimal(text.strip()) * Decimal(scale))


def _share(fields) -> float:
    if _number(fields, "percTrainData", 50, 0, 100) == 0:
        raise PlaygroundError("percTrainData must be above 0 (the percentage of points to "
                              "train on); got '0'")
    return _scaled(fields, "percTrainData", 50, 0, 100, "0.01")


def _boolean(fields, name, default) -> bool:
    if name not in fields or fields[name] == "":
        return default
    if fields[name] not in ("true", "false"):
        raise PlaygroundError(f"{name} must be true or false, not {fields[name]!r}")
    return fields[name] == "true"


def _choice(fields, name, default, choices):
    value = fields.get(name) or default
    if value not in choices:
        raise PlaygroundError(f"unknown {name} {value!r}; the Playground has: "
                              f"{', '.join(choices)}")
    return value


def _shape(fields) -> tuple:
    text = fields.get("networkShape", "4,2")
    if text.strip() == "":
        return ()
    sizes = []
    for part in text.split(","):
        if not re.fullmatch(r"\s*\d{1,3}\s*", part) or not 1 <= int(part) <= 256:
            raise PlaygroundError(f"networkShape must be layer sizes from 1 to 256 separated by "
                                  f"commas, such as 4,2; got {text!r}")
        sizes.append(int(part))
    if len(sizes) > 8:
        raise PlaygroundError(f"networkShape has {len(sizes)} hidden layers; at most 8 fit")
    return tuple(sizes)


def seed_of(text) -> int:
    """Costscape's seed for the Playground's seed text: ``0.80593`` -> 80593 (the digits after
    ``0.``), whole numbers as they are, any other text a CRC-32 of it."""
    match = re.fullmatch(r"(?:0\.)?(\d{1,10})", text)
    if match and int(match.group(1)) <= MAX_SEED:
        return int(match.group(1))
    return zlib.crc32(text.encode("utf-8"))


def read(url) -> PlaygroundLink:
    """The experiment a Playground link describes, with its unknown fields and what cannot be
    matched. Raises :class:`PlaygroundError` for every bad link."""
    fields = _fields(url)
    known = set(FIELDS)
    unknown = tuple(name for name in fields
                    if name not in known and not name.endswith("_hide"))
    if fields and len(unknown) == len(fields):
        raise PlaygroundError(f"this is not a Playground link: none of its fields "
                              f"({', '.join(unknown[:5])}) is a Playground setting")
    problem = _choice(fields, "problem", "classification", ("classification", "regression"))
    for name in _BOOLEANS:
        _boolean(fields, name, False)
    if problem == "classification":
        dataset = DATASETS[_choice(fields, "dataset", "circle", tuple(DATASETS))]
        _choice(fields, "regDataset", "reg-plane", tuple(REG_DATASETS))
    else:
        _choice(fields, "dataset", "circle", tuple(DATASETS))
        dataset = REG_DATASETS[_choice(fields, "regDataset", "reg-plane", tuple(REG_DATASETS))]
    chosen = tuple(ours for theirs, ours in FEATURES.items()
                   if _boolean(fields, theirs, theirs in ("x", "y")))
    if not chosen:
        raise PlaygroundError("no input feature is on (x, y, xSquared, ...): the network would "
                              "have no inputs")
    regularization = REGULARIZATIONS[_choice(fields, "regularization", "none",
                                             tuple(REGULARIZATIONS))]
    rate = _number(fields, "learningRate", 0.03, 0, math.inf)
    if rate == 0:
        raise PlaygroundError("learningRate must be above 0; got '0'")
    classify = problem == "classification"
    settings = dict(
        dataset=dataset,
        n_samples=N_SAMPLES[problem],
        noise=_scaled(fields, "noise", 0, 0, 100, "0.01"),
        train_fraction=_share(fields),
        seed=seed_of(fields.get("seed") or "0"),
        hidden_layers=_shape(fields),
        activation=_choice(fields, "activation", "tanh", ACTIVATIONS),
        output_activation="tanh" if classify else "linear",
        loss="mse",
        signed_targets=classify,
        optimizer="sgd",
        learning_rate=_scaled(fields, "learningRate", 0.03, 0, math.inf, "0.5"),
        batch_size=_number(fields, "batchSize", 10, 1, 100_000, whole=True),
        regularization=regularization,
        reg_rate=_scaled(fields, "regularizationRate", 0, 0, math.inf, 2),
        init="zeros" if _boolean(fields, "initZero", False) else "uniform",
        features=None if chosen == ("x1", "x2") else chosen,
    )
    try:
        config = Config(**settings)
    except ConfigError as err:  # a value the Playground has but Costscape refuses
        raise PlaygroundError(f"the link's settings do not make a Costscape experiment: "
                              f"{err}") from None
    return PlaygroundLink(config, unknown)


def from_url(url) -> Config:
    """The :class:`Config` of the experiment a Playground link describes.

    Parameters
    ----------
    url : str
        A link such as ``https://playground.tensorflow.org/#activation=tanh&...``, or only its
        fragment. Fields the Playground does not have are ignored (:func:`read` lists them).

    Raises
    ------
    PlaygroundError
        For every link that cannot be read, naming the bad field.
    """
    return read(url).config


# --------------------------------------------------------------------------- writing
def _plain(value, scale) -> str:
    """``value * scale`` as fixed-point text (as the Playground writes numbers) that
    :func:`_scaled` reads back as exactly ``value``: the product is taken in decimal, exactly."""
    text = format(Decimal(repr(float(value))) * Decimal(scale), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _expressible(config) -> None:
    """Raise PlaygroundError naming the first setting the Playground cannot express."""
    c = config
    problem = "regression" if c.task == "regression" else "classification"
    playground = {**DATASETS, **REG_DATASETS}
    checks = [
        (c.dataset in playground.values(), f"the Playground has no {c.dataset!r} data set"),
        (c.n_samples == N_SAMPLES[problem],
         f"the Playground always draws {N_SAMPLES[problem]} points for {problem} (this run "
         f"has {c.n_samples})"),
        (c.activation in ACTIVATIONS, f"the Playground has no {c.activation} activation"),
        (c.loss == "mse", f"the Playground trains with the squared error, not {c.loss}"),
        (c.signed_targets == (problem == "classification"),
         "the Playground's class labels are −1/+1 (signed targets)"),
        (c.output_activation == ("tanh" if problem == "classification" else "linear"),
         "the Playground's output activation is tanh (linear for regression), not "
         f"{c.output_activation}"),
        (c.optimizer == "sgd", f"the Playground trains with plain SGD, not {c.optimizer}"),
        (c.lr_schedule == "constant" and c.warmup_steps == 0,
         "the Playground keeps the learning rate constant (no schedule or warm-up)"),
        (c.init in ("uniform", "zeros"),
         f"the Playground starts from U(−0.5, 0.5) weights (or zeros), not {c.init}"),
        (len(c.hidden_layers) <= MAX_LAYERS and max(c.hidden_layers, default=1) <= MAX_NEURONS,
         f"the Playground has at most {MAX_LAYERS} hidden layers of {MAX_NEURONS} neurons"),
        (c.features is None or list(c.features) == [f for f in FEATURES.values()
                                                     if f in c.features],
         "the Playground feeds its input features in its own order (x1, x2, x1², x2², x1x2, "
         "sin x1, sin x2)"),
    ]
    for ok, reason in checks:
        if not ok:
            raise PlaygroundError(f"the Playground cannot express this run: {reason}")


def to_url(config) -> str:
    """The Playground link of ``config`` (see the module docstring for the two rates).

    Raises
    ------
    PlaygroundError
        When the Playground cannot express the run (another optimizer, loss or data set, a
        network larger than its 6 layers of 8 neurons, ...); the message says which setting.
    """
    if not isinstance(config, Config):
        raise PlaygroundError(f"to_url needs a Config, not {type(config).__name__}")
    _expressible(config)
    c = config
    regression = c.task == "regression"
    dataset = {v: k for k, v in DATASETS.items()}.get(c.dataset, "circle")
    reg_dataset = {v: k for k, v in REG_DATASETS.items()}.get(c.dataset, "reg-plane")
    chosen = c.features or ("x1", "x2")
    regularization = {v: k for k, v in REGULARIZATIONS.items()}[c.regularization]
    pairs = [
        ("activation", c.activation), ("batchSize", str(c.batch_size)),
        ("dataset", dataset), ("regDataset", reg_dataset),
        ("learningRate", _plain(c.learning_rate, 2)),
        ("regularization", regularization),
        ("regularizationRate", _plain(c.reg_rate, "0.5")),
        ("noise", _plain(c.noise, 100)),
        ("networkShape", ",".join(str(n) for n in c.hidden_layers)),
        ("seed", f"0.{c.seed:05d}"),
        ("showTestData", "false"), ("discretize", "false"),
        ("percTrainData", _plain(c.train_fraction, 100)),
        *((theirs, "true" if ours in chosen else "false") for theirs, ours in FEATURES.items()),
        ("cosX", "false"), ("cosY", "false"), ("collectStats", "false"),
        ("problem", "regression" if regression else "classification"),
        ("initZero", "true" if c.init == "zeros" else "false"), ("hideText", "false"),
    ]
    return PLAYGROUND + "#" + "&".join(f"{name}={value}" for name, value in pairs)
