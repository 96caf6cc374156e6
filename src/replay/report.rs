//! What a replay changed, broken down: by agent, action, resource type and policy; the
//! policies that never fired and those whose every hit changed.
//!
//! A [`ReportBuilder`] sees each replayed request once, in order, and keeps one counter per
//! distinct key, so its memory grows with the number of agents, actions, resource types and
//! policies, not with the number of requests.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::simulate::SideResult;

/// Breakdowns longer than this keep the entries with the most changes (then most requests).
pub const MAX_ROWS: usize = 100;

/// Counts for one agent, action or resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Breakdown {
    /// The agent (`Type::"id"`), the action id, or the resource type.
    pub key: String,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub changed: u64,
    #[ts(type = "number")]
    pub allow_to_deny: u64,
    #[ts(type = "number")]
    pub deny_to_allow: u64,
    /// Requests with a candidate error the baseline did not have.
    #[ts(type = "number")]
    pub new_errors: u64,
}

/// How often one policy decided, on each side, and how many of those requests changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyBreakdown {
    pub id: String,
    /// Requests the policy determined on the baseline.
    #[ts(type = "number")]
    pub baseline_hits: u64,
    #[ts(type = "number")]
    pub candidate_hits: u64,
    /// Requests it determined on either side whose outcome changed.
    #[ts(type = "number")]
    pub changed: u64,
    /// Requests on which it errored, on either side.
    #[ts(type = "number")]
    pub errors: u64,
}

/// The breakdowns of one replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayReport {
    pub by_agent: Vec<Breakdown>,
    pub by_action: Vec<Breakdown>,
    pub by_resource_type: Vec<Breakdown>,
    /// Every policy that determined or errored on some request, most changes first.
    pub by_policy: Vec<PolicyBreakdown>,
    /// Candidate policies that determined no request and errored on none.
    pub never_fired: Vec<String>,
    /// Policies that determined at least one request, every one of which changed.
    pub all_changed: Vec<String>,
    /// Distinct agents seen (`by_agent` keeps at most 100).
    #[ts(type = "number")]
    pub agents: u64,
}

/// Accumulates a [`ReplayReport`] one request at a time.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    agents: Keyed<Breakdown>,
    actions: Keyed<Breakdown>,
    resource_types: Keyed<Breakdown>,
    policies: Keyed<PolicyBreakdown>,
    candidate_ids: BTreeSet<String>,
    /// Reused to build an agent's key.
    key: String,
}

impl ReportBuilder {
    /// `candidate_ids`: every policy id of the candidate side, for `never_fired`.
    pub fn new(candidate_ids: impl IntoIterator<Item = String>) -> Self {
        Self {
            candidate_ids: candidate_ids.into_iter().collect(),
            ..Self::default()
        }
    }

    /// One replayed request: its principal, action and resource as `(type, id)`.
    pub fn add(
        &mut self,
        principal: &(String, String),
        action: &(String, String),
        resource: &(String, String),
        baseline: &SideResult,
        candidate: &SideResult,
    ) {
        let changed = baseline != candidate;
        let flip = (baseline.decision.as_str(), candidate.decision.as_str());
        let new_error = candidate
            .errors
            .iter()
            .any(|e| !baseline.errors.contains(e));
        let count = |b: &mut Breakdown| {
            b.requests += 1;
            if changed {
                b.changed += 1;
            }
            match flip {
                ("allow", "deny") => b.allow_to_deny += 1,
                ("deny", "allow") => b.deny_to_allow += 1,
                _ => {}
            }
            if new_error {
                b.new_errors += 1;
            }
        };
        use std::fmt::Write as _;
        self.key.clear();
        let _ = write!(self.key, "{}::{:?}", principal.0, principal.1);
        count(entry(&mut self.agents, &self.key));
        count(entry(&mut self.actions, &action.1));
        count(entry(&mut self.resource_types, &resource.0));
        let mut touched: Vec<&String> = baseline.reasons.iter().chain(&candidate.reasons).collect();
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            let p = self.policy(id);
            if baseline.reasons.contains(id) {
                p.baseline_hits += 1;
            }
            if candidate.reasons.contains(id) {
                p.candidate_hits += 1;
            }
            if changed {
                p.changed += 1;
            }
        }
        let mut errored: Vec<&String> = baseline.errors.iter().chain(&candidate.errors).collect();
        errored.sort_unstable();
        errored.dedup();
        for id in errored {
            self.policy(id).errors += 1;
        }
    }

    fn policy(&mut self, id: &str) -> &mut PolicyBreakdown {
        self.policies.get(id, |id| PolicyBreakdown {
            id: id.to_owned(),
            ..PolicyBreakdown::default()
        })
    }

    pub fn finish(self) -> ReplayReport {
        let never_fired = self
            .candidate_ids
            .iter()
            .filter(|id| {
                self.policies
                    .find(id)
                    .is_none_or(|p| p.candidate_hits == 0 && p.errors == 0)
            })
            .cloned()
            .collect();
        let mut all_changed: Vec<String> = self
            .policies
            .items
            .iter()
            .filter(|p| p.baseline_hits + p.candidate_hits > 0 && p.changed == hits(p))
            .map(|p| p.id.clone())
            .collect();
        all_changed.sort_unstable();
        let mut by_policy = self.policies.items;
        by_policy.sort_by(|a, b| {
            (b.changed, hits(b), b.errors)
                .cmp(&(a.changed, hits(a), a.errors))
                .then_with(|| a.id.cmp(&b.id))
        });
        ReplayReport {
            agents: self.agents.len() as u64,
            by_agent: ranked(self.agents),
            by_action: ranked(self.actions),
            by_resource_type: ranked(self.resource_types),
            by_policy,
            never_fired,
            all_changed,
        }
    }
}

/// Requests a policy determined on either side (a request it determined on both counts once
/// only through `changed`, so this is an upper bound used for ordering and `all_changed`).
fn hits(p: &PolicyBreakdown) -> u64 {
    p.baseline_hits.max(p.candidate_hits)
}

/// Counters by key, allocating a key only the first time it is seen (the entry API would
/// allocate it for every request).
#[derive(Debug)]
struct Keyed<T> {
    index: HashMap<String, usize>,
    items: Vec<T>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Self {
            index: HashMap::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Keyed<T> {
    fn get(&mut self, key: &str, make: impl FnOnce(&str) -> T) -> &mut T {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.items.push(make(key));
                self.index.insert(key.to_owned(), self.items.len() - 1);
                self.items.len() - 1
            }
        };
        &mut self.items[i]
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn find(&self, key: &str) -> Option<&T> {
        self.index.get(key).map(|&i| &self.items[i])
    }
}

fn entry<'m>(map: &'m mut Keyed<Breakdown>, key: &str) -> &'m mut Breakdown {
    map.get(key, |k| Breakdown {
        key: k.to_owned(),
        ..Breakdown::default()
    })
}

fn ranked(map: Keyed<Breakdown>) -> Vec<Breakdown> {
    let mut rows = map.items;
    rows.sort_by(|a, b| {
        (b.changed, b.requests)
            .cmp(&(a.changed, a.requests))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows.truncate(MAX_ROWS);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(decision: &str, reasons: &[&str], errors: &[&str]) -> SideResult {
        SideResult {
            decision: decision.into(),
            reasons: reasons.iter().map(|s| (*s).to_owned()).collect(),
            errors: errors.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn uid(t: &str, id: &str) -> (String, String) {
        (t.to_owned(), id.to_owned())
    }

    #[test]
    fn counts_by_agent_action_resource_type_and_policy() {
        let mut b = ReportBuilder::new(["p1", "p2", "p3", "f1"].map(String::from));
        let (a, bot) = (uid("Agent", "a"), uid("Agent", "bot"));
        let tool = uid("Action", "invoke_tool");
        let read = uid("Action", "read_data");
        let (t, d) = (uid("Tool", "t"), uid("Dataset", "d"));
        // a: invoke_tool allow→deny (p1 removed), twice.
        for _ in 0..2 {
            b.add(
                &a,
                &tool,
                &t,
                &side("allow", &["p1"], &[]),
                &side("deny", &[], &[]),
            );
        }
        // bot: read_data allow, unchanged (p2 both sides).
        b.add(
            &bot,
            &read,
            &d,
            &side("allow", &["p2"], &[]),
            &side("allow", &["p2"], &[]),
        );
        // bot: invoke_tool deny→allow by p3, and a new error in f1.
        b.add(
            &bot,
            &tool,
            &t,
            &side("deny", &[], &[]),
            &side("allow", &["p3"], &["f1"]),
        );
        let r = b.finish();
        assert_eq!(r.agents, 2);
        let agent_a = r.by_agent.iter().find(|x| x.key == "Agent::\"a\"").unwrap();
        assert_eq!(
            (agent_a.requests, agent_a.changed, agent_a.allow_to_deny),
            (2, 2, 2)
        );
        let agent_bot = r
            .by_agent
            .iter()
            .find(|x| x.key == "Agent::\"bot\"")
            .unwrap();
        assert_eq!(
            (
                agent_bot.requests,
                agent_bot.changed,
                agent_bot.deny_to_allow,
                agent_bot.new_errors
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(r.by_action[0].key, "invoke_tool");
        assert_eq!((r.by_action[0].requests, r.by_action[0].changed), (3, 3));
        assert_eq!(
            r.by_resource_type
                .iter()
                .map(|x| x.key.as_str())
                .collect::<Vec<_>>(),
            ["Tool", "Dataset"]
        );
        let p1 = r.by_policy.iter().find(|p| p.id == "p1").unwrap();
        assert_eq!((p1.baseline_hits, p1.candidate_hits, p1.changed), (2, 0, 2));
        let f1 = r.by_policy.iter().find(|p| p.id == "f1").unwrap();
        assert_eq!(f1.errors, 1);
        // p1 never fires on the candidate; f1 errored, so it did something.
        assert_eq!(r.never_fired, ["p1"]);
        assert_eq!(r.all_changed, ["p1", "p3"]);
    }

    #[test]
    fn breakdowns_keep_the_most_changed_rows() {
        let mut b = ReportBuilder::new([]);
        let tool = uid("Action", "invoke_tool");
        let t = uid("Tool", "t");
        for i in 0..(MAX_ROWS + 20) {
            let changed = i % 7 == 0;
            b.add(
                &uid("Agent", &format!("a{i:03}")),
                &tool,
                &t,
                &side("allow", &[], &[]),
                &side(if changed { "deny" } else { "allow" }, &[], &[]),
            );
        }
        let r = b.finish();
        assert_eq!(r.agents, (MAX_ROWS + 20) as u64);
        assert_eq!(r.by_agent.len(), MAX_ROWS);
        let changed_rows = r.by_agent.iter().take_while(|x| x.changed == 1).count();
        assert_eq!(
            changed_rows,
            (0..MAX_ROWS + 20).filter(|i| i % 7 == 0).count()
        );
    }
}
