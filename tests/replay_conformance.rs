//! The replay engine on Cedar's conformance suite (`../shared/conformance/cedar-integration-tests`):
//! every handwritten test under `tests/` and every test in `corpus-tests.tar.gz`, read in
//! place.
//!
//! Files are read the way Cedar's `cedar-testing` reads them: policies parsed as one text
//! (ids `policy0`, `policy1`, …), entities parsed with the schema (so the schema's action
//! entities are in the store), each context parsed with the schema for its action, a request
//! validated against the schema when `validateRequest` is true (the default), and
//! `shouldValidate` compared with strict validation. For each request the indexed engine
//! must equal Cedar's unindexed `Authorizer` exactly (decision, reasons, error ids and
//! messages), and the unindexed result must match the file's decision, reasons and erroring
//! policy ids — unless the case is listed in [`KNOWN_DISAGREEMENTS`] with the reason
//! cedar-policy 4.14.1 differs from the file.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use cedar_policy::{
    Authorizer, Context, Entities, EntityUid, PolicySet, Request, Schema, ValidationMode, Validator,
};
use mandate::replay::{evaluate_batch, Decision, Outcome, ScopeIndex};
use rayon::prelude::*;
use serde::Deserialize;

/// Cases where cedar-policy 4.14.1 itself (unindexed) disagrees with the file:
/// `(test file, request description or "validation", why)`. The corpus was generated with
/// Cedar 4.10. A listed case that agrees again fails the test, so the list stays true.
/// No request disagrees: every decision, reason and error id in the suite is Cedar's.
const KNOWN_DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "corpus-tests/0abc1d31e56e407cf1775de09b3e9a97b2dd202b.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/0b55d9e92dcea359a328572cdb27b41b8d600538.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/0faf76faec0b976254309c5c828d4a11cccd9eb7.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/14a3e412661654af32b458d1044626fddb604d58.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/18ffbaf79ff1e3618110aa8107e0de57d6d2793c.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/1fac75fff64288c08b67a1005ed27ce3ce7bad8b.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/3640e57cbf2f370e545995b762f63d419395736f.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/36ce0d10182a0d1f930224fd741149c8245ed4d1.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/3e13f44e56b14a69c26dfd763d854cbde98ed5f4.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/41400cdb4a0cfe0e5295a04e78ca43414cd2a4aa.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/417c87c2b5d75ee24060847be9af33b2a7125a61.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/471cc9cfc42b8a7ccc28578579d69cbb6a60655e.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/4945bd08148a010c211ffabb00e21ebcfcbdc88b.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/4bb694343cff054757360bb6bcb7f987b86a260b.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/4c2391eb1aba60d52e6bea12a699326cfbc836d2.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/52017e026636c59eff70268dd6df1ede79a5bcbd.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/592507356e7a096074376f2632d4a12663e11a51.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/5ceb8004b259ec507fc9b9dc2494a38ff37ef034.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/5f34bb0690f73dd764d2e77bb02ca23b3d93e96d.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/654e97153b9f78baf902198924e209b0ace7399f.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/732d19bec666d876c40660f127824f525d8528fd.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/902f4b32c1d326a0a473f1def29c08b8fdef91ff.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/97b685e96cba2c4fa28203c96c69a55509870c11.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/99cda07a31ccd75a5f64d0a401eb343e5af002fa.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/9b78f4ab718999bb77480ebb5b8bf30999ebbb54.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/a3057b7552c12af674c8f448086b456494d042f1.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/adc47c033d91bb5ea9f793ce48234924676e3a65.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/b76dc8fc97f573b63547af44b784753badc70d42.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/c54dbee8ca6742ac5299df0cb9f1308fcc679da1.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/c9c6ed1521c2b9608c28224de1a289207b6381cd.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/cba8f5b1d3558f93b1ef4420e5e0fce843de9d74.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/d79df9fb9b44cc14b1640d9bdfe2767a85535069.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/deae4c073e620d9f93e0c24e19a44d120c2e1d04.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/e00bc91fe981b3d1109dee35c69b6e4d0146494e.json",
        "validation",
        CEDAR_2545,
    ),
    (
        "corpus-tests/edefda397789ceda19e9d403adff6192ddf267de.json",
        "validation",
        CEDAR_2545,
    ),
];

/// Why the listed corpus tests now validate.
const CEDAR_2545: &str =
    "`shouldValidate: false` because Cedar 4.10 rejected a policy whose scope \
    fits no action's `appliesTo`; since cedar-policy/cedar#2545 that is the warning \
    `unable to find an applicable action given the policy scope constraints` (with \
    `policy is impossible`), so strict validation passes";

fn suite_root() -> PathBuf {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cedar-integration-tests");
    assert!(
        root.join("tests").is_dir() && root.join("corpus-tests.tar.gz").is_file(),
        "the Cedar conformance suite is expected at `{}` (a checkout of \
         github.com/cedar-policy/cedar-integration-tests with `tests/`, `sample-data/` and \
         `corpus-tests.tar.gz`); it is the oracle of the replay engine and must be present",
        root.display()
    );
    root
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestFile {
    policies: String,
    entities: String,
    schema: String,
    should_validate: bool,
    requests: Vec<TestRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestRequest {
    description: String,
    principal: serde_json::Value,
    action: serde_json::Value,
    resource: serde_json::Value,
    context: serde_json::Value,
    #[serde(default = "yes")]
    validate_request: bool,
    decision: Decision,
    reason: Vec<String>,
    errors: Vec<String>,
}

fn yes() -> bool {
    true
}

/// What one test file gave.
#[derive(Debug, Default)]
struct Tally {
    tests: usize,
    requests: usize,
    /// Differences between Cedar and the file: `(test, case, what)`.
    disagreements: Vec<(String, String, String)>,
    /// Differences between the index and Cedar: always a failure.
    failures: Vec<String>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.tests += other.tests;
        self.requests += other.requests;
        self.disagreements.extend(other.disagreements);
        self.failures.extend(other.failures);
        self
    }
}

/// Runs one test; `read` gives the text of a file the test names.
fn run_test(name: &str, json: &str, read: &dyn Fn(&str) -> Option<String>) -> Tally {
    let mut tally = Tally {
        tests: 1,
        ..Tally::default()
    };
    let fail = |what: String| Tally {
        failures: vec![format!("{name}: {what}")],
        ..Tally::default()
    };
    let test: TestFile = match serde_json::from_str(json) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot parse the test file: {e}")),
    };
    let (Some(schema_text), Some(entities_text), Some(policies_text)) = (
        read(&test.schema),
        read(&test.entities),
        read(&test.policies),
    ) else {
        return fail("a file it names is missing".to_owned());
    };
    let schema = match Schema::from_cedarschema_str(&schema_text) {
        Ok((s, _)) => s,
        Err(e) => return fail(format!("schema: {e}")),
    };
    let entities = match Entities::from_json_str(&entities_text, Some(&schema)) {
        Ok(e) => e,
        Err(e) => return fail(format!("entities: {e}")),
    };
    let policies: PolicySet = match policies_text.parse() {
        Ok(p) => p,
        Err(e) => return fail(format!("policies: {e}")),
    };
    let validated = Validator::new(schema.clone())
        .validate(&policies, ValidationMode::Strict)
        .validation_passed();
    if validated != test.should_validate {
        tally.disagreements.push((
            name.to_owned(),
            "validation".to_owned(),
            format!(
                "shouldValidate is {} but strict validation {}",
                test.should_validate,
                if validated { "passes" } else { "fails" }
            ),
        ));
    }
    let index = match ScopeIndex::new(&policies) {
        Ok(i) => i,
        Err(e) => return fail(format!("index: {e}")),
    };

    let mut batch: Vec<(Request, &Entities)> = Vec::new();
    let mut expected: Vec<&TestRequest> = Vec::new();
    for r in &test.requests {
        match build_request(r, &schema) {
            Ok(request) => {
                batch.push((request, &entities));
                expected.push(r);
            }
            Err(e) => tally.disagreements.push((
                name.to_owned(),
                r.description.clone(),
                format!("request not built: {e}"),
            )),
        }
    }
    tally.requests = batch.len();
    let indexed = evaluate_batch(&index, &batch);
    let authorizer = Authorizer::new();
    for (((request, entities), indexed), want) in batch.iter().zip(&indexed).zip(expected) {
        let unindexed =
            Outcome::from_response(&authorizer.is_authorized(request, &policies, entities));
        if *indexed != unindexed {
            tally.failures.push(format!(
                "{name}: `{}`: indexed {indexed:?} != unindexed {unindexed:?}",
                want.description
            ));
        }
        if let Some(what) = differs_from_file(&unindexed, want) {
            tally
                .disagreements
                .push((name.to_owned(), want.description.clone(), what));
        }
    }
    tally
}

fn build_request(r: &TestRequest, schema: &Schema) -> Result<Request, String> {
    let uid = |v: &serde_json::Value| EntityUid::from_json(v.clone()).map_err(|e| e.to_string());
    let (principal, action, resource) = (uid(&r.principal)?, uid(&r.action)?, uid(&r.resource)?);
    let context = Context::from_json_value(r.context.clone(), Some((schema, &action)))
        .map_err(|e| e.to_string())?;
    Request::new(
        principal,
        action,
        resource,
        context,
        r.validate_request.then_some(schema),
    )
    .map_err(|e| e.to_string())
}

/// How Cedar's result differs from the file's decision, reasons and erroring policy ids.
fn differs_from_file(got: &Outcome, want: &TestRequest) -> Option<String> {
    let reasons: BTreeSet<&str> = got.reasons.iter().map(String::as_str).collect();
    let errors: BTreeSet<&str> = got.errors.iter().map(|(id, _)| id.as_str()).collect();
    let want_reasons: BTreeSet<&str> = want.reason.iter().map(String::as_str).collect();
    let want_errors: BTreeSet<&str> = want.errors.iter().map(String::as_str).collect();
    (got.decision != want.decision || reasons != want_reasons || errors != want_errors).then(|| {
        format!(
            "expected {:?} {want_reasons:?} errors {want_errors:?}, cedar gives {:?} {reasons:?} errors {errors:?}",
            want.decision, got.decision
        )
    })
}

fn handwritten(root: &Path) -> Tally {
    let mut files: Vec<PathBuf> = walk(&root.join("tests"))
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".entities.json")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no handwritten tests under {}",
        root.display()
    );
    files
        .par_iter()
        .map(|path| {
            let name = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            let json = std::fs::read_to_string(path).unwrap();
            run_test(&name, &json, &|rel| {
                std::fs::read_to_string(root.join(rel)).ok()
            })
        })
        .reduce(Tally::default, Tally::merge)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Streams the archive; a test runs as soon as its four files (`<hash>.json`, `.cedar`,
/// `.cedarschema`, `.entities.json`) have been read, so memory holds only tests in flight.
fn corpus(root: &Path) -> Tally {
    let archive = std::fs::File::open(root.join("corpus-tests.tar.gz")).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut pending: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut ready: Vec<(String, HashMap<String, String>)> = Vec::new();
    let mut tally = Tally::default();
    const SUFFIXES: [&str; 4] = [".entities.json", ".cedarschema", ".cedar", ".json"];
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let path = path.trim_start_matches("./").to_owned();
        let Some(suffix) = SUFFIXES.iter().find(|s| path.ends_with(*s)) else {
            continue;
        };
        let stem = path.trim_end_matches(suffix).to_owned();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let files = pending.entry(stem.clone()).or_default();
        files.insert(path, text);
        if files.len() == SUFFIXES.len() {
            if let Some(files) = pending.remove(&stem) {
                ready.push((stem, files));
            }
        }
        if ready.len() >= 512 {
            tally = tally.merge(run_corpus_batch(std::mem::take(&mut ready)));
        }
    }
    tally = tally.merge(run_corpus_batch(ready));
    assert!(
        pending.is_empty(),
        "corpus tests with missing files: {:?}",
        pending.keys().take(5).collect::<Vec<_>>()
    );
    tally
}

fn run_corpus_batch(batch: Vec<(String, HashMap<String, String>)>) -> Tally {
    batch
        .par_iter()
        .map(|(stem, files)| {
            let name = format!("{stem}.json");
            match files.get(&name) {
                Some(json) => run_test(&name, json, &|rel| files.get(rel).cloned()),
                None => Tally {
                    failures: vec![format!("{name}: missing")],
                    ..Tally::default()
                },
            }
        })
        .reduce(Tally::default, Tally::merge)
}

/// Fails on any index/Cedar difference, any unlisted Cedar/file difference and any listed
/// one that no longer happens.
fn check(label: &str, tally: &Tally) {
    println!(
        "{label}: {} tests, {} requests, {} known disagreements",
        tally.tests,
        tally.requests,
        tally.disagreements.len()
    );
    let shown: Vec<&String> = tally.failures.iter().take(20).collect();
    assert!(
        tally.failures.is_empty(),
        "{label}: the index differs from Cedar in {} case(s):\n{shown:#?}",
        tally.failures.len()
    );
    let unlisted: Vec<&(String, String, String)> = tally
        .disagreements
        .iter()
        .filter(|(test, case, _)| {
            !KNOWN_DISAGREEMENTS
                .iter()
                .any(|(t, c, _)| test == t && case == c)
        })
        .take(20)
        .collect();
    assert!(
        unlisted.is_empty(),
        "{label}: cedar-policy 4.14.1 disagrees with the suite in unlisted case(s):\n{unlisted:#?}"
    );
}

#[test]
fn handwritten_tests_match_cedar_and_the_files() {
    let root = suite_root();
    let tally = handwritten(&root);
    check("handwritten", &tally);
    assert!(tally.requests > 0);
    assert_no_stale_listing(&tally, |test| test.starts_with("tests/"));
}

#[test]
fn corpus_tests_match_cedar_and_the_files() {
    let root = suite_root();
    let tally = corpus(&root);
    check("corpus", &tally);
    assert!(tally.tests > 1000, "only {} corpus tests read", tally.tests);
    assert_no_stale_listing(&tally, |test| test.starts_with("corpus-tests/"));
}

fn assert_no_stale_listing(tally: &Tally, mine: impl Fn(&str) -> bool) {
    let stale: Vec<&(&str, &str, &str)> = KNOWN_DISAGREEMENTS
        .iter()
        .filter(|(test, case, _)| {
            mine(test)
                && !tally
                    .disagreements
                    .iter()
                    .any(|(t, c, _)| t == test && c == case)
        })
        .collect();
    assert!(
        stale.is_empty(),
        "listed disagreements that no longer happen: {stale:#?}"
    );
}
