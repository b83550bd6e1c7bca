#!/usr/bin/env python3
"""Compares two outputs of bench/engine/preset_runs.sh line by line.

Every field the older output has must be equal in the newer one (the newer may add fields).
Prints one line per run and a summary; exits 1 when any run differs.

    bench/engine/compare_runs.py BEFORE.jsonl AFTER.jsonl
"""
import json
import sys


def main():
    if len(sys.argv) != 3:
        print("usage: compare_runs.py BEFORE.jsonl AFTER.jsonl", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        before = [json.loads(line) for line in f]
    with open(sys.argv[2]) as f:
        after = [json.loads(line) for line in f]
    if len(before) != len(after):
        print(f"{len(before)} runs before, {len(after)} after")
        return 1
    differing = 0
    for old, new in zip(before, after):
        name = old.get("refused") or " ".join(
            str(old.get(k, "")) for k in ("task", "tuner", "seed", "variant"))
        changed = sorted(k for k in old if old[k] != new.get(k))
        if changed:
            differing += 1
        print(f"{'DIFFERS' if changed else 'same':8} {name.strip()}"
              + (f"  ({', '.join(changed)})" if changed else ""))
    print(f"{len(before) - differing} of {len(before)} runs identical in every field they had "
          "before (choices, curves, bests, search rounds)")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
