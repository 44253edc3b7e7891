"""The learned answer step's parameters: one JSON file, written by ``python -m evaluation.train_answers``
(``make train-answers``), read here once.

It holds models over named features: ``chooser`` ranks the candidate spans of
sentences of one question (``search_app.answer.sentences``); ``confidence``, a
logistic regression over the best candidate's features, gives the probability
that the chosen answer holds the fact asked for, and below ``gate`` no answer
is given; ``highlight`` (a small MLP) ranks the exact fact's candidates
(``search_app.answer.fact``). Serving needs numpy only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

#: The shipped parameters (package data).
MODEL_FILE = Path(__file__).with_name("answer_model.json")


@dataclass(frozen=True)
class Linear:
    """A linear function of named features, standardised: ``bias + sum(w * (x - mean) / scale)``."""

    names: tuple[str, ...]
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    bias: float

    def raw(self, rows: np.ndarray) -> np.ndarray:
        """The linear score of each row of features (in the order of ``names``)."""
        return self.bias + ((rows - self.mean) / self.scale) @ self.weights

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The logistic of ``raw``."""
        return 1.0 / (1.0 + np.exp(-self.raw(rows)))

    def as_dict(self) -> dict:
        """The JSON shape."""
        return {"names": list(self.names), "weights": self.weights.tolist(), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: dict) -> Linear:
        """Read the JSON shape."""
        return cls(tuple(data["names"]), np.asarray(data["weights"], dtype=np.float64),
                   np.asarray(data["mean"], dtype=np.float64), np.asarray(data["scale"], dtype=np.float64),
                   float(data["bias"]))


@dataclass(frozen=True)
class Mlp:
    """A linear function of named features plus one hidden layer of rectified units, standardised as ``Linear``:
    ``linear(z) + sum(out * relu(hidden @ z + hidden_bias))`` with ``z = (x - mean) / scale``."""

    names: tuple[str, ...]
    linear: Linear
    hidden: np.ndarray
    hidden_bias: np.ndarray
    out: np.ndarray

    def raw(self, rows: np.ndarray) -> np.ndarray:
        """The score of each row of features (in the order of ``names``)."""
        z = (rows - self.linear.mean) / self.linear.scale
        hidden = np.maximum(z @ self.hidden.T + self.hidden_bias, 0.0)
        return self.linear.bias + z @ self.linear.weights + hidden @ self.out

    def as_dict(self) -> dict:
        """The JSON shape."""
        return {**self.linear.as_dict(), "kind": "mlp", "hidden": self.hidden.tolist(),
                "hidden_bias": self.hidden_bias.tolist(), "out": self.out.tolist()}


def scorer_from_dict(data: dict) -> Linear | Mlp:
    """A ``Linear`` or an ``Mlp`` (``"kind": "mlp"``) from its JSON shape."""
    linear = Linear.from_dict(data)
    if data.get("kind") != "mlp":
        return linear
    return Mlp(linear.names, linear, np.asarray(data["hidden"], dtype=np.float64),
               np.asarray(data["hidden_bias"], dtype=np.float64), np.asarray(data["out"], dtype=np.float64))


@dataclass(frozen=True)
class AnswerModel:
    """The chooser, the confidence model, and where they come from."""

    chooser: Linear | Mlp
    confidence: Linear
    #: The file's name and the first 12 hex digits of its SHA-256 (what ``make eval`` records).
    source: str
    #: The confidence model's probability below which no answer is given (None: the coverage alone decides).
    gate: float | None = None
    #: The exact fact's scorer over ``search_app.answer.fact.candidates.FEATURES`` (None: the profile's weights).
    highlight: Linear | Mlp | None = None


@lru_cache(maxsize=4)
def answer_model(path: Path = MODEL_FILE) -> AnswerModel:
    """The parameters in ``path`` (the shipped file by default)."""
    raw = path.read_bytes()
    data = json.loads(raw)
    source = f"{path.name} sha256:{hashlib.sha256(raw).hexdigest()[:12]}"
    highlight = scorer_from_dict(data["highlight"]) if "highlight" in data else None
    return AnswerModel(scorer_from_dict(data["chooser"]), Linear.from_dict(data["confidence"]), source,
                       data.get("gate"), highlight)
