//! Replaying a stored request set against two policy sets of the workspace.

use std::process::Command;

use chrono::{Duration, SecondsFormat, Utc};

use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::policy::{self, Sources};
use crate::replay::explain::LocatedPolicies;
use crate::replay::simulate::Replayer;
use crate::store::RequestWindow;

/// What to replay (`mandate simulate --set …`).
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    pub set: String,
    /// A `.cedar` file or folder, `git:REV`, or `None` for `git:HEAD`.
    pub baseline: Option<String>,
    /// A `.cedar` file or folder, `git:REV`, or `None` for the working copy.
    pub candidate: Option<String>,
    /// RFC 3339, or a span back from now: `7d`, `12h`, `30m`.
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Session {
    /// Replays the stored set `opts.set` (within the time window) on the baseline and the
    /// candidate, against the workspace's schema and the inventory's entities; `each` gets
    /// every result in import order.
    pub fn replay_set(
        &self,
        opts: &ReplayOptions,
        each: &mut dyn FnMut(&dto::ReplayLine) -> std::io::Result<()>,
    ) -> ApiResult<dto::SimulateSummary> {
        let since = opts
            .since
            .as_deref()
            .map(|s| time_bound("--since", s))
            .transpose()?;
        let until = opts
            .until
            .as_deref()
            .map(|s| time_bound("--until", s))
            .transpose()?;
        let db = self.db()?;
        let Some(set_id) = db.request_set_id(&opts.set)? else {
            return Err(self.request_stats(&opts.set).err().unwrap_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no request set `{}`", opts.set),
                    None,
                )
            }));
        };
        let baseline = self.side("baseline", opts.baseline.as_deref().unwrap_or("git:HEAD"))?;
        let candidate = match opts.candidate.as_deref() {
            None => self.working_copy()?,
            Some(spec) => self.side("candidate", spec)?,
        };
        let schema_text = self.schema_text()?;
        let schema = cedar_policy::Schema::from_cedarschema_str(&schema_text)
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
        let namespace = self.workspace.config().namespace.clone();
        let mut replayer =
            Replayer::new(&schema, &entities, &baseline, &candidate, &namespace, each)?;
        let window = RequestWindow {
            since: since.as_deref(),
            until: until.as_deref(),
        };
        let mut failure = None;
        db.for_each_request_batch(set_id, &window, 10_000, |page| {
            for row in page {
                let line = u64::try_from(row.row).unwrap_or(0);
                if let Err(e) = replayer.record(line, row.request) {
                    failure = Some(e);
                    return false;
                }
            }
            true
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        Ok(replayer.finish()?)
    }

    /// The workspace's policies as they are on disk; refused when they have errors.
    fn working_copy(&self) -> ApiResult<cedar_policy::PolicySet> {
        let report = self.check_policies(policy::read_sources(self.root()));
        refuse_errors("the working copy's policies", report)
    }

    /// A side given as `git:REV` or a path (file or folder of `.cedar` files).
    fn side(&self, which: &str, spec: &str) -> ApiResult<cedar_policy::PolicySet> {
        if spec == "@published" {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("{which} `@published`: there are no published bundles yet"),
                Some("give a policy file or folder, or `git:REV`"),
            ));
        }
        if let Some(rev) = spec.strip_prefix("git:") {
            let sources = self.policies_at(rev)?;
            let report = policy::Checker::default().check(
                sources,
                &policy::Settings {
                    namespace: Some(&self.workspace.config().namespace),
                    ..policy::Settings::default()
                },
            );
            return refuse_errors(&format!("the policies at `{spec}`"), report);
        }
        Ok(crate::replay::simulate::load_policies(
            std::path::Path::new(spec),
        )?)
    }

    /// `policies/**/*.cedar` and `policies/links.toml` as they were at git revision `rev`.
    fn policies_at(&self, rev: &str) -> ApiResult<Sources> {
        let git = |args: &[&str]| -> ApiResult<String> {
            let out = Command::new("git")
                .arg("-C")
                .arg(self.root())
                .args(args)
                .output()
                .map_err(|e| {
                    ApiError::new(
                        ErrorCode::Io,
                        format!("cannot run git: {e}"),
                        Some("install git, or give the baseline as a policy folder"),
                    )
                })?;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("git {}: {}", args.join(" "), err.trim()),
                    Some("`git:REV` needs the workspace in a git repository and a revision that exists (e.g. `git:HEAD`, `git:main~3`); or give a policy folder"),
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let listing = git(&["ls-tree", "-r", "--name-only", rev, "--", "policies"])?;
        let mut sources = Sources::default();
        for rel in listing.lines() {
            let is_links = rel == policy::LINKS_FILE;
            if !(rel.ends_with(".cedar") || is_links) {
                continue;
            }
            let text = git(&["show", &format!("{rev}:./{rel}")])?;
            if is_links {
                sources.links = Some(text);
            } else {
                sources.files.push((rel.to_owned(), text));
            }
        }
        Ok(sources)
    }
}

fn refuse_errors(what: &str, report: policy::PolicyReport) -> ApiResult<cedar_policy::PolicySet> {
    if report.error_count() == 0 {
        return Ok(report.set);
    }
    Err(ApiError {
        code: ErrorCode::PolicyInvalid,
        message: format!("{what} have {} error(s)", report.error_count()),
        help: Some("fix them first; a replay needs both sides to load".into()),
        diagnostics: report
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .collect(),
    })
}

/// RFC 3339, or `N` followed by `d`, `h` or `m` back from now; as stored (UTC, millis).
fn time_bound(flag: &str, s: &str) -> ApiResult<String> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true));
    }
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let span = n.parse::<i64>().ok().and_then(|n| match unit {
        "d" => Some(Duration::days(n)),
        "h" => Some(Duration::hours(n)),
        "m" => Some(Duration::minutes(n)),
        _ => None,
    });
    match span {
        Some(d) => Ok((Utc::now() - d).to_rfc3339_opts(SecondsFormat::Millis, true)),
        None => Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("{flag} `{s}` is neither an RFC 3339 time nor a span like `7d`"),
            Some("e.g. `2026-05-01T00:00:00Z`, `7d`, `12h`, `30m`"),
        )),
    }
}

// Sides with where each policy is, for `mandate explain`: the loaders above, keeping the
// whole check instead of only the set.
impl Session {
    /// The working copy's policies, located; refused when they have errors.
    pub(super) fn located_working_copy(&self) -> ApiResult<LocatedPolicies> {
        let report = self.check_policies(policy::read_sources(self.root()));
        refuse_located_errors("the working copy's policies", report)
    }

    /// A side given as `git:REV` or a path, located (workspace-relative paths for `git:REV`,
    /// paths as given otherwise).
    pub(super) fn located_side(&self, which: &str, spec: &str) -> ApiResult<LocatedPolicies> {
        let Some(rev) = spec.strip_prefix("git:") else {
            if spec == "@published" {
                // Refused there, with its help.
                self.side(which, spec)?;
            }
            return Ok(crate::replay::explain::load_located(std::path::Path::new(
                spec,
            ))?);
        };
        let report = policy::Checker::default().check(
            self.policies_at(rev)?,
            &policy::Settings {
                namespace: Some(&self.workspace.config().namespace),
                ..policy::Settings::default()
            },
        );
        refuse_located_errors(&format!("the policies at `{spec}`"), report)
    }
}

fn refuse_located_errors(what: &str, report: policy::PolicyReport) -> ApiResult<LocatedPolicies> {
    let located = LocatedPolicies::from_report(&report);
    refuse_errors(what, report)?;
    Ok(located)
}
