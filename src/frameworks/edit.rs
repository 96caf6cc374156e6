//! Edits to `controls/controls.toml` that keep the rest of the file as written (comments,
//! order, spacing): a control's mappings, and the items marked not applicable.

use toml_edit::{value, Array, ArrayOfTables, DocumentMut, Item as TomlItem, Table};

use super::{Attestation, Control, Mapping, NotApplicable};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("controls/controls.toml does not parse at line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error("`controls` in controls/controls.toml is not an array of tables")]
    Shape,
    #[error("no control `{0}` in the workspace or the library")]
    UnknownControl(String),
}

fn parse(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|e| EditError::Parse {
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1),
        message: e.message().trim().to_owned(),
    })
}

fn controls_mut(doc: &mut DocumentMut) -> Result<&mut ArrayOfTables, EditError> {
    if !doc.contains_key("controls") {
        doc.insert("controls", TomlItem::ArrayOfTables(ArrayOfTables::new()));
    }
    doc["controls"]
        .as_array_of_tables_mut()
        .ok_or(EditError::Shape)
}

fn strings(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

/// A control as a new `[[controls]]` table.
fn control_table(c: &Control) -> Table {
    let mut t = Table::new();
    t["id"] = value(&c.id);
    t["title"] = value(&c.title);
    t["statement"] = value(&c.statement);
    if !c.rationale.is_empty() {
        t["rationale"] = value(&c.rationale);
    }
    t["policies"] = value(strings(&c.policies));
    t["checks"] = value(strings(&c.checks));
    if !c.insights.is_empty() {
        t["insights"] = value(strings(&c.insights));
    }
    if !c.attestations.is_empty() {
        t["attestations"] = TomlItem::ArrayOfTables(attestations(&c.attestations));
    }
    t
}

fn attestations(list: &[Attestation]) -> ArrayOfTables {
    let mut out = ArrayOfTables::new();
    for a in list {
        let mut t = Table::new();
        t["statement"] = value(&a.statement);
        t["by"] = value(&a.by);
        t["date"] = value(&a.date);
        t["expires"] = value(&a.expires);
        out.push(t);
    }
    out
}

fn mappings(list: &[Mapping]) -> ArrayOfTables {
    let mut out = ArrayOfTables::new();
    for m in list {
        let mut t = Table::new();
        if !m.framework.is_empty() {
            t["framework"] = value(&m.framework);
        }
        if !m.item.is_empty() {
            t["item"] = value(&m.item);
        }
        if let Some(c) = &m.cited {
            t["cited"] = value(c);
        }
        t["relevance"] = value(&m.relevance);
        out.push(t);
    }
    out
}

/// Replaces control `id`'s mappings. A library control the workspace does not list yet is
/// added first (`library`), so mapping it adopts it.
pub fn set_mappings(
    text: &str,
    id: &str,
    new: &[Mapping],
    library: Option<&Control>,
) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let controls = controls_mut(&mut doc)?;
    let pos = controls
        .iter()
        .position(|t| t.get("id").and_then(|v| v.as_str()) == Some(id));
    let table = match pos {
        Some(n) => controls.get_mut(n).ok_or(EditError::Shape)?,
        None => {
            let c = library.ok_or_else(|| EditError::UnknownControl(id.to_owned()))?;
            controls.push(control_table(c));
            let last = controls.len() - 1;
            controls.get_mut(last).ok_or(EditError::Shape)?
        }
    };
    if new.is_empty() {
        table.remove("mappings");
    } else {
        table["mappings"] = TomlItem::ArrayOfTables(mappings(new));
    }
    Ok(doc.to_string())
}

/// Marks `framework`/`item` not applicable with a justification (`Some`), or applicable
/// again (`None`).
pub fn set_not_applicable(
    text: &str,
    framework: &str,
    item: &str,
    justification: Option<&str>,
) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    if !doc.contains_key("not_applicable") {
        doc.insert(
            "not_applicable",
            TomlItem::ArrayOfTables(ArrayOfTables::new()),
        );
    }
    let list = doc["not_applicable"]
        .as_array_of_tables_mut()
        .ok_or(EditError::Shape)?;
    let same = |t: &Table| {
        t.get("framework").and_then(|v| v.as_str()) == Some(framework)
            && t.get("item").and_then(|v| v.as_str()) == Some(item)
    };
    list.retain(|t| !same(t));
    if let Some(j) = justification {
        let na = NotApplicable {
            framework: framework.to_owned(),
            item: item.to_owned(),
            justification: j.to_owned(),
        };
        let mut t = Table::new();
        t["framework"] = value(na.framework);
        t["item"] = value(na.item);
        t["justification"] = value(na.justification);
        list.push(t);
    }
    if list.is_empty() {
        doc.remove("not_applicable");
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::{parse as parse_controls, CONTROLS_FILE};

    const TEXT: &str = "# our controls\n\n[[controls]]\nid = \"A-1\" # keep me\ntitle = \"t\"\nstatement = \"s\"\n";

    fn m(item: &str) -> Mapping {
        Mapping {
            framework: "owasp-agentic-top10-2026".into(),
            item: item.into(),
            relevance: "because".into(),
            cited: None,
        }
    }

    #[test]
    fn mappings_are_replaced_and_comments_kept() {
        let out = set_mappings(TEXT, "A-1", &[m("ASI03"), m("ASI07")], None).unwrap();
        assert!(out.starts_with("# our controls\n"));
        assert!(out.contains("id = \"A-1\" # keep me"));
        let (parsed, problems) = parse_controls(CONTROLS_FILE, &out);
        assert_eq!(problems, vec![]);
        assert_eq!(parsed.controls[0].mappings, vec![m("ASI03"), m("ASI07")]);
        let out = set_mappings(&out, "A-1", &[], None).unwrap();
        assert!(parse_controls(CONTROLS_FILE, &out).0.controls[0]
            .mappings
            .is_empty());
    }

    #[test]
    fn mapping_a_library_control_adds_it_and_unknown_ones_are_refused() {
        let lib = crate::frameworks::library();
        let c = lib.controls.iter().find(|c| c.id == "MND-ENV-01").unwrap();
        let out = set_mappings(TEXT, "MND-ENV-01", &[m("ASI03")], Some(c)).unwrap();
        let parsed = parse_controls(CONTROLS_FILE, &out).0;
        assert_eq!(parsed.controls.len(), 2);
        assert_eq!(parsed.controls[1].policies, c.policies);
        assert_eq!(parsed.controls[1].mappings, vec![m("ASI03")]);
        assert_eq!(
            set_mappings(TEXT, "NOPE", &[], None),
            Err(EditError::UnknownControl("NOPE".into()))
        );
        assert!(matches!(
            set_mappings("[[controls]\n", "A-1", &[], None),
            Err(EditError::Parse { line: 1, .. })
        ));
    }

    #[test]
    fn not_applicable_is_set_and_cleared() {
        let out = set_not_applicable(
            TEXT,
            "csa-maestro",
            "L6: Bias in Security AI Agents",
            Some("we run no security agents"),
        )
        .unwrap();
        let parsed = parse_controls(CONTROLS_FILE, &out).0;
        assert_eq!(
            parsed.not_applicable[0].justification,
            "we run no security agents"
        );
        let out = set_not_applicable(&out, "csa-maestro", "L6: Bias in Security AI Agents", None)
            .unwrap();
        assert!(parse_controls(CONTROLS_FILE, &out)
            .0
            .not_applicable
            .is_empty());
        assert!(!out.contains("not_applicable"));
    }
}
