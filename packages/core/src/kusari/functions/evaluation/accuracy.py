"""``accuracy``, ``binary_accuracy`` and ``r2_score``: metrics, not differentiable.

Each returns a Variable outside the graph (``requires_grad=False``) holding a scalar in
the prediction's dtype, ready for ``kusari.report``.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.functions._checks import array_of, check_labels, require_float
from kusari.variable import Variable

__all__ = ["accuracy", "binary_accuracy", "r2_score"]


def accuracy(y: Any, t: Any, ignore_label: int | None = None) -> Variable:
    """Fraction of samples whose highest-scoring class (``argmax`` along axis 1) equals ``t``.

    Args:
        y: Scores of shape ``(N, C, ...)``, floating dtype.
        t: Integer labels of shape ``(N, ...)`` (``y.shape`` without axis 1).
        ignore_label: Samples with this label are left out; with all ignored, 0.

    Returns:
        Variable: A scalar in ``y``'s dtype (not differentiable).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> y = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], np.float32)
        >>> F.accuracy(y, np.array([1, 1, 1], np.int32)).array
        array(0.6666667, dtype=float32)
    """
    y = array_of(y)
    require_float("accuracy", y, "y")
    if y.ndim < 2:
        raise ValueError(f"accuracy: expected y of shape (N, C, ...), got {tuple(y.shape)}")
    t = check_labels("accuracy", t, y.shape[:1] + y.shape[2:], None, ignore_label)
    xp = get_array_module(y)
    hit = y.argmax(axis=1) == t
    if ignore_label is None:
        return Variable(xp.asarray(hit.mean(), dtype=y.dtype), requires_grad=False)
    keep = t != ignore_label
    total = int(keep.sum())
    value = float((hit & keep).sum()) / total if total else 0.0
    return Variable(xp.asarray(value, dtype=y.dtype), requires_grad=False)


def binary_accuracy(y: Any, t: Any) -> Variable:
    """Accuracy of binary predictions ``y >= 0`` (logits) against labels in {0, 1}.

    Labels equal to ``-1`` are ignored.

    Args:
        y: Logits, floating dtype.
        t: Integer labels of ``y``'s shape: 0, 1, or -1 (ignored).

    Returns:
        Variable: A scalar in ``y``'s dtype (not differentiable).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> y = np.array([[-1.0, 2.0], [0.5, -0.5]], np.float32)
        >>> F.binary_accuracy(y, np.array([[0, 1], [0, -1]], np.int32)).array
        array(0.6666667, dtype=float32)
    """
    y = array_of(y)
    require_float("binary_accuracy", y, "y")
    t = check_labels("binary_accuracy", t, tuple(y.shape), 2, -1)
    xp = get_array_module(y)
    keep = t != -1
    count = int(keep.sum())
    hit = ((y >= 0) == (t == 1)) & keep
    value = float(hit.sum()) / count if count else 0.0
    return Variable(xp.asarray(value, dtype=y.dtype), requires_grad=False)


def r2_score(
    pred: Any, true: Any, sample_weight: Any = None, multioutput: str = "uniform_average"
) -> Variable:
    """Coefficient of determination, ``1 - SS_res / SS_tot`` along axis 0.

    Args:
        pred: Predictions of shape ``(N,)`` or ``(N, M)``, floating dtype.
        true: Targets of the same shape and dtype.
        sample_weight: Not supported; must be None.
        multioutput: ``'uniform_average'`` (mean over outputs) or ``'raw_values'``.

    Returns:
        Variable: A scalar, or one score per output with ``'raw_values'``. Outputs whose
        targets are constant score 0.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> t = np.array([1.0, 2.0, 3.0], np.float32)
        >>> F.r2_score(np.array([1.0, 2.0, 4.0], np.float32), t).array
        array(0.5, dtype=float32)
    """
    pred = array_of(pred)
    true = array_of(true)
    require_float("r2_score", pred, "pred")
    if true.dtype != pred.dtype or true.shape != pred.shape:
        raise ValueError(
            f"r2_score: expected true with pred's shape {tuple(pred.shape)} and "
            f"dtype {pred.dtype}, got {tuple(true.shape)} and {true.dtype}"
        )
    if sample_weight is not None:
        raise NotImplementedError("r2_score: sample_weight is not supported")
    if multioutput not in ("uniform_average", "raw_values"):
        raise ValueError(
            f"r2_score: expected multioutput 'uniform_average' or 'raw_values', got {multioutput!r}"
        )
    xp = get_array_module(pred)
    ss_res = ((true - pred) ** 2).sum(axis=0)
    ss_tot = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    safe = xp.where(ss_tot != 0, ss_tot, 1)
    score = xp.where(ss_tot != 0, 1 - ss_res / safe, 0).astype(pred.dtype, copy=False)
    if multioutput == "uniform_average":
        score = xp.asarray(score.mean(), dtype=pred.dtype)
    return Variable(score, requires_grad=False)
