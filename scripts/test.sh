#!/usr/bin/env bash
# The whole test suite: unit tests of every module and end-to-end tests of the built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
./scripts/install-deps.sh

# pandas 2.x in a cached venv, for the prefix rendering's differential test. Without network the
# test is skipped and named; everything else runs.
venv="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/sim-cascade/pandas-2.3.3-venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import pandas; assert pandas.__version__ == '2.3.3'" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv" 2>/dev/null && "$venv/bin/pip" install -q --disable-pip-version-check "pandas==2.3.3" >&2 \
        || { echo "note: pandas could not be installed; the pandas differential test will be skipped" >&2; rm -rf "$venv"; }
fi
if [[ -x "$venv/bin/python" ]]; then
    cases=$(mktemp -d)
    trap 'rm -rf "$cases"' EXIT
    "$venv/bin/python" scripts/pandas-cases.py "$cases/pandas-cases.json"
    export SIM_CASCADE_PANDAS_CASES="$cases/pandas-cases.json"
fi

# The Python bridges' end-to-end test runs OpenEvolve 0.4.1 (pinned) with this package, in a
# cached venv; without network that test is skipped and named, the bridges' unit tests still run.
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/sim-cascade"
openevolve="$cache/openevolve-0.4.1-venv"
if [[ ! -x "$openevolve/bin/python" ]] || ! "$openevolve/bin/python" -c "import openevolve, importlib.metadata as m; assert m.version('openevolve') == '0.4.1'" 2>/dev/null; then
    rm -rf "$openevolve"
    python3 -m venv "$openevolve" 2>/dev/null \
        && "$openevolve/bin/pip" install -q --disable-pip-version-check --retries 1 --timeout 15 "openevolve==0.4.1" >&2 \
        || { echo "note: OpenEvolve could not be installed; the OpenEvolve end-to-end test will be skipped" >&2; rm -rf "$openevolve"; }
fi
if [[ -x "$openevolve/bin/python" ]]; then
    # `pip install ./python`, as a user would (offline: with the venv's own setuptools), from a
    # copy: setuptools writes build/ and *.egg-info beside the sources it builds.
    package=$(mktemp -d)
    cp -r python/pyproject.toml python/README.md python/sim_cascade "$package/"
    if "$openevolve/bin/pip" install -q --disable-pip-version-check --retries 1 --timeout 15 --force-reinstall --no-deps "$package" >&2 \
        || "$openevolve/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps --no-build-isolation "$package" >&2; then
        export SIM_CASCADE_OPENEVOLVE_PYTHON="$openevolve/bin/python"
    else
        echo "note: pip install ./python failed; the OpenEvolve end-to-end test will be skipped" >&2
    fi
    rm -rf "$package"
fi

swift build                # every product, including the static candidate API library
swift build --build-tests
swift test --skip-build "$@"

# The Python bridges (python/), against this build's binary.
PYTHONDONTWRITEBYTECODE=1 SIM_CASCADE_BIN="$(swift build --show-bin-path)/sim-cascade" python3 -m unittest discover -s python/tests -v
