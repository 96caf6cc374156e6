//! The committed fuzz corpora (`fuzz/corpus/<target>/`) and crash regressions
//! (`fuzz/regressions/<target>/`), replayed through the harnesses the cargo-fuzz targets
//! call (`mandate::api::fuzzing`), on stable, as ordinary tests. Every file that panics is
//! named; a corpus that shrank to nothing, or no longer reaches the real code, fails too.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use mandate::api::fuzzing::{self, Outcome};

/// A corpus smaller than this was deleted or truncated by mistake.
const MIN_CORPUS: usize = 20;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Replays the corpus and regressions of `target`; returns the corpus inputs' outcomes.
fn replay(target: &str, harness: fn(&[u8]) -> Outcome) -> Vec<Outcome> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = files(&root.join("corpus").join(target));
    assert!(
        corpus.len() >= MIN_CORPUS,
        "fuzz/corpus/{target} holds {} inputs, fewer than {MIN_CORPUS}",
        corpus.len()
    );
    let regressions = files(&root.join("regressions").join(target));
    let mut outcomes = Vec::new();
    let mut panicked = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap();
        match panic::catch_unwind(AssertUnwindSafe(|| harness(&data))) {
            Ok(outcome) if path.starts_with(root.join("corpus")) => outcomes.push(outcome),
            Ok(_) => {}
            Err(e) => {
                let message = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                let shown = path.strip_prefix(&root).unwrap_or(path).display();
                panicked.push(format!("fuzz/{shown}: {message}"));
            }
        }
    }
    assert!(
        panicked.is_empty(),
        "{} input(s) panic:\n{}",
        panicked.len(),
        panicked.join("\n")
    );
    outcomes
}

/// Some inputs get through to the real code and some are refused with problems.
fn assert_not_vacuous(target: &str, outcomes: &[Outcome]) {
    let accepted = outcomes.iter().filter(|o| o.accepted > 0).count();
    let refused = outcomes.iter().filter(|o| o.problems > 0).count();
    assert!(
        accepted >= 5 && refused >= 5,
        "{target}: {accepted} input(s) accepted, {refused} with problems, of {}",
        outcomes.len()
    );
}

#[test]
fn fuzz_corpus_requests_replays_without_a_panic() {
    let outcomes = replay("requests", fuzzing::requests);
    assert_not_vacuous("requests", &outcomes);
}

#[test]
fn fuzz_corpus_inventory_replays_without_a_panic() {
    let outcomes = replay("inventory", fuzzing::inventory);
    assert_not_vacuous("inventory", &outcomes);
}

#[test]
fn fuzz_corpus_bundle_replays_without_a_panic() {
    let outcomes = replay("bundle", fuzzing::bundle);
    assert_not_vacuous("bundle", &outcomes);
}

#[test]
fn fuzz_corpus_ipc_replays_without_a_panic() {
    let outcomes = replay("ipc", fuzzing::ipc);
    assert_not_vacuous("ipc", &outcomes);
}

/// Found by fuzzing the IPC arguments (`fuzz/regressions/ipc/time-bound-*`): a time window's
/// span too large for a date (`100000000d`, `999999999999999d`) or ending in a character of
/// more than one byte (`7é`) panicked in `time_bound` instead of being refused.
#[test]
fn time_bound_spans_out_of_range_or_ending_in_a_multibyte_char_are_refused_not_panics() {
    use mandate::api::dto::{ErrorCode, InsightsQuery};
    let ws = crate::support::demo();
    let session = mandate::api::Session::open(ws.path()).unwrap();
    for since in [
        "100000000d",
        "999999999999999d",
        "-999999999999h",
        "7é",
        "é",
    ] {
        let query = InsightsQuery {
            since: Some(since.to_owned()),
            ..InsightsQuery::default()
        };
        let e = session.insights(&query).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{since}: {e:?}");
    }
}
