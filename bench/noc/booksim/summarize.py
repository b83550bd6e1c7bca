#!/usr/bin/env python3
"""Turns bench/noc/booksim/results/points.csv (written by run.sh) into summary.md: zero-load
latency and saturation throughput per routing x traffic, Tessel beside BookSim 2, then every
latency-load curve, the exact commands and the run time."""

import argparse
import csv
import math
from collections import defaultdict

# BookSim delivers a flit to its terminal 3 cycles after the switch grant at the last router
# (crossbar, then the ejection channel); Tessel counts it delivered at that grant (README.md,
# "Pipeline"). The source side takes the same time in both.
TERMINAL_CYCLES = 3
ROUTING_NAMES = {"xy": "xy / dor", "o1turn": "o1turn / xy_yx"}
TRAFFIC_NAMES = {"bit-complement": "bit-complement / bitcomp"}


def number(text):
    try:
        return float(text)
    except ValueError:
        return math.nan


def percent(ours, reference):
    if math.isnan(ours) or math.isnan(reference) or reference == 0:
        return "n/a"
    return f"{100 * (ours - reference) / reference:+.1f}%"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--booksim-commit", required=True)
    parser.add_argument("--run-seconds", type=float, required=True)
    parser.add_argument("--tessel-command", required=True)
    parser.add_argument("--booksim-command", required=True)
    parser.add_argument("--zero-load-rate", required=True)
    parser.add_argument("--latency-factor", required=True)
    parser.add_argument("--tessel-measure", required=True)
    parser.add_argument("--tessel-zero-load-measure", required=True)
    parser.add_argument("--booksim-zero-load-period", required=True)
    parser.add_argument("--parameters", required=True)
    parser.add_argument("--router-latency", type=int, required=True)
    parser.add_argument("--link-latency", type=int, required=True)
    parser.add_argument("--packet", type=int, required=True)
    parser.add_argument("--seed", required=True)
    args = parser.parse_args()

    series = defaultdict(list)  # (simulator, routing, traffic) -> rows in run order
    order = []  # (routing, traffic) in run order
    process_s = defaultdict(float)
    sim_s = defaultdict(float)
    sim_cycles = defaultdict(float)  # over the runs that report their cycles
    # The seed check: (routing, traffic) -> rate -> simulator -> rows, one per seed.
    seeds = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    with open(args.points) as points:
        for row in csv.DictReader(points):
            sim = row["simulator"]
            process_s[sim] += number(row["process_s"])
            if not math.isnan(number(row["cycles"])):
                sim_s[sim] += number(row["sim_s"])
                sim_cycles[sim] += number(row["cycles"])
            if row["phase"] == "seed":
                seeds[(row["routing"], row["traffic"])][number(row["rate"])][sim].append(row)
                continue
            series[(sim, row["routing"], row["traffic"])].append(row)
            if (row["routing"], row["traffic"]) not in order:
                order.append((row["routing"], row["traffic"]))

    def zero_load(sim, routing, traffic):
        for row in series[(sim, routing, traffic)]:
            if row["phase"] == "zero_load":
                return number(row["latency"]), number(row["hops"])
        return math.nan, math.nan

    def saturation(sim, routing, traffic):
        """(rate, accepted, bounded): the highest rate below saturation and its accepted
        throughput; bounded is False when no rate tried was above saturation."""
        rows = series[(sim, routing, traffic)]
        below = [r for r in rows if r["below_threshold"] == "1"]
        if not below:
            return math.nan, math.nan, True
        best = max(below, key=lambda r: number(r["rate"]))
        bounded = any(r["below_threshold"] == "0" for r in rows)
        return number(best["rate"]), number(best["accepted"]), bounded

    def name(routing, traffic):
        return ROUTING_NAMES.get(routing, routing), TRAFFIC_NAMES.get(traffic, traffic)

    out = []
    out.append("# Tessel's mesh NoC simulator against BookSim 2\n")
    out.append(
        "Written by `bench/noc/booksim/run.sh` from `points.csv`; see `bench/noc/README.md` "
        "for the parameter mapping and what the differences mean. BookSim 2 commit "
        f"`{args.booksim_commit}`. {args.parameters}, Bernoulli injection, rates in "
        "flits/node/cycle. Tessel relative to BookSim in the % columns.\n"
    )
    # The pipeline models: Tessel's ZeroLoadLatency, and BookSim's, the same plus its terminal
    # channels, at each simulator's own mean hop count.
    per_hop = args.router_latency + args.link_latency
    tessel_constant = args.router_latency + args.packet - 1
    booksim_constant = tessel_constant + TERMINAL_CYCLES

    out.append("## Zero-load latency\n")
    out.append(
        f"Mean packet latency (cycles, creation to tail ejection, source queueing included) "
        f"at rate {args.zero_load_rate}, and the mean number of links crossed. "
        f"BookSim - {TERMINAL_CYCLES} takes away the cycles from the last router's switch "
        "grant to BookSim's terminal (crossbar and ejection channel), which Tessel does not "
        "model. The excess columns are the latency less the pipeline's "
        f"zero-load model at that mean link count: {per_hop} x links + {tessel_constant} "
        f"for Tessel (its ZeroLoadLatency), {per_hop} x links + {booksim_constant} for "
        "BookSim; what is left is contention and source queueing.\n"
    )
    out.append(
        "| routing (Tessel / BookSim) | traffic | Tessel | BookSim | diff | "
        f"BookSim - {TERMINAL_CYCLES} | diff | links Tessel | links BookSim | "
        "excess Tessel | excess BookSim |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for routing, traffic in order:
        t_lat, t_hops = zero_load("tessel", routing, traffic)
        b_lat, b_hops = zero_load("booksim", routing, traffic)
        r_name, t_name = name(routing, traffic)
        out.append(
            f"| {r_name} | {t_name} | {t_lat:.2f} | {b_lat:.2f} | {percent(t_lat, b_lat)} | "
            f"{b_lat - TERMINAL_CYCLES:.2f} | {percent(t_lat, b_lat - TERMINAL_CYCLES)} | "
            f"{t_hops:.3f} | {b_hops:.3f} | "
            f"{t_lat - (per_hop * t_hops + tessel_constant):.2f} | "
            f"{b_lat - (per_hop * b_hops + booksim_constant):.2f} |"
        )
    out.append("")
    out.append("## Saturation throughput\n")
    out.append(
        "Saturation: the highest offered load (rate) whose run finished (BookSim did not abort "
        "it, Tessel did not report it saturated) with a mean packet latency under "
        f"{args.latency_factor}x the same simulator's zero-load latency above; the saturation "
        "throughput is the accepted throughput (flits/node/cycle) measured at that load. Rates "
        "go up in steps of 0.05 to the first load above saturation, then in steps of 0.01 from "
        "the last one below it, so a load is resolved to 0.01. '>=' marks a series that was "
        "still below saturation at the highest rate tried.\n"
    )
    out.append(
        "| routing (Tessel / BookSim) | traffic | Tessel load | Tessel throughput | "
        "BookSim load | BookSim throughput | throughput diff |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|")
    for routing, traffic in order:
        t_rate, t_acc, t_bounded = saturation("tessel", routing, traffic)
        b_rate, b_acc, b_bounded = saturation("booksim", routing, traffic)
        r_name, t_name = name(routing, traffic)
        t_mark = "" if t_bounded else ">= "
        b_mark = "" if b_bounded else ">= "
        out.append(
            f"| {r_name} | {t_name} | {t_mark}{t_rate:.2f} | {t_mark}{t_acc:.3f} | "
            f"{b_mark}{b_rate:.2f} | {b_mark}{b_acc:.3f} | {percent(t_acc, b_acc)} |"
        )
    out.append("")
    out.append("## Latency-load curves\n")
    out.append(
        "Every point simulated: mean packet latency (cycles) and accepted throughput "
        "(flits/node/cycle). A '*' marks a point above saturation (over the latency bound, "
        "or a run that BookSim aborted or Tessel reported saturated; an aborted BookSim run "
        "shows its last sample period's statistics, without the packets still in flight).\n"
    )
    for routing, traffic in order:
        r_name, t_name = name(routing, traffic)
        out.append(f"### {r_name}, {t_name}\n")
        out.append("| rate | Tessel latency | BookSim latency | Tessel accepted | "
                   "BookSim accepted |")
        out.append("|---:|---:|---:|---:|---:|")
        by_rate = defaultdict(dict)
        for sim in ("tessel", "booksim"):
            for row in series[(sim, routing, traffic)]:
                by_rate[number(row["rate"])][sim] = row

        def cell(row, field, digits):
            if row is None:
                return ""
            mark = "" if row["below_threshold"] == "1" else "*"
            return f"{number(row[field]):.{digits}f}{mark}"

        for rate in sorted(by_rate):
            t_row = by_rate[rate].get("tessel")
            b_row = by_rate[rate].get("booksim")
            out.append(
                f"| {rate:.2f} | {cell(t_row, 'latency', 1)} | {cell(b_row, 'latency', 1)} | "
                f"{cell(t_row, 'accepted', 3)} | {cell(b_row, 'accepted', 3)} |"
            )
        out.append("")
    out.append("## Seed check\n")
    seed_list = sorted({r["seed"] for by_rate in seeds.values() for by_sim in by_rate.values()
                        for rows in by_sim.values() for r in rows})
    out.append(
        f"A few loads of two series again, with the seeds {', '.join(seed_list)} (the tables "
        f"above use seed {args.seed}; the two simulators' random streams are unrelated "
        "whatever the seed): mean packet latency over the seeds, with the lowest and highest. "
        "A '*' marks a run that BookSim aborted or Tessel reported saturated.\n"
    )
    out.append("| routing | traffic | rate | Tessel mean (min-max) | BookSim mean (min-max) |")
    out.append("|---|---|---:|---:|---:|")

    def spread(rows):
        if not rows:
            return ""
        values = [number(r["latency"]) for r in rows]
        mark = "*" if any(r["saturated"] == "1" for r in rows) else ""
        return f"{sum(values) / len(values):.1f} ({min(values):.1f}-{max(values):.1f}){mark}"

    for (routing, traffic), by_rate in seeds.items():
        r_name, t_name = name(routing, traffic)
        for rate in sorted(by_rate):
            out.append(
                f"| {r_name} | {t_name} | {rate:.2f} | {spread(by_rate[rate]['tessel'])} | "
                f"{spread(by_rate[rate]['booksim'])} |"
            )
    out.append("")
    out.append("## Commands\n")
    out.append("Every point is one of these, with ROUTING, TRAFFIC, RATE and SEED from "
               "`points.csv` (BookSim names: dor, xy_yx; bitcomp):\n")
    out.append("```")
    out.append(args.tessel_command)
    out.append(args.booksim_command)
    out.append("```\n")
    out.append(
        f"MEASURE is {args.tessel_measure} cycles, {args.tessel_zero_load_measure} for the "
        f"zero-load points; PERIOD (BookSim's sample period) is 1000 cycles, "
        f"{args.booksim_zero_load_period} for the zero-load points. The whole run, "
        f"`bench/noc/booksim/run.sh`, took {args.run_seconds:.0f} s of wall time "
        f"(simulations one at a time under nice on a shared 2-core machine): "
        f"{process_s['tessel']:.0f} s in Tessel's noc_sim processes (each about 1 s of it "
        f"loading the shared libraries of tessel_core), {process_s['booksim']:.0f} s in "
        "BookSim's.\n"
    )
    out.append(
        "Simulation speed over the runs that finished (the simulators' own timers, from "
        "the start of the simulation to the end of the drain; a machine shared with other "
        "jobs, so rough):\n"
    )
    for sim, label in (("tessel", "Tessel"), ("booksim", "BookSim")):
        if sim_s[sim] > 0:
            out.append(
                f"- {label}: {sim_cycles[sim]:.0f} cycles in {sim_s[sim]:.1f} s, "
                f"{sim_cycles[sim] / sim_s[sim]:.0f} cycles/s"
            )
    out.append("")
    with open(args.out, "w") as summary:
        summary.write("\n".join(out))


if __name__ == "__main__":
    main()
