//! Alignment tables: the mappings of controls to framework items that agent-security
//! guidance publishes (`Control | Framework | Control / Reference | Relevance`), read from
//! CSV or JSON and planned as mappings of `controls/controls.toml`.
//!
//! Each citation goes through [`resolve`]: an official id is kept as it is; a variant
//! (`GV-1.1`) is written in the official form and the plan says how it was read; anything
//! else is kept as written (`cited`), with no framework or item, so it stays visible and
//! never counts as coverage. Mandate never invents an official id. Rows are independent: a
//! bad row (no control, an unknown control, no reference) is reported at its line and
//! skipped, and the others are kept.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

use super::catalog::Catalogs;
use super::import::{csv_table, json_value, strip_bom, Locator};
use super::resolve::{resolve, Resolution, Suggestion};
use super::{Control, Controls, Mapping};
use crate::diagnostics::Diagnostic;

/// What an alignment table is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    /// An array of `{control, framework, reference, relevance}`.
    Json,
}

impl TableFormat {
    /// `.json`, or text that starts like JSON, is JSON; anything else CSV.
    pub fn detect(path: &str, text: &str) -> Self {
        let body = strip_bom(text).trim_start();
        if path.to_ascii_lowercase().ends_with(".json")
            || body.starts_with('[')
            || body.starts_with('{')
        {
            Self::Json
        } else {
            Self::Csv
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// One row of an alignment table, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CitationRow {
    /// Where the row starts (a CSV line, or the line of a JSON record's `{`).
    pub line: u32,
    pub control: String,
    /// Free text (`OWASP Agentic AI Top 10`, `CSA MAESTRO`) or a Mandate framework id.
    pub framework: String,
    /// The cited item (`ASI03`, `GV-1.1`, `T1`).
    pub reference: String,
    pub relevance: String,
}

impl CitationRow {
    /// The citation as the table writes it: `<framework> <reference>`.
    pub fn cited(&self) -> String {
        format!("{} {}", self.framework.trim(), self.reference.trim())
            .trim()
            .to_owned()
    }
}

/// The rows of a table, the columns it has that are not read, and its bad rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<CitationRow>,
    pub ignored_columns: Vec<String>,
    pub problems: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Control,
    Framework,
    Reference,
    Relevance,
}

/// What a header names, case and spacing aside. `Control / Reference` is the cited item
/// (as guidance tables head it), not Mandate's control.
fn role(header: &str) -> Option<Role> {
    let h = header
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" / ", "/");
    match h.as_str() {
        "control" | "control id" | "mandate control" => Some(Role::Control),
        "framework" => Some(Role::Framework),
        "reference" | "control/reference" | "item" | "reference id" | "citation" => {
            Some(Role::Reference)
        }
        "relevance" => Some(Role::Relevance),
        _ => None,
    }
}

const COLUMNS_HELP: &str = "an alignment table has the columns `control` (a Mandate control id), `framework`, `reference` (or `control / reference`, or `item`) and `relevance`";
const JSON_HELP: &str = "a JSON alignment table is an array of `{\"control\", \"framework\", \"reference\", \"relevance\"}`";

/// Reads an alignment table. A file that is not one (no header, no `control` or reference
/// column, not JSON) is an error; bad rows are in [`Table::problems`].
pub fn read(file: &str, text: &str, format: TableFormat) -> Result<Table, Vec<Diagnostic>> {
    let text = strip_bom(text);
    let loc = Locator::new(file, text);
    match format {
        TableFormat::Csv => read_csv(&loc),
        TableFormat::Json => read_json(&loc),
    }
}

fn read_csv(loc: &Locator<'_>) -> Result<Table, Vec<Diagnostic>> {
    let (table, problems) = csv_table(loc);
    let Some(csv) = table else {
        return Err(problems);
    };
    let mut columns: HashMap<usize, Role> = HashMap::new();
    let mut fatal = Vec::new();
    let mut ignored = Vec::new();
    let mut taken: HashMap<&'static str, &str> = HashMap::new();
    for (n, h) in csv.headers.iter().enumerate() {
        let Some(r) = role(h) else {
            if !h.is_empty() {
                ignored.push(h.clone());
            }
            continue;
        };
        let name = match r {
            Role::Control => "control",
            Role::Framework => "framework",
            Role::Reference => "reference",
            Role::Relevance => "relevance",
        };
        if let Some(first) = taken.insert(name, h) {
            fatal.push(loc.at(
                1,
                1,
                format!("columns `{first}` and `{h}` both give the {name}"),
                "keep one of them",
            ));
        }
        columns.insert(n, r);
    }
    for (r, name) in [(Role::Control, "control"), (Role::Reference, "reference")] {
        if !columns.values().any(|x| *x == r) {
            fatal.push(loc.at(
                1,
                1,
                format!(
                    "no `{name}` column (the header is `{}`)",
                    csv.headers.join(",")
                ),
                COLUMNS_HELP,
            ));
        }
    }
    if !fatal.is_empty() {
        return Err(fatal);
    }
    let rows = csv
        .rows
        .iter()
        .map(|(line, cells)| {
            let mut row = CitationRow {
                line: *line,
                ..CitationRow::default()
            };
            for (n, r) in &columns {
                let cell = cells.get(*n).cloned().unwrap_or_default();
                match r {
                    Role::Control => row.control = cell,
                    Role::Framework => row.framework = cell,
                    Role::Reference => row.reference = cell,
                    Role::Relevance => row.relevance = cell,
                }
            }
            row
        })
        .collect();
    Ok(Table {
        rows,
        ignored_columns: ignored,
        problems,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    #[serde(default)]
    control: String,
    #[serde(default)]
    framework: String,
    #[serde(default, alias = "item")]
    reference: String,
    #[serde(default)]
    relevance: String,
}

fn read_json(loc: &Locator<'_>) -> Result<Table, Vec<Diagnostic>> {
    let value = json_value(loc, JSON_HELP)?;
    if !value.is_array() {
        return Err(vec![loc.at(
            1,
            1,
            "expected a JSON array of mappings".into(),
            JSON_HELP,
        )]);
    }
    let records = serde_json::from_str::<Vec<&RawValue>>(loc.text)
        .map_err(|e| vec![loc.serde(loc.text, &e, "", JSON_HELP)])?;
    let mut table = Table::default();
    for (n, raw) in records.iter().enumerate() {
        let part = raw.get();
        match serde_json::from_str::<JsonRow>(part) {
            Ok(r) => table.rows.push(CitationRow {
                line: loc.line_of(part),
                control: r.control.trim().to_owned(),
                framework: r.framework.trim().to_owned(),
                reference: r.reference.trim().to_owned(),
                relevance: r.relevance.trim().to_owned(),
            }),
            Err(e) => {
                table
                    .problems
                    .push(loc.serde(part, &e, &format!("mapping {}", n + 1), JSON_HELP))
            }
        }
    }
    Ok(table)
}

// ---- planning ----------------------------------------------------------------------------

/// How a row's citation resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MappingOutcome {
    /// The official id or label of an item.
    Exact,
    /// A variant of exactly one official item: written in the official form.
    Variant,
    /// No official item: kept as `cited`, never counted.
    Unresolved,
    /// A bad row (no control, an unknown control, no reference): skipped.
    Invalid,
}

/// One row of an alignment table and what the import makes of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MappingImportRow {
    /// The row's line in the file.
    pub line: u32,
    pub control: String,
    /// The citation as the table writes it: framework column and reference.
    pub cited: String,
    pub outcome: MappingOutcome,
    /// Mandate's framework id, when resolved.
    pub framework: Option<String>,
    /// The item's official id or label (as written to `item`), when resolved.
    pub item: Option<String>,
    /// How a variant was read (`` `GV-1.1` abbreviates NIST AI RMF GOVERN 1.1 ``), or a
    /// remark on a resolved item (a group is not assessed itself).
    pub note: Option<String>,
    /// Why a citation is unresolved, or why a row is invalid.
    pub reason: Option<String>,
    /// Official items a person may pick for an unresolved citation.
    pub suggestions: Vec<Suggestion>,
    /// Already mapped (in the controls file or an earlier row): not added again.
    pub duplicate: bool,
}

/// A control whose mappings the import changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlChange {
    pub control: String,
    /// Its mappings after the import: the existing ones, then the new ones.
    pub mappings: Vec<Mapping>,
    pub added: usize,
    /// A library control the workspace does not list yet (mapping it adopts it).
    pub adopted: bool,
}

/// What importing a table does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub rows: Vec<MappingImportRow>,
    /// In the order the table first names each control.
    pub changes: Vec<ControlChange>,
    /// The invalid rows, located.
    pub problems: Vec<Diagnostic>,
}

/// What a mapping points at, for telling duplicates apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Item(String, String),
    Cited(String),
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn target_of(catalogs: &Catalogs, m: &Mapping) -> Target {
    if let (Some(cited), true) = (&m.cited, m.item.trim().is_empty()) {
        return Target::Cited(norm(cited));
    }
    match super::resolve_mapping(catalogs, m).target() {
        Some((f, k)) => Target::Item(f.to_owned(), k.to_owned()),
        None => Target::Cited(norm(&format!("{} {}", m.framework, m.item))),
    }
}

/// Resolves every row against the catalogs and merges the results into the workspace's
/// controls (`library`: controls a row may adopt). `file` labels the problems.
pub fn plan(
    file: &str,
    catalogs: &Catalogs,
    workspace: &Controls,
    library: &Controls,
    rows: &[CitationRow],
) -> Plan {
    let mut out = Plan::default();
    let mut seen: HashMap<String, HashSet<Target>> = HashMap::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let control = row.control.trim();
        let cited = row.cited();
        let mut report = MappingImportRow {
            line: row.line,
            control: control.to_owned(),
            cited: cited.clone(),
            outcome: MappingOutcome::Invalid,
            framework: None,
            item: None,
            note: None,
            reason: None,
            suggestions: Vec::new(),
            duplicate: false,
        };
        let existing: Option<(&Control, bool)> = workspace
            .controls
            .iter()
            .find(|c| c.id == control)
            .map(|c| (c, false))
            .or_else(|| {
                library
                    .controls
                    .iter()
                    .find(|c| c.id == control)
                    .map(|c| (c, true))
            });
        let invalid = if control.is_empty() {
            Some((
                format!("the row names no control (cites `{cited}`)"),
                "fill in the `control` column with a control id, e.g. `MND-CRED-01`".to_owned(),
            ))
        } else if existing.is_none() {
            let near = workspace
                .controls
                .iter()
                .chain(&library.controls)
                .find(|c| c.id.eq_ignore_ascii_case(control))
                .map(|c| c.id.clone());
            Some((
                format!("no control `{control}` in controls/controls.toml or the control library"),
                match near {
                    Some(id) => format!("did you mean `{id}`? control ids are case-sensitive"),
                    None => "use a control id from controls/controls.toml or the library (`MND-…`)"
                        .to_owned(),
                },
            ))
        } else if row.reference.trim().is_empty() {
            Some((
                format!("the row for `{control}` cites no item (the reference is empty)"),
                "fill in the reference, e.g. `ASI03` or `GOVERN 1.1`".to_owned(),
            ))
        } else {
            None
        };
        let Some((control_ref, adopted)) = existing.filter(|_| invalid.is_none()) else {
            let (message, help) = invalid.unwrap_or_default();
            out.problems
                .push(Locator::new(file, "").at(row.line, 1, message.clone(), &help));
            report.reason = Some(message);
            out.rows.push(report);
            continue;
        };
        let framework = Some(row.framework.trim()).filter(|f| !f.is_empty());
        let resolution = resolve(catalogs, framework, &row.reference);
        let mapping = match &resolution {
            Resolution::Exact { framework, key } | Resolution::Variant { framework, key, .. } => {
                let fw = catalogs.get(framework);
                let item = fw.and_then(|f| f.item(key));
                let label = item.map_or_else(|| key.clone(), |i| i.label.clone());
                report.outcome = if matches!(resolution, Resolution::Exact { .. }) {
                    MappingOutcome::Exact
                } else {
                    MappingOutcome::Variant
                };
                if let Resolution::Variant { note, .. } = &resolution {
                    report.note = Some(note.clone());
                }
                if let (Some(fw), Some(i)) = (fw, item.filter(|i| !i.assessable)) {
                    let remark = format!(
                        "{} is a {} of {}, not assessed itself ({} items under it are): stored, not counted",
                        i.label,
                        i.kind,
                        fw.short_title,
                        fw.leaves_under(&i.key).len()
                    );
                    report.note = Some(match report.note.take() {
                        Some(n) => format!("{n}; {remark}"),
                        None => remark,
                    });
                }
                report.framework = Some(framework.clone());
                report.item = Some(label.clone());
                Mapping {
                    framework: framework.clone(),
                    item: label,
                    relevance: row.relevance.trim().to_owned(),
                    cited: None,
                }
            }
            Resolution::Unresolved {
                reason,
                suggestions,
            } => {
                report.outcome = MappingOutcome::Unresolved;
                report.reason = Some(reason.clone());
                report.suggestions = suggestions.clone();
                Mapping {
                    framework: String::new(),
                    item: String::new(),
                    relevance: row.relevance.trim().to_owned(),
                    cited: Some(cited),
                }
            }
        };
        let n = *index.entry(control.to_owned()).or_insert_with(|| {
            out.changes.push(ControlChange {
                control: control.to_owned(),
                mappings: control_ref.mappings.clone(),
                added: 0,
                adopted,
            });
            out.changes.len() - 1
        });
        let targets = seen.entry(control.to_owned()).or_insert_with(|| {
            control_ref
                .mappings
                .iter()
                .map(|m| target_of(catalogs, m))
                .collect()
        });
        if targets.insert(target_of(catalogs, &mapping)) {
            if let Some(change) = out.changes.get_mut(n) {
                change.mappings.push(mapping);
                change.added += 1;
            }
        } else {
            report.duplicate = true;
        }
        out.rows.push(report);
    }
    out.changes.retain(|c| c.added > 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::catalog::builtin;

    fn catalogs() -> Catalogs {
        Catalogs::new(builtin().to_vec())
    }

    const TABLE: &str = "\
Control,Framework,Control / Reference,Relevance,Notes
MND-AUTHZ-01,OWASP Agentic AI Top 10,ASI03,Per-action authorization,x
MND-OWN-01,NIST AI RMF,GV-1.1,Accountability recorded,
MND-DELEG-01,CSA MAESTRO,T1,Delegation,
MND-OWN-01,NIST AI RMF,GOV-2,Roles,
MND-CRED-01,OWASP Agentic AI Top 10,A2,Short-lived credentials,
MND-NOPE-01,OWASP Agentic AI Top 10,ASI03,Unknown control,
MND-CRED-02,NIST AI RMF,,Empty reference,
MND-AUTHZ-01,,ASI03,Same item again,
";

    #[test]
    fn csv_headers_are_recognised_case_insensitively_and_extra_columns_named() {
        let t = read("a.csv", TABLE, TableFormat::Csv).unwrap();
        assert_eq!(t.ignored_columns, ["notes"]);
        assert_eq!(t.problems, vec![]);
        assert_eq!(t.rows.len(), 8);
        assert_eq!(
            t.rows[0],
            CitationRow {
                line: 2,
                control: "MND-AUTHZ-01".into(),
                framework: "OWASP Agentic AI Top 10".into(),
                reference: "ASI03".into(),
                relevance: "Per-action authorization".into(),
            }
        );
        assert_eq!(t.rows[7].line, 9);
    }

    #[test]
    fn a_table_without_a_control_or_reference_column_is_refused() {
        let e = read(
            "a.csv",
            "Framework,Reference\nNIST,GV-1.1\n",
            TableFormat::Csv,
        )
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 1);
        assert_eq!(
            e[0].message,
            "no `control` column (the header is `framework,reference`)"
        );
        let e = read("a.csv", "control,framework\nA,B\n", TableFormat::Csv).unwrap_err();
        assert!(e[0].message.starts_with("no `reference` column"), "{e:?}");
        let e = read("a.csv", "control,item,reference\nA,B,C\n", TableFormat::Csv).unwrap_err();
        assert_eq!(
            e[0].message,
            "columns `item` and `reference` both give the reference"
        );
    }

    #[test]
    fn csv_rows_with_the_wrong_cell_count_are_located() {
        let t = read(
            "a.csv",
            "control,reference\nMND-CRED-01,ASI03\nMND-CRED-01\nMND-CRED-01,ASI03,extra\n",
            TableFormat::Csv,
        )
        .unwrap();
        assert_eq!(t.rows.len(), 1);
        let lines: Vec<(u32, &str)> = t
            .problems
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (3, "row has 1 cells; the header has 2"),
                (4, "row has 3 cells; the header has 2")
            ]
        );
    }

    #[test]
    fn json_tables_locate_each_record_and_every_bad_one() {
        let text = "[\n  {\"control\": \"MND-CRED-01\", \"framework\": \"NIST AI RMF\", \"reference\": \"GV-1.1\"},\n  {\"control\": \"MND-CRED-01\", \"refrence\": \"ASI03\"},\n  {\"control\": \"MND-CRED-02\",\n   \"item\": 3}\n]\n";
        let t = read("a.json", text, TableFormat::Json).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[0].reference, "GV-1.1");
        let located: Vec<(u32, &str)> = t
            .problems
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(located[0].0, 3);
        assert!(
            located[0]
                .1
                .starts_with("mapping 2: unknown field `refrence`"),
            "{located:?}"
        );
        assert_eq!(located[1].0, 5);
        assert!(
            located[1]
                .1
                .starts_with("mapping 3: invalid type: integer `3`"),
            "{located:?}"
        );
        let e = read("a.json", "[\n{\"control\": }", TableFormat::Json).unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 13));
        let e = read("a.json", "{\"control\": \"x\"}", TableFormat::Json).unwrap_err();
        assert_eq!(e[0].message, "expected a JSON array of mappings");
    }

    #[test]
    fn rows_resolve_exactly_as_variants_or_stay_cited() {
        let t = read("a.csv", TABLE, TableFormat::Csv).unwrap();
        // The library's own mappings cleared, so duplicates are only those of the table.
        let mut library = crate::frameworks::library();
        for c in &mut library.controls {
            c.mappings.clear();
        }
        let mut workspace = library.clone();
        workspace.controls.retain(|c| c.id != "MND-CRED-01");
        let p = plan("a.csv", &catalogs(), &workspace, &library, &t.rows);
        let got: Vec<(u32, MappingOutcome, Option<&str>, bool)> = p
            .rows
            .iter()
            .map(|r| (r.line, r.outcome, r.item.as_deref(), r.duplicate))
            .collect();
        use MappingOutcome::*;
        assert_eq!(
            got,
            [
                (2, Exact, Some("ASI03"), false),
                (3, Variant, Some("GOVERN 1.1"), false),
                (4, Unresolved, None, false),
                (5, Unresolved, None, false),
                (6, Unresolved, None, false),
                (7, Invalid, None, false),
                (8, Invalid, None, false),
                (9, Exact, Some("ASI03"), true),
            ]
        );
        assert_eq!(
            p.rows[1].note.as_deref(),
            Some("`GV-1.1` abbreviates NIST AI RMF GOVERN 1.1")
        );
        assert_eq!(p.rows[2].cited, "CSA MAESTRO T1");
        assert_eq!(p.rows[2].suggestions[0].label, "T1");
        assert_eq!(p.rows[4].suggestions[0].label, "ASI02");
        let problems: Vec<(u32, &str)> = p
            .problems
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                (
                    7,
                    "no control `MND-NOPE-01` in controls/controls.toml or the control library"
                ),
                (
                    8,
                    "the row for `MND-CRED-02` cites no item (the reference is empty)"
                )
            ]
        );
        assert!(p.problems.iter().all(|d| d.file == "a.csv"));

        let changes: Vec<(&str, usize, bool)> = p
            .changes
            .iter()
            .map(|c| (c.control.as_str(), c.added, c.adopted))
            .collect();
        assert_eq!(
            changes,
            [
                ("MND-AUTHZ-01", 1, false),
                ("MND-OWN-01", 2, false),
                ("MND-DELEG-01", 1, false),
                ("MND-CRED-01", 1, true)
            ]
        );
        let own = &p.changes[1].mappings;
        assert_eq!(
            own[0],
            Mapping {
                framework: "nist-ai-rmf-1.0".into(),
                item: "GOVERN 1.1".into(),
                relevance: "Accountability recorded".into(),
                cited: None
            }
        );
        assert_eq!(
            own[1],
            Mapping {
                framework: String::new(),
                item: String::new(),
                relevance: "Roles".into(),
                cited: Some("NIST AI RMF GOV-2".into())
            }
        );
    }

    /// The library, and a workspace of it whose MND-AUTHZ-01 has `mappings`.
    fn with_authz_mappings(mappings: Vec<Mapping>) -> (Controls, Controls) {
        let library = crate::frameworks::library();
        let mut workspace = library.clone();
        let authz = workspace
            .controls
            .iter_mut()
            .find(|c| c.id == "MND-AUTHZ-01")
            .unwrap();
        authz.mappings = mappings;
        (library, workspace)
    }

    #[test]
    fn existing_mappings_are_kept_and_not_duplicated_even_when_written_differently() {
        let (library, workspace) = with_authz_mappings(vec![
            Mapping {
                framework: "owasp-agentic-top10-2026".into(),
                item: "ASI3".into(),
                relevance: "kept".into(),
                cited: None,
            },
            Mapping {
                cited: Some("CSA MAESTRO T1".into()),
                ..Mapping::default()
            },
        ]);
        let rows = [
            CitationRow {
                line: 2,
                control: "MND-AUTHZ-01".into(),
                framework: "owasp-agentic-top10-2026".into(),
                reference: "ASI03".into(),
                relevance: "new".into(),
            },
            CitationRow {
                line: 3,
                control: "MND-AUTHZ-01".into(),
                framework: "csa  maestro".into(),
                reference: "t1".into(),
                relevance: String::new(),
            },
        ];
        let p = plan("a.csv", &catalogs(), &workspace, &library, &rows);
        assert!(p.rows.iter().all(|r| r.duplicate), "{:?}", p.rows);
        assert!(p.changes.is_empty());
    }

    #[test]
    fn a_mapping_under_an_unknown_framework_id_does_not_stand_for_the_real_item() {
        // `owasp-agentic-top10-2025` is not a framework: coverage never counts that mapping,
        // so the import must not take it as already covering ASI03.
        let (library, workspace) = with_authz_mappings(vec![Mapping {
            framework: "owasp-agentic-top10-2025".into(),
            item: "ASI03".into(),
            relevance: "mistyped id".into(),
            cited: None,
        }]);
        let rows = [CitationRow {
            line: 2,
            control: "MND-AUTHZ-01".into(),
            framework: "owasp-agentic-top10-2026".into(),
            reference: "ASI03".into(),
            relevance: "new".into(),
        }];
        let p = plan("a.csv", &catalogs(), &workspace, &library, &rows);
        assert!(!p.rows[0].duplicate, "{:?}", p.rows);
        assert_eq!(p.changes.len(), 1);
    }

    #[test]
    fn a_group_item_is_mapped_but_the_note_says_it_is_not_counted() {
        let library = crate::frameworks::library();
        let rows = [CitationRow {
            line: 2,
            control: "MND-OWN-01".into(),
            framework: "nist-ai-rmf-1.0".into(),
            reference: "GOVERN 1".into(),
            relevance: String::new(),
        }];
        let p = plan("a.csv", &catalogs(), &library, &library, &rows);
        assert_eq!(p.rows[0].outcome, MappingOutcome::Exact);
        assert_eq!(
            p.rows[0].note.as_deref(),
            Some("GOVERN 1 is a category of NIST AI RMF 1.0, not assessed itself (7 items under it are): stored, not counted")
        );
    }
}
