#!/usr/bin/env bash
# The whole test suite: unit tests of every module and end-to-end tests of the built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
./scripts/install-deps.sh
swift build                # every product, including the static candidate API library
swift build --build-tests
swift test --skip-build "$@"
