"""kusari: define-by-run deep learning, Chainer's programming model on a modern body.

``import kusari`` gives the core surface (Variable, FunctionNode, backward, config,
reporting, devices). Names other distributions provide (``kusari.Chain``,
``kusari.optimizers``, ``kusari.training``, …) resolve lazily and, when their
distribution is missing, raise an ImportError that says what to install.

Example:
    >>> import numpy as np
    >>> import kusari
    >>> x = kusari.Variable(np.array([5], dtype=np.float32))
    >>> y = x**2 - 2 * x + 1
    >>> y.backward()
    >>> x.grad
    array([8.], dtype=float32)
"""

from pkgutil import extend_path

# Other kusari distributions (links, optimizers, training) install their subpackages
# into this namespace, possibly from other sys.path entries (editable installs).
__path__ = extend_path(__path__, __name__)

from typing import Any

from kusari import _lazy
from kusari._version import __version__
from kusari.backend import get_device, get_device_from_array, using_device
from kusari.configuration import (
    config,
    force_backprop_mode,
    get_dtype,
    global_config,
    is_debug,
    no_backprop_mode,
    set_debug,
    using_config,
)
from kusari.function import Function, FunctionAdapter
from kusari.function_node import FunctionHook, FunctionNode, backward, grad
from kusari.reporter import (
    DictSummary,
    Reporter,
    Summary,
    get_current_reporter,
    report,
    report_scope,
)
from kusari.variable import Parameter, Variable, VariableNode, as_array, as_variable

_lazy.install_missing_module_hint()

__all__ = [
    "__version__",
    "Variable",
    "VariableNode",
    "Parameter",
    "as_variable",
    "as_array",
    "FunctionNode",
    "Function",
    "FunctionAdapter",
    "FunctionHook",
    "backward",
    "grad",
    "config",
    "global_config",
    "using_config",
    "no_backprop_mode",
    "force_backprop_mode",
    "get_dtype",
    "is_debug",
    "set_debug",
    "Reporter",
    "report",
    "report_scope",
    "get_current_reporter",
    "Summary",
    "DictSummary",
    "get_device",
    "get_device_from_array",
    "using_device",
    "print_runtime_info",
]
# The lazily resolved names (kusari.Chain, kusari.optimizers, …) stay out of __all__ so
# that `from kusari import *` works with any subset of distributions installed.


def print_runtime_info(out: Any = None) -> None:
    """Print versions of Python, NumPy, the kusari distributions and the backends."""
    from kusari._runtime_info import print_runtime_info as _print

    _print(out)


def __getattr__(name: str) -> Any:
    return _lazy.resolve(__import__(__name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_lazy.LAZY_NAMES))
