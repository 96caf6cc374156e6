#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the repository's real inputs (issue #11).

Run from the repository root:  python3 fuzz/seed.py [BUNDLE ...]

- requests:  lines and chunks of examples/demo/requests/traffic.jsonl, the test fixtures'
             requests, the same records as a JSON array, Cedar CLI requests, Cedar's
             integration-test files (../shared/conformance), Cedarling logs, bad records.
- inventory: `a` + each agent file, `p` + people.toml, `r` + resources.toml, `w` + whole
             inventories (people NUL resources NUL policy NUL agents…), broken files.
- bundle:    the zips given as arguments, NUL-separated file sets taken from them, and
             hostile zips (zip-slip, absolute names, symlinks, duplicates, case collisions,
             a bomb). The committed seeds were built with the CLI on a copy of the demo under
             git, as tests/bundles.rs does (MANDATE_KEYS_DIR per person): `requests import`,
             `keys generate` and `keys trust` for dana and bob, `review open/ack/verdict`,
             `bundle build --out X.mandate-bundle` (signed), `bundle approve` by bob, and
             `bundle build --no-sign`.
- ipc:       one file per command argument type (see `mandate::api::fuzzing::ipc`).

The committed corpora are these seeds after fuzzing and `cargo fuzz cmin`; re-running
this only adds files (named by content hash).
"""

import glob
import hashlib
import io
import json
import os
import stat
import sys
import tomllib
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX = 64 * 1024
CONFORMANCE = os.path.join(ROOT, "..", "shared", "conformance", "cedar-integration-tests")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX:
        return
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def requests():
    traffic = read("examples/demo/requests/traffic.jsonl").splitlines(keepends=True)
    for i in range(0, len(traffic), 397):
        put("requests", traffic[i])
    for i in range(0, len(traffic), 1009):
        put("requests", b"".join(traffic[i : i + 12]))
    records = [json.loads(l) for l in traffic[:8]]
    put("requests", json.dumps(records, indent=2))
    put("requests", "\ufeff" + json.dumps(records[:3]))
    put("requests", json.dumps(records[:2])[:-30])  # a truncated array
    for f in glob.glob(os.path.join(ROOT, "tests/fixtures/**/*.jsonl"), recursive=True):
        put("requests", read(f)[:MAX])
    r = records[0]
    put("requests", json.dumps({k: r[k] for k in ("principal", "action", "resource", "context")}, indent=2))
    put("requests", '{\n "principal": "User::\\"alice\\"",\n "action": "Action::\\"view\\"",\n'
        ' "resource": "Photo::\\"p\\"",\n "context": {}\n}\n')
    for f in sorted(glob.glob(os.path.join(CONFORMANCE, "tests/*/*.json"))):
        put("requests", read(f))
    put("requests", '{"log_kind":"System","msg":"configuration parsed"}\n'
        '{"log_kind":"Decision","request_id":"q1","timestamp":"2024-12-05T05:27:43.403Z",'
        '"principal":"User & Workload","workload_principal":"Jans::Workload::\\"w\\"",'
        '"action":"Jans::Action::\\"Read\\"","resource":"Jans::App::\\"a\\"","decision":"ALLOW",'
        '"context":{"network":"127.0.0.1"},"policystore_version":"undefined",'
        '"workload_diagnostics":{"reason":[{"id":"840da5","description":"x"}],"errors":[]}}\n'
        '{"log_type":"Metric","n":3}\n'
        '{"log_type":"Decision","principal":"User & Workload","action":"Jans::Action::\\"U\\"",'
        '"resource":"Jans::Issue::\\"x\\"","authorized":false}\n')
    bad = [
        'not json\n{"id":"r3","action":"x"}\n',
        '{"id":"r","principal":"Agent::\\"a\\"","action":"x","resource":"Tool::\\"t\\"","time":1732752262}\n'
        '{"id":"s","principal":{"__entity":{"type":"Agent","id":"b"}},"action":"Action::\\"x\\"",'
        '"resource":"Tool::\\"t\\"","time":1732752262123,"decision":"DENY","reasons":["b","a"]}\n'
        '{"principal":"Agent::\\"c\\"","action":"x","resource":"Tool::\\"t\\"","entities":'
        '[{"uid":{"type":"Tool","id":"t"},"attrs":{},"parents":[]}],"task_id":"t-1","bundle":"sha256:00"}\n',
        '{"id":"r","principl":{"type":"Agent","id":"a"},"action":{"type":"Action","id":"x"},'
        '"resource":{"type":"Tool","id":"t"},"context":[],"decision":"maybe","time":"later"}\n'
        '{"id":5,"principal":5,"action":3,"resource":"Tool::bad","reasons":[1],"task_id":7}\n'
        '[]\n"str"\nnull\n\n   \n{"id":""}\n',
        '[\n{"id": }\n]',
        '[1, {"id": "x"}, "y", null]',
        b'{"id":"r","principal":"Agent::\\"\xff\\"","action":"x","resource":"Tool::\\"t\\""}\n',
        '{"id":"r","principal":{"type":"9bad","id":"a"},"action":{"type":"Action","id":"x"},'
        '"resource":{"type":"Acme::Tool","id":"t"},"time":"2026-05-01T14:00:00+02:00"}\n',
        '{"requests": [], "policies": "p.cedar"}',
        '{"requests": [{"description": "bad", "principal": {"type": "User"}, "action": '
        '{"type": "Action", "id": "view"}, "resource": {"type": "Photo", "id": "p"}, '
        '"decision": "deny", "reason": [], "errors": []}]}',
        '',
        '\n\n',
    ]
    for b in bad:
        put("requests", b)


def inventory():
    agents = sorted(glob.glob(os.path.join(ROOT, "examples/demo/inventory/agents/*.toml")))
    agents += sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/insights/inventory/agents/*.toml")))
    for f in agents:
        put("inventory", b"a" + read(f))
    for d in ["examples/demo/inventory", "tests/fixtures/insights/inventory"]:
        people, resources = read(d + "/people.toml"), read(d + "/resources.toml")
        put("inventory", b"p" + people)
        put("inventory", b"r" + resources)
        policies = sorted(glob.glob(os.path.join(ROOT, d, "..", "policies", "*.cedar")))
        policy = read(policies[0]) if policies else b""
        mine = sorted(glob.glob(os.path.join(ROOT, d, "agents", "*.toml")))
        for i in range(0, len(mine), 4):
            parts = [people, resources, policy] + [read(f) for f in mine[i : i + 4]]
            put("inventory", b"w" + b"\0".join(parts))
    put("inventory", b"a" + b'id = "x"\nname = 3\nunknown = true\n')
    put("inventory", b"a" + b'id = "Bad Id"\nname = "n"\nowner_team = "t"\nrisk_tier = "severe"\n'
        b'environment = "prod"\nlifecycle = "active"\nmax_ttl_seconds = 99999\n'
        b'recertify_by = "2020-13-01"\nspiffe_id = "http://x"\n')
    put("inventory", b"p" + b'[[humans]]\nid = "Dana"\nname = "D"\nemail = "no-at"\n'
        b'[[humans]]\nid = "Dana"\nname = "D"\nemail = "d@x"\ndeparted = true\ndeparted_on = 2026-01-01\n'
        b'[[teams]]\nid = "a b"\nname = "t"\n')
    put("inventory", b"r" + b'[[tools]]\nid = "has space"\nsystem = "s"\nsensitivity = "high"\n'
        b'environment = "prod"\ninput_schema = "{not json"\n[[tools]]\nid = "has space"\n'
        b'system = "s"\nsensitivity = "low"\nenvironment = "dev"\n')
    put("inventory", b"w\0\0\0")


def bundles(paths):
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        put("bundle", data)
        z = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in z.namelist() if n not in ("controls.json", "entities.json")]
        parts = []
        for n in names:
            parts += [n.encode(), z.read(n)]
        put("bundle", b"\0" + b"\0".join(parts))
        just = [n for n in names if n in ("manifest.json", "signatures.json", "approvals.json")]
        parts = []
        for n in just:
            parts += [n.encode(), z.read(n)]
        put("bundle", b"\0" + b"\0".join(parts))

    def zip_of(entries, **kw):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=kw.get("compression", zipfile.ZIP_DEFLATED)) as z:
            for e in entries:
                name, body = e[0], e[1]
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = kw.get("compression", zipfile.ZIP_DEFLATED)
                if len(e) > 2:
                    info.external_attr = e[2] << 16
                z.writestr(info, body)
        return buf.getvalue()

    permit = b"permit(principal, action, resource);"
    put("bundle", zip_of([("manifest.json", b"{}"), ("../../escaped.cedar", permit), ("/etc/evil", b"x")]))
    put("bundle", zip_of([("a\\b.cedar", permit), ("./x", b""), ("a//b", b""), ("c/../d", b"")]))
    put("bundle", zip_of([("link", b"/etc/passwd", stat.S_IFLNK | 0o777), ("policies/", b"", stat.S_IFDIR | 0o755)]))
    put("bundle", zip_of([("Manifest.json", b"{}"), ("manifest.json", b"{}"), ("a", b"1"), ("a/b", b"2")]))
    put("bundle", zip_of([("x", b"1"), ("x", b"2")], compression=zipfile.ZIP_STORED))
    put("bundle", zip_of([("bomb", b"\0" * (2 << 20))]))
    put("bundle", zip_of([]))
    put("bundle", b"PK\x05\x06" + b"\0" * 18)
    put("bundle", b"not a zip")


def ipc():
    agents = sorted(glob.glob(os.path.join(ROOT, "examples/demo/inventory/agents/*.toml")))
    for f in agents[::3]:
        with open(f, "rb") as fh:
            agent = tomllib.load(fh)
        for k, v in list(agent.items()):
            if hasattr(v, "isoformat"):
                agent[k] = v.isoformat()
        put("ipc", "a" + json.dumps({"agent": agent, "create": False}))
    seeds = {
        "b": [{"id": "billing-bot", "to": "suspended", "reason": "incident"}, {"id": "x", "to": "retired", "reason": ""}],
        "c": [{"principal": 'Agent::"billing-bot"', "action": "invoke_tool", "resource": 'Tool::"stripe.refund"',
               "context": '{"env": "prod", "ttl_seconds": 300}'},
              {"principal": "billing-bot", "action": 'Action::"x"', "resource": "Acme::Tool::\"t\"", "context": "{"}],
        "d": [{"set": "prod", "baseline": "git:HEAD", "candidate": None, "since": "7d", "until": "2026-05-01T00:00:00Z"},
              {"set": "prod", "since": "12h", "until": "30m"}, {"set": "prod", "since": "yesterday"}],
        "e": [{"baseline": "@published", "candidate": "policies", "no_diff": False, "no_findings": True,
               "solver": "cvc5", "time_limit_ms": 1000, "jobs": 2}, {}],
        "f": [{"agent": "billing-bot", "baseline": "@none", "no_diff": True, "time_limit_ms": 500}, {}],
        "g": [{"set": "prod", "since": "2026-04-01T00:00:00+02:00", "until": None}, {"set": None}],
        "h": [[{"framework": "owasp-agentic-top-10", "item": "T3", "relevance": "why"}, {"cited": "CSA MAESTRO T1"}], []],
        "i": [{"format": "oscal", "framework": None, "table": None, "out": "/tmp/x.json"},
              {"format": "csv", "framework": "nist-ai-rmf", "table": "matrix", "out": "x.csv"}],
        "j": [{"changed_only": True, "errors_only": False, "search": "billing"}],
        "k": [{"review": "2026-05-01-prod", "ids": ["req-000001"], "groups": None, "comment": "ok"},
              {"review": "r", "ids": [], "groups": ["Agent|invoke_tool|allow->deny"], "comment": ""}],
        "l": [{"review": "r", "verdict": "approve", "comment": "lgtm"},
              {"review": "r", "verdict": "request-changes", "comment": ""}, {"review": "r", "verdict": "nope", "comment": ""}],
        "m": [{"key": "ed25519:" + "8aa3065525eb1b9776dd36c6fd1d7e0a8ed87d3b6f20bd860b1cc56db09aeaf2", "owner": "dana@acme.example",
               "remove": False, "signer": None, "comment": "first"},
              {"key": "ed25519:zz", "owner": None, "remove": True, "signer": "dana", "comment": ""}],
        "n": [{"version": "1.2.0-rc.1+b5", "summary": "s", "out": None, "key": None, "set": "prod", "sign": True,
               "accept_coverage_drop": None, "accept_more_permissive": "first"},
              {"version": "1.2", "summary": "", "out": "x.mandate-bundle", "key": "dana", "set": None, "sign": False,
               "accept_coverage_drop": "ok"}],
    }
    for kind, values in seeds.items():
        for v in values:
            put("ipc", kind + json.dumps(v))
    put("ipc", "a{}")
    put("ipc", "z[1,2")


if __name__ == "__main__":
    requests()
    inventory()
    bundles(sys.argv[1:])
    ipc()
    for t in sorted(os.listdir(CORPUS)):
        print(t, len(os.listdir(os.path.join(CORPUS, t))))
