"""Mathematical functions: arithmetic, exponentials, trigonometry, reductions."""

from kusari.functions.math.average import average, mean
from kusari.functions.math.basic_math import absolute, add
from kusari.functions.math.clip import clip
from kusari.functions.math.erf import erf, erfc
from kusari.functions.math.exponential import (
    exp,
    expm1,
    log,
    log1p,
    log2,
    log10,
    rsqrt,
    sqrt,
    square,
)
from kusari.functions.math.identity import identity
from kusari.functions.math.linear_interpolate import linear_interpolate
from kusari.functions.math.logsumexp import logsumexp
from kusari.functions.math.matmul import batch_matmul, matmul
from kusari.functions.math.maximum import maximum, minimum
from kusari.functions.math.minmax import argmax, argmin, max, min
from kusari.functions.math.prod import prod
from kusari.functions.math.rounding import ceil, fix, floor, fmod, sign
from kusari.functions.math.scale import bias, scale
from kusari.functions.math.squared_difference import batch_l2_norm_squared, squared_difference
from kusari.functions.math.sum import cumsum, sum
from kusari.functions.math.trigonometric import (
    arccos,
    arcsin,
    arctan,
    arctan2,
    cos,
    cosh,
    sin,
    sinh,
    tan,
)

__all__ = [
    "absolute",
    "add",
    "arccos",
    "arcsin",
    "arctan",
    "arctan2",
    "argmax",
    "argmin",
    "average",
    "batch_l2_norm_squared",
    "batch_matmul",
    "bias",
    "ceil",
    "clip",
    "cos",
    "cosh",
    "cumsum",
    "erf",
    "erfc",
    "exp",
    "expm1",
    "fix",
    "floor",
    "fmod",
    "identity",
    "linear_interpolate",
    "log",
    "log10",
    "log1p",
    "log2",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "prod",
    "rsqrt",
    "scale",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "squared_difference",
    "sum",
    "tan",
]
