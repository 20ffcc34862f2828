#!/usr/bin/env python3
"""Writes tables of numeric-looking, zero-padded, exponent, missing and boolean cells together
with the rows the public LLM-SQL evaluator sees after pandas reads them
(`pd.read_csv(...)`, then per row `row.fillna("").astype(str)`), for the differential test
`PandasRenderingTests`. Deterministic for a seed.

usage: pandas-cases.py OUT.json [--seed N] [--tables N]
"""
import argparse, io, json, random, warnings

import pandas as pd

TOKENS = ["007", "7", "0", "-3", "+5", " 5", "5 ", "12", "1.50", "1e3", "1E-7", ".5", "5.", "-0", "-0.0", "",
          "NA", "null", "None", "nan", "N/A", "True", "false", "TRUE", "abc", "x y", "inf", "-Infinity", "+inf",
          "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
          "18446744073709551615", "18446744073709551616", "3.14159265358979323846", "1e400", "1e-400", "0.1",
          "123456789012345678", "1e16", "1e15", "0.0001", "0.00001", "1e", "e5", "1,5", "0x10", "  ", "12345678901234567890.5"]


def cell(rng, flavour):
    r = rng.random()
    if flavour == "int" and r < 0.85:
        return str(rng.randint(-10**rng.randint(1, 19), 10**rng.randint(1, 19))).zfill(rng.choice([0, 0, 3]))
    if flavour == "float" and r < 0.85:
        x = rng.uniform(-1, 1) * 10 ** rng.randint(-8, 20)
        return rng.choice([repr(x), "%.3f" % x, "%.17g" % x, "%e" % x])
    if flavour == "bool" and r < 0.85:
        return rng.choice(["True", "False", "true", "FALSE"])
    return rng.choice(TOKENS)


def quote(text, force):
    if force or any(c in text for c in ',"\n\r') or text != text.strip("\n"):
        return '"' + text.replace('"', '""') + '"'
    return text


def table(rng, columns, rows):
    flavours = [rng.choice(["int", "float", "bool", "mixed"]) for _ in range(columns)]
    header = ",".join(f"c{i}" for i in range(columns))
    lines = [header]
    for _ in range(rows):
        cells = [cell(rng, f) for f in flavours]
        # A one-column row that is empty or spaces is a blank line, which pandas skips: quote it.
        lines.append(",".join(quote(c, rng.random() < 0.05 or (columns == 1 and c.strip() == "")) for c in cells))
    return "\n".join(lines) + "\n"


def rendered(csv):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DtypeWarning across chunks, fillna's downcasting notice
        df = pd.read_csv(io.StringIO(csv))
        return [[str(v) for v in row.fillna("").astype(str).values] for _, row in df.iterrows()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tables", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = []
    for _ in range(args.tables):
        csv = table(rng, rng.randint(1, 4), rng.randint(1, 12))
        cases.append({"csv": csv, "rows": rendered(csv)})
    # Chunks: 200 columns are read 4,096 rows at a time; the first column's type differs across
    # the boundary, and the others are text or numbers (a row of numbers only is downcast).
    for first, second, other in [("007", "abc", "x"), ("7", "1.5", "x"), ("True", "1", "x"), ("True", "NA", "x"),
                                 ("5", "18446744073709551615", "x"), ("007", "abc", "1.5"), ("1.5", "abc", "2"),
                                 ("True", "1", "1.5"), ("5", "18446744073709551615", "-1"), ("7", "abc", "NA")]:
        lines = [",".join(f"c{i}" for i in range(200))]
        lines += [",".join([first if r < 4096 else second] + [other] * 199) for r in range(4100)]
        csv = "\n".join(lines) + "\n"
        rows = rendered(csv)
        cases.append({"csv": csv, "rows": [row[:3] for row in rows], "first_columns": 3})
    with open(args.out, "w") as f:
        json.dump({"pandas": pd.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
