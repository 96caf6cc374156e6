//! `mandate.toml`: the workspace's pinned configuration (DESIGN.md §2).
//!
//! Unknown keys are errors naming the line; values are checked after parsing and every bad
//! value is reported, not only the first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Severity};

pub const CONFIG_FILE: &str = "mandate.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    #[serde(default)]
    pub schema: SchemaConfig,
    #[serde(default)]
    pub ttl_ceilings: TtlCeilings,
    #[serde(default)]
    pub gates: Gates,
    #[serde(default)]
    pub validation: ValidationConfig,
    #[serde(default)]
    pub insights: InsightsConfig,
    #[serde(default)]
    pub coverage: CoverageConfig,
    #[serde(default)]
    pub analysis: AnalysisConfig,
    #[serde(default)]
    pub trusted_keys: Vec<TrustedKey>,
}

fn default_namespace() -> String {
    "Mandate".to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemaMode {
    /// The schema is generated from the inventory.
    #[default]
    Generated,
    /// `schema.cedarschema` is used as written.
    File,
}

impl SchemaMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generated => "generated",
            Self::File => "file",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaConfig {
    #[serde(default)]
    pub mode: SchemaMode,
    /// With mode `file`: inventory kind → the team's entity type and attribute names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mapping: BTreeMap<String, SchemaMapping>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaMapping {
    #[serde(rename = "type")]
    pub entity_type: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Longest credential lifetime allowed per risk tier, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TtlCeilings {
    pub low: u64,
    pub medium: u64,
    pub high: u64,
    pub critical: u64,
}

impl Default for TtlCeilings {
    fn default() -> Self {
        Self {
            low: 3600,
            medium: 900,
            high: 300,
            critical: 60,
        }
    }
}

/// What `mandate bundle publish` checks (`[gates]`). Strict validation, the bundle's
/// integrity and the version order cannot be turned off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gates {
    /// Approvals needed, by the highest risk tier of the agents whose access changed.
    pub require_approvals: Approvals,
    /// When false, a more-permissive analysis result needs an acknowledgement.
    pub allow_more_permissive: bool,
    /// A review (`reviews/*.toml`) approving exactly the bundle's policies, every changed
    /// decision acknowledged.
    pub require_review: bool,
    /// Every agent in scope has an accountable human.
    pub require_accountable_human: bool,
    /// Publish even with fail-open findings (a `forbid` that can error).
    pub allow_fail_open: bool,
    /// Publish even when the replay against the published bundle had evaluation errors.
    pub allow_replay_errors: bool,
    /// Publish a lower coverage than the published bundle's without an acknowledgement.
    pub allow_coverage_reduction: bool,
    /// Approvals from already-trusted keys that trusting or removing a key needs (capped by
    /// how many other trusted keys there are).
    pub key_approvals: u32,
}

impl Default for Gates {
    fn default() -> Self {
        Self {
            require_approvals: Approvals::default(),
            allow_more_permissive: false,
            require_review: true,
            require_accountable_human: true,
            allow_fail_open: false,
            allow_replay_errors: false,
            allow_coverage_reduction: false,
            key_approvals: 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
    pub critical: u32,
}

impl Approvals {
    /// The count for a risk tier (`low`, `medium`, `high`, `critical`); unknown tiers take
    /// the highest count.
    pub fn for_tier(&self, tier: &str) -> u32 {
        match tier {
            "low" => self.low,
            "medium" => self.medium,
            "high" => self.high,
            "critical" => self.critical,
            _ => self.low.max(self.medium).max(self.high).max(self.critical),
        }
    }
}

impl Default for Approvals {
    fn default() -> Self {
        Self {
            low: 1,
            medium: 1,
            high: 2,
            critical: 2,
        }
    }
}

/// How policies are validated beyond Cedar's strict mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationConfig {
    /// When set, Cedar's level validation (RFC 76) also runs: a policy may dereference
    /// entities at most this deep (`principal.team` is level 1, `principal.team.lead` 2), so
    /// an engine can bound the entity data it loads per request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_deref_level: Option<u32>,
}

/// Thresholds of `mandate insights` (`[insights]`): when recorded traffic becomes a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields, default)]
#[ts(export)]
pub struct InsightsConfig {
    /// A deny-retry burst: this many denies of the same agent, action and resource…
    pub retry_denies: u32,
    /// …within this many seconds.
    pub retry_window_seconds: u32,
    /// Deepest delegation a request may carry (`context.delegation_depth`) or a task may
    /// build through `delegate` requests.
    pub max_delegation_depth: u32,
    /// Most distinct systems (a tool's `system`) one task may touch.
    pub max_systems_per_task: u32,
    /// Sensitivity ranks (low 1 … critical 4) a task may climb between its steps.
    pub max_sensitivity_climb: u32,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        Self {
            retry_denies: 5,
            retry_window_seconds: 60,
            max_delegation_depth: 2,
            max_systems_per_task: 3,
            max_sensitivity_climb: 1,
        }
    }
}

/// Framework coverage (`[coverage]`): how old evidence may be before a control stops
/// counting as implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields, default)]
#[ts(export)]
pub struct CoverageConfig {
    /// Evidence older than this many days (the last decision a policy made in recorded
    /// traffic, an analysis run, a manual attestation's date) is stale.
    pub max_evidence_age_days: u32,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        Self {
            max_evidence_age_days: 90,
        }
    }
}

/// How `mandate analyze` runs (`[analysis]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    /// The SMT solver: a cvc5 ≥ 1.1 or z3 binary (a path, relative to the workspace when it
    /// has a `/`, or a name on `PATH`). `$CVC5` wins over it; unset, Mandate looks for what
    /// `scripts/deps.sh` installed, then `cvc5` and `z3` on `PATH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solver: Option<String>,
    /// Per solver query, in milliseconds.
    pub time_limit_ms: u64,
    /// Solver processes at once; 0 means one per core.
    pub jobs: u32,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        Self {
            solver: None,
            time_limit_ms: 10_000,
            jobs: 0,
        }
    }
}

/// A public key whose signatures count (`[[trusted_keys]]`). Every key but the first of a
/// workspace is trusted only through approvals recorded in `keys/trust.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKey {
    /// `ed25519:` and the public key in hex.
    pub id: String,
    pub owner: String,
    /// When it was trusted (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_at: Option<String>,
    /// Mirrors the trust log: the workspace's first key, the one trusted without approvals.
    /// The root is the key whose own trust statement opens `keys/trust.json`; a `first` on
    /// any other key is reported and trusts nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first: bool,
}

impl Config {
    pub fn new(name: &str, namespace: &str) -> Self {
        Self {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            schema: SchemaConfig::default(),
            ttl_ceilings: TtlCeilings::default(),
            gates: Gates::default(),
            validation: ValidationConfig::default(),
            insights: InsightsConfig::default(),
            coverage: CoverageConfig::default(),
            analysis: AnalysisConfig::default(),
            trusted_keys: Vec::new(),
        }
    }

    /// Parses and checks `mandate.toml`; `Err` holds every problem found, located.
    pub fn parse(text: &str) -> Result<Self, Vec<Diagnostic>> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            vec![Diagnostic::at_span(
                CONFIG_FILE,
                text,
                span.start,
                span.end,
                Severity::Error,
                "config::parse",
                e.message().trim_end_matches('\n').to_owned(),
                Some(config_help(e.message())),
            )]
        })?;
        let problems = config.check(text);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Value checks that the TOML types cannot express.
    fn check(&self, text: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut bad = |key: &str, value: &str, message: String, help: &str| {
            let (start, end) = find_key(text, key);
            out.push(Diagnostic::at_span(
                CONFIG_FILE,
                text,
                start,
                end,
                Severity::Error,
                "config::value",
                format!("{message}: `{value}`"),
                Some(help.to_owned()),
            ));
        };
        if self.name.trim().is_empty() {
            bad(
                "name",
                &self.name,
                "`name` is empty".into(),
                "give the workspace a name, e.g. `name = \"Acme agent governance\"`",
            );
        }
        if !is_cedar_namespace(&self.namespace) {
            bad(
                "namespace",
                &self.namespace,
                "`namespace` is not a Cedar namespace".into(),
                "use identifiers joined by `::`, e.g. `Acme` or `Acme::Agents`",
            );
        }
        let t = self.ttl_ceilings;
        if !(t.low >= t.medium && t.medium >= t.high && t.high >= t.critical) {
            bad(
                "low",
                &format!("{}/{}/{}/{}", t.low, t.medium, t.high, t.critical),
                "ttl ceilings must not grow with risk (low ≥ medium ≥ high ≥ critical)".into(),
                "a riskier agent gets a shorter credential lifetime",
            );
        }
        if self.validation.max_deref_level == Some(0) {
            bad(
                "max_deref_level",
                "0",
                "`max_deref_level` must be at least 1".into(),
                "level 1 allows `principal.attr`; remove the key to skip level validation",
            );
        }
        let i = self.insights;
        if i.retry_denies < 2 {
            bad(
                "retry_denies",
                &i.retry_denies.to_string(),
                "`retry_denies` must be at least 2".into(),
                "a burst is several denies of the same request, e.g. `retry_denies = 5`",
            );
        }
        if i.retry_window_seconds == 0 {
            bad(
                "retry_window_seconds",
                "0",
                "`retry_window_seconds` must be at least 1".into(),
                "the window the denies fall in, e.g. `retry_window_seconds = 60`",
            );
        }
        if i.max_systems_per_task == 0 {
            bad(
                "max_systems_per_task",
                "0",
                "`max_systems_per_task` must be at least 1".into(),
                "a task touches at least one system, e.g. `max_systems_per_task = 3`",
            );
        }
        if i.max_sensitivity_climb > 3 {
            bad(
                "max_sensitivity_climb",
                &i.max_sensitivity_climb.to_string(),
                "`max_sensitivity_climb` is at most 3 (low to critical)".into(),
                "sensitivity ranks run from low (1) to critical (4), e.g. `max_sensitivity_climb = 1`",
            );
        }
        if self.coverage.max_evidence_age_days == 0 {
            bad(
                "max_evidence_age_days",
                "0",
                "`max_evidence_age_days` must be at least 1".into(),
                "how many days evidence stays fresh, e.g. `max_evidence_age_days = 90`",
            );
        }
        let mut seen = std::collections::HashSet::new();
        for key in &self.trusted_keys {
            let mut at_value = |message: String, help: &str| {
                let start = text.find(&key.id).unwrap_or(0);
                out.push(Diagnostic::at_span(
                    CONFIG_FILE,
                    text,
                    start,
                    start + key.id.len(),
                    Severity::Error,
                    "config::value",
                    message,
                    Some(help.to_owned()),
                ));
            };
            if !is_key_id(&key.id) {
                at_value(
                    format!(
                        "trusted key id `{}` is not `ed25519:` and 64 hex digits",
                        key.id
                    ),
                    "use the id printed by `mandate keys generate` (`mandate keys list` shows it)",
                );
            } else if !seen.insert(key.id.as_str()) {
                at_value(
                    format!("trusted key `{}` is listed twice", key.id),
                    "keep one `[[trusted_keys]]` entry per key",
                );
            }
            if key.owner.trim().is_empty() {
                at_value(
                    format!("trusted key `{}` has no owner", key.id),
                    "name the person who holds the key, e.g. `owner = \"dana@acme.example\"`",
                );
            }
            // A `first = true` on a key the trust log does not start with is reported, at its
            // line, by `mandate keys list` (the log decides; the workspace still opens).
        }
        out
    }
}

fn config_help(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the key or fix its spelling; the keys are pinned in the README's workspace section"
            .to_owned()
    } else {
        "fix the TOML at this line; see the README's workspace section for the expected keys"
            .to_owned()
    }
}

/// Byte span of the first `key =` in `text`, for locating a value error.
/// Byte span of the first `key = …` line in `text` (`(0, 0)` when there is none).
pub fn find_key(text: &str, key: &str) -> (usize, usize) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let start = offset + (line.len() - trimmed.len());
                return (start, offset + line.trim_end().len());
            }
        }
        offset += line.len();
    }
    (0, 0)
}

/// `ed25519:` and 64 hex digits (the public key).
pub fn is_key_id(s: &str) -> bool {
    s.strip_prefix("ed25519:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Ident(::Ident)*` where Ident is `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_cedar_namespace(s: &str) -> bool {
    !s.is_empty()
        && s.split("::").all(|part| {
            let mut chars = part.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The `mandate.toml` that `mandate init` writes: every key shown, with comments.
pub fn render_initial(name: &str, namespace: &str) -> String {
    let name = toml::Value::String(name.to_owned()).to_string();
    let namespace = toml::Value::String(namespace.to_owned()).to_string();
    format!(
        r#"# Mandate workspace configuration. Unknown keys are an error.
name = {name}
namespace = {namespace}              # Cedar namespace of the schema

[schema]
mode = "generated"                 # or "file": use schema.cedarschema as written

[ttl_ceilings]                     # longest credential lifetime per risk tier, seconds
low = 3600
medium = 900
high = 300
critical = 60

[gates]
require_approvals = {{ low = 1, medium = 1, high = 2, critical = 2 }}
allow_more_permissive = false      # a more-permissive analysis result needs an acknowledgement

[validation]
# max_deref_level = 2              # also check that policies dereference entities at most this deep
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_config_round_trips() {
        let text = render_initial("Acme \"agents\"", "Acme");
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.name, "Acme \"agents\"");
        assert_eq!(config.namespace, "Acme");
        assert_eq!(config.ttl_ceilings.critical, 60);
        assert_eq!(config.gates.require_approvals.high, 2);
        assert_eq!(config.validation.max_deref_level, None);
    }

    #[test]
    fn validation_level_is_read_and_zero_refused() {
        let config = Config::parse("name = \"x\"\n[validation]\nmax_deref_level = 2\n").unwrap();
        assert_eq!(config.validation.max_deref_level, Some(2));
        let errs = Config::parse("name = \"x\"\n[validation]\nmax_deref_level = 0\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 3);
        assert!(
            errs[0].message.contains("at least 1"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn unknown_key_names_its_line() {
        let text = "name = \"x\"\n\n[schema]\nmood = \"file\"\n";
        let errs = Config::parse(text).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].message.contains("mood"), "{}", errs[0].message);
    }

    #[test]
    fn every_bad_value_is_reported() {
        let text = "name = \" \"\nnamespace = \"Ac me\"\n[ttl_ceilings]\nlow = 1\nmedium = 2\nhigh = 3\ncritical = 4\n";
        let errs = Config::parse(text).unwrap_err();
        let lines: Vec<u32> = errs.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
        assert!(errs[1].message.contains("`Ac me`"));
    }

    #[test]
    fn namespaces() {
        assert!(is_cedar_namespace("Acme"));
        assert!(is_cedar_namespace("Acme::Agents_2"));
        assert!(!is_cedar_namespace("Acme::"));
        assert!(!is_cedar_namespace("2cme"));
        assert!(!is_cedar_namespace(""));
    }
}
