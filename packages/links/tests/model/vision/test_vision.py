"""VGG16Layers and ResNet50Layers: forward/backward on small inputs, layers, weights, prep."""

from __future__ import annotations

import os

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import serializers
from kusari.links.model.vision import resnet, vgg
from kusari.links.model.vision._common import oversample


@pytest.fixture(scope="module")
def vgg16():
    np.random.seed(0)
    return L.VGG16Layers(pretrained_model=None)


@pytest.fixture(scope="module")
def resnet50():
    np.random.seed(0)
    return L.ResNet50Layers(pretrained_model=None)


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(tmp_path))
    setter = getattr(__import__("sys").modules.get("kusari.dataset"), "set_dataset_root", None)
    if setter is not None:  # kusari-training loaded by another test: point it here too
        monkeypatch.setattr("kusari.dataset.get_dataset_root", lambda: str(tmp_path), raising=False)
    path = tmp_path / "pfnet" / "chainer" / "models"
    path.mkdir(parents=True)
    return path


def test_vgg16_forward_backward_small_input(vgg16):
    vgg16.cleargrads()
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    out = vgg16(x, layers=["conv1_2", "pool5", "fc7", "prob"])
    assert out["conv1_2"].shape == (1, 64, 32, 32)
    assert out["pool5"].shape == (1, 512, 1, 1)
    assert out["fc7"].shape == (1, 4096)
    np.testing.assert_allclose(out["prob"].array.sum(), 1.0, rtol=1e-5)
    F.sum(out["fc7"] * out["fc7"]).backward()
    assert vgg16.conv1_1.W.grad is not None and np.abs(vgg16.conv1_1.W.grad).sum() > 0
    assert vgg16.fc6.W.shape == (4096, 512)


def test_vgg16_layers_and_layout(vgg16):
    assert vgg16.available_layers == [
        "conv1_1",
        "conv1_2",
        "pool1",
        "conv2_1",
        "conv2_2",
        "pool2",
        "conv3_1",
        "conv3_2",
        "conv3_3",
        "pool3",
        "conv4_1",
        "conv4_2",
        "conv4_3",
        "pool4",
        "conv5_1",
        "conv5_2",
        "conv5_3",
        "pool5",
        "fc6",
        "fc7",
        "fc8",
        "prob",
    ]
    names = [n for n, _ in vgg16.namedparams()]
    assert names[:2] == ["/conv1_1/W", "/conv1_1/b"] and names[-2:] == ["/fc8/W", "/fc8/b"]
    assert len(names) == 32
    with pytest.raises(ValueError, match=r"unknown layers \['conv6'\]"):
        vgg16(np.zeros((1, 3, 32, 32), np.float32), layers=["conv6"])


def test_vgg16_stops_after_the_last_requested_layer(vgg16):
    out = vgg16(np.zeros((1, 3, 8, 8), np.float32), layers=["pool2"])
    assert list(out) == ["pool2"] and out["pool2"].shape == (1, 128, 2, 2)


def test_vgg16_extract_and_test_mode(vgg16):
    images = [np.full((40, 30, 3), 100, np.uint8), np.zeros((3, 20, 20), np.float32)]
    with kusari.using_config("train", False), kusari.no_backprop_mode():
        feats = vgg16.extract(images, size=(32, 32))
        again = vgg16.extract(images, size=(32, 32))
    assert feats["fc7"].shape == (2, 4096)
    np.testing.assert_array_equal(feats["fc7"].array, again["fc7"].array)  # no dropout


def test_vgg19_layers():
    model = L.VGG19Layers(pretrained_model=None)
    assert "conv5_4" in model.available_layers and len(list(model.params())) == 38


def test_resnet50_forward_backward_small_input(resnet50):
    resnet50.cleargrads()
    before = resnet50.bn1.avg_mean.copy()
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
    out = resnet50(x, layers=["conv1", "res2", "res5", "pool5", "prob"])
    assert out["conv1"].shape == (2, 64, 16, 16)
    assert out["res2"].shape == (2, 256, 8, 8)
    assert out["res5"].shape == (2, 2048, 1, 1)
    assert out["pool5"].shape == (2, 2048)
    np.testing.assert_allclose(out["prob"].array.sum(axis=1), [1, 1], rtol=1e-5)
    F.sum(out["pool5"]).backward()
    assert resnet50.conv1.W.grad is not None and np.abs(resnet50.conv1.W.grad).sum() > 0
    assert resnet50.res5.b2.bn3.gamma.grad is not None
    assert not np.array_equal(resnet50.bn1.avg_mean, before)  # train mode: statistics move
    with kusari.using_config("train", False):
        y = resnet50(x, layers=["fc6"])["fc6"]
    assert y.shape == (2, 1000)


def test_resnet50_layout(resnet50):
    names = [n for n, _ in resnet50.namedparams()]
    assert names[:4] == ["/conv1/W", "/conv1/b", "/bn1/gamma", "/bn1/beta"]
    assert "/res2/a/conv4/W" in names and "/res5/b2/bn3/beta" in names
    assert "/res4/b5/conv1/W" in names and "/res4/b6/conv1/W" not in names
    # torchvision's ResNet-50 has 25,557,032 parameters; Chainer's conv1 adds a bias of 64.
    assert resnet50.count_params() == 25_557_032 + 64
    assert resnet50.available_layers == [
        "conv1",
        "pool1",
        "res2",
        "res3",
        "res4",
        "res5",
        "pool5",
        "fc6",
        "prob",
    ]
    assert L.ResNet101Layers.__init__.__defaults__ == ("auto", False)


def test_auto_without_the_file_says_where_to_put_it(models_dir):
    with pytest.raises(FileNotFoundError) as info:
        L.ResNet50Layers()
    message = str(info.value)
    assert str(models_dir / "ResNet-50-model.npz") in message
    assert "ResNet-50-model.caffemodel" in message and "pretrained_model=None" in message
    with pytest.raises(FileNotFoundError, match="VGG_ILSVRC_16_layers.npz"):
        L.VGG16Layers()


def test_auto_and_path_load_npz(resnet50, models_dir):
    path = models_dir / "ResNet-50-model.npz"
    serializers.save_npz(str(path), resnet50, compression=False)
    for model in (L.ResNet50Layers(), L.ResNet50Layers(pretrained_model=str(path))):
        for (name, a), (_, b) in zip(model.namedparams(), resnet50.namedparams()):
            np.testing.assert_array_equal(a.array, b.array, err_msg=name)
        np.testing.assert_array_equal(model.res3.a.bn2.avg_var, resnet50.res3.a.bn2.avg_var)
    os.remove(path)


def test_prepare_converts_rgb_to_bgr_and_subtracts_the_mean():
    image = np.zeros((10, 20, 3), np.uint8)
    image[...] = (200, 100, 50)  # RGB
    x = vgg.prepare(image, size=(8, 6))
    assert x.shape == (3, 6, 8) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0, 0], [50 - 103.939, 100 - 116.779, 200 - 123.68], rtol=1e-6)
    assert resnet.prepare is vgg.prepare
    assert vgg.prepare(np.zeros((5, 7), np.float32), size=None).shape == (3, 5, 7)
    with pytest.raises(ValueError, match=r"prepare: expected an image.*got shape \(2, 2, 2, 2\)"):
        vgg.prepare(np.zeros((2, 2, 2, 2)))


def test_prepare_resizes_bilinearly():
    ramp = np.tile(np.arange(4, dtype=np.float32), (4, 1))
    image = np.stack([ramp] * 3, axis=-1)
    x = vgg.prepare(image, size=(2, 2))  # pixel centers of the 2x2 grid fall at 0.5 and 2.5
    np.testing.assert_allclose(x[2] + 123.68, [[0.5, 2.5], [0.5, 2.5]], rtol=1e-6)


def test_oversample_crops():
    x = np.arange(2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    crops = oversample(x, (2, 2))
    assert crops.shape == (20, 1, 2, 2)
    np.testing.assert_array_equal(crops[0, 0], x[0, 0, :2, :2])
    np.testing.assert_array_equal(crops[4, 0], x[0, 0, 1:3, 1:3])
    np.testing.assert_array_equal(crops[5, 0], x[0, 0, :2, :2][:, ::-1])
    np.testing.assert_array_equal(crops[13, 0], x[1, 0, 2:, 2:])


def _images():
    return [
        np.random.default_rng(i).integers(0, 255, (40, 50, 3)).astype(np.uint8) for i in range(2)
    ]


def test_resnet50_predict_center_crop(resnet50):
    y = resnet50.predict(_images(), oversample=False)
    assert y.shape == (2, 1000) and y.creator is None
    np.testing.assert_allclose(y.array.sum(axis=1), [1, 1], rtol=1e-4)


@pytest.mark.slow
def test_resnet50_predict_oversampled(resnet50):
    y = resnet50.predict(_images(), oversample=True)  # 20 crops of 224x224
    assert y.shape == (2, 1000) and y.creator is None
    np.testing.assert_allclose(y.array.sum(axis=1), [1, 1], rtol=1e-4)
