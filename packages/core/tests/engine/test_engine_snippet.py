"""The foundation issue's snippet, exactly as Chainer 7 runs it."""

import numpy as np

import kusari
from kusari import Variable


def test_snippet_runs_like_chainer():
    x = Variable(np.array([5], dtype=np.float32))
    y = x**2 - 2 * x + 1
    np.testing.assert_array_equal(y.array, [16.0])
    assert type(y.creator).__name__ == "AddConstant"
    assert type(y.creator).__module__ == "kusari.functions.math.basic_math"
    y.backward()
    np.testing.assert_array_equal(x.grad, [8.0])
    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(z.grad, [-1.0])
    np.testing.assert_array_equal(x.grad, [16.0])  # leaf gradients accumulate
    assert x.grad.dtype == np.float32


def test_tutorial_multidimensional_backward():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(x.grad, [[0, 2, 4], [6, 8, 10]])


def test_dive_into_chainer_forward_example():
    def forward(x):
        z = 2 * x
        y = x**2 - z + 1
        return y, z

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y, z = forward(x)
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(x.grad, 2 * x.array - 2)
    np.testing.assert_array_equal(z.grad, -np.ones((2, 3)))


def test_top_level_surface():
    for name in [
        "Variable",
        "Parameter",
        "FunctionNode",
        "Function",
        "backward",
        "grad",
        "config",
        "using_config",
        "no_backprop_mode",
        "force_backprop_mode",
        "report",
        "Reporter",
        "report_scope",
        "Summary",
        "DictSummary",
        "get_device",
        "as_variable",
        "as_array",
        "print_runtime_info",
        "global_config",
    ]:
        assert hasattr(kusari, name), name
