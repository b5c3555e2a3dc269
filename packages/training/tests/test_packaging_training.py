"""kusari-training is one portion of the shared ``kusari`` namespace, packaged as designed.

These checks pass for an editable install and for the wheel alike.
"""

from kusari.testing.packaging import PortionChecks


class TestPackaging(PortionChecks):
    dist = "kusari-training"
    modules = ("kusari.training", "kusari.iterators", "kusari.datasets", "kusari.dataset")
    hard_dependencies = frozenset({"kusari-core", "matplotlib", "tqdm"})
