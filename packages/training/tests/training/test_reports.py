"""LogReport, PrintReport, PlotReport and ProgressBar with values computed by hand.

The scripted updater reports main/loss = mean of batch over examples 0..9 in batches of
2 (5 iterations per epoch): 0.5, 2.5, 4.5, 6.5, 8.5 each epoch.
"""

from __future__ import annotations

import io
import json
import os

import pytest

from kusari import serializers
from kusari.training import extensions


class TTY(io.StringIO):
    def isatty(self):
        return True


def test_log_report_means_per_epoch_and_file(make_trainer):
    trainer = make_trainer((2, "epoch"))
    log = extensions.LogReport()
    trainer.extend(log)
    trainer.run()
    assert [e["main/loss"] for e in log.log] == [4.5, 4.5]
    assert [(e["epoch"], e["iteration"]) for e in log.log] == [(1, 5), (2, 10)]
    assert all(0 <= e["elapsed_time"] <= trainer.elapsed_time for e in log.log)
    with open(os.path.join(trainer.out, "log")) as f:
        assert json.load(f) == log.log
    assert not [n for n in os.listdir(trainer.out) if n.endswith(".tmp")]


def test_log_report_keys_trigger_postprocess_and_filename(make_trainer):
    trainer = make_trainer((4, "iteration"))

    def post(entry):
        entry["double"] = 2 * entry["main/loss"]

    log = extensions.LogReport(
        keys=["main/loss"],
        trigger=(2, "iteration"),
        postprocess=post,
        filename="log_{iteration}.json",
    )
    trainer.extend(lambda t: t.observation.update(other=1.0), name="other", priority=300)
    trainer.extend(log)
    trainer.run()
    assert [e["main/loss"] for e in log.log] == [1.5, 5.5]
    assert [e["double"] for e in log.log] == [3.0, 11.0]
    assert "other" not in log.log[0]
    assert sorted(os.listdir(trainer.out)) == ["log_2.json", "log_4.json"]
    assert extensions.LogReport(log_name=None)._log_name is None  # no file


def test_log_report_serialize_keeps_log_and_running_mean(make_trainer, tmp_path):
    trainer = make_trainer((3, "iteration"))
    log = extensions.LogReport(trigger=(1, "epoch"))
    trainer.extend(log)
    trainer.run()  # mid-epoch: the mean of 0.5, 2.5, 4.5 is pending
    s = serializers.DictionarySerializer()
    s.save(trainer)
    resumed = make_trainer((2, "epoch"), out=tmp_path / "b")
    log2 = extensions.LogReport(trigger=(1, "epoch"))
    resumed.extend(log2)
    serializers.NpzDeserializer(s.target).load(resumed)
    resumed.run()
    assert [e["main/loss"] for e in log2.log] == [4.5, 4.5]


def test_print_report_table(make_trainer):
    out = io.StringIO()
    trainer = make_trainer((2, "epoch"))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(["epoch", "main/loss", "validation/main/loss"], out=out))
    trainer.run()
    lines = out.getvalue().splitlines()
    assert lines == [
        "epoch       main/loss   validation/main/loss",
        "1           4.5",
        "2           4.5",
    ]
    assert "\033" not in out.getvalue()  # no terminal escapes in a log


def test_print_report_private_log_report_and_tty(make_trainer):
    out = TTY()
    trainer = make_trainer((4, "iteration"))
    private = extensions.LogReport(trigger=(2, "iteration"), log_name=None)
    trainer.extend(extensions.PrintReport(["iteration", "main/loss"], log_report=private, out=out))
    trainer.run()
    text = out.getvalue()
    assert text.startswith("\033[J") and "2           1.5" in text and "4           5.5" in text
    with pytest.raises(TypeError, match="entries must be a list"):
        extensions.PrintReport("epoch")


def test_print_report_missing_log_report_names_it(make_trainer):
    trainer = make_trainer((1, "iteration"))
    trainer.extend(extensions.PrintReport(["epoch"], out=io.StringIO()))
    with pytest.raises(ValueError, match="no extension named 'LogReport'"):
        trainer.run(show_loop_exception_msg=False)


def test_plot_report_writes_png_and_keeps_points(make_trainer):
    pytest.importorskip("matplotlib")
    trainer = make_trainer((3, "epoch"))
    plot = extensions.PlotReport(["main/loss", "missing"], x_key="epoch", file_name="loss.png")
    trainer.extend(plot)
    trainer.run()
    path = os.path.join(trainer.out, "loss.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert plot.data == {"main/loss": [[1, 4.5], [2, 4.5], [3, 4.5]], "missing": []}
    s = serializers.DictionarySerializer()
    s.save(plot)
    again = extensions.PlotReport(["main/loss", "missing"], x_key="epoch", file_name="loss.png")
    serializers.NpzDeserializer(s.target).load(again)
    assert again.data == plot.data


def test_plot_report_without_data_writes_nothing(make_trainer):
    pytest.importorskip("matplotlib")
    trainer = make_trainer((1, "epoch"))
    trainer.extend(extensions.PlotReport(["nothing"], filename="none.png"))
    trainer.run()
    assert not os.path.exists(os.path.join(trainer.out, "none.png"))
    with pytest.raises(ValueError, match="x_key"):
        extensions.PlotReport(["a"], x_key="time")


def test_plot_report_without_matplotlib_warns_once(make_trainer, monkeypatch):
    from kusari.training.extensions import _plotting

    monkeypatch.setattr(_plotting, "_state", {"checked": True, "ok": False, "warned": False})
    trainer = make_trainer((2, "epoch"))
    trainer.extend(extensions.PlotReport(["main/loss"]))
    with pytest.warns(UserWarning, match="matplotlib is not installed") as record:
        trainer.run()
    assert len(record) == 1
    assert not os.path.exists(os.path.join(trainer.out, "plot.png"))


def test_progress_bar_plain_lines_are_rate_limited(make_trainer):
    out = io.StringIO()
    trainer = make_trainer((20, "iteration"))
    trainer.extend(extensions.ProgressBar(update_interval=5, out=out, min_interval=0))
    trainer.run()
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and "\r" not in out.getvalue() and "\033" not in out.getvalue()
    assert lines[-1].startswith("[" + "#" * 50 + "] 100.00% | 20 iter, 4 epoch")
    assert "25.00%" in lines[0] and "iters/sec" in lines[1] and "ETA" in lines[1]
    out2 = io.StringIO()
    trainer = make_trainer((20, "iteration"))
    trainer.extend(extensions.ProgressBar(update_interval=5, out=out2, min_interval=3600))
    trainer.run()
    assert len(out2.getvalue().splitlines()) == 1


def test_progress_bar_tqdm_on_a_terminal(make_trainer):
    pytest.importorskip("tqdm")
    out = TTY()
    trainer = make_trainer((2, "epoch"))
    trainer.extend(extensions.ProgressBar(update_interval=2, out=out))
    trainer.run()
    text = out.getvalue()
    assert "10/10" in text and "epoch 2" in text and "100%" in text


def test_progress_bar_text_block_on_a_terminal_without_tqdm(make_trainer, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name == "tqdm":
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    out = TTY()
    trainer = make_trainer((2, "epoch"))
    trainer.extend(extensions.ProgressBar(update_interval=5, out=out))
    trainer.run()
    text = out.getvalue()
    assert "     total [" + "#" * 50 + "] 100.00%" in text
    assert "this epoch [" in text and "\033[4A" in text and text.endswith("\033[J")
