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

swift build                # every product, including the static candidate API library
swift build --build-tests
swift test --skip-build "$@"
