"""What ``kusari.backends.cuda`` forwards to when this plugin is installed.

Chainer code reaches these as ``chainer.backends.cuda.<name>`` (``cupy``,
``memory_pool``, ``elementwise``, ``reduce``, ``raw``, ``Stream``, …).
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["elementwise", "reduce", "raw"]
# Also served lazily by __getattr__ (they need CuPy): cupy, memory_pool,
# pinned_memory_pool, Stream, Device, get_current_stream, synchronize.


def __getattr__(name: str) -> Any:
    from kusari_backend_cuda.backend import cupy_or_none, unavailable_reason

    cupy = cupy_or_none()
    if cupy is None:
        raise AttributeError(f"kusari.backends.cuda.{name}: {unavailable_reason()}")
    if name == "cupy":
        return cupy
    if name == "memory_pool":
        return cupy.get_default_memory_pool()
    if name == "pinned_memory_pool":
        return cupy.get_default_pinned_memory_pool()
    if name == "Stream":
        return cupy.cuda.Stream
    if name == "Device":
        return cupy.cuda.Device
    if name == "get_current_stream":
        return cupy.cuda.get_current_stream
    if name == "synchronize":
        return cupy.cuda.runtime.deviceSynchronize
    raise AttributeError(f"module 'kusari.backends.cuda' has no attribute {name!r}")


@functools.cache
def elementwise(in_params: str, out_params: str, operation: str, name: str, **kwargs: Any) -> Any:
    """A cached ``cupy.ElementwiseKernel`` (Chainer's ``cuda.elementwise``)."""
    import cupy

    return cupy.ElementwiseKernel(in_params, out_params, operation, name, **kwargs)


@functools.cache
def reduce(
    in_params: str,
    out_params: str,
    map_expr: str,
    reduce_expr: str,
    post_map_expr: str,
    identity: Any,
    name: str,
    **kwargs: Any,
) -> Any:
    """A cached ``cupy.ReductionKernel`` (Chainer's ``cuda.reduce``)."""
    import cupy

    return cupy.ReductionKernel(
        in_params, out_params, map_expr, reduce_expr, post_map_expr, identity, name, **kwargs
    )


@functools.cache
def raw(code: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """A cached ``cupy.RawKernel`` (Chainer's ``cuda.raw``)."""
    import cupy

    return cupy.RawKernel(code, name, *args, **kwargs)
