"""The dependency locks agree with pyproject.toml: every declared range holds its locked pin, with hashes.

The locks are universal (markers where a pin holds only on some Pythons or platforms); these tests read the pins
that apply to the Python running them, a 3.11 like every machine and the image.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]+))?")


def read_lock(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of one lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if m := PIN.match(line):
            current = None
            if m["marker"] and not Marker(m["marker"]).evaluate():
                continue  # a pin for another Python or platform
            current = canonicalize_name(m["name"])
            assert current not in pins, f"{name}: {current} pinned twice for this Python"
            pins[current] = (m["version"], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith(("#", "--hash")):
            pytest.fail(f"{name}: not a pin with hashes: {line!r}")
    return pins


RUNTIME = read_lock("runtime.txt")
TEST = read_lock("test.txt")


@pytest.mark.parametrize(("lock", "declared"), [
    (RUNTIME, PROJECT["dependencies"]),
    (TEST, PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]),
], ids=["runtime", "test"])
def test_every_declared_range_holds_its_locked_version(lock: dict[str, tuple[str, int]], declared: list[str]) -> None:
    for line in declared:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is declared in pyproject.toml but not locked: run make lock"
        assert req.specifier.contains(lock[name][0], prereleases=True), (
            f"{req.name} {lock[name][0]} is locked, outside pyproject's {req.specifier}: run make lock")


def test_every_pin_carries_hashes() -> None:
    for lock in (RUNTIME, TEST):
        assert lock
        assert all(hashes > 0 for _, hashes in lock.values()), [n for n, (_, h) in lock.items() if h == 0]


def test_the_test_lock_installs_the_runtime_versions() -> None:
    # make test installs runtime.txt and then test.txt into one venv: a package pinned twice must agree
    build_only = {"setuptools"}  # the build backend, in the runtime lock only
    for name, (version, _) in RUNTIME.items():
        if name in build_only:
            continue
        assert TEST.get(name, (None,))[0] == version, f"{name}: runtime {version}, test {TEST.get(name)}"
    assert "setuptools" in RUNTIME  # the editable install runs without build isolation on the locked backend


def test_the_bench_extra_stays_outside_the_locks() -> None:
    for line in PROJECT["optional-dependencies"]["bench"]:
        name = canonicalize_name(Requirement(line).name)
        assert name not in RUNTIME and name not in TEST
