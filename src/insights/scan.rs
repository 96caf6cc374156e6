//! The streaming pass of `mandate insights`: one call of [`Scan::add`] per stored request,
//! tallies only, then [`Scan::finish`] turns the tallies into findings and charts.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use cedar_policy::PolicySet;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{
    control_of, Activity, AgentActivity, AgentSeries, Bucket, CodeCount, FieldCoverage, Finding,
    Fix, InsightsReport, Level, Logging, SubjectKind, ToolUse,
};
use crate::inventory::Inventory;
use crate::inventory::{Agent, Classification, Environment, Lifecycle, RiskTier};
use crate::store::TrafficRow;
use crate::workspace::{InsightsConfig, TtlCeilings};

/// What a scan joins the traffic with.
pub struct ScanInputs<'a> {
    pub set: &'a str,
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub inventory: &'a Inventory,
    pub ceilings: TtlCeilings,
    pub thresholds: InsightsConfig,
    /// Agent id → when it entered its current lifecycle state (RFC 3339), from the audit
    /// log; an inactive agent's requests before that time are not findings.
    pub lifecycle_since: HashMap<String, String>,
    /// Context fields the policies read ([`context_fields`]).
    pub context_fields: Vec<ContextField>,
}

/// A context field the policies read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextField {
    pub name: String,
    /// Ids of the policies reading it.
    pub read_by: Vec<String>,
    /// The actions those policies apply to (`None`: any action); only requests of these
    /// actions are expected to carry the field.
    pub actions: Option<BTreeSet<String>>,
    /// Every reading policy tests `context has NAME` first: the field is optional by design.
    pub optional: bool,
}

/// Most examples a finding keeps.
const EXAMPLES: usize = 5;
/// Agents drawn in the activity chart.
const CHART_AGENTS: usize = 8;
/// Tools listed as the most used.
const TOP_TOOLS: usize = 20;
/// Tasks listed in a chain finding; the rest are counted.
const TASKS_LISTED: usize = 20;
const HOUR_MS: i64 = 3_600_000;

/// Resource kinds of the agent-governance schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Tool = 0,
    Dataset = 1,
    Model = 2,
    Agent = 3,
    Other = 4,
}

impl Kind {
    fn of(entity_type: &str) -> Self {
        match entity_type.rsplit("::").next().unwrap_or(entity_type) {
            "Tool" => Self::Tool,
            "Dataset" => Self::Dataset,
            "Model" => Self::Model,
            "Agent" => Self::Agent,
            _ => Self::Other,
        }
    }

    fn subject(self) -> SubjectKind {
        match self {
            Self::Tool => SubjectKind::Tool,
            Self::Dataset => SubjectKind::Dataset,
            Self::Model => SubjectKind::Model,
            Self::Agent | Self::Other => SubjectKind::Agent,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::Dataset => "dataset",
            Self::Model => "model",
            Self::Agent => "agent",
            Self::Other => "resource",
        }
    }
}

/// Strings seen in the traffic, each stored once and named by a small number.
#[derive(Default)]
struct Names {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.ids.insert(name.into(), id);
        self.names.push(name.into());
        id
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }
}

/// A resource as the scan names it: its kind and its id among that kind's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Res {
    kind: Kind,
    id: u32,
}

/// What the inventory says of a resource.
#[derive(Debug, Clone, Copy, Default)]
struct ResInfo {
    known: bool,
    /// The tool's system, among [`Scan::systems`].
    system: Option<u32>,
    environment: Option<Environment>,
    /// 1 (low / public) … 4 (critical / restricted).
    sensitivity: Option<u8>,
}

/// Requests behind one finding.
#[derive(Default)]
struct Tally {
    count: u64,
    allowed: u64,
    denied: u64,
    first: Option<i64>,
    last: Option<i64>,
    examples: Vec<String>,
    /// Policies that allowed the requests (recorded reasons), up to five.
    policies: BTreeSet<String>,
    /// The largest value seen (a TTL, a depth).
    max: i64,
    /// Distinct related names (e.g. the tasks a deep delegation was seen in).
    items: Vec<String>,
}

impl Tally {
    fn add(&mut self, row: &TrafficRow<'_>, ms: Option<i64>, allowed: bool) {
        self.count += 1;
        if let Some(t) = ms {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        if self.examples.len() < EXAMPLES {
            self.examples.push(request_id(row));
        }
        self.denied += u64::from(row.decision == Some("deny"));
        if allowed {
            self.allowed += 1;
            if self.policies.len() < EXAMPLES {
                if let Some(reasons) = row.reasons {
                    let ids: Vec<String> = serde_json::from_str(reasons).unwrap_or_default();
                    for id in ids {
                        if self.policies.len() < EXAMPLES {
                            self.policies.insert(id);
                        }
                    }
                }
            }
        }
    }
}

/// Which tally: a code and what it is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Unregistered(u32),
    Inactive(u32),
    /// Agent, resource outside its declared lists.
    Scope(u32, Res),
    Unknown(Res),
    DepthAgent(u32),
    Ttl(u32),
    Unattested(u32),
    MissingTask(u32),
}

/// One agent as seen in the traffic.
struct AgentSeen<'a> {
    inv: Option<&'a Agent>,
    requests: u64,
    denies: u64,
    first: Option<i64>,
    last: Option<i64>,
    resources: HashSet<Res>,
}

/// One task as seen in the traffic.
#[derive(Default)]
struct TaskSeen {
    count: u64,
    agents: Vec<u32>,
    systems: Vec<u32>,
    /// Bit per environment: dev 1, test 2, prod 4, other 8.
    environments: u8,
    /// Per sensitivity rank 1..=4: earliest and latest time a step of that rank was seen.
    rank_first: [Option<i64>; 5],
    rank_last: [Option<i64>; 5],
    /// `delegate` hops: (from agent, to agent), agent names.
    hops: Vec<(u32, u32)>,
    first: Option<i64>,
    last: Option<i64>,
    /// The task's first request id.
    example: Option<Box<str>>,
    agent: u32,
}

/// The streaming pass. Feed every row with [`Scan::add`], then [`Scan::finish`].
pub struct Scan<'a> {
    inputs: ScanInputs<'a>,
    agents_by_id: HashMap<&'a str, &'a Agent>,
    agent_names: Names,
    agents: Vec<AgentSeen<'a>>,
    res_names: [Names; 5],
    res_info: HashMap<Res, ResInfo>,
    actions: Names,
    systems: Names,
    task_names: Names,
    tasks: Vec<TaskSeen>,
    tallies: HashMap<Key, Tally>,
    /// (agent, action, resource) requested at least once.
    used: HashSet<(u32, u32, Res)>,
    /// Denied requests by (agent, action, resource): time and request id.
    denied: HashMap<(u32, u32, Res), Vec<(i64, String)>>,
    hours: BTreeMap<i64, (u64, u64)>,
    agent_hours: HashMap<(u32, i64), u64>,
    tools: HashMap<u32, (u64, u64)>,
    requests: u64,
    denies: u64,
    untimed: u64,
    other_principals: u64,
    first: Option<i64>,
    last: Option<i64>,
    with_task: u64,
    with_time: u64,
    with_decision: u64,
    with_context: u64,
    /// Per context field: requests of the actions its policies apply to, and of those the
    /// ones carrying it.
    field_relevant: Vec<u64>,
    field_present: Vec<u64>,
}

impl<'a> Scan<'a> {
    pub fn new(inputs: ScanInputs<'a>) -> Self {
        let inv = inputs.inventory;
        let agents_by_id = inv
            .agents
            .iter()
            .map(|a| (a.agent.id.as_str(), &a.agent))
            .collect();
        let fields = inputs.context_fields.len();
        let mut scan = Self {
            inputs,
            agents_by_id,
            agent_names: Names::default(),
            agents: Vec::new(),
            res_names: Default::default(),
            res_info: HashMap::new(),
            actions: Names::default(),
            systems: Names::default(),
            task_names: Names::default(),
            tasks: Vec::new(),
            tallies: HashMap::new(),
            used: HashSet::new(),
            denied: HashMap::new(),
            hours: BTreeMap::new(),
            agent_hours: HashMap::new(),
            tools: HashMap::new(),
            requests: 0,
            denies: 0,
            untimed: 0,
            other_principals: 0,
            first: None,
            last: None,
            with_task: 0,
            with_time: 0,
            with_decision: 0,
            with_context: 0,
            field_relevant: vec![0; fields],
            field_present: vec![0; fields],
        };
        scan.index_inventory();
        scan
    }

    /// Files every inventory resource (and agent, as a delegation target) as known.
    fn index_inventory(&mut self) {
        let inv = self.inputs.inventory;
        for t in &inv.resources.tools {
            let system = Some(self.systems.id(&t.system));
            let info = ResInfo {
                known: true,
                system,
                environment: Some(t.environment),
                sensitivity: Some(rank_of_tier(t.sensitivity)),
            };
            let r = self.res(Kind::Tool, &t.id);
            self.res_info.insert(r, info);
        }
        for d in &inv.resources.datasets {
            let info = ResInfo {
                known: true,
                system: None,
                environment: Some(d.environment),
                sensitivity: Some(rank_of_class(d.classification)),
            };
            let r = self.res(Kind::Dataset, &d.id);
            self.res_info.insert(r, info);
        }
        for m in &inv.resources.models {
            let r = self.res(Kind::Model, &m.id);
            self.res_info.insert(
                r,
                ResInfo {
                    known: true,
                    ..ResInfo::default()
                },
            );
        }
        for a in &inv.agents {
            let r = self.res(Kind::Agent, &a.agent.id);
            self.res_info.insert(
                r,
                ResInfo {
                    known: true,
                    environment: Some(a.agent.environment),
                    ..ResInfo::default()
                },
            );
        }
    }

    fn res(&mut self, kind: Kind, id: &str) -> Res {
        let names = &mut self.res_names[kind as usize];
        Res {
            kind,
            id: names.id(id),
        }
    }

    fn res_name(&self, r: Res) -> &str {
        self.res_names[r.kind as usize].name(r.id)
    }

    fn agent(&mut self, id: &str) -> u32 {
        let aid = self.agent_names.id(id);
        while self.agents.len() <= aid as usize {
            let name = self.agent_names.name(self.agents.len() as u32);
            let inv = self.agents_by_id.get(name).copied();
            self.agents.push(AgentSeen {
                inv,
                requests: 0,
                denies: 0,
                first: None,
                last: None,
                resources: HashSet::new(),
            });
        }
        aid
    }

    fn tally(&mut self, key: Key, row: &TrafficRow<'_>, ms: Option<i64>, allowed: bool) {
        self.tallies.entry(key).or_default().add(row, ms, allowed);
    }

    /// Whether `agent` requested `action` on the resource in the window.
    pub fn used(&self, agent: &str, action: &str, resource_type: &str, resource: &str) -> bool {
        let kind = Kind::of(resource_type);
        let (Some(&a), Some(&act), Some(&r)) = (
            self.agent_names.ids.get(agent),
            self.actions.ids.get(action),
            self.res_names[kind as usize].ids.get(resource),
        ) else {
            return false;
        };
        self.used.contains(&(a, act, Res { kind, id: r }))
    }

    /// One stored request.
    pub fn add(&mut self, row: &TrafficRow<'_>) {
        let ms = row.time.and_then(millis);
        let allowed = row.decision == Some("allow");
        let denied = row.decision == Some("deny");
        self.requests += 1;
        self.denies += u64::from(denied);
        match ms {
            Some(t) => {
                self.first = Some(self.first.map_or(t, |f| f.min(t)));
                self.last = Some(self.last.map_or(t, |l| l.max(t)));
                let hour = self.hours.entry(t.div_euclid(HOUR_MS)).or_default();
                hour.0 += 1;
                hour.1 += u64::from(denied);
                self.with_time += 1;
            }
            None => self.untimed += 1,
        }
        self.with_decision += u64::from(row.decision.is_some());
        let context = match row.context {
            Some(text) => {
                self.with_context += 1;
                parse_context(text, &self.inputs.context_fields)
            }
            None => Context::default(),
        };
        for (i, field) in self.inputs.context_fields.iter().enumerate() {
            if field
                .actions
                .as_ref()
                .is_none_or(|a| a.contains(row.action_id))
            {
                self.field_relevant[i] += 1;
                self.field_present[i] += u64::from(context.present.get(i) == Some(&true));
            }
        }
        // The task: beside the request, else in its context.
        let task_id: Option<&str> = row.task_id.or(context.task_id.as_deref());
        self.with_task += u64::from(task_id.is_some());

        if Kind::of(row.principal_type) != Kind::Agent {
            self.other_principals += 1;
            return;
        }
        let aid = self.agent(row.principal_id);
        let action = self.actions.id(row.action_id);
        let kind = Kind::of(row.resource_type);
        let res = self.res(kind, row.resource_id);
        let info = self.res_info.get(&res).copied().unwrap_or_default();
        let inv = {
            let seen = &mut self.agents[aid as usize];
            seen.requests += 1;
            seen.denies += u64::from(denied);
            if let Some(t) = ms {
                seen.first = Some(seen.first.map_or(t, |f| f.min(t)));
                seen.last = Some(seen.last.map_or(t, |l| l.max(t)));
            }
            seen.resources.insert(res);
            seen.inv
        };
        if let Some(t) = ms {
            *self
                .agent_hours
                .entry((aid, t.div_euclid(HOUR_MS)))
                .or_default() += 1;
        }
        if kind == Kind::Tool {
            let tool = self.tools.entry(res.id).or_default();
            tool.0 += 1;
            tool.1 += u64::from(denied);
        }
        self.used.insert((aid, action, res));
        if denied {
            if let Some(t) = ms {
                self.denied
                    .entry((aid, action, res))
                    .or_default()
                    .push((t, request_id(row)));
            }
        }

        // Shadow principals.
        match inv {
            None => self.tally(Key::Unregistered(aid), row, ms, allowed),
            Some(agent) if agent.lifecycle != Lifecycle::Active => {
                let since = self.inputs.lifecycle_since.get(&agent.id);
                let before = match (since, row.time) {
                    (Some(since), Some(time)) => time < since.as_str(),
                    _ => false,
                };
                if !before {
                    self.tally(Key::Inactive(aid), row, ms, allowed);
                }
            }
            Some(_) => {}
        }

        // Scope: declared lists, and resources the inventory does not know.
        if kind != Kind::Other {
            if !info.known {
                self.tally(Key::Unknown(res), row, ms, allowed);
            } else if let Some(agent) = inv {
                let declared = match kind {
                    Kind::Tool => &agent.tools,
                    Kind::Dataset => &agent.datasets,
                    Kind::Model => &agent.models,
                    Kind::Agent | Kind::Other => &agent.delegates,
                };
                let self_target = kind == Kind::Agent && row.resource_id == agent.id;
                if !self_target && !declared.iter().any(|d| d == row.resource_id) {
                    self.tally(Key::Scope(aid, res), row, ms, allowed);
                }
            }
        }

        // Credential hygiene.
        if let (Some(ttl), Some(agent)) = (context.ttl_seconds, inv) {
            let limit = agent_ttl_limit(agent, self.inputs.ceilings);
            if ttl > i64::try_from(limit).unwrap_or(i64::MAX) {
                self.tally(Key::Ttl(aid), row, ms, allowed);
                if let Some(t) = self.tallies.get_mut(&Key::Ttl(aid)) {
                    t.max = t.max.max(ttl);
                }
            }
        }
        if row.action_id == "request_credential" && context.attested != Some(true) {
            self.tally(Key::Unattested(aid), row, ms, allowed);
        }

        // Delegation depth carried by the request.
        let max_depth = i64::from(self.inputs.thresholds.max_delegation_depth);
        if let Some(depth) = context.delegation_depth.filter(|d| *d > max_depth) {
            let key = Key::DepthAgent(aid);
            self.tally(key, row, ms, allowed);
            if let Some(t) = self.tallies.get_mut(&key) {
                t.max = t.max.max(depth);
                if let Some(task) = task_id {
                    if t.items.len() < EXAMPLES && !t.items.iter().any(|i| i == task) {
                        t.items.push(task.to_owned());
                    }
                }
            }
        }

        // Tasks.
        match task_id {
            None => self.tally(Key::MissingTask(aid), row, ms, allowed),
            Some(task) => {
                let tid = self.task_names.id(task) as usize;
                let system = info.system;
                let target = (kind == Kind::Agent && row.action_id == "delegate")
                    .then(|| self.agent_names.id(row.resource_id));
                let env = info
                    .environment
                    .map(env_bit)
                    .or_else(|| context.env.map(|e| 1u8 << e));
                while self.tasks.len() <= tid {
                    self.tasks.push(TaskSeen::default());
                }
                let task = &mut self.tasks[tid];
                if task.count == 0 {
                    task.agent = aid;
                }
                task.count += 1;
                if !task.agents.contains(&aid) {
                    task.agents.push(aid);
                }
                if let Some(s) = system.filter(|s| !task.systems.contains(s)) {
                    task.systems.push(s);
                }
                task.environments |= env.unwrap_or(0);
                if let (Some(rank), Some(t)) = (info.sensitivity, ms) {
                    let r = rank as usize;
                    task.rank_first[r] = Some(task.rank_first[r].map_or(t, |f| f.min(t)));
                    task.rank_last[r] = Some(task.rank_last[r].map_or(t, |l| l.max(t)));
                }
                if let Some(to) = target {
                    if !task.hops.contains(&(aid, to)) {
                        task.hops.push((aid, to));
                    }
                }
                if let Some(t) = ms {
                    task.first = Some(task.first.map_or(t, |f| f.min(t)));
                    task.last = Some(task.last.map_or(t, |l| l.max(t)));
                }
                if task.example.is_none() {
                    task.example = Some(request_id(row).into_boxed_str());
                }
            }
        }
    }

    /// The findings, charts and tallies; `extra` are findings computed beside the scan (the
    /// unused grants) and `notes` what could not be analysed.
    pub fn finish(self, extra: Vec<Finding>, notes: Vec<String>) -> InsightsReport {
        let mut findings = extra;
        findings.extend(
            self.tallies
                .iter()
                .filter_map(|(key, tally)| self.finding(*key, tally)),
        );
        findings.extend(self.scope_findings());
        findings.extend(self.burst_findings());
        findings.extend(self.task_findings());
        let logging = self.logging();
        if let Some(f) = self.logging_finding(&logging) {
            findings.push(f);
        }
        findings.sort_by(|a, b| {
            b.level
                .cmp(&a.level)
                .then_with(|| a.code.cmp(&b.code))
                .then_with(|| a.subject.cmp(&b.subject))
                .then_with(|| a.title.cmp(&b.title))
        });
        let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
        for f in &findings {
            *by_code.entry(f.code.as_str()).or_default() += 1;
        }
        let by_code = by_code
            .into_iter()
            .map(|(code, findings)| CodeCount {
                code: code.to_owned(),
                findings,
            })
            .collect();
        InsightsReport {
            set: self.inputs.set.to_owned(),
            since: self.inputs.since.map(str::to_owned),
            until: self.inputs.until.map(str::to_owned),
            requests: self.requests,
            denies: self.denies,
            agents: self.agents.len() as u64,
            tasks: self.task_names.names.len() as u64,
            other_principals: self.other_principals,
            first_seen: self.first.map(rfc3339),
            last_seen: self.last.map(rfc3339),
            findings: findings.clone(),
            by_code,
            logging,
            activity: self.activity(),
            agent_activity: self.agent_activity(),
            top_tools: self.top_tools(),
            thresholds: self.inputs.thresholds,
            notes,
        }
    }

    fn agent_name(&self, aid: u32) -> &str {
        self.agent_names.name(aid)
    }

    /// The inventory agent of `aid`, its file and team.
    fn agent_file(&self, aid: u32) -> (Option<String>, Option<String>) {
        let name = self.agent_name(aid);
        let record = self
            .inputs
            .inventory
            .agents
            .iter()
            .find(|a| a.agent.id == name);
        (
            record.map(|a| a.file.clone()),
            record.map(|a| a.agent.owner_team.clone()),
        )
    }

    fn base(&self, code: &str, level: Level, aid: Option<u32>, tally: &Tally) -> Finding {
        let (agent, team) = match aid {
            Some(a) => (Some(self.agent_name(a).to_owned()), self.agent_file(a).1),
            None => (None, None),
        };
        Finding {
            code: code.to_owned(),
            level,
            title: String::new(),
            subject_kind: SubjectKind::Agent,
            subject: agent.clone().unwrap_or_default(),
            agent,
            team,
            count: tally.count,
            allowed: tally.allowed,
            denied: tally.denied,
            first_seen: tally.first.map(rfc3339),
            last_seen: tally.last.map(rfc3339),
            examples: tally.examples.clone(),
            items: Vec::new(),
            tasks: Vec::new(),
            fix: Fix {
                kind: "inventory".into(),
                file: None,
                field: None,
                policies: tally.policies.iter().cloned().collect(),
                control: control_of(code).map(str::to_owned),
                hint: String::new(),
            },
        }
    }

    fn finding(&self, key: Key, t: &Tally) -> Option<Finding> {
        let allowed_note = |t: &Tally| {
            if t.allowed > 0 {
                format!(", {} allowed", t.allowed)
            } else {
                String::new()
            }
        };
        match key {
            Key::Unregistered(aid) => {
                let name = self.agent_name(aid);
                let mut f = self.base(
                    "shadow.unregistered",
                    if t.allowed > 0 {
                        Level::Critical
                    } else {
                        Level::High
                    },
                    Some(aid),
                    t,
                );
                f.title = format!(
                    "agent `{name}` is not in the inventory but made {} request(s){}",
                    t.count,
                    allowed_note(t)
                );
                f.fix.file = Some(format!("inventory/agents/{name}.toml"));
                f.fix.hint = format!(
                    "register `{name}` with an owner team and an accountable human (`mandate agents add`), or revoke the identity it acts with"
                );
                Some(f)
            }
            Key::Inactive(aid) => {
                let name = self.agent_name(aid);
                let agent = self.agents[aid as usize].inv;
                let lifecycle = agent.map_or("unknown", |a| a.lifecycle.as_str());
                let stopped = matches!(
                    agent.map(|a| a.lifecycle),
                    Some(Lifecycle::Suspended | Lifecycle::Retired)
                );
                let level = match (stopped, t.allowed > 0) {
                    (true, true) => Level::Critical,
                    (true, false) | (false, true) => Level::High,
                    (false, false) => Level::Medium,
                };
                let mut f = self.base("shadow.inactive", level, Some(aid), t);
                let since = self
                    .inputs
                    .lifecycle_since
                    .get(name)
                    .map(|s| format!(" since {s}"))
                    .unwrap_or_default();
                f.title = format!(
                    "agent `{name}` is {lifecycle}{since} yet made {} request(s){}",
                    t.count,
                    allowed_note(t)
                );
                f.fix.file = self.agent_file(aid).0;
                f.fix.field = Some("lifecycle".into());
                f.fix.hint = if t.allowed > 0 {
                    "revoke the agent's credentials, and make the lifecycle policy deny agents that are not active".into()
                } else {
                    "the policies denied it; revoke the agent's credentials so it stops trying"
                        .into()
                };
                Some(f)
            }
            // Grouped per agent and kind by `scope_findings`.
            Key::Scope(..) => None,
            Key::Unknown(res) => {
                let target = self.res_name(res);
                let mut f = self.base(
                    "scope.unknown_resource",
                    if t.allowed > 0 {
                        Level::High
                    } else {
                        Level::Medium
                    },
                    None,
                    t,
                );
                f.subject_kind = res.kind.subject();
                f.subject = target.to_owned();
                f.title = format!(
                    "{} `{target}` is not in the inventory but was named in {} request(s){}",
                    res.kind.noun(),
                    t.count,
                    allowed_note(t)
                );
                f.fix.file = Some(if res.kind == Kind::Agent {
                    format!("inventory/agents/{target}.toml")
                } else {
                    "inventory/resources.toml".into()
                });
                f.fix.hint = format!(
                    "add the {} to the inventory with its owner and sensitivity, or find out what calls it",
                    res.kind.noun()
                );
                Some(f)
            }
            Key::DepthAgent(aid) => {
                let max = self.inputs.thresholds.max_delegation_depth;
                let mut f = self.base("delegation.depth", Level::High, Some(aid), t);
                f.title = format!(
                    "agent `{}` acted at delegation depth up to {} (bound {max}) in {} request(s){}",
                    self.agent_name(aid),
                    t.max,
                    t.count,
                    allowed_note(t)
                );
                f.tasks = t.items.clone();
                f.fix.kind = "policy".into();
                f.fix.hint = format!(
                    "deny requests whose `context.delegation_depth` exceeds {max}, or raise `max_delegation_depth` in mandate.toml if deeper chains are intended"
                );
                Some(f)
            }
            Key::Ttl(aid) => {
                let name = self.agent_name(aid);
                let limit = self.agents[aid as usize]
                    .inv
                    .map(|a| agent_ttl_limit(a, self.inputs.ceilings))
                    .unwrap_or_default();
                let mut f = self.base(
                    "credential.ttl_over_ceiling",
                    if t.allowed > 0 {
                        Level::High
                    } else {
                        Level::Medium
                    },
                    Some(aid),
                    t,
                );
                f.title = format!(
                    "agent `{name}` asked for credentials living up to {} s, over its ceiling of {limit} s, in {} request(s){}",
                    t.max,
                    t.count,
                    allowed_note(t)
                );
                f.fix.kind = if t.allowed > 0 { "policy" } else { "traffic" }.into();
                f.fix.file = self.agent_file(aid).0;
                f.fix.field = Some("max_ttl_seconds".into());
                f.fix.hint = "issue credentials no longer than the ceiling (the lower of the agent's max_ttl_seconds and its tier's ceiling), and deny longer requests".into();
                Some(f)
            }
            Key::Unattested(aid) => {
                let name = self.agent_name(aid);
                let required = self.agents[aid as usize]
                    .inv
                    .is_some_and(|a| a.attestation_required);
                let level = match (required, t.allowed > 0) {
                    (true, true) => Level::Critical,
                    (true, false) | (false, true) => Level::High,
                    (false, false) => Level::Medium,
                };
                let mut f = self.base("credential.unattested", level, Some(aid), t);
                f.title = format!(
                    "agent `{name}` requested credentials without attestation in {} request(s){}{}",
                    t.count,
                    allowed_note(t),
                    if required {
                        " (its inventory requires attestation)"
                    } else {
                        ""
                    }
                );
                f.fix.kind = "policy".into();
                f.fix.file = self.agent_file(aid).0;
                f.fix.field = Some("attestation_required".into());
                f.fix.hint = "attest the workload before a secret is issued; forbid `request_credential` unless `context.attested`".into();
                Some(f)
            }
            Key::MissingTask(aid) => {
                let name = self.agent_name(aid);
                let total = self.agents[aid as usize].requests.max(1);
                let mut f = self.base("logging.missing_task_id", Level::Medium, Some(aid), t);
                f.title = format!(
                    "agent `{name}` made {} request(s) without a task id ({:.0}% of its requests)",
                    t.count,
                    100.0 * t.count as f64 / total as f64
                );
                f.fix.kind = "traffic".into();
                f.fix.hint = "have the agent's runtime send `task_id` with every request, so each decision can be traced to its task".into();
                Some(f)
            }
        }
    }

    /// Resources used outside an agent's declared lists: one finding per agent and kind,
    /// each resource an item.
    fn scope_findings(&self) -> Vec<Finding> {
        let mut groups: BTreeMap<(u32, Kind), Vec<(Res, &Tally)>> = BTreeMap::new();
        for (key, tally) in &self.tallies {
            if let Key::Scope(aid, res) = key {
                groups
                    .entry((*aid, res.kind))
                    .or_default()
                    .push((*res, tally));
            }
        }
        let mut out = Vec::new();
        for ((aid, kind), mut resources) in groups {
            resources.sort_by(|a, b| {
                b.1.allowed
                    .cmp(&a.1.allowed)
                    .then(b.1.count.cmp(&a.1.count))
                    .then_with(|| self.res_name(a.0).cmp(self.res_name(b.0)))
            });
            let mut total = Tally::default();
            let mut level = Level::Low;
            let mut items = Vec::new();
            for (res, t) in &resources {
                let sensitive = self
                    .res_info
                    .get(res)
                    .is_some_and(|i| i.sensitivity.is_some_and(|s| s >= 3));
                level = level.max(match (t.allowed > 0, sensitive) {
                    (true, true) => Level::Critical,
                    (true, false) => Level::High,
                    (false, true) => Level::Medium,
                    (false, false) => Level::Low,
                });
                total.count += t.count;
                total.allowed += t.allowed;
                total.denied += t.denied;
                total.first = match (total.first, t.first) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                total.last = match (total.last, t.last) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                for e in &t.examples {
                    if total.examples.len() < EXAMPLES {
                        total.examples.push(e.clone());
                    }
                }
                for p in &t.policies {
                    if total.policies.len() < EXAMPLES {
                        total.policies.insert(p.clone());
                    }
                }
                items.push(format!(
                    "`{}`: {} request(s), {} allowed{}",
                    self.res_name(*res),
                    t.count,
                    t.allowed,
                    if sensitive { ", sensitive" } else { "" }
                ));
            }
            let (code, list) = match kind {
                Kind::Tool => ("scope.tool", "tools"),
                Kind::Dataset => ("scope.dataset", "datasets"),
                Kind::Model => ("scope.model", "models"),
                Kind::Agent | Kind::Other => ("scope.delegate", "delegates"),
            };
            let name = self.agent_name(aid);
            let mut f = self.base(code, level, Some(aid), &total);
            let allowed = if total.allowed > 0 {
                format!(", {} allowed", total.allowed)
            } else {
                String::new()
            };
            f.title = format!(
                "agent `{name}` used {} {}(s) not in its {list}: {} request(s){allowed}",
                resources.len(),
                kind.noun(),
                total.count
            );
            f.items = items;
            f.fix.file = self.agent_file(aid).0;
            f.fix.field = Some(list.into());
            if total.allowed > 0 {
                f.fix.kind = "policy".into();
                f.fix.hint = format!(
                    "declare what the agent needs in its {list}, and narrow the policies that allowed the rest"
                );
            } else {
                f.fix.hint = format!(
                    "the policies denied these; declare them in the agent's {list} if it needs them, or find out why it tries"
                );
            }
            out.push(f);
        }
        out
    }

    /// Deny-retry bursts, one finding per agent, action and resource.
    fn burst_findings(&self) -> Vec<Finding> {
        let need = self.inputs.thresholds.retry_denies.max(2) as usize;
        let window = i64::from(self.inputs.thresholds.retry_window_seconds) * 1000;
        let mut out = Vec::new();
        for (&(aid, action, res), denies) in &self.denied {
            if denies.len() < need {
                continue;
            }
            let mut times = denies.clone();
            times.sort_unstable();
            // Non-overlapping bursts: from the first deny, every deny within the window of it.
            let mut bursts: Vec<&[(i64, String)]> = Vec::new();
            let mut start = 0;
            while start < times.len() {
                let t0 = times[start].0;
                let end = start + times[start..].partition_point(|(t, _)| *t - t0 <= window);
                if end - start >= need {
                    bursts.push(&times[start..end]);
                    start = end;
                } else {
                    start += 1;
                }
            }
            let Some(largest) = bursts.iter().max_by_key(|b| b.len()) else {
                continue;
            };
            let count: usize = bursts.iter().map(|b| b.len()).sum();
            let tally = Tally {
                count: count as u64,
                allowed: 0,
                // Bursts are of denied requests.
                denied: count as u64,
                first: bursts.first().and_then(|b| b.first()).map(|(t, _)| *t),
                last: bursts.last().and_then(|b| b.last()).map(|(t, _)| *t),
                examples: largest
                    .iter()
                    .take(EXAMPLES)
                    .map(|(_, id)| id.clone())
                    .collect(),
                policies: BTreeSet::new(),
                max: largest.len() as i64,
                items: Vec::new(),
            };
            let elevated = self.agents[aid as usize]
                .inv
                .is_some_and(|a| a.risk_tier.is_elevated());
            let mut f = self.base(
                "retry.burst",
                if elevated { Level::High } else { Level::Medium },
                Some(aid),
                &tally,
            );
            let span =
                (largest.last().map_or(0, |l| l.0) - largest.first().map_or(0, |f| f.0)) / 1000;
            f.title = format!(
                "agent `{}` retried denied `{}` on {} `{}`: {} burst(s), the largest {} denies in {} s",
                self.agent_name(aid),
                self.actions.name(action),
                res.kind.noun(),
                self.res_name(res),
                bursts.len(),
                largest.len(),
                span
            );
            f.items = bursts
                .iter()
                .map(|b| {
                    format!(
                        "{} denies from {} to {}",
                        b.len(),
                        rfc3339(b.first().map_or(0, |x| x.0)),
                        rfc3339(b.last().map_or(0, |x| x.0))
                    )
                })
                .collect();
            f.fix.kind = "traffic".into();
            f.fix.file = self.agent_file(aid).0;
            f.fix.hint = "a denied agent should stop or escalate to its accountable human, not retry: check its error handling, and whether it is probing for a way around the policy".into();
            out.push(f);
        }
        out
    }

    /// Chains within tasks: per code and the agent that started the task, every task that
    /// crossed environments, touched too many systems, climbed in sensitivity or delegated
    /// too deep (one finding per agent, the tasks listed, so a million tasks stay readable).
    fn task_findings(&self) -> Vec<Finding> {
        /// Tasks of one (code, agent).
        #[derive(Default)]
        struct Chains {
            level: Option<Level>,
            tasks: Vec<String>,
            details: Vec<String>,
            count: u64,
            requests: u64,
            first: Option<i64>,
            last: Option<i64>,
            examples: Vec<String>,
            what: BTreeSet<String>,
        }
        let th = self.inputs.thresholds;
        let mut chains: BTreeMap<(&'static str, u32), Chains> = BTreeMap::new();
        for (tid, task) in self.tasks.iter().enumerate() {
            if task.count == 0 {
                continue;
            }
            let name = self.task_names.name(tid as u32);
            let mut flag = |code: &'static str, level: Level, detail: String, what: Vec<String>| {
                let c = chains.entry((code, task.agent)).or_default();
                c.level = Some(c.level.map_or(level, |l| l.max(level)));
                c.count += 1;
                c.requests += task.count;
                c.first = match (c.first, task.first) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                c.last = match (c.last, task.last) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                if c.tasks.len() < TASKS_LISTED {
                    c.tasks.push(name.to_owned());
                    c.details.push(format!("{name}: {detail}"));
                }
                if c.examples.len() < EXAMPLES {
                    if let Some(e) = &task.example {
                        c.examples.push(e.to_string());
                    }
                }
                c.what.extend(what);
            };
            let envs: Vec<&str> = [(1u8, "dev"), (2, "test"), (4, "prod")]
                .iter()
                .filter(|(bit, _)| task.environments & bit != 0)
                .map(|(_, e)| *e)
                .collect();
            if envs.len() > 1 {
                let list = envs.join(", ");
                flag(
                    "chain.environments",
                    Level::High,
                    format!("{list} ({} requests)", task.count),
                    envs.iter().map(|e| (*e).to_owned()).collect(),
                );
            }
            if task.systems.len() > th.max_systems_per_task as usize {
                let systems: Vec<String> = task
                    .systems
                    .iter()
                    .map(|s| self.systems.name(*s).to_owned())
                    .collect();
                flag(
                    "chain.systems",
                    Level::Medium,
                    format!("{} systems: {}", systems.len(), systems.join(", ")),
                    systems,
                );
            }
            // A climb: a step of rank b after a step of rank a < b, by more than the bound.
            let mut climb: Option<(usize, usize)> = None;
            for a in 1..=4usize {
                for b in (a + 1)..=4usize {
                    if let (Some(fa), Some(lb)) = (task.rank_first[a], task.rank_last[b]) {
                        if fa < lb
                            && b - a > th.max_sensitivity_climb as usize
                            && climb.is_none_or(|(x, y)| b - a > y - x)
                        {
                            climb = Some((a, b));
                        }
                    }
                }
            }
            if let Some((a, b)) = climb {
                flag(
                    "chain.sensitivity",
                    if b == 4 { Level::High } else { Level::Medium },
                    format!("{} to {}", rank_name(a), rank_name(b)),
                    vec![format!("{} to {}", rank_name(a), rank_name(b))],
                );
            }
            let depth = longest_chain(&task.hops);
            if depth > th.max_delegation_depth as usize {
                let hops: Vec<String> = task
                    .hops
                    .iter()
                    .map(|(a, b)| format!("{} → {}", self.agent_name(*a), self.agent_name(*b)))
                    .collect();
                flag(
                    "chain.delegation_depth",
                    Level::High,
                    format!("{depth} hops: {}", hops.join(", ")),
                    vec![format!("{depth} hops")],
                );
            }
        }
        let mut out = Vec::new();
        for ((code, aid), c) in chains {
            let tally = Tally {
                count: c.requests,
                first: c.first,
                last: c.last,
                examples: c.examples,
                ..Tally::default()
            };
            let mut f = self.base(code, c.level.unwrap_or(Level::Medium), Some(aid), &tally);
            let name = self.agent_name(aid);
            let what: Vec<String> = c.what.into_iter().collect();
            let (verb, hint) = match code {
                "chain.environments" => (
                    format!("crossed environments ({})", what.join(", ")),
                    "keep each task in one environment: deny requests whose resource's environment differs from the agent's".to_owned(),
                ),
                "chain.systems" => (
                    format!("touched more than {} systems", th.max_systems_per_task),
                    "scope a task's credentials to the systems it needs; check whether the chain is lateral movement".to_owned(),
                ),
                "chain.sensitivity" => (
                    format!(
                        "climbed in sensitivity by more than {} rank(s) ({})",
                        th.max_sensitivity_climb,
                        what.join("; ")
                    ),
                    "require step-up approval before a task moves to more sensitive resources".to_owned(),
                ),
                _ => (
                    format!("delegated through more than {} hop(s)", th.max_delegation_depth),
                    format!(
                        "bound delegation: deny `delegate` when `context.delegation_depth` exceeds {}",
                        th.max_delegation_depth
                    ),
                ),
            };
            f.title = format!("agent `{name}` started {} task(s) that {verb}", c.count);
            f.tasks = c.tasks;
            f.items = c.details;
            if c.count as usize > TASKS_LISTED {
                f.items.push(format!(
                    "… and {} more task(s)",
                    c.count as usize - TASKS_LISTED
                ));
            }
            f.fix.kind = "policy".into();
            f.fix.hint = hint;
            out.push(f);
        }
        out
    }

    fn logging(&self) -> Logging {
        let mut fields = vec![
            FieldCoverage::record("task_id", self.with_task, self.requests),
            FieldCoverage::record("time", self.with_time, self.requests),
            FieldCoverage::record("decision", self.with_decision, self.requests),
            FieldCoverage::record("context", self.with_context, self.requests),
        ];
        for ((field, present), relevant) in self
            .inputs
            .context_fields
            .iter()
            .zip(&self.field_present)
            .zip(&self.field_relevant)
        {
            fields.push(FieldCoverage {
                field: format!("context.{}", field.name),
                present: *present,
                expected: *relevant,
                actions: field
                    .actions
                    .as_ref()
                    .map(|a| a.iter().cloned().collect())
                    .unwrap_or_default(),
                optional: field.optional,
                read_by: field.read_by.clone(),
            });
        }
        Logging {
            requests: self.requests,
            fields,
        }
    }

    /// Context fields the policies read that requests of their actions lack.
    fn logging_finding(&self, logging: &Logging) -> Option<Finding> {
        let lacking: Vec<&FieldCoverage> = logging
            .fields
            .iter()
            .filter(|f| f.field.starts_with("context.") && f.present < f.expected)
            .collect();
        if lacking.is_empty() {
            return None;
        }
        let missing = |c: &FieldCoverage| c.expected - c.present;
        let worst = lacking.iter().map(|c| missing(c)).max().unwrap_or(0);
        // A field every reading policy guards with `has` is optional by design: its absence
        // is legal (the policy reads it as not given), yet still unrecorded evidence.
        let required_gap = lacking.iter().any(|c| !c.optional);
        let level = if required_gap {
            if lacking
                .iter()
                .any(|c| !c.optional && missing(c) * 10 > c.expected)
            {
                Level::High
            } else {
                Level::Medium
            }
        } else {
            Level::Low
        };
        let tally = Tally {
            count: worst,
            ..Tally::default()
        };
        let mut f = self.base("logging.incomplete", level, None, &tally);
        f.subject_kind = SubjectKind::Workspace;
        f.title = format!(
            "{} context field(s) the policies read are missing from requests they apply to: {}",
            lacking.len(),
            lacking
                .iter()
                .map(|c| format!(
                    "{} ({:.0}% missing)",
                    c.field.trim_start_matches("context."),
                    100.0 * missing(c) as f64 / c.expected.max(1) as f64
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        f.items = lacking
            .iter()
            .map(|c| {
                format!(
                    "{}: missing from {} of {} {} request(s){}, read by {}",
                    c.field,
                    missing(c),
                    c.expected,
                    if c.actions.is_empty() {
                        "".to_owned()
                    } else {
                        c.actions.join("/")
                    },
                    if c.optional {
                        " (optional: every reading policy tests `has` first)"
                    } else {
                        ""
                    },
                    c.read_by.join(", ")
                )
            })
            .collect();
        f.fix.kind = "traffic".into();
        f.fix.policies = lacking
            .iter()
            .flat_map(|c| c.read_by.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        f.fix.hint = "record these context fields with every decision they matter to, so each decision can be reconstructed and replayed as it was made".into();
        Some(f)
    }

    fn activity(&self) -> Activity {
        let (Some(&lo), Some(&hi)) = (self.hours.keys().next(), self.hours.keys().next_back())
        else {
            return Activity {
                unit: "hour".into(),
                untimed: self.untimed,
                ..Activity::default()
            };
        };
        let span = hi - lo + 1;
        let (unit, hours_per) = if span <= 72 {
            ("hour", 1)
        } else if span <= 24 * 100 {
            ("day", 24)
        } else {
            ("week", 24 * 7)
        };
        let start = lo.div_euclid(hours_per) * hours_per;
        let n = ((hi.div_euclid(hours_per) * hours_per - start) / hours_per + 1) as usize;
        let slot =
            |hour: i64| ((hour.div_euclid(hours_per) * hours_per - start) / hours_per) as usize;
        let mut buckets: Vec<Bucket> = (0..n)
            .map(|i| Bucket {
                start: rfc3339((start + i as i64 * hours_per) * HOUR_MS),
                requests: 0,
                denies: 0,
            })
            .collect();
        for (&hour, &(requests, denies)) in &self.hours {
            if let Some(b) = buckets.get_mut(slot(hour)) {
                b.requests += requests;
                b.denies += denies;
            }
        }
        let mut busiest: Vec<(u32, u64)> = self
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| (i as u32, a.requests))
            .collect();
        busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        busiest.truncate(CHART_AGENTS);
        let mut series: HashMap<u32, Vec<u64>> =
            busiest.iter().map(|(a, _)| (*a, vec![0; n])).collect();
        for (&(aid, hour), &count) in &self.agent_hours {
            if let Some(counts) = series.get_mut(&aid) {
                if let Some(c) = counts.get_mut(slot(hour)) {
                    *c += count;
                }
            }
        }
        Activity {
            unit: unit.into(),
            buckets,
            agents: busiest
                .iter()
                .map(|(aid, _)| AgentSeries {
                    agent: self.agent_name(*aid).to_owned(),
                    counts: series.remove(aid).unwrap_or_default(),
                })
                .collect(),
            untimed: self.untimed,
        }
    }

    fn agent_activity(&self) -> Vec<AgentActivity> {
        let mut out: Vec<AgentActivity> = self
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| AgentActivity {
                agent: self.agent_name(i as u32).to_owned(),
                team: a.inv.map(|x| x.owner_team.clone()),
                lifecycle: a.inv.map(|x| x.lifecycle.as_str().to_owned()),
                requests: a.requests,
                denies: a.denies,
                first_seen: a.first.map(rfc3339),
                last_seen: a.last.map(rfc3339),
                resources: a.resources.len() as u64,
            })
            .collect();
        out.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.agent.cmp(&b.agent)));
        out
    }

    fn top_tools(&self) -> Vec<ToolUse> {
        let mut agents_per_tool: HashMap<u32, u64> = HashMap::new();
        for a in &self.agents {
            for r in &a.resources {
                if r.kind == Kind::Tool {
                    *agents_per_tool.entry(r.id).or_default() += 1;
                }
            }
        }
        let mut out: Vec<ToolUse> = self
            .tools
            .iter()
            .map(|(&id, &(requests, denies))| {
                let res = Res {
                    kind: Kind::Tool,
                    id,
                };
                ToolUse {
                    tool: self.res_name(res).to_owned(),
                    system: self
                        .res_info
                        .get(&res)
                        .and_then(|i| i.system)
                        .map(|s| self.systems.name(s).to_owned()),
                    requests,
                    denies,
                    agents: agents_per_tool.get(&id).copied().unwrap_or(0),
                }
            })
            .collect();
        out.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.tool.cmp(&b.tool)));
        out.truncate(TOP_TOOLS);
        out
    }
}

impl fmt::Debug for Scan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan")
            .field("requests", &self.requests)
            .field("agents", &self.agents.len())
            .field("tasks", &self.tasks.len())
            .finish()
    }
}

/// The longest path of delegation hops, each hop taken at most once (so a cycle ends).
pub(super) fn longest_chain(hops: &[(u32, u32)]) -> usize {
    fn walk(from: u32, hops: &[(u32, u32)], used: &mut Vec<bool>) -> usize {
        let mut best = 0;
        for (i, &(a, b)) in hops.iter().enumerate() {
            if a == from && !used[i] {
                used[i] = true;
                best = best.max(1 + walk(b, hops, used));
                used[i] = false;
            }
        }
        best
    }
    hops.iter()
        .map(|&(a, _)| walk(a, hops, &mut vec![false; hops.len()]))
        .max()
        .unwrap_or(0)
}

/// The shortest credential lifetime an agent may get: its own and its tier's ceiling.
pub(crate) fn agent_ttl_limit(agent: &Agent, ceilings: TtlCeilings) -> u64 {
    let tier = match agent.risk_tier {
        RiskTier::Low => ceilings.low,
        RiskTier::Medium => ceilings.medium,
        RiskTier::High => ceilings.high,
        RiskTier::Critical => ceilings.critical,
    };
    agent.max_ttl_seconds.min(tier)
}

fn rank_of_tier(tier: RiskTier) -> u8 {
    tier.rank() as u8
}

fn rank_of_class(class: Classification) -> u8 {
    match class {
        Classification::Public => 1,
        Classification::Internal => 2,
        Classification::Confidential => 3,
        Classification::Restricted => 4,
    }
}

fn rank_name(rank: usize) -> &'static str {
    match rank {
        1 => "low",
        2 => "medium",
        3 => "high",
        _ => "critical",
    }
}

fn env_bit(env: Environment) -> u8 {
    match env {
        Environment::Dev => 1,
        Environment::Test => 2,
        Environment::Prod => 4,
    }
}

/// The record's id as a replay names it.
pub(crate) fn request_id(row: &TrafficRow<'_>) -> String {
    match row.rid {
        Some(id) => id.to_owned(),
        None => format!("line:{}", row.row),
    }
}

/// Milliseconds since the epoch of an RFC 3339 time.
pub(crate) fn millis(time: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(time)
        .ok()
        .map(|t| t.timestamp_millis())
}

pub(crate) fn rfc3339(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// What the scan reads of a request's context.
#[derive(Debug, Default)]
pub(super) struct Context {
    /// Bit index of `context.env`: 0 dev, 1 test, 2 prod, 3 anything else.
    pub(super) env: Option<u8>,
    pub(super) ttl_seconds: Option<i64>,
    pub(super) attested: Option<bool>,
    pub(super) delegation_depth: Option<i64>,
    /// `context.task_id`, for records that carry their task there rather than beside it.
    pub(super) task_id: Option<String>,
    /// Per field of [`ScanInputs::context_fields`], whether the context has it.
    pub(super) present: Vec<bool>,
}

/// A string value, or `None` for any other kind.
struct LooseText(Option<String>);

impl<'de> serde::Deserialize<'de> for LooseText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Loose::deserialize_text(d)?;
        Ok(Self(value))
    }
}

/// Reads a context object in one pass; a context that is not an object reads as empty.
pub(super) fn parse_context(text: &str, fields: &[ContextField]) -> Context {
    let mut de = serde_json::Deserializer::from_str(text);
    ContextSeed { fields }
        .deserialize(&mut de)
        .unwrap_or_default()
}

struct ContextSeed<'f> {
    fields: &'f [ContextField],
}

impl<'de> DeserializeSeed<'de> for ContextSeed<'_> {
    type Value = Context;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Context, D::Error> {
        d.deserialize_map(self)
    }
}

/// A context key: one of those the scan reads, or the index of a policy-read field.
enum CtxKey {
    Env,
    Ttl,
    Attested,
    Depth,
    Task,
    Other,
}

struct KeySeed<'f> {
    fields: &'f [ContextField],
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = (CtxKey, Option<usize>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = (CtxKey, Option<usize>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a context key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        let known = match key {
            "env" => CtxKey::Env,
            "ttl_seconds" => CtxKey::Ttl,
            "attested" => CtxKey::Attested,
            "delegation_depth" => CtxKey::Depth,
            "task_id" => CtxKey::Task,
            _ => CtxKey::Other,
        };
        Ok((known, self.fields.iter().position(|f| f.name == key)))
    }
}

impl<'de> Visitor<'de> for ContextSeed<'_> {
    type Value = Context;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a context object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Context, A::Error> {
        let mut ctx = Context {
            present: vec![false; self.fields.len()],
            ..Context::default()
        };
        while let Some((key, field)) = map.next_key_seed(KeySeed {
            fields: self.fields,
        })? {
            if let Some(slot) = field.and_then(|i| ctx.present.get_mut(i)) {
                *slot = true;
            }
            if let CtxKey::Task = key {
                ctx.task_id = map.next_value::<LooseText>()?.0;
                continue;
            }
            let value = map.next_value::<Loose>()?;
            match key {
                CtxKey::Env => ctx.env = value.env,
                CtxKey::Ttl => ctx.ttl_seconds = value.int,
                CtxKey::Attested => ctx.attested = value.boolean,
                CtxKey::Depth => ctx.delegation_depth = value.int,
                CtxKey::Task | CtxKey::Other => {}
            }
        }
        Ok(ctx)
    }
}

/// A context value read loosely: an integer, a boolean or an environment name; anything
/// else (and any nesting) is skipped.
#[derive(Default)]
struct Loose {
    int: Option<i64>,
    boolean: Option<bool>,
    env: Option<u8>,
}

impl<'de> serde::Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

impl Loose {
    fn deserialize_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(v.to_owned()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(None)
            }
        }
        d.deserialize_any(Text)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose {
            int: Some(v),
            ..Loose::default()
        })
    }

    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose {
            int: i64::try_from(v).ok(),
            ..Loose::default()
        })
    }

    fn visit_f64<E>(self, _: f64) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose {
            boolean: Some(v),
            ..Loose::default()
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        let env = match v {
            "dev" => 0,
            "test" => 1,
            "prod" => 2,
            _ => 3,
        };
        Ok(Loose {
            env: Some(env),
            ..Loose::default()
        })
    }

    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_none<E>(self) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::default())
    }
}

/// The context fields the policies read (`context.NAME`, `context has NAME`,
/// `context["NAME"]`), from Cedar's JSON form of the policies and templates, sorted by name:
/// which policies read each, the actions those apply to, and whether every one of them tests
/// `has` first.
pub fn context_fields(set: &PolicySet) -> Vec<ContextField> {
    /// Fields read (`.`) and fields tested (`has`) on `context`.
    fn walk(v: &serde_json::Value, read: &mut BTreeSet<String>, tested: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (op, inner) in map {
                    if op == "." || op == "has" {
                        let on_context = inner
                            .get("left")
                            .and_then(|l| l.get("Var"))
                            .and_then(|v| v.as_str())
                            == Some("context");
                        if let (true, Some(attr)) =
                            (on_context, inner.get("attr").and_then(|a| a.as_str()))
                        {
                            if op == "has" {
                                tested.insert(attr.to_owned());
                            } else {
                                read.insert(attr.to_owned());
                            }
                        }
                    }
                    walk(inner, read, tested);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, read, tested);
                }
            }
            _ => {}
        }
    }
    /// The action ids a scope names (`None`: any action).
    fn actions(c: cedar_policy::ActionConstraint) -> Option<BTreeSet<String>> {
        match c {
            cedar_policy::ActionConstraint::Any => None,
            cedar_policy::ActionConstraint::Eq(a) => {
                Some(std::iter::once(a.id().unescaped().to_owned()).collect())
            }
            cedar_policy::ActionConstraint::In(list) => {
                Some(list.iter().map(|a| a.id().unescaped().to_owned()).collect())
            }
        }
    }
    let mut by_field: BTreeMap<String, ContextField> = BTreeMap::new();
    let mut add = |id: String, json: Option<serde_json::Value>, scope: Option<BTreeSet<String>>| {
        let (mut read, mut tested) = (BTreeSet::new(), BTreeSet::new());
        if let Some(json) = json {
            walk(&json, &mut read, &mut tested);
        }
        for name in read.union(&tested) {
            let entry = by_field
                .entry(name.clone())
                .or_insert_with(|| ContextField {
                    name: name.clone(),
                    read_by: Vec::new(),
                    actions: Some(BTreeSet::new()),
                    optional: true,
                });
            entry.read_by.push(id.clone());
            entry.optional &= tested.contains(name);
            entry.actions = match (entry.actions.take(), &scope) {
                (Some(mut have), Some(more)) => {
                    have.extend(more.iter().cloned());
                    Some(have)
                }
                _ => None,
            };
        }
    };
    for p in set.policies().filter(|p| p.template_id().is_none()) {
        add(
            p.id().to_string(),
            p.to_json().ok(),
            actions(p.action_constraint()),
        );
    }
    for t in set.templates() {
        add(
            t.id().to_string(),
            t.to_json().ok(),
            actions(t.action_constraint()),
        );
    }
    by_field
        .into_values()
        .map(|mut f| {
            f.read_by.sort();
            f.read_by.dedup();
            f
        })
        .collect()
}
