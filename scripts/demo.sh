#!/usr/bin/env bash
# The main job on the embedded default inputs: build in release, then compare the built-in
# uniform-progress and greedy spot policies over the default trace set (traces/spot/).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
./scripts/install-deps.sh OPENBLAS_NUM_THREADS=1
swift build -c release   # the CLI and the static candidate API library it compiles against
.build/release/sim-cascade compare spot --policies uniform-progress,greedy "$@"
