"""Evaluation metrics (not differentiable)."""

from kusari.functions.evaluation.accuracy import accuracy, binary_accuracy, r2_score
from kusari.functions.evaluation.classification_summary import (
    classification_summary,
    f1_score,
    precision,
    recall,
)

__all__ = [
    "accuracy",
    "binary_accuracy",
    "classification_summary",
    "f1_score",
    "precision",
    "r2_score",
    "recall",
]
