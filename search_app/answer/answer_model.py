"""The learned answer step's parameters: one JSON file, written by ``python -m evaluation.train_answers``
(``make train-answers``), read here once.

It holds two linear models over named features: ``chooser`` ranks the
candidate spans of sentences of one question (``search_app.answer.sentences``),
and ``confidence``, a logistic regression over the best candidate's features,
gives the probability that the chosen answer holds the fact asked for (trained
and reported by the training script; not yet what ``ask`` decides with). Serving
needs numpy only.
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
class AnswerModel:
    """The chooser, the confidence model, and where they come from."""

    chooser: Linear
    confidence: Linear
    #: The file's name and the first 12 hex digits of its SHA-256 (what ``make eval`` records).
    source: str


@lru_cache(maxsize=4)
def answer_model(path: Path = MODEL_FILE) -> AnswerModel:
    """The parameters in ``path`` (the shipped file by default)."""
    raw = path.read_bytes()
    data = json.loads(raw)
    source = f"{path.name} sha256:{hashlib.sha256(raw).hexdigest()[:12]}"
    return AnswerModel(Linear.from_dict(data["chooser"]), Linear.from_dict(data["confidence"]), source)
