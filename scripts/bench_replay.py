#!/usr/bin/env python3
"""The measuring half of scripts/bench-replay (run it through that script, which builds the
CLI, generates the inputs and sets up the cedarpy venv).

Measures, in one run, issue #6's whole-process targets and prints a table with PASS/FAIL:
(a) `mandate simulate` on loose files, SMALL requests x 2 sides, against cedarpy's
    `is_authorized_batch` on the same inputs with pre-parsed PolicySet/Schema/Entities
    handles (only the two batch calls are timed), decisions compared request by request;
(b) LARGE requests x 2 sides: wall time and peak RSS of the process;
(c) `mandate requests import` of the LARGE file into a fresh workspace: requests/s;
(d) with --criterion: `cargo bench --bench replay -- --quick`, indexed vs Cedar unindexed.
Exits 0 whatever the figures (a report), non-zero only when something crashes.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd, stdout_path=None, cwd=None, env=None):
    """Runs `cmd`; returns (wall seconds, peak RSS bytes, stderr text). Fails on a non-zero exit.

    Peak RSS comes from GNU time when present: a child forked from this (by then large)
    Python process inherits its high-water mark, so `wait4`'s ru_maxrss can over-report."""
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    err_path = tmp / f"bench-replay-{os.getpid()}.err"
    rss_path = tmp / f"bench-replay-{os.getpid()}.rss"
    full = [GNU_TIME, "-f", "%M", "-o", rss_path, *cmd] if GNU_TIME else cmd
    with open(err_path, "wb") as err, open(stdout_path or os.devnull, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_text(errors="replace")
    err_path.unlink()
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{stderr}")
    rss = usage.ru_maxrss * 1024
    if GNU_TIME:
        rss = int(rss_path.read_text().split()[-1]) * 1024
        rss_path.unlink()
    return wall, rss, stderr


def median_run(n, cmd, **kw):
    results = [run(cmd, **kw) for _ in range(n)]
    walls = sorted(r[0] for r in results)
    return statistics.median(walls), max(r[1] for r in results), walls


def simulate_cmd(mandate, inputs, requests):
    return [mandate, "simulate",
            "--schema", inputs / "schema.cedarschema",
            "--entities", inputs / "entities.json",
            "--baseline", inputs / "baseline.cedar",
            "--candidate", inputs / "candidate.cedar",
            "--requests", requests, "--format", "jsonl"]


def cedarpy_side(inputs, requests_path):
    import cedarpy

    schema = cedarpy.Schema.from_str((inputs / "schema.cedarschema").read_text())
    entities = cedarpy.Entities.from_json_str((inputs / "entities.json").read_text(), schema)
    baseline = cedarpy.PolicySet.from_str((inputs / "baseline.cedar").read_text())
    candidate = cedarpy.PolicySet.from_str((inputs / "candidate.cedar").read_text())
    requests = []
    with open(requests_path) as f:
        for line in f:
            r = json.loads(line)
            requests.append({k: r[k] for k in ("principal", "action", "resource", "context")})
    t0 = time.perf_counter()
    base = cedarpy.is_authorized_batch(requests, baseline, entities, schema)
    cand = cedarpy.is_authorized_batch(requests, candidate, entities, schema)
    wall = time.perf_counter() - t0
    return wall, base, cand


def decision(result):
    return "allow" if result.allowed else "deny"


def reasons(result):
    """Determining policies by `@id` (cedarpy reports Cedar's `policyN` ids)."""
    ids = result.diagnostics.id_annotations_by_reason or {}
    return sorted(ids.get(r, r) for r in result.diagnostics.reasons)


def criterion(root):
    """`cargo bench --bench replay -- --quick`: {(size, bench): seconds per iteration}."""
    env = dict(os.environ, REPLAY_BENCH_SIZES="1000,5000")
    out = subprocess.run(
        ["cargo", "bench", "-p", "mandate", "--bench", "replay", "--", "--quick"],
        cwd=root, env=env, capture_output=True, text=True, check=True)
    units = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    found, name = {}, None
    for line in out.stdout.splitlines():
        m = re.match(r"^replay_(\d+)_policies/(\S+)", line.strip())
        if m:
            name = (int(m.group(1)), m.group(2))
        t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if t and name:
            found[name] = float(t.group(1)) * units[t.group(2)]
            name = None
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mandate", required=True)
    ap.add_argument("--inputs", required=True, type=Path)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--criterion", action="store_true")
    a = ap.parse_args()
    mandate = str(Path(a.mandate).resolve())
    inputs = a.inputs.resolve()
    work = a.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    small = inputs / f"requests-{a.small}.jsonl"
    large = inputs / f"requests-{a.large}.jsonl"
    rows = []  # (what, measured, target, pass)

    print(f"inputs: {inputs} ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f})")

    # (a) simulate SMALL x 2 sides vs cedarpy.
    out_small = work / "simulate-small.jsonl"
    m_wall, _, walls = median_run(a.runs, simulate_cmd(mandate, inputs, small), stdout_path=out_small)
    print(f"(a) mandate simulate {a.small:,} x 2 sides: {', '.join(f'{w:.3f}' for w in walls)} s")
    p_wall, base, cand = cedarpy_side(inputs, small)
    print(f"(a) cedarpy is_authorized_batch {a.small:,} x 2 sides: {p_wall:.2f} s")
    lines = [json.loads(l) for l in out_small.read_text().splitlines()]
    assert len(lines) == len(base) == a.small, (len(lines), len(base))
    decisions_agree = sum(
        l["baseline"]["decision"] == decision(b) and l["candidate"]["decision"] == decision(c)
        for l, b, c in zip(lines, base, cand))
    reasons_agree = sum(
        l["baseline"]["reasons"] == reasons(b) and l["candidate"]["reasons"] == reasons(c)
        for l, b, c in zip(lines, base, cand))
    changed = sum(l["changed"] for l in lines)
    allowed = sum(l["baseline"]["decision"] == "allow" for l in lines)
    print(f"(a) decisions agree on {decisions_agree:,}/{a.small:,} requests (both sides), "
          f"reasons on {reasons_agree:,}; baseline allows {allowed:,}, candidate changes {changed:,}")
    ratio = p_wall / m_wall
    rows.append((f"(a) simulate {a.small // 1000}k x 2 sides, whole process vs cedarpy batch",
                 f"{m_wall:.3f} s vs {p_wall:.1f} s = {ratio:.0f}x", ">= 100x",
                 ratio >= 100 and decisions_agree == a.small))
    rows.append(("(a) same decisions as cedarpy (every request, both sides)",
                 f"{decisions_agree:,}/{a.small:,} (reasons {reasons_agree:,})", "all",
                 decisions_agree == a.small))

    # (b) LARGE x 2 sides: wall time and peak RSS.
    out_large = work / "simulate-large.jsonl"
    l_wall, l_rss, walls = median_run(max(1, a.runs - 2), simulate_cmd(mandate, inputs, large),
                                      stdout_path=out_large)
    with open(out_large, "rb") as f:
        count = sum(1 for _ in f)
    out_large.unlink()
    assert count == a.large, count
    print(f"(b) mandate simulate {a.large:,} x 2 sides: {', '.join(f'{w:.2f}' for w in walls)} s, "
          f"peak RSS {l_rss / 2**20:.0f} MiB")
    rows.append((f"(b) simulate {a.large:,} x 2 sides, wall", f"{l_wall:.2f} s", "<= 15 s", l_wall <= 15))
    rows.append((f"(b) simulate {a.large:,} x 2 sides, peak RSS", f"{l_rss / 2**20:.0f} MiB",
                 "<= 300 MB", l_rss <= 300e6))

    # (c) import LARGE into a fresh workspace.
    rates = []
    for i in range(max(1, a.runs - 2)):
        ws = work / f"ws{i}"
        run([mandate, "init", ws, "--namespace", "Acme"])
        summary = work / f"import{i}.json"
        wall, rss, _ = run([mandate, "-w", ws, "--format", "json", "requests", "import", large,
                            "--set", "bench"], stdout_path=summary)
        kept = json.loads(summary.read_text())["kept"]
        assert kept == a.large, kept
        rates.append(a.large / wall)
        print(f"(c) import {a.large:,}: {wall:.2f} s = {a.large / wall:,.0f} requests/s, peak RSS {rss / 2**20:.0f} MiB")
        shutil.rmtree(ws)
    rate = statistics.median(rates)
    rows.append((f"(c) requests import {a.large:,} into a fresh workspace", f"{rate:,.0f} /s",
                 ">= 100,000 /s", rate >= 100_000))

    # (d) optional: criterion's indexed vs unindexed.
    if a.criterion:
        root = Path(__file__).resolve().parent.parent
        c = criterion(root)
        print("(d) criterion:", {f"{k[0]}/{k[1]}": f"{v * 1e6:.1f} µs" for k, v in sorted(c.items())})
        try:
            un = c[(1000, "unindexed_per_request")]
            one = c[(1000, "indexed_batch_one_thread")] / 2000
            allc = c[(1000, "indexed_batch_all_cores")] / 2000
            side = c[(1000, "compare_batch_all_cores")] / 4000
            big = c[(5000, "indexed_batch_one_thread")] / 2000
            rows.append(("(d) 1,000 policies: indexed (all cores, both sides) vs unindexed, "
                         "per request-side",
                         f"{side * 1e6:.1f} µs vs {un * 1e6:.0f} µs = {un / side:.0f}x "
                         f"(one side: {un / allc:.0f}x all cores, {un / one:.0f}x one thread)",
                         ">= 200x", un / side >= 200))
            rows.append(("(d) 5,000 vs 1,000 policies, indexed per request (one thread)",
                         f"{big * 1e6:.1f} µs vs {one * 1e6:.1f} µs = {big / one:.2f}x",
                         "<= 1.5x", big / one <= 1.5))
        except KeyError as e:
            print(f"(d) criterion output lacked {e}", file=sys.stderr)

    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    t = max(len(r[2]) for r in rows)
    print()
    print(f"| {'What'.ljust(w)} | {'Measured'.ljust(v)} | {'Target'.ljust(t)} | Result |")
    print(f"|{'-' * (w + 2)}|{'-' * (v + 2)}|{'-' * (t + 2)}|--------|")
    for what, measured, target, ok in rows:
        print(f"| {what.ljust(w)} | {measured.ljust(v)} | {target.ljust(t)} | {'PASS' if ok else 'FAIL'}   |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
