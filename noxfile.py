"""Sessions that test, check and run kusari. ``nox -l`` lists them; plain ``nox`` runs the
default ones, which is what CI runs.

In-repo distributions are always installed by path, never by name: the ``kusari-*`` names on
a package index are not ours. PyTorch (the test oracle) comes from the CPU wheel on this
machine's disk; without that file, pip is asked for ``torch==2.13.0``.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = False
# Only the interpreters on this machine: never fetch a Python build from the network.
nox.options.download_python = "never"

ROOT = Path(__file__).resolve().parent
PYTHON = "3.11"  # the one Python the local torch wheel is built for
# Sessions without torch also run on these where present (missing ones are skipped).
ALL_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
TORCH_VERSION = "2.13.0"

# Small arrays run fastest single-threaded, and CI has 2 cores for everything.
TEST_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONDONTWRITEBYTECODE": "1",
}
PYTEST = ("pytest", "-p", "no:cacheprovider")

LINT_REQUIREMENTS = ("ruff==0.17.6", "import-linter==2.16")


@dataclass(frozen=True)
class Package:
    """One distribution of this repository."""

    name: str  # folder under packages/ and the ``package`` parameter of ``tests``
    ships: tuple[str, ...]  # wheel paths this distribution owns
    extras: str = ""
    test_with: tuple[str, ...] = ()  # other in-repo packages its tests need

    @property
    def path(self) -> Path:
        return ROOT / "packages" / self.name

    @property
    def tests(self) -> str:
        return f"packages/{self.name}/tests"


PACKAGES = {
    pkg.name: pkg
    for pkg in (
        Package("core", ("kusari/",), extras="[hdf5]"),
        Package("links", ("kusari/links/",)),
        Package("optimizers", ("kusari/optimizers/", "kusari/optimizer_hooks/")),
        Package(
            "training",
            ("kusari/training/", "kusari/iterators/", "kusari/datasets/", "kusari/dataset/"),
            test_with=("links", "optimizers"),
        ),
        Package("backend-cuda", ("kusari_backend_cuda/",)),
    )
}
# Core's tests discover backend plugins through this test-only distribution.
FAKE_BACKEND = ROOT / "packages/core/tests/plugins/kusari-fake-backend"
# Everything but the CUDA backend: what an application installs.
APP_PACKAGES = ("core", "links", "optimizers", "training")


def _local_torch_dir() -> str | None:
    """The folder holding the local CPU torch wheel for this Python, if there is one."""
    tag = "cp" + PYTHON.replace(".", "")
    places = os.environ.get("PIP_FIND_LINKS", "").split() + ["/opt/wheels"]
    for place in places:
        folder = place.removeprefix("file://")
        if glob.glob(os.path.join(folder, f"torch-{TORCH_VERSION}+cpu-{tag}-*.whl")):
            return folder
    return None


TORCH_DIR = _local_torch_dir()
# uv installs the local wheel in seconds when told where it is, and the exact "+cpu" pin
# makes it fail rather than download a CUDA build. Without the file, pip (which reads the
# machine's find-links configuration) is the safer installer.
TORCH_VENV_BACKEND = "uv" if TORCH_DIR else "virtualenv"


def _test_requirements(*names: str) -> list[str]:
    """The union of the packages' ``test`` dependency groups, torch pinned to the local wheel."""
    requirements: list[str] = []
    for name in names:
        pyproject = nox.project.load_toml(PACKAGES[name].path / "pyproject.toml")
        for req in nox.project.dependency_groups(pyproject, "test"):
            if req.startswith("torch") and TORCH_DIR:
                req = f"torch=={TORCH_VERSION}+cpu"
            if req not in requirements:
                requirements.append(req)
    if TORCH_DIR and any(req.startswith("torch") for req in requirements):
        requirements += ["--find-links", TORCH_DIR]
    return requirements


def _editable(*names: str) -> list[str]:
    args: list[str] = []
    for name in names:
        pkg = PACKAGES[name]
        args += ["-e", f"{pkg.path}{pkg.extras}"]
    return args


def _closure(name: str) -> list[str]:
    """A package, core, and the in-repo packages its tests need, core first."""
    names = ["core", *PACKAGES[name].test_with, name]
    return list(dict.fromkeys(names))


@nox.session(python=PYTHON, venv_backend=TORCH_VENV_BACKEND)
@nox.parametrize("package", list(PACKAGES))
def tests(session: nox.Session, package: str) -> None:
    """One package's tests, with only that package and what it declares installed (editable)."""
    names = _closure(package)
    extra = [str(FAKE_BACKEND)] if package == "core" else []
    session.install(*_editable(*names), *extra, *_test_requirements(*names))
    session.run(*PYTEST, PACKAGES[package].tests, *session.posargs, env=TEST_ENV)


@nox.session(python=PYTHON, venv_backend=TORCH_VENV_BACKEND, default=False)
def tests_all(session: nox.Session) -> None:
    """Every package's tests in one run, all packages installed editable."""
    session.install(*_editable(*PACKAGES), str(FAKE_BACKEND), *_test_requirements(*PACKAGES))
    paths = [pkg.tests for pkg in PACKAGES.values()]
    session.run(*PYTEST, *paths, *session.posargs, env=TEST_ENV)


def _rightful_owner(file: str) -> str | None:
    """The package whose most specific ``ships`` prefix covers ``file``."""
    claims = [
        (len(p), pkg.name) for pkg in PACKAGES.values() for p in pkg.ships if file.startswith(p)
    ]
    return max(claims)[1] if claims else None


def _check_wheels(session: nox.Session, wheels: dict[str, Path]) -> None:
    """Every file in a wheel is its own package's (so no two wheels share a file and only core
    ships kusari/__init__.py), and every subpackage has its __init__.py and py.typed."""
    count = 0
    for name, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as archive:
            files = [f for f in archive.namelist() if ".dist-info/" not in f]
        for file in files:
            rightful = _rightful_owner(file)
            if rightful != name:
                session.error(f"{wheel.name} ships {file}, which belongs to {rightful}")
        for prefix in PACKAGES[name].ships:
            if not (PACKAGES[name].path / "src" / prefix).is_dir():
                continue  # a subpackage not written yet
            for required in ("__init__.py", "py.typed"):
                if prefix + required not in files:
                    session.error(f"{wheel.name} lacks {prefix}{required}")
        count += len(files)
    session.log(f"{count} files in {len(wheels)} wheels, each in the one wheel it belongs to")


def _copy_tests(dest: Path) -> list[str]:
    """Mirror the tests (and what they read from the tree) without any source code."""
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".hypothesis")
    shutil.copy2(ROOT / "pytest.ini", dest / "pytest.ini")
    if (ROOT / "examples").is_dir():
        shutil.copytree(ROOT / "examples", dest / "examples", ignore=skip)
    paths = []
    for pkg in PACKAGES.values():
        shutil.copytree(pkg.path / "tests", dest / pkg.tests, ignore=skip)
        paths.append(pkg.tests)
    return paths


IMPORTED_FROM_SITE = """
import importlib, sys
mods = ["kusari", "kusari.links", "kusari.optimizers", "kusari.training", "kusari_backend_cuda"]
for name in mods:
    where = importlib.import_module(name).__file__
    if "site-packages" not in where:
        sys.exit(f"{name} was imported from {where}, not from the installed wheel")
print("all kusari packages import from site-packages")
"""


@nox.session(python=PYTHON, venv_backend=TORCH_VENV_BACKEND)
def integration(session: nox.Session) -> None:
    """Build every wheel, check who owns which file, install the wheels, test from outside."""
    with tempfile.TemporaryDirectory(prefix="kusari-integration-") as tmp:
        work = Path(tmp)
        dist = work / "dist"
        # uv build makes the sdist and then the wheel from it, so a file missing from the
        # sdist shows up here too.
        sources = {name: pkg.path for name, pkg in PACKAGES.items()} | {"fake": FAKE_BACKEND}
        for name, path in sources.items():
            out = str(dist / name)
            session.run("uv", "build", "--quiet", "--out-dir", out, str(path), external=True)
        wheels = {name: next((dist / name).glob("*.whl")) for name in sources}
        fake = wheels.pop("fake")
        _check_wheels(session, wheels)

        core = f"kusari-core{PACKAGES['core'].extras} @ {wheels['core'].as_uri()}"
        others = [str(wheel) for name, wheel in wheels.items() if name != "core"]
        session.install(core, *others, str(fake), *_test_requirements(*PACKAGES))

        paths = _copy_tests(work)
        with session.chdir(work):
            session.run("python", "-c", IMPORTED_FROM_SITE)
            # The slow end-to-end tests already ran against the editable installs.
            session.run(*PYTEST, "-m", "not slow", *paths, *session.posargs, env=TEST_ENV)


@nox.session(python=ALL_PYTHONS)
def subset(session: nox.Session) -> None:
    """Install core alone, add links, then uninstall core: what is missing names its wheel."""
    # No conftest: the packages' test fixtures expect the whole test environment.
    check = ("pytest", "-p", "no:cacheprovider", "--noconftest")
    subset_tests = "packages/core/tests/test_packaging_subset.py"
    session.install(str(PACKAGES["core"].path), "pytest")
    session.run(*check, subset_tests, env=TEST_ENV)

    # Core by path again, so the resolver never looks up the name kusari-core on an index.
    session.install(str(PACKAGES["core"].path), str(PACKAGES["links"].path))
    session.run(*check, subset_tests, "packages/links/tests/test_packaging_links.py", env=TEST_ENV)

    # Uninstalling core leaves links in a bare kusari/ folder: importing it must say why.
    session.run("uv", "pip", "uninstall", "kusari-core", external=True)
    session.run(*check, subset_tests, env=TEST_ENV)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and the import contracts in .importlinter."""
    # Regular (not editable) installs: the import graph tool reads one kusari/ folder, so
    # it needs every portion merged into site-packages, as wheels install them.
    packages = [str(pkg.path) for pkg in PACKAGES.values()]
    session.install(*LINT_REQUIREMENTS)
    session.install("--no-deps", *packages)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports", "--config", ".importlinter", "--no-cache")


@nox.session(python=PYTHON, venv_backend=TORCH_VENV_BACKEND, default=False)
def docs(session: nox.Session) -> None:
    """Run the examples in the docstrings (doctest)."""
    # kusari.testing's oracle examples call PyTorch.
    session.install(*_editable(*APP_PACKAGES), *_test_requirements(*APP_PACKAGES))
    sources = [
        str(path)
        for name in APP_PACKAGES
        for prefix in PACKAGES[name].ships
        if (path := PACKAGES[name].path / "src" / prefix).is_dir()
    ]
    session.run(*PYTEST, "--doctest-modules", *sources, *session.posargs, env=TEST_ENV)


@nox.session(python=PYTHON, venv_backend=TORCH_VENV_BACKEND, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against PyTorch CPU: ``nox -s bench [-- --quick] [-- benchmarks/x.py]``.

    Runs ``benchmarks/run_all.py`` when it exists (the driver), else every script in
    ``benchmarks/`` not starting with ``_``; other arguments go to each script.
    """
    chosen = [arg for arg in session.posargs if arg.endswith(".py")]
    flags = [arg for arg in session.posargs if not arg.endswith(".py")]
    driver = ROOT / "benchmarks" / "run_all.py"
    if not chosen:
        scripts = sorted(ROOT.glob("benchmarks/[!_]*.py"))
        chosen = [str(driver)] if driver.exists() else [str(p) for p in scripts]
    if not chosen:
        session.error("no benchmarks/*.py to run")
    session.install(*_editable(*APP_PACKAGES), *_test_requirements(*APP_PACKAGES))
    for script in chosen:
        session.run("python", script, *flags)


@nox.session(python=PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """Train the MNIST example: ``nox -s demo`` (arguments after ``--`` go to the script).

    The data is Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package, installed
    here when it is missing and apt can be used; otherwise the example says what to do.
    """
    _ensure_fashion_mnist(session)
    session.install(*_editable(*APP_PACKAGES))
    session.run("python", "examples/mnist/train_mnist.py", *session.posargs)


def _ensure_fashion_mnist(session: nox.Session) -> None:
    if Path("/usr/share/datasets/fashion-mnist").is_dir():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        session.warn(
            "Fashion-MNIST is not installed and apt-get cannot be used here; "
            "the example will explain where to put the files"
        )
        return
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=env, success_codes=[0, 100])
    session.run(
        "apt-get",
        "install",
        "-y",
        "-qq",
        "dataset-fashion-mnist",
        external=True,
        env=env,
        success_codes=[0, 100],
    )
