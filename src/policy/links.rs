//! Template links: `policies/links.toml`, reviewed like the policies themselves.
//!
//! ```toml
//! [[links]]
//! id = "billing-bot-may-use-billing-tools"   # the linked policy's id
//! template = "agent-may-use-tool-group"      # the template's @id
//! principal = 'Agent::"billing-bot"'         # fills ?principal (namespace added when missing)
//! resource = 'ToolGroup::"billing"'          # fills ?resource
//! ```
//!
//! Every problem is located at the link's line in the file: TOML errors, unknown keys,
//! duplicate or clashing ids, unknown templates, a slot filled that the template does not
//! have or left empty when it has it, entity references that do not parse.

use std::collections::HashMap;

use cedar_policy::{EntityUid, PolicyId, PolicySet, SlotId};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Severity};

/// Where template links live, relative to the workspace.
pub const LINKS_FILE: &str = "policies/links.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinksFile {
    #[serde(default)]
    links: Vec<Spanned<RawLink>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    id: Spanned<String>,
    template: Spanned<String>,
    #[serde(default)]
    principal: Option<Spanned<String>>,
    #[serde(default)]
    resource: Option<Spanned<String>>,
}

/// A template-linked policy that was added to the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub template: String,
    /// Byte offset of the `[[links]]` entry in `links.toml`.
    pub start: usize,
    pub end: usize,
    pub line: u32,
}

/// Parses `text` (the links file) and links each entry into `set`, whose templates and
/// policies are already loaded; `taken` maps every id in use to where it is (`file:line`).
/// Unqualified entity types get `namespace`.
pub fn link_all(
    text: &str,
    namespace: Option<&str>,
    set: &mut PolicySet,
    taken: &HashMap<String, String>,
    out: &mut Vec<Diagnostic>,
) -> Vec<Link> {
    let at = |span: std::ops::Range<usize>, code: &str, message: String, help: &str| {
        Diagnostic::at_span(
            LINKS_FILE,
            text,
            span.start,
            span.end,
            Severity::Error,
            code,
            message,
            Some(help.to_owned()),
        )
    };
    let file: LinksFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            out.push(at(
                e.span().unwrap_or(0..0),
                "links::parse",
                e.message().trim_end().to_owned(),
                "each link is a `[[links]]` table with `id`, `template`, and `principal` and/or `resource`",
            ));
            return Vec::new();
        }
    };
    let index = crate::diagnostics::LineIndex::new(text);
    let mut linked: Vec<Link> = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for entry in &file.links {
        let span = entry.span();
        let raw = entry.get_ref();
        let (line, _) = index.position(span.start);
        let id = raw.id.get_ref().trim().to_owned();
        if id.is_empty() {
            out.push(at(
                raw.id.span(),
                "links::empty_id",
                "link `id` is empty".to_owned(),
                "give the linked policy a unique id, e.g. `billing-bot-may-use-billing-tools`",
            ));
            continue;
        }
        if let Some(first) = seen.get(&id) {
            out.push(at(
                raw.id.span(),
                "links::duplicate_id",
                format!("duplicate link id `{id}`: also at {LINKS_FILE}:{first}"),
                "link ids must be unique across the workspace; rename one",
            ));
            continue;
        }
        if let Some(place) = taken.get(&id) {
            out.push(at(
                raw.id.span(),
                "links::duplicate_id",
                format!("link id `{id}` is already a policy id (at {place})"),
                "policy and link ids share one namespace; rename the link",
            ));
            continue;
        }
        seen.insert(id.clone(), line);
        let template_name = raw.template.get_ref().trim();
        let template_id = PolicyId::new(template_name);
        let Some(template) = set.template(&template_id) else {
            let mut known: Vec<String> = set.templates().map(|t| t.id().to_string()).collect();
            known.sort();
            let help = if known.is_empty() {
                "the workspace has no templates; a template is a policy with `?principal` or `?resource` in its scope".to_owned()
            } else {
                format!("templates in the workspace: {}", known.join(", "))
            };
            out.push(at(
                raw.template.span(),
                "links::unknown_template",
                format!("no template `{template_name}`"),
                &help,
            ));
            continue;
        };
        let wants: Vec<SlotId> = template.slots().cloned().collect();
        let mut values: HashMap<SlotId, EntityUid> = HashMap::new();
        let mut ok = true;
        for (slot, name, given) in [
            (SlotId::principal(), "principal", &raw.principal),
            (SlotId::resource(), "resource", &raw.resource),
        ] {
            match (wants.contains(&slot), given) {
                (true, None) => {
                    out.push(at(
                        span.clone(),
                        "links::missing_slot",
                        format!(
                            "link `{id}` does not fill `?{name}` of template `{template_name}`"
                        ),
                        &format!("add `{name} = 'Type::\"id\"'` to the link"),
                    ));
                    ok = false;
                }
                (false, Some(v)) => {
                    out.push(at(
                        v.span(),
                        "links::extra_slot",
                        format!("template `{template_name}` has no `?{name}` slot"),
                        &format!("remove `{name}` from the link"),
                    ));
                    ok = false;
                }
                (true, Some(v)) => match qualify(v.get_ref(), namespace).parse::<EntityUid>() {
                    Ok(uid) => {
                        values.insert(slot, uid);
                    }
                    Err(e) => {
                        out.push(at(
                            v.span(),
                            "links::invalid_entity",
                            format!(
                                "invalid {name} `{}`: {}",
                                v.get_ref(),
                                e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
                            ),
                            "entity references look like `Agent::\"billing-bot\"` (the workspace namespace is added when missing)",
                        ));
                        ok = false;
                    }
                },
                (false, None) => {}
            }
        }
        if !ok {
            continue;
        }
        match set.link(template_id, PolicyId::new(&id), values) {
            Ok(()) => linked.push(Link {
                id,
                template: template_name.to_owned(),
                start: span.start,
                end: span.end,
                line,
            }),
            Err(e) => out.push(at(
                span,
                "links::link",
                e.to_string(),
                "check the template and the slot values",
            )),
        }
    }
    linked
}

/// `Agent::"x"` → `Acme::Agent::"x"` when a namespace is given and the type has none.
fn qualify(s: &str, namespace: Option<&str>) -> String {
    let s = s.trim();
    let Some(ns) = namespace else {
        return s.to_owned();
    };
    let type_part = s.split_once("::\"").map_or(s, |(t, _)| t);
    if type_part.contains("::") {
        s.to_owned()
    } else {
        format!("{ns}::{s}")
    }
}
