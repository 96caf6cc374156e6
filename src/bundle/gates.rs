//! The gates `mandate bundle publish` checks, each reported pass or fail with its detail.
//! Pure: the caller gathers the [`Facts`] (from the bundle, the workspace and its reviews);
//! [`evaluate`] decides, so each gate is tested on its own.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::workspace::Gates as GateConfig;

/// One gate's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gate {
    /// Stable: `integrity`, `version`, `validation`, `fail_open`, `permissive`, `replay_errors`,
    /// `review`, `approvals`, `accountability`, `coverage`.
    pub id: String,
    pub title: String,
    pub passed: bool,
    /// Turned off in `mandate.toml` (`[gates]`): reported, never failing.
    pub skipped: bool,
    pub detail: String,
}

/// The review of the bundle's policies, as found in `reviews/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFact {
    pub name: String,
    pub approved: bool,
    pub unacknowledged: u64,
}

/// Everything the gates read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Altered, missing or unlisted files; an author signature that does not count.
    pub integrity: Vec<String>,
    /// `Err(why)` when the version is not above the last published one or the parent is
    /// not the last published bundle.
    pub order: Result<String, String>,
    pub validation_errors: Vec<String>,
    /// New fail-open forbids (not in the published bundle's analysis).
    pub fail_open: Vec<String>,
    /// Where `fail_open` comes from: the solver's proof, or the lint without one.
    pub fail_open_source: String,
    /// Environments the analysis found more permissive than the published bundle (or could
    /// not rule it out); `Err(why)` when it did not run.
    pub more_permissive: Result<Vec<String>, String>,
    /// Why the author accepts a more permissive change.
    pub more_permissive_ack: Option<String>,
    /// `None` when there was no recorded traffic to replay.
    pub replay_errors: Option<u64>,
    /// Reviews approving exactly the bundle's policies (or the best candidates found).
    pub review: Option<ReviewFact>,
    pub required_approvals: u32,
    pub valid_approvals: u32,
    /// Why approvals did not count.
    pub approval_problems: Vec<String>,
    /// Agents in scope without an accountable human (or whose accountable human left).
    pub unaccountable: Vec<String>,
    /// Frameworks with fewer implemented items than the published bundle.
    pub coverage_reductions: Vec<String>,
    pub coverage_ack: Option<String>,
}

impl Default for Facts {
    fn default() -> Self {
        Self {
            integrity: Vec::new(),
            order: Ok(String::new()),
            validation_errors: Vec::new(),
            fail_open: Vec::new(),
            fail_open_source: String::new(),
            more_permissive: Ok(Vec::new()),
            more_permissive_ack: None,
            replay_errors: None,
            review: None,
            required_approvals: 0,
            valid_approvals: 0,
            approval_problems: Vec::new(),
            unaccountable: Vec::new(),
            coverage_reductions: Vec::new(),
            coverage_ack: None,
        }
    }
}

fn gate(id: &str, title: &str, passed: bool, detail: String) -> Gate {
    Gate {
        id: id.into(),
        title: title.into(),
        passed,
        skipped: false,
        detail,
    }
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > SHOWN {
        text.push_str(&format!("; and {} more", items.len() - SHOWN));
    }
    text
}

/// Every gate, in order; a gate turned off in the config passes as skipped.
pub fn evaluate(f: &Facts, config: &GateConfig) -> Vec<Gate> {
    let mut out = Vec::new();
    out.push(gate(
        "integrity",
        "Bundle intact and signed by its author",
        f.integrity.is_empty(),
        if f.integrity.is_empty() {
            "every file matches the manifest; the author's signature verifies with a trusted key"
                .into()
        } else {
            list(&f.integrity)
        },
    ));
    out.push(match &f.order {
        Ok(detail) => gate(
            "version",
            "Version and parent follow the published history",
            true,
            detail.clone(),
        ),
        Err(why) => gate(
            "version",
            "Version and parent follow the published history",
            false,
            why.clone(),
        ),
    });
    out.push(gate(
        "validation",
        "Strict validation clean",
        f.validation_errors.is_empty(),
        if f.validation_errors.is_empty() {
            "every policy validates against the bundle's schema in strict mode".into()
        } else {
            format!(
                "{} error(s): {}",
                f.validation_errors.len(),
                list(&f.validation_errors)
            )
        },
    ));
    let mut fail_open = gate(
        "fail_open",
        "No new fail-open findings",
        f.fail_open.is_empty(),
        if f.fail_open.is_empty() {
            format!("no forbid can error ({})", f.fail_open_source)
        } else {
            format!(
                "{} forbid(s) can error, so Cedar would skip them ({}): {}",
                f.fail_open.len(),
                f.fail_open_source,
                list(&f.fail_open)
            )
        },
    );
    if config.allow_fail_open {
        skip(&mut fail_open, "allow_fail_open");
    }
    out.push(fail_open);
    let title = "More permissive only when acknowledged";
    let mut permissive = match (&f.more_permissive, &f.more_permissive_ack) {
        (Ok(envs), _) if envs.is_empty() => gate(
            "permissive",
            title,
            true,
            "the analysis proves no environment more permissive than the published bundle"
                .into(),
        ),
        (Ok(envs), Some(why)) => gate(
            "permissive",
            title,
            true,
            format!("acknowledged ({why}): {}", list(envs)),
        ),
        (Ok(envs), None) => gate(
            "permissive",
            title,
            false,
            format!(
                "{} environment(s) may allow what the published bundle denies: {}; rebuild with `--accept-more-permissive \"why\"` once reviewed",
                envs.len(),
                list(envs)
            ),
        ),
        (Err(why), _) => gate(
            "permissive",
            title,
            false,
            format!("{why}; install a solver (`bash scripts/deps.sh`) or set `allow_more_permissive = true` under [gates]"),
        ),
    };
    if config.allow_more_permissive {
        skip(&mut permissive, "allow_more_permissive");
    }
    out.push(permissive);
    let mut replay = match f.replay_errors {
        None => gate(
            "replay_errors",
            "No replay errors",
            true,
            "no recorded traffic to replay".into(),
        ),
        Some(0) => gate(
            "replay_errors",
            "No replay errors",
            true,
            "every recorded request evaluated without error".into(),
        ),
        Some(n) => gate(
            "replay_errors",
            "No replay errors",
            false,
            format!("{n} recorded request(s) errored on the bundle's policies"),
        ),
    };
    if config.allow_replay_errors {
        skip(&mut replay, "allow_replay_errors");
    }
    out.push(replay);
    let mut review = match &f.review {
        None => gate("review", "Approved review of exactly these policies", false,
            "no review of these policies against the published ones: `mandate review open --set SET --baseline @published` (`@none` before the first bundle), acknowledge, `mandate review verdict NAME approve`".into()),
        Some(r) if r.unacknowledged > 0 => gate("review", "Approved review of exactly these policies", false,
            format!("review `{}` has {} unacknowledged group(s) of changed decisions", r.name, r.unacknowledged)),
        Some(r) if !r.approved => gate("review", "Approved review of exactly these policies", false,
            format!("review `{}` has no `approve` verdict", r.name)),
        Some(r) => gate("review", "Approved review of exactly these policies", true,
            format!("review `{}` approves these policies; every changed decision acknowledged", r.name)),
    };
    if !config.require_review {
        skip(&mut review, "require_review = false");
    }
    out.push(review);
    let enough = f.valid_approvals >= f.required_approvals;
    let mut detail = format!(
        "{} of {} required approval(s)",
        f.valid_approvals, f.required_approvals
    );
    if !f.approval_problems.is_empty() {
        detail.push_str(&format!("; not counted: {}", list(&f.approval_problems)));
    }
    out.push(gate(
        "approvals",
        "Required approvals present and valid",
        enough,
        detail,
    ));
    let mut accountable = gate(
        "accountability",
        "Every agent in scope has an accountable human",
        f.unaccountable.is_empty(),
        if f.unaccountable.is_empty() {
            "every agent names an accountable human who is still here".into()
        } else {
            list(&f.unaccountable)
        },
    );
    if !config.require_accountable_human {
        skip(&mut accountable, "require_accountable_human = false");
    }
    out.push(accountable);
    let mut coverage = if f.coverage_reductions.is_empty() {
        gate(
            "coverage",
            "Coverage not reduced",
            true,
            "no framework lost implemented items".into(),
        )
    } else if let Some(reason) = &f.coverage_ack {
        gate(
            "coverage",
            "Coverage not reduced",
            true,
            format!(
                "reduced, acknowledged by the author (\"{reason}\"): {}",
                list(&f.coverage_reductions)
            ),
        )
    } else {
        gate(
            "coverage",
            "Coverage not reduced",
            false,
            format!(
                "{}; rebuild with --accept-coverage-drop REASON if intended",
                list(&f.coverage_reductions)
            ),
        )
    };
    if config.allow_coverage_reduction {
        skip(&mut coverage, "allow_coverage_reduction");
    }
    out.push(coverage);
    out
}

fn skip(g: &mut Gate, key: &str) {
    if !g.passed {
        g.detail = format!("skipped ({key} in mandate.toml): {}", g.detail);
    }
    g.passed = true;
    g.skipped = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Facts {
        Facts {
            order: Ok("1.1.0 follows 1.0.0".into()),
            replay_errors: Some(0),
            review: Some(ReviewFact {
                name: "2026-11-23-prod".into(),
                approved: true,
                ..ReviewFact::default()
            }),
            required_approvals: 1,
            valid_approvals: 1,
            ..Facts::default()
        }
    }

    fn failing(f: &Facts, config: &GateConfig) -> Vec<String> {
        evaluate(f, config)
            .into_iter()
            .filter(|g| !g.passed)
            .map(|g| g.id)
            .collect()
    }

    #[test]
    fn a_clean_bundle_passes_every_gate() {
        let gates = evaluate(&clean(), &GateConfig::default());
        assert_eq!(gates.len(), 10);
        assert!(gates.iter().all(|g| g.passed && !g.skipped), "{gates:#?}");
    }

    #[test]
    fn each_gate_fails_on_its_own() {
        let config = GateConfig::default();
        type Break = Box<dyn Fn(&mut Facts)>;
        let cases: Vec<(&str, Break)> = vec![
            (
                "integrity",
                Box::new(|f| f.integrity = vec!["policies/a.cedar: altered".into()]),
            ),
            (
                "version",
                Box::new(|f| f.order = Err("1.0.0 is not above 1.0.0".into())),
            ),
            (
                "validation",
                Box::new(|f| f.validation_errors = vec!["a.cedar:1: unknown type".into()]),
            ),
            (
                "fail_open",
                Box::new(|f| f.fail_open = vec!["forbid-long-ttl".into()]),
            ),
            (
                "permissive",
                Box::new(|f| {
                    f.more_permissive =
                        Ok(vec!["Agent × invoke_tool × Tool (more-permissive)".into()]);
                }),
            ),
            (
                "permissive",
                Box::new(|f| f.more_permissive = Err("not analysed: no solver".into())),
            ),
            ("replay_errors", Box::new(|f| f.replay_errors = Some(3))),
            ("review", Box::new(|f| f.review = None)),
            (
                "review",
                Box::new(|f| f.review.as_mut().unwrap().unacknowledged = 2),
            ),
            (
                "review",
                Box::new(|f| f.review.as_mut().unwrap().approved = false),
            ),
            ("approvals", Box::new(|f| f.required_approvals = 2)),
            (
                "accountability",
                Box::new(|f| f.unaccountable = vec!["agent:billing-bot".into()]),
            ),
            (
                "coverage",
                Box::new(|f| f.coverage_reductions = vec!["owasp-asi: 6 → 5".into()]),
            ),
        ];
        for (id, break_it) in cases {
            let mut f = clean();
            break_it(&mut f);
            assert_eq!(failing(&f, &config), vec![id.to_owned()], "breaking {id}");
        }
    }

    #[test]
    fn configured_gates_skip_and_acknowledgements_pass() {
        let mut f = clean();
        f.fail_open = vec!["forbid-x".into()];
        f.replay_errors = Some(1);
        f.review = None;
        f.unaccountable = vec!["agent:x".into()];
        f.coverage_reductions = vec!["owasp-asi: 6 → 5".into()];
        f.more_permissive = Err("not analysed: no solver".into());
        let config = GateConfig {
            allow_fail_open: true,
            allow_more_permissive: true,
            allow_replay_errors: true,
            require_review: false,
            require_accountable_human: false,
            allow_coverage_reduction: true,
            ..GateConfig::default()
        };
        let gates = evaluate(&f, &config);
        let skipped: Vec<&str> = gates
            .iter()
            .filter(|g| g.skipped)
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(
            skipped,
            [
                "fail_open",
                "permissive",
                "replay_errors",
                "review",
                "accountability",
                "coverage"
            ]
        );
        assert!(gates.iter().all(|g| g.passed));
        assert!(
            gates[3].detail.starts_with("skipped (allow_fail_open"),
            "{}",
            gates[3].detail
        );

        // Integrity and approvals cannot be turned off.
        f.integrity = vec!["x".into()];
        f.required_approvals = 3;
        assert_eq!(failing(&f, &config), ["integrity", "approvals"]);

        let mut f = clean();
        f.coverage_reductions = vec!["owasp-asi: 6 → 5".into()];
        f.coverage_ack = Some("retired the ticketing tool".into());
        let g = evaluate(&f, &GateConfig::default()).pop().unwrap();
        assert!(
            g.passed && g.detail.contains("retired the ticketing tool"),
            "{g:?}"
        );

        let mut f = clean();
        f.more_permissive = Ok(vec!["Agent × delegate × Agent (incomparable)".into()]);
        f.more_permissive_ack = Some("delegation opened for the on-call rota".into());
        let g = evaluate(&f, &GateConfig::default())
            .into_iter()
            .find(|g| g.id == "permissive")
            .unwrap();
        assert!(
            g.passed && g.detail.contains("on-call rota") && g.detail.contains("delegate"),
            "{g:?}"
        );
    }
}
