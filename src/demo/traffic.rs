//! The demo's recorded traffic: three weeks of Acme's agents at work as production's
//! enforcement points logged it, deterministic from a seed.
//!
//! Each agent works in tasks (a task id shared by its requests, a delegate's steps included)
//! on its own rhythm: support and engineering agents in office hours, loaders and dbt at
//! night, payouts on Fridays, the incident agents while one of three incidents is open, and
//! the agents that should be quiet (suspended, retired, draft) on a leftover schedule. A task
//! asks for a credential for what it is about to use, then calls its tools, reads and writes
//! its datasets, calls its models and sometimes hands work to a delegate. Most of it is
//! legitimate; at documented rates ([`rates`]) it makes the mistakes production sees, and a
//! few patterns are planted at fixed times (a deny-retry burst, an unregistered agent, a tool
//! missing from the inventory, a three-hop delegation chain).
//!
//! The decision each record carries is the one production made: the records are evaluated
//! in-process against the revision production ran ([`super::PREVIOUS_REVISION`]), and a
//! small fraction is flipped afterwards as drift (a stale enforcement point). Two ChaCha
//! streams of the seed (one for the records, one for the drift) make the output the same
//! bytes on every platform.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use cedar_policy::{Entities, PolicySet, Schema};
use chrono::{DateTime, NaiveDate, Utc};
use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution as _;
use rand::seq::IndexedRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{file_text, folder_texts, DemoError, PREVIOUS_REVISION};
use crate::inventory::{Agent, Environment, Inventory, Lifecycle, RiskTier};
use crate::workspace::Config;

/// Requests `mandate demo` generates unless told otherwise.
pub const DEFAULT_REQUESTS: usize = 50_000;
/// The seed unless told otherwise.
pub const DEFAULT_SEED: u64 = 7;
/// The most requests one run generates (the records are planned in memory, about 0.5 KB each).
pub const MAX_REQUESTS: usize = 5_000_000;
/// The first recorded day: Monday 2 November 2026 (UTC).
pub const FIRST_DAY: (i32, u32, u32) = (2026, 11, 2);
/// Three weeks, Monday to Sunday.
pub const DAYS: i64 = 21;

/// How often production's agents make each mistake, per opportunity.
pub mod rates {
    /// A tool call to a tool outside the agent's list (a neighbour of the same system).
    pub const TOOL_OFF_LIST: f64 = 0.012;
    /// A dataset read outside the agent's datasets.
    pub const DATASET_OFF_LIST: f64 = 0.01;
    /// A model call outside the agent's models.
    pub const MODEL_OFF_LIST: f64 = 0.01;
    /// A delegation to an agent outside the delegates list.
    pub const DELEGATE_OFF_LIST: f64 = 0.03;
    /// A high or critical tool called without the human's step-up approval.
    pub const STEP_UP_MISSING: f64 = 0.03;
    /// A credential asked for longer than the agent's maximum TTL (twice or four times).
    pub const TTL_OVER: f64 = 0.03;
    /// A credential asked for without a TTL.
    pub const NO_TTL: f64 = 0.01;
    /// A credential asked for without a task id.
    pub const CREDENTIAL_NO_TASK: f64 = 0.015;
    /// A credential asked for unattested, by an agent whose policy requires attestation.
    pub const UNATTESTED: f64 = 0.03;
    /// A credential through a human's session, by an agent meant to use the workload path.
    pub const HUMAN_PATH: f64 = 0.005;
    /// A delegation recorded deeper than its chain (the caller was itself delegated to).
    pub const DEEP_DELEGATION: f64 = 0.04;
    /// A task recorded without a task id (a gateway dropped the header).
    pub const TASK_ID_MISSING: f64 = 0.004;
    /// A billing-bot refund task not tied to a support ticket.
    pub const REFUND_NO_TICKET: f64 = 0.02;
    /// A recorded decision that differs from what the revision decides (drift).
    pub const DRIFT: f64 = 0.004;
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub requests: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            requests: DEFAULT_REQUESTS,
            seed: DEFAULT_SEED,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub requests: u64,
    pub seed: u64,
    /// As production recorded them (drift included).
    pub allowed: u64,
    pub denied: u64,
    /// Records whose recorded decision was flipped after evaluation.
    pub drifted: u64,
    /// Distinct principals (an unregistered one included).
    pub agents: u64,
    /// Distinct task ids.
    pub tasks: u64,
    /// Time of the first and the last record (RFC 3339, UTC).
    pub first: String,
    pub last: String,
    /// Records carrying each planted mistake, by [`Mistake`] code.
    pub mistakes: BTreeMap<String, u64>,
}

/// A mistake a record carries on purpose; [`Summary::mistakes`] counts them by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mistake {
    ToolOffList,
    DatasetOffList,
    ModelOffList,
    DelegateOffList,
    StepUpMissing,
    TtlOverCeiling,
    NoTtl,
    CredentialNoTask,
    Unattested,
    HumanPath,
    DeepDelegation,
    TaskIdMissing,
    RefundNoTicket,
    EnvironmentCrossed,
    InactiveAgent,
    UnregisteredAgent,
    UnknownResource,
    RetryBurst,
}

impl Mistake {
    pub const ALL: [Mistake; 18] = [
        Self::ToolOffList,
        Self::DatasetOffList,
        Self::ModelOffList,
        Self::DelegateOffList,
        Self::StepUpMissing,
        Self::TtlOverCeiling,
        Self::NoTtl,
        Self::CredentialNoTask,
        Self::Unattested,
        Self::HumanPath,
        Self::DeepDelegation,
        Self::TaskIdMissing,
        Self::RefundNoTicket,
        Self::EnvironmentCrossed,
        Self::InactiveAgent,
        Self::UnregisteredAgent,
        Self::UnknownResource,
        Self::RetryBurst,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ToolOffList => "tool.off_list",
            Self::DatasetOffList => "dataset.off_list",
            Self::ModelOffList => "model.off_list",
            Self::DelegateOffList => "delegate.off_list",
            Self::StepUpMissing => "step_up.missing",
            Self::TtlOverCeiling => "credential.ttl_over_max",
            Self::NoTtl => "credential.no_ttl",
            Self::CredentialNoTask => "credential.no_task_id",
            Self::Unattested => "credential.unattested",
            Self::HumanPath => "credential.human_path",
            Self::DeepDelegation => "delegation.deep",
            Self::TaskIdMissing => "task_id.missing",
            Self::RefundNoTicket => "refund.no_ticket",
            Self::EnvironmentCrossed => "environment.crossed",
            Self::InactiveAgent => "agent.inactive",
            Self::UnregisteredAgent => "agent.unregistered",
            Self::UnknownResource => "resource.unknown",
            Self::RetryBurst => "retry.burst",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

/// When an agent works.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rhythm {
    /// Weekdays in office hours, a little in the evening and at weekends.
    Office,
    /// Around the clock, busier by day, and busier still while an incident is open.
    Always,
    /// A batch every night from this hour, for two hours.
    Nightly(u32),
    /// A batch every day from this hour, for an hour.
    Daily(u32),
    /// One weekday (0 = Monday) from this hour, for two hours.
    Weekly(u32, u32),
    /// Mostly while an incident is open, a trickle otherwise.
    Incidents,
    /// A schedule nobody turned off: every `.0` hours from hour `.1`.
    Cron(u32, u32),
    /// A few weekday afternoons: someone trying a draft agent in production.
    Trials,
}

/// Each known agent's rhythm and share of the tasks; an agent added to the inventory later
/// works office hours with weight 1.
const PROFILES: &[(&str, Rhythm, f64)] = &[
    ("support-triage", Rhythm::Office, 10.0),
    ("kb-answerer", Rhythm::Office, 6.0),
    ("faq-bot", Rhythm::Always, 6.0),
    ("ticket-tagger", Rhythm::Office, 4.0),
    ("sentiment-scorer", Rhythm::Nightly(1), 1.5),
    ("support-sandbox", Rhythm::Office, 1.0),
    ("billing-bot", Rhythm::Office, 3.5),
    ("refund-approver", Rhythm::Office, 1.2),
    ("invoice-reconciler", Rhythm::Nightly(22), 1.5),
    ("payout-runner", Rhythm::Weekly(4, 14), 0.6),
    ("collections-agent", Rhythm::Office, 1.5),
    ("month-end-closer", Rhythm::Daily(18), 0.8),
    ("invoice-summariser", Rhythm::Trials, 0.1),
    ("code-reviewer", Rhythm::Office, 5.0),
    ("code-style-bot", Rhythm::Office, 2.5),
    ("dependency-updater", Rhythm::Nightly(3), 1.0),
    ("deploy-bot", Rhythm::Office, 1.5),
    ("ci-triager", Rhythm::Office, 2.0),
    ("release-notes-writer", Rhythm::Weekly(3, 15), 0.3),
    ("warehouse-loader", Rhythm::Nightly(1), 1.5),
    ("dbt-orchestrator", Rhythm::Nightly(2), 1.5),
    ("churn-predictor", Rhythm::Nightly(4), 0.8),
    ("pii-redactor", Rhythm::Nightly(0), 1.0),
    ("pipeline-tester", Rhythm::Office, 0.8),
    ("legacy-exporter", Rhythm::Cron(24, 2), 0.15),
    ("alert-router", Rhythm::Always, 3.0),
    ("incident-commander", Rhythm::Incidents, 1.0),
    ("log-summariser", Rhythm::Always, 1.5),
    ("monitor-muter", Rhythm::Office, 0.6),
    ("auto-remediator", Rhythm::Cron(6, 0), 0.3),
    ("status-page-writer", Rhythm::Incidents, 0.5),
    ("secrets-rotator", Rhythm::Weekly(1, 10), 0.3),
    ("access-reviewer", Rhythm::Office, 0.5),
];

/// The incidents of the window: id, day (0 = Monday 2 November), start minute, minutes.
const INCIDENTS: &[(&str, i64, i64, i64)] = &[
    ("2291", 3, 13 * 60 + 10, 150),
    ("2304", 10, 2 * 60 + 20, 90),
    ("2317", 16, 10 * 60 + 5, 85),
];

/// The datasets an agent writes (it reads the others).
const WRITES: &[(&str, &str)] = &[
    ("warehouse-loader", "telemetry"),
    ("dbt-orchestrator", "analytics-marts"),
    ("pii-redactor", "customer-pii"),
    ("incident-commander", "incident-timeline"),
    ("month-end-closer", "general-ledger"),
    ("legacy-exporter", "customer-pii"),
];

/// Agents that still get credentials through a developer's session (MND-CRED-04 is not
/// enforced yet), unattested.
const HUMAN_SESSION: &[&str] = &["code-style-bot", "release-notes-writer"];

/// Grants an agent holds and never uses in the window (least-privilege findings).
const DORMANT: &[(&str, &str)] = &[
    ("dependency-updater", "jira.issue.create"),
    ("warehouse-loader", "claude-sonnet"),
];

/// The support agents whose tasks are Zendesk tickets.
const TICKET_AGENTS: &[&str] = &[
    "support-triage",
    "kb-answerer",
    "ticket-tagger",
    "sentiment-scorer",
];

/// How often a task with delegates hands work on, per agent (default 0.25).
const DELEGATION_RATE: &[(&str, f64)] = &[("faq-bot", 0.03), ("alert-router", 0.2)];

/// The incident commander's observability calls during an incident (before INC-2291's grant
/// they are outside its tools; the working copy's link permits them with step-up).
const OBSERVABILITY: &[&str] = &["datadog.logs.search", "datadog.monitor.mute"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    InvokeTool,
    ReadData,
    WriteData,
    InvokeModel,
    Delegate,
    RequestCredential,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::InvokeTool => "invoke_tool",
            Self::ReadData => "read_data",
            Self::WriteData => "write_data",
            Self::InvokeModel => "invoke_model",
            Self::Delegate => "delegate",
            Self::RequestCredential => "request_credential",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Agent,
    Tool,
    Dataset,
    Model,
}

/// A request's context, in the order production's gateway writes it.
#[derive(Debug, Clone, Default, Serialize)]
struct Context {
    env: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step_up_approved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delegation_depth: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuance_path: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attested: Option<bool>,
}

/// A planned request, before it has an id and a decision.
#[derive(Debug, Clone)]
struct Planned {
    ms: i64,
    principal: String,
    action: Action,
    kind: Kind,
    resource: String,
    context: Context,
    mistakes: u32,
}

#[derive(Serialize)]
struct Ref<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    time: &'a str,
    principal: Ref<'a>,
    action: Ref<'a>,
    resource: Ref<'a>,
    context: &'a Context,
}

/// An agent of the inventory as the planner uses it.
struct Actor<'a> {
    agent: &'a Agent,
    rhythm: Rhythm,
    weight: f64,
    tools: Vec<&'a str>,
    datasets: Vec<&'a str>,
    models: Vec<&'a str>,
    writes: Option<&'a str>,
    delegation_rate: f64,
}

/// The inventory's resources, for off-list picks and sensitivities.
struct World<'a> {
    actors: Vec<Actor<'a>>,
    by_id: HashMap<&'a str, usize>,
    tools: Vec<&'a str>,
    tool_system: HashMap<&'a str, &'a str>,
    tool_sensitive: HashMap<&'a str, bool>,
    tool_env: HashMap<&'a str, Environment>,
    datasets: Vec<&'a str>,
    dataset_env: HashMap<&'a str, Environment>,
    models: Vec<&'a str>,
}

impl<'a> World<'a> {
    fn new(inventory: &'a Inventory) -> Self {
        let mut actors = Vec::new();
        for record in &inventory.agents {
            let agent = &record.agent;
            let id = agent.id.as_str();
            let (rhythm, weight) = PROFILES
                .iter()
                .find(|(p, ..)| *p == id)
                .map(|(_, r, w)| (*r, *w))
                .unwrap_or(if agent.lifecycle == Lifecycle::Active {
                    (Rhythm::Office, 1.0)
                } else {
                    (Rhythm::Trials, 0.1)
                });
            let dormant = |r: &&str| !DORMANT.contains(&(id, *r));
            actors.push(Actor {
                agent,
                rhythm,
                weight,
                tools: agent
                    .tools
                    .iter()
                    .map(String::as_str)
                    .filter(dormant)
                    .collect(),
                datasets: agent
                    .datasets
                    .iter()
                    .map(String::as_str)
                    .filter(dormant)
                    .collect(),
                models: agent
                    .models
                    .iter()
                    .map(String::as_str)
                    .filter(dormant)
                    .collect(),
                writes: WRITES.iter().find(|(a, _)| *a == id).map(|(_, d)| *d),
                delegation_rate: DELEGATION_RATE
                    .iter()
                    .find(|(a, _)| *a == id)
                    .map_or(0.25, |(_, r)| *r),
            });
        }
        let by_id = actors
            .iter()
            .enumerate()
            .map(|(i, a)| (a.agent.id.as_str(), i))
            .collect();
        let res = &inventory.resources;
        Self {
            actors,
            by_id,
            tools: res.tools.iter().map(|t| t.id.as_str()).collect(),
            tool_system: res
                .tools
                .iter()
                .map(|t| (t.id.as_str(), t.system.as_str()))
                .collect(),
            tool_sensitive: res
                .tools
                .iter()
                .map(|t| {
                    (
                        t.id.as_str(),
                        matches!(t.sensitivity, RiskTier::High | RiskTier::Critical),
                    )
                })
                .collect(),
            tool_env: res
                .tools
                .iter()
                .map(|t| (t.id.as_str(), t.environment))
                .collect(),
            datasets: res.datasets.iter().map(|d| d.id.as_str()).collect(),
            dataset_env: res
                .datasets
                .iter()
                .map(|d| (d.id.as_str(), d.environment))
                .collect(),
            models: res.models.iter().map(|m| m.id.as_str()).collect(),
        }
    }
}

/// Hour weights of office work (UTC; Acme works from London and Lisbon).
const OFFICE_HOURS: [f64; 24] = [
    0.02, 0.02, 0.02, 0.02, 0.02, 0.05, 0.15, 0.45, 0.85, 1.0, 1.0, 0.95, 0.7, 0.9, 1.0, 0.95,
    0.85, 0.6, 0.35, 0.2, 0.12, 0.08, 0.05, 0.03,
];
/// Hour weights of around-the-clock work.
const ALWAYS_HOURS: [f64; 24] = [
    0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.7, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9,
    0.8, 0.7, 0.6, 0.55, 0.5,
];

/// Milliseconds since the epoch of the window's first instant.
fn window_start() -> i64 {
    let (y, m, d) = FIRST_DAY;
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

const MS_HOUR: i64 = 3_600_000;
const MS_DAY: i64 = 24 * MS_HOUR;

/// The planner: one ChaCha stream, the world, and the per-agent counters.
struct Planner<'w, 'a> {
    rng: ChaCha8Rng,
    world: &'w World<'a>,
    start: i64,
    office_days: WeightedIndex<f64>,
    office_hours: WeightedIndex<f64>,
    always_hours: WeightedIndex<f64>,
    incidents: WeightedIndex<f64>,
    task_counter: HashMap<&'a str, u32>,
    ticket: u32,
    out: Vec<Planned>,
}

impl<'w, 'a> Planner<'w, 'a> {
    fn new(world: &'w World<'a>, seed: u64) -> Result<Self, DemoError> {
        let weights = |w: &[f64]| {
            WeightedIndex::new(w.iter().copied()).map_err(|e| DemoError::Embedded {
                message: format!("bad weights: {e}"),
            })
        };
        let start = window_start();
        let days: Vec<f64> = (0..DAYS)
            .map(|d| if d % 7 >= 5 { 0.12 } else { 1.0 })
            .collect();
        let incidents: Vec<f64> = INCIDENTS.iter().map(|(.., m)| *m as f64).collect();
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            world,
            start,
            office_days: weights(&days)?,
            office_hours: weights(&OFFICE_HOURS)?,
            always_hours: weights(&ALWAYS_HOURS)?,
            incidents: weights(&incidents)?,
            task_counter: HashMap::new(),
            ticket: 480_000,
            out: Vec::new(),
        })
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn pick<'x>(&mut self, items: &[&'x str]) -> Option<&'x str> {
        items.choose(&mut self.rng).copied()
    }

    /// A start time for a task of this rhythm, and the incident it belongs to.
    fn start_time(&mut self, rhythm: Rhythm) -> (i64, Option<&'static str>) {
        let minute = |r: &mut ChaCha8Rng| r.random_range(0..MS_HOUR);
        match rhythm {
            Rhythm::Office => {
                let day = self.office_days.sample(&mut self.rng) as i64;
                let hour = self.office_hours.sample(&mut self.rng) as i64;
                (
                    self.start + day * MS_DAY + hour * MS_HOUR + minute(&mut self.rng),
                    None,
                )
            }
            Rhythm::Always => {
                if self.chance(0.15) {
                    return self.in_incident();
                }
                let day = self.rng.random_range(0..DAYS);
                let hour = self.always_hours.sample(&mut self.rng) as i64;
                (
                    self.start + day * MS_DAY + hour * MS_HOUR + minute(&mut self.rng),
                    None,
                )
            }
            Rhythm::Nightly(hour) | Rhythm::Daily(hour) => {
                let span = if matches!(rhythm, Rhythm::Nightly(_)) {
                    2 * MS_HOUR
                } else {
                    MS_HOUR
                };
                let day = self.rng.random_range(0..DAYS);
                (
                    self.start
                        + day * MS_DAY
                        + i64::from(hour) * MS_HOUR
                        + self.rng.random_range(0..span),
                    None,
                )
            }
            Rhythm::Weekly(weekday, hour) => {
                let week = self.rng.random_range(0..DAYS / 7);
                (
                    self.start
                        + (week * 7 + i64::from(weekday)) * MS_DAY
                        + i64::from(hour) * MS_HOUR
                        + self.rng.random_range(0..2 * MS_HOUR),
                    None,
                )
            }
            Rhythm::Incidents => {
                if self.chance(0.8) {
                    self.in_incident()
                } else {
                    self.start_time(Rhythm::Always)
                }
            }
            Rhythm::Cron(every, from) => {
                let every = i64::from(every.max(1));
                let slots = DAYS * 24 / every;
                let slot = self.rng.random_range(0..slots.max(1));
                (
                    self.start
                        + (slot * every + i64::from(from)) * MS_HOUR
                        + self.rng.random_range(0..90_000),
                    None,
                )
            }
            Rhythm::Trials => {
                let day = [1, 8, 15].choose(&mut self.rng).copied().unwrap_or(1);
                (
                    self.start
                        + day * MS_DAY
                        + 14 * MS_HOUR
                        + self.rng.random_range(0..3 * MS_HOUR),
                    None,
                )
            }
        }
    }

    fn in_incident(&mut self) -> (i64, Option<&'static str>) {
        let i = self.incidents.sample(&mut self.rng);
        let (id, day, from, minutes) = INCIDENTS.get(i).copied().unwrap_or(INCIDENTS[0]);
        let at = self.start
            + day * MS_DAY
            + from * 60_000
            + self.rng.random_range(0..minutes.max(1) * 60_000);
        (at, Some(id))
    }

    /// The next task id of an agent (`None` when the gateway dropped it).
    fn task_id(&mut self, agent: &'a str, incident: Option<&str>) -> (Option<String>, u32) {
        let n = self.task_counter.entry(agent).or_insert(0);
        *n += 1;
        let n = *n;
        if self.chance(rates::TASK_ID_MISSING) {
            return (None, Mistake::TaskIdMissing.bit());
        }
        let id = if let Some(inc) = incident {
            format!("inc-{inc}-{agent}-{n:03}")
        } else if agent == "billing-bot" {
            if self.chance(rates::REFUND_NO_TICKET) {
                return (
                    Some(format!("task-billing-bot-{n:05}")),
                    Mistake::RefundNoTicket.bit(),
                );
            }
            self.ticket += self.rng.random_range(1..40);
            format!("ticket-{:06}", self.ticket)
        } else if TICKET_AGENTS.contains(&agent) {
            self.ticket += self.rng.random_range(1..40);
            format!("zd-{:06}", self.ticket)
        } else {
            format!("task-{agent}-{n:05}")
        };
        (Some(id), 0)
    }

    /// One task of actor `a`; its requests are appended to `out`.
    fn task(&mut self, a: usize) {
        let world = self.world;
        let Some(actor) = world.actors.get(a) else {
            return;
        };
        let id = actor.agent.id.as_str();
        let (mut at, incident) = self.start_time(actor.rhythm);
        let (task_id, task_mistakes) = self.task_id(id, incident);
        let batch = matches!(
            actor.rhythm,
            Rhythm::Nightly(_) | Rhythm::Daily(_) | Rhythm::Weekly(..) | Rhythm::Cron(..)
        );
        let steps = if batch {
            self.rng.random_range(4..=9)
        } else if incident.is_some() {
            self.rng.random_range(3..=8)
        } else {
            self.rng.random_range(2..=6)
        };
        let mut ctx = Step {
            actor: a,
            task_id,
            mistakes: task_mistakes,
            depth: None,
        };
        // What the task is about: a credential for it first, as the broker sees it.
        let credential_rate = match actor.agent.risk_tier {
            RiskTier::Low => 0.3,
            RiskTier::Medium => 0.5,
            RiskTier::High => 0.8,
            RiskTier::Critical => 1.0,
        };
        if self.chance(credential_rate) {
            if let Some((kind, resource)) = self.grant(actor) {
                self.credential(&ctx, at, kind, resource);
                at += self.rng.random_range(200..2_000);
            }
        }
        for _ in 0..steps {
            self.step(&ctx, at, incident);
            at += self.gap(batch);
        }
        // Hand work on, sometimes; the delegate acts in the same task.
        let mut from = a;
        let mut depth = 0u32;
        while let Some(next) = self.delegation(from, depth) {
            depth += 1;
            let recorded = if self.chance(rates::DEEP_DELEGATION) {
                depth + self.rng.random_range(2..=3)
            } else {
                depth
            };
            let mut mistakes = ctx.mistakes;
            if recorded != depth {
                mistakes |= Mistake::DeepDelegation.bit();
            }
            let (target, off_list) = next;
            if off_list {
                mistakes |= Mistake::DelegateOffList.bit();
            }
            let Some(actor_from) = world.actors.get(from) else {
                break;
            };
            let mut context = self.base_context(actor_from.agent, &ctx.task_id);
            context.delegation_depth = Some(recorded);
            self.push(Planned {
                ms: at,
                principal: actor_from.agent.id.clone(),
                action: Action::Delegate,
                kind: Kind::Agent,
                resource: world
                    .actors
                    .get(target)
                    .map(|t| t.agent.id.clone())
                    .unwrap_or_default(),
                context,
                mistakes: mistakes | self.inactive(actor_from.agent),
            });
            at += self.rng.random_range(300..3_000);
            // Only an accepted delegation is acted on (as the inventory says it would be).
            let accepted = !off_list
                && world.actors.get(target).is_some_and(|t| {
                    t.agent.risk_tier.rank() <= actor_from.agent.risk_tier.rank()
                        && t.agent.lifecycle == Lifecycle::Active
                })
                && recorded <= 3;
            if !accepted {
                break;
            }
            ctx = Step {
                actor: target,
                task_id: ctx.task_id.clone(),
                mistakes: ctx.mistakes,
                depth: Some(recorded),
            };
            for _ in 0..self.rng.random_range(1..=3) {
                self.step(&ctx, at, incident);
                at += self.gap(false);
            }
            from = target;
            if depth >= 6 {
                break;
            }
        }
    }

    /// One of the agent's grants, tools most often: what a step uses or a credential is for.
    fn grant(&mut self, actor: &Actor<'a>) -> Option<(Kind, &'a str)> {
        let weights = [
            if actor.tools.is_empty() { 0.0 } else { 0.55 },
            if actor.datasets.is_empty() { 0.0 } else { 0.25 },
            if actor.models.is_empty() { 0.0 } else { 0.2 },
        ];
        let choice = WeightedIndex::new(weights).ok()?;
        match choice.sample(&mut self.rng) {
            0 => self.pick(&actor.tools).map(|t| (Kind::Tool, t)),
            1 => self.pick(&actor.datasets).map(|d| (Kind::Dataset, d)),
            _ => self.pick(&actor.models).map(|m| (Kind::Model, m)),
        }
    }

    /// Whether `from` delegates now, to whom, and whether that agent is off its list.
    fn delegation(&mut self, from: usize, depth: u32) -> Option<(usize, bool)> {
        let world = self.world;
        let actor = world.actors.get(from)?;
        if actor.agent.delegates.is_empty() {
            return None;
        }
        // The first hop at the agent's rate; further hops (the delegate delegating on)
        // less often.
        let rate = if depth == 0 {
            actor.delegation_rate
        } else {
            0.3
        };
        if !self.chance(rate) {
            return None;
        }
        if self.chance(rates::DELEGATE_OFF_LIST) {
            let others: Vec<&str> = world
                .actors
                .iter()
                .map(|x| x.agent.id.as_str())
                .filter(|x| *x != actor.agent.id && !actor.agent.delegates.iter().any(|d| d == x))
                .collect();
            let target = self.pick(&others)?;
            return world.by_id.get(target).map(|i| (*i, true));
        }
        let delegates: Vec<&str> = actor.agent.delegates.iter().map(String::as_str).collect();
        let target = self.pick(&delegates)?;
        world.by_id.get(target).map(|i| (*i, false))
    }

    fn gap(&mut self, batch: bool) -> i64 {
        if batch {
            self.rng.random_range(5_000..120_000)
        } else {
            self.rng.random_range(800..40_000)
        }
    }

    fn inactive(&self, agent: &Agent) -> u32 {
        if agent.lifecycle == Lifecycle::Active {
            0
        } else {
            Mistake::InactiveAgent.bit()
        }
    }

    fn base_context(&self, agent: &Agent, task_id: &Option<String>) -> Context {
        Context {
            env: agent.environment.as_str(),
            task_id: task_id.clone(),
            ..Context::default()
        }
    }

    /// One step of a task: a tool call, a dataset read or write, or a model call.
    fn step(&mut self, ctx: &Step, at: i64, incident: Option<&str>) {
        let world = self.world;
        let Some(actor) = world.actors.get(ctx.actor) else {
            return;
        };
        let agent = actor.agent;
        let Some((kind, grant)) = self.grant(actor) else {
            return;
        };
        let mut mistakes = ctx.mistakes | self.inactive(agent);
        let mut context = self.base_context(agent, &ctx.task_id);
        context.delegation_depth = ctx.depth;
        let (action, kind, resource) = match kind {
            Kind::Tool | Kind::Agent => {
                let mut tool = grant;
                let mut stepped_up = false;
                if incident.is_some() && agent.id == "incident-commander" && self.chance(0.3) {
                    // Dashboards and logs during an incident, approved by the incident's
                    // human commander (what INC-2291's grant later permitted).
                    tool = self.pick(OBSERVABILITY).unwrap_or(tool);
                    mistakes |= Mistake::ToolOffList.bit();
                    stepped_up = true;
                } else if self.chance(rates::TOOL_OFF_LIST) {
                    if let Some(other) = self.off_list_tool(&agent.tools, agent.environment) {
                        tool = other;
                        mistakes |= Mistake::ToolOffList.bit();
                    }
                }
                if stepped_up {
                    context.step_up_approved = Some(true);
                } else if world.tool_sensitive.get(tool).copied().unwrap_or(false) {
                    if self.chance(rates::STEP_UP_MISSING) {
                        mistakes |= Mistake::StepUpMissing.bit();
                    } else {
                        context.step_up_approved = Some(true);
                    }
                }
                if world
                    .tool_env
                    .get(tool)
                    .is_some_and(|e| *e != agent.environment)
                {
                    mistakes |= Mistake::EnvironmentCrossed.bit();
                }
                (Action::InvokeTool, Kind::Tool, tool)
            }
            Kind::Dataset => {
                let mut dataset = grant;
                let mut action = Action::ReadData;
                if actor.writes == Some(dataset) && self.chance(0.5) {
                    action = Action::WriteData;
                } else if self.chance(rates::DATASET_OFF_LIST) {
                    let others: Vec<&str> = world
                        .datasets
                        .iter()
                        .copied()
                        .filter(|d| !agent.datasets.iter().any(|x| x == d))
                        .filter(|d| world.dataset_env.get(d) == Some(&agent.environment))
                        .collect();
                    if let Some(d) = self.pick(&others) {
                        dataset = d;
                        mistakes |= Mistake::DatasetOffList.bit();
                    }
                }
                (action, Kind::Dataset, dataset)
            }
            Kind::Model => {
                let mut model = grant;
                if self.chance(rates::MODEL_OFF_LIST) {
                    let others: Vec<&str> = world
                        .models
                        .iter()
                        .copied()
                        .filter(|m| !agent.models.iter().any(|x| x == m))
                        .collect();
                    if let Some(m) = self.pick(&others) {
                        model = m;
                        mistakes |= Mistake::ModelOffList.bit();
                    }
                }
                (Action::InvokeModel, Kind::Model, model)
            }
        };
        self.push(Planned {
            ms: at,
            principal: agent.id.clone(),
            action,
            kind,
            resource: resource.to_owned(),
            context,
            mistakes,
        });
    }

    /// A tool outside `own`, of the agent's environment (now and then another's): a
    /// neighbour of the same system when there is one.
    fn off_list_tool(&mut self, own: &[String], env: Environment) -> Option<&'a str> {
        let world = self.world;
        let any_env = self.chance(0.1);
        let env_ok = |t: &&str| any_env || world.tool_env.get(t) == Some(&env);
        let systems: BTreeSet<&str> = own
            .iter()
            .filter_map(|t| world.tool_system.get(t.as_str()).copied())
            .collect();
        let outside = |t: &&str| !own.iter().any(|o| o == t);
        let neighbours: Vec<&'a str> = world
            .tools
            .iter()
            .copied()
            .filter(outside)
            .filter(env_ok)
            .filter(|t| {
                world
                    .tool_system
                    .get(t)
                    .is_some_and(|s| systems.contains(s))
            })
            .collect();
        if !neighbours.is_empty() && self.chance(0.8) {
            return self.pick(&neighbours);
        }
        let any: Vec<&'a str> = world
            .tools
            .iter()
            .copied()
            .filter(outside)
            .filter(env_ok)
            .collect();
        self.pick(&any)
    }

    /// A credential request for `resource`, as the broker recorded it.
    fn credential(&mut self, ctx: &Step, at: i64, kind: Kind, resource: &str) {
        let world = self.world;
        let Some(actor) = world.actors.get(ctx.actor) else {
            return;
        };
        let agent = actor.agent;
        let mut mistakes = ctx.mistakes | self.inactive(agent);
        let mut context = self.base_context(agent, &ctx.task_id);
        let max = agent.max_ttl_seconds.max(30);
        let ttl = *[max / 4, max / 2, max, max]
            .choose(&mut self.rng)
            .unwrap_or(&max);
        context.ttl_seconds = Some(ttl.max(15));
        if self.chance(rates::TTL_OVER) {
            context.ttl_seconds = Some(max * if self.chance(0.5) { 2 } else { 4 });
            mistakes |= Mistake::TtlOverCeiling.bit();
        } else if self.chance(rates::NO_TTL) {
            context.ttl_seconds = None;
            mistakes |= Mistake::NoTtl.bit();
        }
        if context.task_id.is_some() && self.chance(rates::CREDENTIAL_NO_TASK) {
            context.task_id = None;
            mistakes |= Mistake::CredentialNoTask.bit();
        } else if context.task_id.is_none() {
            mistakes |= Mistake::CredentialNoTask.bit();
        }
        let human = HUMAN_SESSION.contains(&agent.id.as_str());
        if human || self.chance(rates::HUMAN_PATH) {
            context.issuance_path = Some("human");
            mistakes |= Mistake::HumanPath.bit();
        } else {
            context.issuance_path = Some("workload");
        }
        let attested = if human {
            false
        } else if agent.attestation_required {
            !self.chance(rates::UNATTESTED)
        } else {
            true
        };
        if !attested && agent.attestation_required {
            mistakes |= Mistake::Unattested.bit();
        }
        context.attested = Some(attested);
        self.push(Planned {
            ms: at,
            principal: agent.id.clone(),
            action: Action::RequestCredential,
            kind,
            resource: resource.to_owned(),
            context,
            mistakes,
        });
    }

    /// Keeps a request recorded within the window (a task running past its end is cut off,
    /// as the recording was).
    fn push(&mut self, p: Planned) {
        if p.ms < self.start + DAYS * MS_DAY {
            self.out.push(p);
        }
    }
}

/// Who acts in a step and in which task.
struct Step {
    actor: usize,
    task_id: Option<String>,
    mistakes: u32,
    /// The delegation depth this agent acts at, when it was delegated to.
    depth: Option<u32>,
}

/// The planted patterns, at fixed times: a deny-retry burst, an unregistered agent, a tool
/// missing from the inventory and a three-hop delegation chain.
fn planted(start: i64) -> Vec<Planned> {
    let at = |day: i64, h: i64, m: i64, s: i64| {
        start + day * MS_DAY + h * MS_HOUR + m * 60_000 + s * 1_000
    };
    let ctx = |task: &str| Context {
        env: "prod",
        task_id: Some(task.to_owned()),
        ..Context::default()
    };
    let mut out = Vec::new();
    // faq-bot retries a refund it may not make, six times in under a minute (Tue 17th).
    for i in 0..6 {
        out.push(Planned {
            ms: at(15, 15, 42, 5 + i * 9),
            principal: "faq-bot".into(),
            action: Action::InvokeTool,
            kind: Kind::Tool,
            resource: "stripe.refund".into(),
            context: ctx("task-faq-bot-retry"),
            mistakes: Mistake::RetryBurst.bit() | Mistake::ToolOffList.bit(),
        });
    }
    // An agent nobody registered reads customer data at night (Thu 19th).
    for i in 0..3 {
        out.push(Planned {
            ms: at(17, 3, 12, i * 30),
            principal: "scraper-x".into(),
            action: Action::ReadData,
            kind: Kind::Dataset,
            resource: "customer-pii".into(),
            context: ctx("task-scraper-x-0000"),
            mistakes: Mistake::UnregisteredAgent.bit(),
        });
    }
    // A tool missing from the inventory (Tue 10th).
    out.push(Planned {
        ms: at(8, 11, 5, 0),
        principal: "deploy-bot".into(),
        action: Action::InvokeTool,
        kind: Kind::Tool,
        resource: "jenkins.job.run".into(),
        context: ctx("task-deploy-bot-jenkins"),
        mistakes: Mistake::UnknownResource.bit(),
    });
    // A refund handed on three hops deep (Fri 13th).
    for (i, (from, to, off_list)) in [
        ("faq-bot", "refund-approver", false),
        ("refund-approver", "billing-bot", true),
        ("billing-bot", "invoice-reconciler", true),
    ]
    .into_iter()
    .enumerate()
    {
        let depth = i as u32 + 1;
        let mut context = ctx("task-refund-chain");
        context.delegation_depth = Some(depth);
        out.push(Planned {
            ms: at(11, 16, 20, i as i64 * 20),
            principal: from.into(),
            action: Action::Delegate,
            kind: Kind::Agent,
            resource: to.into(),
            context,
            mistakes: if off_list {
                Mistake::DelegateOffList.bit()
            } else {
                0
            },
        });
    }
    out
}

/// The embedded demo, loaded for generation: its namespace, inventory, schema, entities and
/// the revision production ran.
pub struct Loaded {
    pub namespace: String,
    pub inventory: Inventory,
    pub schema: Schema,
    pub entities: Entities,
    pub previous: PolicySet,
}

/// Loads the embedded demo (any problem is a defect of the build).
pub fn load() -> Result<Loaded, DemoError> {
    let broken = |message: String| DemoError::Embedded { message };
    let config_text =
        file_text(crate::workspace::CONFIG_FILE).ok_or_else(|| broken("no mandate.toml".into()))?;
    let config = Config::parse(config_text).map_err(|d| broken(format!("mandate.toml: {d:?}")))?;
    let mut sources = crate::inventory::Sources::default();
    for (rel, text) in folder_texts("inventory/agents/") {
        if rel.ends_with(".toml") {
            sources
                .agents
                .push((format!("inventory/agents/{rel}"), text.to_owned()));
        }
    }
    sources.people = file_text(crate::inventory::PEOPLE_FILE).map(str::to_owned);
    sources.resources = file_text(crate::inventory::RESOURCES_FILE).map(str::to_owned);
    let (inventory, problems) = crate::inventory::load_sources(sources);
    let errors: Vec<String> = problems
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
        .collect();
    if !errors.is_empty() {
        return Err(broken(format!("the inventory: {}", errors.join("; "))));
    }
    let schema_text = crate::model::schema_text(&config, file_text(crate::workspace::SCHEMA_FILE))
        .ok_or_else(|| broken("no schema".into()))?;
    let schema = Schema::from_cedarschema_str(&schema_text)
        .map_err(|e| broken(format!("the schema: {e}")))?
        .0;
    let entities =
        Entities::from_json_value(crate::model::entities(&inventory, &config), Some(&schema))
            .map_err(|e| broken(format!("the entities: {e}")))?;
    let prefix = format!("{PREVIOUS_REVISION}/");
    let mut policies = crate::policy::Sources::default();
    for (rel, text) in folder_texts(&prefix) {
        if rel == "links.toml" {
            policies.links = Some(text.to_owned());
        } else if rel.ends_with(".cedar") {
            policies
                .files
                .push((format!("{prefix}{rel}"), text.to_owned()));
        }
    }
    let report = crate::policy::Checker::default().check(
        policies,
        &crate::policy::Settings {
            schema: Some(&schema_text),
            max_deref_level: config.validation.max_deref_level,
            namespace: Some(&config.namespace),
        },
    );
    if report.error_count() > 0 {
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
            .collect();
        return Err(broken(format!(
            "{PREVIOUS_REVISION}: {}",
            errors.join("; ")
        )));
    }
    Ok(Loaded {
        namespace: config.namespace.clone(),
        inventory,
        schema,
        entities,
        previous: report.set,
    })
}

/// Plans `requests` records (sorted by time, without ids or decisions).
fn plan(inventory: &Inventory, opts: Options) -> Result<Vec<Planned>, DemoError> {
    let world = World::new(inventory);
    let mut planner = Planner::new(&world, opts.seed)?;
    let fixed = planted(planner.start);
    let fixed = if opts.requests >= fixed.len() * 2 {
        fixed
    } else {
        Vec::new()
    };
    let target = opts.requests - fixed.len();
    let weights: Vec<f64> = world.actors.iter().map(|a| a.weight.max(0.0)).collect();
    let agents = WeightedIndex::new(weights).map_err(|e| DemoError::Embedded {
        message: format!("no agent to generate traffic for: {e}"),
    })?;
    // Every agent works at least once when there is room for it, so the quietest (a draft
    // tried twice a week) is in the traffic whatever the seed.
    if target >= world.actors.len() * 20 {
        for a in 0..world.actors.len() {
            planner.task(a);
        }
    }
    let mut idle = 0;
    while planner.out.len() < target {
        let before = planner.out.len();
        let a = agents.sample(&mut planner.rng);
        planner.task(a);
        // An inventory whose agents can do nothing would never fill the count.
        idle = if planner.out.len() == before {
            idle + 1
        } else {
            0
        };
        if idle > 10_000 {
            return Err(DemoError::Embedded {
                message: "no agent of the inventory has a tool, dataset or model to use".into(),
            });
        }
    }
    let mut out = planner.out;
    out.truncate(target);
    out.extend(fixed);
    // Stable: requests at the same millisecond keep their planned order.
    out.sort_by_key(|p| p.ms);
    Ok(out)
}

/// Generates the traffic: plans the records, decides each with the revision production ran,
/// flips a few as drift, and writes them as JSON Lines to `out` (`label` names it in errors).
pub fn generate(
    loaded: &Loaded,
    opts: Options,
    out: &mut dyn Write,
    label: &str,
) -> Result<Summary, DemoError> {
    if opts.requests == 0 || opts.requests > MAX_REQUESTS {
        return Err(DemoError::Argument {
            what: "--requests",
            value: opts.requests.to_string(),
        });
    }
    let planned = plan(&loaded.inventory, opts)?;
    let ns = &loaded.namespace;
    let types = [
        format!("{ns}::Agent"),
        format!("{ns}::Tool"),
        format!("{ns}::Dataset"),
        format!("{ns}::Model"),
    ];
    let action_type = format!("{ns}::Action");
    let type_of = |k: Kind| match k {
        Kind::Agent => &types[0],
        Kind::Tool => &types[1],
        Kind::Dataset => &types[2],
        Kind::Model => &types[3],
    };
    let width = if planned.len() > 1_000_000 { 7 } else { 6 };
    let mut lines = Vec::with_capacity(planned.len());
    let mut times = Vec::with_capacity(planned.len());
    for (n, p) in planned.iter().enumerate() {
        let id = format!("req-{n:0width$}");
        let time = DateTime::<Utc>::from_timestamp_millis(p.ms)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let line = Line {
            id: &id,
            time: &time,
            principal: Ref {
                ty: &types[0],
                id: &p.principal,
            },
            action: Ref {
                ty: &action_type,
                id: p.action.as_str(),
            },
            resource: Ref {
                ty: type_of(p.kind),
                id: &p.resource,
            },
            context: &p.context,
        };
        let text = serde_json::to_string(&line).map_err(|e| DemoError::Embedded {
            message: format!("a record does not serialise: {e}"),
        })?;
        lines.push(text);
        times.push(time);
    }
    let allowed = decide(loaded, &lines)?;
    let mut drift = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x00d1_f7ed_5eed);
    let mut summary = Summary {
        requests: lines.len() as u64,
        seed: opts.seed,
        first: times.first().cloned().unwrap_or_default(),
        last: times.last().cloned().unwrap_or_default(),
        ..Summary::default()
    };
    let write_err = |e: std::io::Error| DemoError::Write {
        path: label.to_owned(),
        message: e.to_string(),
    };
    for (text, allow) in lines.iter().zip(&allowed) {
        let mut allow = *allow;
        if drift.random_bool(rates::DRIFT) {
            allow = !allow;
            summary.drifted += 1;
        }
        if allow {
            summary.allowed += 1;
        } else {
            summary.denied += 1;
        }
        // The record's closing brace, then what production decided.
        let body = text.strip_suffix('}').unwrap_or(text);
        let decision = if allow { "allow" } else { "deny" };
        writeln!(out, "{body},\"decision\":\"{decision}\"}}").map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    let mut principals = BTreeSet::new();
    let mut tasks = BTreeSet::new();
    let mut mistakes = BTreeMap::new();
    for p in &planned {
        principals.insert(p.principal.as_str());
        if let Some(t) = &p.context.task_id {
            tasks.insert(t.as_str());
        }
        for m in Mistake::ALL {
            if p.mistakes & m.bit() != 0 {
                *mistakes.entry(m.code().to_owned()).or_insert(0) += 1;
            }
        }
    }
    summary.agents = principals.len() as u64;
    summary.tasks = tasks.len() as u64;
    summary.mistakes = mistakes;
    Ok(summary)
}

/// Evaluates every record against the revision production ran: `true` where it allowed.
fn decide(loaded: &Loaded, lines: &[String]) -> Result<Vec<bool>, DemoError> {
    use crate::replay::simulate::{Replayer, ResultItem};
    let mut allowed = vec![false; lines.len()];
    let mut seen = 0usize;
    let mut each = |item: &ResultItem<'_>| -> std::io::Result<()> {
        let i = usize::try_from(item.line)
            .unwrap_or(usize::MAX)
            .wrapping_sub(1);
        if let Some(slot) = allowed.get_mut(i) {
            *slot = item.result.baseline.decision == "allow";
            seen += 1;
        }
        Ok(())
    };
    let broken = |e: crate::replay::simulate::SimulateError| DemoError::Embedded {
        message: format!("the generated records do not replay: {e}"),
    };
    let mut replayer = Replayer::new(
        &loaded.schema,
        &loaded.entities,
        &loaded.previous,
        &loaded.previous,
        &loaded.namespace,
        &mut each,
    )
    .map_err(broken)?;
    for (n, text) in lines.iter().enumerate() {
        replayer.text(n as u64 + 1, text).map_err(broken)?;
    }
    let done = replayer.finish().map_err(broken)?;
    if done.summary.skipped > 0 {
        let first = done
            .summary
            .errors
            .first()
            .map(|e| format!("line {}: {}", e.line, e.message))
            .unwrap_or_default();
        return Err(DemoError::Embedded {
            message: format!(
                "{} generated record(s) do not decode, first {first}",
                done.summary.skipped
            ),
        });
    }
    if seen != lines.len() {
        return Err(DemoError::Embedded {
            message: format!("{} of {} records were decided", seen, lines.len()),
        });
    }
    Ok(allowed)
}

#[cfg(test)]
#[path = "traffic_tests.rs"]
mod tests;
