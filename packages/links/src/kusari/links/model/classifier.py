"""``Classifier``: wrap a predictor with a loss and an accuracy, both reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kusari.functions as F
from kusari.links._chain import Chain
from kusari.links._link import Link
from kusari.reporter import report

__all__ = ["Classifier"]


class Classifier(Chain):
    """A predictor plus a loss: ``loss = lossfun(predictor(x), t)``.

    Calling the classifier with ``(*x, t)`` runs the predictor on ``x``, computes the
    loss against the labels ``t`` and, when :attr:`compute_accuracy` is True, the
    accuracy; both are reported (``main/loss``, ``main/accuracy`` under a trainer).
    The last results stay in ``self.y``, ``self.loss`` and ``self.accuracy``.

    Args:
        predictor: The model (a Link) whose output is compared with the labels.
        lossfun: ``lossfun(y, t)`` (default ``F.softmax_cross_entropy``).
        accfun: ``accfun(y, t)`` (default ``F.accuracy``).
        label_key: Which argument holds the labels: a position (default -1, the last)
            or a keyword name.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> model = L.Classifier(L.Linear(3, 4))
        >>> x = np.ones((2, 3), np.float32)
        >>> t = np.array([0, 3], np.int32)
        >>> loss = model(x, t)
        >>> loss.shape, model.accuracy is not None
        ((), True)
    """

    #: Whether calls compute and report the accuracy.
    compute_accuracy = True

    def __init__(
        self,
        predictor: Link,
        lossfun: Callable[..., Any] | None = None,
        accfun: Callable[..., Any] | None = None,
        label_key: int | str = -1,
    ) -> None:
        if isinstance(label_key, bool) or not isinstance(label_key, (int, str)):
            raise TypeError(
                f"Classifier: label_key must be an int or a str; got "
                f"{type(label_key).__name__} {label_key!r}"
            )
        super().__init__()
        self.lossfun = F.softmax_cross_entropy if lossfun is None else lossfun
        self.accfun = F.accuracy if accfun is None else accfun
        self.y = None
        self.loss = None
        self.accuracy = None
        self.label_key = label_key
        with self.init_scope():
            self.predictor = predictor

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the predictor on the inputs and return the loss against the labels."""
        key = self.label_key
        if isinstance(key, int):
            if not -len(args) <= key < len(args):
                raise ValueError(
                    f"Classifier: label_key={key} is out of range for {len(args)} positional "
                    "arguments\nhelp: call model(x, t), or set label_key to the labels' "
                    "position or keyword"
                )
            t = args[key]
            key %= len(args)
            args = args[:key] + args[key + 1 :]
        else:
            if key not in kwargs:
                raise ValueError(
                    f"Classifier: the label keyword {key!r} is missing; got keywords "
                    f"{sorted(kwargs)}"
                )
            kwargs = dict(kwargs)
            t = kwargs.pop(key)
        self.y = self.loss = self.accuracy = None
        self.y = self.predictor(*args, **kwargs)
        self.loss = self.lossfun(self.y, t)
        report({"loss": self.loss}, self)
        if self.compute_accuracy:
            self.accuracy = self.accfun(self.y, t)
            report({"accuracy": self.accuracy}, self)
        return self.loss
