#!/usr/bin/env python3
"""The exhaustive table of a quant task and its Pareto fronts.

    bench/quant/exhaustive/front.py RECORDS.jsonl OUT_DIR

RECORDS holds `tessel export --format jsonl` lines of one quant task (every configuration
evaluated once; later duplicates are ignored). Writes
  OUT_DIR/table.csv       one row per configuration: its bits and metrics;
  OUT_DIR/front.md        the configurations no other beats in both accuracy and Bit Fusion
                          energy, and in both accuracy and average bits;
  OUT_DIR/front-energy.svg, OUT_DIR/front-bits.svg  every configuration, the front drawn.
Only the standard library.
"""
import json
import os
import sys

METRICS = ["accuracy", "accuracy_loss", "avg_bits", "bitfusion_energy", "bitfusion_speedup",
           "bitfusion_cycles", "stripes_speedup", "quantization_state"]


def load(path):
    """The rows of the quant task with the most records in `path`."""
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    tasks = {}
    for record in records:
        if record.get("problem") == "quant":
            key = (record["instance"], record["target"])
            tasks[key] = tasks.get(key, 0) + 1
    if not tasks:
        sys.exit(f"front.py: no quant records in {path}")
    task = max(tasks, key=tasks.get)
    rows, seen = [], set()
    for record in records:
        if (record.get("problem"), record.get("instance"), record.get("target")) != \
                ("quant",) + task or record["config"] in seen:
            continue
        if record["status"] not in ("ok", "infeasible"):
            continue
        seen.add(record["config"])
        bits = dict(item.split("=") for item in record["config"].split(";"))
        row = {k: int(v) for k, v in sorted(bits.items(), key=lambda kv: int(kv[0][5:]))}
        row.update({m: record["metrics"][m] for m in METRICS})
        rows.append(row)
    return rows


def front(rows, cost):
    """Rows no other row beats: higher accuracy at no more cost, or less cost at no less
    accuracy. Sorted by cost."""
    ordered = sorted(rows, key=lambda r: (r[cost], -r["accuracy"]))
    kept, best = [], -1.0
    for row in ordered:
        if row["accuracy"] > best:
            kept.append(row)
            best = row["accuracy"]
    return kept


def bits_text(row):
    return "{" + ",".join(str(v) for k, v in row.items() if k.startswith("bits.")) + "}"


def svg(rows, kept, cost, label, path):
    width, height, pad = 640, 420, 60
    xs = [r[cost] for r in rows]
    ys = [100 * r["accuracy"] for r in rows]
    x0, x1 = min(xs), max(xs)
    y0, y1 = max(min(ys), max(ys) - 40), max(ys)
    sx = lambda x: pad + (x - x0) / (x1 - x0 or 1) * (width - 2 * pad)
    sy = lambda y: height - pad - (max(y, y0) - y0) / (y1 - y0 or 1) * (height - 2 * pad)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for r in rows:
        out.append(f'<circle cx="{sx(r[cost]):.1f}" cy="{sy(100 * r["accuracy"]):.1f}" r="2" '
                   'fill="#1f77b4" fill-opacity="0.4"/>')
    points = " ".join(f'{sx(r[cost]):.1f},{sy(100 * r["accuracy"]):.1f}' for r in kept)
    out.append(f'<polyline points="{points}" fill="none" stroke="#d62728" stroke-width="2"/>')
    out.append(f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">{label}</text>')
    out.append(f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" '
               'text-anchor="middle">validation accuracy (%)</text>')
    for value, text in ((x0, f"{x0:.3g}"), (x1, f"{x1:.3g}")):
        out.append(f'<text x="{sx(value):.1f}" y="{height - pad + 15}" '
                   f'text-anchor="middle">{text}</text>')
    for value in (y0, y1):
        out.append(f'<text x="{pad - 5}" y="{sy(value):.1f}" text-anchor="end">{value:.1f}</text>')
    out.append(f'<text x="{width - pad}" y="{pad - 20}" text-anchor="end">{len(rows)} '
               'configurations; red: the Pareto front</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = load(sys.argv[1])
    out_dir = sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    columns = list(rows[0].keys())
    with open(os.path.join(out_dir, "table.csv"), "w") as f:
        f.write(",".join(columns) + "\n")
        for row in sorted(rows, key=lambda r: [r[c] for c in columns if c.startswith("bits.")]):
            f.write(",".join(repr(row[c]) for c in columns) + "\n")
    lines = [f"{len(rows)} configurations.", ""]
    for cost, label in (("bitfusion_energy", "Bit Fusion energy (x 8-bit)"),
                        ("avg_bits", "average bits")):
        kept = front(rows, cost)
        lines += [f"## Accuracy against {label}", "",
                  "| bits | accuracy (%) | loss (points) | avg bits | Bit Fusion energy | "
                  "Bit Fusion speedup | Stripes speedup |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in kept:
            lines.append(f"| {bits_text(r)} | {100 * r['accuracy']:.2f} | "
                         f"{r['accuracy_loss']:.2f} | {r['avg_bits']:.2f} | "
                         f"{r['bitfusion_energy']:.4f} | {r['bitfusion_speedup']:.3f} | "
                         f"{r['stripes_speedup']:.3f} |")
        lines.append("")
        name = "front-energy.svg" if cost == "bitfusion_energy" else "front-bits.svg"
        svg(rows, kept, cost, label, os.path.join(out_dir, name))
    with open(os.path.join(out_dir, "front.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
