"""CPU-side checks of the CUDA kernels: laziness, coverage of core's lookups, argument
validation, source sanity, and (where the tools exist) compilation and host emulation.

* Always: importing the kernels imports no CuPy; every name core looks up has a kernel;
  every CUDA source string has balanced brackets.
* With g++ (the ``fake_cupy`` fixture, see conftest): each wrapper validates its
  arguments, and each kernel's CUDA operation, compiled as host C++, matches kusari's
  generic NumPy implementation. This is where the index arithmetic is tested before a
  GPU ever runs it.
* With CuPy and NVRTC importable (no GPU needed): every kernel's real generated CUDA
  source compiles for float16, float32 and float64.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kusari_backend_cuda.kernels import KERNELS, _base

CORE_FUNCTIONS = Path(__import__("kusari.functions").functions.__file__).parent
# Lookups whose name is not a literal at the call site, and the names they can take.
INDIRECT_LOOKUPS = {"math/erf.py": {"erf", "erfc"}}


def test_importing_the_kernels_compiles_nothing_and_imports_no_cupy():
    code = (
        "import sys\n"
        "from kusari_backend_cuda.kernels import KERNELS, _base\n"
        "assert 'cupy' not in sys.modules, 'importing the kernels imported cupy'\n"
        "assert KERNELS and all(not s._kernels for s in _base.SPECS.values())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _core_lookups() -> tuple[set[str], dict[str, int]]:
    literal: set[str] = set()
    indirect: dict[str, int] = {}
    for path in sorted(CORE_FUNCTIONS.rglob("*.py")):
        text = path.read_text()
        rel = path.relative_to(CORE_FUNCTIONS).as_posix()
        for match in re.finditer(r"get_kernel\(\s*([^,\s]+)\s*,", text):
            arg = match.group(1)
            if arg[0] in "\"'":
                literal.add(arg.strip("\"'"))
            else:
                indirect[rel] = indirect.get(rel, 0) + 1
    return literal, indirect


def test_every_kernel_core_looks_up_is_provided():
    literal, indirect = _core_lookups()
    assert len(literal) >= 15, f"suspiciously few get_kernel lookups found: {sorted(literal)}"
    unknown = set(indirect) - set(INDIRECT_LOOKUPS)
    assert not unknown, (
        f"core looks kernels up by a computed name in {sorted(unknown)}: add them to "
        "INDIRECT_LOOKUPS with the names they take"
    )
    wanted = literal.union(*(INDIRECT_LOOKUPS[f] for f in indirect))
    missing = sorted(wanted - set(KERNELS))
    assert not missing, f"core looks up kernels the CUDA backend does not provide: {missing}"


def test_the_plugin_serves_these_kernels(monkeypatch):
    import types

    from kusari_backend_cuda import backend, plugin

    monkeypatch.setattr(backend, "cupy_or_none", lambda: types.ModuleType("cupy"))
    assert plugin.kusari_register_kernels(backend_name="cupy") is KERNELS
    assert plugin.kusari_register_kernels(backend_name="numpy") is None


def test_kernels_are_documented_in_the_package_docstring():
    import kusari_backend_cuda.kernels as k

    for name in KERNELS:
        assert f"``{name}(" in k.__doc__, name


def strip_comments(code: str) -> str:
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    return re.sub(r"//[^\n]*", "", code)


def _sources(spec) -> list[str]:
    if isinstance(spec, _base.Elementwise):
        return [spec.operation, spec.preamble]
    return [spec.map_expr, spec.reduce_expr, spec.post_map_expr, spec.preamble]


@pytest.mark.parametrize("name", sorted(_base.SPECS))
def test_cuda_sources_are_balanced(name):
    spec = _base.SPECS[name]
    for code in _sources(spec):
        code = strip_comments(code)
        for open_, close in ("()", "[]", "{}"):
            depth = 0
            for ch in code:
                depth += ch == open_
                depth -= ch == close
                assert depth >= 0, f"{name}: unbalanced {open_}{close}"
            assert depth == 0, f"{name}: unbalanced {open_}{close}"
        assert "CT_DTYPE" not in code, f"{name}: CT_DTYPE belongs in the parameter lists only"
    params = spec.in_params + "," + spec.out_params
    for item in params.split(","):
        words = item.split()
        assert 2 <= len(words) <= 3 and (len(words) == 2 or words[0] == "raw"), (name, item)


def test_kernels_without_cupy_say_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)
    with pytest.raises(RuntimeError, match="(?s)need CuPy.*kusari-backend-cuda\\[cuda12\\]"):
        KERNELS["softmax"](np.zeros((2, 3), np.float32), 1)


# --- compilation with NVRTC (real CuPy code generation; no GPU needed) --------------------


def _nvrtc_tools():
    """CuPy's code generators and NVRTC, or a skip reason."""
    try:
        import cupy
        import cupy._core._kernel as ek
        import cupy._core._reduction as rk
        from cupy._core import _carray, _scalar
        from cupy._core import core as cupy_core
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
    except Exception as exc:  # not installed, or NVRTC's library cannot be loaded
        pytest.skip(f"CuPy with NVRTC is not importable here: {type(exc).__name__}: {exc}")
    return cupy, ek, rk, _carray, _scalar, cupy_core, nvrtc


def _fp16_include() -> list[str]:
    """An include dir holding cuda_fp16.h (CUDA toolkit or the nvidia-cuda-runtime wheel)."""
    roots = [os.environ.get("CUDA_PATH", "/usr/local/cuda")] + [
        os.path.join(p, "nvidia", "cuda_runtime") for p in sys.path
    ]
    for root in roots:
        if os.path.exists(os.path.join(root, "include", "cuda_fp16.h")):
            return ["-I" + os.path.join(root, "include")]
    return []


def _dtypes_for(ctype: str, half: bool) -> dict[str, np.dtype]:
    t = np.dtype(np.float16 if half else np.float32 if ctype == "float" else np.float64)
    c = np.dtype(np.float32 if ctype == "float" else np.float64)
    return {"T": t, "G": t, "S": c, "I": np.dtype(np.int32)}


@pytest.mark.parametrize("name", sorted(_base.SPECS))
def test_generated_cuda_compiles_with_nvrtc(name):
    cupy, ek, rk, _carray, _scalar, cupy_core, nvrtc = _nvrtc_tools()
    spec = _base.SPECS[name]
    fp16 = _fp16_include()
    header = "".join(f"#include <{h}>\n" for h in cupy_core._cupy_header_list)
    options = tuple(cupy_core.assemble_cupy_compiler_options(())) + tuple(fp16)
    options += ("-arch=compute_70",)
    variants = [("float", False), ("double", False)] + ([("float", True)] if fp16 else [])
    for ctype, half in variants:
        kern = spec.kernel(ctype)
        spec.clear()  # the real objects must not leak into the emulated tests
        dts = _dtypes_for(ctype, half)

        def dtype_of(p, dts=dts):
            return dts[p.ctype] if p.dtype is None else np.dtype(p.dtype)

        def array_info(dt, ndim=1):
            return ek._ArgInfo(1, cupy.ndarray, dt.type, ndim, True, True)

        try:
            if isinstance(spec, _base.Elementwise):
                params = kern.params
                ins = [dtype_of(p) for p in params[: kern.nin]]
                outs = [dtype_of(p) for p in params[kern.nin : kern.nin + kern.nout]]
                type_map = kern._decide_params_type(tuple(ins), tuple(outs))[2]
                infos = tuple(array_info(d) for d in ins + outs)
                infos += (ek._ArgInfo(2, _carray.Indexer, None, 1, True, True),)
                code = ek._get_elementwise_kernel_code(
                    infos, type_map, params, kern.operation, kern.name, kern.preamble
                )
            else:
                ins = [dtype_of(p) for p in kern.in_params]
                outs = [dtype_of(p) for p in kern.out_params]
                decided = rk._decide_params_type(kern.in_params, kern.out_params, tuple(ins), ())
                type_map = decided[2]
                # CuPy adds the index type when it launches a reduction.
                type_map = ek._TypeMap(type_map._pairs + (("IndexT", np.int32),))
                params = (
                    kern.in_params
                    + kern.out_params
                    + (
                        ek.ParameterInfo("CIndexer _in_ind", False),
                        ek.ParameterInfo("CIndexer _out_ind", False),
                        ek.ParameterInfo("int32 _block_stride", True),
                    )
                )
                infos = tuple(array_info(d, 2) for d in ins) + tuple(array_info(d) for d in outs)
                infos += (
                    ek._ArgInfo(2, _carray.Indexer, None, 2, True, True),
                    ek._ArgInfo(2, _carray.Indexer, None, 1, True, True),
                    ek._ArgInfo(3, _scalar.CScalar, np.int32, 0, True, True),
                )
                code = rk._ReductionKernel_get_cached_function_code(
                    kern.nin,
                    kern.nout,
                    params,
                    infos,
                    type_map,
                    kern.name,
                    256,
                    kern.reduce_type,
                    kern.identity,
                    kern.map_expr,
                    kern.reduce_expr,
                    kern.post_map_expr,
                    kern.preamble,
                    (),
                )
        except (AttributeError, TypeError, ValueError) as exc:
            # CuPy-private code generators: another CuPy version may spell them differently.
            pytest.skip(f"CuPy's kernel code generators differ here: {exc!r}")
        prog = nvrtc.createProgram(header + code, f"{kern.name}.cu", (), ())
        try:
            nvrtc.compileProgram(prog, options)
        except Exception:
            log = nvrtc.getProgramLog(prog)
            pytest.fail(f"{name} ({ctype}, half={half}) does not compile:\n{log}\n{code}")


# --- argument validation (through the emulator's stand-in for CuPy) ------------------------

_f = np.zeros((2, 3), np.float32)
_x4 = np.zeros((2, 3, 5, 5), np.float32)
_W = np.zeros((4, 3, 3, 3), np.float32)
_i = np.zeros((2,), np.int32)
_P = ((2, 2), (2, 2), (0, 0))
BAD_CALLS = [
    ("softmax", ([[1.0, 2.0]], 1), TypeError, "x must be a cupy.ndarray; got builtins.list"),
    ("softmax", (_f.astype(np.int32), 1), TypeError, "floating-point dtype"),
    ("softmax", (_f, 2), ValueError, "axis 2 is out of range"),
    ("log_softmax", (_f, 1.5), TypeError, "axis must be an int"),
    ("softmax_cross_entropy", (_f, _i.astype(np.float32), None, -1), TypeError, "integer labels"),
    (
        "softmax_cross_entropy",
        (_f, np.zeros(3, np.int32), None, -1),
        ValueError,
        r"t must have shape \(2,\)",
    ),
    (
        "softmax_cross_entropy",
        (_f, _i, np.ones(2, np.float32), -1),
        ValueError,
        r"class_weight must have shape \(3,\)",
    ),
    (
        "softmax_cross_entropy_grad",
        (_f, _i, np.ones(3, np.float32), -1),
        ValueError,
        "coeff must have t's shape",
    ),
    ("erf", (np.zeros(2, np.int64),), TypeError, "floating-point"),
    ("sigmoid", (np.zeros(2, np.int32),), TypeError, "floating-point"),
    ("sigmoid_grad", (np.zeros(2, np.float32), np.zeros(3, np.float32)), ValueError, "one shape"),
    ("tanh_grad", (np.zeros(2, np.float32), np.zeros(2)), TypeError, "dtype"),
    ("relu_grad", (np.zeros(2, np.int64), np.zeros(2, np.int64)), TypeError, "floating-point"),
    ("erfc", (np.float32(1.0),), TypeError, "x must be a cupy.ndarray; got numpy.float32"),
    ("dropout", (_f, 1.0), ValueError, r"ratio must be in \[0.0, 1.0\)"),
    ("dropout", (_f, "0.5"), TypeError, "ratio must be a real number"),
    (
        "batch_normalization",
        (_x4, np.ones(4, np.float32), np.ones(3, np.float32), 1e-5, (0, 2, 3)),
        ValueError,
        "gamma must have the shape of x's kept axes",
    ),
    (
        "batch_normalization",
        (_x4, np.ones(3, np.float32), np.ones(3, np.float32), 1e-5, (0, 0)),
        ValueError,
        "repeat an axis",
    ),
    (
        "batch_normalization",
        (_x4, np.ones(3, np.float32), np.ones(3, np.float32), -1.0, (0, 2, 3)),
        ValueError,
        "eps must be in",
    ),
    (
        "batch_normalization_grad",
        (
            _x4,
            np.ones(3, np.float32),
            _f,
            np.ones(3, np.float32),
            np.ones(3, np.float32),
            (0, 2, 3),
        ),
        ValueError,
        "gy must have x's shape",
    ),
    (
        "fixed_batch_normalization",
        (_x4, *[np.ones(3, np.float32)] * 3, np.ones(2, np.float32), 1e-5, (0, 2, 3)),
        ValueError,
        "var must have the shape",
    ),
    (
        "lstm",
        (np.zeros((2, 3), np.float32), np.zeros((2, 11), np.float32)),
        ValueError,
        r"x of shape \(b <= B, 4 \* H, ...\)",
    ),
    (
        "lstm",
        (np.zeros((2, 3), np.float32), np.zeros((2, 12), np.float64)),
        TypeError,
        "x must have c_prev's dtype",
    ),
    (
        "lstm_grad",
        (
            np.zeros((2, 3), np.float32),
            np.zeros((4, 2, 2), np.float32),
            np.zeros((2, 3), np.float32),
            None,
            None,
        ),
        ValueError,
        "gates must have shape",
    ),
    ("im2col", (_f, (3, 3), (1, 1), (0, 0), (1, 1), False), ValueError, "x must have 4 dim"),
    ("im2col", (_x4, (3, 3), (0, 1), (0, 0), (1, 1), False), ValueError, "stride must be >= 1"),
    ("im2col", (_x4, 3, (1, 1), (0, 0), (1, 1), False), TypeError, "ksize must be a pair of ints"),
    ("col2im", (_x4, (1, 1), (0, 0), (5, 5), (1, 1)), ValueError, "col must have 6 dim"),
    (
        "convolution_2d",
        (_x4, _W[:, :2], None, (1, 1), (0, 0), (1, 1), 1, False),
        ValueError,
        "x has 3 channels",
    ),
    (
        "convolution_2d",
        (_x4, _W.astype(np.float64), None, (1, 1), (0, 0), (1, 1), 1, False),
        TypeError,
        "W must have x's dtype",
    ),
    (
        "convolution_2d",
        (_x4, _W, np.zeros(3, np.float32), (1, 1), (0, 0), (1, 1), 1, False),
        ValueError,
        r"b must have shape \(4,\)",
    ),
    (
        "convolution_2d",
        (_x4, _W, None, (1, 1), (0, 0), (1, 1), 3, False),
        ValueError,
        "groups=3 must divide",
    ),
    (
        "convolution_2d",
        (_x4, _W, None, (1, 1), (0, 0), (9, 9), 1, False),
        ValueError,
        "output would be empty",
    ),
    (
        "convolution_2d_grad_w",
        (_x4, np.zeros((3, 4, 3, 3), np.float32), (3, 3), (1, 1), (0, 0), (1, 1), 1),
        ValueError,
        "gy has batch size 3",
    ),
    (
        "deconvolution_2d",
        (_x4, np.zeros((3, 2, 3, 3), np.float32), None, (1, 1), (0, 0), (9, 9), (1, 1), 1),
        ValueError,
        "outsize .* does not match",
    ),
    ("max_pooling_2d", (_f, *_P, (3, 3)), ValueError, "x must have 4 dim"),
    (
        "max_pooling_2d_grad",
        (_x4, np.zeros((2, 3, 5, 5), np.float32), *_P, (5, 5), (5, 5)),
        TypeError,
        "indexes must be an integer array",
    ),
    (
        "max_pooling_2d_gather",
        (_x4, np.zeros((2, 3, 3, 3), np.int8), *_P, (4, 4), (3, 3)),
        ValueError,
        "img has spatial shape",
    ),
    (
        "average_pooling_2d",
        (_x4, *_P, (5, 5), (3, 3), "x"),
        TypeError,
        "scale must be a real number",
    ),
    (
        "average_pooling_2d_grad",
        (_x4, *_P, (10, 10), (4, 4), 0.25),
        ValueError,
        r"v must have shape \(2, 3, 4, 4\)",
    ),
    ("sgd_update", (_f, _f[:1], 0.1), ValueError, "grad must have param's shape"),
    ("momentum_sgd_update", (_f, _f, _f[:, :1], 0.1, 0.9), ValueError, "v must have param's"),
    (
        "adam_update",
        (_f, _f, _f, _f.astype(np.float64), 1e-3, 0.9, 0.999, 1e-8, 1.0, 0.0),
        TypeError,
        "v must have m's dtype",
    ),
    (
        "adam_update",
        (_f, _f, _f, _f, 1e-3, 1.5, 0.999, 1e-8, 1.0, 0.0),
        ValueError,
        r"beta1 must be in \[0.0, 1.0\]",
    ),
]


@pytest.mark.parametrize(
    ("kernel", "args", "error", "match"),
    BAD_CALLS,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)],
)
def test_kernel_rejects_bad_arguments(fake_cupy, kernel, args, error, match):
    with pytest.raises(error, match=match) as info:
        KERNELS[kernel](*args)
    assert str(info.value).startswith(f"{kernel} kernel: "), str(info.value)


def test_every_kernel_has_a_bad_argument_test():
    assert set(KERNELS) <= {c[0] for c in BAD_CALLS}
