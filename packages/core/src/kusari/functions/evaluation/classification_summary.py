"""``classification_summary``, ``precision``, ``recall``, ``f1_score``: per-class metrics.

Not differentiable: every result is a Variable outside the graph. A class that is never
predicted has precision ``nan`` (0/0), one that never occurs has recall ``nan``, as in
Chainer.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.functions._checks import array_of, label_range, require_float
from kusari.variable import Variable

__all__ = ["classification_summary", "precision", "recall", "f1_score"]


def _counts(fname: str, y: Any, t: Any, label_num: int | None, ignore_label: int) -> Any:
    y = array_of(y)
    require_float(fname, y, "y")
    if y.ndim < 2:
        raise ValueError(f"{fname}: expected y of shape (N, C, ...), got {tuple(y.shape)}")
    shape = tuple(y.shape[:1] + y.shape[2:])
    t, lo, hi = label_range(fname, t, shape, label_num, ignore_label)
    if label_num is None:
        label_num = max(hi + 1, 0)
        if lo < 0:  # negative labels must be the ignore_label
            label_range(fname, t, shape, label_num, ignore_label)
    xp = get_array_module(y)
    keep = t != ignore_label
    pred = y.argmax(axis=1)
    t_kept = t[keep]
    pred_kept = pred[keep]
    hit = t_kept[pred_kept == t_kept]
    support = xp.bincount(t_kept, minlength=label_num)[:label_num]
    relevant = xp.bincount(pred_kept, minlength=label_num)[:label_num]
    tp = xp.bincount(hit, minlength=label_num)[:label_num]
    return y.dtype, xp, tp, relevant, support


def _ratio(xp: Any, num: Any, den: Any, dtype: Any) -> Any:
    if xp is numpy:
        with numpy.errstate(divide="ignore", invalid="ignore"):
            return (num / den).astype(dtype)
    return (num / den).astype(dtype)


def _summary(
    fname: str, y: Any, t: Any, label_num: int | None, beta: float, ignore_label: int
) -> tuple[Variable, Variable, Variable, Variable]:
    dtype, xp, tp, relevant, support = _counts(fname, y, t, label_num, ignore_label)
    prec = _ratio(xp, tp, relevant, dtype)
    rec = _ratio(xp, tp, support, dtype)
    b2 = beta * beta
    fbeta = _ratio(xp, (1 + b2) * prec * rec, b2 * prec + rec, dtype)
    return tuple(Variable(a, requires_grad=False) for a in (prec, rec, fbeta, support))


def classification_summary(
    y: Any, t: Any, label_num: int | None = None, beta: float = 1.0, ignore_label: int = -1
) -> tuple[Variable, Variable, Variable, Variable]:
    """Per-class precision, recall, F-beta score and support of argmax predictions.

    Args:
        y: Scores of shape ``(N, C, ...)``, floating dtype.
        t: Integer labels of shape ``(N, ...)``.
        label_num: Number of classes (None: ``max(t) + 1``).
        beta: Weight of recall in the F score.
        ignore_label: Label value left out of every count.

    Returns:
        tuple of Variable: ``(precision, recall, fbeta, support)``, each of shape
        ``(label_num,)``; support counts each label's occurrences.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> y = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], np.float32)
        >>> p, r, f, s = F.classification_summary(y, np.array([0, 1, 1], np.int32))
        >>> p.array, r.array, s.array
        (array([0.5, 1. ], dtype=float32), array([1. , 0.5], dtype=float32), array([1, 2]))
    """
    return _summary("classification_summary", y, t, label_num, beta, ignore_label)


def precision(
    y: Any, t: Any, label_num: int | None = None, ignore_label: int = -1
) -> tuple[Variable, Variable]:
    """Per-class precision ``tp / (tp + fp)`` of argmax predictions, and the support.

    Args:
        y: Scores of shape ``(N, C, ...)``, floating dtype.
        t: Integer labels of shape ``(N, ...)``.
        label_num: Number of classes (None: ``max(t) + 1``).
        ignore_label: Label value left out of every count.

    Returns:
        tuple of Variable: ``(precision, support)``, each of shape ``(label_num,)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> y = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], np.float32)
        >>> F.precision(y, np.array([0, 1, 1], np.int32))[0].array
        array([0.5, 1. ], dtype=float32)
    """
    p, _, _, s = _summary("precision", y, t, label_num, 1.0, ignore_label)
    return p, s


def recall(
    y: Any, t: Any, label_num: int | None = None, ignore_label: int = -1
) -> tuple[Variable, Variable]:
    """Per-class recall ``tp / (tp + fn)`` of argmax predictions, and the support.

    Args:
        y: Scores of shape ``(N, C, ...)``, floating dtype.
        t: Integer labels of shape ``(N, ...)``.
        label_num: Number of classes (None: ``max(t) + 1``).
        ignore_label: Label value left out of every count.

    Returns:
        tuple of Variable: ``(recall, support)``, each of shape ``(label_num,)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> y = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], np.float32)
        >>> F.recall(y, np.array([0, 1, 1], np.int32))[0].array
        array([1. , 0.5], dtype=float32)
    """
    _, r, _, s = _summary("recall", y, t, label_num, 1.0, ignore_label)
    return r, s


def f1_score(
    y: Any, t: Any, label_num: int | None = None, ignore_label: int = -1
) -> tuple[Variable, Variable]:
    """Per-class F1 score (harmonic mean of precision and recall), and the support.

    Args:
        y: Scores of shape ``(N, C, ...)``, floating dtype.
        t: Integer labels of shape ``(N, ...)``.
        label_num: Number of classes (None: ``max(t) + 1``).
        ignore_label: Label value left out of every count.

    Returns:
        tuple of Variable: ``(f1, support)``, each of shape ``(label_num,)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> y = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], np.float32)
        >>> F.f1_score(y, np.array([0, 1, 1], np.int32))[0].array
        array([0.6666667, 0.6666667], dtype=float32)
    """
    _, _, f, s = _summary("f1_score", y, t, label_num, 1.0, ignore_label)
    return f, s
