#!/usr/bin/env python3
"""The cascade against fine-only on the children of an evolve run.

Usage: scripts/cascade-on-children.py RUN_DIR/store.sqlite .build/release/sim-cascade

Cascade time: the seconds of every stage each child ran (from the store). Fine-only time: the
child's fine stage where it ran, else `sim-cascade eval --level fine` on it now (compile cached).
Children that did not compile cost the same either way and are left out."""
import json, sqlite3, subprocess, sys, os, tempfile
db = sqlite3.connect(sys.argv[1])
B = sys.argv[2]
rows = db.execute("select id, source, valid, rejectedAt from programs order by id").fetchall()
cascade = 0.0; fine_only = 0.0; n = 0; stopped = {}
tmp = tempfile.mkdtemp()
for pid, source, valid, rejected in rows:
    if pid == 1: continue  # the initial program
    stages = db.execute("select stage, seconds from evaluations where programId=? and status != 'skipped'", (pid,)).fetchall()
    if not stages or stages[0][0] == 'compile':
        continue  # compile errors cost the same either way
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
