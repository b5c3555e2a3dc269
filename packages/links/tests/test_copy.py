"""copy(mode) and repeat(n, mode): what is shared and what is fresh."""

from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.links as L


def _model():
    np.random.seed(0)
    model = kusari.Chain(fc=L.Linear(3, 4), lazy=L.Linear(None, 2), bn=L.BatchNormalization(4))
    model.fc.W.grad = np.ones((4, 3), np.float32)
    model.name = "root"
    return model


def test_share_copies_objects_but_shares_arrays():
    model = _model()
    other = model.copy()
    assert other is not model and other.name is None
    assert other.fc is not model.fc and other.fc.name == "fc"
    assert other.fc.W is not model.fc.W
    assert other.fc.W.array is model.fc.W.array
    assert other.fc.W.grad is None and model.fc.W.grad is not None
    assert other.bn.avg_mean is model.bn.avg_mean  # persistents are shared too
    model.fc.W.array[...] = 5
    assert (other.fc.W.array == 5).all()
    assert other.lazy.W.array is None
    assert [n for n, _ in other.namedparams()] == [n for n, _ in model.namedparams()]


def test_share_copy_of_lazy_params_initializes_independently():
    model = _model()
    other = model.copy("share")
    other.lazy(np.ones((1, 5), np.float32))
    assert other.lazy.W.shape == (2, 5) and model.lazy.W.array is None


def test_copy_is_deep():
    model = _model()
    other = model.copy("copy")
    np.testing.assert_array_equal(other.fc.W.array, model.fc.W.array)
    assert other.fc.W.array is not model.fc.W.array
    np.testing.assert_array_equal(other.fc.W.grad, model.fc.W.grad)
    other.fc.W.array[...] = 0
    assert not (model.fc.W.array == 0).all()
    assert other.bn.avg_mean is not model.bn.avg_mean
    assert other.name is None and other.fc.name == "fc"


def test_init_redraws_initialized_params():
    model = _model()
    other = model.copy("init")
    assert other.fc.W.shape == model.fc.W.shape
    assert not np.allclose(other.fc.W.array, model.fc.W.array)
    np.testing.assert_array_equal(other.fc.b.array, np.zeros(4))  # bias initializer: zero
    assert other.lazy.W.array is None
    # The initializer (LeCunNormal) survives the copy: its scale matches.
    assert 0.2 < other.fc.W.array.std() < 1.2


def test_bad_mode():
    with pytest.raises(ValueError, match="mode must be 'share', 'copy' or 'init'; got 'deep'"):
        L.Linear(2, 2).copy("deep")
    with pytest.raises(ValueError, match="mode must be 'init', 'copy' or 'share'"):
        L.Linear(2, 2).repeat(2, "deep")


@pytest.mark.parametrize("mode", ["init", "copy", "share"])
def test_repeat(mode):
    np.random.seed(1)
    block = L.Linear(3, 3)
    net = block.repeat(3, mode)
    assert isinstance(net, L.Sequential) and len(net) == 3
    assert [lk.name for lk in net.children()] == ["0", "1", "2"]
    assert all(lk is not block for lk in net)
    same = [np.array_equal(lk.W.array, block.W.array) for lk in net]
    shared = [lk.W.array is block.W.array for lk in net]
    assert all(same) == (mode != "init")
    assert all(shared) == (mode == "share")
    assert net(np.ones((2, 3), np.float32)).shape == (2, 3)


def test_repeat_zero_times_is_empty():
    assert len(L.Linear(2, 2).repeat(0)) == 0
