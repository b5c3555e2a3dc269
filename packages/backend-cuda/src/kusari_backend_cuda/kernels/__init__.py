"""Kernel overrides this plugin contributes through ``kusari_register_kernels``.

kusari functions look a kernel up with ``kusari.backend.get_kernel(name, array)``; for
CuPy arrays they get the entry of :data:`KERNELS` and call it with the arguments their
module docstring documents (repeated here). Functions without an entry run their
generic ``xp`` code on CuPy. Importing this package compiles nothing and does not import
CuPy: every kernel is built on its first call (see ``_base``). Pairs are ``(y, x)``
int tuples; arrays are ``cupy.ndarray``.

Activations and softmax (``F.relu``, ``F.sigmoid``, ``F.tanh``, ``F.softmax``,
``F.log_softmax``, ``F.erf``, ``F.erfc``)
    - ``sigmoid(x) -> y``; ``sigmoid_grad(y, gy) -> gx``, ``tanh_grad(y, gy) -> gx`` and
      ``relu_grad(y, gy) -> gx`` from the activation's output ``y``.
    - ``softmax(x, axis) -> y`` and ``log_softmax(x, axis) -> y``.
    - ``erf(x) -> y``, ``erfc(x) -> y``.

Loss (``F.softmax_cross_entropy``)
    - ``softmax_cross_entropy(x, t, class_weight, ignore_label) -> (loss, prob)``: loss
      of t's shape (0 at ignored labels, weighted by ``class_weight[t]`` when given).
    - ``softmax_cross_entropy_grad(prob, t, coeff, ignore_label) -> gx`` with
      ``gx = (prob - onehot(t)) * coeff[:, None, ...]``.

Noise (``F.dropout``)
    - ``dropout(x, ratio) -> (y, mask)``, mask of 0 and ``1 / (1 - ratio)``.

Normalization (``F.batch_normalization``, ``F.fixed_batch_normalization``)
    - ``batch_normalization(x, gamma, beta, eps, axes) -> (y, mean, var)``.
    - ``batch_normalization_grad(x, gamma, gy, mean, inv_std, axes) -> (gx, ggamma, gbeta)``.
    - ``fixed_batch_normalization(x, gamma, beta, mean, var, eps, axes) -> y``.

Recurrent (``F.lstm``)
    - ``lstm(c_prev, x) -> (c, h, gates)``, gates ``(4, b, H, ...)``.
    - ``lstm_grad(c_prev, gates, c, gc, gh) -> (gc_prev, gx)``; gc/gh may be None.

Convolution (``F.convolution_2d``, ``F.deconvolution_2d``, ``F.im2col``)
    - ``convolution_2d(x, W, b, stride, pad, dilate, groups, cover_all) -> y``.
    - ``convolution_2d_grad_w(x, gy, ksize, stride, pad, dilate, groups) -> gW``.
    - ``deconvolution_2d(x, W, b, stride, pad, outsize, dilate, groups) -> y``.
    - ``im2col(x, ksize, stride, pad, dilate, cover_all) -> col`` (N, C, kh, kw, oh, ow).
    - ``col2im(col, stride, pad, image_hw, dilate) -> img``, the adjoint of im2col
      (no core function looks it up yet; ``F.col2im``-style code may).

Pooling (``F.max_pooling_2d``, ``F.average_pooling_2d``, ``F.unpooling_2d``,
``F.upsampling_2d``)
    - ``max_pooling_2d(x, ksize, stride, pad, pooled_hw) -> (y, indexes)``.
    - ``max_pooling_2d_grad(v, indexes, ksize, stride, pad, image_hw, pooled_hw) -> image``.
    - ``max_pooling_2d_gather(img, indexes, ksize, stride, pad, image_hw, pooled_hw) ->
      pooled``.
    - ``average_pooling_2d(x, ksize, stride, pad, image_hw, pooled_hw, scale) -> y``.
    - ``average_pooling_2d_grad(v, ksize, stride, pad, image_hw, pooled_hw, scale) ->
      image``.

Optimizer updates (in place, return None; for optimizers that look them up with
``kusari.backend.get_kernel('adam_update', param.array)``)
    - ``sgd_update(param, grad, lr)``: ``param -= lr * grad``.
    - ``momentum_sgd_update(param, grad, v, lr, momentum)``: ``v = momentum * v -
      lr * grad; param += v``.
    - ``adam_update(param, grad, m, v, alpha_t, beta1, beta2, eps, eta,
      weight_decay_rate, vhat=None)``: Chainer's Adam with decoupled weight decay;
      AMSGrad when ``vhat`` is given.

Example:
    >>> from kusari_backend_cuda.kernels import KERNELS
    >>> sorted(KERNELS)[:3]
    ['adam_update', 'average_pooling_2d', 'average_pooling_2d_grad']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kusari_backend_cuda.kernels import (
    convolution,
    elementwise,
    normalization,
    optimizers,
    pooling,
    softmax,
)

__all__ = ["KERNELS"]

_MODULES = (softmax, elementwise, normalization, convolution, pooling, optimizers)
_HELPERS = {"conv_outsize", "COL_BYTES"}  # public module names that are not kernels

#: ``{function name: kernel}`` for the CuPy backend: every kernel each module exports.
KERNELS: dict[str, Callable[..., Any]] = {
    name: getattr(module, name)
    for module in _MODULES
    for name in module.__all__
    if name not in _HELPERS
}
