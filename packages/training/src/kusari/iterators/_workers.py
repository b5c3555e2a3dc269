"""Code running inside ``MultiprocessIterator``'s worker processes.

Module-level functions so ``spawn`` workers can import them. A worker keeps the dataset
(and the shared memory block, when used) in module globals set by :func:`setup`.
"""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["setup", "fetch", "unpack"]

_dataset: Any = None
_memory: Any = None
_example_bytes = 0


class Packed:
    """An array left in shared memory: where it is and how to read it back."""

    __slots__ = ("offset", "shape", "dtype")

    def __init__(self, offset: int, shape: tuple[int, ...], dtype: str) -> None:
        self.offset = offset
        self.shape = shape
        self.dtype = dtype

    def __reduce__(self) -> Any:
        return (Packed, (self.offset, self.shape, self.dtype))


def setup(dataset: Any, memory: Any, example_bytes: int) -> None:
    """Worker initializer: remember the dataset and the shared memory block."""
    global _dataset, _memory, _example_bytes
    _dataset, _memory, _example_bytes = dataset, memory, example_bytes


def _pack(example: Any, position: int) -> tuple[Any, int]:
    """Copy the example's arrays into its shared-memory region; return (example, overflow)."""
    if type(example) is numpy.ndarray:
        parts, kind = [example], "array"
    elif type(example) in (tuple, list):
        parts, kind = list(example), type(example)
    elif type(example) is dict:
        parts, kind = list(example.values()), "dict"
    else:
        return example, 0
    arrays = [p for p in parts if type(p) is numpy.ndarray and not p.dtype.hasobject]
    needed = sum(a.nbytes for a in arrays)
    if needed > _example_bytes:
        return example, needed
    buffer = numpy.frombuffer(_memory, numpy.uint8)
    offset = position * _example_bytes
    packed = []
    for part in parts:
        if type(part) is numpy.ndarray and not part.dtype.hasobject:
            view = buffer[offset : offset + part.nbytes].view(part.dtype).reshape(part.shape)
            view[...] = part
            packed.append(Packed(offset, part.shape, part.dtype.str))
            offset += part.nbytes
        else:
            packed.append(part)
    if kind == "array":
        return packed[0], 0
    if kind == "dict":
        return dict(zip(example.keys(), packed)), 0
    return kind(packed), 0


def fetch(indices: list[int], position: int) -> tuple[list, int]:
    """Read ``dataset[i]`` for each index; pack arrays if shared memory is in use."""
    examples = [_dataset[i] for i in indices]
    if _memory is None:
        return examples, 0
    overflow = 0
    for k, example in enumerate(examples):
        examples[k], needed = _pack(example, position + k)
        overflow = max(overflow, needed)
    return examples, overflow


def _restore(part: Any, buffer: Any) -> Any:
    if type(part) is not Packed:
        return part
    dtype = numpy.dtype(part.dtype)
    count = int(numpy.prod(part.shape, dtype=numpy.int64))
    return (
        buffer[part.offset : part.offset + count * dtype.itemsize]
        .view(dtype)
        .reshape(part.shape)
        .copy()
    )


def unpack(examples: list, memory: Any) -> list:
    """Main-process side: copy packed arrays out of shared memory."""
    if memory is None:
        return examples
    buffer = numpy.frombuffer(memory, numpy.uint8)
    out = []
    for example in examples:
        if type(example) is Packed:
            out.append(_restore(example, buffer))
        elif type(example) in (tuple, list):
            out.append(type(example)(_restore(p, buffer) for p in example))
        elif type(example) is dict:
            out.append({k: _restore(v, buffer) for k, v in example.items()})
        else:
            out.append(example)
    return out
