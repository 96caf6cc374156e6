//! OSCAL exports: a component-definition describing how the workspace's agent controls
//! implement framework items, and, beside it, one catalog per framework that Mandate derives
//! from the framework's source (no publisher ships one: NIST's AI RMF catalog was announced,
//! not found; OWASP and CSA publish none).
//!
//! **Ids.** OSCAL ids are tokens (no spaces, no colons), so `GOVERN 1.1` or `NHI1:2025`
//! cannot be control ids. [`mint_id`] mints them under a namespace per framework
//! (`nist-ai-rmf-govern-1.1`, `owasp-nhi-2025-nhi1`, `csa-maestro-l7-agent-tool-misuse`);
//! the official label stays in each control's `label` prop, and every derived catalog says
//! it is Mandate's, not the publisher's.
//!
//! **UUIDs** are version 5, from stable names (workspace, framework, item, control), so two
//! exports of the same workspace differ only where coverage changed.
//!
//! The written `oscal-version` is [`OSCAL_VERSION`]: the newest that compliance-trestle 5.2
//! (the current release) validates.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{alignments, one_line, Alignment, Context, ExportError, File, Place};
use crate::frameworks::catalog::{Origin, CATALOG_DATA_VERSION};
use crate::frameworks::coverage::{CoverageReport, EvidenceKind, FrameworkCoverage, ItemCoverage};

/// The OSCAL version written (1.2.2 is current; trestle 5.2 accepts 1.2.0–1.2.1).
pub const OSCAL_VERSION: &str = "1.2.1";

/// The namespace of Mandate's own props and parts (a name, not a page to fetch).
pub const NS: &str = "https://example.invalid/mandate/ns/oscal";

/// The media type of an OSCAL catalog in JSON.
const CATALOG_MEDIA_TYPE: &str = "application/oscal.catalog+json";

/// A UUID v5 in Mandate's namespace.
pub fn uuid(name: &str) -> String {
    let ns = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
    Uuid::new_v5(&ns, name.as_bytes()).to_string()
}

/// The id namespace of a framework's derived catalog: a short, stable prefix for the built-in
/// frameworks, the framework id itself for a workspace's own.
pub fn id_namespace(framework: &str) -> String {
    match framework {
        "nist-ai-rmf-1.0" => "nist-ai-rmf".into(),
        "owasp-agentic-top10-2026" => "owasp-asi-2026".into(),
        "owasp-nhi-top10-2025" => "owasp-nhi-2025".into(),
        "owasp-agentic-threats-mitigations" => "owasp-agentic-tm".into(),
        "csa-maestro" => "csa-maestro".into(),
        other => {
            let s = slug(other);
            if s.starts_with(|c: char| c.is_ascii_lowercase()) {
                s
            } else {
                format!("fw-{s}")
            }
        }
    }
}

/// Lowercase ASCII letters, digits and `.`; every other run of characters becomes one `-`.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_owned()
}

/// The OSCAL id Mandate mints for an item of a framework, from the item's label:
/// `GOVERN 1.1` → `nist-ai-rmf-govern-1.1`, `ASI01` → `owasp-asi-2026-asi01`, `NHI1:2025`
/// → `owasp-nhi-2025-nhi1` (the year is the namespace's), `T1` → `owasp-agentic-tm-t1`,
/// `L7: Agent Tool Misuse` → `csa-maestro-l7-agent-tool-misuse`. Always a valid token.
pub fn mint_id(framework: &str, label: &str) -> String {
    let ns = id_namespace(framework);
    let mut label = label.trim();
    // `NHI1:2025` in the `owasp-nhi-2025` namespace: the year says nothing new.
    if let Some((head, year)) = label.rsplit_once(':') {
        if year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && ns.ends_with(&format!("-{year}"))
        {
            label = head;
        }
    }
    let s = slug(label);
    if s.is_empty() {
        format!("{ns}-item")
    } else {
        format!("{ns}-{s}")
    }
}

/// Whether `s` is an OSCAL token (the id and name syntax), ASCII subset: a letter or `_`,
/// then letters, digits, `_`, `-` and `.`.
pub fn is_token(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The minted id of every item of a framework, by item key; a clash (two labels that slug
/// alike) gets `-2`, `-3` … in catalog order.
pub fn mint_ids(fw: &FrameworkCoverage) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut taken: HashMap<String, u32> = HashMap::new();
    for item in &fw.items {
        let base = mint_id(&fw.id, &item.label);
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        let id = if *n == 1 { base } else { format!("{base}-{n}") };
        out.insert(item.key.clone(), id);
    }
    out
}

/// The file name of a framework's derived catalog beside the component-definition.
pub fn catalog_file_name(stem: &str, framework: &str) -> String {
    format!("{stem}.{framework}.catalog.json")
}

// ---- the OSCAL shapes written (field order as the OSCAL JSON reference lists it) -------

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    last_modified: String,
    version: String,
    oscal_version: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
struct Prop {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ns: Option<&'static str>,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

impl Prop {
    /// An OSCAL prop (no namespace); `None` when the value is blank.
    fn oscal(name: &str, value: &str) -> Option<Self> {
        Self::make(name, None, value)
    }

    /// A Mandate prop; `None` when the value is blank.
    fn mandate(name: &str, value: &str) -> Option<Self> {
        Self::make(name, Some(NS), value)
    }

    fn make(name: &str, ns: Option<&'static str>, value: &str) -> Option<Self> {
        // A prop value is one line without surrounding space.
        let value = one_line(value);
        (!value.is_empty()).then(|| Self {
            name: name.to_owned(),
            ns,
            value,
            class: None,
            remarks: None,
        })
    }

    fn class(mut self, class: &str) -> Self {
        self.class = is_token(class).then(|| class.to_owned());
        self
    }

    fn remarks(mut self, remarks: &str) -> Self {
        self.remarks = (!remarks.trim().is_empty()).then(|| remarks.trim().to_owned());
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Link {
    href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rel: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

#[derive(Serialize)]
struct Part {
    id: String,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    prose: String,
}

#[derive(Serialize)]
struct Control {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    controls: Vec<Control>,
}

#[derive(Serialize)]
struct Group {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Group>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    controls: Vec<Control>,
}

#[derive(Serialize)]
struct Hash {
    algorithm: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Rlink {
    href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
}

#[derive(Serialize)]
struct Citation {
    text: String,
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citation: Option<Citation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rlinks: Vec<Rlink>,
}

#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Catalog {
    uuid: String,
    metadata: Metadata,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Group>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    controls: Vec<Control>,
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ImplementedRequirement {
    uuid: String,
    control_id: String,
    description: String,
    props: Vec<Prop>,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlImplementation {
    uuid: String,
    source: String,
    description: String,
    props: Vec<Prop>,
    implemented_requirements: Vec<ImplementedRequirement>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    description: String,
    purpose: String,
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    control_implementations: Vec<ControlImplementation>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ComponentDefinition {
    uuid: String,
    metadata: Metadata,
    components: Vec<Component>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_matter: Option<BackMatter>,
}

fn pretty<T: Serialize>(root: &str, value: &T) -> Result<String, ExportError> {
    let mut map = serde_json::Map::new();
    map.insert(root.to_owned(), serde_json::to_value(value)?);
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map))?;
    text.push('\n');
    Ok(text)
}

// ---- the export --------------------------------------------------------------------------

/// The component-definition (main file) and one derived catalog per framework of the report
/// (beside it, `<stem>.<framework-id>.catalog.json`, where `stem` is the main file's name
/// without its extension).
pub fn export(report: &CoverageReport, ctx: &Context<'_>) -> Result<Vec<File>, ExportError> {
    let stem = ctx.stem;
    let mut catalogs = Vec::new();
    let mut hashes = HashMap::new();
    for fw in &report.frameworks {
        let text = pretty("catalog", &catalog(fw, ctx, report))?;
        hashes.insert(
            fw.id.clone(),
            format!("{:x}", Sha256::digest(text.as_bytes())),
        );
        catalogs.push(File {
            place: Place::Beside(catalog_file_name(stem, &fw.id)),
            text,
        });
    }
    let main = pretty(
        "component-definition",
        &component_definition(report, ctx, stem, &hashes),
    )?;
    let mut files = vec![File {
        place: Place::Main,
        text: main,
    }];
    files.extend(catalogs);
    Ok(files)
}

fn component_definition(
    report: &CoverageReport,
    ctx: &Context<'_>,
    stem: &str,
    hashes: &HashMap<String, String>,
) -> ComponentDefinition {
    let ws = one_line(ctx.workspace);
    let rows = alignments(report);
    let mut implementations = Vec::new();
    let mut resources = Vec::new();
    for fw in &report.frameworks {
        let mine: Vec<&Alignment<'_>> = rows.iter().filter(|a| a.framework.id == fw.id).collect();
        if mine.is_empty() {
            // OSCAL needs at least one implemented requirement per control-implementation.
            continue;
        }
        let ids = mint_ids(fw);
        let file = catalog_file_name(stem, &fw.id);
        let resource = uuid(&format!("catalog-resource|{ws}|{}", fw.id));
        resources.push(Resource {
            uuid: resource.clone(),
            title: format!("{} (derived by Mandate)", one_line(&fw.short_title)),
            description: Some(format!(
                "The OSCAL catalog Mandate derives from {}, written beside this file. Not the publisher's own.",
                one_line(&fw.title)
            )),
            citation: None,
            rlinks: vec![Rlink {
                href: file.clone(),
                media_type: Some(CATALOG_MEDIA_TYPE),
                hashes: hashes
                    .get(&fw.id)
                    .map(|h| Hash {
                        algorithm: "SHA-256",
                        value: h.clone(),
                    })
                    .into_iter()
                    .collect(),
            }],
        });
        let requirements = mine
            .iter()
            .map(|a| requirement(report, &ws, a, &ids))
            .collect();
        implementations.push(ControlImplementation {
            uuid: uuid(&format!("control-implementation|{ws}|{}", fw.id)),
            source: format!("#{resource}"),
            description: format!(
                "How the {ws} agent controls address {}. Control ids are minted by Mandate in the derived catalog `{file}` (not the publisher's own); each control's official label is its `label` prop there.",
                one_line(&fw.title)
            ),
            props: [
                Prop::mandate("framework-id", &fw.id),
                Prop::mandate("coverage-percent", &format!("{:.1}", fw.percent)),
                Prop::mandate("applicable", &fw.applicable.to_string()),
                Prop::mandate("implemented", &fw.implemented.to_string()),
                Prop::mandate("partial", &fw.partial.to_string()),
                Prop::mandate("planned", &fw.planned.to_string()),
                Prop::mandate("uncovered", &fw.uncovered.to_string()),
                Prop::mandate("not-applicable", &fw.not_applicable.to_string()),
            ]
            .into_iter()
            .flatten()
            .collect(),
            implemented_requirements: requirements,
        });
    }

    let frameworks: Vec<&str> = report.frameworks.iter().map(|f| f.id.as_str()).collect();
    let scope = match report.frameworks.as_slice() {
        [one] => one_line(&one.short_title),
        _ => "AI security frameworks".to_owned(),
    };
    let mut meta_props: Vec<Prop> = [
        Prop::mandate("generator", "Mandate"),
        Prop::mandate("catalog-data-version", &report.catalog_version),
        Prop::mandate(
            "max-evidence-age-days",
            &report.max_evidence_age_days.to_string(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(set) = &report.traffic_set {
        meta_props.extend(Prop::mandate("traffic-set", set));
    }
    ComponentDefinition {
        uuid: uuid(&format!("component-definition|{ws}|{}", frameworks.join(","))),
        metadata: Metadata {
            title: format!("{ws}: agent controls mapped to {scope}"),
            last_modified: report.generated_at.clone(),
            version: report.generated_at.clone(),
            oscal_version: OSCAL_VERSION,
            props: meta_props,
            links: Vec::new(),
            remarks: Some(format!(
                "Exported by Mandate from the workspace `{ws}` at {}. Each implemented requirement is one mapping of a control to a framework item; its `implementation-status` is derived from the control's evidence (policies that validate and decide recent recorded traffic or are proved by analysis, inventory checks that pass, traffic insights with no finding or whose attempts were all denied, unexpired attestations), never typed in. The control ids are minted by Mandate in catalogs it derives from each framework's source: they are not the publishers' ids.",
                report.generated_at
            )),
        },
        components: vec![Component {
            uuid: uuid(&format!("component|{ws}")),
            kind: "policy",
            title: format!("{ws} agent controls"),
            description: component_description(report, &ws),
            purpose: "Govern AI agents as workloads with their own identity and least privilege.".into(),
            props: Prop::mandate("workspace", &ws).into_iter().collect(),
            control_implementations: implementations,
        }],
        back_matter: (!resources.is_empty()).then_some(BackMatter { resources }),
    }
}

/// What the component is: the workspace's controls, listed.
fn component_description(report: &CoverageReport, ws: &str) -> String {
    let mut s = format!(
        "The {} control(s) the workspace `{ws}` keeps for its AI agents, each enforced by Cedar policies or inventory checks and evidenced by recorded traffic, traffic insights or attestations, with the status that evidence shows:\n",
        report.controls.len()
    );
    for c in &report.controls {
        s.push_str(&format!(
            "\n- {} {}: {}",
            c.id,
            one_line(&c.title),
            c.status.as_str()
        ));
    }
    s
}

fn requirement(
    report: &CoverageReport,
    ws: &str,
    a: &Alignment<'_>,
    ids: &HashMap<String, String>,
) -> ImplementedRequirement {
    let (fw, item, control) = (a.framework, a.item, a.control);
    let control_id = ids
        .get(&item.key)
        .cloned()
        .unwrap_or_else(|| mint_id(&fw.id, &item.label));
    let mut description = format!(
        "{} {}: {}",
        control.id,
        one_line(&control.title),
        one_line(&control.statement)
    );
    if !a.relevance.is_empty() {
        description.push_str(&format!(
            "\n\nRelevance to {}: {}",
            one_line(&item.label),
            one_line(&a.relevance)
        ));
    }
    let state = super::oscal_state(item.status, control.status).unwrap_or("planned");
    let mut props: Vec<Prop> = [
        Prop::oscal("implementation-status", state),
        Prop::mandate("control", &control.id),
        Prop::mandate("control-status", control.status.as_str()),
        Prop::mandate("item-label", &item.label),
        Prop::mandate("item-status", item.status.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut remarks = if control.evidence.is_empty() {
        "No evidence: the control has no enforcing policy, inventory check, traffic insight or attestation.".to_owned()
    } else {
        format!("Evidence as of {}:\n", report.generated_at)
    };
    for ev in &control.evidence {
        let at = super::location(ev.file.as_deref(), ev.line);
        if ev.kind == EvidenceKind::Policy {
            props.extend(Prop::mandate("enforcing-policy", &ev.subject).map(|p| p.remarks(&at)));
        }
        props.extend(
            Prop::mandate(
                "evidence",
                &format!("{}: {}", ev.subject, super::state_str(ev.state)),
            )
            .map(|p| p.class(super::kind_str(ev.kind)).remarks(&ev.detail)),
        );
        let mut line = format!(
            "\n- {} `{}`: {}",
            super::kind_str(ev.kind),
            one_line(&ev.subject).replace('`', "'"),
            super::state_str(ev.state)
        );
        if !ev.detail.is_empty() {
            line.push_str(&format!(", {}", one_line(&ev.detail)));
        }
        if let Some(t) = &ev.at {
            line.push_str(&format!(" (as of {t})"));
        }
        if !at.is_empty() {
            line.push_str(&format!(" at `{at}`"));
        }
        remarks.push_str(&line);
    }
    if let Some(j) = &item.justification {
        remarks.push_str(&format!(
            "\n\nThe organisation marked {} not applicable: {}",
            one_line(&item.label),
            one_line(j)
        ));
    }
    ImplementedRequirement {
        uuid: uuid(&format!(
            "implemented-requirement|{ws}|{}|{}|{}",
            fw.id, item.key, control.id
        )),
        control_id,
        description,
        props,
        remarks,
    }
}

/// A digest of what a catalog states (items' keys, labels, titles, texts), so its UUID
/// changes exactly when its content does.
fn content_digest(fw: &FrameworkCoverage) -> String {
    let mut h = Sha256::new();
    for part in [&fw.id, &fw.title, &fw.version, &fw.publisher, &fw.url] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for i in &fw.items {
        for part in [&i.key, &i.label, &i.title, &i.text, &i.kind] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.update(i.parent.as_deref().unwrap_or("").as_bytes());
        h.update([
            u8::from(i.assessable),
            u8::from(i.text_is_official),
            u8::from(i.uncertain),
        ]);
    }
    format!("{:x}", h.finalize())
}

fn catalog(fw: &FrameworkCoverage, ctx: &Context<'_>, report: &CoverageReport) -> Catalog {
    let source = ctx.catalogs.get(&fw.id);
    let ids = mint_ids(fw);
    let ns = id_namespace(&fw.id);
    let resource = uuid(&format!("source|{}", fw.id));
    let title = one_line(&fw.title);
    let publisher = one_line(&fw.publisher);
    let from = if publisher.is_empty() {
        title.clone()
    } else {
        format!("{title}, {publisher}")
    };

    let mut remarks = format!(
        "Derived by Mandate from {from}. This is not the publisher's own OSCAL catalog and is not endorsed by the publisher. OSCAL ids cannot hold the official labels (they have spaces or colons), so Mandate mints control ids under the `{ns}` namespace (for example `{}`); each control's official label is its `label` prop and its official id, where the framework assigns one, its `official-id` prop. A `statement` part holds the publisher's own text; an `overview` part titled as a summary (prop `wording` = `summary`) is not the publisher's text of the item: Mandate's paraphrase, or a sentence quoted from elsewhere in the source.",
        fw.items
            .iter()
            .find(|i| i.assessable)
            .and_then(|i| ids.get(&i.key))
            .map_or(ns.as_str(), String::as_str)
    );
    if fw
        .items
        .iter()
        .any(|i| i.assessable && i.official_id.is_none())
    {
        remarks.push_str(" Where the framework assigns an item no id, its label is built from official names (layer and threat name) and it has no `official-id` prop.");
    }
    if fw.items.iter().any(|i| i.uncertain) {
        remarks.push_str(" Items whose sources disagree, or whose primary document was not read, carry an `uncertain` prop saying why.");
    }

    let mut props: Vec<Prop> = [
        Prop::mandate("derived-by", "Mandate"),
        Prop::mandate("publisher-catalog", "no"),
        Prop::mandate("framework-id", &fw.id),
        Prop::mandate("id-namespace", &ns),
        Prop::mandate("publisher", &publisher),
    ]
    .into_iter()
    .flatten()
    .collect();
    if fw.origin == Origin::BuiltIn {
        props.extend(Prop::mandate("catalog-data-version", CATALOG_DATA_VERSION));
    }
    if let Some(f) = source {
        props.extend(Prop::mandate("license", &f.license));
    }

    let mut citation = from.clone();
    let version = one_line(&fw.version);
    if !version.is_empty() {
        citation.push_str(&format!(". Version {version}"));
    }
    if !fw.url.is_empty() {
        citation.push_str(&format!(". {}", fw.url));
    }
    let back = Resource {
        uuid: resource.clone(),
        title,
        description: Some(format!(
            "The source Mandate derived this catalog from{}.",
            source
                .map(|f| one_line(&f.source))
                .filter(|s| !s.is_empty())
                .map(|s| format!(" (research sources: {s})"))
                .unwrap_or_default()
        )),
        citation: Some(Citation { text: citation }),
        rlinks: if fw.url.is_empty() {
            Vec::new()
        } else {
            vec![Rlink {
                href: fw.url.clone(),
                media_type: None,
                hashes: Vec::new(),
            }]
        },
    };

    // The tree: groups (NIST functions and categories, MAESTRO layers) hold controls.
    let mut groups = Vec::new();
    let mut controls = Vec::new();
    for item in fw.items.iter().filter(|i| is_root(fw, i)) {
        match node(fw, item, &ids, source) {
            Node::Group(g) => groups.push(g),
            Node::Control(c) => controls.push(c),
        }
    }

    Catalog {
        uuid: uuid(&format!("catalog|{}|{}", fw.id, content_digest(fw))),
        metadata: Metadata {
            title: format!(
                "{} (derived by Mandate from {})",
                one_line(&fw.short_title),
                from
            ),
            last_modified: report.generated_at.clone(),
            version: if version.is_empty() {
                "unversioned".into()
            } else {
                version
            },
            oscal_version: OSCAL_VERSION,
            props,
            links: vec![Link {
                href: format!("#{resource}"),
                rel: Some("source"),
                text: Some("the source document".into()),
            }],
            remarks: Some(remarks),
        },
        groups,
        controls,
        back_matter: BackMatter {
            resources: vec![back],
        },
    }
}

/// An item at the top of the tree: no parent, or a parent the framework does not list.
fn is_root(fw: &FrameworkCoverage, item: &ItemCoverage) -> bool {
    match &item.parent {
        None => true,
        Some(p) => !fw.items.iter().any(|i| &i.key == p),
    }
}

enum Node {
    Group(Group),
    Control(Control),
}

fn children<'a>(
    fw: &'a FrameworkCoverage,
    key: &'a str,
) -> impl Iterator<Item = &'a ItemCoverage> + 'a {
    fw.items
        .iter()
        .filter(move |i| i.parent.as_deref() == Some(key) && i.key != key)
}

fn node(
    fw: &FrameworkCoverage,
    item: &ItemCoverage,
    ids: &HashMap<String, String>,
    source: Option<&crate::frameworks::Framework>,
) -> Node {
    let id = ids
        .get(&item.key)
        .cloned()
        .unwrap_or_else(|| mint_id(&fw.id, &item.label));
    let props = item_props(item, source);
    let title = if item.title.trim().is_empty() {
        one_line(&item.label)
    } else {
        one_line(&item.title)
    };
    let class = is_token(&item.kind).then(|| item.kind.clone());
    if item.assessable {
        Node::Control(control(fw, item, ids, source, id, title, class, props))
    } else {
        let mut groups = Vec::new();
        let mut controls = Vec::new();
        for child in children(fw, &item.key) {
            match node(fw, child, ids, source) {
                Node::Group(g) => groups.push(g),
                Node::Control(c) => controls.push(c),
            }
        }
        Node::Group(Group {
            parts: text_part(item, &id, true).into_iter().collect(),
            id,
            class,
            title,
            props,
            groups,
            controls,
        })
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one control's parts, prepared by `node`"
)]
fn control(
    fw: &FrameworkCoverage,
    item: &ItemCoverage,
    ids: &HashMap<String, String>,
    source: Option<&crate::frameworks::Framework>,
    id: String,
    title: String,
    class: Option<String>,
    props: Vec<Prop>,
) -> Control {
    // OSCAL controls hold no groups: anything below an assessable item is a sub-control.
    let controls = children(fw, &item.key)
        .map(|child| {
            let child_id = ids
                .get(&child.key)
                .cloned()
                .unwrap_or_else(|| mint_id(&fw.id, &child.label));
            let child_title = if child.title.trim().is_empty() {
                one_line(&child.label)
            } else {
                one_line(&child.title)
            };
            control(
                fw,
                child,
                ids,
                source,
                child_id,
                child_title,
                is_token(&child.kind).then(|| child.kind.clone()),
                item_props(child, source),
            )
        })
        .collect();
    Control {
        parts: text_part(item, &id, false).into_iter().collect(),
        id,
        class,
        title,
        props,
        controls,
    }
}

/// The item's text: a `statement` when it is the publisher's wording (controls only), else
/// an `overview` that says whose words they are.
fn text_part(item: &ItemCoverage, id: &str, group: bool) -> Option<Part> {
    let text = item.text.trim();
    if text.is_empty() {
        return None;
    }
    Some(if item.text_is_official && !group {
        Part {
            id: format!("{id}_smt"),
            name: "statement",
            title: None,
            props: Vec::new(),
            prose: text.to_owned(),
        }
    } else if item.text_is_official {
        Part {
            id: format!("{id}_ovw"),
            name: "overview",
            title: Some("The publisher's text"),
            props: Prop::mandate("wording", "official").into_iter().collect(),
            prose: text.to_owned(),
        }
    } else {
        Part {
            id: format!("{id}_ovw"),
            name: "overview",
            title: Some("Summary (not the publisher's text of this item)"),
            props: Prop::mandate("wording", "summary").into_iter().collect(),
            prose: text.to_owned(),
        }
    })
}

fn item_props(item: &ItemCoverage, source: Option<&crate::frameworks::Framework>) -> Vec<Prop> {
    let mut props: Vec<Prop> = Prop::oscal("label", &item.label).into_iter().collect();
    if let Some(o) = &item.official_id {
        props.extend(Prop::mandate("official-id", o));
    }
    let full = source.and_then(|f| f.item(&item.key));
    if let Some(full) = full {
        for alias in &full.aliases {
            props.extend(Prop::mandate("alias", alias));
        }
    }
    if item.uncertain {
        let why = full
            .map(|f| one_line(&f.notes))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "sources disagree, or the primary document was not read".into());
        props.extend(Prop::mandate("uncertain", "true").map(|p| p.remarks(&why)));
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::catalog::{builtin, Catalogs};

    #[test]
    fn minted_ids_are_namespaced_tokens() {
        assert_eq!(
            mint_id("nist-ai-rmf-1.0", "GOVERN 1.1"),
            "nist-ai-rmf-govern-1.1"
        );
        assert_eq!(mint_id("nist-ai-rmf-1.0", "GOVERN"), "nist-ai-rmf-govern");
        assert_eq!(
            mint_id("owasp-agentic-top10-2026", "ASI01"),
            "owasp-asi-2026-asi01"
        );
        assert_eq!(
            mint_id("owasp-nhi-top10-2025", "NHI1:2025"),
            "owasp-nhi-2025-nhi1"
        );
        assert_eq!(
            mint_id("owasp-agentic-threats-mitigations", "T1"),
            "owasp-agentic-tm-t1"
        );
        assert_eq!(
            mint_id("csa-maestro", "L7: Agent Tool Misuse"),
            "csa-maestro-l7-agent-tool-misuse"
        );
        assert_eq!(
            mint_id("csa-maestro", "L2: Model Inversion/Extraction"),
            "csa-maestro-l2-model-inversion-extraction"
        );
        // A workspace's own framework: its id is the namespace; a colon that is not the
        // namespace's year stays a separator.
        assert_eq!(
            mint_id("acme-ai-policy", "AC:7 (b)"),
            "acme-ai-policy-ac-7-b"
        );
        assert_eq!(mint_id("acme-ai-policy", " !! "), "acme-ai-policy-item");
        for id in [
            "nist-ai-rmf-govern-1.1",
            "owasp-nhi-2025-nhi1",
            "_x",
            "a.b-c",
        ] {
            assert!(is_token(id), "{id}");
        }
        for id in ["GOVERN 1.1", "NHI1:2025", "1abc", "", "-a"] {
            assert!(!is_token(id), "{id}");
        }
    }

    #[test]
    fn every_builtin_item_gets_a_distinct_valid_id() {
        let catalogs = Catalogs::new(builtin().to_vec());
        for fw in &catalogs.frameworks {
            let cov = FrameworkCoverage {
                id: fw.id.clone(),
                title: fw.title.clone(),
                short_title: fw.short_title.clone(),
                version: fw.version.clone(),
                publisher: fw.publisher.clone(),
                url: fw.url.clone(),
                origin: fw.origin.clone(),
                applicable: 0,
                implemented: 0,
                partial: 0,
                planned: 0,
                uncovered: 0,
                not_applicable: 0,
                percent: 0.0,
                items: fw
                    .items
                    .iter()
                    .map(|i| ItemCoverage::of(i, crate::frameworks::coverage::Status::Uncovered))
                    .collect(),
            };
            let ids = mint_ids(&cov);
            let mut seen = std::collections::HashSet::new();
            for i in &fw.items {
                let id = &ids[&i.key];
                assert!(is_token(id), "{id}");
                assert!(!id.contains(' ') && !id.contains(':'), "{id}");
                // No clash needed a suffix: each id is the item's label, minted.
                assert_eq!(id, &mint_id(&fw.id, &i.label));
                assert!(seen.insert(id.clone()), "{} twice", id);
            }
        }
    }

    #[test]
    fn uuids_are_version_5_and_stable() {
        let a = uuid("component|Acme");
        assert_eq!(a, uuid("component|Acme"));
        assert_ne!(a, uuid("component|Acme2"));
        assert_eq!(a.as_bytes()[14], b'5');
    }
}
