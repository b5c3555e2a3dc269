import threading

import numpy as np

import kusari
from kusari import config, global_config, using_config


def test_defaults_match_chainer():
    assert config.train is True and config.enable_backprop is True
    assert config.type_check is True and config.debug is False
    assert config.dtype == np.float32


def test_using_config_restores_and_nests():
    with using_config("train", False):
        assert config.train is False
        with using_config("train", True):
            assert config.train is True
        assert config.train is False
    assert config.train is True


def test_config_is_thread_local_and_global_config_is_shared():
    seen = {}

    def worker():
        seen["train"] = config.train
        seen["custom"] = getattr(config, "my_key", None)

    with using_config("train", False):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen["train"] is True
    global_config.my_key = 7
    try:
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert seen["custom"] == 7 and config.my_key == 7
    finally:
        del global_config.my_key


def test_dtype_normalized_and_debug_helpers(capsys):
    with using_config("dtype", "float16"):
        assert config.dtype == np.dtype(np.float16)
        assert kusari.get_dtype() == np.float16
    kusari.set_debug(True)
    try:
        assert kusari.is_debug()
    finally:
        kusari.set_debug(False)
    kusari.configuration.show()
    assert "enable_backprop" in capsys.readouterr().out
