//! Symbolic analysis of Cedar policies with cedar-policy-symcc and an SMT solver.
//!
//! Replay shows what changed on traffic that happened; analysis shows what can change on
//! any request. For every request environment of the schema (principal type × action ×
//! resource type):
//! - the **diff** says how a candidate relates to a baseline (`equivalent`,
//!   `more-permissive`, `less-permissive`, `incomparable`), with a counterexample for each
//!   direction that differs, replayed concretely through the scope index
//!   ([`crate::replay::ScopeIndex`]) to confirm the two decisions differ;
//! - the **findings** on one policy set: forbids that can error (fail-open, with a request
//!   that makes them error), permits that always match, policies that never match, permits
//!   shadowed by other permits or overridden by forbids, and equivalent policies.
//!
//! Queries run on a tokio pool, one solver process per worker, each query under a time
//! limit; a query the solver cannot answer becomes a [`Problem`] naming the environment
//! and what to do, and the rest of the analysis goes on.

pub mod access;
pub mod solver;
mod witness;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cedar_policy::{Effect, Policy, PolicySet, RequestEnv, Schema};
use cedar_policy_symcc::solver::LocalSolver;
use cedar_policy_symcc::{CedarSymCompiler, CompiledPolicy, CompiledPolicySet};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::replay::simulate::SideResult;
use crate::replay::ScopeIndex;
pub use solver::{SolverInfo, SolverKind, SolverMissing};
pub use witness::Witness;

/// How one policy set relates to another on one request environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum Relation {
    /// The same decision on every request.
    Equivalent,
    /// The candidate allows everything the baseline allows, and more.
    MorePermissive,
    /// The candidate allows only what the baseline allows, and less.
    LessPermissive,
    /// Each allows something the other denies.
    Incomparable,
    /// The solver gave no answer (see the environment's problem).
    Unknown,
}

impl Relation {
    /// The candidate may allow something the baseline denies: more permissive,
    /// incomparable, or not ruled out (unknown).
    pub fn may_allow_more(self) -> bool {
        matches!(
            self,
            Self::MorePermissive | Self::Incomparable | Self::Unknown
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equivalent => "equivalent",
            Self::MorePermissive => "more-permissive",
            Self::LessPermissive => "less-permissive",
            Self::Incomparable => "incomparable",
            Self::Unknown => "unknown",
        }
    }
}

/// A request on which the two sides decide differently, as the solver found it and as the
/// replay engine decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Counterexample {
    /// `candidate-allows` (the baseline denies it) or `candidate-denies` (the baseline
    /// allows it).
    pub direction: String,
    pub request: Witness,
    /// The replay engine's decision on each side.
    pub baseline: SideResult,
    pub candidate: SideResult,
    /// The concrete decisions differ as the proof says.
    pub confirmed: bool,
}

impl Counterexample {
    /// `now allowed: P A R context {…}` in one line.
    pub fn summary(&self) -> String {
        let what = if self.direction == "candidate-allows" {
            "now allowed"
        } else {
            "now denied"
        };
        format!(
            "{what}: {} {} {} context {}",
            self.request.principal,
            self.request.action,
            self.request.resource,
            self.request.context
        )
    }
}

/// One request environment of the diff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EnvironmentDiff {
    pub principal_type: String,
    /// The action's id (`invoke_tool`), its type dropped.
    pub action: String,
    pub resource_type: String,
    pub relation: Relation,
    pub counterexamples: Vec<Counterexample>,
    /// Why the relation is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problem: Option<String>,
    #[ts(type = "number")]
    pub millis: u64,
}

impl EnvironmentDiff {
    /// `Agent × invoke_tool × Tool`, as [`env_label`] names environments.
    pub fn label(&self) -> String {
        format!(
            "{} × {} × {}",
            short_type(&self.principal_type),
            self.action,
            short_type(&self.resource_type)
        )
    }
}

/// What a finding says about a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, rename = "AnalysisFindingKind")]
pub enum FindingKind {
    /// A `forbid` that can error: Cedar skips it, so what it forbids is allowed.
    FailOpen,
    /// A `permit` that matches every request of an environment.
    AlwaysMatches,
    /// A policy that matches no request of any environment.
    NeverMatches,
    /// A `permit` that matches only where another permit matches: it grants nothing more.
    ShadowedPermit,
    /// A `permit` that matches only where a forbid matches: it never allows.
    OverriddenPermit,
    /// Two policies of one effect that match exactly the same requests.
    Equivalent,
}

impl FindingKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::FailOpen => "fail-open",
            Self::AlwaysMatches => "always-matches",
            Self::NeverMatches => "never-matches",
            Self::ShadowedPermit => "shadowed-permit",
            Self::OverriddenPermit => "overridden-permit",
            Self::Equivalent => "equivalent",
        }
    }

    /// `error` for what a publish gate refuses, else `warning`.
    pub fn severity(self) -> &'static str {
        match self {
            Self::FailOpen => "error",
            _ => "warning",
        }
    }
}

/// A proved fact about one policy (and, for pairwise kinds, the other policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "AnalysisFinding")]
pub struct Finding {
    pub kind: FindingKind,
    /// `error` or `warning`.
    pub severity: String,
    pub policy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub other: Option<String>,
    /// The environments it holds in (`Agent × invoke_tool × Tool`); empty for
    /// `never-matches`, which holds in all.
    pub environments: Vec<String>,
    pub message: String,
    /// For `fail-open`: a request that makes the forbid error, and the replay engine's
    /// decision of the policy alone on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub witness: Option<Witness>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub outcome: Option<SideResult>,
    /// The replay engine agrees with the proof (the forbid errored on the witness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confirmed: Option<bool>,
}

/// A query the solver could not answer; the rest of the analysis went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "AnalysisProblem")]
pub struct Problem {
    pub environment: String,
    /// What was asked (`baseline ⇒ candidate`, `never-errors forbid-x` …).
    pub query: String,
    pub message: String,
    pub help: String,
}

/// How the analysis runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub solver: SolverInfo,
    /// Per query, given to the solver and enforced around it.
    pub time_limit: Duration,
    /// Solver processes at once (the core count when 0).
    pub jobs: usize,
    /// Checked between queries and while one runs: when set the analysis stops with
    /// [`Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
}

/// The analysis was cancelled; nothing of it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the analysis was cancelled")]
pub struct Cancelled;

/// The diff of two policy sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiffReport {
    pub environments: Vec<EnvironmentDiff>,
    pub problems: Vec<Problem>,
    /// Solver queries asked.
    #[ts(type = "number")]
    pub queries: u64,
}

/// The findings on one policy set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FindingsReport {
    pub findings: Vec<Finding>,
    /// Policies proved effective: each matches some request, was answered in every
    /// environment, and has no fail-open, never-matches or overridden finding.
    pub proved: Vec<String>,
    pub problems: Vec<Problem>,
    /// Solver queries asked.
    #[ts(type = "number")]
    pub queries: u64,
}

/// `Agent × invoke_tool × Tool`, the way environments are named everywhere.
pub fn env_label(env: &RequestEnv) -> String {
    format!(
        "{} × {} × {}",
        short_type(&env.principal().to_string()),
        env.action().id().unescaped(),
        short_type(&env.resource().to_string())
    )
}

/// The type's last path segment (`Acme::Agent` → `Agent`).
fn short_type(t: &str) -> String {
    t.rsplit("::").next().unwrap_or(t).to_owned()
}

/// `set` with each template-linked policy as the static policy it stands for (same id):
/// symcc compiles only static policies. A link that cannot be rendered is left out and
/// named in the second value.
pub fn static_policies(set: &PolicySet) -> (PolicySet, Vec<String>) {
    let mut out = PolicySet::new();
    let mut dropped = Vec::new();
    for p in set.policies() {
        let id = p.id().clone();
        let policy = if p.is_static() {
            Ok(p.clone())
        } else {
            p.to_json().map_err(|e| e.to_string()).and_then(|json| {
                Policy::from_json(Some(id.clone()), json).map_err(|e| e.to_string())
            })
        };
        match policy.and_then(|p| out.add(p).map_err(|e| e.to_string())) {
            Ok(()) => {}
            Err(e) => dropped.push(format!("`{id}`: {e}")),
        }
    }
    (out, dropped)
}

/// The request environments of the schema, in a stable order.
pub fn environments(schema: &Schema) -> Vec<RequestEnv> {
    let mut envs: Vec<RequestEnv> = schema.request_envs().collect();
    envs.sort_by_key(|e| {
        (
            e.action().to_string(),
            e.principal().to_string(),
            e.resource().to_string(),
        )
    });
    envs
}

fn runtime(jobs: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers(jobs))
        // symcc typechecks and compiles each policy recursively, like Cedar's parser.
        .thread_stack_size(crate::policy::guard::STACK_SIZE)
        .enable_all()
        .build()
}

fn workers(jobs: usize) -> usize {
    if jobs == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    } else {
        jobs
    }
}

/// One worker's solver: started on first use, started again after it failed.
struct Worker {
    options: Arc<Options>,
    symcc: Option<CedarSymCompiler<LocalSolver>>,
    queries: u64,
    /// The last query failed because the solver's model could not be read back.
    unreadable: bool,
}

/// A question for the solver.
#[derive(Clone, Copy)]
enum Query<'a> {
    /// Every request the first allows, the second allows (counterexample when not).
    Implies(&'a CompiledPolicySet, &'a CompiledPolicySet),
    /// The policy never errors (counterexample when it can).
    NeverErrors(&'a CompiledPolicy),
    /// The policy matches no request (a request it matches when it can).
    NeverMatches(&'a CompiledPolicy),
    /// The same, without a request: for a solver whose models cannot be read back.
    NeverMatchesProof(&'a CompiledPolicy),
    AlwaysMatches(&'a CompiledPolicy),
    /// The set denies every request (a request it allows when it does not).
    Allows(&'a CompiledPolicySet),
    /// Wherever the first matches, the second matches.
    MatchesImplies(&'a CompiledPolicy, &'a CompiledPolicy),
}

enum Answer {
    Holds(bool),
    Witness(Option<Box<cedar_policy_symcc::Env>>),
}

/// Why a query gave no answer.
enum QueryError {
    Cancelled,
    Failed(String, String),
}

impl Worker {
    fn new(options: Arc<Options>) -> Self {
        Self {
            options,
            symcc: None,
            queries: 0,
            unreadable: false,
        }
    }

    fn cancelled(&self) -> bool {
        self.options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Whether the property holds (the solver proved it).
    async fn holds(&mut self, query: Query<'_>) -> Result<bool, QueryError> {
        match self.ask(query).await? {
            Answer::Holds(b) => Ok(b),
            Answer::Witness(w) => Ok(w.is_none()),
        }
    }

    /// `None` when the property holds, else the solver's counterexample.
    async fn witness(
        &mut self,
        query: Query<'_>,
    ) -> Result<Option<cedar_policy_symcc::Env>, QueryError> {
        match self.ask(query).await? {
            Answer::Witness(w) => Ok(w.map(|b| *b)),
            Answer::Holds(_) => Err(QueryError::Failed(
                "a proof query gave no counterexample".into(),
                "report this as a bug".into(),
            )),
        }
    }

    /// Runs one query under the time limit, watching for cancellation.
    async fn ask(&mut self, query: Query<'_>) -> Result<Answer, QueryError> {
        if self.cancelled() {
            return Err(QueryError::Cancelled);
        }
        if self.symcc.is_none() {
            let solver = LocalSolver::from_command(
                &mut self.options.solver.command(self.options.time_limit),
            )
            .map_err(|e| {
                QueryError::Failed(
                    format!("cannot start {}: {e}", self.options.solver.describe()),
                    "check the solver path (`mandate analyze --solver PATH`, `$CVC5` or `[analysis] solver`)".into(),
                )
            })?;
            self.symcc =
                Some(CedarSymCompiler::new(solver).map_err(|e| {
                    QueryError::Failed(e.to_string(), "report this as a bug".into())
                })?);
        }
        let Some(symcc) = self.symcc.as_mut() else {
            return Err(QueryError::Failed(
                "the solver did not start".into(),
                "report this as a bug".into(),
            ));
        };
        self.queries += 1;
        let limit = self.options.time_limit;
        // The solver enforces the limit itself; this catches one that hangs.
        let outer = limit + Duration::from_secs(2);
        let cancel = self.options.cancel.clone();
        let watch = async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return;
                }
            }
        };
        let run = async {
            match query {
                Query::Implies(a, b) => symcc
                    .check_implies_with_counterexample_opt(a, b)
                    .await
                    .map(|w| Answer::Witness(w.map(Box::new))),
                Query::NeverErrors(p) => symcc
                    .check_never_errors_with_counterexample_opt(p)
                    .await
                    .map(|w| Answer::Witness(w.map(Box::new))),
                Query::NeverMatches(p) => symcc
                    .check_never_matches_with_counterexample_opt(p)
                    .await
                    .map(|w| Answer::Witness(w.map(Box::new))),
                Query::Allows(s) => symcc
                    .check_always_denies_with_counterexample_opt(s)
                    .await
                    .map(|w| Answer::Witness(w.map(Box::new))),
                Query::NeverMatchesProof(p) => {
                    symcc.check_never_matches_opt(p).await.map(Answer::Holds)
                }
                Query::AlwaysMatches(p) => {
                    symcc.check_always_matches_opt(p).await.map(Answer::Holds)
                }
                Query::MatchesImplies(a, b) => symcc
                    .check_matches_implies_opt(a, b)
                    .await
                    .map(Answer::Holds),
            }
        };
        let outcome = tokio::select! {
            r = tokio::time::timeout(outer, run) => r,
            () = watch => {
                self.symcc = None;
                return Err(QueryError::Cancelled);
            }
        };
        match outcome {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                // A solver that failed may be gone or in an unknown state: start afresh.
                self.symcc = None;
                Err(self.explain(&e))
            }
            Err(_) => {
                self.symcc = None;
                Err(QueryError::Failed(
                    format!("the solver did not answer within {} ms", limit.as_millis()),
                    "raise the limit (`--time-limit`, `[analysis] time_limit_ms`) or narrow the policies".into(),
                ))
            }
        }
    }

    fn explain(&mut self, e: &cedar_policy_symcc::err::Error) -> QueryError {
        use cedar_policy_symcc::err::Error as E;
        self.unreadable = matches!(e, E::DecodeModel(_) | E::ConcretizeError(_));
        let solver = self.options.solver.describe();
        let text = e.to_string();
        match e {
            E::SolverUnknown => QueryError::Failed(
                format!(
                    "{solver} answered `unknown` (most often its time limit of {} ms)",
                    self.options.time_limit.as_millis()
                ),
                "raise the limit (`--time-limit`, `[analysis] time_limit_ms`)".into(),
            ),
            E::SolverError(inner) => {
                let detail = format!("{inner:?}");
                let help = if self.options.solver.kind == SolverKind::Z3 && detail.contains("set.")
                {
                    "z3 has no theory of finite sets (`set.member`), which symcc uses for sets, `in` and `contains`: use cvc5 ≥ 1.1 (`bash scripts/deps.sh` installs cvc5 1.4 as target/solver-venv/bin/cvc5)".to_owned()
                } else if detail.contains("bvnego") || self.options.solver.caveat.is_some() {
                    "this solver cannot handle the query: use cvc5 ≥ 1.1 or z3 (`bash scripts/deps.sh` installs both under target/solver-venv)".to_owned()
                } else {
                    "check that the solver runs (`SOLVER --version`); `bash scripts/deps.sh` installs cvc5 1.4 and z3".to_owned()
                };
                QueryError::Failed(format!("{solver} failed: {}", trim_detail(&detail)), help)
            }
            E::DecodeModel(_) | E::ConcretizeError(_) => QueryError::Failed(
                format!(
                    "{solver} answered, but its model could not be read back: {}",
                    trim_detail(&text)
                ),
                if self.options.solver.kind == SolverKind::Z3 {
                    "z3 writes models of sets that symcc cannot read: use cvc5 ≥ 1.1 (`bash scripts/deps.sh` installs cvc5 1.4 as target/solver-venv/bin/cvc5)".into()
                } else {
                    "report this as a bug, with the policies and the solver's version".into()
                },
            ),
            E::PolicyNotWellTyped { .. } => QueryError::Failed(
                format!("a policy does not type-check in this environment: {text}"),
                "run `mandate validate`; analysis needs policies valid against the schema".into(),
            ),
            _ => QueryError::Failed(text, "report this as a bug, with the policies".into()),
        }
    }
}

/// The first line of a solver's complaint, at most 300 characters.
fn trim_detail(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s);
    line.chars().take(300).collect()
}

/// A problem of `env` for `query`.
fn problem(env: &str, query: &str, message: String, help: String) -> Problem {
    Problem {
        environment: env.to_owned(),
        query: query.to_owned(),
        message,
        help,
    }
}

/// The diff of `baseline` and `candidate`, per environment of `schema`, on the pool.
pub fn diff(
    schema: &Schema,
    baseline: &PolicySet,
    candidate: &PolicySet,
    options: &Options,
) -> Result<DiffReport, Cancelled> {
    let envs = environments(schema);
    let (b, dropped_b) = static_policies(baseline);
    let (c, dropped_c) = static_policies(candidate);
    let shared = Arc::new((schema.clone(), b, c));
    // The counterexamples replay on the sets as given, links and all.
    let index = Arc::new(ScopeIndex::pair(baseline, candidate).ok());
    let options = Arc::new(options.clone());
    let rt = runtime(options.jobs).map_err(|_| Cancelled)?;
    let results = rt.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(workers(options.jobs)));
        let mut tasks = Vec::new();
        for env in envs {
            let (shared, index, options, permits) = (
                shared.clone(),
                index.clone(),
                options.clone(),
                permits.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let (schema, baseline, candidate) = &*shared;
                env_diff(
                    &env,
                    schema,
                    baseline,
                    candidate,
                    index.as_ref().as_ref(),
                    options,
                )
                .await
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let mut report = DiffReport {
        environments: Vec::new(),
        problems: unlinkable(&dropped_b, &dropped_c),
        queries: 0,
    };
    for r in results {
        match r {
            Ok(Ok((env, problems, queries))) => {
                report.environments.push(env);
                report.problems.extend(problems);
                report.queries += queries;
            }
            Ok(Err(Cancelled)) | Err(_) => return Err(Cancelled),
        }
    }
    Ok(report)
}

async fn env_diff(
    env: &RequestEnv,
    schema: &Schema,
    baseline: &PolicySet,
    candidate: &PolicySet,
    index: Option<&ScopeIndex>,
    options: Arc<Options>,
) -> Result<(EnvironmentDiff, Vec<Problem>, u64), Cancelled> {
    let started = Instant::now();
    let label = env_label(env);
    let mut out = EnvironmentDiff {
        principal_type: env.principal().to_string(),
        action: env.action().id().unescaped().to_owned(),
        resource_type: env.resource().to_string(),
        relation: Relation::Unknown,
        counterexamples: Vec::new(),
        problem: None,
        millis: 0,
    };
    let mut problems = Vec::new();
    let compiled = (
        CompiledPolicySet::compile(baseline, env, schema),
        CompiledPolicySet::compile(candidate, env, schema),
    );
    let (b, c) = match compiled {
        (Ok(b), Ok(c)) => (b, c),
        (Err(e), _) | (_, Err(e)) => {
            let message = format!("the policies do not compile for this environment: {e}");
            out.problem = Some(message.clone());
            problems.push(problem(
                &label,
                "compile",
                message,
                "run `mandate validate`; analysis needs policies valid against the schema".into(),
            ));
            out.millis = elapsed_ms(started);
            return Ok((out, problems, 0));
        }
    };
    let mut worker = Worker::new(options);
    // baseline ⇒ candidate fails on a request the candidate denies and the baseline allows.
    let denies = worker.witness(Query::Implies(&b, &c)).await;
    let allows = worker.witness(Query::Implies(&c, &b)).await;
    let mut holds = |r: Result<Option<cedar_policy_symcc::Env>, QueryError>,
                     direction: &str,
                     query: &str|
     -> Result<Option<bool>, Cancelled> {
        match r {
            Ok(None) => Ok(Some(true)),
            Ok(Some(cex)) => {
                out.counterexamples
                    .push(counterexample(schema, direction, &cex, index));
                Ok(Some(false))
            }
            Err(QueryError::Cancelled) => Err(Cancelled),
            Err(QueryError::Failed(message, help)) => {
                out.problem = Some(message.clone());
                problems.push(problem(&label, query, message, help));
                Ok(None)
            }
        }
    };
    let no_less = holds(denies, "candidate-denies", "baseline ⇒ candidate")?;
    let no_more = holds(allows, "candidate-allows", "candidate ⇒ baseline")?;
    out.relation = match (no_less, no_more) {
        (Some(true), Some(true)) => Relation::Equivalent,
        (Some(true), Some(false)) => Relation::MorePermissive,
        (Some(false), Some(true)) => Relation::LessPermissive,
        (Some(false), Some(false)) => Relation::Incomparable,
        _ => Relation::Unknown,
    };
    // Candidate-allows first: it is what a reviewer must read first.
    out.counterexamples
        .sort_by(|a, b| a.direction.cmp(&b.direction));
    out.millis = elapsed_ms(started);
    Ok((out, problems, worker.queries))
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The solver's counterexample, its context made smaller while the two sides still decide
/// as the direction says, rendered and replayed on both sides.
fn counterexample(
    schema: &Schema,
    direction: &str,
    cex: &cedar_policy_symcc::Env,
    index: Option<&ScopeIndex>,
) -> Counterexample {
    let expected = if direction == "candidate-allows" {
        ("deny", "allow")
    } else {
        ("allow", "deny")
    };
    let replay = |request: &cedar_policy::Request, entities: &cedar_policy::Entities| match index {
        Some(index) => {
            let pair = index.compare(request, entities);
            (
                SideResult::from(&pair.baseline),
                SideResult::from(&pair.candidate),
            )
        }
        None => (unreplayed(), unreplayed()),
    };
    let shows =
        |(b, c): &(SideResult, SideResult)| b.decision == expected.0 && c.decision == expected.1;
    let (request, entities) = if index.is_some() && shows(&replay(&cex.request, &cex.entities)) {
        let request = witness::minimise(&cex.request, schema, |r| shows(&replay(r, &cex.entities)));
        let entities =
            witness::minimise_entities(&request, &cex.entities, |e| shows(&replay(&request, e)));
        (request, entities)
    } else {
        (cex.request.clone(), cex.entities.clone())
    };
    let (baseline, candidate) = replay(&request, &entities);
    let confirmed = shows(&(baseline.clone(), candidate.clone()));
    Counterexample {
        direction: direction.to_owned(),
        request: Witness::new(&request, &entities),
        baseline,
        candidate,
        confirmed,
    }
}

fn unreplayed() -> SideResult {
    SideResult {
        decision: "unknown".into(),
        reasons: Vec::new(),
        errors: Vec::new(),
    }
}

/// Whether a policy's scope can match requests of `env` (a cheap filter before the solver:
/// a scope naming another type or action cannot). `in` an entity is kept (any type may be
/// its descendant).
fn scope_fits(policy: &Policy, env: &RequestEnv) -> bool {
    use cedar_policy::{ActionConstraint, PrincipalConstraint as P, ResourceConstraint as R};
    let principal = match policy.principal_constraint() {
        P::Any | P::In(_) => true,
        P::Eq(e) => e.type_name() == env.principal(),
        P::Is(t) | P::IsIn(t, _) => &t == env.principal(),
    };
    let resource = match policy.resource_constraint() {
        R::Any | R::In(_) => true,
        R::Eq(e) => e.type_name() == env.resource(),
        R::Is(t) | R::IsIn(t, _) => &t == env.resource(),
    };
    let action = match policy.action_constraint() {
        ActionConstraint::Eq(a) => &a == env.action(),
        ActionConstraint::Any | ActionConstraint::In(_) => true,
    };
    principal && resource && action
}

/// Whether two policies' scopes can both match one request: `==` two different entities
/// cannot.
fn scopes_overlap(a: &Policy, b: &Policy) -> bool {
    use cedar_policy::{PrincipalConstraint as P, ResourceConstraint as R};
    let principal = match (a.principal_constraint(), b.principal_constraint()) {
        (P::Eq(x), P::Eq(y)) => x == y,
        _ => true,
    };
    let resource = match (a.resource_constraint(), b.resource_constraint()) {
        (R::Eq(x), R::Eq(y)) => x == y,
        _ => true,
    };
    principal && resource
}

/// A fail-open witness: the request, the policy's decision alone on it, and whether it
/// errored there as proved.
type Evidence = (Witness, SideResult, bool);

/// What one environment found, before findings are merged across environments.
#[derive(Default)]
struct EnvFindings {
    /// Policies that can match some request of the environment.
    matching: BTreeSet<String>,
    /// Policies that were asked about and gave no answer here.
    unanswered: BTreeSet<String>,
    found: Vec<(FindingKind, String, Option<String>, Option<Evidence>)>,
    problems: Vec<Problem>,
    queries: u64,
}

/// A problem per link that could not be made static.
fn unlinkable(baseline: &[String], candidate: &[String]) -> Vec<Problem> {
    let side = |name: &str, list: &[String]| {
        list.iter()
            .map(|why| {
                problem(
                    "every environment",
                    &format!("{name} link"),
                    format!(
                        "the template-linked policy {why} could not be analysed and was left out"
                    ),
                    "write it as a static policy, or report this with the template and link".into(),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut out = side("baseline", baseline);
    out.extend(side("candidate", candidate));
    out
}

/// Findings on `policies`, per environment of `schema`, on the pool. Pairwise checks run
/// only on pairs whose scopes can overlap.
pub fn findings(
    schema: &Schema,
    policies: &PolicySet,
    options: &Options,
) -> Result<FindingsReport, Cancelled> {
    let envs = environments(schema);
    let (static_set, dropped) = static_policies(policies);
    let shared = Arc::new((schema.clone(), static_set));
    let options = Arc::new(options.clone());
    let rt = runtime(options.jobs).map_err(|_| Cancelled)?;
    let results = rt.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(workers(options.jobs)));
        let mut tasks = Vec::new();
        for env in envs {
            let (shared, options, permits) = (shared.clone(), options.clone(), permits.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let (schema, policies) = &*shared;
                let label = env_label(&env);
                env_findings(&env, schema, policies, options)
                    .await
                    .map(|f| (label, f))
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let mut per_env = Vec::new();
    for r in results {
        match r {
            Ok(Ok(found)) => per_env.push(found),
            Ok(Err(Cancelled)) | Err(_) => return Err(Cancelled),
        }
    }
    let mut report = merge(policies, per_env);
    report.problems.splice(0..0, unlinkable(&[], &dropped));
    Ok(report)
}

/// Merges each environment's findings: one finding per (kind, policy, other) with the
/// environments it holds in; `never-matches` for policies that matched nowhere and were
/// answered everywhere.
fn merge(policies: &PolicySet, per_env: Vec<(String, EnvFindings)>) -> FindingsReport {
    let mut matching = BTreeSet::new();
    let mut unanswered = BTreeSet::new();
    let mut problems = Vec::new();
    let mut queries = 0;
    type Key = (FindingKind, String, Option<String>);
    let mut merged: BTreeMap<Key, (Vec<String>, Option<Evidence>)> = BTreeMap::new();
    for (label, env) in per_env {
        matching.extend(env.matching);
        unanswered.extend(env.unanswered);
        problems.extend(env.problems);
        queries += env.queries;
        for (kind, policy, other, witness) in env.found {
            let entry = merged.entry((kind, policy, other)).or_default();
            entry.0.push(label.clone());
            if entry.1.is_none() {
                entry.1 = witness;
            }
        }
    }
    for p in policies.policies() {
        let id = p.id().to_string();
        if !matching.contains(&id) && !unanswered.contains(&id) {
            merged.insert((FindingKind::NeverMatches, id, None), (Vec::new(), None));
        }
    }
    let findings: Vec<Finding> = merged
        .into_iter()
        .map(|((kind, policy, other), (environments, witness))| {
            let message = message(kind, &policy, other.as_deref(), &environments);
            let (witness, outcome, confirmed) = match witness {
                Some((w, o, c)) => (Some(w), Some(o), Some(c)),
                None => (None, None, None),
            };
            Finding {
                kind,
                severity: kind.severity().into(),
                policy,
                other,
                environments,
                message,
                witness,
                outcome,
                confirmed,
            }
        })
        .collect();
    let ineffective: BTreeSet<&str> = findings
        .iter()
        .filter(|f: &&Finding| {
            matches!(
                f.kind,
                FindingKind::FailOpen | FindingKind::NeverMatches | FindingKind::OverriddenPermit
            )
        })
        .map(|f| f.policy.as_str())
        .collect();
    let proved = matching
        .iter()
        .filter(|id| !unanswered.contains(*id) && !ineffective.contains(id.as_str()))
        .cloned()
        .collect();
    FindingsReport {
        findings,
        proved,
        problems,
        queries,
    }
}

fn message(kind: FindingKind, policy: &str, other: Option<&str>, envs: &[String]) -> String {
    let other = other.unwrap_or("");
    let scope = match envs.len() {
        0 => String::new(),
        1 => format!(" ({})", envs[0]),
        n => format!(" (in {n} environments)"),
    };
    match kind {
        FindingKind::FailOpen => format!(
            "forbid `{policy}` can error{scope}: Cedar then skips it, so what it forbids is allowed"
        ),
        FindingKind::AlwaysMatches => {
            format!("permit `{policy}` matches every request{scope}: its conditions restrict nothing there")
        }
        FindingKind::NeverMatches => {
            format!("`{policy}` matches no request in any environment: it is dead")
        }
        FindingKind::ShadowedPermit => format!(
            "permit `{policy}` matches only requests permit `{other}` matches too{scope}: it grants nothing more"
        ),
        FindingKind::OverriddenPermit => format!(
            "permit `{policy}` matches only requests forbid `{other}` matches{scope}: it never allows"
        ),
        FindingKind::Equivalent => format!(
            "`{policy}` and `{other}` match exactly the same requests{scope}: one of them is redundant"
        ),
    }
}

async fn env_findings(
    env: &RequestEnv,
    schema: &Schema,
    policies: &PolicySet,
    options: Arc<Options>,
) -> Result<EnvFindings, Cancelled> {
    let label = env_label(env);
    let mut out = EnvFindings::default();
    let mut worker = Worker::new(options);
    let mut compiled: Vec<(Policy, CompiledPolicy)> = Vec::new();
    for p in policies.policies().filter(|p| scope_fits(p, env)) {
        match CompiledPolicy::compile(p, env, schema) {
            Ok(c) => compiled.push((p.clone(), c)),
            Err(e) => {
                out.unanswered.insert(p.id().to_string());
                out.problems.push(problem(
                    &label,
                    &format!("compile {}", p.id()),
                    format!("`{}` does not compile for this environment: {e}", p.id()),
                    "run `mandate validate`; analysis needs policies valid against the schema"
                        .into(),
                ));
            }
        }
    }
    // Which policies can match here at all, each with a request it matches.
    let mut live: Vec<(&(Policy, CompiledPolicy), Option<cedar_policy_symcc::Env>)> = Vec::new();
    for entry in &compiled {
        let id = entry.0.id().to_string();
        let answer = match worker.witness(Query::NeverMatches(&entry.1)).await {
            Ok(w) => Ok(w.map(Some)),
            Err(QueryError::Cancelled) => return Err(Cancelled),
            // The request could not be read back: ask for the proof alone.
            Err(QueryError::Failed(..)) if worker.unreadable => worker
                .holds(Query::NeverMatchesProof(&entry.1))
                .await
                .map(|never| (!never).then_some(None)),
            Err(e) => Err(e),
        };
        match answer {
            Ok(None) => {}
            Ok(Some(w)) => {
                out.matching.insert(id);
                live.push((entry, w));
            }
            Err(QueryError::Cancelled) => return Err(Cancelled),
            Err(QueryError::Failed(m, h)) => {
                out.unanswered.insert(id.clone());
                out.problems
                    .push(problem(&label, &format!("never-matches {id}"), m, h));
            }
        }
    }
    // Which live policies match on each one's witness, decided concretely. A policy that
    // does not match on some witness cannot match everywhere, nor wherever the witness's
    // policy matches: those queries are refuted without the solver.
    let matched = matched_on_witnesses(&live);
    let everywhere = |id: &str| {
        matched
            .iter()
            .all(|m| m.as_ref().is_none_or(|m| m.contains(id)))
    };
    let implied = |i: usize, id: &str| matched[i].as_ref().is_none_or(|m| m.contains(id));
    for ((policy, c), _) in &live {
        let id = policy.id().to_string();
        match policy.effect() {
            Effect::Forbid => match worker.witness(Query::NeverErrors(c)).await {
                Ok(None) => {}
                Ok(Some(cex)) => {
                    let (witness, outcome, confirmed) = errors_alone(schema, policy, &cex);
                    out.found.push((
                        FindingKind::FailOpen,
                        id,
                        None,
                        Some((witness, outcome, confirmed)),
                    ));
                }
                Err(QueryError::Cancelled) => return Err(Cancelled),
                Err(QueryError::Failed(m, h)) => {
                    out.problems
                        .push(problem(&label, &format!("never-errors {id}"), m, h))
                }
            },
            Effect::Permit if !everywhere(&id) => {}
            Effect::Permit => match worker.holds(Query::AlwaysMatches(c)).await {
                Ok(true) => out.found.push((FindingKind::AlwaysMatches, id, None, None)),
                Ok(false) => {}
                Err(QueryError::Cancelled) => return Err(Cancelled),
                Err(QueryError::Failed(m, h)) => {
                    out.problems
                        .push(problem(&label, &format!("always-matches {id}"), m, h))
                }
            },
        }
    }
    // Pairs whose scopes can overlap and that no witness already tells apart.
    for (i, ((p, pc), _)) in live.iter().enumerate() {
        for (j, ((q, qc), _)) in live.iter().enumerate().skip(i + 1) {
            let (pid, qid) = (p.id().to_string(), q.id().to_string());
            let (maybe_pq, maybe_qp) = (implied(i, &qid), implied(j, &pid));
            if !scopes_overlap(p, q) || !(maybe_pq || maybe_qp) {
                continue;
            }
            let mut ask = async |maybe: bool, a, b| {
                if maybe {
                    worker.holds(Query::MatchesImplies(a, b)).await
                } else {
                    Ok(false)
                }
            };
            let pq = ask(maybe_pq, pc, qc).await;
            let qp = ask(maybe_qp, qc, pc).await;
            let (pq, qp) = match (pq, qp) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(QueryError::Cancelled), _) | (_, Err(QueryError::Cancelled)) => {
                    return Err(Cancelled)
                }
                (Err(QueryError::Failed(m, h)), _) | (_, Err(QueryError::Failed(m, h))) => {
                    out.problems
                        .push(problem(&label, &format!("implies {pid} {qid}"), m, h));
                    continue;
                }
            };
            if p.effect() == q.effect() && pq && qp {
                out.found
                    .push((FindingKind::Equivalent, pid, Some(qid), None));
                continue;
            }
            // `narrow` matches only where `wide` matches: a permit under another permit is
            // shadowed, a permit under a forbid never allows.
            for (narrow, wide, holds) in [(p, q, pq), (q, p, qp)] {
                let kind = match (narrow.effect(), wide.effect()) {
                    (Effect::Permit, Effect::Permit) => FindingKind::ShadowedPermit,
                    (Effect::Permit, Effect::Forbid) => FindingKind::OverriddenPermit,
                    (Effect::Forbid, _) => continue,
                };
                if holds {
                    out.found.push((
                        kind,
                        narrow.id().to_string(),
                        Some(wide.id().to_string()),
                        None,
                    ));
                    break;
                }
            }
        }
    }
    out.queries = worker.queries;
    Ok(out)
}

/// For each live policy's witness, the ids of the live policies that match on it, decided
/// by the replay engine on the policies turned into permits (so that every policy that
/// matches is among the reasons). `None` where the engine disagrees with the solver (the
/// witness's own policy does not match on it) or there is no witness: no query is refuted
/// by that witness.
fn matched_on_witnesses(
    live: &[(&(Policy, CompiledPolicy), Option<cedar_policy_symcc::Env>)],
) -> Vec<Option<BTreeSet<String>>> {
    let mut set = PolicySet::new();
    for ((policy, _), _) in live {
        if let Some(p) = as_permit(policy) {
            if set.add(p).is_err() {
                return vec![None; live.len()];
            }
        } else {
            return vec![None; live.len()];
        }
    }
    let Ok(index) = ScopeIndex::new(&set) else {
        return vec![None; live.len()];
    };
    live.iter()
        .map(|((policy, _), w)| {
            let w = w.as_ref()?;
            let outcome = index.evaluate(&w.request, &w.entities);
            let ids: BTreeSet<String> = outcome.reasons.into_iter().collect();
            ids.contains(&policy.id().to_string()).then_some(ids)
        })
        .collect()
}

/// `policy` as a permit with the same id, scope and conditions: it allows exactly where
/// the policy matches.
fn as_permit(policy: &Policy) -> Option<Policy> {
    if policy.effect() == Effect::Permit {
        return Some(policy.clone());
    }
    let mut json = policy.to_json().ok()?;
    json["effect"] = serde_json::Value::String("permit".into());
    Policy::from_json(Some(policy.id().clone()), json).ok()
}

/// The witness (its context made smaller while the policy still errors), the replay
/// engine's decision of `policy` alone on it, and whether it errored there (what a
/// fail-open proof predicts).
fn errors_alone(
    schema: &Schema,
    policy: &Policy,
    cex: &cedar_policy_symcc::Env,
) -> (Witness, SideResult, bool) {
    let mut set = PolicySet::new();
    let index = set
        .add(policy.clone())
        .ok()
        .and_then(|()| ScopeIndex::new(&set).ok());
    let id = policy.id().to_string();
    let Some(index) = index else {
        return (Witness::of(cex), unreplayed(), false);
    };
    let errors = |r: &cedar_policy::Request, e: &cedar_policy::Entities| {
        SideResult::from(&index.evaluate(r, e)).errors.contains(&id)
    };
    let (request, entities) = if errors(&cex.request, &cex.entities) {
        let request = witness::minimise(&cex.request, schema, |r| errors(r, &cex.entities));
        let entities = witness::minimise_entities(&request, &cex.entities, |e| errors(&request, e));
        (request, entities)
    } else {
        (cex.request.clone(), cex.entities.clone())
    };
    let outcome = SideResult::from(&index.evaluate(&request, &entities));
    let confirmed = outcome.errors.contains(&id);
    (Witness::new(&request, &entities), outcome, confirmed)
}
