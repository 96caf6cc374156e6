//! Exports of a published bundle in the formats other Cedar engines load, so its reviewed
//! policies run where requests are already served. Each export is a pure function of the
//! bundle's manifest, hash, policies, schema and entities: the same bundle always gives the
//! same bytes, and nothing here touches the disk.
//!
//! Every policy keeps its id: where the engine reads ids from text the statement carries
//! `@id("<id>")`, rebuilt from Cedar's JSON form when the source text has no matching `@id`.
//! A template-linked policy that has to become static is its template with the slots filled
//! in, the template's annotations kept and `@id` set to the link's id.
//!
//! # Cedarling policy store (`.cjar`)
//!
//! [`cedarling`] writes the directory layout Janssen documents in
//! <https://docs.jans.io/stable/cedarling/reference/cedarling-policy-store/> (source:
//! `JanssenProject/jans`, `docs/cedarling/reference/cedarling-policy-store.md`), zipped:
//! `metadata.json`, `schema.cedarschema`, `policies/*.cedar` (one policy per file),
//! `templates/*.cedar`, `entities/entities.json` (a Cedar JSON array) and `manifest.json`
//! (size and `sha256:` checksum of every other file). The loader's rules, from
//! `jans-cedarling/cedarling/src/common/policy_store/`, shape the details:
//! - `metadata.json` (`formats/`, `validator.rs`): `policy_store_spec_version` 1 (the current
//!   format; older Cedarlings ignore the key), `cedar_version` a semantic version (the
//!   bundle's Cedar language version), and `policy_store` with `id` (hex, 8–64 characters:
//!   the bundle hash), `name` (at most 255 bytes), `description` (at most 1,000 bytes: name,
//!   version, hash and summary), `version` (semver) and `created_date` (RFC 3339).
//! - `manifest.json` (`manifest_validator.rs`): `policy_store_id`, `generated_date`, `files`.
//! - Policies (`policy_parser.rs`): a single-policy file takes its id from the first line
//!   that holds `@id(`, read as text, and ids may hold only letters, digits, `_`, `-` and `:`.
//!   A bundle with other ids is refused rather than exported with ids its decisions would
//!   not name. Every file in `policies/` and `templates/` must end in `.cedar`.
//! - Template-linked policies: the layout has no place for links, so each link is written
//!   to `policies/` as a static policy; the template itself goes to `templates/`.
//! - Entities (`entity_parser.rs`): `uid` and `parents` must be plain `{"type", "id"}`
//!   objects (an `__entity` wrapper is unwrapped) and `tags` are not read, so an entity with
//!   tags is refused.
//! - Zip (`archive_handler.rs`): entries sorted by name, `policies/` always present as a
//!   directory entry, a fixed 1980-01-01 timestamp, mode 0o644, made by Unix.
//!
//! # AWS Verified Permissions (CloudFormation)
//!
//! [`avp`] writes a CloudFormation template (JSON, keys sorted) per the resource reference
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-verifiedpermissions-policystore.html>
//! (and `-policy`, `-policytemplate`): one `AWS::VerifiedPermissions::PolicyStore` with
//! `ValidationSettings.Mode` `STRICT` and `Schema.CedarJson` (the schema in Cedar's JSON
//! form, type names resolved, see `resolve_type_names`), one
//! `AWS::VerifiedPermissions::Policy` per static policy (`Definition.Static`, `Description`
//! from `@id` and `@rationale`), one `AWS::VerifiedPermissions::PolicyTemplate` per
//! template and one `Policy` per link (`Definition.TemplateLinked`). A link names its
//! template with `Fn::GetAtt [<template>, PolicyTemplateId]`: `Ref` on a policy template
//! returns `<store id>|<template id>`, which `PolicyTemplateId` (`^[a-zA-Z0-9-]*$`) refuses.
//! `Outputs.PolicyStoreId` is `Ref` of the store. Logical ids are `Policy`/`Template` and the
//! alphanumeric words of the `@id`, numbered when two collide; each resource's `Metadata`
//! keeps its Mandate id, because AVP assigns its own policy ids and reports those in
//! `DeterminingPolicies`. Statements keep their annotations: they are Cedar syntax, do not
//! affect decisions, and are not among the documented differences. AVP runs Cedar 4.5 (Aug.
//! 2025); syntax newer than that would fail at deploy. What AVP cannot take, per
//! <https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/terminology-differences-avp-cedar.html>
//! and <https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/quotas.html>:
//! - a schema with other than one namespace, or one named `aws`, `amazon` or `cedar`: refused;
//! - a schema over 200,000 bytes of JSON or a statement over 10,000 bytes: refused;
//! - more than 500 resources (CloudFormation's per-template limit): refused;
//! - a template leaving `principal` or `resource` unconstrained: not exported; its links
//!   become static policies, and `Metadata.Mandate.Notes` says so;
//! - more than 40 templates (an adjustable quota) is noted, not refused;
//! - entities: a policy store holds none (they come with each `IsAuthorized` request).
//!
//! Deploy with `aws cloudformation deploy --template-file`; a template over 51,200 bytes
//! needs `--s3-bucket`.
//!
//! # Folder for the `cedar` CLI
//!
//! [`cedar_dir`] writes `policies.cedar` (static policies, then templates, each with its
//! annotations and an `@id` the CLI renames it by), `links.json` (the CLI's
//! `--template-linked` file: a JSON array of `{"template_id", "link_id", "args"}` with slot
//! names and entity UIDs as strings), `schema.cedarschema` (the CLI's default
//! `--schema-format cedar`), `entities.json` (the bundle's Cedar JSON) and a `README.md`
//! with the `cedar validate` and `cedar authorize` commands. Source: `cedar-policy/cedar`,
//! `cedar-policy-cli/src/lib.rs` (`PoliciesArgs`, `TemplateLinked`, `rename_from_id_annotation`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Write};
use std::str::FromStr;

use cedar_policy::{
    EntityId, EntityTypeName, EntityUid, Policy, PolicySet, Schema, SchemaFragment, SlotId,
    Template, TemplatePrincipalConstraint, TemplateResourceConstraint,
};
use serde_json::{json, Map, Value};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::{sha256, BundleProblem, Files, MANIFEST};

/// What an export reads: the bundle's manifest and its parsed contents.
pub struct ExportInput<'a> {
    pub manifest: &'a crate::bundle::Manifest,
    /// `sha256:HEX` of the manifest.
    pub hash: &'a str,
    /// Static policies, templates and template-linked policies; ids are the `@id`s.
    pub policies: &'a PolicySet,
    /// Cedar schema text (`.cedarschema`).
    pub schema: &'a str,
    /// Cedar entities JSON (an array).
    pub entities: &'a Value,
}

/// The bundle files problems are reported against.
const SCHEMA: &str = "schema.cedarschema";
const ENTITIES: &str = "entities.json";
const POLICIES: &str = "policies/";

/// Cedarling's limits on `metadata.json` (`validator.rs`), in bytes.
const CEDARLING_NAME_MAX: usize = 255;
const CEDARLING_DESCRIPTION_MAX: usize = 1_000;
/// The `metadata.json` format this writes (`formats/mod.rs`: `CURRENT_FORMAT_VERSION`).
const CEDARLING_SPEC_VERSION: u32 = 1;

/// AVP quotas and CloudFormation limits.
const AVP_STATEMENT_MAX: usize = 10_000;
const AVP_SCHEMA_MAX: usize = 200_000;
const AVP_DESCRIPTION_MAX: usize = 150;
const AVP_TEMPLATES_QUOTA: usize = 40;
const AVP_RESERVED_NAMESPACES: [&str; 3] = ["aws", "amazon", "cedar"];
const CFN_RESOURCES_MAX: usize = 500;
const CFN_DESCRIPTION_MAX: usize = 1_024;
/// Logical ids are at most 255 characters; the base leaves room for a collision number.
const CFN_LOGICAL_BASE_MAX: usize = 240;
const STORE_LOGICAL_ID: &str = "PolicyStore";

/// Bytes of a `.cjar` policy store for Janssen Cedarling (layout in the module docs).
pub fn cedarling(input: &ExportInput) -> Result<Vec<u8>, BundleProblem> {
    let store_id = hash_hex(input.hash)?;
    let (policies, templates) = sorted_parts(input.policies);

    let unloadable: Vec<String> = policies
        .iter()
        .map(|p| p.id().to_string())
        .chain(templates.iter().map(|t| t.id().to_string()))
        .filter(|id| !cedarling_id_ok(id))
        .map(|id| format!("`{id}`"))
        .collect();
    if !unloadable.is_empty() {
        return Err(BundleProblem::new(
            POLICIES,
            format!(
                "Cedarling accepts only letters, digits, `_`, `-` and `:` in a policy id; rename {}",
                unloadable.join(", ")
            ),
        ));
    }

    let mut files = Files::new();
    let mut names = FileNames::default();
    for policy in &policies {
        let id = policy.id().to_string();
        let text = cedarling_text(&id, static_text(policy)?)?;
        files.insert(names.claim("policies/", &id), text.into_bytes());
    }
    for template in &templates {
        let id = template.id().to_string();
        let text = cedarling_text(&id, template_text(template)?)?;
        files.insert(names.claim("templates/", &id), text.into_bytes());
    }
    files.insert(SCHEMA.into(), input.schema.as_bytes().to_vec());
    let entities = cedarling_entities(input.entities)?;
    if !entities.is_empty() {
        files.insert(
            "entities/entities.json".into(),
            pretty(Value::Array(entities))?,
        );
    }
    files.insert(
        "metadata.json".into(),
        pretty(cedarling_metadata(input, &store_id))?,
    );

    let listed: Map<String, Value> = files
        .iter()
        .map(|(path, bytes)| {
            let entry = json!({ "checksum": sha256(bytes), "size": bytes.len() });
            (path.clone(), entry)
        })
        .collect();
    let manifest = json!({
        "files": listed,
        "generated_date": input.manifest.created_at,
        "policy_store_id": store_id,
    });
    files.insert("manifest.json".into(), pretty(manifest)?);

    let mut directories: BTreeSet<String> = files
        .keys()
        .filter_map(|path| path.split_once('/').map(|(dir, _)| format!("{dir}/")))
        .collect();
    // The loader requires `policies/` even when no file is in it.
    directories.insert(POLICIES.into());
    zip_bytes(&files, &directories)
}

/// An AWS CloudFormation template (pretty JSON, keys sorted) that creates a Verified
/// Permissions policy store holding the bundle's schema, policies, templates and links.
pub fn avp(input: &ExportInput) -> Result<String, BundleProblem> {
    let (cedar_json, namespace) = avp_schema(input.schema)?;
    let (policies, templates) = sorted_parts(input.policies);
    let manifest = input.manifest;
    let store_ref = json!({ "Ref": STORE_LOGICAL_ID });

    let mut logical_ids = LogicalIds::default();
    let mut resources = Map::new();
    let mut notes = Vec::new();
    resources.insert(
        STORE_LOGICAL_ID.into(),
        json!({
            "Type": "AWS::VerifiedPermissions::PolicyStore",
            "Properties": {
                "Description": store_description(&manifest.name, &manifest.version, input.hash),
                "Schema": { "CedarJson": cedar_json },
                "ValidationSettings": { "Mode": "STRICT" },
            },
        }),
    );

    // Mandate template id → the logical id of its `PolicyTemplate`.
    let mut exported_templates: BTreeMap<String, String> = BTreeMap::new();
    for template in &templates {
        let id = template.id().to_string();
        if let Some(why) = avp_rejects(template) {
            notes.push(format!(
                "template `{id}` {why}, which Verified Permissions rejects: it is not exported and each of its links is a static policy"
            ));
            continue;
        }
        let text = template_text(template)?;
        check_statement_size(&id, &text)?;
        let logical = logical_ids.claim("Template", &id);
        resources.insert(
            logical.clone(),
            json!({
                "Type": "AWS::VerifiedPermissions::PolicyTemplate",
                "Metadata": { "MandatePolicyId": id },
                "Properties": {
                    "Description": describe(&id, template.annotation("rationale")),
                    "PolicyStoreId": store_ref,
                    "Statement": text,
                },
            }),
        );
        exported_templates.insert(id, logical);
    }
    if exported_templates.len() > AVP_TEMPLATES_QUOTA {
        notes.push(format!(
            "{} policy templates exceed Verified Permissions' default quota of {AVP_TEMPLATES_QUOTA} per policy store; request an increase before deploying",
            exported_templates.len()
        ));
    }

    for policy in &policies {
        let id = policy.id().to_string();
        let template = policy
            .template_id()
            .and_then(|t| exported_templates.get(&t.to_string()));
        let definition = match template {
            Some(template_logical) => {
                json!({ "TemplateLinked": linked_definition(policy, template_logical) })
            }
            None => {
                let text = static_text(policy)?;
                check_statement_size(&id, &text)?;
                json!({
                    "Static": {
                        "Description": describe(&id, policy.annotation("rationale")),
                        "Statement": text,
                    },
                })
            }
        };
        let logical = logical_ids.claim("Policy", &id);
        resources.insert(
            logical,
            json!({
                "Type": "AWS::VerifiedPermissions::Policy",
                "Metadata": { "MandatePolicyId": id },
                "Properties": { "Definition": definition, "PolicyStoreId": store_ref },
            }),
        );
    }
    if resources.len() > CFN_RESOURCES_MAX {
        return Err(BundleProblem::new(
            POLICIES,
            format!(
                "the template would hold {} resources, more than CloudFormation's {CFN_RESOURCES_MAX} per template",
                resources.len()
            ),
        ));
    }

    let description = format!(
        "Mandate bundle {} {} ({})",
        manifest.name, manifest.version, input.hash
    );
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": truncate_chars(&description, CFN_DESCRIPTION_MAX),
        "Metadata": {
            "Mandate": {
                "Bundle": manifest.name,
                "CreatedAt": manifest.created_at,
                "Hash": input.hash,
                "Namespace": namespace,
                "Notes": notes,
                "Version": manifest.version,
            },
        },
        "Resources": resources,
        "Outputs": {
            "PolicyStoreId": {
                "Description": "The id of the Verified Permissions policy store",
                "Value": store_ref,
            },
        },
    });
    let mut text = serde_json::to_string_pretty(&sorted(template))
        .map_err(|e| BundleProblem::new(MANIFEST, format!("template JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// The files of a folder the `cedar` CLI runs as it is (see the module docs).
pub fn cedar_dir(input: &ExportInput) -> Result<Files, BundleProblem> {
    let (policies, templates) = sorted_parts(input.policies);
    let (statics, links): (Vec<&Policy>, Vec<&Policy>) =
        policies.into_iter().partition(|p| p.is_static());

    let mut text = String::new();
    for policy in &statics {
        text.push_str(&static_text(policy)?);
        text.push('\n');
    }
    for template in &templates {
        text.push_str(&template_text(template)?);
        text.push('\n');
    }

    let link_entries: Vec<Value> = links
        .iter()
        .map(|link| {
            let args: BTreeMap<String, String> = link
                .template_links()
                .unwrap_or_default()
                .into_iter()
                .map(|(slot, uid)| (slot.to_string(), uid.to_string()))
                .collect();
            json!({
                "args": args,
                "link_id": link.id().to_string(),
                "template_id": link.template_id().map(ToString::to_string),
            })
        })
        .collect();

    let mut files = Files::new();
    files.insert("policies.cedar".into(), text.into_bytes());
    files.insert("links.json".into(), pretty(Value::Array(link_entries))?);
    files.insert(SCHEMA.into(), input.schema.as_bytes().to_vec());
    files.insert(ENTITIES.into(), pretty(input.entities.clone())?);
    let counts = Counts {
        statics: statics.len(),
        templates: templates.len(),
        links: links.len(),
        entities: input.entities.as_array().map_or(0, Vec::len),
    };
    files.insert("README.md".into(), readme(input, &counts).into_bytes());
    Ok(files)
}

// ---------------------------------------------------------------------------------------
// Policies as text
// ---------------------------------------------------------------------------------------

/// The policies (static and linked) and the templates, each sorted by id.
fn sorted_parts(set: &PolicySet) -> (Vec<&Policy>, Vec<&Template>) {
    let mut policies: Vec<&Policy> = set.policies().collect();
    policies.sort_by_key(|p| p.id().to_string());
    let mut templates: Vec<&Template> = set.templates().collect();
    templates.sort_by_key(|t| t.id().to_string());
    (policies, templates)
}

fn policy_problem(id: &str, message: impl std::fmt::Display) -> BundleProblem {
    BundleProblem::new(POLICIES, format!("`{id}`: {message}"))
}

/// A static or template-linked policy as static Cedar text whose `@id` is its id: the
/// source text when it already says so, else rebuilt from the JSON form (which, for a
/// link, has the slots filled in).
fn static_text(policy: &Policy) -> Result<String, BundleProblem> {
    let id = policy.id().to_string();
    let text = if policy.is_static() && policy.annotation("id") == Some(id.as_str()) {
        policy.to_string()
    } else {
        let mut est = policy
            .to_json()
            .map_err(|e| policy_problem(&id, format!("has no JSON form: {e}")))?;
        set_id_annotation(&mut est, &id)
            .ok_or_else(|| policy_problem(&id, "its JSON form is not an object"))?;
        Policy::from_json(Some(policy.id().clone()), est)
            .map_err(|e| policy_problem(&id, format!("cannot be rebuilt: {e}")))?
            .to_cedar()
            .ok_or_else(|| policy_problem(&id, "has no Cedar text"))?
    };
    let text = finish_text(&text);
    // Every writer relies on this: the text parses alone, as a static policy, naming its id.
    let parsed = Policy::parse(None, &text).map(|p| p.annotation("id").map(str::to_owned));
    reparsed(&id, text, parsed.map_err(|e| e.to_string()))
}

/// `text` when it parsed (`parsed`: its `@id`) and names `id`; else the problem.
fn reparsed(
    id: &str,
    text: String,
    parsed: Result<Option<String>, String>,
) -> Result<String, BundleProblem> {
    match parsed {
        Ok(Some(found)) if found == id => Ok(text),
        Ok(_) => Err(policy_problem(
            id,
            "its Cedar text does not carry its `@id`",
        )),
        Err(e) => Err(policy_problem(
            id,
            format!("its Cedar text does not parse: {e}"),
        )),
    }
}

/// A template's Cedar text whose `@id` is its id, as [`static_text`] does for policies.
fn template_text(template: &Template) -> Result<String, BundleProblem> {
    let id = template.id().to_string();
    let text = if template.annotation("id") == Some(id.as_str()) {
        template.to_string()
    } else {
        let mut est = template
            .to_json()
            .map_err(|e| policy_problem(&id, format!("has no JSON form: {e}")))?;
        set_id_annotation(&mut est, &id)
            .ok_or_else(|| policy_problem(&id, "its JSON form is not an object"))?;
        Template::from_json(Some(template.id().clone()), est)
            .map_err(|e| policy_problem(&id, format!("cannot be rebuilt: {e}")))?
            .to_cedar()
    };
    let text = finish_text(&text);
    let parsed = Template::parse(None, &text).map(|t| t.annotation("id").map(str::to_owned));
    reparsed(&id, text, parsed.map_err(|e| e.to_string()))
}

/// Sets `annotations.id` in a policy's or template's JSON form.
fn set_id_annotation(est: &mut Value, id: &str) -> Option<()> {
    let annotations = est
        .as_object_mut()?
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    annotations
        .as_object_mut()?
        .insert("id".into(), Value::String(id.into()));
    Some(())
}

fn finish_text(text: &str) -> String {
    let mut text = text.trim().to_string();
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------------------
// Cedarling
// ---------------------------------------------------------------------------------------

/// Cedarling's `validate_policy_id`.
fn cedarling_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ':')
}

/// The id Cedarling reads from a policy file: the value in the first line holding `@id(`
/// followed by a quote (`extract_id_annotation` reads text, not the parsed annotation).
fn cedarling_reads_id(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let after = &line[line.find("@id(")? + "@id(".len()..];
        let open = after.find('"').or_else(|| after.find('\''))?;
        let quote = after[open..].chars().next()?;
        let rest = &after[open + quote.len_utf8()..];
        Some(rest[..rest.find(quote)?].to_string())
    })
}

/// `text`, once Cedarling would read `id` from it.
fn cedarling_text(id: &str, text: String) -> Result<String, BundleProblem> {
    match cedarling_reads_id(&text) {
        Some(read) if read == id => Ok(text),
        read => Err(policy_problem(
            id,
            format!(
                "Cedarling would read its id as `{}` from the first line holding `@id(`",
                read.unwrap_or_default()
            ),
        )),
    }
}

/// File names under a directory from ids: safe characters only, unique even on a
/// case-insensitive file system, numbered when two ids map to the same name.
#[derive(Default)]
struct FileNames(BTreeSet<String>);

impl FileNames {
    fn claim(&mut self, dir: &str, id: &str) -> String {
        let mut base: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base.push_str("policy");
        }
        let mut name = base.clone();
        let mut n = 2;
        while !self.0.insert(format!("{dir}{}", name.to_ascii_lowercase())) {
            name = format!("{base}-{n}");
            n += 1;
        }
        format!("{dir}{name}.cedar")
    }
}

fn cedarling_metadata(input: &ExportInput, store_id: &str) -> Value {
    let manifest = input.manifest;
    let description = format!(
        "Mandate bundle {} {} ({}): {}",
        manifest.name, manifest.version, input.hash, manifest.summary
    );
    json!({
        "cedar_version": cedar_version(&manifest.cedar_language_version),
        "policy_store": {
            "created_date": manifest.created_at,
            "description": truncate_bytes(&description, CEDARLING_DESCRIPTION_MAX),
            "id": store_id,
            "name": truncate_bytes(&manifest.name, CEDARLING_NAME_MAX),
            "version": manifest.version,
        },
        "policy_store_spec_version": CEDARLING_SPEC_VERSION,
    })
}

/// The Cedar language version as the `X.Y.Z` Cedarling requires: the manifest's (`4.6`
/// becomes `4.6.0`), else this build's.
fn cedar_version(declared: &str) -> String {
    [declared.to_string(), format!("{declared}.0")]
        .into_iter()
        .find(|v| semver::Version::parse(v).is_ok())
        .unwrap_or_else(|| format!("{}.0", cedar_policy::ffi::get_lang_version()))
}

/// The entities as Cedarling's entity files read them (`uid`, `attrs`, `parents`); every
/// entity it would misread is reported.
fn cedarling_entities(entities: &Value) -> Result<Vec<Value>, BundleProblem> {
    let list = entities
        .as_array()
        .ok_or_else(|| BundleProblem::new(ENTITIES, "is not a JSON array of Cedar entities"))?;
    let mut out = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (index, entity) in list.iter().enumerate() {
        match cedarling_entity(entity) {
            Ok(entity) => out.push(entity),
            Err(message) => problems.push(format!("entity {index}: {message}")),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(BundleProblem::new(ENTITIES, problems.join("; ")))
    }
}

fn cedarling_entity(entity: &Value) -> Result<Value, String> {
    let object = entity.as_object().ok_or("is not an object")?;
    let uid = plain_uid(object.get("uid").ok_or("has no `uid`")?)?;
    let parents = match object.get("parents") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(parents)) => parents.iter().map(plain_uid).collect::<Result<_, _>>()?,
        Some(_) => return Err("`parents` is not an array".into()),
    };
    let has_tags = object
        .get("tags")
        .is_some_and(|tags| !tags.is_null() && tags.as_object().is_none_or(|t| !t.is_empty()));
    if has_tags {
        return Err(format!(
            "{uid} has `tags`, which Cedarling's entity files do not read"
        ));
    }
    let attrs = object.get("attrs").cloned().unwrap_or_else(|| json!({}));
    Ok(json!({ "uid": uid, "attrs": attrs, "parents": parents }))
}

/// `{"type", "id"}`, unwrapping Cedar's `{"__entity": ...}` escape.
fn plain_uid(uid: &Value) -> Result<Value, String> {
    let uid = uid.get("__entity").unwrap_or(uid);
    match (
        uid.get("type").and_then(Value::as_str),
        uid.get("id").and_then(Value::as_str),
    ) {
        (Some(kind), Some(id)) => Ok(json!({ "type": kind, "id": id })),
        _ => Err(format!("`{uid}` is not an entity reference")),
    }
}

/// A deterministic zip: entries sorted by name, fixed time, mode and host system.
fn zip_bytes(files: &Files, directories: &BTreeSet<String>) -> Result<Vec<u8>, BundleProblem> {
    let base = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        // "Made by Unix" on every platform, so the bytes do not depend on where we ran.
        .system(System::Unix);
    let file_options = base
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let dir_options = base.unix_permissions(0o755);

    let mut entries: BTreeMap<&str, Option<&[u8]>> = BTreeMap::new();
    for dir in directories {
        entries.insert(dir, None);
    }
    for (name, bytes) in files {
        entries.insert(name, Some(bytes.as_slice()));
    }

    let problem = |e: &dyn std::fmt::Display| BundleProblem::new(MANIFEST, format!("zip: {e}"));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        match bytes {
            None => zip
                .add_directory(name, dir_options)
                .map_err(|e| problem(&e))?,
            Some(bytes) => {
                zip.start_file(name, file_options)
                    .map_err(|e| problem(&e))?;
                zip.write_all(bytes).map_err(|e| problem(&e))?;
            }
        }
    }
    Ok(zip.finish().map_err(|e| problem(&e))?.into_inner())
}

// ---------------------------------------------------------------------------------------
// Verified Permissions
// ---------------------------------------------------------------------------------------

/// The schema as Cedar JSON text, and its one namespace.
fn avp_schema(text: &str) -> Result<(String, String), BundleProblem> {
    let (fragment, _warnings) = SchemaFragment::from_cedarschema_str(text)
        .map_err(|e| BundleProblem::new(SCHEMA, format!("does not parse: {e}")))?;
    let mut namespaces: Vec<String> = fragment
        .namespaces()
        .map(|ns| ns.map(|ns| ns.to_string()).unwrap_or_default())
        .collect();
    namespaces.sort();
    let namespace = match namespaces.as_slice() {
        [namespace] if !namespace.is_empty() => namespace.clone(),
        _ => {
            let listed: Vec<String> = namespaces
                .iter()
                .map(|ns| {
                    if ns.is_empty() {
                        "the empty namespace".into()
                    } else {
                        format!("`{ns}`")
                    }
                })
                .collect();
            return Err(BundleProblem::new(
                SCHEMA,
                format!(
                    "Verified Permissions takes a schema with exactly one named namespace; this one has {}",
                    if listed.is_empty() { "none".into() } else { listed.join(", ") }
                ),
            ));
        }
    };
    let reserved = namespace
        .split("::")
        .any(|part| AVP_RESERVED_NAMESPACES.contains(&part.to_ascii_lowercase().as_str()));
    if reserved {
        return Err(BundleProblem::new(
            SCHEMA,
            format!("Verified Permissions refuses the namespace `{namespace}` (`aws`, `amazon` and `cedar` are reserved)"),
        ));
    }
    let json = fragment
        .to_json_value()
        .map_err(|e| BundleProblem::new(SCHEMA, format!("has no JSON form: {e}")))?;
    let json = serde_json::to_string(&sorted(resolve_type_names(json)))
        .map_err(|e| BundleProblem::new(SCHEMA, format!("JSON: {e}")))?;
    if json.len() > AVP_SCHEMA_MAX {
        return Err(BundleProblem::new(
            SCHEMA,
            format!(
                "is {} bytes as JSON, more than Verified Permissions' {AVP_SCHEMA_MAX}",
                json.len()
            ),
        ));
    }
    Ok((json, namespace))
}

/// Cedar schema syntax cannot tell a common type from an entity type by name, so Cedar's
/// JSON form writes each type name as `{"type": "EntityOrCommon", "name": N}`. This
/// resolves the names Cedar would resolve the same way (a common or entity type declared in
/// the namespace, then `String`, `Long`, `Bool` and the extension types) to the
/// `{"type": "String"}` / `{"type": "Entity", "name": N}` forms every Cedar JSON schema
/// reader takes, Verified Permissions' included. Qualified and unknown names are kept.
fn resolve_type_names(schema: Value) -> Value {
    let Value::Object(namespaces) = schema else {
        return schema;
    };
    let resolved = namespaces
        .into_iter()
        .map(|(name, namespace)| {
            let declared = |key: &str| -> BTreeSet<String> {
                namespace
                    .get(key)
                    .and_then(Value::as_object)
                    .map(|types| types.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let (common, entities) = (declared("commonTypes"), declared("entityTypes"));
            (name, resolve_in(namespace, &common, &entities))
        })
        .collect();
    Value::Object(resolved)
}

fn resolve_in(value: Value, common: &BTreeSet<String>, entities: &BTreeSet<String>) -> Value {
    match value {
        Value::Object(mut map) => {
            let name = (map.get("type").and_then(Value::as_str) == Some("EntityOrCommon"))
                .then(|| map.get("name").and_then(Value::as_str).map(str::to_string))
                .flatten();
            if let Some(name) = name {
                let resolved = if common.contains(&name) {
                    Some((Value::String(name), None))
                } else if entities.contains(&name) {
                    Some((json!("Entity"), Some(name)))
                } else {
                    match name.as_str() {
                        "String" | "Long" => Some((Value::String(name), None)),
                        "Bool" => Some((json!("Boolean"), None)),
                        "ipaddr" | "decimal" | "datetime" | "duration" => {
                            Some((json!("Extension"), Some(name)))
                        }
                        _ => None,
                    }
                };
                if let Some((kind, type_name)) = resolved {
                    map.insert("type".into(), kind);
                    match type_name {
                        Some(type_name) => map.insert("name".into(), Value::String(type_name)),
                        None => map.remove("name"),
                    };
                }
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, resolve_in(v, common, entities)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| resolve_in(v, common, entities))
                .collect(),
        ),
        other => other,
    }
}

/// Why Verified Permissions would reject a template, if it would.
fn avp_rejects(template: &Template) -> Option<&'static str> {
    if template.principal_constraint() == TemplatePrincipalConstraint::Any {
        Some("leaves `principal` unconstrained")
    } else if template.resource_constraint() == TemplateResourceConstraint::Any {
        Some("leaves `resource` unconstrained")
    } else {
        None
    }
}

fn check_statement_size(id: &str, text: &str) -> Result<(), BundleProblem> {
    if text.len() > AVP_STATEMENT_MAX {
        Err(policy_problem(
            id,
            format!(
                "is {} bytes, more than the {AVP_STATEMENT_MAX} Verified Permissions takes in one policy",
                text.len()
            ),
        ))
    } else {
        Ok(())
    }
}

fn linked_definition(policy: &Policy, template_logical: &str) -> Value {
    let links = policy.template_links().unwrap_or_default();
    let mut definition = Map::new();
    definition.insert(
        "PolicyTemplateId".into(),
        json!({ "Fn::GetAtt": [template_logical, "PolicyTemplateId"] }),
    );
    for (slot, key) in [
        (SlotId::principal(), "Principal"),
        (SlotId::resource(), "Resource"),
    ] {
        if let Some(uid) = links.get(&slot) {
            definition.insert(key.into(), entity_identifier(uid));
        }
    }
    Value::Object(definition)
}

fn entity_identifier(uid: &EntityUid) -> Value {
    json!({ "EntityId": uid.id().unescaped(), "EntityType": uid.type_name().to_string() })
}

/// `<id>: <rationale>`, cut to AVP's description length.
fn describe(id: &str, rationale: Option<&str>) -> String {
    let text = match rationale {
        Some(rationale) if !rationale.is_empty() => format!("{id}: {rationale}"),
        _ => id.to_string(),
    };
    truncate_chars(&text, AVP_DESCRIPTION_MAX)
}

/// `<name> <version> <hash>`, the name cut first so the hash survives.
fn store_description(name: &str, version: &str, hash: &str) -> String {
    let suffix = format!(" {version} {hash}");
    let room = AVP_DESCRIPTION_MAX.saturating_sub(suffix.chars().count());
    let name: String = name.chars().take(room).collect();
    truncate_chars(&format!("{name}{suffix}"), AVP_DESCRIPTION_MAX)
}

/// Alphanumeric CloudFormation logical ids from Mandate ids, unique and in claim order.
struct LogicalIds(BTreeSet<String>);

impl Default for LogicalIds {
    fn default() -> Self {
        Self(BTreeSet::from([STORE_LOGICAL_ID.to_string()]))
    }
}

impl LogicalIds {
    fn claim(&mut self, prefix: &str, id: &str) -> String {
        let mut base = prefix.to_string();
        for word in id.split(|c: char| !c.is_ascii_alphanumeric()) {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                base.push(first.to_ascii_uppercase());
                base.push_str(chars.as_str());
            }
        }
        // ASCII only, so any byte index is a character boundary.
        base.truncate(CFN_LOGICAL_BASE_MAX);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.0.insert(candidate.clone()) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        candidate
    }
}

// ---------------------------------------------------------------------------------------
// Cedar CLI README
// ---------------------------------------------------------------------------------------

struct Counts {
    statics: usize,
    templates: usize,
    links: usize,
    entities: usize,
}

fn readme(input: &ExportInput, counts: &Counts) -> String {
    let manifest = input.manifest;
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let (principal, action, resource) = example_request(input.schema, input.entities)
        .unwrap_or_else(|| {
            let ns = &manifest.namespace;
            (
                format!("{ns}::Agent::\"AGENT\""),
                format!("{ns}::Action::\"ACTION\""),
                format!("{ns}::Tool::\"TOOL\""),
            )
        });
    format!(
        "# {name} {version}\n\
         \n\
         Exported from the Mandate bundle created {created}:\n\
         `{hash}`.\n\
         The policies are Cedar {lang}; run them with the `cedar` CLI 4.x\n\
         (`cargo install cedar-policy-cli`).\n\
         \n\
         | File | What it holds |\n\
         | --- | --- |\n\
         | `policies.cedar` | static policies ({statics}) and templates ({templates}); each one's id is its `@id` |\n\
         | `links.json` | template-linked policies ({links}), in the `--template-linked` format |\n\
         | `schema.cedarschema` | the schema, in Cedar syntax (the CLI's default `--schema-format`) |\n\
         | `entities.json` | entities ({entities}), in Cedar JSON |\n\
         \n\
         Validate the policies and links against the schema (strict mode):\n\
         \n\
         ```sh\n\
         cedar validate --schema schema.cedarschema --policies policies.cedar --template-linked links.json\n\
         ```\n\
         \n\
         Decide one request, for example:\n\
         \n\
         ```sh\n\
         cedar authorize --schema schema.cedarschema --policies policies.cedar --template-linked links.json \\\n\
         \x20 --entities entities.json \\\n\
         \x20 --principal {principal} \\\n\
         \x20 --action {action} \\\n\
         \x20 --resource {resource} \\\n\
         \x20 --verbose\n\
         ```\n\
         \n\
         Add `--context context.json` (a JSON object) when the action's context has required\n\
         attributes. `--verbose` lists the ids of the policies that decided.\n",
        name = one_line(&manifest.name),
        version = one_line(&manifest.version),
        hash = input.hash,
        created = one_line(&manifest.created_at),
        lang = cedar_version(&manifest.cedar_language_version),
        statics = counts.statics,
        templates = counts.templates,
        links = counts.links,
        entities = counts.entities,
        principal = shell_quote(&principal),
        action = shell_quote(&action),
        resource = shell_quote(&resource),
    )
}

/// A request the schema allows: the first action (by name) with a principal and a resource
/// type, and the first entity of each type in `entities` (`ID` when there is none).
fn example_request(schema: &str, entities: &Value) -> Option<(String, String, String)> {
    let (schema, _warnings) = Schema::from_cedarschema_str(schema).ok()?;
    let mut actions: Vec<&EntityUid> = schema.actions().collect();
    actions.sort_by_key(|a| a.to_string());
    actions.into_iter().find_map(|action| {
        let mut principals: Vec<String> = schema
            .principals_for_action(action)?
            .map(ToString::to_string)
            .collect();
        let mut resources: Vec<String> = schema
            .resources_for_action(action)?
            .map(ToString::to_string)
            .collect();
        principals.sort();
        resources.sort();
        Some((
            example_uid(principals.first()?, entities)?,
            action.to_string(),
            example_uid(resources.first()?, entities)?,
        ))
    })
}

fn example_uid(type_name: &str, entities: &Value) -> Option<String> {
    let id = entities
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entity| {
            let uid = entity.get("uid")?;
            let uid = uid.get("__entity").unwrap_or(uid);
            (uid.get("type")?.as_str()? == type_name).then_some(uid.get("id")?.as_str()?)
        })
        .min()
        .unwrap_or("ID");
    let type_name = EntityTypeName::from_str(type_name).ok()?;
    Some(EntityUid::from_type_name_and_id(type_name, EntityId::new(id)).to_string())
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

// ---------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------

/// The hex of a `sha256:HEX` bundle hash.
fn hash_hex(hash: &str) -> Result<String, BundleProblem> {
    match hash.strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(hex.to_ascii_lowercase())
        }
        _ => Err(BundleProblem::new(
            MANIFEST,
            format!("bundle hash `{hash}` is not `sha256:` and 64 hex digits"),
        )),
    }
}

/// `value` with every object's keys sorted, so output does not depend on insertion order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Pretty JSON with sorted keys and a final newline.
fn pretty(value: Value) -> Result<Vec<u8>, BundleProblem> {
    let mut bytes = serde_json::to_vec_pretty(&sorted(value))
        .map_err(|e| BundleProblem::new(MANIFEST, format!("JSON: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn truncate_bytes(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// At most `max` characters, ending in `...` when cut.
fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let kept: String = s.chars().take(max.saturating_sub(3)).collect();
    format!("{kept}...")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::manifest::Author;
    use crate::bundle::Manifest;
    use cedar_policy::{
        Authorizer, Context, Decision, Entities, PolicyId, Request, ValidationMode, Validator,
    };
    use std::collections::HashMap;
    use std::io::Read;

    const HASH: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    const SCHEMA_TEXT: &str = r#"namespace Acme {
  type Level = Long;
  entity Team;
  entity Agent in [Team] { env: String, active?: Bool };
  entity Tool { risk: Level, owner?: Team, address?: ipaddr, labels?: Set<String> };
  action invoke_tool appliesTo { principal: [Agent], resource: [Tool] };
}
"#;

    const PERMIT_LOW_RISK: &str = r#"@id("permit-low-risk-tools")
@rationale("Agents may call tools rated below 3")
permit(principal, action == Acme::Action::"invoke_tool", resource)
when { resource.risk < 3 };"#;

    const FORBID_PROD_HIGH_RISK: &str = r#"// High-risk tools never run from production agents.
@id("forbid-prod-high-risk")
@owner("security")
forbid(principal, action == Acme::Action::"invoke_tool", resource)
when { principal.env == "prod" && resource.risk >= 8 };"#;

    const TOOL_GRANT: &str = r#"@id("tool-grant")
@rationale("One agent may call the refund tool")
permit(principal == ?principal, action == Acme::Action::"invoke_tool", resource == Acme::Tool::"stripe.refund");"#;

    fn manifest() -> Manifest {
        Manifest {
            format: crate::bundle::FORMAT.into(),
            name: "acme-agents".into(),
            version: "1.2.0".into(),
            cedar_language_version: "4.6".into(),
            namespace: "Acme".into(),
            created_at: "2026-05-01T12:00:00Z".into(),
            author: Author {
                name: "ana".into(),
                key: "ed25519:00".into(),
            },
            parent: None,
            summary: "Refund grant for the billing bot".into(),
            files: BTreeMap::new(),
        }
    }

    fn uid(text: &str) -> EntityUid {
        text.parse().unwrap()
    }

    fn policy_set(statics: &[(&str, &str)], templates: &[(&str, &str)]) -> PolicySet {
        let mut set = PolicySet::new();
        for (id, text) in statics {
            set.add(Policy::parse(Some(PolicyId::new(*id)), text).unwrap())
                .unwrap();
        }
        for (id, text) in templates {
            set.add_template(Template::parse(Some(PolicyId::new(*id)), text).unwrap())
                .unwrap();
        }
        set
    }

    fn sample_policies() -> PolicySet {
        let mut set = policy_set(
            &[
                ("permit-low-risk-tools", PERMIT_LOW_RISK),
                ("forbid-prod-high-risk", FORBID_PROD_HIGH_RISK),
            ],
            &[("tool-grant", TOOL_GRANT)],
        );
        set.link(
            PolicyId::new("tool-grant"),
            PolicyId::new("grant-billing-bot-refund"),
            HashMap::from([(SlotId::principal(), uid(r#"Acme::Agent::"billing-bot""#))]),
        )
        .unwrap();
        set
    }

    fn sample_entities() -> Value {
        json!([
            { "uid": { "type": "Acme::Team", "id": "ops" }, "attrs": {}, "parents": [] },
            {
                "uid": { "type": "Acme::Agent", "id": "billing-bot" },
                "attrs": { "env": "prod" },
                "parents": [{ "__entity": { "type": "Acme::Team", "id": "ops" } }]
            },
            { "uid": { "type": "Acme::Tool", "id": "stripe.refund" }, "attrs": { "risk": 9 }, "parents": [] },
            { "uid": { "type": "Acme::Tool", "id": "search" }, "attrs": { "risk": 1 }, "parents": [] }
        ])
    }

    fn input<'a>(
        manifest: &'a Manifest,
        policies: &'a PolicySet,
        schema: &'a str,
        entities: &'a Value,
    ) -> ExportInput<'a> {
        ExportInput {
            manifest,
            hash: HASH,
            policies,
            schema,
            entities,
        }
    }

    fn unzip(bytes: &[u8]) -> (Vec<String>, BTreeMap<String, Vec<u8>>) {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut names = Vec::new();
        let mut contents = BTreeMap::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            names.push(name.clone());
            assert_eq!(entry.last_modified(), Some(DateTime::default()), "{name}");
            let mode = entry.unix_mode().unwrap() & 0o777;
            if entry.is_dir() {
                assert_eq!(mode, 0o755, "{name}");
            } else {
                assert_eq!(mode, 0o644, "{name}");
                assert_eq!(entry.compression(), CompressionMethod::Deflated);
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                contents.insert(name, bytes);
            }
        }
        (names, contents)
    }

    /// The link as the static policy it stands for: the template's JSON with the slot
    /// filled in and `@id` set to the link's id.
    fn link_as_static_json(set: &PolicySet, link_id: &str) -> Value {
        let mut est = set
            .policy(&PolicyId::new(link_id))
            .unwrap()
            .to_json()
            .unwrap();
        set_id_annotation(&mut est, link_id).unwrap();
        without_entity_escapes(est)
    }

    /// A link's JSON writes the filled-in slot as `{"__entity": {...}}`, the same entity
    /// that parsed text writes as `{"type", "id"}`.
    fn without_entity_escapes(value: Value) -> Value {
        match value {
            Value::Object(mut map) if map.len() == 1 && map.contains_key("__entity") => {
                map.remove("__entity").unwrap()
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, without_entity_escapes(v)))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(without_entity_escapes).collect())
            }
            other => other,
        }
    }

    #[test]
    fn cedarling_store_follows_the_janssen_layout() {
        let (manifest, policies, entities) = (manifest(), sample_policies(), sample_entities());
        let input = input(&manifest, &policies, SCHEMA_TEXT, &entities);
        let bytes = cedarling(&input).unwrap();
        assert_eq!(
            bytes,
            cedarling(&input).unwrap(),
            "the same bundle zips to the same bytes"
        );

        let (names, files) = unzip(&bytes);
        assert_eq!(
            names,
            [
                "entities/",
                "entities/entities.json",
                "manifest.json",
                "metadata.json",
                "policies/",
                "policies/forbid-prod-high-risk.cedar",
                "policies/grant-billing-bot-refund.cedar",
                "policies/permit-low-risk-tools.cedar",
                "schema.cedarschema",
                "templates/",
                "templates/tool-grant.cedar",
            ]
        );

        let metadata: Value = serde_json::from_slice(&files["metadata.json"]).unwrap();
        assert_eq!(metadata["policy_store_spec_version"], 1);
        assert_eq!(metadata["cedar_version"], "4.6.0");
        let store = &metadata["policy_store"];
        assert_eq!(store["id"], HASH.strip_prefix("sha256:").unwrap());
        assert_eq!(store["name"], "acme-agents");
        assert_eq!(store["version"], "1.2.0");
        assert_eq!(store["created_date"], "2026-05-01T12:00:00Z");
        assert_eq!(
            store["description"],
            format!("Mandate bundle acme-agents 1.2.0 ({HASH}): Refund grant for the billing bot")
        );

        for id in ["permit-low-risk-tools", "forbid-prod-high-risk"] {
            let text = std::str::from_utf8(&files[&format!("policies/{id}.cedar")]).unwrap();
            assert_eq!(cedarling_reads_id(text).as_deref(), Some(id));
            let parsed = Policy::parse(None, text).unwrap();
            let original = policies.policy(&PolicyId::new(id)).unwrap();
            assert_eq!(
                parsed.to_json().unwrap(),
                original.to_json().unwrap(),
                "{id}"
            );
        }
        let link_text =
            std::str::from_utf8(&files["policies/grant-billing-bot-refund.cedar"]).unwrap();
        assert_eq!(
            cedarling_reads_id(link_text).as_deref(),
            Some("grant-billing-bot-refund")
        );
        let link = Policy::parse(None, link_text).unwrap();
        assert!(link.is_static());
        assert_eq!(
            link.annotation("rationale"),
            Some("One agent may call the refund tool")
        );
        assert_eq!(
            link.to_json().unwrap(),
            link_as_static_json(&policies, "grant-billing-bot-refund")
        );
        let template_text = std::str::from_utf8(&files["templates/tool-grant.cedar"]).unwrap();
        assert_eq!(
            cedarling_reads_id(template_text).as_deref(),
            Some("tool-grant")
        );
        assert_eq!(
            Template::parse(None, template_text)
                .unwrap()
                .to_json()
                .unwrap(),
            policies
                .template(&PolicyId::new("tool-grant"))
                .unwrap()
                .to_json()
                .unwrap()
        );

        assert_eq!(files["schema.cedarschema"], SCHEMA_TEXT.as_bytes());
        let written: Value = serde_json::from_slice(&files["entities/entities.json"]).unwrap();
        assert_eq!(
            written[1],
            json!({
                "uid": { "type": "Acme::Agent", "id": "billing-bot" },
                "attrs": { "env": "prod" },
                "parents": [{ "type": "Acme::Team", "id": "ops" }]
            })
        );
        assert_eq!(written.as_array().unwrap().len(), 4);

        let listed: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        assert_eq!(listed["policy_store_id"], store["id"]);
        assert_eq!(listed["generated_date"], "2026-05-01T12:00:00Z");
        let listed = listed["files"].as_object().unwrap();
        let expected: Vec<&String> = files.keys().filter(|n| *n != "manifest.json").collect();
        assert_eq!(listed.keys().collect::<Vec<_>>(), expected);
        for (name, entry) in listed {
            assert_eq!(entry["checksum"], sha256(&files[name]), "{name}");
            assert_eq!(entry["size"], files[name].len(), "{name}");
        }
    }

    #[test]
    fn cedarling_refuses_ids_it_would_not_load() {
        let (manifest, entities) = (manifest(), sample_entities());
        let policies = policy_set(
            &[(
                "refunds/billing bot",
                "@id(\"refunds/billing bot\") permit(principal, action, resource);",
            )],
            &[],
        );
        let problem = cedarling(&input(&manifest, &policies, SCHEMA_TEXT, &entities)).unwrap_err();
        assert_eq!(problem.file, "policies/");
        assert!(
            problem.message.contains("`refunds/billing bot`"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn cedarling_refuses_entities_with_tags() {
        let (manifest, policies) = (manifest(), sample_policies());
        let entities = json!([
            { "uid": { "type": "Acme::Tool", "id": "search" }, "attrs": { "risk": 1 }, "tags": { "tier": "a" } }
        ]);
        let problem = cedarling(&input(&manifest, &policies, SCHEMA_TEXT, &entities)).unwrap_err();
        assert_eq!(problem.file, "entities.json");
        assert!(problem.message.contains("entity 0"), "{}", problem.message);
        assert!(problem.message.contains("`tags`"), "{}", problem.message);
    }

    #[test]
    fn a_policy_without_id_annotation_gets_one() {
        let policies = policy_set(&[("policy0", "permit(principal, action, resource);")], &[]);
        let text = static_text(policies.policy(&PolicyId::new("policy0")).unwrap()).unwrap();
        assert_eq!(cedarling_reads_id(&text).as_deref(), Some("policy0"));
        assert_eq!(
            Policy::parse(None, &text).unwrap().annotation("id"),
            Some("policy0")
        );
    }

    fn resources_of<'v>(template: &'v Value, kind: &str) -> Vec<(&'v String, &'v Value)> {
        template["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| r["Type"] == kind)
            .collect()
    }

    #[test]
    fn avp_template_creates_store_policies_templates_and_links() {
        let (manifest, policies, entities) = (manifest(), sample_policies(), sample_entities());
        let input = input(&manifest, &policies, SCHEMA_TEXT, &entities);
        let text = avp(&input).unwrap();
        assert_eq!(
            text,
            avp(&input).unwrap(),
            "the same bundle gives the same template"
        );
        let template: Value = serde_json::from_str(&text).unwrap();

        let top: Vec<&String> = template.as_object().unwrap().keys().collect();
        assert_eq!(
            top,
            [
                "AWSTemplateFormatVersion",
                "Description",
                "Metadata",
                "Outputs",
                "Resources"
            ]
        );
        assert_eq!(
            template["Description"],
            format!("Mandate bundle acme-agents 1.2.0 ({HASH})")
        );
        assert_eq!(
            template["Outputs"]["PolicyStoreId"]["Value"],
            json!({ "Ref": "PolicyStore" })
        );
        assert_eq!(template["Metadata"]["Mandate"]["Notes"], json!([]));

        let stores = resources_of(&template, "AWS::VerifiedPermissions::PolicyStore");
        assert_eq!(stores.len(), 1);
        let (store_id, store) = stores[0];
        assert_eq!(store_id, "PolicyStore");
        assert_eq!(store["Properties"]["ValidationSettings"]["Mode"], "STRICT");
        assert_eq!(
            store["Properties"]["Description"],
            format!("acme-agents 1.2.0 {HASH}")
        );
        let cedar_json = store["Properties"]["Schema"]["CedarJson"].as_str().unwrap();
        let fragment =
            SchemaFragment::from_json_value(serde_json::from_str(cedar_json).unwrap()).unwrap();
        let namespaces: Vec<String> = fragment
            .namespaces()
            .map(|ns| ns.unwrap().to_string())
            .collect();
        assert_eq!(namespaces, ["Acme"]);
        // Type names are resolved, so readers without `EntityOrCommon` take the schema.
        assert!(!cedar_json.contains("EntityOrCommon"), "{cedar_json}");
        let acme: Value = serde_json::from_str::<Value>(cedar_json).unwrap()["Acme"].clone();
        assert_eq!(acme["commonTypes"]["Level"], json!({ "type": "Long" }));
        let agent = &acme["entityTypes"]["Agent"]["shape"]["attributes"];
        assert_eq!(agent["env"], json!({ "type": "String" }));
        assert_eq!(
            agent["active"],
            json!({ "type": "Boolean", "required": false })
        );
        let tool = &acme["entityTypes"]["Tool"]["shape"]["attributes"];
        assert_eq!(tool["risk"], json!({ "type": "Level" }));
        assert_eq!(
            tool["owner"],
            json!({ "type": "Entity", "name": "Team", "required": false })
        );
        assert_eq!(
            tool["address"],
            json!({ "type": "Extension", "name": "ipaddr", "required": false })
        );
        assert_eq!(
            tool["labels"],
            json!({ "type": "Set", "element": { "type": "String" }, "required": false })
        );
        let resolved = Schema::from_json_str(cedar_json).unwrap();
        let result = Validator::new(resolved).validate(&policies, ValidationMode::Strict);
        assert_eq!(result.validation_errors().count(), 0, "{result:?}");

        let templates = resources_of(&template, "AWS::VerifiedPermissions::PolicyTemplate");
        assert_eq!(templates.len(), 1);
        let (template_logical, policy_template) = templates[0];
        assert_eq!(template_logical, "TemplateToolGrant");
        assert_eq!(policy_template["Metadata"]["MandatePolicyId"], "tool-grant");
        assert_eq!(
            policy_template["Properties"]["PolicyStoreId"],
            json!({ "Ref": "PolicyStore" })
        );
        let statement = policy_template["Properties"]["Statement"].as_str().unwrap();
        assert_eq!(
            Template::parse(None, statement).unwrap().to_json().unwrap(),
            policies
                .template(&PolicyId::new("tool-grant"))
                .unwrap()
                .to_json()
                .unwrap()
        );

        let all = resources_of(&template, "AWS::VerifiedPermissions::Policy");
        assert_eq!(all.len(), 3);
        let by_id: BTreeMap<&str, (&String, &Value)> = all
            .iter()
            .map(|(logical, r)| {
                (
                    r["Metadata"]["MandatePolicyId"].as_str().unwrap(),
                    (*logical, *r),
                )
            })
            .collect();
        for (id, logical, description) in [
            (
                "permit-low-risk-tools",
                "PolicyPermitLowRiskTools",
                "permit-low-risk-tools: Agents may call tools rated below 3",
            ),
            (
                "forbid-prod-high-risk",
                "PolicyForbidProdHighRisk",
                "forbid-prod-high-risk",
            ),
        ] {
            let (found, resource) = by_id[id];
            assert_eq!(found, logical);
            let definition = &resource["Properties"]["Definition"]["Static"];
            assert_eq!(definition["Description"], description);
            let parsed = Policy::parse(None, definition["Statement"].as_str().unwrap()).unwrap();
            assert_eq!(
                parsed.to_json().unwrap(),
                policies
                    .policy(&PolicyId::new(id))
                    .unwrap()
                    .to_json()
                    .unwrap()
            );
        }
        let (link_logical, link) = by_id["grant-billing-bot-refund"];
        assert_eq!(link_logical, "PolicyGrantBillingBotRefund");
        assert_eq!(
            link["Properties"]["Definition"],
            json!({
                "TemplateLinked": {
                    "PolicyTemplateId": { "Fn::GetAtt": ["TemplateToolGrant", "PolicyTemplateId"] },
                    "Principal": { "EntityId": "billing-bot", "EntityType": "Acme::Agent" }
                }
            })
        );
        for (logical, _) in template["Resources"].as_object().unwrap() {
            assert!(
                logical.chars().all(|c| c.is_ascii_alphanumeric()),
                "{logical}"
            );
        }
    }

    #[test]
    fn avp_links_of_an_unconstrained_template_become_static_policies() {
        let (manifest, entities) = (manifest(), sample_entities());
        let mut policies = policy_set(
            &[],
            &[(
                "any-tool",
                "@id(\"any-tool\") permit(principal == ?principal, action, resource);",
            )],
        );
        policies
            .link(
                PolicyId::new("any-tool"),
                PolicyId::new("bot-any-tool"),
                HashMap::from([(SlotId::principal(), uid(r#"Acme::Agent::"billing-bot""#))]),
            )
            .unwrap();
        let template: Value = serde_json::from_str(
            &avp(&input(&manifest, &policies, SCHEMA_TEXT, &entities)).unwrap(),
        )
        .unwrap();
        assert!(resources_of(&template, "AWS::VerifiedPermissions::PolicyTemplate").is_empty());
        let all = resources_of(&template, "AWS::VerifiedPermissions::Policy");
        assert_eq!(all.len(), 1);
        let statement = all[0].1["Properties"]["Definition"]["Static"]["Statement"]
            .as_str()
            .unwrap();
        let parsed = Policy::parse(None, statement).unwrap();
        assert_eq!(
            parsed.to_json().unwrap(),
            link_as_static_json(&policies, "bot-any-tool")
        );
        let notes = template["Metadata"]["Mandate"]["Notes"].as_array().unwrap();
        assert_eq!(notes.len(), 1);
        assert!(notes[0]
            .as_str()
            .unwrap()
            .contains("`any-tool` leaves `resource` unconstrained"));
    }

    #[test]
    fn avp_refuses_what_verified_permissions_rejects() {
        let (manifest, policies, entities) = (manifest(), sample_policies(), sample_entities());
        let two = "namespace Acme { entity Agent; }\nnamespace Other { entity Tool; }\n";
        let problem = avp(&input(&manifest, &policies, two, &entities)).unwrap_err();
        assert_eq!(problem.file, "schema.cedarschema");
        assert!(
            problem.message.contains("`Acme`, `Other`"),
            "{}",
            problem.message
        );

        let long = format!(
            "@id(\"long\") permit(principal, action, resource) when {{ context has \"{}\" }};",
            "x".repeat(AVP_STATEMENT_MAX)
        );
        let policies = policy_set(&[("long", long.as_str())], &[]);
        let problem = avp(&input(&manifest, &policies, SCHEMA_TEXT, &entities)).unwrap_err();
        assert_eq!(problem.file, "policies/");
        assert!(
            problem.message.starts_with("`long`: is "),
            "{}",
            problem.message
        );
        assert!(problem.message.contains("10000"), "{}", problem.message);
    }

    #[test]
    fn logical_ids_are_alphanumeric_unique_and_spare_the_store() {
        let mut ids = LogicalIds::default();
        assert_eq!(ids.claim("Policy", "a-b"), "PolicyAB");
        assert_eq!(ids.claim("Policy", "a_b"), "PolicyAB2");
        assert_eq!(ids.claim("Policy", "store"), "PolicyStore2");
        assert_eq!(ids.claim("Policy", "élan"), "PolicyLan");
        assert_eq!(ids.claim("Template", "!!"), "Template");
    }

    /// Reads `policies.cedar` and `links.json` the way `cedar-policy-cli` does.
    fn cli_policy_set(files: &Files) -> PolicySet {
        let text = std::str::from_utf8(&files["policies.cedar"]).unwrap();
        let parsed: PolicySet = text.parse().unwrap();
        let mut renamed = PolicySet::new();
        for template in parsed.templates() {
            let id = PolicyId::new(template.annotation("id").unwrap());
            renamed.add_template(template.new_id(id)).unwrap();
        }
        for policy in parsed.policies() {
            let id = PolicyId::new(policy.annotation("id").unwrap());
            renamed.add(policy.new_id(id)).unwrap();
        }
        let links: Vec<Value> = serde_json::from_slice(&files["links.json"]).unwrap();
        for link in links {
            let args = link["args"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(slot, value)| {
                    let slot = match slot.as_str() {
                        "?principal" => SlotId::principal(),
                        "?resource" => SlotId::resource(),
                        other => panic!("slot {other}"),
                    };
                    (slot, uid(value.as_str().unwrap()))
                })
                .collect();
            renamed
                .link(
                    PolicyId::new(link["template_id"].as_str().unwrap()),
                    PolicyId::new(link["link_id"].as_str().unwrap()),
                    args,
                )
                .unwrap();
        }
        renamed
    }

    #[test]
    fn cedar_dir_runs_in_the_cedar_cli() {
        let (manifest, policies, entities) = (manifest(), sample_policies(), sample_entities());
        let files = cedar_dir(&input(&manifest, &policies, SCHEMA_TEXT, &entities)).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            [
                "README.md",
                "entities.json",
                "links.json",
                "policies.cedar",
                "schema.cedarschema"
            ]
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&files["links.json"]).unwrap(),
            json!([{
                "template_id": "tool-grant",
                "link_id": "grant-billing-bot-refund",
                "args": { "?principal": "Acme::Agent::\"billing-bot\"" }
            }])
        );

        let exported = cli_policy_set(&files);
        let ids = |set: &PolicySet| {
            let mut ids: Vec<String> = set
                .policies()
                .map(|p| p.id().to_string())
                .chain(set.templates().map(|t| t.id().to_string()))
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&exported), ids(&policies));
        assert_eq!(ids(&exported).len(), 4);
        for id in [
            "permit-low-risk-tools",
            "forbid-prod-high-risk",
            "grant-billing-bot-refund",
        ] {
            let id = PolicyId::new(id);
            assert_eq!(
                exported.policy(&id).unwrap().to_json().unwrap(),
                policies.policy(&id).unwrap().to_json().unwrap()
            );
        }

        let schema_text = std::str::from_utf8(&files["schema.cedarschema"]).unwrap();
        let (schema, _) = Schema::from_cedarschema_str(schema_text).unwrap();
        let result = Validator::new(schema.clone()).validate(&exported, ValidationMode::Strict);
        assert_eq!(result.validation_errors().count(), 0, "{result:?}");

        let written: Value = serde_json::from_slice(&files["entities.json"]).unwrap();
        assert_eq!(written, entities);
        let entities = Entities::from_json_value(written, Some(&schema)).unwrap();

        // The exported folder decides as the bundle does.
        let authorizer = Authorizer::new();
        for (principal, resource, decision, reason) in [
            (
                r#"Acme::Agent::"billing-bot""#,
                r#"Acme::Tool::"stripe.refund""#,
                Decision::Deny,
                "forbid-prod-high-risk",
            ),
            (
                r#"Acme::Agent::"billing-bot""#,
                r#"Acme::Tool::"search""#,
                Decision::Allow,
                "permit-low-risk-tools",
            ),
        ] {
            let request = Request::new(
                uid(principal),
                uid(r#"Acme::Action::"invoke_tool""#),
                uid(resource),
                Context::empty(),
                Some(&schema),
            )
            .unwrap();
            for set in [&policies, &exported] {
                let response = authorizer.is_authorized(&request, set, &entities);
                assert_eq!(response.decision(), decision, "{resource}");
                let reasons: Vec<String> = response
                    .diagnostics()
                    .reason()
                    .map(ToString::to_string)
                    .collect();
                assert_eq!(reasons, [reason], "{resource}");
            }
        }

        let readme = std::str::from_utf8(&files["README.md"]).unwrap();
        assert!(readme.starts_with("# acme-agents 1.2.0\n"), "{readme}");
        assert!(
            readme.contains(&format!("created 2026-05-01T12:00:00Z:\n`{HASH}`.\n")),
            "{readme}"
        );
        assert!(
            readme.contains(
                "cedar validate --schema schema.cedarschema --policies policies.cedar --template-linked links.json\n"
            ),
            "{readme}"
        );
        assert!(
            readme.contains("cedar authorize --schema schema.cedarschema --policies policies.cedar --template-linked links.json \\\n  --entities entities.json \\\n  --principal 'Acme::Agent::\"billing-bot\"' \\\n  --action 'Acme::Action::\"invoke_tool\"' \\\n  --resource 'Acme::Tool::\"search\"' \\\n"),
            "{readme}"
        );
        assert!(
            readme.contains("| `policies.cedar` | static policies (2) and templates (1);"),
            "{readme}"
        );
        assert!(
            readme.contains("| `links.json` | template-linked policies (1),"),
            "{readme}"
        );
        assert!(
            readme.contains("| `entities.json` | entities (4),"),
            "{readme}"
        );
    }
}
