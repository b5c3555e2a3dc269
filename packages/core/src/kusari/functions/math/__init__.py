"""Mathematical functions."""

from kusari.functions.math.basic_math import absolute, add
from kusari.functions.math.exponential import exp, log, log2, log10
from kusari.functions.math.matmul import batch_matmul, matmul

__all__ = ["absolute", "add", "batch_matmul", "exp", "log", "log2", "log10", "matmul"]
