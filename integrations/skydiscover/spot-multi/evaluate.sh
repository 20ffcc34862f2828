#!/bin/sh
# Written by `python -m sim_cascade.tasks` from `sim-cascade init spot-multi`; do not edit by hand.
# evaluate.sh SOLUTION train|test: one JSON object {"status", "combined_score", "metrics", "artifacts"}.
# test = the fine level on the held-out inputs.
here=$(dirname "$0")
exec python3 -m sim_cascade.skydiscover --problem spot-multi --timeout 280 --check-outside-block \
    --template "$here/initial_program.swift" --eval-args="--models-only" "$@"
