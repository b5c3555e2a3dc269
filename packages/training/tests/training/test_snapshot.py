"""snapshot / snapshot_object: names, retention, autoload, writers, errors."""

from __future__ import annotations

import os
import time

import numpy
import pytest

from kusari import serializers
from kusari.training import extensions
from kusari.training.extensions import snapshot_writers


class Holder:
    """A serializable object with one array."""

    def __init__(self, value: float = 0.0) -> None:
        self.W = numpy.full(3, value, numpy.float32)

    def serialize(self, s):
        s("W", self.W)


def names(directory) -> list[str]:
    return sorted(n for n in os.listdir(directory) if not n.startswith("log"))


def test_snapshot_names_from_template_and_object_snapshots(make_trainer):
    trainer = make_trainer((3, "epoch"))
    holder = Holder(2.0)
    trainer.extend(extensions.snapshot(filename="snapshot_epoch-{.updater.epoch}"))
    trainer.extend(
        extensions.snapshot_object(holder, "holder_epoch-{.updater.epoch}"), trigger=(2, "epoch")
    )
    trainer.run()
    assert names(trainer.out) == [
        "holder_epoch-2",
        "snapshot_epoch-1",
        "snapshot_epoch-2",
        "snapshot_epoch-3",
    ]
    loaded = Holder()
    serializers.load_npz(os.path.join(trainer.out, "holder_epoch-2"), loaded)
    assert loaded.W.tolist() == [2.0, 2.0, 2.0]
    with numpy.load(os.path.join(trainer.out, "snapshot_epoch-2")) as npz:
        assert int(npz["updater/iteration"]) == 10
        assert "random_state/numpy/keys" in npz.files


def test_n_retains_keeps_the_newest(make_trainer):
    trainer = make_trainer((7, "iteration"))
    trainer.extend(extensions.snapshot(n_retains=2), trigger=(1, "iteration"))
    trainer.run()
    assert names(trainer.out) == ["snapshot_iter_6", "snapshot_iter_7"]


def test_autoload_resumes_from_newest_complete_snapshot(make_trainer, tmp_path):
    out = tmp_path / "run"
    first = make_trainer((6, "iteration"), out=out)
    first.extend(extensions.snapshot(), trigger=(2, "iteration"))
    first.extend(extensions.LogReport(trigger=(1, "iteration")))
    first.run()
    # Garbage that must not be loaded: an unfinished atomic write and a truncated file
    # newer than every real snapshot.
    (out / ".snapshot_iter_8.0123abcd.tmp").write_bytes(b"PK\x03\x04half")
    time.sleep(0.01)
    (out / "snapshot_iter_9").write_bytes(b"PK\x03\x04truncated")

    second = make_trainer((8, "iteration"), out=out)
    snap = extensions.snapshot(autoload=True)
    second.extend(snap, trigger=(2, "iteration"))
    second.extend(extensions.LogReport(trigger=(1, "iteration")))
    with pytest.warns(UserWarning, match="snapshot_iter_9: not a complete NPZ"):
        second.run()
    assert snap.loaded_from == str(out / "snapshot_iter_6")
    assert not (out / ".snapshot_iter_8.0123abcd.tmp").exists()  # cleaned up
    log = second.get_extension("LogReport").log
    assert [e["iteration"] for e in log] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [e["main/loss"] for e in log[-2:]] == [2.5, 4.5]  # 6 → 7 → 8 continues the epoch


def test_autoload_without_snapshots_starts_fresh(make_trainer):
    trainer = make_trainer((2, "iteration"))
    snap = extensions.snapshot(autoload=True)
    trainer.extend(snap)
    trainer.run()
    assert snap.loaded_from is None and trainer.updater.iteration == 2


def test_autoload_restores_before_other_extensions_initialize(make_trainer, tmp_path):
    out = tmp_path / "shift"
    first = make_trainer((4, "iteration"), out=out)
    first.extend(extensions.ExponentialShift("lr", 0.5), trigger=(1, "iteration"))
    first.extend(extensions.snapshot(), trigger=(4, "iteration"))
    first.run()
    assert first.updater.get_optimizer("main").lr == pytest.approx(0.1 * 0.5**4)
    second = make_trainer((6, "iteration"), out=out)
    second.extend(extensions.ExponentialShift("lr", 0.5), trigger=(1, "iteration"))
    second.extend(extensions.snapshot(autoload=True), trigger=(4, "iteration"))
    second.run()
    assert second.updater.get_optimizer("main").lr == pytest.approx(0.1 * 0.5**6)


@pytest.mark.parametrize(
    "writer_type",
    [
        snapshot_writers.SimpleWriter,
        snapshot_writers.ThreadWriter,
        snapshot_writers.ProcessWriter,
        snapshot_writers.ThreadQueueWriter,
        snapshot_writers.ProcessQueueWriter,
    ],
)
def test_writers_save_the_state_at_call_time(tmp_path, writer_type):
    holder = Holder(1.0)
    writer = writer_type()
    writer("a", str(tmp_path), holder)
    holder.W[:] = 5.0  # changes after the call must not leak into the file
    writer("b", str(tmp_path), holder)
    writer.finalize()
    for name, value in (("a", 1.0), ("b", 5.0)):
        loaded = Holder()
        serializers.load_npz(tmp_path / name, loaded)
        assert loaded.W.tolist() == [value] * 3, (writer_type.__name__, name)
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]


def test_custom_savefun_is_written_atomically(tmp_path):
    def failing_savefun(path, target):
        with open(path, "wb") as f:
            f.write(b"partial")
        raise OSError("disk full")

    writer = snapshot_writers.SimpleWriter(failing_savefun)
    with pytest.raises(OSError, match="disk full"):
        writer("snap", str(tmp_path), Holder())
    assert os.listdir(tmp_path) == []  # neither the final name nor a temporary file


def test_thread_writer_in_training(make_trainer):
    trainer = make_trainer((4, "iteration"))
    trainer.extend(
        extensions.snapshot(writer=snapshot_writers.ThreadWriter(), n_retains=1),
        trigger=(1, "iteration"),
    )
    trainer.run()
    assert names(trainer.out) == ["snapshot_iter_4"]


def test_snapshot_on_error_and_condition(make_trainer):
    trainer = make_trainer((10, "iteration"))
    trainer.extend(
        extensions.snapshot(filename="on_error", snapshot_on_error=True), trigger=(100, "iteration")
    )
    trainer.extend(
        extensions.snapshot(filename="never", condition=lambda: False), trigger=(1, "iteration")
    )

    def fail(trainer):
        if trainer.updater.iteration == 3:
            raise ValueError("stop")

    trainer.extend(fail, name="fail")
    with pytest.raises(ValueError, match="stop"):
        trainer.run(show_loop_exception_msg=False)
    assert names(trainer.out) == ["on_error"]
    with numpy.load(os.path.join(trainer.out, "on_error")) as npz:
        assert int(npz["updater/iteration"]) == 3


def test_find_snapshots_orders_by_time_then_number(tmp_path):
    for n in (20, 100, 3):
        (tmp_path / f"snapshot_iter_{n}").write_bytes(b"x")
        os.utime(tmp_path / f"snapshot_iter_{n}", ns=(10**18, 10**18))
    (tmp_path / ".snapshot_iter_200.deadbeef.tmp").write_bytes(b"x")
    (tmp_path / "other").write_bytes(b"x")
    found = extensions.find_snapshots("snapshot_iter_{.updater.iteration}", str(tmp_path))
    assert found == ["snapshot_iter_3", "snapshot_iter_20", "snapshot_iter_100"]
    assert extensions.find_snapshots("x{}", str(tmp_path / "missing")) == []


def test_snapshot_argument_errors():
    with pytest.raises(TypeError, match="savefun or writer"):
        extensions.snapshot(savefun=serializers.save_npz, writer=snapshot_writers.SimpleWriter())
    with pytest.raises(TypeError, match="filename"):
        extensions.snapshot(filename=3)
    ext = extensions.snapshot(filename=lambda trainer: "x", autoload=True)
    with pytest.raises(TypeError, match=r"autoload=True\) needs a str"):
        ext.initialize(type("T", (), {"out": "."})())
