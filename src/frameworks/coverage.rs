//! Coverage: per framework item, its applicability and an implementation status derived from
//! evidence (never typed in), and the gaps.
//!
//! **Evidence.** A control's evidence is each enforcing policy (it validates and decided
//! recorded traffic, or analysis proved it, recently enough), each inventory check it lists
//! (it passes on the inventory's agents; with no agents there is nothing to check, and the
//! evidence is missing, never vacuously holding), each traffic insight it lists, and each
//! manual attestation (unexpired, with `YYYY-MM-DD` dates). A check or insight code that
//! neither catalog knows is failing evidence with a `control.unknown_evidence` gap naming the
//! nearest known code: a misspelling never counts.
//!
//! **Insights** weigh by what their findings are:
//! - enforcement insights (`scope.*`, `shadow.*`, `credential.*`, `delegation.*`) are
//!   attempts the policies decided. Findings whose requests were all denied show the control
//!   held (the evidence holds, its detail still counts the attempts); a finding with requests
//!   recorded as allowed fails it ("3 of 17 attempts allowed").
//! - every other insight fails on any finding: `logging.*` (records lacking what the log
//!   needs), `grant.unused` (permissions the traffic never used), `retry.burst` (an agent
//!   hammering a denial is the problem, denied or not), and `chain.*` — task chains are
//!   decisions too, but their findings do not record how many requests were allowed, so a
//!   denial cannot be told from an allowed chain.
//!
//! **Status.** A control is **implemented** when all its evidence holds; **partial** when some
//! holds, or when a check or insight observes the control operating with failures (a failing
//! check, findings in fresh traffic); **planned** when nothing operates yet: no evidence,
//! policies missing, invalid or never fired, no traffic, stale evidence, expired or invalid
//! attestations, unknown codes. A control whose evidence is only insights and attestations
//! gets a `control.no_enforcement` gap (its status is unchanged): nothing enforces it. An item
//! is implemented when every control mapped to it is; partial when any mapped control is
//! implemented or partial; planned when its controls are all planned; **uncovered** when no
//! control maps to it. An item marked not applicable carries a justification and leaves the
//! denominator. A mapping counts only when it names an assessable item of a known framework
//! (an unknown framework id is never resolved in another framework).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::catalog::{Catalogs, Origin, CATALOG_DATA_VERSION};
use super::resolve::{self, resolve, resolve_mapping, Resolution};
use super::{Control, Controls};

/// OSCAL's implementation states, plus `uncovered` for an item no control maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, rename = "CoverageStatus")]
pub enum Status {
    Implemented,
    Partial,
    Planned,
    NotApplicable,
    Uncovered,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Implemented => "implemented",
            Self::Partial => "partial",
            Self::Planned => "planned",
            Self::NotApplicable => "not-applicable",
            Self::Uncovered => "uncovered",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EvidenceKind {
    Policy,
    Check,
    Insight,
    Analysis,
    Attestation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EvidenceState {
    /// Holds, and is fresh.
    Holds,
    /// Held once, but longer ago than the configured age.
    Stale,
    /// Does not hold: a failing check, a finding in traffic, a policy that does not validate.
    Failing,
    /// Nothing to show: a policy that never decided recorded traffic, no traffic at all.
    Missing,
}

/// One piece of a control's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// The policy `@id`, check or insight code, or the attestation's statement.
    pub subject: String,
    pub state: EvidenceState,
    /// What was seen, in a sentence.
    pub detail: String,
    /// When the evidence was last seen (RFC 3339 or `YYYY-MM-DD`).
    pub at: Option<String>,
    /// Where to look (a policy's file and line).
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// A mapping as it resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MappingView {
    pub framework: String,
    /// The item's key (internal), when resolved.
    pub key: Option<String>,
    /// The item as displayed, when resolved.
    pub label: Option<String>,
    /// As written in `controls.toml`.
    pub written: String,
    pub relevance: String,
    pub resolution: Resolution,
    /// Counts toward coverage (resolved to an assessable item).
    pub counted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ControlCoverage {
    pub id: String,
    pub title: String,
    pub statement: String,
    pub status: Status,
    pub evidence: Vec<Evidence>,
    pub mappings: Vec<MappingView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ItemCoverage {
    pub key: String,
    pub label: String,
    pub official_id: Option<String>,
    pub title: String,
    pub text: String,
    pub text_is_official: bool,
    pub kind: String,
    pub parent: Option<String>,
    pub assessable: bool,
    pub uncertain: bool,
    /// For an assessable item its own status; for a group, the worst of its items'.
    pub status: Status,
    /// Controls mapped to it (assessable items only).
    pub controls: Vec<String>,
    /// Why it is not applicable.
    pub justification: Option<String>,
    /// Assessable items at or under it that are applicable, and how many are implemented
    /// or partial.
    pub applicable: u32,
    pub implemented: u32,
    pub partial: u32,
}

impl ItemCoverage {
    /// An item with a status and nothing counted or mapped yet.
    pub fn of(i: &super::Item, status: Status) -> Self {
        Self {
            key: i.key.clone(),
            label: i.label.clone(),
            official_id: i.official_id.clone(),
            title: i.title.clone(),
            text: i.text.clone(),
            text_is_official: i.text_is_official,
            kind: i.kind.clone(),
            parent: i.parent.clone(),
            assessable: i.assessable,
            uncertain: i.uncertain,
            status,
            controls: Vec::new(),
            justification: None,
            applicable: 0,
            implemented: 0,
            partial: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FrameworkCoverage {
    pub id: String,
    pub title: String,
    pub short_title: String,
    pub version: String,
    pub publisher: String,
    pub url: String,
    pub origin: Origin,
    /// Applicable assessable items (the denominator).
    pub applicable: u32,
    pub implemented: u32,
    pub partial: u32,
    pub planned: u32,
    pub uncovered: u32,
    pub not_applicable: u32,
    /// `implemented / applicable`, in percent (0 when nothing is applicable).
    pub percent: f64,
    pub items: Vec<ItemCoverage>,
}

/// A gap: something keeping coverage from being whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gap {
    /// `item.no_control`, `control.no_evidence`, `control.no_enforcement`,
    /// `control.unknown_evidence`, `policy.missing`, `policy.invalid`, `policy.never_fired`,
    /// `check.failing`, `insight.found`, `evidence.stale`, `attestation.expired`,
    /// `attestation.invalid`, `mapping.unresolved`, `mapping.group`, `not_applicable.unknown`.
    pub code: String,
    pub message: String,
    pub hint: String,
    pub framework: Option<String>,
    pub item: Option<String>,
    pub control: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CoverageReport {
    /// When it was computed (RFC 3339).
    pub generated_at: String,
    pub catalog_version: String,
    pub max_evidence_age_days: u32,
    /// The request set whose traffic is the evidence, if any.
    pub traffic_set: Option<String>,
    pub frameworks: Vec<FrameworkCoverage>,
    pub controls: Vec<ControlCoverage>,
    pub gaps: Vec<Gap>,
}

/// A policy of the working copy.
#[derive(Debug, Clone)]
pub struct PolicyFact {
    pub id: String,
    pub control: Option<String>,
    pub file: String,
    pub line: u32,
    /// Validates against the schema, with no error.
    pub valid: bool,
}

/// How often, and last when, a policy determined a recorded decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fired {
    pub count: u64,
    pub last: Option<DateTime<Utc>>,
}

/// One insight code's findings in the traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsightTally {
    pub findings: u32,
    /// Requests behind them (for `grant.unused`: unused grants).
    pub requests: u64,
    /// Of those, recorded as allowed.
    pub allowed: u64,
    /// Of those, recorded as denied (the rest carry no decision).
    pub denied: u64,
}

/// Everything coverage is computed from.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub catalogs: &'a Catalogs,
    pub controls: &'a Controls,
    pub policies: &'a [PolicyFact],
    /// Policy `@id` → determining decisions in recorded traffic. `None`: no traffic.
    pub fired: Option<&'a HashMap<String, Fired>>,
    /// Policy `@id` → when analysis last proved it.
    pub proved: &'a HashMap<String, DateTime<Utc>>,
    /// Inventory check code → the subjects it reports (`agent:billing-bot`).
    pub check_findings: &'a HashMap<String, Vec<String>>,
    /// Agents in the inventory: with none, the checks have nothing to check.
    pub agents: usize,
    /// Insight code → its findings in the traffic; `None` when there is no traffic.
    pub insight_findings: Option<&'a HashMap<String, InsightTally>>,
    /// Where the controls file's values are, for located gaps (empty when unknown).
    pub lines: &'a super::Lines,
    /// The newest recorded request's time, when there is traffic.
    pub traffic_newest: Option<DateTime<Utc>>,
    pub traffic_set: Option<String>,
    pub now: DateTime<Utc>,
    pub max_age_days: u32,
}

const CONTROLS_FILE: &str = super::CONTROLS_FILE;

fn gap(code: &str, message: String, hint: &str) -> Gap {
    Gap {
        code: code.to_owned(),
        message,
        hint: hint.to_owned(),
        framework: None,
        item: None,
        control: None,
        file: None,
        line: None,
    }
}

/// Computes coverage; pure (the caller gathers the evidence).
pub fn compute(inputs: &Inputs<'_>) -> CoverageReport {
    let mut gaps: Vec<Gap> = Vec::new();
    let max_age = chrono::Duration::days(i64::from(inputs.max_age_days));
    let fresh = |t: DateTime<Utc>| inputs.now - t <= max_age;

    // 1. Controls: evidence and status.
    let mut controls: Vec<ControlCoverage> = Vec::new();
    for (n, c) in inputs.controls.controls.iter().enumerate() {
        let Gathered {
            evidence,
            operating,
            enforced,
        } = control_evidence(c, inputs.lines.controls.get(n), inputs, &fresh, &mut gaps);
        let at = inputs
            .lines
            .controls
            .get(n)
            .map(|l| l.at)
            .filter(|l| *l > 0);
        let holds = evidence
            .iter()
            .filter(|e| e.state == EvidenceState::Holds)
            .count();
        let status = if evidence.is_empty() {
            let mut g = gap(
                "control.no_evidence",
                format!("control `{}` has no enforcing policy, check, insight or attestation", c.id),
                "add a policy with `@control(\"…\")`, list checks or insights, or attest it by hand",
            );
            g.control = Some(c.id.clone());
            g.file = Some(CONTROLS_FILE.into());
            g.line = at;
            gaps.push(g);
            Status::Planned
        } else if holds == evidence.len() {
            Status::Implemented
        } else if operating {
            Status::Partial
        } else {
            Status::Planned
        };
        if !evidence.is_empty() && !enforced {
            let mut g = gap(
                "control.no_enforcement",
                format!(
                    "control `{}` is only observed (insights, attestations): no policy or inventory check enforces it",
                    c.id
                ),
                &format!(
                    "write a policy with `@control(\"{}\")` that denies what the control forbids, or list an inventory check that watches it",
                    c.id
                ),
            );
            g.control = Some(c.id.clone());
            g.file = Some(CONTROLS_FILE.into());
            g.line = at;
            gaps.push(g);
        }
        controls.push(ControlCoverage {
            id: c.id.clone(),
            title: c.title.clone(),
            statement: c.statement.clone(),
            status,
            evidence,
            mappings: Vec::new(),
        });
    }

    // 2. Mappings: resolve each; collect controls per (framework, item key).
    let mut mapped: HashMap<(String, String), Vec<(String, Status)>> = HashMap::new();
    let framework_ids: Vec<&str> = inputs
        .catalogs
        .frameworks
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    for (n, (c, cov)) in inputs
        .controls
        .controls
        .iter()
        .zip(controls.iter_mut())
        .enumerate()
    {
        for (i, m) in c.mappings.iter().enumerate() {
            let line = inputs
                .lines
                .controls
                .get(n)
                .and_then(|l| l.mappings.get(i))
                .map(|l| l.framework)
                .filter(|l| *l > 0);
            let written = m.cited.clone().unwrap_or_else(|| m.item.clone());
            let framework = m.framework.trim();
            let unknown_framework =
                !framework.is_empty() && inputs.catalogs.get(framework).is_none();
            let resolution = resolve_mapping(inputs.catalogs, m);
            let mut view = MappingView {
                framework: m.framework.clone(),
                key: None,
                label: None,
                written: written.clone(),
                relevance: m.relevance.clone(),
                resolution: resolution.clone(),
                counted: false,
            };
            let target = resolve::counts_when_resolved(m)
                .then(|| resolution.target())
                .flatten();
            match target.and_then(|(f, k)| {
                inputs
                    .catalogs
                    .get(f)
                    .and_then(|fw| fw.item(k).map(|i| (fw, i)))
            }) {
                Some((fw, item)) => {
                    view.framework = fw.id.clone();
                    view.key = Some(item.key.clone());
                    view.label = Some(item.label.clone());
                    if item.assessable {
                        view.counted = true;
                        mapped
                            .entry((fw.id.clone(), item.key.clone()))
                            .or_default()
                            .push((c.id.clone(), cov.status));
                    } else {
                        let mut g = gap(
                            "mapping.group",
                            format!(
                                "`{}` maps to {} {}, which is not assessed itself ({} items under it are)",
                                c.id,
                                item.kind,
                                item.label,
                                fw.leaves_under(&item.key).len()
                            ),
                            "map the control to the items under it that it addresses",
                        );
                        g.control = Some(c.id.clone());
                        g.framework = Some(fw.id.clone());
                        g.item = Some(item.label.clone());
                        g.file = Some(CONTROLS_FILE.into());
                        g.line = line;
                        gaps.push(g);
                    }
                }
                None => {
                    let (reason, suggestions) = match &resolution {
                        Resolution::Unresolved {
                            reason,
                            suggestions,
                        } => (reason.clone(), suggestions.clone()),
                        _ => ("a person must confirm the citation".to_owned(), Vec::new()),
                    };
                    let hint = if unknown_framework {
                        super::unknown_framework_hint(framework, &framework_ids)
                    } else if suggestions.is_empty() {
                        "map the control to an official item, or remove the mapping".to_owned()
                    } else {
                        format!(
                            "did you mean {}? write it as `framework` + `item`",
                            suggestions
                                .iter()
                                .map(|s| format!("{} ({})", s.label, s.framework))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    };
                    let mut g = gap(
                        "mapping.unresolved",
                        format!("`{}` cites `{written}`: {reason}; not counted", c.id),
                        &hint,
                    );
                    g.control = Some(c.id.clone());
                    g.framework =
                        (!framework.is_empty() && !unknown_framework).then(|| framework.to_owned());
                    g.file = Some(CONTROLS_FILE.into());
                    g.line = line;
                    gaps.push(g);
                }
            }
            cov.mappings.push(view);
        }
    }

    // 3. Applicability.
    let mut not_applicable: HashMap<(String, String), String> = HashMap::new();
    for na in &inputs.controls.not_applicable {
        let found = inputs.catalogs.get(&na.framework).and_then(|fw| {
            resolve(inputs.catalogs, Some(&fw.id), &na.item)
                .target()
                .map(|(_, k)| k.to_owned())
        });
        match found {
            Some(key) if !na.justification.trim().is_empty() => {
                not_applicable.insert((na.framework.clone(), key), na.justification.clone());
            }
            Some(_) => {
                let mut g = gap(
                    "not_applicable.unknown",
                    format!(
                        "`{}` `{}` is marked not applicable without a justification",
                        na.framework, na.item
                    ),
                    "say why the item does not apply; until then it stays in the denominator",
                );
                g.framework = Some(na.framework.clone());
                g.item = Some(na.item.clone());
                g.file = Some(CONTROLS_FILE.into());
                gaps.push(g);
            }
            None => {
                let mut g = gap(
                    "not_applicable.unknown",
                    format!(
                        "`{}` `{}` is marked not applicable but names no item",
                        na.framework, na.item
                    ),
                    "use the framework's id and the item's official id or label",
                );
                g.framework = Some(na.framework.clone());
                g.item = Some(na.item.clone());
                g.file = Some(CONTROLS_FILE.into());
                gaps.push(g);
            }
        }
    }

    // 4. Frameworks and items.
    let mut frameworks = Vec::new();
    for fw in &inputs.catalogs.frameworks {
        let mut items: Vec<ItemCoverage> = Vec::new();
        let mut own: HashMap<&str, Status> = HashMap::new();
        for i in fw.assessable() {
            let key = (fw.id.clone(), i.key.clone());
            let status = if not_applicable.contains_key(&key) {
                Status::NotApplicable
            } else {
                item_status(mapped.get(&key).map(Vec::as_slice).unwrap_or(&[]))
            };
            own.insert(i.key.as_str(), status);
            if status == Status::Uncovered {
                let mut g = gap(
                    "item.no_control",
                    format!("{} {} has no control", fw.short_title, i.label),
                    "map a control to it, or mark it not applicable with a justification",
                );
                g.framework = Some(fw.id.clone());
                g.item = Some(i.label.clone());
                gaps.push(g);
            }
        }
        let tally = |leaves: &[&super::Item]| {
            let mut t = (0u32, 0u32, 0u32, Status::Implemented);
            for l in leaves {
                let s = own
                    .get(l.key.as_str())
                    .copied()
                    .unwrap_or(Status::Uncovered);
                if s != Status::NotApplicable {
                    t.0 += 1;
                    t.3 = t.3.max(s);
                }
                match s {
                    Status::Implemented => t.1 += 1,
                    Status::Partial => t.2 += 1,
                    _ => {}
                }
            }
            if t.0 == 0 {
                t.3 = Status::NotApplicable;
            }
            t
        };
        for i in &fw.items {
            let leaves = fw.leaves_under(&i.key);
            let (applicable, implemented, partial, worst) = tally(&leaves);
            let key = (fw.id.clone(), i.key.clone());
            let status = if i.assessable {
                own.get(i.key.as_str())
                    .copied()
                    .unwrap_or(Status::Uncovered)
            } else {
                worst
            };
            items.push(ItemCoverage {
                controls: mapped
                    .get(&key)
                    .map(|v| v.iter().map(|(c, _)| c.clone()).collect())
                    .unwrap_or_default(),
                justification: not_applicable.get(&key).cloned(),
                applicable,
                implemented,
                partial,
                ..ItemCoverage::of(i, status)
            });
        }
        let all: Vec<&super::Item> = fw.assessable().collect();
        let (applicable, implemented, partial, _) = tally(&all);
        let count = |s: Status| own.values().filter(|&&x| x == s).count() as u32;
        frameworks.push(FrameworkCoverage {
            id: fw.id.clone(),
            title: fw.title.clone(),
            short_title: fw.short_title.clone(),
            version: fw.version.clone(),
            publisher: fw.publisher.clone(),
            url: fw.url.clone(),
            origin: fw.origin.clone(),
            applicable,
            implemented,
            partial,
            planned: count(Status::Planned),
            uncovered: count(Status::Uncovered),
            not_applicable: count(Status::NotApplicable),
            percent: percent(implemented, applicable),
            items,
        });
    }

    CoverageReport {
        generated_at: inputs
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        catalog_version: CATALOG_DATA_VERSION.to_owned(),
        max_evidence_age_days: inputs.max_age_days,
        traffic_set: inputs.traffic_set.clone(),
        frameworks,
        controls,
        gaps,
    }
}

/// `implemented / applicable` in percent, one decimal.
pub fn percent(implemented: u32, applicable: u32) -> f64 {
    if applicable == 0 {
        0.0
    } else {
        (f64::from(implemented) * 1000.0 / f64::from(applicable)).round() / 10.0
    }
}

fn item_status(controls: &[(String, Status)]) -> Status {
    if controls.is_empty() {
        Status::Uncovered
    } else if controls.iter().all(|(_, s)| *s == Status::Implemented) {
        Status::Implemented
    } else if controls
        .iter()
        .any(|(_, s)| matches!(s, Status::Implemented | Status::Partial))
    {
        Status::Partial
    } else {
        Status::Planned
    }
}

/// How a traffic insight's findings weigh as evidence (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsightRule {
    /// The finding is an attempt the policies decided: held when every request behind it
    /// was denied, failing when any was allowed.
    Decided,
    /// Any finding fails: it is not a decision (logging, unused grants, retry bursts), or
    /// its findings do not say how many requests were allowed (task chains).
    AnyFinding,
}

/// The rule for an insight code.
pub fn insight_rule(code: &str) -> InsightRule {
    let family = code.split('.').next().unwrap_or_default();
    match family {
        "scope" | "shadow" | "credential" | "delegation" => InsightRule::Decided,
        _ => InsightRule::AnyFinding,
    }
}

/// Records a gap of the control: code, message, hint, and where.
type PushGap<'a> = dyn FnMut(&str, String, &str, Option<(&str, u32)>) + 'a;

/// A control's evidence, and what it says about the control as a whole.
struct Gathered {
    evidence: Vec<Evidence>,
    /// Something shows the control operating: evidence that holds, or a check or insight
    /// that observes it with failures.
    operating: bool,
    /// An enforcing policy or an inventory check names it.
    enforced: bool,
}

fn control_evidence(
    c: &Control,
    lines: Option<&super::ControlLines>,
    inputs: &Inputs<'_>,
    fresh: &dyn Fn(DateTime<Utc>) -> bool,
    gaps: &mut Vec<Gap>,
) -> Gathered {
    let mut out = Vec::new();
    let mut operating = false;
    let mut enforced = false;
    let mut push_gap = |code: &str, message: String, hint: &str, file: Option<(&str, u32)>| {
        let mut g = gap(code, message, hint);
        g.control = Some(c.id.clone());
        if let Some((f, l)) = file {
            g.file = Some(f.to_owned());
            g.line = (l > 0).then_some(l);
        }
        gaps.push(g);
    };
    let age = inputs.max_age_days;
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    // Enforcing policies: those naming the control with @control, and those it lists.
    let mut ids: Vec<&str> = inputs
        .policies
        .iter()
        .filter(|p| p.control.as_deref() == Some(c.id.as_str()))
        .map(|p| p.id.as_str())
        .collect();
    for p in &c.policies {
        if !ids.contains(&p.as_str()) {
            ids.push(p);
        }
    }
    enforced |= !ids.is_empty();
    for id in ids {
        let Some(p) = inputs.policies.iter().find(|p| p.id == id) else {
            push_gap(
                "policy.missing",
                format!(
                    "`{}` lists policy `{id}`, which is not in the workspace",
                    c.id
                ),
                "add it (`mandate policy add --control …`) or drop it from the control",
                None,
            );
            out.push(Evidence {
                kind: EvidenceKind::Policy,
                subject: id.to_owned(),
                state: EvidenceState::Missing,
                detail: "not in the workspace".into(),
                at: None,
                file: None,
                line: None,
            });
            continue;
        };
        let at = Some((p.file.as_str(), p.line));
        let mut e = Evidence {
            kind: EvidenceKind::Policy,
            subject: p.id.clone(),
            state: EvidenceState::Missing,
            detail: String::new(),
            at: None,
            file: Some(p.file.clone()),
            line: Some(p.line),
        };
        let proved = inputs.proved.get(&p.id).copied();
        let fired = inputs.fired.and_then(|f| f.get(&p.id)).copied();
        if !p.valid {
            e.state = EvidenceState::Failing;
            e.detail = "does not validate".into();
            push_gap(
                "policy.invalid",
                format!("policy `{}` of `{}` does not validate", p.id, c.id),
                "fix it in the editor (`mandate validate` lists the errors)",
                at,
            );
        } else if let Some(t) = proved.filter(|t| fresh(*t)) {
            e.state = EvidenceState::Holds;
            e.detail = "proved by analysis".into();
            e.at = Some(stamp(t));
        } else if let Some(f) = fired.filter(|f| f.count > 0) {
            e.at = f.last.map(stamp);
            if f.last.is_some_and(fresh) {
                e.state = EvidenceState::Holds;
                e.detail = format!("decided {} recorded request(s)", f.count);
            } else {
                e.state = EvidenceState::Stale;
                e.detail = format!(
                    "decided {} recorded request(s), the last more than {age} days ago",
                    f.count
                );
                push_gap(
                    "evidence.stale",
                    format!("policy `{}` of `{}` last decided recorded traffic more than {age} days ago", p.id, c.id),
                    "import recent traffic (`mandate requests import`), or raise `[coverage] max_evidence_age_days`",
                    at,
                );
            }
        } else if let Some(t) = proved {
            e.state = EvidenceState::Stale;
            e.detail = format!("proved by analysis more than {age} days ago");
            e.at = Some(stamp(t));
            push_gap(
                "evidence.stale",
                format!(
                    "policy `{}` of `{}` was proved more than {age} days ago",
                    p.id, c.id
                ),
                "run the analysis again",
                at,
            );
        } else {
            e.detail = if inputs.fired.is_some() {
                "never decided a recorded request".into()
            } else {
                "no recorded traffic to show it working".into()
            };
            push_gap(
                "policy.never_fired",
                format!(
                    "policy `{}` of `{}` never decided a recorded request",
                    p.id, c.id
                ),
                "replay traffic that exercises it, or check that its scope matches real requests",
                at,
            );
        }
        operating |= e.state == EvidenceState::Holds;
        out.push(e);
    }

    // A code that names no check or insight is never evidence: failing, located, with the
    // nearest known code.
    let unknown = |kind: EvidenceKind,
                   code: &str,
                   line: Option<u32>,
                   out: &mut Vec<Evidence>,
                   push_gap: &mut PushGap<'_>| {
        let insight = kind == EvidenceKind::Insight;
        let what = if insight { "insight" } else { "check" };
        let hint = super::unknown_code_hint(code, insight);
        push_gap(
            "control.unknown_evidence",
            format!(
                "`{}` lists {what} `{code}`, which `mandate {}` does not have; it counts as failing",
                c.id,
                if insight { "insights" } else { "check" }
            ),
            &format!("fix it in {CONTROLS_FILE}: {hint}"),
            Some((CONTROLS_FILE, line.unwrap_or(0))),
        );
        out.push(Evidence {
            kind,
            subject: code.to_owned(),
            state: EvidenceState::Failing,
            detail: format!("unknown {what} code; {hint}"),
            at: None,
            file: Some(CONTROLS_FILE.into()),
            line,
        });
    };

    for (n, code) in c.checks.iter().enumerate() {
        if !super::is_check_code(code) {
            unknown(
                EvidenceKind::Check,
                code,
                lines.and_then(|l| l.checks.get(n).copied()),
                &mut out,
                &mut push_gap,
            );
            continue;
        }
        enforced = true;
        let checked_at = Some(stamp(inputs.now));
        if inputs.agents == 0 {
            out.push(Evidence {
                kind: EvidenceKind::Check,
                subject: code.clone(),
                state: EvidenceState::Missing,
                detail: "no agents to check".into(),
                at: checked_at,
                file: None,
                line: None,
            });
            continue;
        }
        let subjects = inputs
            .check_findings
            .get(code)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let n = subjects.len();
        let holds = n == 0;
        let list = {
            let mut l = subjects
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if n > 5 {
                l.push_str(&format!(" and {} more", n - 5));
            }
            l
        };
        if !holds {
            push_gap(
                "check.failing",
                format!(
                    "check `{code}` of `{}` reports {n} finding(s): {list}",
                    c.id
                ),
                "`mandate check` lists them with a fix each",
                None,
            );
        }
        // Passing or failing, the check watches the control operate.
        operating = true;
        out.push(Evidence {
            kind: EvidenceKind::Check,
            subject: code.clone(),
            state: if holds {
                EvidenceState::Holds
            } else {
                EvidenceState::Failing
            },
            detail: if holds {
                format!("passes on {} agent(s)", inputs.agents)
            } else {
                format!("{n} finding(s): {list}")
            },
            at: checked_at,
            file: None,
            line: None,
        });
    }

    for (n, code) in c.insights.iter().enumerate() {
        if !super::is_insight_code(code) {
            unknown(
                EvidenceKind::Insight,
                code,
                lines.and_then(|l| l.insights.get(n).copied()),
                &mut out,
                &mut push_gap,
            );
            continue;
        }
        let at = inputs.traffic_newest.map(stamp);
        let rule = insight_rule(code);
        let old = inputs.traffic_newest.is_some_and(|newest| !fresh(newest));
        let (state, detail) = match (inputs.insight_findings, inputs.traffic_newest) {
            (None, _) | (_, None) => (EvidenceState::Missing, "no recorded traffic".to_owned()),
            (Some(found), Some(_)) => {
                let t = found.get(code).copied().unwrap_or_default();
                let all_denied = t.denied == t.requests;
                match (t.findings, rule) {
                    (0, _) if old => (
                        EvidenceState::Stale,
                        format!("none, but the newest traffic is more than {age} days old"),
                    ),
                    (0, _) => (EvidenceState::Holds, "none in recorded traffic".into()),
                    (_, InsightRule::Decided) if all_denied && old => (
                        EvidenceState::Stale,
                        format!(
                            "{} attempt(s) in recorded traffic, all denied, but the newest traffic is more than {age} days old",
                            t.requests
                        ),
                    ),
                    (_, InsightRule::Decided) if all_denied => (
                        EvidenceState::Holds,
                        format!(
                            "{} attempt(s) in recorded traffic ({} finding(s)), all denied",
                            t.requests, t.findings
                        ),
                    ),
                    (_, InsightRule::Decided) if t.allowed > 0 => (
                        EvidenceState::Failing,
                        format!(
                            "{} of {} attempt(s) allowed ({} finding(s))",
                            t.allowed, t.requests, t.findings
                        ),
                    ),
                    (_, InsightRule::Decided) => (
                        EvidenceState::Failing,
                        format!(
                            "{} of {} attempt(s) have no recorded decision, so nothing shows they were stopped ({} finding(s))",
                            t.requests - t.denied,
                            t.requests,
                            t.findings
                        ),
                    ),
                    (_, InsightRule::AnyFinding) => (
                        EvidenceState::Failing,
                        format!(
                            "{} finding(s) in recorded traffic ({} request(s))",
                            t.findings, t.requests
                        ),
                    ),
                }
            }
        };
        match state {
            EvidenceState::Failing => push_gap(
                "insight.found",
                format!("`{}`: insight `{code}`: {detail}", c.id),
                "`mandate insights` shows them with a fix each",
                None,
            ),
            EvidenceState::Stale => push_gap(
                "evidence.stale",
                format!(
                    "`{}`: insight `{code}` rests on traffic more than {age} days old",
                    c.id
                ),
                "import recent traffic (`mandate requests import`)",
                None,
            ),
            _ => {}
        }
        // Holding, or finding what the control is about in fresh traffic: it operates.
        operating |= state == EvidenceState::Holds || (state == EvidenceState::Failing && !old);
        out.push(Evidence {
            kind: EvidenceKind::Insight,
            subject: code.clone(),
            state,
            detail,
            at,
            file: None,
            line: None,
        });
    }

    let today = inputs.now.date_naive();
    for (n, a) in c.attestations.iter().enumerate() {
        let line = lines
            .and_then(|l| l.attestations.get(n))
            .map(|l| l.at)
            .filter(|l| *l > 0);
        let (date, expires) = (super::day(&a.date), super::day(&a.expires));
        let (state, detail) = match (date, expires) {
            (Some(d), Some(_)) if d > today => (
                EvidenceState::Failing,
                format!("dated {} — in the future", a.date),
            ),
            (Some(d), Some(x)) if x < d => (
                EvidenceState::Failing,
                format!("expires {} before it was made ({})", a.expires, a.date),
            ),
            (Some(_), Some(x)) if x < today => {
                (EvidenceState::Stale, format!("expired on {}", a.expires))
            }
            (Some(_), Some(_)) => (
                EvidenceState::Holds,
                format!("attested by {} until {}", a.by, a.expires),
            ),
            _ => (
                EvidenceState::Failing,
                format!("dates must be YYYY-MM-DD: `{}`, `{}`", a.date, a.expires),
            ),
        };
        let located = Some((CONTROLS_FILE, line.unwrap_or(0)));
        match state {
            EvidenceState::Stale => push_gap(
                "attestation.expired",
                format!("an attestation of `{}` expired on {}", c.id, a.expires),
                "have its owner attest again with a new expiry date",
                located,
            ),
            EvidenceState::Failing => push_gap(
                "attestation.invalid",
                format!("an attestation of `{}` is not valid: {detail}", c.id),
                "fix `date` and `expires` in controls/controls.toml",
                located,
            ),
            _ => {}
        }
        operating |= state == EvidenceState::Holds;
        out.push(Evidence {
            kind: EvidenceKind::Attestation,
            subject: a.statement.clone(),
            state,
            detail,
            at: Some(a.date.clone()),
            file: Some(CONTROLS_FILE.into()),
            line,
        });
    }
    Gathered {
        evidence: out,
        operating,
        enforced,
    }
}

/// `2 holds · 1 failing · 1 missing`: the evidence by state, the states present only
/// (`none` without evidence).
pub fn evidence_counts(evidence: &[Evidence]) -> String {
    let parts: Vec<String> = [
        EvidenceState::Holds,
        EvidenceState::Failing,
        EvidenceState::Missing,
        EvidenceState::Stale,
    ]
    .into_iter()
    .filter_map(|s| {
        let n = evidence.iter().filter(|e| e.state == s).count();
        (n > 0).then(|| format!("{n} {}", super::export::state_str(s)))
    })
    .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// Keeps one framework (and the gaps about it or about no framework in particular); `false`
/// when the report has no such framework.
pub fn only(report: &mut CoverageReport, framework: &str) -> bool {
    if !report.frameworks.iter().any(|f| f.id == framework) {
        return false;
    }
    report.frameworks.retain(|f| f.id == framework);
    report
        .gaps
        .retain(|g| g.framework.as_deref().is_none_or(|f| f == framework));
    true
}

/// The report as terminal text: one line per framework, then (for a single framework) its
/// items, then the controls and the gaps.
pub fn human(report: &CoverageReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Coverage — catalog data {}, evidence fresher than {} days, traffic: {}",
        report.catalog_version,
        report.max_evidence_age_days,
        report
            .traffic_set
            .as_deref()
            .map_or("none recorded".to_owned(), |s| format!("set `{s}`"))
    );
    let _ = writeln!(out);
    for f in &report.frameworks {
        let _ = writeln!(
            out,
            "  {:<38} {:>5.1}%  {:>3}/{:<3} implemented · {} partial · {} planned · {} uncovered · {} n/a",
            f.short_title,
            f.percent,
            f.implemented,
            f.applicable,
            f.partial,
            f.planned,
            f.uncovered,
            f.not_applicable
        );
    }
    if let [f] = report.frameworks.as_slice() {
        let _ = writeln!(out, "\n{} — items", f.title);
        let mut stack: Vec<(usize, &ItemCoverage)> = f
            .items
            .iter()
            .filter(|i| i.parent.is_none())
            .rev()
            .map(|i| (0, i))
            .collect();
        while let Some((depth, i)) = stack.pop() {
            let indent = "  ".repeat(depth + 1);
            let name = if i.title.is_empty() && !i.text.is_empty() && i.assessable {
                let short: String = i.text.chars().take(70).collect();
                let more = if i.text.chars().count() > 70 {
                    "…"
                } else {
                    ""
                };
                format!("{} {short}{more}", i.label)
            } else if i.title.is_empty() || i.label.ends_with(&i.title) {
                i.label.clone()
            } else {
                format!("{} {}", i.label, i.title)
            };
            if i.assessable {
                let mut line = format!("{indent}{:<15} {name}", i.status.as_str());
                if i.uncertain {
                    line.push_str(" (unverified)");
                }
                if !i.controls.is_empty() {
                    let _ = write!(line, " <- {}", i.controls.join(", "));
                }
                if let Some(j) = &i.justification {
                    let _ = write!(line, " -- {j}");
                }
                let _ = writeln!(out, "{line}");
            } else {
                let _ = writeln!(
                    out,
                    "{indent}{name} ({}/{} implemented)",
                    i.implemented, i.applicable
                );
            }
            stack.extend(
                f.items
                    .iter()
                    .filter(|c| c.parent.as_deref() == Some(i.key.as_str()))
                    .rev()
                    .map(|c| (depth + 1, c)),
            );
        }
    }
    let _ = writeln!(out, "\nControls");
    for c in &report.controls {
        let _ = writeln!(
            out,
            "  {:<16} {:<12} {} (evidence: {}; {} mapping(s))",
            c.id,
            c.status.as_str(),
            c.title,
            evidence_counts(&c.evidence),
            c.mappings.iter().filter(|m| m.counted).count()
        );
        // Why it is not implemented: each piece of evidence that does not hold.
        if c.status != Status::Implemented {
            for e in c
                .evidence
                .iter()
                .filter(|e| e.state != EvidenceState::Holds)
            {
                let _ = writeln!(
                    out,
                    "  {:<16}   {:<8} {} `{}`: {}",
                    "",
                    super::export::state_str(e.state),
                    super::export::kind_str(e.kind),
                    e.subject,
                    e.detail
                );
            }
        }
    }
    let _ = writeln!(out, "\nGaps ({})", report.gaps.len());
    for f in &report.frameworks {
        let labels: Vec<&str> = report
            .gaps
            .iter()
            .filter(|g| g.code == "item.no_control" && g.framework.as_deref() == Some(&f.id))
            .filter_map(|g| g.item.as_deref())
            .collect();
        if !labels.is_empty() {
            let shown = labels
                .iter()
                .take(8)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            let more = if labels.len() > 8 {
                format!(" and {} more", labels.len() - 8)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<22} {}: {} item(s) have no control: {shown}{more}",
                "item.no_control",
                f.short_title,
                labels.len()
            );
            let _ = writeln!(
                out,
                "  {:<22} hint: map a control to each, or mark it not applicable with a justification",
                ""
            );
        }
    }
    for g in report.gaps.iter().filter(|g| g.code != "item.no_control") {
        let at = match (&g.file, g.line) {
            (Some(f), Some(l)) => format!(" [{f}:{l}]"),
            (Some(f), None) => format!(" [{f}]"),
            _ => String::new(),
        };
        let _ = writeln!(out, "  {:<22} {}{at}", g.code, g.message);
        let _ = writeln!(out, "  {:<22} hint: {}", "", g.hint);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::catalog::{Framework, Item};
    use crate::frameworks::{Attestation, Mapping, NotApplicable};

    fn item(key: &str, parent: Option<&str>, assessable: bool) -> Item {
        Item {
            key: key.into(),
            official_id: Some(key.into()),
            label: key.into(),
            title: format!("title {key}"),
            text: String::new(),
            text_is_official: false,
            kind: if assessable { "item" } else { "group" }.into(),
            parent: parent.map(str::to_owned),
            assessable,
            uncertain: false,
            aliases: Vec::new(),
            notes: String::new(),
            related: Vec::new(),
        }
    }

    fn catalogs() -> Catalogs {
        Catalogs::new(vec![Framework {
            id: "fw".into(),
            title: "Test framework".into(),
            short_title: "FW".into(),
            version: "1".into(),
            publisher: "p".into(),
            license: String::new(),
            url: String::new(),
            source: String::new(),
            notes: Vec::new(),
            origin: Origin::Custom,
            items: vec![
                item("G", None, false),
                item("A", Some("G"), true),
                item("B", Some("G"), true),
                item("C", Some("G"), true),
                item("D", None, true),
            ],
        }])
    }

    fn map(item: &str) -> Mapping {
        Mapping {
            framework: "fw".into(),
            item: item.into(),
            relevance: "r".into(),
            cited: None,
        }
    }

    fn control(id: &str, policies: &[&str], checks: &[&str], mappings: Vec<Mapping>) -> Control {
        Control {
            id: id.into(),
            title: id.into(),
            statement: "s".into(),
            rationale: String::new(),
            policies: policies.iter().map(|s| (*s).to_owned()).collect(),
            checks: checks.iter().map(|s| (*s).to_owned()).collect(),
            insights: Vec::new(),
            attestations: Vec::new(),
            mappings,
        }
    }

    fn policy(id: &str, valid: bool) -> PolicyFact {
        PolicyFact {
            id: id.into(),
            control: None,
            file: "policies/p.cedar".into(),
            line: 3,
            valid,
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    struct World {
        catalogs: Catalogs,
        controls: Controls,
        policies: Vec<PolicyFact>,
        fired: HashMap<String, Fired>,
        checks: HashMap<String, Vec<String>>,
        insights: HashMap<String, InsightTally>,
        agents: usize,
        lines: crate::frameworks::Lines,
    }

    impl World {
        fn new() -> Self {
            let controls = Controls {
                controls: vec![
                    // Implemented: its policy decided fresh traffic, its check passes.
                    control(
                        "C1",
                        &["p1"],
                        &["identity.shared"],
                        vec![map("A"), map("B")],
                    ),
                    // Partial: its check passes, its policy never fired.
                    control("C2", &["p2"], &["identity.shared"], vec![map("B")]),
                    // Planned: its only policy does not validate.
                    control("C3", &["p3"], &[], vec![map("C")]),
                    // Planned, no evidence at all.
                    control("C4", &[], &[], vec![]),
                ],
                not_applicable: Vec::new(),
            };
            let mut fired = HashMap::new();
            fired.insert(
                "p1".to_owned(),
                Fired {
                    count: 7,
                    last: Some(t("2026-11-01T00:00:00Z")),
                },
            );
            Self {
                catalogs: catalogs(),
                controls,
                policies: vec![policy("p1", true), policy("p2", true), policy("p3", false)],
                fired,
                checks: HashMap::new(),
                insights: HashMap::new(),
                agents: 3,
                lines: crate::frameworks::Lines::default(),
            }
        }

        fn run(&self, now: &str) -> CoverageReport {
            self.report(now, true)
        }

        /// As `run`, with no traffic recorded at all.
        fn run_without_traffic(&self, now: &str) -> CoverageReport {
            self.report(now, false)
        }

        fn report(&self, now: &str, traffic: bool) -> CoverageReport {
            let proved = HashMap::new();
            compute(&Inputs {
                catalogs: &self.catalogs,
                controls: &self.controls,
                policies: &self.policies,
                fired: traffic.then_some(&self.fired),
                proved: &proved,
                check_findings: &self.checks,
                agents: self.agents,
                insight_findings: traffic.then_some(&self.insights),
                lines: &self.lines,
                traffic_newest: traffic.then(|| t("2026-11-01T00:00:00Z")),
                traffic_set: traffic.then(|| "s".into()),
                now: t(now),
                max_age_days: 90,
            })
        }
    }

    fn status_of(r: &CoverageReport, key: &str) -> Status {
        r.frameworks[0]
            .items
            .iter()
            .find(|i| i.key == key)
            .unwrap()
            .status
    }

    fn control_status(r: &CoverageReport, id: &str) -> Status {
        r.controls.iter().find(|c| c.id == id).unwrap().status
    }

    fn codes(r: &CoverageReport) -> Vec<&str> {
        let mut c: Vec<&str> = r.gaps.iter().map(|g| g.code.as_str()).collect();
        c.sort_unstable();
        c
    }

    #[test]
    fn statuses_follow_the_evidence_and_the_maths_is_implemented_over_applicable() {
        let w = World::new();
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C1"), Status::Implemented);
        assert_eq!(control_status(&r, "C2"), Status::Partial);
        assert_eq!(control_status(&r, "C3"), Status::Planned);
        assert_eq!(control_status(&r, "C4"), Status::Planned);
        assert_eq!(status_of(&r, "A"), Status::Implemented);
        // B has an implemented and a partial control: partial.
        assert_eq!(status_of(&r, "B"), Status::Partial);
        assert_eq!(status_of(&r, "C"), Status::Planned);
        assert_eq!(status_of(&r, "D"), Status::Uncovered);
        // The group shows the worst of its items and counts them.
        let g = r.frameworks[0].items.iter().find(|i| i.key == "G").unwrap();
        assert_eq!(
            (g.status, g.applicable, g.implemented, g.partial),
            (Status::Planned, 3, 1, 1)
        );
        let f = &r.frameworks[0];
        assert_eq!(
            (
                f.applicable,
                f.implemented,
                f.partial,
                f.planned,
                f.uncovered,
                f.not_applicable
            ),
            (4, 1, 1, 1, 1, 0)
        );
        assert_eq!(f.percent, 25.0);
        assert_eq!(
            codes(&r),
            [
                "control.no_evidence",
                "item.no_control",
                "policy.invalid",
                "policy.never_fired"
            ]
        );
    }

    #[test]
    fn not_applicable_leaves_the_denominator_only_with_a_justification() {
        let mut w = World::new();
        w.controls.not_applicable.push(NotApplicable {
            framework: "fw".into(),
            item: "D".into(),
            justification: "we have no D".into(),
        });
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(status_of(&r, "D"), Status::NotApplicable);
        let f = &r.frameworks[0];
        assert_eq!((f.applicable, f.not_applicable, f.percent), (3, 1, 33.3));
        assert!(!codes(&r).contains(&"item.no_control"));

        w.controls.not_applicable[0].justification = "  ".into();
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(status_of(&r, "D"), Status::Uncovered);
        assert_eq!(r.frameworks[0].applicable, 4);
        assert!(codes(&r).contains(&"not_applicable.unknown"));
    }

    #[test]
    fn old_evidence_is_stale_and_stops_counting() {
        let w = World::new();
        // 2026-11-01 + 90 days = 2027-01-30.
        let r = w.run("2027-01-30T00:00:00Z");
        assert_eq!(control_status(&r, "C1"), Status::Implemented);
        let r = w.run("2027-01-31T00:00:01Z");
        assert_eq!(control_status(&r, "C1"), Status::Partial);
        assert_eq!(status_of(&r, "A"), Status::Partial);
        let e = &r.controls[0].evidence[0];
        assert_eq!(
            (e.state, e.at.as_deref()),
            (EvidenceState::Stale, Some("2026-11-01T00:00:00Z"))
        );
        assert!(codes(&r).contains(&"evidence.stale"));
    }

    #[test]
    fn failing_checks_and_insight_findings_fail_their_evidence() {
        let mut w = World::new();
        w.checks.insert(
            "identity.shared".into(),
            vec!["agent:a".into(), "agent:b".into()],
        );
        w.controls.controls[0].insights = vec!["logging.missing_task_id".into()];
        w.insights
            .insert("logging.missing_task_id".into(), tally(3, 40, 0));
        let r = w.run("2026-11-20T00:00:00Z");
        let c1 = &r.controls[0];
        assert_eq!(c1.status, Status::Partial);
        let states: Vec<_> = c1.evidence.iter().map(|e| (e.kind, e.state)).collect();
        assert_eq!(
            states,
            [
                (EvidenceKind::Policy, EvidenceState::Holds),
                (EvidenceKind::Check, EvidenceState::Failing),
                (EvidenceKind::Insight, EvidenceState::Failing)
            ]
        );
        assert_eq!(c1.evidence[1].detail, "2 finding(s): agent:a, agent:b");
        // Logging is not a decision: any finding fails, denied or not.
        assert_eq!(
            c1.evidence[2].detail,
            "3 finding(s) in recorded traffic (40 request(s))"
        );
        // C2 has no evidence holding, but its failing check watches it operate: partial, not
        // planned (nothing would be built).
        assert_eq!(control_status(&r, "C2"), Status::Partial);
        assert!(codes(&r).contains(&"check.failing"));
        assert!(codes(&r).contains(&"insight.found"));
    }

    #[test]
    fn attestations_count_until_they_expire() {
        let mut w = World::new();
        w.controls.controls[3].attestations = vec![Attestation {
            statement: "revoked on completion".into(),
            by: "dana@acme.example".into(),
            date: "2026-10-01".into(),
            expires: "2027-01-01".into(),
        }];
        w.controls.controls[3].mappings = vec![map("D")];
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Implemented);
        assert_eq!(status_of(&r, "D"), Status::Implemented);
        let r = w.run("2027-01-02T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Planned);
        assert!(codes(&r).contains(&"attestation.expired"));
        w.controls.controls[3].attestations[0].date = "1 Oct 2026".into();
        w.lines.controls = vec![
            crate::frameworks::ControlLines::default(),
            crate::frameworks::ControlLines::default(),
            crate::frameworks::ControlLines::default(),
            crate::frameworks::ControlLines {
                at: 30,
                attestations: vec![crate::frameworks::AttestationLines {
                    at: 34,
                    date: 37,
                    expires: 38,
                }],
                ..Default::default()
            },
        ];
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Planned);
        let g = r
            .gaps
            .iter()
            .find(|g| g.code == "attestation.invalid")
            .unwrap();
        assert_eq!(
            (g.file.as_deref(), g.line),
            (Some("controls/controls.toml"), Some(34))
        );
        // Only attested: nothing enforces it, said once, the status unchanged.
        assert_eq!(
            codes(&r)
                .iter()
                .filter(|c| **c == "control.no_enforcement")
                .count(),
            1
        );
    }

    /// Every request decided: those not allowed were denied.
    fn tally(findings: u32, requests: u64, allowed: u64) -> InsightTally {
        InsightTally {
            findings,
            requests,
            allowed,
            denied: requests - allowed,
        }
    }

    fn evidence<'r>(r: &'r CoverageReport, control: &str, subject: &str) -> &'r Evidence {
        r.controls
            .iter()
            .find(|c| c.id == control)
            .unwrap()
            .evidence
            .iter()
            .find(|e| e.subject == subject)
            .unwrap()
    }

    #[test]
    fn misspelt_codes_fail_located_with_the_nearest_code_and_never_count() {
        let mut w = World::new();
        // C4 names only a misspelt check and a misspelt insight.
        w.controls.controls[3].checks = vec!["identity.shard".into()];
        w.controls.controls[3].insights = vec!["chain.sytems".into()];
        w.controls.controls[3].mappings = vec![map("D")];
        w.lines.controls = vec![
            Default::default(),
            Default::default(),
            Default::default(),
            crate::frameworks::ControlLines {
                at: 40,
                checks: vec![44],
                insights: vec![45],
                ..Default::default()
            },
        ];
        let r = w.run("2026-11-20T00:00:00Z");
        let check = evidence(&r, "C4", "identity.shard");
        assert_eq!(check.state, EvidenceState::Failing);
        assert!(
            check.detail.contains("did you mean `identity.shared`?"),
            "{}",
            check.detail
        );
        assert_eq!(check.line, Some(44));
        let insight = evidence(&r, "C4", "chain.sytems");
        assert_eq!(insight.state, EvidenceState::Failing);
        // Nothing it names exists: not operating, planned, and D is not covered by it.
        assert_eq!(control_status(&r, "C4"), Status::Planned);
        assert_eq!(status_of(&r, "D"), Status::Planned);
        let unknown: Vec<_> = r
            .gaps
            .iter()
            .filter(|g| g.code == "control.unknown_evidence")
            .map(|g| {
                (
                    g.line,
                    g.message.contains("`identity.shard`") || g.message.contains("`chain.sytems`"),
                    g.hint.clone(),
                )
            })
            .collect();
        assert_eq!(unknown.len(), 2, "{unknown:?}");
        assert_eq!((unknown[0].0, unknown[0].1), (Some(44), true));
        assert_eq!(
            unknown[0].2,
            "fix it in controls/controls.toml: did you mean `identity.shared`?"
        );
        assert_eq!((unknown[1].0, unknown[1].1), (Some(45), true));
        assert_eq!(
            unknown[1].2,
            "fix it in controls/controls.toml: did you mean `chain.systems`?"
        );
        // A misspelt check is no enforcement either.
        assert!(codes(&r).contains(&"control.no_enforcement"));
    }

    #[test]
    fn denied_attempts_show_the_control_held_and_allowed_ones_fail_it() {
        let mut w = World::new();
        w.controls.controls[0].insights = vec![
            "scope.tool".into(),
            "shadow.inactive".into(),
            "chain.systems".into(),
            "retry.burst".into(),
        ];
        w.insights.insert("scope.tool".into(), tally(5, 17, 0));
        w.insights.insert("shadow.inactive".into(), tally(2, 17, 3));
        // Chains and bursts fail on any finding, whatever `allowed` says.
        w.insights.insert("chain.systems".into(), tally(1, 12, 0));
        w.insights.insert("retry.burst".into(), tally(1, 6, 0));
        let r = w.run("2026-11-20T00:00:00Z");
        let e = evidence(&r, "C1", "scope.tool");
        assert_eq!(
            (e.state, e.detail.as_str()),
            (
                EvidenceState::Holds,
                "17 attempt(s) in recorded traffic (5 finding(s)), all denied"
            )
        );
        let e = evidence(&r, "C1", "shadow.inactive");
        assert_eq!(
            (e.state, e.detail.as_str()),
            (
                EvidenceState::Failing,
                "3 of 17 attempt(s) allowed (2 finding(s))"
            )
        );
        assert_eq!(
            evidence(&r, "C1", "chain.systems").state,
            EvidenceState::Failing
        );
        assert_eq!(
            evidence(&r, "C1", "retry.burst").state,
            EvidenceState::Failing
        );
        let found: Vec<&str> = r
            .gaps
            .iter()
            .filter(|g| g.code == "insight.found")
            .map(|g| g.message.as_str())
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(!found.iter().any(|m| m.contains("scope.tool")));

        // All denied everywhere: the control is implemented.
        w.insights.insert("shadow.inactive".into(), tally(2, 17, 0));
        w.controls.controls[0].insights = vec!["scope.tool".into(), "shadow.inactive".into()];
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C1"), Status::Implemented);
        // Denials in traffic older than the evidence age are stale, not holding.
        let r = w.run("2027-03-01T00:00:00Z");
        assert_eq!(evidence(&r, "C1", "scope.tool").state, EvidenceState::Stale);
        assert_eq!(insight_rule("delegation.depth"), InsightRule::Decided);
        assert_eq!(insight_rule("credential.unattested"), InsightRule::Decided);
        assert_eq!(insight_rule("logging.incomplete"), InsightRule::AnyFinding);
        assert_eq!(insight_rule("grant.unused"), InsightRule::AnyFinding);
    }

    #[test]
    fn attempts_with_no_recorded_decision_do_not_show_the_control_held() {
        let mut w = World::new();
        w.controls.controls[0].insights = vec!["scope.tool".into()];
        // Nothing allowed, but only 10 of 17 recorded as denied.
        w.insights.insert(
            "scope.tool".into(),
            InsightTally {
                findings: 5,
                requests: 17,
                allowed: 0,
                denied: 10,
            },
        );
        let r = w.run("2026-11-20T00:00:00Z");
        let e = evidence(&r, "C1", "scope.tool");
        assert_eq!(
            (e.state, e.detail.as_str()),
            (
                EvidenceState::Failing,
                "7 of 17 attempt(s) have no recorded decision, so nothing shows they were stopped (5 finding(s))"
            )
        );
        assert_eq!(control_status(&r, "C1"), Status::Partial);
    }

    #[test]
    fn findings_in_stale_traffic_do_not_make_a_control_operate() {
        let mut w = World::new();
        // C4 rests on one insight; its traffic is older than the evidence age.
        w.controls.controls[3].insights = vec!["shadow.inactive".into()];
        w.controls.controls[3].mappings = vec![map("D")];
        w.insights.insert("shadow.inactive".into(), tally(2, 17, 3));
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(
            evidence(&r, "C4", "shadow.inactive").state,
            EvidenceState::Failing
        );
        assert_eq!(control_status(&r, "C4"), Status::Partial);
        let r = w.run("2027-03-01T00:00:00Z");
        assert_eq!(
            evidence(&r, "C4", "shadow.inactive").state,
            EvidenceState::Failing
        );
        assert_eq!(control_status(&r, "C4"), Status::Planned);
    }

    #[test]
    fn an_empty_inventory_gives_checks_nothing_to_show() {
        let mut w = World::new();
        w.agents = 0;
        // C4 rests on a check alone.
        w.controls.controls[3].checks = vec!["identity.missing".into()];
        w.controls.controls[3].mappings = vec![map("D")];
        let r = w.run("2026-11-20T00:00:00Z");
        let e = evidence(&r, "C4", "identity.missing");
        assert_eq!(
            (e.state, e.detail.as_str()),
            (EvidenceState::Missing, "no agents to check")
        );
        assert_eq!(control_status(&r, "C4"), Status::Planned);
        assert_eq!(status_of(&r, "D"), Status::Planned);
        // C1's policy still holds, its check has nothing to show: partial, not implemented.
        assert_eq!(control_status(&r, "C1"), Status::Partial);
        w.agents = 2;
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Implemented);
        assert_eq!(
            evidence(&r, "C4", "identity.missing").detail,
            "passes on 2 agent(s)"
        );
    }

    #[test]
    fn planned_means_nothing_operates_and_partial_means_it_operates_with_failures() {
        let mut w = World::new();
        // C4 is observed by insights only, both finding problems (like MND-LOG-01).
        w.controls.controls[3].insights = vec![
            "logging.missing_task_id".into(),
            "logging.incomplete".into(),
        ];
        w.insights
            .insert("logging.missing_task_id".into(), tally(9, 40, 40));
        w.insights
            .insert("logging.incomplete".into(), tally(1, 2350, 0));
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Partial);
        // Its only evidence is insights: nothing enforces it.
        let g = r
            .gaps
            .iter()
            .find(|g| g.code == "control.no_enforcement")
            .unwrap();
        assert_eq!(g.control.as_deref(), Some("C4"));
        assert!(g.hint.contains("@control(\"C4\")"), "{}", g.hint);
        // C3 (its policy does not validate) does not operate: planned.
        assert_eq!(control_status(&r, "C3"), Status::Planned);
        // Without traffic, C4's insights have nothing to show: planned.
        let r = w.run_without_traffic("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Planned);
    }

    #[test]
    fn an_unknown_framework_is_never_resolved_in_another_one() {
        let mut w = World::new();
        // `D` is an item of `fw`; the mapping names a framework that does not exist.
        w.controls.controls[0].mappings = vec![Mapping {
            framework: "fw2".into(),
            item: "D".into(),
            relevance: "r".into(),
            cited: None,
        }];
        w.lines.controls = vec![crate::frameworks::ControlLines {
            at: 1,
            mappings: vec![crate::frameworks::MappingLines {
                at: 9,
                framework: 10,
                item: 11,
            }],
            ..Default::default()
        }];
        let r = w.run("2026-11-20T00:00:00Z");
        let view = &r.controls[0].mappings[0];
        assert_eq!((view.counted, view.key.as_deref()), (false, None));
        assert_eq!(status_of(&r, "D"), Status::Uncovered);
        let g = r
            .gaps
            .iter()
            .find(|g| g.code == "mapping.unresolved")
            .unwrap();
        assert!(
            g.message.contains("framework `fw2` is not known"),
            "{}",
            g.message
        );
        assert_eq!(g.hint, "did you mean `fw`? known frameworks: fw");
        assert_eq!((g.line, g.framework.as_deref()), (Some(10), None));
    }

    #[test]
    fn the_terminal_text_says_why_a_control_is_partial() {
        let w = World::new();
        let r = w.run("2026-11-20T00:00:00Z");
        let text = human(&r);
        assert!(
            text.contains(
                "C2               partial      C2 (evidence: 1 holds · 1 missing; 1 mapping(s))"
            ),
            "{text}"
        );
        assert!(
            text.contains("missing  policy `p2`: never decided a recorded request"),
            "{text}"
        );
        assert!(text.contains("(evidence: none; 0 mapping(s))"), "{text}");
        // An implemented control lists no reasons.
        assert!(!text.contains("holds    policy `p1`"), "{text}");
        assert_eq!(evidence_counts(&r.controls[2].evidence), "1 failing");
    }

    #[test]
    fn unresolved_citations_and_group_mappings_never_count() {
        let mut w = World::new();
        w.controls.controls[3].policies = vec!["p1".into()];
        w.controls.controls[3].mappings = vec![
            Mapping {
                framework: String::new(),
                item: String::new(),
                relevance: "r".into(),
                cited: Some("CSA MAESTRO T1".into()),
            },
            map("G"),
            map("Z9"),
        ];
        let r = w.run("2026-11-20T00:00:00Z");
        assert_eq!(control_status(&r, "C4"), Status::Implemented);
        let views = &r.controls[3].mappings;
        assert!(views.iter().all(|m| !m.counted), "{views:?}");
        assert_eq!(status_of(&r, "D"), Status::Uncovered);
        let mut c = codes(&r);
        c.dedup();
        assert_eq!(
            c,
            [
                "item.no_control",
                "mapping.group",
                "mapping.unresolved",
                "policy.invalid",
                "policy.never_fired"
            ]
        );
        let unresolved: Vec<_> = r
            .gaps
            .iter()
            .filter(|g| g.code == "mapping.unresolved")
            .collect();
        assert_eq!(unresolved.len(), 2);
        assert!(
            unresolved[0].message.contains("`CSA MAESTRO T1`"),
            "{}",
            unresolved[0].message
        );
    }

    #[test]
    fn without_traffic_policies_and_insights_have_nothing_to_show() {
        let mut w = World::new();
        w.controls.controls[0].insights = vec!["retry.burst".into()];
        let r = w.run_without_traffic("2026-11-20T00:00:00Z");
        let e = &r.controls[0].evidence;
        assert_eq!(e[0].detail, "no recorded traffic to show it working");
        assert_eq!(e[2].state, EvidenceState::Missing);
        assert_eq!(control_status(&r, "C1"), Status::Partial);
        assert_eq!(percent(2, 3), 66.7);
        assert_eq!(percent(0, 0), 0.0);
    }
}
