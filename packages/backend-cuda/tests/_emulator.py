"""Host emulation of CuPy's ``ElementwiseKernel`` and ``ReductionKernel`` (test helper).

The kernels' CUDA C operation strings are compiled as host C++ with g++ (float16 as
``_Float16``) and run over NumPy arrays: index arithmetic, layouts and the Python
wrappers get checked without a GPU. It is not CUDA (no warps, no shared memory); the GPU
tests cover that. Loaded by ``conftest.py`` (tests share helpers through fixtures).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import tempfile
import types
from pathlib import Path

import numpy

__all__ = ["ElementwiseKernel", "ReductionKernel", "make_fake_cupy"]

_CTYPES = {
    "float16": "_Float16",
    "float32": "float",
    "float64": "double",
    "bool": "bool",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "long long",
    "uint8": "uint8_t",
    "uint16": "uint16_t",
    "uint32": "uint32_t",
    "uint64": "unsigned long long",
}
_HEADER = """#include <cmath>
#include <cstdint>
#include <algorithm>
using namespace std;
#define CUDART_INF ((double)INFINITY)
#define __device__
template <class T> struct KRaw {
    T* p;
    T& operator[](long long k) const { return p[k]; }
};
struct KInd {
    long long n;
    long long size() const { return n; }
};
"""
_CACHE = Path(tempfile.gettempdir()) / f"kusari-kernel-emulator-{os.getuid()}"


def _parse(params: str) -> list[tuple[bool, str, str]]:
    out = []
    for item in params.split(","):
        words = item.split()
        if words:
            out.append((words[0] == "raw", words[-2], words[-1]))
    return out


def _compile(source: str) -> ctypes.CDLL:
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    lib = _CACHE / f"k{digest}.so"
    if not lib.exists():
        _CACHE.mkdir(parents=True, exist_ok=True)
        src = _CACHE / f"k{digest}.cpp"
        src.write_text(source)
        tmp = _CACHE / f"k{digest}.{os.getpid()}.so"
        res = subprocess.run(
            ["g++", "-std=c++17", "-O1", "-shared", "-fPIC", "-o", str(tmp), str(src)],
            capture_output=True,
            text=True,
        )
        if res.returncode:
            raise RuntimeError(f"emulated kernel failed to compile:\n{res.stderr}\n{source}")
        tmp.replace(lib)
    return ctypes.CDLL(str(lib))


class _Kernel:
    def __init__(self, in_params: str, out_params: str, preamble: str) -> None:
        self.ins = _parse(in_params)
        self.outs = _parse(out_params)
        self.preamble = preamble

    def _resolve(self, args, params, types_: dict) -> None:
        for (_, typ, _), a in zip(params, args):
            if len(typ) == 1 and isinstance(a, numpy.ndarray):
                prev = types_.setdefault(typ, a.dtype)
                if prev != a.dtype:
                    raise TypeError(f"emulator: placeholder {typ} is {prev} and {a.dtype}")

    def _typedefs(self, types_: dict) -> str:
        return "".join(f"typedef {_CTYPES[numpy.dtype(d).name]} {t};\n" for t, d in types_.items())

    @staticmethod
    def _ctype(typ: str, types_: dict) -> str:
        return typ if len(typ) == 1 else _CTYPES[typ]

    @staticmethod
    def _dtype(typ: str, types_: dict) -> numpy.dtype:
        return numpy.dtype(types_[typ] if len(typ) == 1 else typ)


class ElementwiseKernel(_Kernel):
    """Host emulation of ``cupy.ElementwiseKernel`` (contiguous copies in, copies back out)."""

    def __init__(
        self,
        in_params,
        out_params,
        operation,
        name="kernel",
        preamble="",
        reduce_dims=True,
        **kwargs,
    ):
        super().__init__(in_params, out_params, preamble)
        self.operation = operation
        self.name = name

    def __call__(self, *args, size=None):
        nin = len(self.ins)
        ins, outs = list(args[:nin]), list(args[nin:])
        if len(ins) != nin or outs and len(outs) != len(self.outs):
            raise TypeError(f"emulator {self.name}: wrong number of arguments")
        types_: dict = {}
        self._resolve(ins, self.ins, types_)
        self._resolve(outs, self.outs, types_)
        shaped = [
            a
            for (raw, _, _), a in zip(self.ins + self.outs, ins + outs)
            if not raw and isinstance(a, numpy.ndarray)
        ]
        shape = numpy.broadcast_shapes(*[a.shape for a in shaped]) if shaped else (size,)
        if not outs:
            outs = [numpy.empty(shape, self._dtype(t, types_)) for _, t, _ in self.outs]
        n = int(numpy.prod(shape)) if size is None else size
        bufs, lines, writeback = [], [], []
        for (raw, typ, name), a in zip(self.ins + self.outs, ins + outs):
            k = len(bufs)
            is_out = any(a is o for o in outs)
            ctype = self._ctype(typ, types_)
            if not isinstance(a, numpy.ndarray):
                bufs.append(numpy.array([a], self._dtype(typ, types_)))
                lines.append(f"const {ctype} {name} = *({ctype}*)ptrs[{k}];")
                continue
            buf = (
                numpy.ascontiguousarray(a)
                if raw
                else numpy.ascontiguousarray(numpy.broadcast_to(a, shape))
            )
            if is_out:
                buf = buf.copy()
                writeback.append((a, buf))
            bufs.append(buf)
            if raw:
                lines.append(f"KRaw<{ctype}> {name}{{({ctype}*)ptrs[{k}]}};")
            else:
                const = "" if is_out else "const "
                lines.append(f"#define {name} (({const}{ctype}*)ptrs[{k}])[i]")
        body = "\n".join(line for line in lines if not line.startswith("#"))
        defs = "\n".join(line for line in lines if line.startswith("#"))
        undefs = "\n".join(f"#undef {line.split()[1]}" for line in lines if line.startswith("#"))
        source = (
            f"{_HEADER}{self._typedefs(types_)}{self.preamble}\n"
            f'extern "C" void run(void** ptrs, long long n) {{\n{body}\nKInd _ind{{n}};\n'
            f"{defs}\nfor (long long i = 0; i < n; ++i) {{\n{self.operation};\n}}\n"
            f"{undefs}\n}}\n"
        )
        lib = _compile(source)
        ptrs = (ctypes.c_void_p * len(bufs))(*[b.ctypes.data for b in bufs])
        lib.run(ptrs, ctypes.c_longlong(n))
        for dst, buf in writeback:
            numpy.copyto(dst, buf.reshape(dst.shape))
        return outs[0] if len(outs) == 1 else tuple(outs)


class ReductionKernel(_Kernel):
    """Host emulation of ``cupy.ReductionKernel`` (one output)."""

    def __init__(
        self,
        in_params,
        out_params,
        map_expr,
        reduce_expr,
        post_map_expr,
        identity,
        name="reduce",
        reduce_type=None,
        reduce_dims=True,
        preamble="",
        **kwargs,
    ):
        super().__init__(in_params, out_params, preamble)
        self.map_expr, self.reduce_expr, self.post_map_expr = map_expr, reduce_expr, post_map_expr
        self.identity, self.reduce_type, self.name = identity, reduce_type, name

    def __call__(self, *args, axis=None, keepdims=False):
        types_: dict = {}
        self._resolve(args, self.ins, types_)
        shape = numpy.broadcast_shapes(*[a.shape for a in args if isinstance(a, numpy.ndarray)])
        axes = (
            tuple(range(len(shape)))
            if axis is None
            else ((axis,) if isinstance(axis, int) else tuple(axis))
        )
        axes = tuple(sorted(a % len(shape) for a in axes))
        keep = [i for i in range(len(shape)) if i not in axes]
        out_shape = tuple(shape[i] for i in keep)
        red = int(numpy.prod([shape[i] for i in axes]))
        bufs, lines = [], []
        for (_, typ, name), a in zip(self.ins, args):
            k = len(bufs)
            ctype = self._ctype(typ, types_)
            if not isinstance(a, numpy.ndarray):
                bufs.append(numpy.array([a], self._dtype(typ, types_)))
                lines.append(f"const {ctype} {name} = *({ctype}*)ptrs[{k}];")
                continue
            full = numpy.broadcast_to(a, shape).transpose(keep + list(axes))
            bufs.append(numpy.ascontiguousarray(full).reshape(-1))
            lines.append(f"const {ctype} {name} = (({ctype}*)ptrs[{k}])[j * r + q];")
        ((_, otyp, oname),) = self.outs
        out = numpy.empty(out_shape, self._dtype(otyp, types_))
        bufs.append(out)
        octype = self._ctype(otyp, types_)
        source = (
            f"{_HEADER}{self._typedefs(types_)}{self.preamble}\n"
            f"typedef {self.reduce_type} _type_reduce;\n"
            f"#define REDUCE(a, b) ({self.reduce_expr})\n"
            f"#define POST_MAP(a) ({self.post_map_expr})\n"
            f'extern "C" void run(void** ptrs, long long m, long long r) {{\n'
            f"for (long long j = 0; j < m; ++j) {{\n"
            f"_type_reduce acc = _type_reduce({self.identity});\n"
            f"for (long long q = 0; q < r; ++q) {{\n"
            + "\n".join(lines)
            + f"\nacc = REDUCE(acc, static_cast<_type_reduce>({self.map_expr}));\n}}\n"
            f"{octype} &{oname} = (({octype}*)ptrs[{len(bufs) - 1}])[j];\n"
            f"POST_MAP(acc);\n}}\n}}\n"
        )
        lib = _compile(source)
        ptrs = (ctypes.c_void_p * len(bufs))(*[b.ctypes.data for b in bufs])
        lib.run(ptrs, ctypes.c_longlong(out.size), ctypes.c_longlong(red))
        if keepdims:
            out = out.reshape(tuple(1 if i in axes else s for i, s in enumerate(shape)))
        return out


def make_fake_cupy() -> types.ModuleType:
    """A ``cupy`` stand-in: NumPy, plus the emulated kernel classes."""
    fake = types.ModuleType("cupy")
    fake.__getattr__ = lambda name: getattr(numpy, name)  # type: ignore[method-assign]
    fake.ndarray = numpy.ndarray
    fake.ElementwiseKernel = ElementwiseKernel
    fake.ReductionKernel = ReductionKernel
    fake.random = types.SimpleNamespace(
        random_sample=lambda shape, dtype=float: numpy.random.random_sample(shape).astype(dtype),
        seed=numpy.random.seed,
    )
    return fake
