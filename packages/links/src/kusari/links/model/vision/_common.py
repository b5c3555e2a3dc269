"""What the pre-trained model classes share: image preparation and weight files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

import numpy

import kusari.functions as F
from kusari.configuration import no_backprop_mode, using_config
from kusari.links._chain import Chain
from kusari.variable import Variable

__all__ = [
    "prepare",
    "oversample",
    "models_root",
    "find_pretrained",
    "stack_images",
    "LayerPicker",
]

# Per-channel means of the ImageNet training set in BGR order (Caffe's convention, which
# the original VGG and ResNet weights expect).
_BGR_MEAN = numpy.array([103.939, 116.779, 123.68], dtype=numpy.float32)


def _as_hwc_rgb(image: Any) -> numpy.ndarray:
    if hasattr(image, "convert") and not isinstance(image, numpy.ndarray):  # a PIL image
        image = numpy.asarray(image.convert("RGB"))
    image = numpy.asarray(image)
    if image.ndim == 2:
        image = numpy.stack([image] * 3, axis=-1)
    elif image.ndim == 3 and image.shape[0] in (1, 3) and image.shape[-1] not in (1, 3):
        image = image.transpose(1, 2, 0)
    if image.ndim != 3 or image.shape[-1] not in (1, 3):
        raise ValueError(
            "prepare: expected an image of shape (H, W), (H, W, 3), (3, H, W) or a PIL image; "
            f"got shape {image.shape}"
        )
    if image.shape[-1] == 1:
        image = numpy.repeat(image, 3, axis=-1)
    return image.astype(numpy.float32)


def _resize_bilinear(image: numpy.ndarray, height: int, width: int) -> numpy.ndarray:
    """Bilinear resize of an (H, W, C) array with pixel-center alignment."""
    h, w = image.shape[:2]
    if (h, w) == (height, width):
        return image

    def grid(n_in: int, n_out: int) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        pos = (numpy.arange(n_out, dtype=numpy.float64) + 0.5) * (n_in / n_out) - 0.5
        pos = numpy.clip(pos, 0, n_in - 1)
        lo = numpy.floor(pos).astype(numpy.intp)
        hi = numpy.minimum(lo + 1, n_in - 1)
        return lo, hi, (pos - lo).astype(numpy.float32)

    y0, y1, wy = grid(h, height)
    x0, x1, wx = grid(w, width)
    rows = image[y0] * (1 - wy)[:, None, None] + image[y1] * wy[:, None, None]
    return rows[:, x0] * (1 - wx)[None, :, None] + rows[:, x1] * wx[None, :, None]


def prepare(image: Any, size: tuple[int, int] | None = (224, 224)) -> numpy.ndarray:
    """Turn an RGB image into the input the ImageNet models expect.

    The image is resized to ``size`` (width, height) bilinearly, converted to BGR,
    the ImageNet mean pixel is subtracted, and the axes become (3, H, W).

    Args:
        image: A PIL image or an array of pixel values 0-255: (H, W), (H, W, 3) or
            (3, H, W), RGB.
        size: (width, height) after resizing, or None to keep the size.

    Returns:
        A float32 array of shape (3, height, width).

    Example:
        >>> import numpy as np
        >>> from kusari.links.model.vision.vgg import prepare
        >>> prepare(np.zeros((40, 60, 3), np.uint8), size=(32, 24)).shape
        (3, 24, 32)
    """
    img = _as_hwc_rgb(image)
    if size is not None:
        width, height = size
        img = _resize_bilinear(img, int(height), int(width))
    img = img[:, :, ::-1] - _BGR_MEAN
    return numpy.ascontiguousarray(img.transpose(2, 0, 1), dtype=numpy.float32)


def stack_images(images: Iterable[Any], size: tuple[int, int] | None) -> numpy.ndarray:
    """Prepare every image and stack them into one (N, 3, H, W) batch."""
    batch = [prepare(img, size=size) for img in images]
    if not batch:
        raise ValueError("prepare: expected at least one image, got none")
    return numpy.stack(batch)


def oversample(x: numpy.ndarray, crop_dims: tuple[int, int]) -> numpy.ndarray:
    """Ten crops per image (corners, center and their mirrors), image-major order.

    Args:
        x: Images of shape (N, C, H, W).
        crop_dims: (height, width) of the crops.

    Returns:
        Array of shape (10 * N, C, ch, cw): crops ``10*i .. 10*i + 9`` belong to image i.
    """
    n, c, h, w = x.shape
    ch, cw = crop_dims
    if ch > h or cw > w:
        raise ValueError(f"oversample: crops {crop_dims} do not fit in images of size {(h, w)}")
    tops = (0, 0, h - ch, h - ch, (h - ch) // 2)
    lefts = (0, w - cw, 0, w - cw, (w - cw) // 2)
    crops = [x[:, :, t : t + ch, s : s + cw] for t, s in zip(tops, lefts)]
    crops += [cr[:, :, :, ::-1] for cr in crops]
    return numpy.stack(crops, axis=1).reshape(n * 10, c, ch, cw)


# ``predict`` has an argument named ``oversample``.
_oversample = oversample


def models_root() -> str:
    """Where ``pretrained_model='auto'`` looks: ``<dataset root>/pfnet/chainer/models``.

    The dataset root is ``kusari.dataset.get_dataset_root()`` when kusari-training is
    loaded, else ``$KUSARI_DATASET_ROOT`` (default ``~/.kusari/dataset``).
    """
    # kusari-links must not import kusari-training; use it only if someone loaded it.
    dataset = sys.modules.get("kusari.dataset")
    getter = getattr(dataset, "get_dataset_root", None)
    if callable(getter):
        root = getter()
    else:
        root = os.environ.get("KUSARI_DATASET_ROOT") or os.path.join(
            os.path.expanduser("~"), ".kusari", "dataset"
        )
    return os.path.join(root, "pfnet", "chainer", "models")


def find_pretrained(owner: str, npz_name: str, original: str) -> str:
    """The path of ``npz_name`` under :func:`models_root`, or an error saying where to put it.

    Raises:
        FileNotFoundError: The file is missing; the message names the file, the folder,
            the original weights and how to convert them.
    """
    path = os.path.join(models_root(), npz_name)
    if os.path.isfile(path):
        return path
    raise FileNotFoundError(
        f"{owner}: the pre-trained weights {npz_name!r} were not found at {path}.\n"
        f"kusari does not download or convert Caffe models (this machine may have no "
        f"internet). Get the original weights ({original}), convert them to NPZ with "
        f"Chainer (loading the model once with Chainer writes {npz_name} into "
        f"$CHAINER_DATASET_ROOT/pfnet/chainer/models), and copy that file to {path} "
        f"(or set $KUSARI_DATASET_ROOT).\n"
        f"help: pass pretrained_model=None for random initialization, or a path to an NPZ "
        f"file written by Chainer or kusari"
    )


class LayerPicker(Chain):
    """Base of the model-zoo classes: run named stages, return the requested outputs.

    Subclasses define :attr:`functions`, an ordered mapping from layer names to the
    callables applied one after another.
    """

    #: The layers ``extract`` returns when none are named.
    default_extract_layers: tuple[str, ...] = ()

    @property
    def functions(self) -> dict[str, list[Any]]:
        """Layer name → callables computing that layer from the previous one."""
        raise NotImplementedError

    @property
    def available_layers(self) -> list[str]:
        """The names ``forward(x, layers=...)`` accepts, in order."""
        return list(self.functions)

    def forward(self, x: Any, layers: Iterable[str] | None = None) -> dict[str, Variable]:
        """Compute the named layers' outputs for the batch ``x`` (N, 3, H, W).

        Args:
            x: Prepared images (see :func:`prepare`).
            layers: Names from :attr:`available_layers` (default ``['prob']``).

        Returns:
            dict: layer name → Variable. Computation stops after the last one needed.
        """
        functions = self.functions
        targets = {"prob"} if layers is None else set(layers)
        unknown = targets - set(functions)
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown layers {sorted(unknown)}; available: "
                f"{list(functions)}"
            )
        out: dict[str, Variable] = {}
        h = x
        for name, funcs in functions.items():
            if not targets:
                break
            for f in funcs:
                h = f(h)
            if name in targets:
                out[name] = h
                targets.discard(name)
        return out

    def extract(
        self,
        images: Iterable[Any],
        layers: Iterable[str] | None = None,
        size: tuple[int, int] | None = (224, 224),
    ) -> dict[str, Variable]:
        """Prepare raw images and return the named layers' outputs.

        Run it inside ``kusari.using_config('train', False)`` for inference behavior
        (dropout off, batch normalization with running statistics).
        """
        layers = list(self.default_extract_layers) if layers is None else layers
        x = self.xp.asarray(stack_images(images, size))
        return self.forward(Variable(x), layers=layers)

    def predict(self, images: Iterable[Any], oversample: bool = True) -> Variable:
        """Class probabilities (N, 1000) for raw images, in test mode without a graph.

        With ``oversample`` the images are resized to 256x256 and the predictions of ten
        224x224 crops averaged; otherwise the center crop is used.
        """
        x = stack_images(images, (256, 256))
        x = _oversample(x, (224, 224)) if oversample else x[:, :, 16:240, 16:240]
        with no_backprop_mode(), using_config("train", False):
            y = self.forward(Variable(self.xp.asarray(x)), layers=["prob"])["prob"]
            if oversample:
                y = F.reshape(y, (-1, 10) + y.shape[1:])
                y = F.sum(y, axis=1) / 10
        return y
