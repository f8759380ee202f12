"""Vendor Plotly's cartesian partial bundle into static/vendor/plotly, pointing nowhere outside this app.

    .venv/bin/python tools/vendor_plotly.py 4.1.1

Runs `npm pack plotly.js-cartesian-dist-min@VERSION`, checks the bundle and licence, and writes the bundle with
its three links to other origins made inert: the mode bar's "Produced with Plotly" logo (DeltaFlow hides it,
but the link stays in the code), the default topojson URL (geo traces, not in this bundle) and the default
"send to cloud" URL. A classroom without internet then has nothing to reach for. Every other byte is the
package's; the script prints the package file's sha256 so the copy can be checked against the registry.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "static" / "vendor" / "plotly"
# (what the package ships, what DeltaFlow serves): each must occur exactly once
INERT = (
    ('r.href="https://plotly.com/"', 'r.href="#"'),
    ('dflt:"https://cdn.plot.ly/un/"', 'dflt:"/vendor/topojson/"'),
    ('dflt:"https://cloud.plotly.com/newchart"', 'dflt:""'),
)


def make_inert(source: str) -> str:
    """The bundle with its links to other origins replaced; refuses a bundle whose code has changed shape."""
    for old, new in INERT:
        if source.count(old) != 1:
            raise SystemExit(f"expected {old!r} exactly once in the bundle; check the new version by hand")
        source = source.replace(old, new)
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", help="the plotly.js version the installed plotly package bundles, e.g. 4.1.1")
    version = parser.parse_args().version
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"plotly.js-cartesian-dist-min@{version}"], cwd=tmp, check=True)
        with tarfile.open(next(Path(tmp).glob("*.tgz"))) as tgz:
            tgz.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        raw = (package / "plotly-cartesian.min.js").read_bytes()
        print("package plotly-cartesian.min.js sha256", hashlib.sha256(raw).hexdigest())
        TARGET.mkdir(parents=True, exist_ok=True)
        (TARGET / "plotly-cartesian.min.js").write_text(make_inert(raw.decode("utf-8")), encoding="utf-8")
        shutil.copy(package / "LICENSE", TARGET / "LICENSE")


if __name__ == "__main__":
    main()
