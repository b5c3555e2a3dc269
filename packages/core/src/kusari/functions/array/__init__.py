"""Array manipulation functions."""

from kusari.functions.array.axes import (
    expand_dims,
    flatten,
    moveaxis,
    rollaxis,
    squeeze,
    swapaxes,
)
from kusari.functions.array.broadcast import broadcast, broadcast_to, sum_to
from kusari.functions.array.cast import cast
from kusari.functions.array.concat import (
    concat,
    dstack,
    hstack,
    separate,
    split_axis,
    stack,
    vstack,
)
from kusari.functions.array.copy import copy
from kusari.functions.array.diagonal import diagonal
from kusari.functions.array.flip import flip, fliplr, flipud
from kusari.functions.array.get_item import get_item
from kusari.functions.array.im2col import im2col
from kusari.functions.array.pad import pad
from kusari.functions.array.permutate import permutate
from kusari.functions.array.reshape import reshape
from kusari.functions.array.resize_images import resize_images
from kusari.functions.array.scatter_add import scatter_add
from kusari.functions.array.select_item import select_item
from kusari.functions.array.space_depth import depth2space, space2depth
from kusari.functions.array.tile import repeat, tile
from kusari.functions.array.transpose import transpose
from kusari.functions.array.where import where

__all__ = [
    "broadcast",
    "broadcast_to",
    "cast",
    "concat",
    "copy",
    "depth2space",
    "diagonal",
    "dstack",
    "expand_dims",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "get_item",
    "hstack",
    "im2col",
    "moveaxis",
    "pad",
    "permutate",
    "repeat",
    "reshape",
    "resize_images",
    "rollaxis",
    "scatter_add",
    "select_item",
    "separate",
    "space2depth",
    "split_axis",
    "squeeze",
    "stack",
    "sum_to",
    "swapaxes",
    "tile",
    "transpose",
    "vstack",
    "where",
]
