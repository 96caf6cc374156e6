//! Policy authoring actions: format, validate an unsaved buffer, describe the schema for
//! completion.

use serde_json::Value;

use super::{dto, ApiError, ApiResult, Session};
use crate::diagnostics::Diagnostic;
use crate::error::ErrorCode;
use crate::policy;

impl Session {
    /// Formats every policy file (statement by statement). With `check`, writes nothing and
    /// lists the files that would change.
    pub fn format_policies(&self, check: bool) -> ApiResult<dto::FormatReport> {
        let paths = policy::policy_paths(self.root()).map_err(|d| ApiError {
            code: ErrorCode::Io,
            message: d.message.clone(),
            help: d.help.clone(),
            diagnostics: vec![*d],
        })?;
        let mut report = dto::FormatReport::default();
        for (rel, _) in paths {
            let text = self.read_file(&rel)?;
            report.checked += 1;
            match policy::format_text(&text) {
                None => report.unparseable.push(rel),
                Some(formatted) if formatted != text => {
                    if !check {
                        // Over the text just formatted, never over an edit made in between.
                        let read = crate::workspace::revision(text.as_bytes());
                        self.workspace
                            .write_file_at(&rel, formatted.as_bytes(), Some(&read))?;
                    }
                    report.changed.push(rel);
                }
                Some(_) => {}
            }
        }
        Ok(report)
    }

    /// Formats one policy text (the editor's Format); an error when it does not parse.
    pub fn format_policy_text(&self, text: &str) -> ApiResult<String> {
        policy::format_text(text).ok_or_else(|| {
            ApiError::new(
                ErrorCode::PolicyInvalid,
                "the policy text does not parse, so it cannot be formatted",
                Some("fix the syntax errors first; the problems list shows them"),
            )
        })
    }

    /// Validates an unsaved buffer for `rel` together with the workspace's other policy
    /// files, as if it were saved; returns the problems in that buffer.
    pub fn validate_buffer(&self, rel: &str, text: &str) -> ApiResult<Vec<Diagnostic>> {
        self.workspace.resolve(rel)?;
        let mut sources = policy::read_sources(self.root());
        sources.files.retain(|(p, _)| p != rel);
        sources.problems.retain(|d| d.file != rel);
        sources.files.push((rel.to_owned(), text.to_owned()));
        let mut report = self.check_policies(sources);
        self.add_lints(&mut report, Some(rel));
        Ok(report
            .diagnostics
            .into_iter()
            .filter(|d| d.file == rel)
            .collect())
    }

    /// Entity types with their attributes and actions with their context fields, for the
    /// editor's completion.
    pub fn schema_outline(&self) -> ApiResult<dto::SchemaOutline> {
        let json: Value = serde_json::from_str(&self.schema_json()?)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?;
        Ok(outline(&json))
    }
}

/// Reads Cedar's JSON schema into an outline (every namespace; names qualified).
fn outline(json: &Value) -> dto::SchemaOutline {
    let mut out = dto::SchemaOutline::default();
    let Some(namespaces) = json.as_object() else {
        return out;
    };
    for (ns, body) in namespaces {
        let q = |name: &str| {
            if ns.is_empty() {
                name.to_owned()
            } else {
                format!("{ns}::{name}")
            }
        };
        let common = body.get("commonTypes").cloned().unwrap_or(Value::Null);
        let attrs = |shape: &Value| -> Vec<dto::AttributeOutline> {
            let shape = match shape.get("type").and_then(Value::as_str) {
                Some("Record") | None => shape.clone(),
                Some(name) => common.get(name).cloned().unwrap_or(Value::Null),
            };
            let mut list: Vec<dto::AttributeOutline> = shape
                .get("attributes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, t)| dto::AttributeOutline {
                    name: name.clone(),
                    type_name: type_name(t),
                    required: t.get("required").and_then(Value::as_bool).unwrap_or(true),
                })
                .collect();
            list.sort_by(|a, b| a.name.cmp(&b.name));
            list
        };
        for (name, def) in body
            .get("entityTypes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            out.entity_types.push(dto::EntityTypeOutline {
                name: q(name),
                attributes: def.get("shape").map(&attrs).unwrap_or_default(),
                member_of: def
                    .get("memberOfTypes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(&q)
                    .collect(),
            });
        }
        for (name, def) in body
            .get("actions")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let applies = def.get("appliesTo").cloned().unwrap_or(Value::Null);
            let types = |key: &str| -> Vec<String> {
                applies
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(&q)
                    .collect()
            };
            out.actions.push(dto::ActionOutline {
                name: name.clone(),
                uid: format!("{}::\"{name}\"", q("Action")),
                principal_types: types("principalTypes"),
                resource_types: types("resourceTypes"),
                context: applies.get("context").map(&attrs).unwrap_or_default(),
            });
        }
    }
    out.entity_types.sort_by(|a, b| a.name.cmp(&b.name));
    out.actions.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn type_name(t: &Value) -> String {
    match t.get("type").and_then(Value::as_str) {
        Some("Set") => format!(
            "Set<{}>",
            t.get("element").map(type_name).unwrap_or_default()
        ),
        Some("Entity" | "EntityOrCommon") => t
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("Entity")
            .to_owned(),
        Some("Extension") => t
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("Extension")
            .to_owned(),
        Some(other) => other.to_owned(),
        None => "?".to_owned(),
    }
}

impl Session {
    /// Adds the built-in library policies that enforce `control` to the workspace, in the
    /// workspace namespace, as `policies/controls/<control>.cedar`. Refused when the file
    /// exists or a policy id is already used (the library may be there already).
    pub fn add_control_policies(
        &self,
        control: &str,
        actor: &str,
    ) -> ApiResult<dto::AddedPolicies> {
        let namespace = self.workspace.config().namespace.clone();
        let library = library_policies(&namespace);
        let (ids, texts): (Vec<String>, Vec<String>) = library
            .iter()
            .filter(|p| p.control == control)
            .map(|p| (p.id.clone(), p.text.clone()))
            .unzip();
        if ids.is_empty() {
            let mut known: Vec<&str> = library.iter().map(|p| p.control.as_str()).collect();
            known.sort_unstable();
            known.dedup();
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("the policy library has no policy for control `{control}`"),
                Some(&format!(
                    "library controls with policies: {}",
                    known.join(", ")
                )),
            ));
        }
        let existing = self.validate();
        let taken: Vec<&str> = existing
            .files
            .iter()
            .flat_map(|f| {
                f.policies
                    .iter()
                    .map(move |p| (f.path.as_str(), p.id.as_str()))
            })
            .filter(|(_, id)| ids.iter().any(|i| i == id))
            .map(|(path, _)| path)
            .collect();
        if let Some(path) = taken.first() {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("the workspace already has the policies of `{control}` (in {path})"),
                Some("the control is already enforced; edit that file instead"),
            ));
        }
        let rel = format!("policies/controls/{}.cedar", control.to_ascii_lowercase());
        if self.workspace.resolve(&rel)?.exists() {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{rel}` already exists"),
                Some("edit it, or remove it first"),
            ));
        }
        let body = format!(
            "// Enforces {control}; added from Mandate's control library.\n{}\n",
            texts.join("\n\n")
        );
        // `absent`: a file created meanwhile is refused rather than overwritten.
        self.save_policy(&rel, &body, Some(crate::workspace::ABSENT), actor)?;
        Ok(dto::AddedPolicies { file: rel, ids })
    }
}

/// A policy of the built-in library, in a workspace's namespace.
struct LibraryPolicy {
    control: String,
    id: String,
    text: String,
}

/// Every `@control`-annotated policy of the built-in library, in library order.
fn library_policies(namespace: &str) -> Vec<LibraryPolicy> {
    let mut out = Vec::new();
    for (name, text) in crate::workspace::POLICY_LIBRARY {
        let text = crate::workspace::with_namespace(text, namespace);
        let report = policy::check_sources(vec![(format!("policies/{name}"), text)], None);
        for st in report.files.iter().flat_map(|f| &f.statements) {
            let (Some(control), Some(p)) = (
                st.control.as_ref(),
                report.set.policy(&cedar_policy::PolicyId::new(&st.id)),
            ) else {
                continue;
            };
            out.push(LibraryPolicy {
                control: control.clone(),
                id: st.id.clone(),
                text: p.to_string(),
            });
        }
    }
    out
}

impl Session {
    /// The workspace's controls merged with the built-in library: for each, whether the
    /// workspace lists it, which library policies can be added for it and which workspace
    /// policies enforce it.
    pub fn controls(&self) -> dto::ControlsView {
        use crate::frameworks::{self, CONTROLS_FILE};
        let mut view = dto::ControlsView::default();
        let path = self.root().join(CONTROLS_FILE);
        let workspace = match crate::diagnostics::read_text(
            CONTROLS_FILE,
            &path,
            true,
            &mut view.diagnostics,
        ) {
            Some(text) => {
                let (controls, problems) = frameworks::parse(CONTROLS_FILE, &text);
                view.diagnostics.extend(problems);
                controls.controls
            }
            None => Vec::new(),
        };
        let namespace = self.workspace.config().namespace.clone();
        let library = library_policies(&namespace);
        // Through the session's cache: the editor asks for this on every workspace change.
        let report = self.check_policies(policy::read_sources(self.root()));
        let status = |c: crate::frameworks::Control, in_workspace: bool| dto::ControlStatus {
            library_policies: library
                .iter()
                .filter(|p| p.control == c.id)
                .map(|p| p.id.clone())
                .collect(),
            enforced_by: report
                .files
                .iter()
                .flat_map(|f| f.statements.iter().map(move |s| (f, s)))
                .filter(|(_, s)| s.control.as_deref() == Some(c.id.as_str()))
                .map(|(f, s)| dto::PolicyRef {
                    id: s.id.clone(),
                    file: f.path.clone(),
                    line: s.line,
                })
                .collect(),
            id: c.id,
            title: c.title,
            statement: c.statement,
            rationale: c.rationale,
            checks: c.checks,
            in_workspace,
        };
        let mut controls: Vec<dto::ControlStatus> = Vec::new();
        for c in workspace {
            if !controls.iter().any(|x| x.id == c.id) {
                controls.push(status(c, true));
            }
        }
        for c in frameworks::library().controls {
            if !controls.iter().any(|x| x.id == c.id) {
                controls.push(status(c, false));
            }
        }
        controls.sort_by(|a, b| a.id.cmp(&b.id));
        view.controls = controls;
        view
    }
}

/// One request for the test bench: entity references as `Type::"id"` (unqualified types get
/// the workspace namespace), the action as `name` or `Action::"name"`, context as JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TestRequest {
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// A JSON object; `{}` when empty.
    pub context: String,
}

impl Session {
    /// Decides one request against the workspace's policies and the inventory's entities —
    /// the AVP test bench, offline. Reports the decision, the determining policies with
    /// their source, and every policy error.
    pub fn test_request(&self, req: &TestRequest) -> ApiResult<dto::TestResult> {
        use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, Request, Schema};
        let ns = self.workspace.config().namespace.clone();
        let bad = |what: &str, value: &str, e: String| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                format!("invalid {what} `{value}`: {}", e.split_whitespace().collect::<Vec<_>>().join(" ")),
                Some("entity references look like `Agent::\"billing-bot\"` (the workspace namespace is added when missing)"),
            )
        };
        let qualify = |s: &str| -> String {
            let s = s.trim();
            if s.starts_with(&format!("{ns}::")) || s.matches("::").count() > 1 {
                s.to_owned()
            } else {
                format!("{ns}::{s}")
            }
        };
        let parse_uid = |what: &str, s: &str| -> ApiResult<EntityUid> {
            qualify(s)
                .parse::<EntityUid>()
                .map_err(|e| bad(what, s, e.to_string()))
        };
        let action_text = if req.action.contains("::") {
            req.action.clone()
        } else {
            format!("Action::\"{}\"", req.action.trim())
        };
        let principal = parse_uid("principal", &req.principal)?;
        let action = parse_uid("action", &action_text)?;
        let resource = parse_uid("resource", &req.resource)?;
        let schema_text = self.guarded_schema_text()?;
        let schema = Schema::from_cedarschema_str(&schema_text)
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::PolicyInvalid,
                    format!("the schema does not parse: {e}"),
                    Some("run `mandate validate`"),
                )
            })?
            .0;
        let context_json: serde_json::Value = if req.context.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(&req.context)
                .map_err(|e| bad("context", &req.context, e.to_string()))?
        };
        let context = Context::from_json_value(context_json, Some((&schema, &action)))
            .map_err(|e| bad("context", &req.context, e.to_string()))?;
        let request = Request::new(principal, action, resource, context, Some(&schema))
            .map_err(|e| bad("request", "", e.to_string()))?;
        let entities_json = self.entities()?;
        let entities = Entities::from_json_value(entities_json, Some(&schema)).map_err(|e| {
            ApiError::new(
                ErrorCode::InventoryInvalid,
                format!("the inventory's entities do not load: {e}"),
                None,
            )
        })?;
        let report = self.check_policies(policy::read_sources(self.root()));
        if report.error_count() > 0 {
            return Err(ApiError {
                code: ErrorCode::PolicyInvalid,
                message: format!(
                    "the policies have {} error(s); fix them before testing",
                    report.error_count()
                ),
                help: Some("`mandate validate` lists them".into()),
                diagnostics: report
                    .diagnostics
                    .into_iter()
                    .filter(|d| d.severity == crate::diagnostics::Severity::Error)
                    .collect(),
            });
        }
        let response = Authorizer::new().is_authorized(&request, &report.set, &entities);
        let locate = |id: &str| {
            report
                .files
                .iter()
                .find_map(|f| {
                    f.statements
                        .iter()
                        .find(|s| s.id == id)
                        .map(|s| (f.path.clone(), s.line))
                })
                .or_else(|| {
                    report
                        .links
                        .iter()
                        .find(|l| l.id == id)
                        .map(|l| (policy::LINKS_FILE.to_owned(), l.line))
                })
        };
        let mut determining: Vec<dto::DeterminingPolicy> = response
            .diagnostics()
            .reason()
            .map(|id| {
                let id = id.to_string();
                let (file, line) = locate(&id).unwrap_or_default();
                let text = report
                    .set
                    .policy(&cedar_policy::PolicyId::new(&id))
                    .map(ToString::to_string)
                    .unwrap_or_default();
                dto::DeterminingPolicy {
                    id,
                    file,
                    line,
                    text,
                }
            })
            .collect();
        determining.sort_by(|a, b| a.id.cmp(&b.id));
        let mut errors: Vec<dto::PolicyError> = response
            .diagnostics()
            .errors()
            .map(|e| {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(e) = e;
                dto::PolicyError {
                    policy: e.policy_id().to_string(),
                    message: e.to_string(),
                }
            })
            .collect();
        errors.sort_by(|a, b| a.policy.cmp(&b.policy));
        Ok(dto::TestResult {
            decision: if response.decision() == Decision::Allow {
                "allow".into()
            } else {
                "deny".into()
            },
            determining,
            errors,
        })
    }
}
