//! Review records (`reviews/*.toml`): a replay of a policy change, its changed decisions in
//! groups, each group's acknowledgement, and the verdicts — kept in the workspace so the
//! review itself is reviewed in git, and so bundles and analysis can gate on it.
//!
//! A group is every changed decision with the same action, the same decisions and the same
//! determining policies on each side: one acknowledgement covers "these 412 `invoke_tool`
//! calls flip from allow to deny because `permit-allowed-tools` no longer applies". A review
//! records the policy digests of both sides; when the candidate's policies move after the
//! review was opened, the review is stale and cannot be approved.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::diagnostics::{Diagnostic, Severity};
use crate::replay::simulate::SideResult;

/// The folder of review records in a workspace.
pub const REVIEWS_DIR: &str = "reviews";
/// Example ids kept per group.
pub const EXAMPLES: usize = 5;

/// Someone's acknowledgement of a group of changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Ack {
    pub by: String,
    /// RFC 3339 UTC.
    pub at: String,
    pub comment: String,
}

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum VerdictKind {
    Approve,
    RequestChanges,
}

impl VerdictKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "request-changes" => Some(Self::RequestChanges),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::RequestChanges => "request-changes",
        }
    }
}

/// A verdict, with who gave it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Verdict {
    pub verdict: VerdictKind,
    pub by: String,
    pub at: String,
    pub comment: String,
}

/// A group of changed decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewChange {
    /// `action: baseline→candidate (reasons → reasons)`; unique in a review.
    pub key: String,
    pub action: String,
    /// `allow→deny`, `deny→allow`, or `allow→allow` / `deny→deny` when only the determining
    /// policies or errors changed.
    pub transition: String,
    pub baseline_reasons: Vec<String>,
    pub candidate_reasons: Vec<String>,
    #[ts(type = "number")]
    pub count: u64,
    /// Up to five request ids, in the set's order.
    pub examples: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<Ack>,
}

/// A review record as stored in `reviews/NAME.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ReviewFile {
    pub set: String,
    pub baseline: String,
    pub candidate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `sha256:` of each side's policies when the review was opened.
    pub baseline_digest: String,
    pub candidate_digest: String,
    /// The replay run (in the workspace's store) and the digest of its result lines.
    #[ts(type = "number")]
    pub run_id: i64,
    pub digest: String,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub changed: u64,
    pub opened_by: String,
    pub opened_at: String,
    #[serde(default)]
    pub changes: Vec<ReviewChange>,
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
}

impl ReviewFile {
    /// Groups not yet acknowledged.
    pub fn unacknowledged(&self) -> usize {
        self.changes.iter().filter(|c| c.ack.is_none()).count()
    }

    /// The latest verdict.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.verdicts.last()
    }

    /// Adds one changed decision to its group.
    pub fn add_change(
        &mut self,
        id: &str,
        action: &str,
        baseline: &SideResult,
        candidate: &SideResult,
    ) {
        let key = group_key(action, baseline, candidate);
        match self.changes.iter_mut().find(|c| c.key == key) {
            Some(group) => {
                group.count += 1;
                if group.examples.len() < EXAMPLES {
                    group.examples.push(id.to_owned());
                }
            }
            None => self.changes.push(ReviewChange {
                key,
                action: action.to_owned(),
                transition: format!("{}→{}", baseline.decision, candidate.decision),
                baseline_reasons: baseline.reasons.clone(),
                candidate_reasons: candidate.reasons.clone(),
                count: 1,
                examples: vec![id.to_owned()],
                ack: None,
            }),
        }
    }

    /// TOML with a header comment, as written to disk.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        let body = toml::to_string(self)?;
        Ok(format!(
            "# A review of a policy change, recorded by Mandate (`mandate review …`).\n\
             # Commit it with the change; edit it only through Mandate.\n{body}"
        ))
    }

    /// Parses a review file; every problem located in `rel`.
    pub fn parse(rel: &str, text: &str) -> Result<Self, Vec<Diagnostic>> {
        let review: Self = toml::from_str(text).map_err(|e| {
            let (start, end) = e.span().map_or((0, 0), |s| (s.start, s.end));
            vec![Diagnostic::at_span(
                rel,
                text,
                start,
                end,
                Severity::Error,
                "review::parse",
                e.message().to_owned(),
                Some("a review file is written by `mandate review`; restore it from git".into()),
            )]
        })?;
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for change in &review.changes {
            if !seen.insert(change.key.as_str()) {
                problems.push(located(
                    rel,
                    text,
                    &change.key,
                    "review::duplicate_group",
                    format!("the group `{}` appears twice", change.key),
                ));
            }
        }
        if review.changes.iter().map(|c| c.count).sum::<u64>() != review.changed {
            problems.push(Diagnostic::whole_file(
                rel,
                Severity::Error,
                "review::counts",
                format!(
                    "`changed = {}` but the groups count {} changed decisions",
                    review.changed,
                    review.changes.iter().map(|c| c.count).sum::<u64>()
                ),
                Some("the file was edited by hand; restore it from git".into()),
            ));
        }
        if problems.is_empty() {
            Ok(review)
        } else {
            Err(problems)
        }
    }
}

/// The group a changed decision belongs to.
pub fn group_key(action: &str, baseline: &SideResult, candidate: &SideResult) -> String {
    let reasons = |s: &SideResult| {
        let mut text = if s.reasons.is_empty() {
            "none".to_owned()
        } else {
            s.reasons.join(", ")
        };
        if !s.errors.is_empty() {
            text.push_str(&format!("; errors: {}", s.errors.join(", ")));
        }
        text
    };
    format!(
        "{action}: {}→{} ({} → {})",
        baseline.decision,
        candidate.decision,
        reasons(baseline),
        reasons(candidate)
    )
}

/// Whether `name` can name a review file: letters, digits, `-`, `_`, `.`, not leading `.`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn located(rel: &str, text: &str, needle: &str, code: &str, message: String) -> Diagnostic {
    let quoted = format!("{needle:?}");
    let start = text.rfind(&quoted).unwrap_or(0);
    Diagnostic::at_span(
        rel,
        text,
        start,
        start + quoted.len(),
        Severity::Error,
        code,
        message,
        Some("the file was edited by hand; restore it from git".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(decision: &str, reasons: &[&str]) -> SideResult {
        SideResult {
            decision: decision.into(),
            reasons: reasons.iter().map(|s| (*s).to_owned()).collect(),
            errors: Vec::new(),
        }
    }

    fn review() -> ReviewFile {
        ReviewFile {
            set: "prod".into(),
            baseline: "git:HEAD".into(),
            candidate: "working copy".into(),
            since: None,
            until: None,
            baseline_digest: "sha256:b".into(),
            candidate_digest: "sha256:c".into(),
            run_id: 1,
            digest: "sha256:r".into(),
            requests: 10,
            changed: 0,
            opened_by: "alice".into(),
            opened_at: "2026-11-23T09:00:00.000Z".into(),
            changes: Vec::new(),
            verdicts: Vec::new(),
        }
    }

    #[test]
    fn changes_group_by_action_decisions_and_reasons() {
        let mut r = review();
        for i in 0..7 {
            r.add_change(
                &format!("req-{i}"),
                "invoke_tool",
                &side("allow", &["permit-allowed-tools"]),
                &side("deny", &[]),
            );
        }
        r.add_change(
            "req-9",
            "invoke_tool",
            &side("deny", &[]),
            &side("allow", &["grant"]),
        );
        r.changed = 8;
        assert_eq!(r.changes.len(), 2);
        let first = &r.changes[0];
        assert_eq!(
            first.key,
            "invoke_tool: allow→deny (permit-allowed-tools → none)"
        );
        assert_eq!((first.count, first.examples.len()), (7, EXAMPLES));
        assert_eq!(first.transition, "allow→deny");
        assert_eq!(r.unacknowledged(), 2);

        // Round trip through the file format.
        r.changes[0].ack = Some(Ack {
            by: "bob".into(),
            at: "2026-11-23T10:00:00.000Z".into(),
            comment: "expected".into(),
        });
        r.verdicts.push(Verdict {
            verdict: VerdictKind::RequestChanges,
            by: "bob".into(),
            at: "2026-11-23T10:01:00.000Z".into(),
            comment: "one more".into(),
        });
        let text = r.to_toml().unwrap();
        assert!(text.contains("verdict = \"request-changes\""), "{text}");
        let back = ReviewFile::parse("reviews/x.toml", &text).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.unacknowledged(), 1);
    }

    #[test]
    fn hand_edits_are_reported_at_their_line() {
        let mut r = review();
        r.add_change(
            "req-1",
            "read_data",
            &side("allow", &["p"]),
            &side("deny", &[]),
        );
        r.changed = 1;
        let text = r.to_toml().unwrap();
        let bad = text.replace("count = 1", "count = \"one\"");
        let problems = ReviewFile::parse("reviews/x.toml", &bad).unwrap_err();
        assert_eq!(problems[0].code, "review::parse");
        let line = bad.lines().position(|l| l.contains("\"one\"")).unwrap() as u32 + 1;
        assert_eq!(problems[0].line, line);

        let wrong = text.replace("changed = 1", "changed = 5");
        let problems = ReviewFile::parse("reviews/x.toml", &wrong).unwrap_err();
        assert_eq!(problems[0].code, "review::counts");

        let unknown = format!("surprise = true\n{text}");
        let problems = ReviewFile::parse("reviews/x.toml", &unknown).unwrap_err();
        assert!(
            problems[0].message.contains("surprise"),
            "{}",
            problems[0].message
        );
        assert_eq!(problems[0].line, 1);
    }

    #[test]
    fn names_are_file_safe() {
        assert!(valid_name("2026-11-23-prod"));
        assert!(!valid_name("../x"));
        assert!(!valid_name(".hidden"));
        assert!(!valid_name("a b"));
    }
}
