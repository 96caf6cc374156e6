//! Symbolic analysis of the workspace's policies (or loose files): the diff of two policy
//! sets per request environment, and the findings on the candidate.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::replay::WORKING_COPY;
use super::{ApiError, ApiResult, Session};
use crate::analysis::{self, DiffReport, Finding, FindingsReport, Problem, SolverInfo};
use crate::error::ErrorCode;
use crate::replay::explain::LocatedPolicies;

/// What to analyse (`mandate analyze`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AnalyzeRequest {
    /// A side as `simulate` takes it (`git:REV`, a path, `@published`, `@none`,
    /// `@bundle:…`); `None` is `git:HEAD`.
    #[ts(optional)]
    pub baseline: Option<String>,
    /// `None` is the working copy.
    #[ts(optional)]
    pub candidate: Option<String>,
    /// Skip the diff (findings on the candidate only).
    pub no_diff: bool,
    /// Skip the findings (the diff only).
    pub no_findings: bool,
    /// The solver binary, over `$CVC5` and `[analysis] solver`.
    #[ts(optional)]
    pub solver: Option<String>,
    /// Per query, over `[analysis] time_limit_ms`.
    #[ts(optional, type = "number")]
    pub time_limit_ms: Option<u64>,
    /// Solver processes at once, over `[analysis] jobs`.
    #[ts(optional)]
    pub jobs: Option<u32>,
}

/// A finding with where its policy is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LocatedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    /// The policy's file (workspace-relative) and line, when the analysed side is on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub line: Option<u32>,
}

/// The result of `mandate analyze`. JSON: `{"environments":[…],"findings":[…],…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Analysis {
    pub solver: SolverInfo,
    pub baseline: String,
    pub candidate: String,
    #[ts(type = "number")]
    pub time_limit_ms: u64,
    /// Empty when the diff was skipped.
    pub environments: Vec<analysis::EnvironmentDiff>,
    /// On the candidate; empty when skipped.
    pub findings: Vec<LocatedFinding>,
    /// Candidate policies proved effective (they can match; a forbid cannot error).
    pub proved: Vec<String>,
    /// Queries the solver could not answer (the rest still ran).
    pub problems: Vec<Problem>,
    #[ts(type = "number")]
    pub queries: u64,
    #[ts(type = "number")]
    pub millis: u64,
}

impl Analysis {
    /// Environments where the candidate allows something the baseline denies (or where
    /// that could not be ruled out).
    pub fn more_permissive(&self) -> usize {
        self.environments
            .iter()
            .filter(|e| e.relation.may_allow_more())
            .count()
    }

    /// Findings a publish gate refuses (fail-open forbids).
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == "error")
            .count()
    }
}

/// Loose files for `mandate analyze --schema S --baseline P1 --candidate P2`.
#[derive(Debug, Clone)]
pub struct AnalyzeFiles {
    pub schema: PathBuf,
    /// A `.cedar` file or a folder of them; `None` with `no_diff`.
    pub baseline: Option<PathBuf>,
    pub candidate: PathBuf,
}

/// Turns a cancelled analysis into the API's error.
fn cancelled(_: analysis::Cancelled) -> ApiError {
    ApiError::new(
        ErrorCode::Cancelled,
        "the analysis was cancelled",
        Some("nothing of it was kept; run it again"),
    )
}

fn solver_missing(e: &analysis::SolverMissing) -> ApiError {
    ApiError::new(
        ErrorCode::SolverUnavailable,
        e.to_string(),
        miette::Diagnostic::help(e)
            .map(|h| h.to_string())
            .as_deref(),
    )
}

/// Runs the diff and the findings as asked.
fn run(
    schema: &cedar_policy::Schema,
    (baseline_label, baseline): (String, Option<cedar_policy::PolicySet>),
    (candidate_label, candidate): (String, cedar_policy::PolicySet),
    req: &AnalyzeRequest,
    options: &analysis::Options,
    located: Option<&LocatedPolicies>,
) -> ApiResult<Analysis> {
    let started = Instant::now();
    let diff = match (&baseline, req.no_diff) {
        (Some(b), false) => analysis::diff(schema, b, &candidate, options).map_err(cancelled)?,
        _ => DiffReport {
            environments: Vec::new(),
            problems: Vec::new(),
            queries: 0,
        },
    };
    let found = if req.no_findings {
        FindingsReport {
            findings: Vec::new(),
            proved: Vec::new(),
            problems: Vec::new(),
            queries: 0,
        }
    } else {
        analysis::findings(schema, &candidate, options).map_err(cancelled)?
    };
    let proved = found.proved;
    let findings = found
        .findings
        .into_iter()
        .map(|finding| {
            let source = located.and_then(|l| l.sources.get(&finding.policy));
            LocatedFinding {
                file: source.map(|s| s.file.clone()),
                line: source.map(|s| s.line),
                finding,
            }
        })
        .collect();
    let mut problems = diff.problems;
    problems.extend(found.problems);
    Ok(Analysis {
        solver: options.solver.clone(),
        baseline: baseline_label,
        candidate: candidate_label,
        time_limit_ms: u64::try_from(options.time_limit.as_millis()).unwrap_or(u64::MAX),
        queries: found.queries + diff.queries,
        environments: diff.environments,
        findings,
        proved,
        problems,
        millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

fn options(
    req: &AnalyzeRequest,
    config: &crate::workspace::AnalysisConfig,
    root: Option<&Path>,
    cancel: Option<Arc<AtomicBool>>,
) -> ApiResult<analysis::Options> {
    let solver = analysis::solver::discover(req.solver.as_deref(), config.solver.as_deref(), root)
        .map_err(|e| solver_missing(&e))?;
    options_for(solver, req, config, cancel)
}

/// The options with `solver` already found.
fn options_for(
    solver: SolverInfo,
    req: &AnalyzeRequest,
    config: &crate::workspace::AnalysisConfig,
    cancel: Option<Arc<AtomicBool>>,
) -> ApiResult<analysis::Options> {
    let ms = req.time_limit_ms.unwrap_or(config.time_limit_ms);
    if ms == 0 {
        return Err(ApiError::new(
            ErrorCode::InvalidArgument,
            "the time limit must be at least 1 ms",
            Some("`--time-limit 10000` gives each solver query ten seconds"),
        ));
    }
    Ok(analysis::Options {
        solver,
        time_limit: Duration::from_millis(ms),
        jobs: req.jobs.unwrap_or(config.jobs) as usize,
        cancel,
    })
}

impl Session {
    /// The symbolic diff of the baseline and the candidate (default `git:HEAD` and the
    /// working copy) per request environment of the workspace's schema, and the findings
    /// on the candidate, each located in its file.
    pub fn analyze(
        &self,
        req: &AnalyzeRequest,
        cancel: Option<Arc<AtomicBool>>,
    ) -> ApiResult<Analysis> {
        let config = self.workspace.config();
        let options = options(req, &config.analysis, Some(self.root()), cancel)?;
        let schema = self.replay_schema()?;
        let (candidate_label, candidate, located) = match req.candidate.as_deref() {
            None => {
                let report = self.check_policies(crate::policy::read_sources(self.root()));
                let located = LocatedPolicies::from_report(&report);
                let set = super::replay::refuse_errors("the working copy's policies", report)?;
                (WORKING_COPY.to_owned(), set, Some(located))
            }
            Some(spec) => (spec.to_owned(), self.side("candidate", spec)?, None),
        };
        let baseline_label = req.baseline.clone().unwrap_or_else(|| "git:HEAD".into());
        let baseline = if req.no_diff {
            None
        } else {
            Some(self.side("baseline", &baseline_label)?)
        };
        let analysis = run(
            &schema,
            (baseline_label, baseline),
            (candidate_label, candidate.clone()),
            req,
            &options,
            located.as_ref(),
        )?;
        // The working copy's proofs are coverage evidence (`proved by analysis`).
        if req.candidate.is_none() && !req.no_findings {
            let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let proofs: Vec<crate::store::Proof> = candidate
                .policies()
                .filter(|p| analysis.proved.contains(&p.id().to_string()))
                .map(|p| crate::store::Proof {
                    policy: p.id().to_string(),
                    digest: policy_text_digest(p),
                    proved_at: at.clone(),
                    solver: analysis.solver.describe(),
                })
                .collect();
            self.db()?.record_proofs(&proofs)?;
        }
        Ok(analysis)
    }
}

/// `sha256:HEX` of a policy's text: a proof counts while this is unchanged.
pub(super) fn policy_text_digest(p: &cedar_policy::Policy) -> String {
    format!("sha256:{}", super::hash_hex(p.to_string().as_bytes()))
}

/// [`Session::analyze`] on loose files, without a workspace.
pub fn analyze_files(files: &AnalyzeFiles, req: &AnalyzeRequest) -> ApiResult<Analysis> {
    let options = options(
        req,
        &crate::workspace::AnalysisConfig::default(),
        None,
        None,
    )?;
    let schema = crate::replay::simulate::load_schema(&files.schema)?;
    let load = |p: &Path| -> ApiResult<(cedar_policy::PolicySet, LocatedPolicies)> {
        let report = crate::replay::simulate::load_policy_report(p)?;
        let located = LocatedPolicies::from_report(&report);
        let set = super::replay::refuse_errors(&format!("the policies `{}`", p.display()), report)?;
        Ok((set, located))
    };
    let (candidate, located) = load(&files.candidate)?;
    let baseline_label = files
        .baseline
        .as_ref()
        .map(|b| b.display().to_string())
        .unwrap_or_default();
    let baseline = match (&files.baseline, req.no_diff) {
        (Some(b), false) => Some(load(b)?.0),
        _ => None,
    };
    run(
        &schema,
        (baseline_label, baseline),
        (files.candidate.display().to_string(), candidate),
        req,
        &options,
        Some(&located),
    )
}

/// Whose access to review (`mandate access`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AccessRequest {
    /// An agent's inventory id; `None` reviews every agent.
    #[ts(optional)]
    pub agent: Option<String>,
    /// A side as `simulate` takes it; `None` is `git:HEAD`.
    #[ts(optional)]
    pub baseline: Option<String>,
    /// `None` is the working copy.
    #[ts(optional)]
    pub candidate: Option<String>,
    /// Skip the change from the baseline.
    pub no_diff: bool,
    #[ts(optional)]
    pub solver: Option<String>,
    #[ts(optional, type = "number")]
    pub time_limit_ms: Option<u64>,
    #[ts(optional)]
    pub jobs: Option<u32>,
}

/// One agent's access review, with what the inventory says of the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentAccessReview {
    /// The inventory id (`triage-bot`).
    pub id: String,
    pub name: String,
    pub risk_tier: String,
    #[serde(flatten)]
    pub review: analysis::access::AgentReview,
}

/// The result of `mandate access`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccessReview {
    /// `None` when no solver was found: conditional entries are then not settled (see
    /// the problems).
    #[ts(optional)]
    pub solver: Option<SolverInfo>,
    /// Empty with `no_diff`.
    pub baseline: String,
    pub candidate: String,
    pub agents: Vec<AgentAccessReview>,
    pub problems: Vec<Problem>,
    #[ts(type = "number")]
    pub queries: u64,
    #[ts(type = "number")]
    pub millis: u64,
}

impl AccessReview {
    /// Agents whose access changed.
    pub fn changed(&self) -> impl Iterator<Item = &AgentAccessReview> {
        self.agents.iter().filter(|a| !a.review.changes.is_empty())
    }
}

impl Session {
    /// What each agent (or one) can do under the candidate, from the inventory's entities,
    /// and how that changed from the baseline. Works without a solver (conditions then stay
    /// unsettled, with a problem saying so), unless one was named and is missing.
    pub fn access(
        &self,
        req: &AccessRequest,
        cancel: Option<Arc<AtomicBool>>,
    ) -> ApiResult<AccessReview> {
        let started = Instant::now();
        let config = self.workspace.config();
        let analyze = AnalyzeRequest {
            solver: req.solver.clone(),
            time_limit_ms: req.time_limit_ms,
            jobs: req.jobs,
            ..AnalyzeRequest::default()
        };
        let found = analysis::solver::discover(
            req.solver.as_deref(),
            config.analysis.solver.as_deref(),
            Some(self.root()),
        );
        let options = match found {
            Ok(solver) => Some(options_for(solver, &analyze, &config.analysis, cancel)?),
            // A solver that was named and does not run is an error; none at all is not.
            Err(e) if !e.named => None,
            Err(e) => return Err(solver_missing(&e)),
        };
        let schema = self.replay_schema()?;
        let entities = self.replay_entities(&schema)?;
        let (inventory, _) = self.load_inventory();
        let agent_type = crate::model::entity_type(config, "agent").ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                "the schema mapping names no entity type for agents",
                Some("map `agent` under `[schema.mapping]` in mandate.toml"),
            )
        })?;
        let mut agents: Vec<&crate::inventory::Agent> =
            inventory.agents.iter().map(|r| &r.agent).collect();
        if let Some(id) = &req.agent {
            agents.retain(|a| &a.id == id);
            if agents.is_empty() {
                let known: Vec<&str> = inventory
                    .agents
                    .iter()
                    .map(|a| a.agent.id.as_str())
                    .take(8)
                    .collect();
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no agent `{id}` in the inventory"),
                    Some(&format!(
                        "`mandate agents list` shows them (e.g. {})",
                        known.join(", ")
                    )),
                ));
            }
        }
        let uid = |id: &str| -> ApiResult<cedar_policy::EntityUid> {
            let ty: cedar_policy::EntityTypeName = agent_type.parse().map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{agent_type}` is not an entity type name: {e}"),
                    Some("check `[schema.mapping]` in mandate.toml"),
                )
            })?;
            Ok(cedar_policy::EntityUid::from_type_name_and_id(
                ty,
                cedar_policy::EntityId::new(id),
            ))
        };
        let uids = agents
            .iter()
            .map(|a| uid(&a.id))
            .collect::<ApiResult<Vec<_>>>()?;
        let candidate_label = req
            .candidate
            .clone()
            .unwrap_or_else(|| WORKING_COPY.to_owned());
        let candidate = match req.candidate.as_deref() {
            None => self.working_copy()?,
            Some(spec) => self.side("candidate", spec)?,
        };
        let baseline_label = if req.no_diff {
            String::new()
        } else {
            req.baseline.clone().unwrap_or_else(|| "git:HEAD".into())
        };
        let baseline = if req.no_diff {
            None
        } else {
            Some(self.side("baseline", &baseline_label)?)
        };
        let report = analysis::access::review(
            &schema,
            &entities,
            &uids,
            baseline.as_ref(),
            &candidate,
            options.as_ref(),
        )
        .map_err(cancelled)?;
        let agents = agents
            .iter()
            .zip(report.agents)
            .map(|(a, review)| AgentAccessReview {
                id: a.id.clone(),
                name: a.name.clone(),
                risk_tier: a.risk_tier.as_str().to_owned(),
                review,
            })
            .collect();
        Ok(AccessReview {
            solver: options.map(|o| o.solver),
            baseline: baseline_label,
            candidate: candidate_label,
            agents,
            problems: report.problems,
            queries: report.queries,
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
}

impl Session {
    /// The symbolic analysis a bundle carries as evidence (and the publish gates redo on
    /// the bundle's own files): `candidate` against the last published bundle (or nothing),
    /// per environment of `schema`, the findings, and the inventory agents (in `entities`)
    /// whose access changed. Without a solver it says why in `not_run`. A set `cancel` stops
    /// it at the next solver query ([`ErrorCode::Cancelled`]).
    pub(super) fn analysis_evidence(
        &self,
        last: Option<(&str, &cedar_policy::PolicySet)>,
        schema: &cedar_policy::Schema,
        entities: &cedar_policy::Entities,
        candidate: &cedar_policy::PolicySet,
        cancel: Option<Arc<AtomicBool>>,
    ) -> ApiResult<crate::bundle::evidence::Analysis> {
        use crate::bundle::evidence::{Analysis as Evidence, EnvironmentRelation, TouchedAgent};
        let config = self.workspace.config();
        let baseline_label = last.map_or_else(
            || "nothing published (no policies: everything denied)".to_owned(),
            |(label, _)| label.to_owned(),
        );
        let options = match options(
            &AnalyzeRequest::default(),
            &config.analysis,
            Some(self.root()),
            cancel,
        ) {
            Ok(o) => o,
            Err(e) if e.code == ErrorCode::SolverUnavailable => {
                return Ok(Evidence {
                    not_run: Some(format!("{} ({})", e.message, e.help.unwrap_or_default())),
                    baseline: baseline_label,
                    ..Evidence::default()
                })
            }
            Err(e) => return Err(e),
        };
        let empty = cedar_policy::PolicySet::new();
        let baseline = last.map_or(&empty, |(_, set)| set);
        let diff = analysis::diff(schema, baseline, candidate, &options).map_err(cancelled)?;
        let found = analysis::findings(schema, candidate, &options).map_err(cancelled)?;
        let (inventory, _) = self.load_inventory();
        let tiers: std::collections::BTreeMap<String, String> = inventory
            .agents
            .iter()
            .map(|a| (a.agent.id.clone(), a.agent.risk_tier.as_str().to_owned()))
            .collect();
        let agent_type = crate::model::entity_type(config, "agent").unwrap_or_default();
        let agents: Vec<cedar_policy::EntityUid> = entities
            .iter()
            .map(cedar_policy::Entity::uid)
            .filter(|u| u.type_name().to_string() == agent_type)
            .collect();
        let access = analysis::access::review(
            schema,
            entities,
            &agents,
            Some(baseline),
            candidate,
            Some(&options),
        )
        .map_err(cancelled)?;
        let mut problems: Vec<String> = diff
            .problems
            .iter()
            .chain(&found.problems)
            .chain(&access.problems)
            .map(|p| format!("{} — {}: {}", p.environment, p.query, p.message))
            .collect();
        problems.dedup();
        Ok(Evidence {
            not_run: None,
            solver: options.solver.describe(),
            baseline: baseline_label,
            environments: diff
                .environments
                .iter()
                .map(|e| EnvironmentRelation {
                    environment: e.label(),
                    relation: e.relation.as_str().to_owned(),
                })
                .collect(),
            more_permissive: diff
                .environments
                .iter()
                .filter(|e| e.relation.may_allow_more())
                .map(|e| format!("{} ({})", e.label(), e.relation.as_str()))
                .collect(),
            fail_open: found
                .findings
                .iter()
                .filter(|f| f.kind == analysis::FindingKind::FailOpen)
                .map(|f| f.policy.clone())
                .collect(),
            findings: found
                .findings
                .iter()
                .map(|f| format!("{} {}: {}", f.kind.code(), f.policy, f.message))
                .collect(),
            // The review keeps the order of `agents`: each entry's id is its uid's.
            touched: agents
                .iter()
                .zip(&access.agents)
                .filter(|(_, a)| !a.changes.is_empty())
                .map(|(uid, a)| {
                    let id = uid.id().unescaped().to_owned();
                    TouchedAgent {
                        tier: tiers.get(&id).cloned().unwrap_or_else(|| "unknown".into()),
                        agent: id,
                        changed: a.changes.len() as u64,
                    }
                })
                .collect(),
            problems,
        })
    }
}
