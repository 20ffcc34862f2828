#!/usr/bin/env python3
"""Stands in for the Python interpreter of `evolve --executor subprocess` in a test: says it is
ready, answers nothing, and exits after the first request — an executor dying mid-run."""
import sys

print('{"ready": {"backend": "dying"}}', flush=True)
sys.stdin.readline()
sys.exit(0)
