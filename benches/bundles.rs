//! Bundle integrity at scale: hashing, canonicalising and verifying a bundle of 1,000 policies
//! in 50 files with a 10,000-agent entities file (~5 MB), signed by its author and approved by
//! two people — what `mandate bundle verify` and `bundle list` do per bundle, archive reading
//! aside. Printed per iteration by criterion; the README keeps the figures.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "benchmark set-up: a failure should abort the run"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use ed25519_dalek::SigningKey;
use mandate::bundle::manifest::{Author, Manifest};
use mandate::bundle::sign::{self, Role, Statement};
use mandate::bundle::verify::{self, Trusted};
use mandate::bundle::{archive, Files, APPROVALS, FORMAT, MANIFEST, SIGNATURES};

fn statement(role: Role, hash: &str, who: &str, key: &SigningKey) -> Statement {
    Statement {
        statement_type: sign::STATEMENT_TYPE.into(),
        role,
        subject: hash.into(),
        subject_name: "Acme 1.0.0".into(),
        signer: who.into(),
        key: sign::key_id(&key.verifying_key()),
        at: "2026-11-23T10:00:00Z".into(),
        comment: String::new(),
        previous: None,
    }
}

fn bundle() -> (Files, Vec<Trusted>) {
    let mut files = Files::new();
    for f in 0..50 {
        let mut text = String::new();
        for i in 0..20 {
            let n = f * 20 + i;
            text.push_str(&format!(
                "@id(\"p-{n}\")\n@control(\"MND-X-{}\")\nforbid (principal is Acme::Agent, action, resource)\nunless {{ principal.lifecycle == \"active\" }};\n\n",
                n % 12
            ));
        }
        files.insert(format!("policies/f{f:02}.cedar"), text.into_bytes());
    }
    let entities: Vec<serde_json::Value> = (0..10_000)
        .map(|i| {
            serde_json::json!({"uid": {"type": "Acme::Agent", "id": format!("agent-{i}")},
            "attrs": {"lifecycle": "active", "risk_tier": "high", "max_ttl_seconds": 300,
                      "allowed_tools": [{"type": "Acme::Tool", "id": format!("tool-{}", i % 50)}]},
            "parents": []})
        })
        .collect();
    files.insert(
        "entities.json".into(),
        serde_json::to_vec_pretty(&entities).unwrap(),
    );
    files.insert(
        "schema.cedarschema".into(),
        mandate::model::generated_schema("Acme").into_bytes(),
    );
    let (dana, bob, carol) = (
        SigningKey::from_bytes(&[1; 32]),
        SigningKey::from_bytes(&[2; 32]),
        SigningKey::from_bytes(&[3; 32]),
    );
    let manifest = Manifest {
        format: FORMAT.into(),
        name: "Acme".into(),
        version: "1.0.0".into(),
        cedar_language_version: "4.6.0".into(),
        namespace: "Acme".into(),
        created_at: "2026-11-23T10:00:00Z".into(),
        author: Author {
            name: "dana".into(),
            key: sign::key_id(&dana.verifying_key()),
        },
        parent: None,
        summary: String::new(),
        files: Manifest::list(&files),
    };
    let hash = manifest.hash();
    files.insert(MANIFEST.into(), manifest.canonical());
    let author = sign::sign(&statement(Role::Author, &hash, "dana", &dana), &dana);
    files.insert(SIGNATURES.into(), serde_json::to_vec(&author).unwrap());
    let approvals = vec![
        sign::sign(&statement(Role::Approval, &hash, "bob", &bob), &bob),
        sign::sign(&statement(Role::Approval, &hash, "carol", &carol), &carol),
    ];
    files.insert(APPROVALS.into(), serde_json::to_vec(&approvals).unwrap());
    let trusted = [(&dana, "dana"), (&bob, "bob"), (&carol, "carol")]
        .iter()
        .map(|(k, o)| Trusted {
            id: sign::key_id(&k.verifying_key()),
            owner: (*o).into(),
        })
        .collect();
    (files, trusted)
}

fn bench(c: &mut Criterion) {
    let (files, trusted) = bundle();
    let total: usize = files.values().map(Vec::len).sum();
    let check = verify::check(&files, &trusted);
    assert!(
        check.intact_and_signed() && check.valid_approvals == 2,
        "{check:?}"
    );
    eprintln!(
        "# bundle: {} files, {:.1} MB",
        files.len(),
        total as f64 / 1e6
    );
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("b.mandate-bundle");
    archive::write(&files, &zip).unwrap();
    let folder = dir.path().join("b");
    archive::write(&files, &folder).unwrap();

    let mut group = c.benchmark_group("bundles");
    group.sample_size(10);
    group.bench_function("verify_in_memory", |b| {
        b.iter(|| verify::check(&files, &trusted));
    });
    group.bench_function("read_zip_and_verify", |b| {
        b.iter(|| {
            let read = archive::read(&zip, &archive::Limits::default()).unwrap();
            verify::check(&read, &trusted)
        });
    });
    group.bench_function("read_dir_and_verify", |b| {
        b.iter(|| {
            let read = archive::read(&folder, &archive::Limits::default()).unwrap();
            verify::check(&read, &trusted)
        });
    });
    group.bench_function("write_zip", |b| {
        let out = dir.path().join("w.mandate-bundle");
        b.iter(|| archive::write(&files, &out).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
