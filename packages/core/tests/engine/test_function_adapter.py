import numpy as np
import pytest

import kusari
from kusari import Function, Variable


class MulAdd(Function):
    """Old-style: forward and backward on arrays, as in Chainer v1 tutorials."""

    def forward(self, inputs):
        x, y, z = inputs
        return (x * y + z,)

    def backward(self, inputs, grad_outputs):
        x, y, z = inputs
        (gw,) = grad_outputs
        return y * gw, x * gw, gw


class CpuOnly(Function):
    def forward_cpu(self, inputs):
        return (inputs[0] * 3,)

    def backward_cpu(self, inputs, grad_outputs):
        return (grad_outputs[0] * 3,)


def test_old_style_function_forward_backward():
    x = Variable(np.array([1.0, 2.0]))
    y = Variable(np.array([3.0, 4.0]))
    z = Variable(np.array([5.0, 6.0]))
    w = MulAdd()(x, y, z)
    np.testing.assert_array_equal(w.array, [8.0, 14.0])
    assert w.creator.label == "MulAdd"
    w.grad = np.ones(2)
    w.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    np.testing.assert_array_equal(y.grad, [1.0, 2.0])
    np.testing.assert_array_equal(z.grad, [1.0, 1.0])


def test_forward_cpu_dispatch():
    x = Variable(np.array([1.0]))
    y = CpuOnly()(x)
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0])


def test_double_backprop_through_old_style_function_is_a_clear_error():
    x = Variable(np.array([1.0, 2.0]))
    y = CpuOnly()(x * x)
    y.grad = np.ones(2)
    y.backward(enable_double_backprop=True)
    with pytest.raises(RuntimeError, match="differentiable only once"):
        x.grad_var.grad = np.ones(2)
        x.grad_var.backward()


def test_function_inputs_outputs_properties():
    f = CpuOnly()
    x = Variable(np.array([1.0]))
    f(x)
    assert f.inputs[0] is x.node and len(f.outputs) == 1 and f.rank == 1
    assert kusari.Function is Function
