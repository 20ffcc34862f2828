#!/usr/bin/env python3
"""The cascade against fine-only on the children of an evolve run.

Usage: scripts/cascade-on-children.py RUN_DIR/store.sqlite .build/release/sim-cascade [--fresh]

Cascade time: the seconds of every stage each child ran (from the store). Fine-only time: the
child's fine stage where it ran, else `sim-cascade eval --level fine` on it now (compile cached).
Children that did not compile cost the same either way and are left out. With --fresh, both
are measured now, one child at a time (`eval` and `eval --level fine`, compile cached), so that
times stored by a run with several workers (which ran concurrently) do not enter the ratio."""
import json, sqlite3, subprocess, sys, os, tempfile
db = sqlite3.connect(sys.argv[1])
B = sys.argv[2]
fresh = "--fresh" in sys.argv[3:]

def stage_seconds(path, extra):
    out = subprocess.run([B, "eval", path, "--json"] + extra, capture_output=True, text=True)
    return [s["seconds"] for s in json.loads(out.stdout)["stages"] if s["status"] != "skipped"]
rows = db.execute("select id, source, valid, rejectedAt from programs order by id").fetchall()
cascade = 0.0; fine_only = 0.0; n = 0; stopped = {}
tmp = tempfile.mkdtemp()
for pid, source, valid, rejected in rows:
    if pid == 1: continue  # the initial program
    stages = db.execute("select stage, seconds from evaluations where programId=? and status != 'skipped'", (pid,)).fetchall()
    if not stages or stages[0][0] == 'compile':
        continue  # compile errors cost the same either way
    if fresh:
        path = os.path.join(tmp, f"c{pid}.swift"); open(path, "w").write(source)
        cascade += sum(stage_seconds(path, []))
        fine_only += stage_seconds(path, ["--level", "fine"])[0]
        n += 1
        stopped[rejected or "passed"] = stopped.get(rejected or "passed", 0) + 1
        continue
    cascade += sum(s for _, s in stages)
    fine = [s for st, s in stages if st == 'fine']
    if fine:
        fine_only += fine[0]
    else:
        path = os.path.join(tmp, f"c{pid}.swift"); open(path, "w").write(source)
        out = subprocess.run([B, "eval", path, "--level", "fine", "--json"], capture_output=True, text=True)
        d = json.loads(out.stdout)
        fine_only += d["stages"][0]["seconds"]
    n += 1
    stopped[rejected or "passed"] = stopped.get(rejected or "passed", 0) + 1
print(json.dumps({"children": n, "cascade_seconds": cascade, "fine_only_seconds": fine_only,
                  "factor": fine_only / cascade if cascade else None, "outcomes": stopped}))
