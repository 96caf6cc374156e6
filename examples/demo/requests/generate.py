#!/usr/bin/env python3
"""Deterministic recorded traffic for the demo workspace: `requests/traffic.jsonl`.

Reads the demo inventory (agents, tools, datasets, models) and writes N requests in
Mandate's native JSON Lines format (DESIGN.md §4): mostly what each agent is meant to do,
plus the mistakes production sees — tools outside an agent's list, credentials without
TTL, task id or attestation, deep delegation, inactive agents still calling. Each record
carries the decision production recorded (the checked-in policies as of the generator's
revision decided it; the replay's "drift" counts where today's baseline disagrees).

    python3 requests/generate.py [--count N] [--seed S] [--decisions D.jsonl] > traffic.jsonl

`--decisions` takes `mandate simulate --format jsonl` output over the same records and
stamps each record with that decision as what production recorded, flipping one in 200
(a stale bundle that was still running). `requests/regenerate.sh` does both steps.
"""
import argparse
import json
import random
import sys
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def load():
    agents = [tomllib.loads(p.read_text()) for p in sorted((ROOT / "inventory/agents").glob("*.toml"))]
    resources = tomllib.loads((ROOT / "inventory/resources.toml").read_text())
    return agents, resources


def ref(kind, ident):
    return {"type": f"Acme::{kind}", "id": ident}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--decisions")
    args = ap.parse_args()
    decided = {}
    if args.decisions:
        for line in open(args.decisions):
            r = json.loads(line)
            decided[r["id"]] = r["baseline"]["decision"]
    rng = random.Random(args.seed)
    # Its own stream, so stamping decisions leaves the records themselves unchanged.
    flips = random.Random(args.seed + 1)
    agents, res = load()
    tools = [t["id"] for t in res.get("tools", [])]
    datasets = [d["id"] for d in res.get("datasets", [])]
    models = [m["id"] for m in res.get("models", [])]
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    out = sys.stdout
    # A task is up to six consecutive requests of one agent (its own counter), so a task's
    # path is one agent's work; the chains insights flag come from the odd off-list request.
    per_agent = {}
    planted = plants(start, args.count)
    for n in range(args.count):
        if n in planted:
            record = planted[n]
            if record["id"] in decided:
                record["decision"] = decided[record["id"]]
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
            continue
        agent = rng.choice(agents)
        aid = agent["id"]
        k = per_agent.get(aid, 0)
        per_agent[aid] = k + 1
        task = f"task-{aid}-{k // 6:04d}"
        if aid == "billing-bot":
            task = f"ticket-{k // 6:05d}"
        ctx = {"env": agent.get("environment", "prod"), "task_id": task}
        roll = rng.random()
        own_tools = agent.get("tools", [])
        if roll < 0.55 and own_tools:
            action, resource = "invoke_tool", ref("Tool", rng.choice(own_tools))
            if rng.random() < 0.6:
                ctx["step_up_approved"] = True
        elif roll < 0.62:
            action, resource = "invoke_tool", ref("Tool", rng.choice(tools))
        elif roll < 0.74 and datasets:
            own = agent.get("datasets", []) or datasets
            action = "read_data" if rng.random() < 0.8 else "write_data"
            resource = ref("Dataset", rng.choice(own if rng.random() < 0.9 else datasets))
        elif roll < 0.82 and models:
            own = agent.get("models", []) or models
            action, resource = "invoke_model", ref("Model", rng.choice(own))
        elif roll < 0.90:
            delegates = agent.get("delegates", [])
            target = rng.choice(delegates) if delegates and rng.random() < 0.8 else rng.choice(agents)["id"]
            action, resource = "delegate", ref("Agent", target)
            ctx["delegation_depth"] = rng.choice([1, 1, 1, 2, 2, 3, 4])
        else:
            action = "request_credential"
            pool = own_tools or tools
            resource = ref("Tool", rng.choice(pool))
            ceiling = agent.get("max_ttl_seconds", 900)
            ctx["ttl_seconds"] = rng.choice([ceiling // 2, ceiling, ceiling * 2])
            ctx["issuance_path"] = "workload" if rng.random() < 0.93 else "human"
            ctx["attested"] = rng.random() < 0.85
            if rng.random() < 0.05:
                del ctx["task_id"]
        when = start + timedelta(seconds=n * 97 + rng.randrange(60))
        record = {
            "id": f"req-{n:06d}",
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "principal": ref("Agent", aid),
            "action": ref("Action", action),
            "resource": resource,
            "context": ctx,
        }
        if record["id"] in decided:
            d = decided[record["id"]]
            if flips.random() < 0.005:
                d = "deny" if d == "allow" else "allow"
            record["decision"] = d
        out.write(json.dumps(record, separators=(",", ":")) + "\n")


def plants(start, count):
    """The last 13 records: traffic patterns `mandate insights` looks for, so the demo shows
    them (a deny-retry burst, an agent missing from the inventory, a tool missing from it, a
    three-hop delegation chain). Their decisions are stamped like the rest."""
    base = count - 13
    at = start + timedelta(seconds=base * 97)
    out = {}

    def put(n, seconds, agent, action, kind, rid, ctx):
        out[base + n] = {
            "id": f"req-{base + n:06d}",
            "time": (at + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "principal": ref("Agent", agent),
            "action": ref("Action", action),
            "resource": ref(kind, rid),
            "context": ctx,
        }

    # faq-bot retries a refund it may not make, six times in a minute.
    for i in range(6):
        put(i, i * 9, "faq-bot", "invoke_tool", "Tool", "stripe.refund",
            {"env": "prod", "task_id": "task-faq-bot-retry"})
    # An agent nobody registered reads customer data.
    for i in range(3):
        put(6 + i, 120 + i * 30, "scraper-x", "read_data", "Dataset", "customer-pii",
            {"env": "prod", "task_id": "task-scraper-x-0000"})
    # A tool missing from the inventory.
    put(9, 300, "deploy-bot", "invoke_tool", "Tool", "jenkins.job.run",
        {"env": "prod", "task_id": "task-deploy-bot-jenkins"})
    # A task delegated three hops deep.
    for i, (a, b) in enumerate([("faq-bot", "refund-approver"), ("refund-approver", "billing-bot"),
                                ("billing-bot", "invoice-reconciler")]):
        put(10 + i, 400 + i * 20, a, "delegate", "Agent", b,
            {"env": "prod", "task_id": "task-refund-chain", "delegation_depth": i + 1})
    return out


if __name__ == "__main__":
    main()
