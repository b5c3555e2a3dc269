"""Chainer's ``chainer.link`` module: Link, Chain, ChainList (from kusari-links)."""

from kusari._lazy import require

_links = require("kusari.links", "kusari-links", "kusari.link")
Link = _links.Link
Chain = _links.Chain
ChainList = _links.ChainList

__all__ = ["Link", "Chain", "ChainList"]
