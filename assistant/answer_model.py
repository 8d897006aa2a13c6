"""The fitted answer model: which features it reads (of a passage, of a question), the two
logistic models (is this passage an answer; do the reports answer the question at all) and the
probability below which the reports are taken not to answer. Fit by scripts/fit_answer_model.py
on thousands of questions by other people; shipped as assistant/models/answer_model.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .relevance import Passage

ASKS = ("number", "time", "place", "person", "reason", "manner", "thing", "yesno")

# The features of a passage, in the order the model reads them.
FEATURES = (
    "rank",
    "fused",
    "dense",
    "lexical",
    "meaning",
    "meaning_window",
    "meaning_gap",
    "cover_sentence",
    "cover_passage",
    "cover_chunk",
    "cover_document",
    "missing_max",
    "missing",
    "unmatched_qualifier",
    "unmatched_number",
    "unmatched_name",
    "unmatched_word",
    "absent_name",
    "absent_number",
    "focus",
    "figure",
    "kind",
    "negation",
    "words",
    "source_asked",
    "source_speaks",
) + tuple(f"asks_{a}" for a in ASKS)
# The features of a question: its best passages' probabilities and the best one's evidence.
QUESTION_FEATURES = (
    ("best", "second", "margin", "mean3")
    + tuple(f"top_{f}" for f in FEATURES)
    + ("least_unmatched_qualifier", "least_unmatched_number", "least_unmatched_name", "least_absent_name")
)


@dataclass(frozen=True, slots=True)
class Linear:
    """A logistic model: standardised features, weights, bias."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(standardise(x, self.mean, self.scale) @ self.weights + self.bias)))


def standardise(x: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Features in standard units, cut at ±4: a question unlike those the model was fit on (many
    more names, a longer passage) does not push its answer to an extreme."""
    return np.clip((x - mean) / scale, -4.0, 4.0)


@dataclass(frozen=True, slots=True)
class AnswerModel:
    """The two fitted models and the probability below which the reports are taken not to answer."""

    passage: Linear
    question: Linear
    threshold: float


def load_model(path: Path) -> AnswerModel:
    """The fitted models shipped with the assistant (checked against the features this code computes)."""
    data = json.loads(path.read_text(encoding="utf-8"))

    def linear(d: dict, names: tuple[str, ...]) -> Linear:
        if tuple(d["names"]) != names:
            raise ValueError(f"{path}: fit for other features; run scripts/fit_answer_model.py")
        return Linear(
            names=names,
            mean=np.array(d["mean"]),
            scale=np.array(d["scale"]),
            weights=np.array(d["weights"]),
            bias=float(d["bias"]),
        )

    return AnswerModel(
        passage=linear(data["passage"], FEATURES),
        question=linear(data["question"], QUESTION_FEATURES),
        threshold=float(data["threshold"]),
    )


def answerability(ranked: Sequence[Passage], model: AnswerModel | None) -> float:
    """The probability that the reports answer the question, from its passages (best first)."""
    if not ranked:
        return 0.0
    x = question_features(ranked)
    if model is None:
        return ranked[0].relevance
    return float(model.question.probability(np.array([x]))[0])


def question_features(ranked: Sequence[Passage]) -> list[float]:
    """The question-level features (QUESTION_FEATURES) of passages sorted best first."""
    rel = [p.relevance for p in ranked[:3]] + [0.0, 0.0]
    top3 = ranked[:3]

    def least(name: str) -> float:
        return min(p.feature(name) for p in top3)

    return [
        rel[0],
        rel[1],
        rel[0] - rel[1],
        sum(rel[:3]) / 3,
        *ranked[0].features,
        least("unmatched_qualifier"),
        least("unmatched_number"),
        least("unmatched_name"),
        least("absent_name"),
    ]
