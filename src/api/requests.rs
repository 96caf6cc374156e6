//! Recorded requests: import into a named set, list the sets, describe one.

use std::path::Path;

use chrono::Utc;
use serde_json::json;

use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::replay::import::{self, ImportError, ImportOptions, ImportProgress};
use crate::store::NewAuditEntry;

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Io { .. } => ApiError::new(
                ErrorCode::Io,
                e.to_string(),
                Some("check that the file exists and is readable"),
            ),
            ImportError::Store(s) => crate::Error::from(s).into(),
            ImportError::Cancelled => ApiError::new(
                ErrorCode::Cancelled,
                e.to_string(),
                Some("nothing of it was kept; import the file again"),
            ),
        }
    }
}

impl Session {
    /// Imports recorded requests from `file` into the set `set` (created when new), streaming.
    /// Bad records are reported and skipped (with `strict`, nothing is written); the set
    /// shows the import only once it completes. Recorded in the audit log.
    pub fn import_requests(
        &self,
        file: &Path,
        set: &str,
        strict: bool,
        actor: &str,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> ApiResult<dto::ImportSummary> {
        self.import_requests_cancellable(file, set, strict, actor, None, progress)
    }

    /// [`Session::import_requests`], stopped (nothing kept, [`ErrorCode::Cancelled`]) when
    /// `cancel` is set.
    pub fn import_requests_cancellable(
        &self,
        file: &Path,
        set: &str,
        strict: bool,
        actor: &str,
        cancel: Option<&std::sync::atomic::AtomicBool>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> ApiResult<dto::ImportSummary> {
        check_set_name(set)?;
        let mut db = self.db()?;
        let namespace = self.workspace.config().namespace.clone();
        let opts = ImportOptions {
            set,
            namespace: &namespace,
            strict,
            batch: import::DEFAULT_BATCH,
            cancel,
        };
        let summary = import::import_file(&mut db, file, &opts, progress)?;
        let after = json!({
            "file": summary.file, "format": summary.format, "kept": summary.kept,
            "duplicates": summary.duplicates, "skipped": summary.skipped,
            "failed_strict": summary.failed_strict,
        });
        db.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action: "requests.import",
            subject: &format!("requests:{set}"),
            before: None,
            after: Some(&after),
        })?;
        Ok(summary)
    }

    /// The request sets (completed imports only), by name.
    pub fn request_sets(&self) -> ApiResult<Vec<dto::RequestSetSummary>> {
        Ok(self.db()?.request_sets()?)
    }

    /// What a set holds: grades, recorded decisions, actions, types, busiest principals.
    pub fn request_stats(&self, set: &str) -> ApiResult<dto::RequestStats> {
        let db = self.db()?;
        match db.request_stats(set)? {
            Some(stats) => Ok(stats),
            None => {
                let names: Vec<String> = db.request_sets()?.into_iter().map(|s| s.name).collect();
                let help = if names.is_empty() {
                    "no request sets yet; import one with `mandate requests import FILE --set NAME`"
                        .to_owned()
                } else {
                    format!("request sets: {}", names.join(", "))
                };
                Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no request set `{set}`"),
                    Some(&help),
                ))
            }
        }
    }
}

pub(super) fn check_set_name(set: &str) -> ApiResult<()> {
    let ok = !set.trim().is_empty()
        && set.len() <= 100
        && set
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("invalid request set name `{set}`"),
            Some("use letters, digits and `- _ . : @` (at most 100), e.g. `prod-2026-05`"),
        ))
    }
}
