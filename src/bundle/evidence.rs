//! `evidence/*.json`: what a bundle carries to show it was checked, written at build time
//! and covered by the manifest (so the author's signature and every approval cover it).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::replay::simulate::SimulateSummary;

pub const VALIDATION: &str = "evidence/validation.json";
pub const REPLAY: &str = "evidence/replay.json";
pub const COVERAGE: &str = "evidence/coverage.json";
pub const SCOPE: &str = "evidence/scope.json";
pub const REVIEW: &str = "evidence/review.json";
pub const ACKNOWLEDGEMENTS: &str = "evidence/acknowledgements.json";
pub const ANALYSIS: &str = "evidence/analysis.json";

/// Strict validation of the bundle's policies against its schema, and the lints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ValidationEvidence")]
pub struct Validation {
    pub statements: u32,
    pub errors: u32,
    pub warnings: u32,
    /// Policies with a fail-open finding (`lint::forbid_can_error`): a `forbid` that can
    /// error, which Cedar then skips — permitting what it meant to deny.
    pub fail_open: Vec<String>,
    /// Every error and warning, `file:line: code: message`.
    pub problems: Vec<String>,
}

/// An agent whose decisions changed in the replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TouchedAgent {
    pub agent: String,
    /// Its risk tier, or `unknown` when the inventory does not list it.
    pub tier: String,
    #[ts(type = "number")]
    pub changed: u64,
}

/// The replay of recorded traffic against the last published bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ReplayEvidence")]
pub struct Replay {
    /// The request set replayed; `None` when nothing was recorded yet.
    pub set: Option<String>,
    /// `@published` (with its version and hash) or `nothing published` (an empty policy
    /// set: everything denied).
    pub baseline: String,
    pub baseline_hash: Option<String>,
    pub summary: Option<SimulateSummary>,
    /// Requests whose candidate evaluation errored.
    #[ts(type = "number")]
    pub candidate_errors: u64,
    pub touched: Vec<TouchedAgent>,
    /// The run's result digest in the workspace's store.
    pub digest: Option<String>,
}

/// One framework's coverage when the bundle was built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CoverageLine {
    pub framework: String,
    pub applicable: u32,
    pub implemented: u32,
    pub partial: u32,
    pub planned: u32,
    pub percent: f64,
}

/// The coverage snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "CoverageEvidence")]
pub struct Coverage {
    pub generated_at: String,
    pub catalog_version: String,
    pub frameworks: Vec<CoverageLine>,
}

impl Coverage {
    /// Frameworks whose implemented count fell below `before`'s (`id: 12 → 10 implemented`).
    pub fn reductions(&self, before: &Coverage) -> Vec<String> {
        self.frameworks
            .iter()
            .filter_map(|now| {
                let was = before
                    .frameworks
                    .iter()
                    .find(|b| b.framework == now.framework)?;
                (now.implemented < was.implemented).then(|| {
                    format!(
                        "{}: {} → {} implemented ({:.0}% → {:.0}%)",
                        now.framework, was.implemented, now.implemented, was.percent, now.percent
                    )
                })
            })
            .chain(
                before
                    .frameworks
                    .iter()
                    .filter(|was| {
                        was.implemented > 0
                            && !self.frameworks.iter().any(|n| n.framework == was.framework)
                    })
                    .map(|was| {
                        format!(
                            "{}: no longer covered (was {} implemented)",
                            was.framework, was.implemented
                        )
                    }),
            )
            .collect()
    }
}

/// How many approvals the change needs, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Scope {
    /// The highest risk tier whose access changed (`low` … `critical`).
    pub highest_tier: String,
    pub required_approvals: u32,
    pub reason: String,
}

/// The review that approved the bundle's policies, as found at build time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewRef {
    pub name: String,
    pub verdict: String,
    pub by: String,
    pub at: String,
    pub candidate_digest: String,
}

/// What the author acknowledged at build time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Acknowledgements {
    /// Why a lower coverage than the published bundle's is accepted.
    pub coverage_reduction: Option<String>,
    /// Why a change the analysis proves more permissive (or cannot rule it out) is
    /// accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub more_permissive: Option<String>,
}

/// One request environment's relation to the last published bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EnvironmentRelation {
    /// `Agent × invoke_tool × Tool`.
    pub environment: String,
    /// `equivalent`, `more-permissive`, `less-permissive`, `incomparable` or `unknown`.
    pub relation: String,
}

/// The symbolic analysis of the bundle's policies against the last published bundle: the
/// relation per environment, the findings, and the agents whose access changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "AnalysisEvidence")]
pub struct Analysis {
    /// Why it did not run (no solver); the rest is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub not_run: Option<String>,
    /// The solver, as `cvc5 1.4.2 (path)`.
    pub solver: String,
    /// `@published` with its version, or `nothing published`.
    pub baseline: String,
    pub environments: Vec<EnvironmentRelation>,
    /// Environments where the bundle may allow what the baseline denies.
    pub more_permissive: Vec<String>,
    /// Forbids proved able to error (fail-open), by policy id.
    pub fail_open: Vec<String>,
    /// Every finding, `kind policy: message`.
    pub findings: Vec<String>,
    /// Agents whose access (action × resource, under any context) changed.
    pub touched: Vec<TouchedAgent>,
    /// Queries the solver could not answer, `environment — query: message`.
    pub problems: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(framework: &str, implemented: u32) -> CoverageLine {
        CoverageLine {
            framework: framework.into(),
            applicable: 10,
            implemented,
            partial: 0,
            planned: 0,
            percent: f64::from(implemented) * 10.0,
        }
    }

    #[test]
    fn reductions_name_each_framework_that_lost_implemented_items() {
        let before = Coverage {
            generated_at: String::new(),
            catalog_version: "1".into(),
            frameworks: vec![
                line("owasp-asi", 6),
                line("nist-ai-rmf", 4),
                line("custom", 1),
            ],
        };
        let now = Coverage {
            generated_at: String::new(),
            catalog_version: "1".into(),
            frameworks: vec![line("owasp-asi", 7), line("nist-ai-rmf", 3)],
        };
        assert_eq!(
            now.reductions(&before),
            vec![
                "nist-ai-rmf: 4 → 3 implemented (40% → 30%)".to_owned(),
                "custom: no longer covered (was 1 implemented)".to_owned()
            ]
        );
        assert!(before.reductions(&before).is_empty());
    }
}
