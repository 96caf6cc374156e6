//! Explaining one stored request on the baseline and the candidate (`mandate explain --set`).

use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::replay::explain::{self, ExplainError};
use crate::replay::simulate::decode_record;
use crate::store::NewRequest;

impl Session {
    /// Explains the request `request_id` (its record id, or `line:N` as `mandate simulate`
    /// prints it) of the stored set `set` on both sides: the baseline (default `git:HEAD`)
    /// and the candidate (default the working copy), as [`Session::replay_set`] loads them.
    pub fn explain_request(
        &self,
        set: &str,
        request_id: &str,
        baseline: Option<&str>,
        candidate: Option<&str>,
    ) -> ApiResult<dto::ExplainPair> {
        let db = self.db()?;
        let Some(set_id) = db.request_set_id(set)? else {
            return Err(self.request_stats(set).err().unwrap_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no request set `{set}`"),
                    Some("`mandate requests list` lists the sets"),
                )
            }));
        };
        let Some(stored) = db.request_by_id(set_id, request_id)? else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no request `{request_id}` in set `{set}`"),
                Some(&format!(
                    "give a record's `id`, or `line:N` as `mandate simulate` prints it; `mandate requests stats {set}` describes the set"
                )),
            ));
        };
        let baseline = self.located_side("baseline", baseline.unwrap_or("git:HEAD"))?;
        let candidate = match candidate {
            None => self.located_working_copy()?,
            Some(spec) => self.located_side("candidate", spec)?,
        };
        let (schema, entities) = self.explain_inputs()?;
        let record = &stored.request;
        let (request, own) = decode_record(&schema, &entities, record).map_err(|message| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                format!("request `{request_id}` does not fit the workspace: {message}"),
                Some("the schema changed since it was recorded; `mandate simulate` skips it too"),
            )
        })?;
        let entities = own.as_ref().unwrap_or(&entities);
        let baseline = explain::explain(&baseline, &request, entities);
        let candidate = explain::explain(&candidate, &request, entities);
        Ok(dto::ExplainPair {
            request: view(record, stored.row),
            changed: baseline.differs_from(&candidate),
            baseline,
            candidate,
        })
    }

    /// The workspace's schema and the inventory's entities, as a replay loads them.
    fn explain_inputs(&self) -> ApiResult<(cedar_policy::Schema, cedar_policy::Entities)> {
        let schema = cedar_policy::Schema::from_cedarschema_str(&self.guarded_schema_text()?)
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::PolicyInvalid,
                    format!("the schema does not parse: {e}"),
                    Some("run `mandate validate`"),
                )
            })?
            .0;
        let entities = cedar_policy::Entities::from_json_value(self.entities()?, Some(&schema))
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::InventoryInvalid,
                    format!("the inventory's entities do not load: {e}"),
                    Some("run `mandate check`"),
                )
            })?;
        Ok((schema, entities))
    }
}

/// Explains one request on loose files (no workspace): a schema, entities, a `.cedar` file
/// or folder, and a recorded request as JSON text.
pub fn explain_files(
    schema: &std::path::Path,
    entities: &std::path::Path,
    policies: &std::path::Path,
    record: &str,
) -> ApiResult<dto::Explanation> {
    Ok(explain::explain_files(schema, entities, policies, record)?)
}

/// The text of record `id` (its `id`, or `line:N`) in a JSON Lines file.
pub fn find_record(path: &std::path::Path, id: &str) -> ApiResult<String> {
    Ok(explain::find_record(path, id)?)
}

impl From<ExplainError> for ApiError {
    fn from(e: ExplainError) -> Self {
        let e = match e {
            ExplainError::Files(f) => return f.into(),
            other => other,
        };
        let code = match &e {
            ExplainError::Files(_) | ExplainError::Request { .. } => ErrorCode::InvalidArgument,
            ExplainError::UnknownRequest { .. } => ErrorCode::NotFound,
        };
        Self {
            code,
            message: e.to_string(),
            help: miette::Diagnostic::help(&e).map(|h| h.to_string()),
            diagnostics: Vec::new(),
        }
    }
}

fn view(r: &NewRequest, row: i64) -> dto::RequestView {
    let uid = |(ty, id): &(String, String)| {
        ty.parse::<cedar_policy::EntityTypeName>().map_or_else(
            |_| format!("{ty}::{id:?}"),
            |name| {
                cedar_policy::EntityUid::from_type_name_and_id(
                    name,
                    cedar_policy::EntityId::new(id),
                )
                .to_string()
            },
        )
    };
    dto::RequestView {
        id: r.rid.clone().unwrap_or_else(|| format!("line:{row}")),
        principal: uid(&r.principal),
        action: uid(&r.action),
        resource: uid(&r.resource),
        context: r.context.clone(),
        time: r.time.clone(),
        recorded: r.decision.clone(),
        task_id: r.task_id.clone(),
    }
}
