#!/usr/bin/env bash
# The main job on the embedded default inputs: build in release, compare the built-in
# uniform-progress and greedy spot policies over the default trace set (traces/spot/), then
# evolve the greedy template for 100 iterations with the offline generator and show how far it
# got (the report's re-scoring compares it with the template on the held-out set).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
./scripts/install-deps.sh
export OPENBLAS_NUM_THREADS=1
swift build -c release   # the CLI and the static candidate API library it compiles against
.build/release/sim-cascade compare spot --policies uniform-progress,greedy "$@"
.build/release/sim-cascade evolve --problem spot --iterations 100 --run "runs/demo-$(date -u +%Y%m%d-%H%M%S)"
