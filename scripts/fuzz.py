#!/usr/bin/env python3
"""Seeded mutation fuzz harness for the sim-cascade CLI (Python 3, standard library only).

Usage
-----
    python3 scripts/fuzz.py                                   # --count 600 --seed 0, debug binary
    python3 scripts/fuzz.py --binary .build/release/sim-cascade --seed 1 --count 3000 --out /tmp/fuzz-out
    python3 scripts/fuzz.py --count 20000                     # a long run (~17 min with the debug binary)
    python3 scripts/fuzz.py --count 20000 --jobs 2            # the same inputs, two at a time (when no build runs)
    python3 scripts/fuzz.py --targets prefix,txn --count 500 --json
    python3 scripts/fuzz.py --seed 1 --count 3000 --only 1234  # regenerate and rerun input 1234 alone

The default (--count 600) takes about 35 s with the debug binary on a 2-core machine (about
20 inputs/s, plus ~10 s of warm-up: one compile per eval problem and a seed run store); the time
grows linearly with --count.

What it does
------------
Input i is generated from random.Random(S) alone (S = --seed): a master generator draws one
64-bit sub-seed per input, in order, and input i is built from its sub-seed. The same seed and
count give the same inputs in the same order, and a longer run starts with the inputs of a
shorter one. Each input picks a target (weighted, see TARGETS), takes a valid seed input (the
committed traces/, fidelity-reports/ and templates, or one built here) and mutates its files
(structure-aware JSON mutations: parse, mutate one node, dump; byte-level mutations; CSV-level
mutations) and/or its numeric options, then runs the CLI once, in a folder of its own (the cwd)
under a session folder in /tmp, with SIM_CASCADE_CACHE pointing into the session folder. The
session folder is removed at the end. Nothing is written to the repository.

Properties checked for every run (each failing property is a "finding"):
  1. crash      killed by a signal (negative return code).
     bad-exit   an exit status other than 0 or 2. Exit 3 ("this machine cannot do it") is
                accepted only when the `error:` line names an environment resource: it must
                match ENVIRONMENT_PROBLEM (sandbox, namespace, cgroup, chroot, swiftc, compiler,
                toolchain, candidate API, permission denied, not permitted, no space left), or
                the run store or its lock (store.sqlite, evolve.lock): the product documents
                store errors as exit 3 ("this machine's or its files'"). Any other exit 3 is
                a finding.
  2. hang       no exit within --timeout-seconds (the process group is killed).
  3. multi-line-error
                on exit 2, stderr must hold exactly one line starting "error: "; any other line
                must start "warning: " or "note: ".
  4. raw-control-bytes
                stderr holds a byte < 0x20 other than "\\n", or 0x7f (NUL, CR, ESC, TAB, ...).
  5. other      stdout/stderr contain "Fatal error", "Stack dump", "stack trace",
                "EncodingError", "NSCocoaErrorDomain" or "SQLite error", or (Swift errors
                printed raw) "DecodingError" or "codingPath:" (any exit status);
                on exit 0: nan/inf printed as a value (text: as a token, except in `runs
                dump`, which prints stored cells verbatim; --json: a non-finite number), stdout not JSON although --json was given, an "error: " line on stderr;
                on exit 2: anything on stdout.

Resource limits: every run gets an address-space limit (--memory-limit-mb, default 4096, set
with `ulimit -v` in a `sh -c` wrapper) so that an input asking for a huge allocation fails
(as a crash finding) instead of exhausting the machine's memory.

Binary snapshot: by default the binary, sim-cascade-sandbox and the candidate API and host
(libCandidateAPI.a, libCandidateHost.a, Modules/CandidateAPI.swiftmodule) are copied into the session folder, next
to a fake repository root whose traces/ and fidelity-reports/ link to the real ones, so that a
rebuild during the run does not change the binary under test. --no-snapshot runs --binary in
place.

Run stores (target runs-store): a short txn evolution made by the binary at the start of the
session (not counted) gives a valid store.sqlite; inputs change it with SQL (sqlite3: cells set
to special strings, extreme numbers, NULL, blobs, mutated JSON; rows deleted or duplicated;
tables or indices dropped) or bytes (flips, truncation, zeroed pages), then run `runs
show|dump|verify|list` or `evolve --resume`. This target's inputs are deterministic except for
the timing columns of the seed store.

Eval and evolve: `eval` compiles its candidate once per problem into the session's compile
cache (a warm-up before the first input, not counted); eval-* and evolve-selection inputs are
kept to <= 3 % of the inputs. Evolve inputs always end before any network or long work:
evolve-config parses --config for the openai generator then stops on a missing --initial;
evolve-opts stops on the missing --config.

Output: a summary table per target (inputs, exit 0, exit 2, other exits, crashes, hangs,
multi-line errors, raw control bytes, other findings), the distinct findings (grouped by kind,
target and the normalised first stderr line), --json for the same as JSON. With --out DIR, each
failing input is written to DIR/<target>-<index>/ (its files, cmd.sh to replay it, args.json,
stdout.txt, stderr.txt, finding.txt). Exit status 0 when there is no finding, 1 otherwise
(2 for a bad harness invocation).
"""

import argparse
import copy
import hashlib
import json
import math
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import random

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REPO = os.path.dirname(SCRIPT_DIR)

# Exit 3 is accepted only with an error line that names one of these (see the module docstring).
ENVIRONMENT_PROBLEM = re.compile(
    r"sandbox|namespace|cgroup|chroot|unshare|seccomp|swiftc|compiler|toolchain|candidate API|"
    r"permission denied|not permitted|no space left|store\.sqlite|evolve\.lock", re.IGNORECASE)

# The brief's list, plus two more markers of a Swift error printed raw instead of as a message.
FORBIDDEN = [b"Fatal error", b"Stack dump", b"stack trace", b"EncodingError", b"NSCocoaErrorDomain", b"SQLite error",
             b"DecodingError", b"codingPath:"]

# A nan/inf printed as a value: a token, not part of a word ("infeasible", "information").
NONFINITE_TOKEN = re.compile(rb"(?<![A-Za-z0-9_.])[-+]?(?:nan|inf|infinity)(?![A-Za-z0-9_])", re.IGNORECASE)

# ---------------------------------------------------------------------------------------------
# Interesting values
# ---------------------------------------------------------------------------------------------

# Command-line numeric values (strings; none holds a NUL, which argv cannot carry).
OPTION_VALUES = [
    "0", "-1", "1", "2", "-0", "-0.0", "", " 1", "1 ", "1e-320", "5e-324", "0x10", "0b1", "1_000", "+1",
    "2147483647", "2147483648", "-2147483649", "4294967296", "4294967297",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "1e308", "-1e308", "1.7976931348623157e308",
    "1e999", "-1e999", "nan", "NaN", "-nan", "inf", "-inf", "infinity", "Infinity", "1e15", "1e9",
    "0.1", "0.5", "1.5", "99999999999999999999999999999999999999999", "1" + "0" * 400,
    "1,2", "abc", "1e", ".5", "5.", "\uff11", "1\n", "\x1b[31m1", "1\t", "1\r",
]

# JSON number tokens (raw text). The first group is valid JSON.
JSON_NUMBERS_VALID = [
    "0", "-0", "-0.0", "1", "-1", "2", "0.5", "1.5", "0.1", "1e-320", "5e-324", "1e15", "1e9",
    "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "18446744073709551616", "1e308", "-1e308", "1.7976931348623157e308",
    "1e999", "-1e999", "123456789012345678901234567890", "1" + "0" * 400, "1E2", "1e+2", "-1e-7",
]
JSON_NUMBERS_INVALID = ["NaN", "Infinity", "-Infinity", "0x10", "01", "+1", ".5", "1.", "1e", "--1", "1_0"]

SPECIAL_STRINGS = [
    "", " ", "\n", "a\nb", "\r", "a\rb", "\r\n", "\x00", "a\x00b", "\x1b[31mred\x1b[0m", "\x1b", "\t", "\x7f",
    "\x07", "\x08", "\u2028", "\u0085", "x" * 10000, "y" * 200, "../../etc", "/", ".", "..", "//",
    "é", "日本", "\U0001F600", " leading", "trailing ", "%s%n%x", "$HOME", "'\"`", "a,b", "\"quoted\"",
    "\\", "C:\\x", "-", "--help", "0", "1",
]
LONE_SURROGATE = "\\ud800"  # as JSON escape text (Python cannot encode it raw)

INTERESTING_BYTES = [0x00, 0x0a, 0x0d, 0x1b, 0x7f, 0x22, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x3a, 0x2d,
                     0x30, 0x31, 0x39, 0x65, 0x2e, 0xff, 0xc3, 0xe2, 0x09, 0x20, 0x80, 0xfe]


class Raw:
    """JSON text inserted as is (numbers JSON has no value for, invalid tokens, deep nesting)."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class Pairs:
    """A JSON object with its keys in order, possibly repeated."""
    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def dump(value, ascii_only=True):
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return "{" + ", ".join(dump(k, ascii_only) + ": " + dump(v, ascii_only) for k, v in value.items) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(dump(k, ascii_only) + ": " + dump(v, ascii_only) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v, ascii_only) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "1e999"
    return str(value)


def to_bytes(text):
    return text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------

def wchoice(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


def extreme_number(rng):
    if rng.random() < 0.85:
        return Raw(rng.choice(JSON_NUMBERS_VALID))
    return Raw(rng.choice(JSON_NUMBERS_INVALID))


def tweak_number(rng, v):
    if isinstance(v, Raw) or isinstance(v, bool) or not isinstance(v, (int, float)):
        return extreme_number(rng)
    op = rng.randrange(8)
    if op == 0:
        return v + 1
    if op == 1:
        return v - 1
    if op == 2:
        return -v
    if op == 3:
        return v * rng.choice([2, 10, 1000, 1e6])
    if op == 4:
        return v / rng.choice([2, 3, 7, 1e6]) if v else 0.5
    if op == 5:
        return v + 0.5
    if op == 6:
        return 0
    return rng.choice([2 ** 31, 2 ** 32, 2 ** 53 + 1, 2 ** 63, 2 ** 64, 10 ** 6, 10 ** 9])


def special_string(rng, current=None):
    s = rng.choice(SPECIAL_STRINGS)
    if current is not None and isinstance(current, str) and rng.random() < 0.5:
        return current + s if rng.random() < 0.7 else s + current
    return s


def other_type(rng, v):
    options = ["str", 0, 1.5, -1, [], [v], {}, {"k": v}, None, True, False, Raw("1e999")]
    return copy.deepcopy(rng.choice(options))


def deep(rng, v):
    depth = rng.choice([64, 512, 4096, 100000])
    if rng.random() < 0.6:
        return Raw("[" * depth + dump(v) + "]" * depth)
    return Raw('{"a": ' * depth + dump(v) + "}" * depth)


def pick_path(rng, doc, stop=0.25):
    path = []
    node = doc
    while isinstance(node, (dict, list)) and len(node) > 0:
        if rng.random() < stop:
            break
        if isinstance(node, dict):
            key = rng.choice(list(node.keys()))
        else:
            key = rng.randrange(len(node))
        path.append(key)
        node = node[key]
    return path


def path_text(path):
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path) or "(root)"


def get_at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def mutate_json_node(rng, doc, notes):
    """Mutates one node of a parsed JSON document; returns the (possibly replaced) document."""
    path = pick_path(rng, doc)
    node = get_at(doc, path)
    parent = get_at(doc, path[:-1]) if path else None
    key = path[-1] if path else None

    def replace(new):
        nonlocal doc
        if parent is None:
            doc = new
        else:
            parent[key] = new

    if isinstance(node, bool) or node is None or isinstance(node, (Raw, Pairs)):
        op = wchoice(rng, [("type", 5), ("delete", 2), ("number", 2)])
    elif isinstance(node, (int, float)):
        op = wchoice(rng, [("extreme", 40), ("tweak", 25), ("type", 12), ("delete", 10), ("string", 5), ("deep", 2)])
    elif isinstance(node, str):
        op = wchoice(rng, [("string", 50), ("type", 15), ("delete", 10), ("extreme", 8), ("deep", 2)])
    elif isinstance(node, dict) and not node:
        op = wchoice(rng, [("delete", 3), ("addkey", 5), ("type", 3), ("deep", 1)])
    elif isinstance(node, list) and not node:
        op = wchoice(rng, [("delete", 3), ("appendbad", 5), ("type", 3), ("deep", 1)])
    elif isinstance(node, dict):
        op = wchoice(rng, [("delete", 8), ("addkey", 18), ("dupkey", 8), ("renamekey", 14), ("type", 8),
                           ("deep", 4), ("empty", 5), ("dropkey", 15)])
    else:
        op = wchoice(rng, [("delete", 6), ("empty", 10), ("dupelem", 14), ("appendbad", 14), ("truncate", 10),
                           ("grow", 8), ("type", 8), ("deep", 4), ("shuffle", 5), ("dropelem", 12)])
    if op == "delete" and parent is None:
        op = "type"
    notes.append(f"json:{op}@{path_text(path)}")
    if op == "extreme" or op == "number":
        replace(extreme_number(rng))
    elif op == "tweak":
        replace(tweak_number(rng, node))
    elif op == "type":
        replace(other_type(rng, node))
    elif op == "string":
        s = special_string(rng, node if isinstance(node, str) else None)
        replace(Raw(f'"{LONE_SURROGATE}"') if rng.random() < 0.03 else s)
    elif op == "deep":
        replace(deep(rng, node))
    elif op == "delete":
        del parent[key]
    elif op == "empty":
        replace({} if isinstance(node, dict) else [])
    elif op == "addkey":
        k = rng.choice(["unknown", "x\ny", "", "extra", "\x1b", "Data", "metadata", "note", "selection", "gates"])
        node[k] = other_type(rng, None) if rng.random() < 0.5 else extreme_number(rng)
    elif op == "dupkey":
        items = list(node.items())
        k, v = rng.choice(items)
        items.insert(rng.randrange(len(items) + 1), (k, other_type(rng, v)))
        replace(Pairs(items))
    elif op == "renamekey":
        items = list(node.items())
        i = rng.randrange(len(items))
        k, v = items[i]
        items[i] = (special_string(rng, k), v)
        replace(Pairs(items))
    elif op == "dropkey":
        del node[rng.choice(list(node.keys()))]
    elif op == "dupelem":
        i = rng.randrange(len(node))
        node.insert(i, copy.deepcopy(node[i]))
    elif op == "appendbad":
        node.insert(rng.randrange(len(node) + 1), other_type(rng, node[0] if node else None))
    elif op == "truncate":
        del node[rng.randrange(1, len(node) + 1) if len(node) > 1 else 1:]
    elif op == "grow":
        target = rng.choice([1000, 20000]) if len(node) < 5000 else len(node) * 2
        while len(node) < target and len(node) < 60000:
            node.extend(copy.deepcopy(node[: max(1, min(len(node), target - len(node)))]))
    elif op == "shuffle":
        rng.shuffle(node)
    elif op == "dropelem":
        del node[rng.randrange(len(node))]
    return doc


NUMBER_RE = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
STRING_RE = re.compile(rb'"(?:[^"\\\n]|\\.)*"')


def random_match(rng, regex, data, limit=4000):
    chosen = None
    for n, m in enumerate(regex.finditer(data)):
        if n >= limit:
            break
        if rng.randrange(n + 1) == 0:
            chosen = m
    return chosen


def mutate_bytes(rng, data, notes, text_kind="json"):
    """Byte-level mutation of any file."""
    ops = [("flip", 8), ("setbyte", 8), ("insert", 10), ("delete", 8), ("truncate", 7), ("dupspan", 6),
           ("bom", 3), ("crlf", 3), ("empty", 1), ("garbage", 3), ("swap", 3)]
    if text_kind == "json":
        ops += [("number", 14), ("string", 12), ("ctrlinstring", 8)]
    op = wchoice(rng, ops)
    notes.append(f"bytes:{op}")
    n = len(data)
    if op == "empty" or n == 0:
        return b"" if op == "empty" else bytes([rng.choice(INTERESTING_BYTES)])
    if op == "flip":
        i = rng.randrange(n)
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if op == "setbyte":
        i = rng.randrange(n)
        return data[:i] + bytes([rng.choice(INTERESTING_BYTES)]) + data[i + 1:]
    if op == "insert":
        i = rng.randrange(n + 1)
        k = rng.choice([1, 1, 2, 4, 16])
        return data[:i] + bytes(rng.choice(INTERESTING_BYTES) for _ in range(k)) + data[i:]
    if op == "delete":
        i = rng.randrange(n)
        k = rng.choice([1, 1, 2, 8, 64, max(1, n // 4)])
        return data[:i] + data[i + k:]
    if op == "truncate":
        return data[:rng.randrange(n)]
    if op == "dupspan":
        i = rng.randrange(n)
        j = min(n, i + rng.choice([1, 8, 64, 1024, n]))
        k = rng.randrange(n + 1)
        return data[:k] + data[i:j] * rng.choice([1, 2, 10]) + data[k:]
    if op == "bom":
        return b"\xef\xbb\xbf" + data
    if op == "crlf":
        return data.replace(b"\n", b"\r\n") if b"\n" in data else data.replace(b", ", b",\r\n")
    if op == "garbage":
        return data + rng.choice([b"\x00", b"}", b"]", b"garbage", b"\n{}", b" ", b"\xff\xfe", b",", b"\x1b"])
    if op == "swap":
        i, j = sorted(rng.randrange(n + 1) for _ in range(2))
        k = rng.randrange(j, n + 1)
        return data[:i] + data[j:k] + data[i:j] + data[k:]
    if op == "number":
        m = random_match(rng, NUMBER_RE, data)
        if m is None:
            return data + b"1e999"
        return data[:m.start()] + extreme_number(rng).text.encode() + data[m.end():]
    if op == "string":
        m = random_match(rng, STRING_RE, data)
        if m is None:
            return data
        s = special_string(rng)
        if rng.random() < 0.5:
            replacement = to_bytes(json.dumps(s))          # escaped: valid JSON
        else:
            replacement = b'"' + to_bytes(s) + b'"'         # raw bytes: mostly invalid JSON
        return data[:m.start()] + replacement + data[m.end():]
    if op == "ctrlinstring":
        m = random_match(rng, STRING_RE, data)
        if m is None:
            return data
        i = rng.randrange(m.start() + 1, m.end())
        return data[:i] + bytes([rng.choice([0x00, 0x0a, 0x0d, 0x1b, 0x09, 0x7f, 0x08])]) + data[i:]
    return data


def mutate_json_file(rng, doc, notes, structure_share=0.6):
    """A valid document → mutated bytes: structure-aware, byte-level, or both."""
    r = rng.random()
    if r < structure_share or r > 0.95:
        doc = copy.deepcopy(doc)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            doc = mutate_json_node(rng, doc, notes)
        data = to_bytes(dump(doc, ascii_only=rng.random() < 0.8))
        if r > 0.95:
            data = mutate_bytes(rng, data, notes)
        return data
    data = to_bytes(dump(doc))
    for _ in range(rng.choice([1, 1, 2])):
        data = mutate_bytes(rng, data, notes)
    return data


def mutate_csv(rng, data, notes):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    op = wchoice(rng, [("ragged_more", 10), ("ragged_less", 10), ("quote", 10), ("unbalanced", 8), ("qnewline", 8),
                       ("dquote", 6), ("hugefield", 6), ("emptylines", 5), ("crlf", 5), ("bom", 4), ("nul", 5),
                       ("noheader", 4), ("headeronly", 4), ("dupheader", 4), ("manycols", 4), ("manyrows", 3),
                       ("nonutf8", 5), ("trailingcomma", 4), ("cr", 4), ("esc", 4), ("empty", 2), ("bytes", 15)])
    notes.append(f"csv:{op}")
    if not lines:
        lines = [b"a"]
    i = rng.randrange(len(lines))
    if op == "ragged_more":
        lines[i] = lines[i] + b"," + rng.choice([b"x", b"", b'"q"'])
    elif op == "ragged_less":
        cells = lines[i].split(b",")
        lines[i] = b",".join(cells[:-1] if len(cells) > 1 else [])
    elif op == "quote":
        cells = lines[i].split(b",")
        j = rng.randrange(len(cells))
        cells[j] = b'"' + cells[j].replace(b'"', b'""') + rng.choice([b"", b",x", b'""']) + b'"'
        lines[i] = b",".join(cells)
    elif op == "unbalanced":
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + b'"' + lines[i][k:]
    elif op == "qnewline":
        cells = lines[i].split(b",")
        j = rng.randrange(len(cells))
        cells[j] = b'"' + cells[j] + rng.choice([b"\n", b"\r\n", b"\r"]) + b'tail"'
        lines[i] = b",".join(cells)
    elif op == "dquote":
        lines[i] = lines[i].replace(b",", b',"a""b",', 1)
    elif op == "hugefield":
        cells = lines[i].split(b",")
        j = rng.randrange(len(cells))
        cells[j] = rng.choice([b"h", b"\xc3\xa9", b"ab "]) * rng.choice([10000, 100000, 1000000])
        lines[i] = b",".join(cells)
    elif op == "emptylines":
        lines.insert(i, b"")
        if rng.random() < 0.5:
            lines.append(b"")
    elif op == "crlf":
        return b"\r\n".join(lines) + b"\r\n"
    elif op == "bom":
        lines[0] = b"\xef\xbb\xbf" + lines[0]
    elif op == "nul":
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + b"\x00" + lines[i][k:]
    elif op == "noheader":
        lines = lines[1:]
    elif op == "headeronly":
        lines = lines[:1]
    elif op == "dupheader":
        cells = lines[0].split(b",")
        cells[-1] = cells[0]
        lines[0] = b",".join(cells)
    elif op == "manycols":
        n = rng.choice([200, 2000])
        lines = [line + b"," + b",".join(b"c%d" % k for k in range(n)) for line in lines]
    elif op == "manyrows":
        lines = lines[:1] + lines[1:] * rng.choice([50, 300])
    elif op == "nonutf8":
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]) + lines[i][k:]
    elif op == "trailingcomma":
        lines = [line + b"," for line in lines]
    elif op == "cr":
        return b"\r".join(lines) + b"\r"
    elif op == "esc":
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice([b"\x1b[2J", b"\x07", b"\x08", b"\t", b"\x7f"]) + lines[i][k:]
    elif op == "empty":
        return b""
    elif op == "bytes":
        return mutate_bytes(rng, b"\n".join(lines) + b"\n", notes, text_kind="csv")
    return b"\n".join(lines) + (b"\n" if rng.random() < 0.9 else b"")


def option_value(rng):
    return rng.choice(OPTION_VALUES)


def opt(rng, name, value):
    """An option as one or two arguments (`--x=v` when v could be taken for an option)."""
    if value.startswith("-") or rng.random() < 0.3:
        return [f"{name}={value}"]
    return [name, value]


# ---------------------------------------------------------------------------------------------
# Seed corpus
# ---------------------------------------------------------------------------------------------

class Corpus:
    def __init__(self, repo, templates, store_factory=None, scratch=None):
        t = os.path.join(repo, "traces")
        self.templates = templates
        self._store_factory = store_factory
        self._store = None
        self._scratch = scratch
        spot = sorted(f for f in os.listdir(os.path.join(t, "spot"))
                      if f.startswith("synthetic-") and "heldout" not in f)
        self.spot_traces = [self.load(os.path.join(t, "spot", f)) for f in spot[:3]]
        self.spot_traces.append({"metadata": {"gap_seconds": 3600}, "data": [0, 1, 0, 0, 1, 1, 0, 0] * 8})
        default_rows = self.load(os.path.join(t, "spot", "scenarios-small.json"))["scenarios"]
        rows = []
        for n, row in enumerate(default_rows[:: max(1, len(default_rows) // 6)][:6]):
            row = dict(row)
            row["base_trace"] = ["t0.json", "t1.json", "./t0.json", "sub/../t1.json"][n % 4]
            rows.append(row)
        self.spot_scenarios = {"name": "fuzz-spot", "gap_seconds": 600, "note": "seed", "scenarios": rows}

        search = os.path.join(t, "spot-multi", "search")
        regions = sorted(r for r in os.listdir(search)
                         if all(os.path.exists(os.path.join(search, r, f"{i}.json")) for i in (0, 1)))[:3]
        self.multi_regions = regions
        self.multi_traces = {(r, i): self.load(os.path.join(search, r, f"{i}.json")) for r in regions for i in (0, 1)}
        self.multi_trace_bytes = {k: to_bytes(dump(v)) for k, v in self.multi_traces.items()}
        self.multi_scenarios = {
            "name": "fuzz-multi", "note": "seed", "task_hours": 48, "deadline_hours": 52,
            "restart_overhead_hours": 0.2, "trace_folder": "tr",
            "scenarios": [{"name": "two", "regions": regions[:2], "traces": [0, 1]},
                          {"name": "three", "regions": regions[:3], "traces": [0]}]}

        self.csvs = []
        for name in ("tickets.csv", "products.csv"):
            with open(os.path.join(t, "prefix", name), "rb") as f:
                self.csvs.append(b"".join(f.readline() for _ in range(30)))
        self.csvs.append(b'a,b,c\n"x, y",1,"say ""hi"""\n"multi\nline",2,z\n,,\nx,3,"q"\n')

        workloads = self.load(os.path.join(t, "txn", "workloads-default.json"))
        self.txn = {name: {f"txn{i}": txns[f"txn{i}"] for i in range(10)} for name, txns in list(workloads.items())[:3]}
        self.txn_bytes = to_bytes(dump(self.txn))
        first = sorted(self.txn)[0]
        self.txn_schedule = {first: list(range(10)), sorted(self.txn)[-1]: [3, 1, 4, 0, 5]}

        toy = self.load(os.path.join(t, "eplb", "toy-history.json"))
        history = {k: v for k, v in toy.items() if k != "load_history"}
        history["window"] = 4
        history["load_history"] = toy["load_history"][:12]
        self.eplb_history = history
        self.eplb_history_noshape = {"load_history": toy["load_history"][:8], "window": 4}
        self.eplb_instance = {"weight": toy["load_history"][0]["logical_expert_load"], "num_replicas": 20,
                              "num_groups": 4, "num_nodes": 2, "num_gpus": 4}
        rnd = random.Random(7)
        self.eplb_v3 = {"load_history": [{"logical_expert_load": [[rnd.randrange(100) for _ in range(256)]]}
                                         for _ in range(4)], "window": 2}
        self.eplb_toy_bytes = to_bytes(dump(self.eplb_history))

        self.gates = {}
        for problem in ("spot", "txn", "eplb", "prefix", "spot-multi"):
            path = os.path.join(repo, "fidelity-reports", f"{problem}.json")
            if os.path.exists(path):
                d = self.load(path)
                self.gates[problem] = {"gates": d.get("recommended_gates", []), "budgets": d.get("recommended_budgets", []),
                                       "cascade_levels": d.get("recommended_levels", ["cost_model", "coarse", "fine"])}
        self.gates["spot-seq"] = {"gates": [{"level": "cost_model", "metric": "mean_cost", "factor": 1.25,
                                             "sequential": {"batches": 4, "confidence": 0.95, "seed": 3}},
                                            {"level": "coarse", "metric": "mean_cost", "factor": 1.1}],
                                  "budgets": [{"level": "fine", "wall_seconds": 30, "cpu_seconds": 30}]}
        self.openai = {
            "base_url": "http://127.0.0.1:8000/v1", "api_key_env": "FUZZ_UNSET_KEY",
            "models": [{"name": "m1", "weight": 3}, {"name": "m2", "weight": 1}],
            "temperature": 0.7, "max_tokens": 4096, "timeout_seconds": 120, "retries": 2, "retry_delay_seconds": 2,
            "prices": {"m1": {"prompt_per_million": 0.2, "completion_per_million": 0.6},
                       "m2": {"prompt_per_million": 0.15, "completion_per_million": 0.6}},
            "selection": {"islands": 3, "features": ["length", "score"], "bins": [10, 10], "exploration": 0.2,
                          "exploitation": 0.7, "inspirations": 3, "migration_interval": 10}}
        self.openai_min = {"base_url": "https://example.invalid/v1", "models": [{"name": "m"}]}
        self.selection = {"selection": dict(self.openai["selection"])}

    def store_seed(self):
        """A run store written by the binary under test (made on first use, once per session)."""
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    def scratch_path(self, name):
        os.makedirs(self._scratch, exist_ok=True)
        return os.path.join(self._scratch, name)

    @staticmethod
    def load(path):
        with open(path, "rb") as f:
            return json.load(f)


# ---------------------------------------------------------------------------------------------
# Targets: each returns a Case (files relative to the run folder, arguments after the binary)
# ---------------------------------------------------------------------------------------------

class Case:
    __slots__ = ("target", "index", "files", "args", "notes", "problem")

    def __init__(self, target, files, args, notes, problem=None):
        self.target = target
        self.index = None
        self.files = files
        self.args = args
        self.notes = notes
        self.problem = problem  # eval/evolve: the candidate problem compiled (for the warm-up)


def spot_job_options(rng, trace):
    gap = trace["metadata"]["gap_seconds"]
    ticks = len(trace["data"])
    hours = ticks * gap / 3600
    task = round(rng.uniform(0.05, 0.4) * hours, 2) or 1
    deadline = round(task * rng.uniform(1.05, 1.6) + 0.5, 2)
    overhead = rng.choice([0, 0.02, 0.1, 0.2])
    needed = int(math.ceil(deadline * 3600 / gap)) + 1
    start = rng.randrange(0, max(1, ticks - needed))
    opts = {"--task-hours": str(task), "--deadline-hours": str(deadline), "--overhead-hours": str(overhead)}
    if rng.random() < 0.5:
        opts["--start-tick"] = str(start)
        if rng.random() < 0.5:
            opts["--ticks"] = str(rng.randrange(needed, ticks - start + 1)) if ticks - start >= needed else str(needed)
    return opts


def mutate_options(rng, opts, names, notes):
    """Replaces, drops or adds options of `opts` (a dict name → value) with interesting values."""
    for _ in range(rng.choice([1, 1, 1, 2])):
        name = rng.choice(names)
        r = rng.random()
        if r < 0.8:
            value = option_value(rng)
            opts[name] = value
            notes.append(f"opt:{name}={value!r}")
        elif r < 0.9 and name in opts:
            del opts[name]
            notes.append(f"opt:drop {name}")
        else:
            value = str(rng.choice([0, 1, 2, 3, 4, 7, 16, 100, 257, 1000, 10 ** 6]))
            opts[name] = value
            notes.append(f"opt:{name}={value}")
    return opts


def options_args(rng, opts):
    args = []
    for name, value in opts.items():
        args += opt(rng, name, value)
    return args


def target_spot_trace(rng, c):
    notes = []
    base = rng.choice(c.spot_traces)
    opts = spot_job_options(rng, base)
    mode = wchoice(rng, [("file", 50), ("options", 35), ("both", 15)])
    data = to_bytes(dump(base))
    if mode in ("file", "both"):
        data = mutate_json_file(rng, base, notes)
    if mode in ("options", "both"):
        opts = mutate_options(rng, opts, ["--start-tick", "--ticks", "--task-hours", "--deadline-hours",
                                          "--overhead-hours"], notes)
    args = ["simulate", "spot", "--policy", rng.choice(["greedy", "uniform-progress", "on-demand"]),
            "--trace", "t.json"] + options_args(rng, opts)
    if rng.random() < 0.5:
        args.append("--json")
    if rng.random() < 0.05:
        args.append("--history")
    return Case("spot-trace", {"t.json": data}, args, notes)


def target_spot_scenarios(rng, c):
    notes = []
    files = {"t0.json": to_bytes(dump(c.spot_traces[0])), "t1.json": to_bytes(dump(c.spot_traces[1])),
             "sub/.keep": b""}
    if rng.random() < 0.8:
        files["s.json"] = mutate_json_file(rng, c.spot_scenarios, notes, structure_share=0.7)
    else:
        files["s.json"] = to_bytes(dump(c.spot_scenarios))
        which = rng.choice(["t0.json", "t1.json"])
        files[which] = mutate_json_file(rng, c.spot_traces[0 if which == "t0.json" else 1], notes)
        notes.insert(0, f"file:{which}")
    args = ["simulate", "spot", "--policy", rng.choice(["greedy", "uniform-progress", "on-demand"]),
            "--scenarios", "s.json"]
    if rng.random() < 0.5:
        args.append("--json")
    return Case("spot-scenarios", files, args, notes)


def target_spot_multi(rng, c):
    notes = []
    files = {f"tr/{r}/{i}.json": c.multi_trace_bytes[(r, i)] for (r, i) in c.multi_traces}
    files["m.json"] = to_bytes(dump(c.multi_scenarios))
    opts = {}
    mode = wchoice(rng, [("scenario", 60), ("region", 28), ("options", 12)])
    if mode == "scenario":
        files["m.json"] = mutate_json_file(rng, c.multi_scenarios, notes, structure_share=0.7)
    elif mode == "region":
        key = rng.choice(sorted(c.multi_traces))
        files[f"tr/{key[0]}/{key[1]}.json"] = mutate_json_file(rng, c.multi_traces[key], notes)
        notes.insert(0, f"file:tr/{key[0]}/{key[1]}.json")
    else:
        if rng.random() < 0.7:
            opts["--migration-overhead-hours"] = option_value(rng)
        if rng.random() < 0.4:
            opts["--model"] = rng.choice(["reference", "corrected", "", "Reference", "x\ny", "\x1b[1m"])
        if not opts:
            opts["--migration-overhead-hours"] = option_value(rng)
        notes.append(f"opt:{opts!r}")
    args = ["simulate", "spot-multi", "--policy", rng.choice(["round-robin", "uniform-progress-multi"]),
            "--scenarios", "m.json"] + options_args(rng, opts)
    if rng.random() < 0.5:
        args.append("--json")
    return Case("spot-multi", files, args, notes)


def target_prefix(rng, c):
    notes = []
    data = rng.choice(c.csvs)
    for _ in range(rng.choice([1, 1, 2])):
        data = mutate_csv(rng, data, notes)
    args = ["simulate", "prefix", "--table", "t.csv", "--policy", rng.choice(["original", "ggr"])]
    if rng.random() < 0.5:
        args.append("--json")
    return Case("prefix", {"t.csv": data}, args, notes)


TXN_TOKENS = ["r-", "w-", "x-1", "*", "**", "r-\x1b", "w-k1\x00", "r-" + "k" * 10000, "R-k1", "w-ké", "r-\u2028",
              "r-k1 " * 20000, "w-k\x7f", "r-k1\x1b[2J", "", " ", "-", "r-k-1", "w--", "*r-k1"]


def target_txn(rng, c):
    notes = []
    if rng.random() < 0.25:
        doc = copy.deepcopy(c.txn)
        w = rng.choice(sorted(doc))
        t = rng.choice(sorted(doc[w]))
        tokens = doc[w][t].split(" ")
        i = rng.randrange(len(tokens))
        tokens[i] = rng.choice(TXN_TOKENS)
        doc[w][t] = " ".join(tokens)
        notes.append(f"txn:token {w}.{t}[{i}]={tokens[i][:20]!r}")
        data = to_bytes(dump(doc))
    else:
        data = mutate_json_file(rng, c.txn, notes)
    args = ["simulate", "txn", "--workloads", "w.json"]
    if rng.random() < 0.7:
        args += ["--policy", rng.choice(["identity", "smf", "greedy-insertion"])]
    if rng.random() < 0.2:
        value = option_value(rng)
        args += opt(rng, "--seed", value)
        notes.append(f"opt:--seed={value!r}")
    if rng.random() < 0.5:
        args.append("--json")
    return Case("txn", {"w.json": data}, args, notes)


def target_txn_schedule(rng, c):
    notes = []
    data = mutate_json_file(rng, c.txn_schedule, notes, structure_share=0.7)
    args = ["simulate", "txn", "--workloads", "w.json", "--schedule-file", "s.json"]
    if rng.random() < 0.05:
        args += ["--policy", "smf"]
        notes.append("opt:--policy with --schedule-file")
    if rng.random() < 0.5:
        args.append("--json")
    return Case("txn-schedule", {"w.json": c.txn_bytes, "s.json": data}, args, notes)


SHAPE_OPTIONS = ["--replicas", "--groups", "--nodes", "--gpus", "--window"]


def target_eplb(rng, c):
    notes = []
    kind = wchoice(rng, [("history", 45), ("instance", 25), ("v3", 12), ("noshape", 18)])
    base = {"history": c.eplb_history, "instance": c.eplb_instance, "v3": c.eplb_v3,
            "noshape": c.eplb_history_noshape}[kind]
    notes.append(f"eplb:{kind}")
    opts = {}
    if kind == "noshape":
        opts = {"--replicas": "20", "--groups": "4", "--nodes": "2", "--gpus": "4"}
    mode = wchoice(rng, [("file", 55), ("options", 35), ("both", 10)])
    data = to_bytes(dump(base))
    if mode in ("file", "both"):
        data = mutate_json_file(rng, base, notes)
    if mode in ("options", "both"):
        opts = mutate_options(rng, opts, SHAPE_OPTIONS, notes)
    args = ["simulate", "eplb", "--input", "in.json"] + options_args(rng, opts)
    if rng.random() < 0.5:
        args.append("--json")
    return Case("eplb", {"in.json": data}, args, notes)


# Eval: every eval input compiles one of these templates (once per session, into the cache).
EVAL_PROBLEMS = ["txn", "spot", "eplb"]


def eval_base(rng, c, problem):
    files = {"cand.swift": c.templates[problem]}
    args = ["eval", "cand.swift", "--problem", problem]
    if problem == "spot":
        files.update({"t0.json": to_bytes(dump(c.spot_traces[0])), "t1.json": to_bytes(dump(c.spot_traces[1])),
                      "sub/.keep": b"", "s.json": to_bytes(dump(c.spot_scenarios))})
        args += ["--scenarios", "s.json"]
    elif problem == "eplb":
        files["toy.json"] = c.eplb_toy_bytes
        args += ["--input", "toy.json"]
    elif problem == "txn":
        files["w.json"] = c.txn_bytes
        args += ["--input", "w.json"]
    return files, args


def target_eval_opts(rng, c):
    notes = []
    problem = wchoice(rng, [("txn", 55), ("eplb", 30), ("spot", 15)])
    files, args = eval_base(rng, c, problem)
    names = ["--memory-mb", "--log-limit-kb", "--timeout", "--compile-timeout", "--budget"]
    if problem == "eplb":
        names = SHAPE_OPTIONS * 2 + names
    if problem == "spot":
        names += ["--migration-overhead-hours"]
    opts = {}
    for _ in range(rng.choice([1, 1, 2])):
        name = rng.choice(names)
        if name == "--budget":
            level = rng.choice(["cost_model", "coarse", "fine", "", "medium", "x\ny"])
            value = f"{level}={option_value(rng)}" + (f",{option_value(rng)}" if rng.random() < 0.5 else "")
        else:
            value = option_value(rng)
        opts[name] = value
        notes.append(f"opt:{name}={value!r}")
    args += options_args(rng, opts)
    if problem == "spot" and rng.random() < 0.5:
        args += ["--level", "cost_model"]
    if rng.random() < 0.5:
        args.append("--json")
    return Case("eval-opts", files, args, notes, problem=problem)


def target_eval_gates(rng, c):
    notes = []
    problem = wchoice(rng, [("txn", 50), ("spot", 35), ("eplb", 15)])
    files, args = eval_base(rng, c, problem)
    seed = c.gates.get("spot-seq" if problem == "spot" and rng.random() < 0.5 else problem) or c.gates["spot-seq"]
    files["gates.json"] = mutate_json_file(rng, seed, notes, structure_share=0.75)
    args += ["--gates", "gates.json"]
    if problem == "spot" and rng.random() < 0.3:
        args.append("--sequential")
    if rng.random() < 0.5:
        args.append("--json")
    return Case("eval-gates", files, args, notes, problem=problem)


def target_evolve_config(rng, c):
    notes = []
    seed = c.openai if rng.random() < 0.7 else c.openai_min
    data = mutate_json_file(rng, seed, notes, structure_share=0.75)
    args = ["evolve", "--generator", "openai", "--config", "cfg.json", "--initial", "missing.swift", "--run", "run"]
    if rng.random() < 0.2:
        args += ["--budget-usd", "1"]
    if rng.random() < 0.2:
        args += opt(rng, "--record", rng.choice(["rec", "", "a\nb"]))
    return Case("evolve-config", {"cfg.json": data}, args, notes)


EVOLVE_OPTIONS = ["--iterations", "--islands", "--workers", "--budget-usd", "--time-budget", "--seed",
                  "--replicas", "--groups", "--nodes", "--gpus"]


def target_evolve_opts(rng, c):
    notes = []
    opts = {}
    for _ in range(rng.choice([1, 1, 2])):
        name = rng.choice(EVOLVE_OPTIONS)
        value = option_value(rng)
        if name == "--time-budget" and rng.random() < 0.5:
            value += rng.choice(["s", "m", "h", "d", ""])
        opts[name] = value
        notes.append(f"opt:{name}={value!r}")
    if rng.random() < 0.15:
        opts["--problem"] = rng.choice(["", "spot\n", "\x1b[1mspot", "SPOT", "eplb"])
        notes.append(f"opt:--problem={opts['--problem']!r}")
    # Always stops before work: openai without --config.
    args = ["evolve", "--generator", "openai", "--run", "run"] + options_args(rng, opts)
    return Case("evolve-opts", {}, args, notes)


def target_evolve_selection(rng, c):
    notes = []
    data = mutate_json_file(rng, c.selection, notes, structure_share=0.85)
    args = ["evolve", "--problem", "txn", "--config", "sel.json", "--iterations", "0", "--no-rescore",
            "--run", "run", "--workers", "1"]
    return Case("evolve-selection", {"sel.json": data}, args, notes, problem="txn")


STORE_JSON_MAX = 200000


def sql_value(rng, current):
    """A replacement for one cell of the store."""
    if isinstance(current, str) and current[:1] in "{[" and len(current) < STORE_JSON_MAX and rng.random() < 0.6:
        try:
            doc = json.loads(current)
        except ValueError:
            doc = None
        if isinstance(doc, (dict, list)):
            notes = []
            data = mutate_json_file(rng, doc, notes, structure_share=0.85)
            return data.decode("utf-8", "replace"), "json:" + ",".join(notes)
    kind = rng.randrange(6)
    if kind == 0:
        return special_string(rng, current if isinstance(current, str) else None), "string"
    if kind == 1:
        return rng.choice([0, -1, 1, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 10 ** 9]), "integer"
    if kind == 2:
        return rng.choice([1e308, -1e308, float("inf"), float("-inf"), -0.0, 5e-324, 0.5]), "real"
    if kind == 3:
        return None, "null"
    if kind == 4:
        return bytes(rng.choice(INTERESTING_BYTES) for _ in range(rng.choice([0, 1, 8, 100]))), "blob"
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        v = tweak_number(rng, current)
        if isinstance(v, Raw) or (isinstance(v, int) and not -2 ** 63 <= v < 2 ** 63):
            v = float(v.text) if isinstance(v, Raw) and NUMBER_RE.fullmatch(v.text.encode()) else -1
        return v, "tweak"
    return "", "empty"


def sql_mutate(rng, seed, scratch, notes):
    """Applies one to three SQL-level changes to a copy of the seed store; returns its bytes."""
    import sqlite3
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(scratch + suffix):
            os.remove(scratch + suffix)
    with open(scratch, "wb") as f:
        f.write(seed)
    db = sqlite3.connect(scratch, isolation_level=None)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        db.execute("BEGIN")
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            table = rng.choice(tables)
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            rowids = [r[0] for r in db.execute(f'SELECT rowid FROM "{table}" ORDER BY rowid')]
            op = wchoice(rng, [("update", 70), ("delete", 8), ("clear", 4), ("duplicate", 6), ("drop", 3),
                               ("dropindex", 3), ("addcolumn", 3), ("swap", 3)])
            try:
                if op == "update" and rowids:
                    rowid, column = rng.choice(rowids), rng.choice(columns)
                    current = db.execute(f'SELECT "{column}" FROM "{table}" WHERE rowid=?', (rowid,)).fetchone()[0]
                    value, how = sql_value(rng, current)
                    db.execute(f'UPDATE "{table}" SET "{column}"=? WHERE rowid=?', (value, rowid))
                    notes.append(f"sql:update {table}.{column}@{rowid} {how}")
                    if "rowHash" in columns and column != "rowHash" and rng.random() < 0.7:
                        # A row without a hash is one an older version wrote: the store hashes it
                        # on open and then reads it, instead of refusing it as tampered with.
                        db.execute(f'UPDATE "{table}" SET "rowHash"=NULL WHERE rowid=?', (rowid,))
                        notes.append("sql:unsealed")
                elif op == "delete" and rowids:
                    rowid = rng.choice(rowids)
                    db.execute(f'DELETE FROM "{table}" WHERE rowid=?', (rowid,))
                    notes.append(f"sql:delete {table}@{rowid}")
                elif op == "clear":
                    db.execute(f'DELETE FROM "{table}"')
                    notes.append(f"sql:clear {table}")
                elif op == "duplicate" and rowids:
                    rowid = rng.choice(rowids)
                    cols = [c for c in columns if c != "id"]
                    names = ", ".join(f'"{c}"' for c in cols)
                    db.execute(f'INSERT OR IGNORE INTO "{table}" ({names}) SELECT {names} FROM "{table}" WHERE rowid=?',
                               (rowid,))
                    notes.append(f"sql:duplicate {table}@{rowid}")
                elif op == "drop":
                    db.execute(f'DROP TABLE "{table}"')
                    tables.remove(table)
                    notes.append(f"sql:drop {table}")
                elif op == "dropindex":
                    indices = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index' "
                                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
                    if indices:
                        name = rng.choice(indices)
                        db.execute(f'DROP INDEX "{name}"')
                        notes.append(f"sql:dropindex {name}")
                elif op == "addcolumn":
                    db.execute(f'ALTER TABLE "{table}" ADD COLUMN "fuzz" TEXT')
                    notes.append(f"sql:addcolumn {table}")
                elif op == "swap" and len(rowids) > 1 and "id" in columns:
                    a, b = rng.sample(rowids, 2)
                    db.execute(f'UPDATE "{table}" SET id = -1 WHERE rowid=?', (a,))
                    db.execute(f'UPDATE "{table}" SET id = ? WHERE rowid=?', (a, b))
                    db.execute(f'UPDATE "{table}" SET id = ? WHERE id = -1', (b,))
                    notes.append(f"sql:swap {table} {a}<->{b}")
            except (sqlite3.Error, OverflowError) as e:
                notes.append(f"sql:{op} {table} refused by sqlite ({e})")
            if not tables:
                break
        db.execute("COMMIT")
    finally:
        db.close()
    with open(scratch, "rb") as f:
        return f.read()


def target_runs_store(rng, c):
    notes = []
    seed = c.store_seed()
    files = {}
    mode = wchoice(rng, [("sql", 60), ("bytes", 28), ("file", 12)])
    if mode == "sql":
        files["run/store.sqlite"] = sql_mutate(rng, seed, c.scratch_path("store.sqlite"), notes)
    elif mode == "bytes":
        data = seed
        for _ in range(rng.choice([1, 1, 2])):
            if rng.random() < 0.2:
                data = data[:4096 * rng.randrange(0, max(1, len(data) // 4096))]
                notes.append("bytes:truncate-to-page")
            elif rng.random() < 0.3:
                i = 4096 * rng.randrange(0, max(1, len(data) // 4096))
                data = data[:i] + bytes(4096) + data[i + 4096:]
                notes.append(f"bytes:zero-page@{i}")
            else:
                data = mutate_bytes(rng, data, notes, text_kind="binary")
        files["run/store.sqlite"] = data
    else:
        kind = rng.choice(["empty", "text", "dir", "wal", "lock", "runfile", "json"])
        notes.append(f"file:{kind}")
        if kind == "empty":
            files["run/store.sqlite"] = b""
        elif kind == "text":
            files["run/store.sqlite"] = b"SQLite format 3\x00" + b"not really"
        elif kind == "dir":
            files["run/store.sqlite/x"] = b""
        elif kind == "wal":
            files["run/store.sqlite"] = seed
            files["run/store.sqlite-wal"] = mutate_bytes(rng, b"\x37\x7f\x06\x82" + bytes(60), notes, "binary")
        elif kind == "lock":
            files["run/store.sqlite"] = seed
            files["run/evolve.lock"] = rng.choice([b"", b"1", b"99999999", b"\x1b[2J", b"-1\n"])
        elif kind == "runfile":
            files["run"] = seed
        else:
            files["run/store.sqlite"] = b'{"runs": []}'
    command = wchoice(rng, [("show", 28), ("dump", 20), ("verify", 20), ("list", 17), ("resume", 15)])
    if command == "list":
        args = ["runs", "list", "."]
    elif command == "resume":
        args = ["evolve", "--resume", "--run", "run", "--iterations", "2", "--time-budget", "5s", "--no-rescore",
                "--workers", "1"]
    else:
        args = ["runs", command, "run"]
    if command in ("show", "verify", "list") and rng.random() < 0.5:
        args.append("--json")
    return Case("runs-store", files, args, notes, problem="txn" if command == "resume" else None)


# name → (generator, weight in % of inputs). eval-* and evolve-selection (which compile or run
# candidates) add up to 3 %.
TARGETS = {
    "spot-trace": (target_spot_trace, 14),
    "spot-scenarios": (target_spot_scenarios, 12),
    "spot-multi": (target_spot_multi, 12),
    "prefix": (target_prefix, 12),
    "txn": (target_txn, 10),
    "txn-schedule": (target_txn_schedule, 7),
    "eplb": (target_eplb, 12),
    "evolve-config": (target_evolve_config, 5),
    "evolve-opts": (target_evolve_opts, 5),
    "eval-opts": (target_eval_opts, 1.2),
    "eval-gates": (target_eval_gates, 1.3),
    "evolve-selection": (target_evolve_selection, 0.5),
    "runs-store": (target_runs_store, 8),
}


def generate(seed, count, targets, corpus):
    """Yields (index, case) for inputs 0..count-1, each from its own sub-seed of random.Random(seed)."""
    master = random.Random(seed)
    weights = [(name, TARGETS[name][1]) for name in targets]
    for index in range(count):
        rng = random.Random(master.getrandbits(64))
        name = wchoice(rng, weights)
        case = TARGETS[name][0](rng, corpus)
        case.index = index
        yield case


# ---------------------------------------------------------------------------------------------
# Running and checking
# ---------------------------------------------------------------------------------------------

class Result:
    __slots__ = ("case", "rc", "stdout", "stderr", "timed_out", "seconds", "findings")


def write_files(folder, files):
    for rel, data in files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def run_case(case, binary, session, timeout, memory_mb, env):
    folder = os.path.join(session, "work", f"{case.index}")
    os.makedirs(folder)
    write_files(folder, case.files)
    wrapper = ["/bin/sh", "-c", f'ulimit -v {memory_mb * 1024} 2>/dev/null; exec "$@"', "sh", binary] + case.args
    result = Result()
    result.case = case
    result.timed_out = False
    start = time.monotonic()
    proc = subprocess.Popen(wrapper, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException as e:  # a timeout, or ^C: no run outlives the harness
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not isinstance(e, subprocess.TimeoutExpired):
            proc.wait()
            raise
        result.timed_out = True
        out, err = proc.communicate()
    result.seconds = time.monotonic() - start
    result.rc = proc.returncode
    result.stdout = out
    result.stderr = err
    shutil.rmtree(folder, ignore_errors=True)
    return result


def nonfinite_in_json(value):
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(nonfinite_in_json(v) for v in value.values())
    if isinstance(value, list):
        return any(nonfinite_in_json(v) for v in value)
    return False


def check(result, timeout):
    """The findings of one run: a list of (kind, detail)."""
    findings = []
    rc, out, err = result.rc, result.stdout, result.stderr
    lines = err.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    error_lines = [l for l in lines if l.startswith(b"error: ")]
    if result.timed_out:
        findings.append(("hang", f"no exit within {timeout:g} s"))
    elif rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = str(-rc)
        findings.append(("crash", f"killed by {name}"))
    elif rc not in (0, 2):
        if not (rc == 3 and len(error_lines) == 1 and ENVIRONMENT_PROBLEM.search(error_lines[0].decode("utf-8", "replace"))):
            findings.append(("bad-exit", f"exit status {rc}"))
    if rc == 2 and not result.timed_out:
        others = [l for l in lines if not l.startswith((b"error: ", b"warning: ", b"note: "))]
        if len(error_lines) != 1 or others:
            findings.append(("multi-line-error", f"{len(error_lines)} error line(s), {len(others)} other line(s)"))
    controls = sorted({b for b in err if (b < 0x20 and b != 0x0a) or b == 0x7f})
    if controls:
        findings.append(("raw-control-bytes", "stderr holds " + ", ".join(f"0x{b:02x}" for b in controls)))
    both = out + b"\n" + err
    for word in FORBIDDEN:
        if word in both:
            findings.append(("other", f"prints {word.decode()!r}"))
    if rc == 0 and not result.timed_out:
        if "--json" in result.case.args:
            try:
                parsed = json.loads(out.decode("utf-8"))
                if nonfinite_in_json(parsed):
                    findings.append(("other", "non-finite number in --json output"))
            except (ValueError, UnicodeDecodeError):
                findings.append(("other", "stdout is not JSON although --json was given"))
        elif result.case.args[:2] != ["runs", "dump"]:  # dump prints stored cells as they are
            m = NONFINITE_TOKEN.search(out)
            if m:
                findings.append(("other", f"prints {m.group(0).decode('utf-8', 'replace')!r} as a value"))
        if error_lines:
            findings.append(("other", "an error: line on exit 0"))
    if rc == 2 and out.strip():
        findings.append(("other", "stdout is not empty on exit 2"))
    return findings


def signature(kind, target, result, session):
    first = ""
    for line in result.stderr.split(b"\n"):
        if line.startswith(b"error: ") or (kind in ("crash", "other") and line.strip()):
            first = line.decode("utf-8", "replace")
            break
    text = first.replace(session, "<session>")
    text = re.sub(r"<session>/work/\d+", "<dir>", text)
    text = re.sub(r"/[^\s:'\"]*", "<path>", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", text)
    text = re.sub(r"[\x00-\x1f\x7f]", "^", text)
    return f"{kind} | {target} | {text[:110]}"


def save_case(out_dir, result, findings, binary, memory_mb):
    case = result.case
    folder = os.path.join(out_dir, f"{case.target}-{case.index}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    write_files(folder, case.files)
    command = " ".join(shlex.quote(a) for a in [binary] + case.args)
    with open(os.path.join(folder, "cmd.sh"), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("#!/bin/sh\n# Replays this input from its folder (as the harness ran it).\n")
        f.write('cd "$(dirname "$0")" || exit 1\n')
        f.write(': "${SIM_CASCADE_CACHE:=/tmp/sim-cascade-fuzz-cache}"; export SIM_CASCADE_CACHE\n')
        f.write(f"ulimit -v {memory_mb * 1024}\n")
        f.write(command + "\n")
    os.chmod(os.path.join(folder, "cmd.sh"), 0o755)
    with open(os.path.join(folder, "args.json"), "w") as f:
        json.dump([binary] + case.args, f)
    with open(os.path.join(folder, "stdout.txt"), "wb") as f:
        f.write(result.stdout[:1 << 20])
    with open(os.path.join(folder, "stderr.txt"), "wb") as f:
        f.write(result.stderr[:1 << 20])
    with open(os.path.join(folder, "finding.txt"), "w") as f:
        f.write(f"target {case.target}, input {case.index}, exit {result.rc}, {result.seconds:.2f} s\n")
        f.write("mutations: " + "; ".join(case.notes) + "\n")
        for kind, detail in findings:
            f.write(f"{kind}: {detail}\n")


# ---------------------------------------------------------------------------------------------
# Session: snapshot, templates, warm-up
# ---------------------------------------------------------------------------------------------

def make_snapshot(binary, repo, session):
    """Copies the binary and what it needs next to a fake repository root in the session."""
    products = os.path.dirname(binary)
    root = os.path.join(session, "root")
    bindir = os.path.join(root, ".build", "bin")
    os.makedirs(os.path.join(bindir, "Modules"))
    open(os.path.join(root, "Package.swift"), "w").close()
    for name in ("traces", "fidelity-reports"):
        if os.path.exists(os.path.join(repo, name)):
            os.symlink(os.path.join(repo, name), os.path.join(root, name))
    shared = os.path.join(os.path.dirname(repo), "shared")
    if os.path.isdir(shared):
        os.symlink(shared, os.path.join(session, "shared"))
    copied = os.path.join(bindir, "sim-cascade")
    # A binary being relinked (a build running next to the fuzzer) is copied again until a copy
    # of a stable file starts.
    for attempt in range(60):
        before = os.stat(binary)
        shutil.copy2(binary, copied)
        after = os.stat(binary)
        stable = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) == \
            (os.stat(copied).st_size, after.st_mtime_ns)
        if stable and subprocess.run([copied, "--help"], capture_output=True, timeout=60).returncode == 0:
            break
        time.sleep(2)
    else:
        raise SystemExit(f"fuzz: cannot take a working copy of {binary} (is it being rebuilt?)")
    for rel in ("sim-cascade-sandbox", "libCandidateAPI.a", "libCandidateHost.a", "Modules/CandidateAPI.swiftmodule"):
        src = os.path.join(products, rel)
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(bindir, rel))
        else:
            print(f"fuzz: warning: {src} not found; eval inputs may fail", file=sys.stderr)
    return copied


def templates(binary, env, cwd):
    result = {}
    for problem in ("spot", "txn", "eplb", "prefix", "spot-multi"):
        p = subprocess.run([binary, "init", problem], env=env, cwd=cwd, capture_output=True, timeout=60)
        if p.returncode != 0:
            raise SystemExit(f"fuzz: `{binary} init {problem}` failed (exit {p.returncode}): "
                             f"{p.stderr.decode('utf-8', 'replace').strip()}")
        result[problem] = p.stdout
    return result


def make_store_seed(binary, session, env, memory_mb):
    """Runs a short txn evolution (2 iterations) and returns its store.sqlite: the runs-store seed.
    Its timing columns differ between sessions; everything else is the same."""
    folder = os.path.join(session, "store-seed")
    os.makedirs(folder, exist_ok=True)
    start = time.monotonic()
    p = subprocess.run(["/bin/sh", "-c", f'ulimit -v {memory_mb * 1024} 2>/dev/null; exec "$@"', "sh", binary,
                        "evolve", "--problem", "txn", "--iterations", "2", "--no-rescore", "--workers", "1",
                        "--run", "run"], cwd=folder, env=env, capture_output=True, timeout=600)
    path = os.path.join(folder, "run", "store.sqlite")
    if p.returncode != 0 or not os.path.exists(path):
        raise SystemExit("fuzz: cannot make the seed store for runs-store (exit %d): %s"
                         % (p.returncode, p.stderr.decode("utf-8", "replace").strip()[-500:]))
    print(f"fuzz: warm-up: seed store for runs-store made in {time.monotonic() - start:.1f} s", file=sys.stderr)
    with open(path, "rb") as f:
        return f.read()


def warm_up(problems, corpus, binary, session, env, memory_mb):
    """Compiles each eval problem's template once into the session's cache (not counted)."""
    rng = random.Random(0)
    for problem in sorted(problems):
        files, args = eval_base(rng, corpus, problem)
        case = Case("warm-up", files, args + ["--level", "cost_model"], [])
        case.index = f"warm-{problem}"
        start = time.monotonic()
        r = run_case(case, binary, session, 600, memory_mb, env)
        print(f"fuzz: warm-up: eval --problem {problem} compiled in {time.monotonic() - start:.1f} s (exit {r.rc})",
              file=sys.stderr)
        if r.rc != 0:
            print("fuzz: warning: warm-up failed: " + r.stderr.decode("utf-8", "replace").strip()[:300], file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

COLUMNS = [("inputs", "inputs"), ("exit0", "exit 0"), ("exit2", "exit 2"), ("exit_other", "other exit"),
           ("crash", "crashes"), ("hang", "hangs"), ("multi-line-error", "multi-line"),
           ("raw-control-bytes", "raw ctrl"), ("other", "other")]


def main():
    parser = argparse.ArgumentParser(description="Seeded mutation fuzzing of the sim-cascade CLI's parsers and options.")
    parser.add_argument("--binary", default=os.path.join(DEFAULT_REPO, ".build", "debug", "sim-cascade"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--out", help="write each failing input to OUT/<target>-<index>/")
    parser.add_argument("--timeout-seconds", type=float, default=20.0)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--targets", help="comma-separated targets (default: all): " + ",".join(TARGETS))
    parser.add_argument("--jobs", type=int, default=1, help="inputs run at once (default 1)")
    parser.add_argument("--memory-limit-mb", type=int, default=4096, help="address-space limit of each run")
    parser.add_argument("--only", help="comma-separated input indices to run (the others are generated, not run)")
    parser.add_argument("--no-snapshot", action="store_true", help="run --binary in place instead of a copy")
    parser.add_argument("--repo", default=DEFAULT_REPO, help="the checkout whose traces/ seed the corpus")
    a = parser.parse_args()

    targets = list(TARGETS)
    if a.targets:
        targets = [t.strip() for t in a.targets.split(",") if t.strip()]
        unknown = [t for t in targets if t not in TARGETS]
        if unknown or not targets:
            parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    if a.count < 0 or a.jobs < 1 or a.timeout_seconds <= 0:
        parser.error("--count must be >= 0, --jobs >= 1, --timeout-seconds > 0")
    only = None
    if a.only:
        only = {int(x) for x in a.only.split(",")}
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        parser.error(f"{binary} is not an executable")
    repo = os.path.abspath(a.repo)

    session = tempfile.mkdtemp(prefix="sim-cascade-fuzz-", dir="/tmp")
    started = time.monotonic()
    try:
        os.makedirs(os.path.join(session, "work"))
        os.makedirs(os.path.join(session, "cache"))
        env = dict(os.environ)
        env["SIM_CASCADE_CACHE"] = os.path.join(session, "cache")
        run_binary = binary if a.no_snapshot else make_snapshot(binary, repo, session)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.stat(run_binary).st_mtime))
        def store_factory():
            return make_store_seed(run_binary, session, env, a.memory_limit_mb)

        corpus = Corpus(repo, templates(run_binary, env, os.path.join(session, "work")), store_factory,
                        os.path.join(session, "scratch"))

        counts = {t: {k: 0 for k, _ in COLUMNS} for t in targets}
        findings_list = []
        distinct = {}
        warmed = set()
        progress_every = 500
        done = 0
        if a.out:
            os.makedirs(a.out, exist_ok=True)

        def record(result):
            nonlocal done
            case = result.case
            c = counts[case.target]
            c["inputs"] += 1
            if result.timed_out or result.rc < 0:
                pass
            elif result.rc == 0:
                c["exit0"] += 1
            elif result.rc == 2:
                c["exit2"] += 1
            else:
                c["exit_other"] += 1
            findings = check(result, a.timeout_seconds)
            kinds = sorted({k if k in counts[case.target] else "other" for k, _ in findings})
            for k in kinds:
                c[k] += 1
            if findings:
                first_err = next((l for l in result.stderr.decode("utf-8", "replace").split("\n") if l), "")
                findings_list.append({"target": case.target, "index": case.index, "exit": result.rc,
                                      "findings": [f"{k}: {d}" for k, d in findings],
                                      "mutations": case.notes, "args": case.args, "stderr": first_err[:400]})
                for k, _ in findings:
                    sig = signature(k, case.target, result, session)
                    entry = distinct.setdefault(sig, {"signature": sig, "count": 0, "first_index": case.index})
                    entry["count"] += 1
                if a.out:
                    save_case(a.out, result, findings, binary, a.memory_limit_mb)
            done += 1
            if done % progress_every == 0:
                total_findings = len(findings_list)
                print(f"fuzz: {done} inputs run, {total_findings} with findings, "
                      f"{time.monotonic() - started:.0f} s", file=sys.stderr)

        def cases():
            for case in generate(a.seed, a.count, targets, corpus):
                if only is not None and case.index not in only:
                    continue
                if case.problem and case.problem not in warmed:
                    warm_up({case.problem}, corpus, run_binary, session, env, a.memory_limit_mb)
                    warmed.add(case.problem)
                yield case

        if a.jobs == 1:
            for case in cases():
                record(run_case(case, run_binary, session, a.timeout_seconds, a.memory_limit_mb, env))
        else:
            results = queue.Queue()
            slots = threading.Semaphore(a.jobs * 2)

            def worker(case):
                try:
                    results.put(run_case(case, run_binary, session, a.timeout_seconds, a.memory_limit_mb, env))
                except BaseException as e:  # keep the harness going; report the harness error
                    results.put(e)
                finally:
                    slots.release()

            pending = 0
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=a.jobs) as pool:
                for case in cases():
                    slots.acquire()
                    pool.submit(worker, case)
                    pending += 1
                    while not results.empty():
                        r = results.get()
                        pending -= 1
                        if isinstance(r, BaseException):
                            raise r
                        record(r)
                while pending:
                    r = results.get()
                    pending -= 1
                    if isinstance(r, BaseException):
                        raise r
                    record(r)

        elapsed = time.monotonic() - started
        with open(run_binary, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        totals = {k: sum(counts[t][k] for t in targets) for k, _ in COLUMNS}
        findings_list.sort(key=lambda f: f["index"])
        distinct_list = sorted(distinct.values(), key=lambda d: (-d["count"], d["signature"]))
        any_finding = bool(findings_list)
        if a.json:
            print(json.dumps({"binary": binary, "binary_sha256": digest, "binary_mtime": stamp, "seed": a.seed, "count": a.count, "elapsed_seconds": round(elapsed, 1),
                              "targets": counts, "totals": totals, "inputs_with_findings": len(findings_list),
                              "distinct": distinct_list, "findings": findings_list}, indent=1))
        else:
            headers = ["target"] + [h for _, h in COLUMNS]
            rows = [[t] + [str(counts[t][k]) for k, _ in COLUMNS] for t in targets]
            rows.append(["total"] + [str(totals[k]) for k, _ in COLUMNS])
            widths = [max(len(r[i]) for r in rows + [headers]) for i in range(len(headers))]
            fmt = lambda r: "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))
            print(f"sim-cascade fuzz: binary {binary} (sha256 {digest}…, {stamp}), seed {a.seed}, count {a.count}, "
                  f"{elapsed:.1f} s")
            print(fmt(headers))
            print("  ".join("-" * w for w in widths))
            for r in rows:
                print(fmt(r))
            print(f"\ninputs with findings: {len(findings_list)}")
            if distinct_list:
                print("\ndistinct findings (kind | target | first stderr line, normalised): count, first input")
                for d in distinct_list[:60]:
                    print(f"  {d['signature']}  ×{d['count']}  (#{d['first_index']})")
                if len(distinct_list) > 60:
                    print(f"  … and {len(distinct_list) - 60} more (see --json)")
            if a.out and any_finding:
                print(f"\nreproducers: {a.out}/<target>-<index>/cmd.sh")
        return 1 if any_finding else 0
    finally:
        shutil.rmtree(session, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
