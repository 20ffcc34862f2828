#!/usr/bin/env bash
# The whole test suite: unit tests of every module and end-to-end tests of the built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
./scripts/install-deps.sh

# Pinned packages in cached venvs, each but pandas's with this package (`pip install ./python`,
# from a copy: setuptools writes build/ beside the sources it builds; offline, with the venv's own
# setuptools): OpenEvolve for the bridges' end-to-end test, Ray for the Ray executor's tests,
# pandas for the prefix rendering's differential test. Without network those tests are skipped
# and named; everything else runs.
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/sim-cascade"
cached_venv() {  # NAME REQUIREMENT IMPORT_CHECK VARIABLE [no-package]
    local venv="$cache/$1" requirement="$2" check="$3" variable="$4" package
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "$check" 2>/dev/null; then
        rm -rf "$venv"
        if ! { python3 -m venv "$venv" 2>/dev/null \
               && "$venv/bin/pip" install -q --disable-pip-version-check --retries 1 --timeout 15 "$requirement" >&2; }; then
            echo "note: $requirement could not be installed; the tests that need it will be skipped" >&2
            rm -rf "$venv"
            return 0
        fi
    fi
    if [[ "${5:-}" == no-package ]]; then
        export "$variable=$venv/bin/python"
        return 0
    fi
    package=$(mktemp -d)
    cp -r python/pyproject.toml python/README.md python/sim_cascade "$package/"
    if "$venv/bin/pip" install -q --disable-pip-version-check --retries 1 --timeout 15 --force-reinstall --no-deps "$package" >&2 \
        || "$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps --no-build-isolation "$package" >&2; then
        export "$variable=$venv/bin/python"
    else
        echo "note: pip install ./python failed in $venv; the tests that need it will be skipped" >&2
    fi
    rm -rf "$package"
}
cached_venv openevolve-0.4.1-venv "openevolve==0.4.1" \
    "import openevolve, importlib.metadata as m; assert m.version('openevolve') == '0.4.1'" SIM_CASCADE_OPENEVOLVE_PYTHON
cached_venv ray-2.60.0-venv "ray==2.60.0" "import ray; assert ray.__version__ == '2.60.0'" SIM_CASCADE_RAY_PYTHON

# pandas 2.x, for the prefix rendering's differential test (its cases are generated here).
unset SIM_CASCADE_TEST_PANDAS_PYTHON
cached_venv pandas-2.3.3-venv "pandas==2.3.3" "import pandas; assert pandas.__version__ == '2.3.3'" SIM_CASCADE_TEST_PANDAS_PYTHON no-package
if [[ -n "${SIM_CASCADE_TEST_PANDAS_PYTHON:-}" ]]; then
    cases=$(mktemp -d)
    trap 'rm -rf "$cases"' EXIT
    "$SIM_CASCADE_TEST_PANDAS_PYTHON" scripts/pandas-cases.py "$cases/pandas-cases.json"
    export SIM_CASCADE_PANDAS_CASES="$cases/pandas-cases.json"
fi

swift build                # every product, including the static candidate API library
swift build --build-tests
swift test --skip-build "$@"

# The Python bridges (python/), against this build's binary.
PYTHONDONTWRITEBYTECODE=1 SIM_CASCADE_BIN="$(swift build --show-bin-path)/sim-cascade" python3 -m unittest discover -s python/tests -v
