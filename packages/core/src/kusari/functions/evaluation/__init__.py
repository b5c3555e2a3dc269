"""Evaluation metrics (not differentiable)."""

from kusari.functions.evaluation.accuracy import accuracy, binary_accuracy, r2_score

__all__ = ["accuracy", "binary_accuracy", "r2_score"]
