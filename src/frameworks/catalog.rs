//! Framework catalogs: the built-in ones (OWASP Agentic Top 10 2026, OWASP Agentic Threats &
//! Mitigations, OWASP NHI Top 10 2025, CSA MAESTRO, NIST AI RMF 1.0), built from
//! `catalogs.json` (a copy of `../shared/frameworks/catalogs.json`, facts with sources), and
//! an organisation's own, kept as `frameworks/<id>.json` in the workspace.
//!
//! An [`Item`] has an internal `key` (unique in its framework) and, where the framework
//! assigns one, an `official_id`. MAESTRO gives its threats no ids: their key is Mandate's
//! own slug and must never be shown as an official id — show `label` (layer + threat name).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::diagnostics::{Diagnostic, Severity};

/// The source data, as researched (sources S1–S19 inside).
pub const CATALOGS_JSON: &str = include_str!("catalogs.json");

/// Bumped whenever the built-in catalogs change; exports and reports carry it.
pub const CATALOG_DATA_VERSION: &str = "2026.11.1";

/// Where the workspace keeps imported frameworks, one JSON file each.
pub const FRAMEWORKS_DIR: &str = "frameworks";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "FrameworkOrigin")]
pub enum Origin {
    /// Shipped with Mandate (data version [`CATALOG_DATA_VERSION`]).
    BuiltIn,
    /// Imported into the workspace (`frameworks/<id>.json`).
    Custom,
}

/// A framework: its metadata and items (groups such as NIST functions and categories or
/// MAESTRO layers, and the assessable items under them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "FrameworkCatalog")]
pub struct Framework {
    /// Mandate's id for the framework, e.g. `nist-ai-rmf-1.0`.
    pub id: String,
    pub title: String,
    /// A short name for tables, e.g. `NIST AI RMF 1.0`.
    pub short_title: String,
    pub version: String,
    pub publisher: String,
    #[serde(default)]
    pub license: String,
    /// The canonical address of the source document, when known.
    #[serde(default)]
    pub url: String,
    /// How the items were sourced (citations of the research behind the catalog).
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default = "custom")]
    pub origin: Origin,
    pub items: Vec<Item>,
}

fn custom() -> Origin {
    Origin::Custom
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "FrameworkItem")]
pub struct Item {
    /// Unique within the framework. Equal to `official_id` where the framework assigns one;
    /// otherwise Mandate's own (never shown as an official id).
    pub key: String,
    /// The id the framework itself assigns (`ASI03`, `NHI1:2025`, `GOVERN 1.1`, `L7`);
    /// `null` where it assigns none (MAESTRO threats).
    #[serde(default)]
    pub official_id: Option<String>,
    /// What to display: the official id, or for items without one a label built from
    /// official names (`L7: Agent Tool Misuse`).
    pub label: String,
    #[serde(default)]
    pub title: String,
    /// Official text where the framework's licence allows (NIST), else a summary.
    #[serde(default)]
    pub text: String,
    /// Whether `text` is the framework's own wording.
    #[serde(default)]
    pub text_is_official: bool,
    /// `function`, `category`, `subcategory`, `layer`, `threat`, `risk`, `group`, `item`.
    pub kind: String,
    /// The key of the group this item sits in.
    #[serde(default)]
    pub parent: Option<String>,
    /// Counted in coverage (a leaf); groups are not.
    #[serde(default = "yes")]
    pub assessable: bool,
    /// Sources disagree or the primary document was not read.
    #[serde(default)]
    pub uncertain: bool,
    /// Other spellings of the title or id seen in the source itself.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub notes: String,
    /// Related items of other frameworks, as the source maps them (`owasp-agentic-threats-mitigations:T6`).
    #[serde(default)]
    pub related: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Framework {
    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// The assessable items (the coverage denominator before applicability).
    pub fn assessable(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.assessable)
    }

    /// The items directly under `key` (`None`: the top level).
    pub fn children<'a>(&'a self, key: Option<&'a str>) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .iter()
            .filter(move |i| i.parent.as_deref() == key)
    }

    /// `key` and every assessable item below it.
    pub fn leaves_under<'a>(&'a self, key: &'a str) -> Vec<&'a Item> {
        let mut out = Vec::new();
        let mut stack = vec![key];
        while let Some(k) = stack.pop() {
            for i in self
                .items
                .iter()
                .filter(|i| i.key == k || i.parent.as_deref() == Some(k))
            {
                if i.key == k {
                    if i.assessable {
                        out.push(i);
                    }
                } else {
                    stack.push(&i.key);
                }
            }
        }
        out.sort_by_key(|i| self.items.iter().position(|x| x.key == i.key));
        out.dedup_by(|a, b| a.key == b.key);
        out
    }
}

/// The built-in frameworks, in display order.
#[expect(
    clippy::expect_used,
    reason = "compiled-in data, read by a unit test on every build: it cannot fail at run time"
)]
pub fn builtin() -> &'static [Framework] {
    static BUILTIN: OnceLock<Vec<Framework>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        from_source(CATALOGS_JSON).expect("the built-in catalogs.json is checked by a unit test")
    })
}

/// Built-in and workspace frameworks together, keyed by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogs {
    pub frameworks: Vec<Framework>,
    index: HashMap<String, usize>,
}

impl Catalogs {
    pub fn new(frameworks: Vec<Framework>) -> Self {
        let index = frameworks
            .iter()
            .enumerate()
            .map(|(n, f)| (f.id.clone(), n))
            .collect();
        Self { frameworks, index }
    }

    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.index.get(id).map(|&n| &self.frameworks[n])
    }
}

/// Loads the built-in catalogs plus every `frameworks/*.json` of the workspace. A file that
/// does not parse, or that reuses a built-in framework id, is reported and left out.
pub fn load(root: &std::path::Path) -> (Catalogs, Vec<Diagnostic>) {
    let mut frameworks: Vec<Framework> = builtin().to_vec();
    let mut problems = Vec::new();
    let dir = root.join(FRAMEWORKS_DIR);
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    for path in files {
        let rel = format!(
            "{FRAMEWORKS_DIR}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        if let Some(target) = crate::diagnostics::link_out_of_workspace(&rel, &path) {
            problems.push(Diagnostic::whole_file(
                &rel,
                Severity::Error,
                "io::outside_workspace",
                format!(
                    "is a link to `{}`, outside the workspace; it was not read",
                    target.display()
                ),
                Some("replace the link with the file".to_owned()),
            ));
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Diagnostic::whole_file(
                    &rel,
                    Severity::Error,
                    "io::read",
                    format!("cannot read: {e}"),
                    None,
                ));
                continue;
            }
        };
        match parse_custom(&rel, &text) {
            Ok(f) => {
                if frameworks.iter().any(|x| x.id == f.id) {
                    problems.push(Diagnostic::whole_file(
                        &rel,
                        Severity::Error,
                        "frameworks::duplicate_id",
                        format!("framework id `{}` is already taken", f.id),
                        Some("give the imported framework its own id (`mandate frameworks import --id NEW`)".into()),
                    ));
                } else {
                    frameworks.push(f);
                }
            }
            Err(mut d) => problems.append(&mut d),
        }
    }
    (Catalogs::new(frameworks), problems)
}

/// Parses and checks one workspace framework file (Mandate's own format, as written by
/// `mandate frameworks import`).
pub fn parse_custom(file: &str, text: &str) -> Result<Framework, Vec<Diagnostic>> {
    let mut f: Framework = serde_json::from_str(text).map_err(|e| {
        vec![Diagnostic::at_line(
            file,
            e.line().max(1),
            e.column().max(1),
            Severity::Error,
            "frameworks::parse",
            e.to_string(),
            Some("a workspace framework file is written by `mandate frameworks import`; re-import it from its source".into()),
        )]
    })?;
    f.origin = Origin::Custom;
    let problems = check(file, &f);
    if problems.is_empty() {
        Ok(f)
    } else {
        Err(problems)
    }
}

/// Structural checks: ids well formed, keys unique, parents known.
pub fn check(file: &str, f: &Framework) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |message: String, help: &str| {
        out.push(Diagnostic::whole_file(
            file,
            Severity::Error,
            "frameworks::invalid",
            message,
            Some(help.to_owned()),
        ));
    };
    if !valid_framework_id(&f.id) {
        bad(
            format!("framework id `{}` is not a slug", f.id),
            "use lowercase letters, digits, `.` and `-`, e.g. `acme-ai-policy-2026`",
        );
    }
    if f.items.is_empty() {
        bad(
            format!("framework `{}` has no items", f.id),
            "a framework needs at least one item",
        );
    }
    let mut seen = std::collections::HashSet::new();
    for i in &f.items {
        if i.key.trim().is_empty() {
            bad("an item has an empty key".into(), "give every item an id");
        } else if !seen.insert(i.key.as_str()) {
            bad(
                format!("item `{}` appears twice", i.key),
                "item ids must be unique within a framework",
            );
        }
    }
    for i in &f.items {
        if let Some(p) = &i.parent {
            if !f.items.iter().any(|x| &x.key == p) {
                bad(
                    format!("item `{}` names parent `{p}`, which is not an item", i.key),
                    "list the parent as an item too, or drop the parent",
                );
            }
        }
    }
    // An item under itself would make every walk down the tree endless.
    let parent_of: HashMap<&str, &str> = f
        .items
        .iter()
        .filter_map(|i| i.parent.as_deref().map(|p| (i.key.as_str(), p)))
        .collect();
    for i in &f.items {
        let mut at = i.parent.as_deref();
        for _ in 0..f.items.len() {
            match at {
                Some(p) if p == i.key => {
                    bad(
                        format!("item `{}` sits under itself", i.key),
                        "an item's parent must be a group above it",
                    );
                    break;
                }
                Some(p) => at = parent_of.get(p).copied(),
                None => break,
            }
        }
    }
    out
}

pub fn valid_framework_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && id.starts_with(|c: char| c.is_ascii_lowercase())
}

// ---- the built-in source (catalogs.json) -------------------------------------------------

#[derive(Deserialize)]
struct Source {
    frameworks: Vec<SourceFramework>,
}

#[derive(Deserialize)]
struct SourceFramework {
    id: String,
    title: String,
    version: String,
    publisher: String,
    #[serde(default)]
    license: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    notes: Vec<String>,
    items: Vec<serde_json::Value>,
}

fn s(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_owned()
}

fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn notes(v: &serde_json::Value) -> String {
    match v.get("notes") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// Short title and canonical address per built-in framework.
const META: &[(&str, &str, &str)] = &[
    (
        "owasp-agentic-top10-2026",
        "OWASP Agentic Top 10 2026",
        "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    ),
    (
        "owasp-agentic-threats-mitigations",
        "OWASP Agentic Threats & Mitigations",
        "https://genai.owasp.org/resource/agentic-ai-threats-and-mitigations/",
    ),
    (
        "owasp-nhi-top10-2025",
        "OWASP NHI Top 10 2025",
        "https://owasp.org/www-project-non-human-identities-top-10/2025/top-10-2025",
    ),
    (
        "csa-maestro",
        "CSA MAESTRO",
        "https://cloudsecurityalliance.org/blog/2025/02/06/agentic-ai-threat-modeling-framework-maestro",
    ),
    (
        "nist-ai-rmf-1.0",
        "NIST AI RMF 1.0",
        "https://nvlpubs.nist.gov/nistpubs/ai/NIST.AI.100-1.pdf",
    ),
];

/// Builds the normalized frameworks from the research file.
pub fn from_source(text: &str) -> Result<Vec<Framework>, String> {
    let src: Source = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for f in src.frameworks {
        let (short, url) = META
            .iter()
            .find(|(id, _, _)| *id == f.id)
            .map(|(_, s, u)| ((*s).to_owned(), (*u).to_owned()))
            .ok_or_else(|| format!("no short title for framework `{}`", f.id))?;
        let mut items = Vec::new();
        for v in &f.items {
            items.push(source_item(&f.id, v)?);
        }
        if f.id == "csa-maestro" {
            // The cross-layer threats sit under a group of their own (MAESTRO names it, but
            // gives it no number).
            let at = items
                .iter()
                .position(|i| i.parent.as_deref() == Some("cross-layer"));
            let group = Item {
                key: "cross-layer".into(),
                official_id: None,
                label: "Cross-layer".into(),
                title: "Cross-layer threats".into(),
                text: "Threats that span several layers.".into(),
                text_is_official: false,
                kind: "layer".into(),
                parent: None,
                assessable: false,
                uncertain: false,
                aliases: Vec::new(),
                notes: String::new(),
                related: Vec::new(),
            };
            items.insert(at.unwrap_or(items.len()), group);
        }
        out.push(Framework {
            id: f.id,
            title: f.title,
            short_title: short,
            version: f.version,
            publisher: f.publisher,
            license: f.license,
            url,
            source: f.source,
            notes: f.notes,
            origin: Origin::BuiltIn,
            items,
        });
    }
    for f in &out {
        let problems = check("catalogs.json", f);
        if let Some(p) = problems.first() {
            return Err(p.message.clone());
        }
    }
    Ok(out)
}

fn source_item(framework: &str, v: &serde_json::Value) -> Result<Item, String> {
    let id = v.get("id").and_then(|x| x.as_str()).map(str::to_owned);
    let uncertain = v.get("uncertain").and_then(|x| x.as_bool()) == Some(true);
    let mut item = Item {
        key: String::new(),
        official_id: None,
        label: String::new(),
        title: s(v, "title"),
        text: s(v, "summary"),
        text_is_official: false,
        kind: "item".into(),
        parent: None,
        assessable: true,
        uncertain,
        aliases: strings(v, "title_variants"),
        notes: notes(v),
        related: Vec::new(),
    };
    match framework {
        "owasp-agentic-top10-2026" => {
            let id = id.ok_or("an ASI item without id")?;
            item.kind = "risk".into();
            item.related = strings(v, "related_threats_mitigations")
                .into_iter()
                .map(|t| format!("owasp-agentic-threats-mitigations:{t}"))
                .collect();
            item.key = id.clone();
            item.label = id.clone();
            item.official_id = Some(id);
        }
        "owasp-agentic-threats-mitigations" => {
            let id = id.ok_or("a T&M item without id")?;
            item.kind = "threat".into();
            item.key = id.clone();
            item.label = id.clone();
            item.official_id = Some(id);
        }
        "owasp-nhi-top10-2025" => {
            let id = id.ok_or("an NHI item without id")?;
            let official = s(v, "official_id");
            item.kind = "risk".into();
            item.related = strings(v, "related_asi_2026")
                .into_iter()
                .map(|t| format!("owasp-agentic-top10-2026:{t}"))
                .collect();
            item.aliases.push(id);
            item.key = official.clone();
            item.label = official.clone();
            item.official_id = Some(official);
        }
        "csa-maestro" => match s(v, "kind").as_str() {
            "layer" => {
                let id = id.ok_or("a MAESTRO layer without id")?;
                item.kind = "layer".into();
                item.assessable = false;
                item.aliases.push(format!("Layer {}", &id[1..]));
                item.key = id.clone();
                item.label = id.clone();
                item.official_id = Some(id);
            }
            "threat" => {
                if id.is_some() {
                    return Err("a MAESTRO threat with an id: MAESTRO assigns none".into());
                }
                let layer = s(v, "layer");
                item.kind = "threat".into();
                item.key = s(v, "derived_key");
                item.label = if layer == "cross-layer" {
                    format!("Cross-layer: {}", item.title)
                } else {
                    format!("{layer}: {}", item.title)
                };
                item.parent = Some(layer);
            }
            other => return Err(format!("unknown MAESTRO item kind `{other}`")),
        },
        "nist-ai-rmf-1.0" => {
            let id = id.ok_or("a NIST item without id")?;
            let level = s(v, "level");
            item.text = s(v, "text");
            item.text_is_official = level != "function";
            item.assessable = level == "subcategory";
            item.parent = match level.as_str() {
                "function" => None,
                "category" => Some(s(v, "function")),
                _ => Some(s(v, "category")),
            };
            item.kind = level;
            item.key = id.clone();
            item.label = id.clone();
            item.official_id = Some(id);
        }
        other => return Err(format!("no reader for built-in framework `{other}`")),
    }
    if item.key.is_empty() {
        return Err(format!("an item of `{framework}` has no key"));
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogs_have_the_official_counts() {
        let all = builtin();
        let count = |id: &str, kind: &str| {
            all.iter()
                .find(|f| f.id == id)
                .unwrap()
                .items
                .iter()
                .filter(|i| i.kind == kind)
                .count()
        };
        assert_eq!(count("owasp-agentic-top10-2026", "risk"), 10);
        assert_eq!(count("owasp-agentic-threats-mitigations", "threat"), 17);
        assert_eq!(count("owasp-nhi-top10-2025", "risk"), 10);
        assert_eq!(count("csa-maestro", "layer"), 8); // L1–L7 and the cross-layer group
        assert_eq!(count("csa-maestro", "threat"), 56);
        assert_eq!(count("nist-ai-rmf-1.0", "function"), 4);
        assert_eq!(count("nist-ai-rmf-1.0", "category"), 19);
        assert_eq!(count("nist-ai-rmf-1.0", "subcategory"), 72);
        let nist = all.iter().find(|f| f.id == "nist-ai-rmf-1.0").unwrap();
        assert_eq!(nist.assessable().count(), 72);
        assert_eq!(nist.leaves_under("GOVERN").len(), 19);
        assert_eq!(nist.leaves_under("GOVERN 1").len(), 7);
        let g11 = nist.item("GOVERN 1.1").unwrap();
        assert!(g11.text_is_official);
        assert!(g11
            .text
            .starts_with("Legal and regulatory requirements involving AI"));
    }

    #[test]
    fn maestro_threats_have_no_official_id_and_a_layer_label() {
        let m = builtin().iter().find(|f| f.id == "csa-maestro").unwrap();
        let threat = m.item("L7/agent-tool-misuse").unwrap();
        assert_eq!(threat.official_id, None);
        assert_eq!(threat.label, "L7: Agent Tool Misuse");
        assert_eq!(threat.parent.as_deref(), Some("L7"));
        // Names repeat across layers: only layer + name is unique.
        let backdoors: Vec<_> = m
            .items
            .iter()
            .filter(|i| i.title == "Backdoor Attacks")
            .map(|i| i.label.as_str())
            .collect();
        assert_eq!(backdoors, ["L1: Backdoor Attacks", "L3: Backdoor Attacks"]);
        assert!(m
            .items
            .iter()
            .all(|i| i.official_id.as_deref() != Some(i.key.as_str()) || !i.key.contains('/')));
        assert_eq!(m.leaves_under("cross-layer").len(), 5);
    }

    #[test]
    fn tm_t16_t17_are_marked_unverified_and_nhi_uses_the_official_form() {
        let all = builtin();
        let tm = all
            .iter()
            .find(|f| f.id == "owasp-agentic-threats-mitigations")
            .unwrap();
        let unverified: Vec<_> = tm
            .items
            .iter()
            .filter(|i| i.uncertain)
            .map(|i| i.key.as_str())
            .collect();
        assert_eq!(unverified, ["T16", "T17"]);
        let nhi = all.iter().find(|f| f.id == "owasp-nhi-top10-2025").unwrap();
        assert_eq!(nhi.items[0].label, "NHI1:2025");
        assert!(nhi.items[0].aliases.contains(&"NHI1".to_owned()));
    }

    #[test]
    fn the_embedded_copy_is_the_shared_research_file() {
        // The catalogs are built from ../shared/frameworks/catalogs.json; the copy in the
        // core keeps the crate buildable on its own. They must not drift.
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/frameworks/catalogs.json");
        let text = std::fs::read_to_string(&shared).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the shared folder sits beside the repository)",
                shared.display()
            )
        });
        assert!(
            text == CATALOGS_JSON,
            "src/frameworks/catalogs.json differs from {}: copy it and bump CATALOG_DATA_VERSION",
            shared.display()
        );
    }

    #[test]
    fn custom_framework_problems_are_all_reported() {
        let text = r#"{"id":"Bad Id","title":"t","short_title":"t","version":"1","publisher":"p",
          "items":[{"key":"A","label":"A","kind":"item"},{"key":"A","label":"A","kind":"item"},
                   {"key":"B","label":"B","kind":"item","parent":"Z"},
                   {"key":"C","label":"C","kind":"item","parent":"D"},
                   {"key":"D","label":"D","kind":"item","parent":"C"}]}"#;
        let problems = parse_custom("frameworks/x.json", text).unwrap_err();
        let messages: Vec<_> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "framework id `Bad Id` is not a slug",
                "item `A` appears twice",
                "item `B` names parent `Z`, which is not an item",
                "item `C` sits under itself",
                "item `D` sits under itself"
            ]
        );
        let problems = parse_custom("frameworks/x.json", "{\n  \"id\": 3\n}").unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].code.as_str()),
            (2, "frameworks::parse")
        );
    }
}
