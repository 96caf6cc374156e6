//! The inventory's types, exactly as they are written in the TOML files.
//!
//! Field order here is the key order on write, so diffs of agent files review well.
//! References between records (teams, humans, tools, agents) are ids; [`super::checks`]
//! reports the ones that point nowhere.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How much harm an agent (or a tool) can do. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RiskTier {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskTier {
    pub const ALL: [RiskTier; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// 1 (low) to 4 (critical): the `risk_rank` entity attribute policies compare.
    pub fn rank(self) -> i64 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
            Self::Critical => 4,
        }
    }

    /// High and critical agents need a second human (sponsor), attestation and an
    /// escalation contact.
    pub fn is_elevated(self) -> bool {
        self >= Self::High
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Environment {
    Dev,
    Test,
    Prod,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dev => "dev",
            Self::Test => "test",
            Self::Prod => "prod",
        }
    }
}

/// draft → approved → active ⇄ suspended → retired (final).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lifecycle {
    Draft,
    Approved,
    Active,
    Suspended,
    Retired,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Approved => "approved",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Retired => "retired",
        }
    }
}

/// Data sensitivity of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Confidential => "confidential",
            Self::Restricted => "restricted",
        }
    }
}

/// One AI agent: a workload with its own identity and a named accountable human.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Agent {
    /// Slug: lowercase letters, digits and `-`; also the file name (`<id>.toml`).
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purpose: String,
    /// SPIFFE ID of the workload, `spiffe://trust-domain/path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spiffe_id: Option<String>,
    /// OIDC issuer URL of the workload identity (with `oidc_subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_subject: Option<String>,
    /// Team id.
    pub owner_team: String,
    /// Human id of the one person accountable for the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accountable: Option<String>,
    /// Human id of the sponsor who approves it (not the accountable human for high/critical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor: Option<String>,
    /// Human id to call when the agent misbehaves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
    pub risk_tier: RiskTier,
    pub environment: Environment,
    pub lifecycle: Lifecycle,
    /// Who approved the agent (human id) — set by the `approved` transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "date")]
    #[ts(type = "string | null")]
    pub approved_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// Agents this one may delegate to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegates: Vec<String>,
    /// Longest credential lifetime, seconds.
    #[ts(type = "number")]
    pub max_ttl_seconds: u64,
    #[serde(default)]
    pub attestation_required: bool,
    /// Actions that need a human's step-up approval (e.g. `invoke_tool`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_up_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "date")]
    #[ts(type = "string | null")]
    pub recertify_by: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Team {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Human {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Team id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Left the organisation: can no longer answer for an agent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub departed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "date")]
    #[ts(type = "string | null")]
    pub departed_on: Option<NaiveDate>,
}

/// `inventory/people.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct People {
    #[serde(default)]
    pub teams: Vec<Team>,
    #[serde(default)]
    pub humans: Vec<Human>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Tool {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The system it acts on (`stripe`, `github`, an MCP server name …).
    pub system: String,
    pub sensitivity: RiskTier,
    pub environment: Environment,
    /// Tool group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// JSON Schema of the tool's input (from an MCP `tools/list`), as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ToolGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Dataset {
    pub id: String,
    pub classification: Classification,
    pub environment: Environment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Model {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider: String,
}

/// `inventory/resources.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Resources {
    #[serde(default)]
    pub tool_groups: Vec<ToolGroup>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    #[serde(default)]
    pub datasets: Vec<Dataset>,
    #[serde(default)]
    pub models: Vec<Model>,
}

/// Dates are written `YYYY-MM-DD`. TOML files may hold them bare (`recertify_by =
/// 2027-03-01`, a TOML local date) or quoted; JSON (the UI, imports) holds them as strings.
mod date {
    use chrono::NaiveDate;
    use serde::de::{self, MapAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        d.deserialize_option(OptDate)
    }

    struct OptDate;

    impl<'de> Visitor<'de> for OptDate {
        type Value = Option<NaiveDate>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a date like 2027-03-01")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    E::custom(format!(
                        "invalid date `{v}`: expected YYYY-MM-DD, e.g. 2027-03-01"
                    ))
                })
        }

        // The toml crate hands a TOML date to serde as a one-entry map holding its text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let (_, text): (String, String) = map
                .next_entry()?
                .ok_or_else(|| de::Error::custom("expected a date like 2027-03-01"))?;
            self.visit_str(&text)
        }
    }
}
