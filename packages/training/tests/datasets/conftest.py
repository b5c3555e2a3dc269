import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from kusari_dataset_files import FakeWeb  # noqa: E402


@pytest.fixture
def dataset_root(tmp_path, monkeypatch):
    """A fresh, empty data set root."""
    from kusari.dataset import download

    root = tmp_path / "root"
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(root))
    monkeypatch.setattr(download, "_root_override", None)
    return root


@pytest.fixture
def web(monkeypatch):
    """The network replaced by an in-memory table of URLs."""
    from kusari.dataset import download

    fake = FakeWeb()
    monkeypatch.setattr(download, "_open_url", fake)
    return fake
