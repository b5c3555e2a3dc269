import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import FunctionNode, Variable
from kusari.gradient_check import check_backward, check_double_backward


class Square(FunctionNode):
    def forward(self, inputs):
        self.retain_inputs((0,))
        return (inputs[0] ** 2,)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (2 * x * grad_outputs[0],)


def test_custom_function_node_first_and_second_order():
    x = Variable(np.array([3.0]))
    (y,) = Square().apply((x,))
    assert y.creator.rank == 1 and y.creator.inputs[0] is x.node
    y.backward(enable_double_backprop=True)
    np.testing.assert_array_equal(x.grad, [6.0])
    gx = x.grad_var
    x.cleargrad()
    gx.backward()
    np.testing.assert_array_equal(x.grad, [2.0])


def test_check_backward_on_custom_node():
    check_backward(lambda x: Square().apply((x,))[0], np.random.rand(3), np.random.rand(3))
    check_double_backward(
        lambda x: Square().apply((x,))[0], np.random.rand(3), np.random.rand(3), np.random.rand(3)
    )


def test_backward_order_by_rank_runs_each_node_once():
    calls = []

    class Counted(FunctionNode):
        def forward(self, inputs):
            return (inputs[0] * 1,)

        def backward(self, indexes, grad_outputs):
            calls.append(self)
            return grad_outputs

    x = Variable(np.ones(2))
    (a,) = Counted().apply((x,))
    b = a * 2
    c = a * 3
    y = b + c  # a's creator must run once, after both b and c contributed
    y.grad = np.ones(2)
    y.backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


def test_diamond_with_same_input_twice():
    x = Variable(np.array([2.0, 3.0]))
    y = x * x + x
    y.grad = np.ones(2)
    y.backward()
    np.testing.assert_array_equal(x.grad, 2 * x.array + 1)


def test_intermediate_grads_dropped_unless_retained():
    x = Variable(np.array([1.0]))
    h = x * 3
    y = h * h
    y.backward()
    assert h.grad is None
    np.testing.assert_array_equal(x.grad, [18.0])


def test_multiple_outputs_with_unused_output():
    class Halves(FunctionNode):
        def forward(self, inputs):
            (x,) = inputs
            return x[:2].copy(), x[2:].copy()

        def backward(self, indexes, grad_outputs):
            g0, g1 = grad_outputs
            parts = [np.zeros(2) if g is None else g.array for g in (g0, g1)]
            return (Variable(np.concatenate(parts)),)

    x = Variable(np.arange(4.0))
    a, b = Halves().apply((x,))
    (a * 2).grad = None
    y = a * 2
    y.grad = np.ones(2)
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 0.0, 0.0])


def test_apply_rejects_python_scalars_and_mixed_dtypes():
    with pytest.raises(TypeError, match="Square: inputs must be Variables or arrays"):
        Square().apply((3.0,))


def test_no_backprop_mode_builds_no_graph():
    x = Variable(np.ones(2, np.float32))
    with kusari.no_backprop_mode():
        y = x * 2
        with kusari.force_backprop_mode():
            z = x * 2
    assert y.creator is None and y.requires_grad
    assert z.creator is not None


def test_constant_inputs_do_not_require_grad():
    y = F.exp(np.zeros(2, np.float32))
    assert y.creator is None and not y.requires_grad


def test_kusari_backward_multiple_outputs():
    x = Variable(np.array([1.0, 2.0]))
    y1 = x * 2
    y2 = x * x
    kusari.backward([y1, y2], [np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(x.grad, 2 + 2 * x.array)
    with pytest.raises(ValueError, match="not a scalar"):
        kusari.backward([x * 1])


def test_grad_does_not_touch_grad_attributes():
    x = Variable(np.array([2.0]))
    y = x**3
    (gx,) = kusari.grad([y], [x])
    np.testing.assert_array_equal(gx.array, [12.0])
    assert x.grad is None
    (gx,) = kusari.grad([y], [x], enable_double_backprop=True)
    (ggx,) = kusari.grad([gx], [x])
    np.testing.assert_array_equal(ggx.array, [12.0])  # 6x


def test_grad_wrt_intermediate_and_set_grad():
    x = Variable(np.array([2.0]))
    h = x * 3
    y = h * h
    gh, gx = kusari.grad([y], [h, x], set_grad=True)
    np.testing.assert_array_equal(gh.array, [12.0])
    np.testing.assert_array_equal(gx.array, [36.0])
    np.testing.assert_array_equal(x.grad, [36.0])


def test_loss_scale_scales_grads_and_marks_leaves():
    x = Variable(np.array([1.0, 2.0], np.float32))
    y = F.sum_to(x * 3, (1,))
    y.backward(loss_scale=8.0)
    np.testing.assert_array_equal(x.grad, [24.0, 24.0])
    assert x._loss_scale == 8.0
    np.testing.assert_array_equal(y.grad, [1.0])


def test_leaf_gradients_are_not_aliased():
    """Two leaves receiving the same gradient array get separate copies."""
    a = Variable(np.ones(2, np.float32))
    b = Variable(np.ones(2, np.float32))
    y = a + b
    y.grad = np.ones(2, np.float32)
    y.backward()
    assert a.grad is not b.grad and a.grad is not y.grad
    a.grad += 1
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])


def test_fast_backward_matches_variable_backward():
    """Ops with backward_arrays give the same gradients as their Variable-level backward."""
    rng = np.random.default_rng(0)
    a0, b0 = rng.random((3, 4)) + 0.5, rng.random((4,)) + 0.5

    def f(a, b):
        return F.matmul(a * b - a / b + a**2 - (2.0 - a), (a + b).T)[1:, [0, 0, 2]].reshape(-1)

    grads = []
    for double in (False, True):
        a, b = Variable(a0.copy()), Variable(b0.copy())
        y = f(a, b)
        y.grad = np.ones(y.shape)
        y.backward(enable_double_backprop=double)
        grads.append((a.grad, b.grad))
    np.testing.assert_allclose(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])


def test_backward_returning_wrong_count_is_clear():
    class Bad(FunctionNode):
        def forward(self, inputs):
            return (inputs[0] * 1,)

        def backward(self, indexes, grad_outputs):
            return grad_outputs[0], grad_outputs[0], grad_outputs[0]

    x = Variable(np.ones(1))
    (y,) = Bad().apply((x,))
    with pytest.raises(ValueError, match="Bad.backward returned 3 gradients"):
        y.backward()


def test_missing_backward_is_clear():
    class NoBackward(FunctionNode):
        def forward(self, inputs):
            return (inputs[0] * 1,)

    x = Variable(np.ones(1))
    (y,) = NoBackward().apply((x,))
    with pytest.raises(NotImplementedError, match="NoBackward: backward is not implemented"):
        y.backward()


def test_debug_mode_detects_nan():
    x = Variable(np.array([-1.0]))
    with kusari.using_config("debug", True), pytest.raises(RuntimeError, match="NaN"):
        F.log(x)


def test_function_hook_sees_forward_and_backward():
    seen = []

    class Hook(kusari.FunctionHook):
        name = "test-hook"

        def forward_postprocess(self, function, in_data):
            seen.append(("f", function.label))

        def backward_postprocess(self, function, in_data, out_grad):
            seen.append(("b", function.label))

    x = Variable(np.ones(1))
    with Hook():
        y = x * 2
        y.backward()
    assert ("f", "_ * 2") in seen and ("b", "_ * 2") in seen
    z = x * 3
    z.backward()
    assert len(seen) == 2


def test_gradient_of_a_reused_weight_accumulates_correctly_and_safely():
    """In-place accumulation inside one pass never touches arrays the user holds."""
    rng = np.random.default_rng(0)
    w = Variable(rng.standard_normal((3, 3)))
    h = Variable(rng.standard_normal((1, 3)))
    x0 = h
    for _ in range(6):  # w used at six "time steps"
        h = F.matmul(h, w) * 0.5
    y = F.sum_to(h, (1, 1))
    y.backward()
    first = w.grad
    snapshot = first.copy()
    # reference: the same graph with double backprop (no in-place path)
    w2 = Variable(w.array.copy())
    h2 = Variable(x0.array.copy())
    for _ in range(6):
        h2 = F.matmul(h2, w2) * 0.5
    F.sum_to(h2, (1, 1)).backward(enable_double_backprop=True)
    np.testing.assert_allclose(first, w2.grad, rtol=1e-12)
    # a second backward adds to the grad without writing into the array we hold
    y2 = F.sum_to(F.matmul(x0, w), (1, 1))
    y2.backward()
    np.testing.assert_array_equal(first, snapshot)
    np.testing.assert_allclose(w.grad, snapshot + np.repeat(x0.array.T, 3, axis=1))
