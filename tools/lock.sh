#!/usr/bin/env bash
# Re-resolve the dependency locks from PyPI: requirements/runtime.txt (the app and its build backend, used by
# make run and the image) and requirements/test.txt (the app plus the test extra at the same versions, make test).
# Extra arguments go to the resolver, e.g. --upgrade (make lock UPGRADE=1).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
# the machine's pip settings may add local wheel folders or indexes; the locks must come from PyPI alone
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT UV_INDEX_URL UV_EXTRA_INDEX_URL UV_FIND_LINKS
python3 -m venv "$tools"
"$tools/bin/pip" install -q --index-url https://pypi.org/simple uv==0.13.9
# universal: one file for every Python 3.11.x and platform, with markers where they differ
compile=("$tools/bin/uv" pip compile -q --universal --python-version 3.11 --generate-hashes
         --index-url https://pypi.org/simple --no-emit-index-url --custom-compile-command "make lock" "$@")
# the build backend is locked too, so the editable install of the project needs no download
python3 -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
  > "$tools/build.in"
"${compile[@]}" -o requirements/runtime.txt pyproject.toml "$tools/build.in"
sed -i "s|# via -r $tools/build.in|# via deltaflow (pyproject.toml, build-system)|" requirements/runtime.txt
"${compile[@]}" --extra test -c requirements/runtime.txt -o requirements/test.txt pyproject.toml
