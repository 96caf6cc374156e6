//! Bundles (`mandate bundle …`): build a signed, versioned package of the working copy's
//! policies with its evidence; approve it with other people's keys; check the gates and
//! publish it into `bundles/VERSION/` (in git) with an index in SQLite; verify any bundle;
//! list the history; diff two bundles; export for other engines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde_json::json;

use super::frameworks::FiredTally;
use super::progress::Steps;
use super::replay::{policy_digest, ReplayHooks, ReplayOptions};
use super::{dto, ApiError, ApiResult, OperationHooks, Session};
use crate::bundle::evidence::{
    self, Acknowledgements, Coverage, CoverageLine, Replay, ReviewRef, Scope, TouchedAgent,
    Validation,
};
use crate::bundle::gates::{self, Facts, ReviewFact};
use crate::bundle::manifest::{Author, Manifest};
use crate::bundle::sign::{self, Envelope, Role, Statement};
use crate::bundle::{
    archive, export, verify, BundleProblem, Files, APPROVALS, FORMAT, MANIFEST, SIGNATURES,
};
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::ErrorCode;
use crate::policy::{self, guard};
use crate::review::VerdictKind;
use crate::store::NewAuditEntry;

/// Where published bundles live in a workspace.
pub const BUNDLES_DIR: &str = "bundles";
/// Where `bundle build` writes without `--out`.
pub const DRAFTS_DIR: &str = ".mandate/drafts";

/// A published bundle as read from `bundles/VERSION/`.
pub(crate) struct PublishedBundle {
    pub version: semver::Version,
    pub rel: String,
    pub files: Files,
    pub manifest: Manifest,
    pub hash: String,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A diagnostic about an entry of the bundle at `bundle` (or the bundle itself), shown as
/// [`archive::shown`] names it: `ARCHIVE!/entry` or `FOLDER/entry`. It is
/// [`Diagnostic::unlocated`]: the entry is not a workspace file, and nothing in it was
/// located, so the CLI prints the name as it is and never joins it to the workspace.
fn bundle_diagnostic(bundle: &Path, entry: &str, code: &str, message: String) -> Diagnostic {
    Diagnostic::unlocated(
        archive::shown(bundle, entry),
        Severity::Error,
        code,
        message,
    )
}

/// The problems of the bundle at `bundle` as one error, every problem a diagnostic naming
/// its entry inside that bundle.
fn bundle_error(bundle: &Path, problems: Vec<BundleProblem>, what: &str) -> ApiError {
    let first = problems
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut e = ApiError::new(
        ErrorCode::BundleInvalid,
        if problems.len() > 1 {
            format!("{what}: {first} (and {} more problem(s))", problems.len() - 1)
        } else {
            format!("{what}: {first}")
        },
        Some("each problem names the bundle file; rebuild the bundle, or fetch it again from where it was published"),
    );
    e.diagnostics = problems
        .into_iter()
        .map(|p| bundle_diagnostic(bundle, &p.file, "bundle::invalid", p.message))
        .collect();
    e
}

/// A replay or an analysis stopped by the operation's flag, named as the operation.
fn as_cancelled(e: ApiError, steps: &Steps<'_>) -> ApiError {
    if e.code == ErrorCode::Cancelled {
        steps.cancelled()
    } else {
        e
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string(), None)
}

fn json_bytes<T: serde::Serialize>(value: &T) -> ApiResult<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value).map_err(internal)?;
    v.push(b'\n');
    Ok(v)
}

/// The JSON file `rel` of the bundle at `bundle` (read into `files`), when it has one.
fn read_json<T: serde::de::DeserializeOwned>(
    bundle: &Path,
    files: &Files,
    rel: &str,
) -> ApiResult<Option<T>> {
    files
        .get(rel)
        .map(|bytes| {
            serde_json::from_slice(bytes).map_err(|e| {
                bundle_error(
                    bundle,
                    vec![BundleProblem::new(rel, format!("does not parse: {e}"))],
                    "the bundle's evidence",
                )
            })
        })
        .transpose()
}

/// Reads a bundle (directory or zip) from disk, refusing hostile archives.
pub fn read_bundle(path: &Path) -> ApiResult<Files> {
    read_or_refuse(path)?
        .map_err(|problems| bundle_error(path, problems, &format!("`{}` refused", path.display())))
}

/// [`archive::read`] with `not_found` for a missing path: the files, or every problem that
/// made the reader refuse the bundle (each naming its entry, bundle-relative).
fn read_or_refuse(path: &Path) -> ApiResult<Result<Files, Vec<BundleProblem>>> {
    if !path.exists() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no bundle at `{}`", path.display()),
            Some("give a bundle directory or `.mandate-bundle` file, or a published version (`mandate bundle list`)"),
        ));
    }
    Ok(archive::read(path, &archive::Limits::default()))
}

/// The policy sources a bundle carries (`policies/**/*.cedar`, `policies/links.toml`).
fn bundle_sources(files: &Files) -> policy::Sources {
    let mut sources = policy::Sources::default();
    for (rel, bytes) in files.range("policies/".to_owned()..) {
        if !rel.starts_with("policies/") {
            break;
        }
        let text = String::from_utf8_lossy(bytes).into_owned();
        if rel == policy::LINKS_FILE {
            sources.links = Some(text);
        } else if rel.ends_with(".cedar") {
            sources.files.push((rel.clone(), text));
        }
    }
    sources
}

fn text_of(files: &Files, rel: &str) -> String {
    files
        .get(rel)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// Approvals a bundle needs: what it recorded, at no less than this workspace's count for
/// its tier (a bundle that records no scope counts as critical). One rule for verify,
/// publish, the published list and the dashboard.
pub(crate) fn approvals_needed(scope: Option<&Scope>, counts: &crate::workspace::Approvals) -> u32 {
    scope.map_or(counts.for_tier("critical"), |s| {
        s.required_approvals.max(counts.for_tier(&s.highest_tier))
    })
}

impl Session {
    /// Published bundles, oldest version first.
    pub(crate) fn published_bundles(&self) -> ApiResult<Vec<PublishedBundle>> {
        let mut out = Vec::new();
        for entry in self.dir_entries(BUNDLES_DIR)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(version) = semver::Version::parse(&name) else {
                continue;
            };
            let rel = format!("{BUNDLES_DIR}/{name}");
            let files = read_bundle(&entry.path())?;
            let (manifest, hash) = Manifest::read(&files).map_err(|p| {
                bundle_error(&entry.path(), p, &format!("published bundle `{rel}`"))
            })?;
            out.push(PublishedBundle {
                version,
                rel,
                files,
                manifest,
                hash,
            });
        }
        out.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(out)
    }

    /// The policies of `@published` (the newest published bundle), `@bundle:VERSION` (or
    /// `@bundle:PATH`, a built bundle), or `@none` (no policies: everything denied); `None`
    /// when `spec` is none of those.
    pub(crate) fn bundle_side(
        &self,
        which: &str,
        spec: &str,
    ) -> Option<ApiResult<cedar_policy::PolicySet>> {
        let (report, label) = match self.bundle_side_report(which, spec)? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        Some(super::replay::refuse_errors(
            &format!("the policies of {label}"),
            report,
        ))
    }

    /// [`Session::bundle_side`] as the checked report (for `explain`, which locates each
    /// policy), with a label for messages.
    pub(crate) fn bundle_side_report(
        &self,
        which: &str,
        spec: &str,
    ) -> Option<ApiResult<(policy::PolicyReport, String)>> {
        let check = |sources: policy::Sources| {
            policy::Checker::default().check(
                sources,
                &policy::Settings {
                    schema: None,
                    namespace: Some(&self.workspace.config().namespace),
                    ..policy::Settings::default()
                },
            )
        };
        if spec == "@none" {
            return Some(Ok((check(policy::Sources::default()), "`@none`".into())));
        }
        let wanted = if spec == "@published" {
            None
        } else {
            Some(spec.strip_prefix("@bundle:")?)
        };
        Some((|| {
            // `@bundle:PATH`: a built bundle (a draft) rather than a published version.
            if let Some(path) = wanted
                .filter(|v| semver::Version::parse(v).is_err())
                .map(Path::new)
                .filter(|p| p.exists())
            {
                let files = read_bundle(path)?;
                let (manifest, _) = Manifest::read(&files)
                    .map_err(|p| bundle_error(path, p, &format!("`{spec}`")))?;
                let problems = manifest.check_files(&files);
                if !problems.is_empty() {
                    return Err(bundle_error(path, problems, &format!("`{spec}`")));
                }
                return Ok((check(bundle_sources(&files)), format!("`{spec}`")));
            }
            let published = self.published_bundles()?;
            let found = match wanted {
                None => published.last().ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidArgument,
                        format!("{which} `@published`: no bundle is published yet"),
                        Some("publish one (`mandate bundle publish`), or give a policy folder, `git:REV` or `@none`"),
                    )
                })?,
                Some(v) => published.iter().find(|b| b.version.to_string() == v).ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotFound,
                        format!("{which} `{spec}`: no published bundle `{v}`"),
                        Some("`mandate bundle list` shows the published versions"),
                    )
                })?,
            };
            let problems = found.manifest.check_files(&found.files);
            if !problems.is_empty() {
                return Err(bundle_error(
                    &self.root().join(&found.rel),
                    problems,
                    &format!("published bundle `{}`", found.rel),
                ));
            }
            Ok((
                check(bundle_sources(&found.files)),
                format!("`{}`", found.rel),
            ))
        })())
    }

    /// A bundle argument: a path to a bundle, or a published version.
    pub fn resolve_bundle(&self, spec: &str) -> ApiResult<PathBuf> {
        let path = PathBuf::from(spec);
        if path.exists() {
            return Ok(path);
        }
        let published = self.root().join(BUNDLES_DIR).join(spec);
        if semver::Version::parse(spec).is_ok() && published.is_dir() {
            return Ok(published);
        }
        Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no bundle `{spec}`"),
            Some("give a bundle directory or `.mandate-bundle` file, or a published version (`mandate bundle list`)"),
        ))
    }

    /// Builds a bundle of the working copy: manifest, schema, policies, entities, controls
    /// and evidence (validation, a replay against the published bundle, coverage, the
    /// approvals its scope needs, the approving review). Signed by its author with `sign`.
    pub fn bundle_build(&self, req: &dto::BuildRequest, actor: &str) -> ApiResult<dto::BundleView> {
        self.bundle_build_in(req, actor, &mut Steps::quiet(dto::Operation::BundleBuild))
    }

    /// [`Session::bundle_build`] with progress (the replay, the solver, coverage), stopped by
    /// `hooks.cancel` with [`ErrorCode::Cancelled`] before anything is written.
    pub fn bundle_build_with(
        &self,
        req: &dto::BuildRequest,
        actor: &str,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<dto::BundleView> {
        self.bundle_build_in(
            req,
            actor,
            &mut Steps::new(dto::Operation::BundleBuild, hooks),
        )
    }

    fn bundle_build_in(
        &self,
        req: &dto::BuildRequest,
        actor: &str,
        steps: &mut Steps<'_>,
    ) -> ApiResult<dto::BundleView> {
        steps.check()?;
        steps.report("Validating the policies", 0, 0);
        let config = self.workspace.config();
        let published = self.published_bundles()?;
        let last = published.last();
        let version = match req
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(v) => semver::Version::parse(v.trim_start_matches('v')).map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{v}` is not a semantic version: {e}"),
                    Some("use MAJOR.MINOR.PATCH, e.g. `1.4.0`"),
                )
            })?,
            None => last.map_or(semver::Version::new(1, 0, 0), |b| {
                semver::Version::new(b.version.major, b.version.minor + 1, 0)
            }),
        };
        if let Some(b) = last {
            if version.cmp_precedence(&b.version) != std::cmp::Ordering::Greater {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "version {version} is not greater than the last published {}",
                        b.version
                    ),
                    Some("give a higher version (`--version`), e.g. the next minor"),
                ));
            }
        }
        let (author, signing) = self.signing_key(req.key.as_deref(), None)?;
        // Policies, validated with the lints.
        let sources = policy::read_sources(self.root());
        let mut report = self.check_policies(sources.clone());
        self.add_lints(&mut report, None);
        if report.error_count() > 0 {
            return Err(ApiError {
                code: ErrorCode::PolicyInvalid,
                message: format!("the working copy's policies have {} error(s)", report.error_count()),
                help: Some("fix them first (`mandate validate`); a bundle carries only policies that validate".into()),
                diagnostics: report.diagnostics.clone(),
            });
        }
        let candidate = self.working_copy()?;
        let mut files = Files::new();
        for (rel, text) in &sources.files {
            files.insert(rel.clone(), text.clone().into_bytes());
        }
        if let Some(links) = &sources.links {
            files.insert(policy::LINKS_FILE.to_owned(), links.clone().into_bytes());
        }
        files.insert(
            "schema.cedarschema".into(),
            self.schema_text()?.into_bytes(),
        );
        files.insert("entities.json".into(), json_bytes(&self.entities()?)?);
        let (controls, _, _) = self.workspace_controls()?;
        files.insert("controls.json".into(), json_bytes(&controls)?);
        let validation = Validation {
            statements: u32::try_from(report.statement_count()).unwrap_or(u32::MAX),
            errors: 0,
            warnings: u32::try_from(report.warning_count()).unwrap_or(u32::MAX),
            fail_open: report
                .diagnostics
                .iter()
                .filter(|d| d.code == "lint::forbid_can_error")
                .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
                .collect(),
            problems: report
                .diagnostics
                .iter()
                .map(|d| format!("{}:{}: {}: {}", d.file, d.line, d.code, d.message))
                .collect(),
        };
        files.insert(evidence::VALIDATION.into(), json_bytes(&validation)?);
        steps.check()?;
        // The replay decides the newest set on the working copy, as coverage does: what it
        // tallies spares coverage (below, and on the Frameworks page) a replay of its own.
        let fired_key = self.fired_key(&self.db()?, req.set.as_deref(), &candidate)?;
        let mut tally = fired_key.as_ref().map(|(_, set, _)| FiredTally::new(set));
        let replay = self.evidence_replay(
            req.set.as_deref(),
            last,
            (super::replay::WORKING_COPY.to_owned(), candidate.clone()),
            actor,
            (steps, tally.as_mut()),
        )?;
        if let (Some((key, _, _)), Some(tally)) = (fired_key, tally) {
            self.keep_fired(key, tally);
        }
        steps.check()?;
        let schema = self.replay_schema()?;
        let entities = self.replay_entities(&schema)?;
        let published_set = match last {
            Some(b) => Some((
                format!("@published ({}, {})", b.version, b.hash),
                self.bundle_side("baseline", "@published")
                    .ok_or_else(|| internal("a bundle side that is not one"))??,
            )),
            None => None,
        };
        steps.report("Proving the change with the SMT solver", 0, 0);
        let analysis = self
            .analysis_evidence(
                published_set.as_ref().map(|(l, s)| (l.as_str(), s)),
                &schema,
                &entities,
                &candidate,
                steps.shared_flag(),
            )
            .map_err(|e| as_cancelled(e, steps))?;
        steps.check()?;
        files.insert(evidence::ANALYSIS.into(), json_bytes(&analysis)?);
        let scope = self.evidence_scope(&replay, Some(&analysis));
        files.insert(evidence::REPLAY.into(), json_bytes(&replay)?);
        files.insert(evidence::SCOPE.into(), json_bytes(&scope)?);
        let coverage = self.coverage_in(None, steps)?;
        steps.check()?;
        steps.report("Writing the bundle", 0, 0);
        let snapshot = Coverage {
            generated_at: coverage.generated_at.clone(),
            catalog_version: coverage.catalog_version.clone(),
            frameworks: coverage
                .frameworks
                .iter()
                .map(|f| CoverageLine {
                    framework: f.id.clone(),
                    applicable: f.applicable,
                    implemented: f.implemented,
                    partial: f.partial,
                    planned: f.planned,
                    percent: f.percent,
                })
                .collect(),
        };
        files.insert(evidence::COVERAGE.into(), json_bytes(&snapshot)?);
        let digest = policy_digest(&candidate);
        if let Some(review) = self.approving_review(&digest, last)? {
            files.insert(evidence::REVIEW.into(), json_bytes(&review)?);
        }
        let reason = |r: &Option<String>| {
            r.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
        };
        let acks = Acknowledgements {
            coverage_reduction: reason(&req.accept_coverage_drop),
            more_permissive: reason(&req.accept_more_permissive),
        };
        files.insert(evidence::ACKNOWLEDGEMENTS.into(), json_bytes(&acks)?);
        let manifest = Manifest {
            format: FORMAT.into(),
            name: config.name.clone(),
            version: version.to_string(),
            cedar_language_version: cedar_policy::get_lang_version().to_string(),
            namespace: config.namespace.clone(),
            created_at: now(),
            author: Author {
                name: author.owner.clone(),
                key: author.id.clone(),
            },
            parent: last.map(|b| b.hash.clone()),
            summary: req.summary.trim().to_owned(),
            files: Manifest::list(&files),
        };
        files.insert(MANIFEST.into(), manifest.canonical());
        // Every bundle has its approvals file (DESIGN §4), empty until `bundle approve`.
        files.insert(APPROVALS.into(), json_bytes(&Vec::<Envelope>::new())?);
        if req.sign {
            let env = statement_envelope(Role::Author, &manifest, &author, &signing, "");
            files.insert(SIGNATURES.into(), json_bytes(&env)?);
        }
        let out = match req.out.as_deref().filter(|o| !o.trim().is_empty()) {
            Some(o) => PathBuf::from(o),
            None => self.root().join(DRAFTS_DIR).join(version.to_string()),
        };
        // Only `publish` writes into `bundles/`, after the gates.
        let published_dir = std::fs::canonicalize(self.root())
            .unwrap_or_else(|_| self.root().to_path_buf())
            .join(BUNDLES_DIR);
        let out_abs = std::path::absolute(&out).unwrap_or_else(|_| out.clone());
        let out_parent = out_abs
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .unwrap_or_else(|| out_abs.clone());
        if out_parent.starts_with(&published_dir)
            || out_abs.starts_with(self.root().join(BUNDLES_DIR))
        {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{}` is inside `{BUNDLES_DIR}/`", out.display()),
                Some("build elsewhere (the default is .mandate/drafts/VERSION); `mandate bundle publish` puts a bundle into bundles/ once its gates pass"),
            ));
        }
        if out.exists() && req.out.is_none() {
            std::fs::remove_dir_all(&out).map_err(|e| {
                ApiError::new(
                    ErrorCode::Io,
                    format!("cannot replace the draft `{}`: {e}", out.display()),
                    None,
                )
            })?;
        }
        archive::write(&files, &out).map_err(|p| {
            ApiError::new(
                ErrorCode::Io,
                p.to_string(),
                Some("choose another --out path"),
            )
        })?;
        self.audit_bundle(
            actor,
            "bundle.build",
            &manifest,
            &manifest.hash(),
            json!({"out": out.display().to_string(), "signed": req.sign}),
        )?;
        self.bundle_view(&out)
    }

    /// Replays the newest (or the named) set against the last published bundle.
    fn evidence_replay(
        &self,
        set: Option<&str>,
        last: Option<&PublishedBundle>,
        candidate: (String, cedar_policy::PolicySet),
        actor: &str,
        (steps, mut tally): (&mut Steps<'_>, Option<&mut FiredTally>),
    ) -> ApiResult<Replay> {
        let (baseline, baseline_label, baseline_hash) = match last {
            Some(b) => (
                "@published".to_owned(),
                format!("@published ({}, {})", b.version, b.hash),
                Some(b.hash.clone()),
            ),
            None => (
                "@none".to_owned(),
                "nothing published (no policies: everything denied)".to_owned(),
                None,
            ),
        };
        let set = match set {
            Some(s) => Some(s.to_owned()),
            None => self.db()?.newest_request_set()?,
        };
        let Some(set) = set else {
            return Ok(Replay {
                set: None,
                baseline: baseline_label,
                baseline_hash,
                summary: None,
                candidate_errors: 0,
                touched: Vec::new(),
                digest: None,
            });
        };
        let mut errors = 0u64;
        let mut touched: BTreeMap<String, u64> = BTreeMap::new();
        let mut each = |item: &crate::replay::simulate::ResultItem<'_>| -> std::io::Result<()> {
            if !item.result.candidate.errors.is_empty() {
                errors += 1;
            }
            if let Some(t) = tally.as_mut() {
                t.add(item);
            }
            if item.result.changed {
                let (ty, id) = &item.request.principal;
                if ty == "Agent" || ty.ends_with("::Agent") {
                    *touched.entry(id.clone()).or_default() += 1;
                }
            }
            Ok(())
        };
        let baseline_set = match self.bundle_side("baseline", &baseline) {
            Some(side) => side?,
            None => return Err(internal("a bundle side that is not one")),
        };
        let phase = format!("Replaying recorded requests against {baseline}");
        steps.report(&phase, 0, 0);
        let cancel = steps.shared_flag();
        let run = self
            .replay_with(
                &ReplayOptions {
                    set: set.clone(),
                    baseline: Some(baseline.clone()),
                    candidate: Some(candidate.0.clone()),
                    since: None,
                    until: None,
                },
                (baseline, baseline_set),
                candidate,
                actor,
                ReplayHooks {
                    each: Some(&mut each),
                    progress: Some(&mut |p| steps.report(&phase, p.done, p.total)),
                    cancel: cancel.as_deref(),
                },
            )
            .map_err(|e| as_cancelled(e, steps))?;
        let (inv, _) = self.load_inventory();
        let tier_of = |id: &str| {
            inv.agents
                .iter()
                .find(|a| a.agent.id == id)
                .map_or("unknown".to_owned(), |a| {
                    a.agent.risk_tier.as_str().to_owned()
                })
        };
        Ok(Replay {
            set: Some(set),
            baseline: baseline_label,
            baseline_hash,
            summary: Some(run.summary.clone()),
            candidate_errors: errors,
            touched: touched
                .into_iter()
                .map(|(agent, changed)| TouchedAgent {
                    tier: tier_of(&agent),
                    agent,
                    changed,
                })
                .collect(),
            digest: run.digest.clone(),
        })
    }

    /// How many approvals the change needs: `[gates] require_approvals` at the highest risk
    /// tier whose access changed. Without recorded traffic nothing shows what changed, so
    /// the highest tier in the inventory counts.
    fn evidence_scope(&self, replay: &Replay, analysis: Option<&evidence::Analysis>) -> Scope {
        let approvals = self.workspace.config().gates.require_approvals;
        let rank = |t: &str| match t {
            "low" => 1,
            "medium" => 2,
            "high" => 3,
            "critical" => 4,
            _ => 5,
        };
        // The agents whose access changed in the replay or in the symbolic analysis.
        let analysed = analysis.filter(|a| a.not_run.is_none());
        let mut touched: BTreeMap<String, evidence::TouchedAgent> = BTreeMap::new();
        for t in replay
            .touched
            .iter()
            .chain(analysed.iter().flat_map(|a| a.touched.iter()))
        {
            let e = touched.entry(t.agent.clone()).or_insert_with(|| t.clone());
            e.changed = e.changed.max(t.changed);
        }
        let (tier, reason) = if replay.set.is_none() && analysed.is_none() {
            let (inv, _) = self.load_inventory();
            let top = inv
                .agents
                .iter()
                .map(|a| a.agent.risk_tier.as_str())
                .max_by_key(|t| rank(t))
                .unwrap_or("low");
            (
                top.to_owned(),
                format!("no recorded traffic shows what changed: the highest tier in the inventory ({top}) counts"),
            )
        } else if let Some(top) = touched.values().max_by_key(|t| rank(&t.tier)) {
            let (tier, shown) = if top.tier == "unknown" {
                (
                    "critical".to_owned(),
                    "critical: an unregistered agent counts as the highest".to_owned(),
                )
            } else {
                (top.tier.clone(), top.tier.clone())
            };
            (
                tier,
                format!(
                    "{} agent(s) changed access{}; the highest tier is {shown} (`{}`)",
                    touched.len(),
                    match (replay.set.is_some(), analysed.is_some()) {
                        (true, true) => " in the replay or the symbolic analysis",
                        (false, true) => " in the symbolic analysis",
                        _ => " in the replay",
                    },
                    top.agent
                ),
            )
        } else {
            (
                "low".to_owned(),
                match (&replay.summary, analysed) {
                    (Some(summary), Some(_)) => format!(
                        "no agent's decisions changed in {} replayed request(s), nor its access in the symbolic analysis",
                        summary.requests
                    ),
                    (None, Some(_)) => {
                        "no agent's access changed in the symbolic analysis".to_owned()
                    }
                    (summary, None) => format!(
                        "no agent's decisions changed in {} replayed request(s)",
                        summary.as_ref().map_or(0, |s| s.requests)
                    ),
                },
            )
        };
        Scope {
            required_approvals: approvals.for_tier(&tier),
            highest_tier: tier,
            reason,
        }
    }

    /// The newest review of this change (see [`Session::reviews_of_change`]) whose latest
    /// verdict approves and whose changed decisions are all acknowledged: the one the
    /// publish gate accepts.
    fn approving_review(
        &self,
        digest: &str,
        last: Option<&PublishedBundle>,
    ) -> ApiResult<Option<ReviewRef>> {
        Ok(self
            .reviews_of_change(digest, last)?
            .into_iter()
            .filter_map(|r| {
                let v = r.verdict.clone()?;
                (v.verdict == VerdictKind::Approve && r.unacknowledged == 0).then(|| ReviewRef {
                    name: r.name.clone(),
                    verdict: v.verdict.as_str().into(),
                    by: v.by,
                    at: v.at,
                    candidate_digest: digest.to_owned(),
                })
            })
            .max_by(|a, b| a.at.cmp(&b.at)))
    }

    /// A bundle read from disk, verified against the trusted keys, with its evidence.
    pub fn bundle_view(&self, path: &Path) -> ApiResult<dto::BundleView> {
        let files = read_bundle(path)?;
        let verification = verify::check(&files, &self.trusted_keys()?);
        let (Some(manifest), Some(hash)) =
            (verification.manifest.clone(), verification.hash.clone())
        else {
            return Err(bundle_error(
                path,
                verification.integrity,
                &format!("`{}`", path.display()),
            ));
        };
        let scope: Option<Scope> = read_json(path, &files, evidence::SCOPE)?;
        let counts = self.fresh_config()?.gates.require_approvals;
        Ok(dto::BundleView {
            path: path.display().to_string(),
            hash,
            manifest,
            required_approvals: approvals_needed(scope.as_ref(), &counts),
            scope,
            validation: read_json(path, &files, evidence::VALIDATION)?,
            replay: read_json(path, &files, evidence::REPLAY)?,
            coverage: read_json(path, &files, evidence::COVERAGE)?,
            review: read_json(path, &files, evidence::REVIEW)?,
            acknowledgements: read_json(path, &files, evidence::ACKNOWLEDGEMENTS)?
                .unwrap_or_default(),
            analysis: read_json(path, &files, evidence::ANALYSIS)?,
            verification,
        })
    }

    /// Signs a bundle as its author (the key must be the one the manifest names).
    pub fn bundle_sign(
        &self,
        path: &Path,
        key: Option<&str>,
        actor: &str,
    ) -> ApiResult<dto::BundleView> {
        let mut files = read_bundle(path)?;
        let (manifest, hash) =
            Manifest::read(&files).map_err(|p| bundle_error(path, p, "cannot sign"))?;
        let problems = manifest.check_files(&files);
        if !problems.is_empty() {
            return Err(bundle_error(
                path,
                problems,
                "cannot sign an altered bundle",
            ));
        }
        let (local, signing) = self.signing_key(key, Some(&manifest.author.key))?;
        if local.id != manifest.author.key {
            return Err(ApiError::new(
                ErrorCode::KeyRefused,
                format!(
                    "`{}` built this bundle; `{}` cannot sign it as author",
                    manifest.author.name, local.owner
                ),
                Some("the author signs; anyone else approves (`mandate bundle approve PATH`)"),
            ));
        }
        let env = statement_envelope(Role::Author, &manifest, &local, &signing, "");
        files.insert(SIGNATURES.into(), json_bytes(&env)?);
        self.rewrite_bundle(path, &files, SIGNATURES)?;
        self.audit_bundle(
            actor,
            "bundle.sign",
            &manifest,
            &hash,
            json!({"key": local.id}),
        )?;
        self.bundle_view(path)
    }

    /// Approves a bundle with this machine's key: the signature covers the manifest hash
    /// with the approver's name and time. The author cannot approve their own bundle.
    pub fn bundle_approve(
        &self,
        path: &Path,
        key: Option<&str>,
        comment: &str,
        actor: &str,
    ) -> ApiResult<dto::BundleView> {
        let mut files = read_bundle(path)?;
        let trusted = self.trusted_keys()?;
        let check = verify::check(&files, &trusted);
        if !check.integrity.is_empty() {
            return Err(bundle_error(
                path,
                check.integrity,
                "cannot approve an altered bundle",
            ));
        }
        let (Some(manifest), Some(hash)) = (check.manifest, check.hash) else {
            return Err(internal("a bundle without a manifest passed its check"));
        };
        let (local, signing) = self.signing_key(key, None)?;
        if local.id == manifest.author.key || local.owner == manifest.author.name {
            return Err(ApiError::new(
                ErrorCode::KeyRefused,
                format!("`{}` is the author of {} {}: an author cannot approve their own bundle", local.owner, manifest.name, manifest.version),
                Some("two-person rule: another trusted key holder approves (`mandate bundle approve PATH --key THEIRS`)"),
            ));
        }
        if !trusted.iter().any(|t| t.id == local.id) {
            return Err(ApiError::new(
                ErrorCode::KeyRefused,
                format!("your key `{}` ({}) is not trusted in this workspace", sign::short_id(&local.id), local.owner),
                Some("an approval counts only from a trusted key: have it trusted first (`mandate keys trust ID --owner YOU`)"),
            ));
        }
        if check.approvals.iter().any(|a| a.valid && a.key == local.id) {
            return Err(ApiError::new(
                ErrorCode::KeyRefused,
                format!(
                    "`{}` already approved {} {}",
                    local.owner, manifest.name, manifest.version
                ),
                Some("one approval per person counts"),
            ));
        }
        let mut list: Vec<Envelope> = match files.get(APPROVALS) {
            Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
                bundle_error(
                    path,
                    vec![BundleProblem::new(
                        APPROVALS,
                        format!("does not parse: {e}"),
                    )],
                    "cannot approve",
                )
            })?,
            None => Vec::new(),
        };
        list.push(statement_envelope(
            Role::Approval,
            &manifest,
            &local,
            &signing,
            comment,
        ));
        files.insert(APPROVALS.into(), json_bytes(&list)?);
        self.rewrite_bundle(path, &files, APPROVALS)?;
        self.audit_bundle(
            actor,
            "bundle.approve",
            &manifest,
            &hash,
            json!({"key": local.id, "by": local.owner, "comment": comment.trim()}),
        )?;
        self.bundle_view(path)
    }

    /// Writes one changed file of a bundle back: atomically in place for a directory, the
    /// whole archive (atomically) for a zip.
    fn rewrite_bundle(&self, path: &Path, files: &Files, changed: &str) -> ApiResult<()> {
        match archive::kind_of(path) {
            archive::Kind::Dir if path.is_dir() => {
                let bytes = files.get(changed).cloned().unwrap_or_default();
                Ok(crate::workspace::write_atomic(&path.join(changed), &bytes)?)
            }
            _ => archive::write(files, path)
                .map_err(|p| ApiError::new(ErrorCode::Io, p.to_string(), None)),
        }
    }

    /// Verifies a bundle: every file against the manifest, the author's signature and the
    /// approvals against the trusted keys, and the parent against the published history.
    /// Short approvals fail only with `require_approved`.
    pub fn bundle_verify(
        &self,
        path: &Path,
        require_approved: bool,
    ) -> ApiResult<dto::VerifyReport> {
        let files = match read_or_refuse(path)? {
            Ok(f) => f,
            // A refused archive fails verification like any other problem.
            Err(problems) => {
                return Ok(dto::VerifyReport {
                    path: path.display().to_string(),
                    verification: verify::Verification {
                        hash: None,
                        manifest: None,
                        integrity: problems.clone(),
                        author: None,
                        approvals: Vec::new(),
                        valid_approvals: 0,
                    },
                    required_approvals: None,
                    approved: false,
                    chain: dto::ChainStatus::NotChecked,
                    chain_detail: "not checked: the archive was refused".into(),
                    problems,
                    ok: false,
                });
            }
        };
        let verification = verify::check(&files, &self.trusted_keys()?);
        let mut problems = verification.integrity.clone();
        match &verification.author {
            None if verification.manifest.is_none() => {}
            None => problems.push(BundleProblem::new(
                SIGNATURES,
                "missing: the bundle is not signed by its author (`mandate bundle sign`)",
            )),
            Some(a) if !a.valid => problems.push(BundleProblem::new(
                SIGNATURES,
                a.problem.clone().unwrap_or_default(),
            )),
            Some(_) => {}
        }
        let counts = self.fresh_config()?.gates.require_approvals;
        let scope: Option<Scope> = read_json(path, &files, evidence::SCOPE).ok().flatten();
        let needed = approvals_needed(scope.as_ref(), &counts);
        let required = Some(needed);
        let approved = verification.valid_approvals >= needed;
        if require_approved && !approved {
            problems.push(BundleProblem::new(
                APPROVALS,
                format!(
                    "{} valid approval(s) of {} required",
                    verification.valid_approvals, needed
                ),
            ));
        }
        let (chain, chain_detail) = match &verification.manifest {
            None => (dto::ChainStatus::NotChecked, "no manifest".to_owned()),
            Some(m) => self.chain_of(m)?,
        };
        if chain == dto::ChainStatus::UnknownParent {
            problems.push(BundleProblem::new(MANIFEST, chain_detail.clone()));
        }
        Ok(dto::VerifyReport {
            path: path.display().to_string(),
            ok: problems.is_empty(),
            verification,
            required_approvals: required,
            approved,
            chain,
            chain_detail,
            problems,
        })
    }

    /// Where a manifest's parent is in the published history.
    fn chain_of(&self, m: &Manifest) -> ApiResult<(dto::ChainStatus, String)> {
        let published = self.published_bundles()?;
        Ok(match &m.parent {
            None => (dto::ChainStatus::Root, "the first bundle: no parent".into()),
            Some(p) => match published.iter().find(|b| &b.hash == p) {
                Some(b) if b.manifest.check_files(&b.files).is_empty() => (
                    dto::ChainStatus::Linked,
                    format!(
                        "parent is published {} ({})",
                        b.version,
                        sign::short_hash(p)
                    ),
                ),
                Some(b) => (
                    dto::ChainStatus::UnknownParent,
                    format!("parent {} at `{}` is altered", b.version, b.rel),
                ),
                None => (
                    dto::ChainStatus::UnknownParent,
                    format!(
                        "parent {} is not a published bundle of this workspace",
                        sign::short_hash(p)
                    ),
                ),
            },
        })
    }

    /// The symbolic analysis of a bundle's policies, on its own schema and entities,
    /// against the last published bundle.
    fn bundle_analysis(
        &self,
        files: &Files,
        last: Option<&PublishedBundle>,
        set: &cedar_policy::PolicySet,
        cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    ) -> ApiResult<evidence::Analysis> {
        let unreadable = |what: &str, e: String| {
            ApiError::new(
                ErrorCode::BundleInvalid,
                format!("the bundle's {what} does not load: {e}"),
                Some("rebuild the bundle (`mandate bundle build`)"),
            )
        };
        let schema_text = text_of(files, "schema.cedarschema");
        guard::check(&schema_text, guard::Syntax::Schema)
            .map_err(|e| unreadable("schema.cedarschema", e.to_string()))?;
        let (schema, _) = cedar_policy::Schema::from_cedarschema_str(&schema_text)
            .map_err(|e| unreadable("schema.cedarschema", e.to_string()))?;
        let entities =
            cedar_policy::Entities::from_json_str(&text_of(files, "entities.json"), Some(&schema))
                .map_err(|e| unreadable("entities.json", e.to_string()))?;
        let published = match last {
            Some(b) => Some((
                format!("@published ({}, {})", b.version, b.hash),
                self.bundle_side("baseline", "@published")
                    .ok_or_else(|| internal("a bundle side that is not one"))??,
            )),
            None => None,
        };
        self.analysis_evidence(
            published.as_ref().map(|(l, s)| (l.as_str(), s)),
            &schema,
            &entities,
            set,
            cancel,
        )
    }

    /// Every gate for a bundle, pass or fail with its detail (what `publish` checks).
    pub fn bundle_gates(&self, path: &Path) -> ApiResult<dto::GateReport> {
        self.bundle_gates_with(path, OperationHooks::default())
    }

    /// [`Session::bundle_gates`] with progress (the replay, the solver), stopped by
    /// `hooks.cancel` with [`ErrorCode::Cancelled`].
    pub fn bundle_gates_with(
        &self,
        path: &Path,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<dto::GateReport> {
        let steps = &mut Steps::new(dto::Operation::BundleGates, hooks);
        steps.check()?;
        steps.report("Checking the bundle's files and signatures", 0, 0);
        let files = read_bundle(path)?;
        let resuming = self.already_in_place(&files)?;
        self.gates_of(&files, path, resuming, steps)
    }

    /// The gates for a bundle's files (read once, so what is checked is what is published).
    /// `resuming`: the bundle is already in `bundles/VERSION/` from an interrupted publish,
    /// so its gates are checked against the history before it, as they were then.
    fn gates_of(
        &self,
        files: &Files,
        path: &Path,
        resuming: bool,
        steps: &mut Steps<'_>,
    ) -> ApiResult<dto::GateReport> {
        let config = self.fresh_config()?.gates;
        let trusted = self.trusted_keys()?;
        let v = verify::check(files, &trusted);
        let (Some(manifest), Some(hash)) = (v.manifest.clone(), v.hash.clone()) else {
            return Err(bundle_error(
                path,
                v.integrity,
                &format!("`{}`", path.display()),
            ));
        };
        let mut facts = Facts {
            integrity: v.integrity.iter().map(ToString::to_string).collect(),
            ..Facts::default()
        };
        match &v.author {
            None => facts
                .integrity
                .push("signatures.json: not signed by its author".into()),
            Some(a) if !a.valid => facts.integrity.push(format!(
                "signatures.json: {}",
                a.problem.clone().unwrap_or_default()
            )),
            Some(_) => {}
        }
        let mut published = self.published_bundles()?;
        let version = semver::Version::parse(&manifest.version).map_err(internal)?;
        if resuming {
            published.retain(|b| version.cmp_precedence(&b.version).is_gt());
        }
        let last = published.last();
        facts.order = match last {
            None if manifest.parent.is_none() => Ok(format!("{version}: the first bundle")),
            None => Err("names a parent, but nothing is published here".into()),
            Some(b) if version.cmp_precedence(&b.version) != std::cmp::Ordering::Greater => Err(
                format!("{version} is not greater than the published {}", b.version),
            ),
            Some(b) if manifest.parent.as_deref() != Some(&b.hash) => Err(format!(
                "its parent is not the last published bundle ({} {}): rebuild it",
                b.version,
                sign::short_hash(&b.hash)
            )),
            Some(b) => Ok(format!("{version} follows {}", b.version)),
        };
        // Strict validation of the bundle's own policies against its own schema, and the
        // fail-open lint.
        let schema = text_of(files, "schema.cedarschema");
        let mut report = policy::Checker::default().check(
            bundle_sources(files),
            &policy::Settings {
                schema: Some(&schema),
                namespace: Some(&manifest.namespace),
                ..policy::Settings::default()
            },
        );
        let lints = policy::lint(
            &report,
            &policy::LintContext {
                namespace: &manifest.namespace,
                entities: None,
                controls: None,
                only: None,
            },
        );
        report.diagnostics.extend(lints);
        facts.validation_errors = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
            .collect();
        let linted: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == "lint::forbid_can_error")
            .map(|d| format!("{}:{}", d.file, d.line))
            .collect();
        facts.fail_open = linted.clone();
        facts.fail_open_source = "the fail-open lint".into();
        facts.more_permissive = Err("the bundle's policies do not validate".into());
        // Replay errors and the approvals needed are worked out again here, on the bundle's
        // own policies against the published bundle: the evidence files are the author's.
        let recorded: Option<Replay> = read_json(path, files, evidence::REPLAY)?;
        let set = match recorded.as_ref().and_then(|r| r.set.clone()) {
            Some(s) if self.db()?.request_set_id(&s)?.is_some() => Some(s),
            _ => None,
        };
        let recorded_scope: Option<Scope> = read_json(path, files, evidence::SCOPE)?;
        let mut required = approvals_needed(recorded_scope.as_ref(), &config.require_approvals);
        if report.error_count() == 0 {
            let digest = policy_digest_of(&report);
            facts.review = self.review_fact(&digest, last)?;
            let label = format!("bundle {}", manifest.version);
            let replay = self.evidence_replay(
                set.as_deref(),
                last,
                (label, report.set.clone()),
                "mandate (publish gates)",
                (&mut *steps, None),
            )?;
            steps.check()?;
            facts.replay_errors = replay.set.as_ref().map(|_| replay.candidate_errors);
            // The symbolic analysis, redone on the bundle's own schema, entities and
            // policies against the published bundle.
            steps.report("Proving the change with the SMT solver", 0, 0);
            let analysis = self
                .bundle_analysis(files, last, &report.set, steps.shared_flag())
                .map_err(|e| as_cancelled(e, steps))?;
            steps.check()?;
            match &analysis.not_run {
                None => {
                    let before: Option<evidence::Analysis> = match last {
                        Some(b) => {
                            read_json(&self.root().join(&b.rel), &b.files, evidence::ANALYSIS)?
                        }
                        None => None,
                    };
                    let known: Vec<String> = before.map(|a| a.fail_open).unwrap_or_default();
                    let located = crate::replay::explain::LocatedPolicies::from_report(&report);
                    facts.fail_open = analysis
                        .fail_open
                        .iter()
                        .filter(|id| !known.contains(id))
                        .map(|id| match located.sources.get(id) {
                            Some(at) => format!("`{id}` ({}:{})", at.file, at.line),
                            None => format!("`{id}`"),
                        })
                        .collect();
                    facts.fail_open_source = format!("proved by {}", analysis.solver);
                    facts.more_permissive = Ok(analysis.more_permissive.clone());
                }
                Some(why) => {
                    facts.fail_open_source = format!("the fail-open lint (no analysis: {why})");
                    facts.more_permissive = Err(format!("not analysed: {why}"));
                }
            }
            required = required.max(
                self.evidence_scope(&replay, Some(&analysis))
                    .required_approvals,
            );
        }
        facts.required_approvals = required;
        facts.valid_approvals = v.valid_approvals;
        facts.approval_problems = v
            .approvals
            .iter()
            .filter_map(|a| {
                a.problem.as_ref().map(|p| {
                    format!(
                        "{}: {p}",
                        if a.signer.is_empty() {
                            &a.key
                        } else {
                            &a.signer
                        }
                    )
                })
            })
            .collect();
        let (inv, _) = self.load_inventory();
        facts.unaccountable = self
            .findings_of(&inv)
            .into_iter()
            .filter(|f| {
                matches!(
                    f.code.as_str(),
                    "accountable.missing" | "accountable.unknown" | "accountable.departed"
                )
            })
            .map(|f| format!("{}: {}", f.subject, f.message))
            .collect();
        let coverage: Option<Coverage> = read_json(path, files, evidence::COVERAGE)?;
        let before: Option<Coverage> = match last {
            Some(b) => read_json(&self.root().join(&b.rel), &b.files, evidence::COVERAGE)?,
            None => None,
        };
        if let (Some(now), Some(before)) = (&coverage, &before) {
            facts.coverage_reductions = now.reductions(before);
        }
        let acks: Option<Acknowledgements> = read_json(path, files, evidence::ACKNOWLEDGEMENTS)?;
        facts.more_permissive_ack = acks.as_ref().and_then(|a| a.more_permissive.clone());
        facts.coverage_ack = acks.and_then(|a| a.coverage_reduction);
        let gates = gates::evaluate(&facts, &config);
        Ok(dto::GateReport {
            version: manifest.version,
            hash,
            passed: gates.iter().all(|g| g.passed),
            gates,
        })
    }

    /// The reviews of this change: their candidate is exactly the policies with this digest
    /// and their baseline exactly the published ones (no policies before the first bundle).
    /// A review of these policies against anything else reviewed another change.
    fn reviews_of_change(
        &self,
        digest: &str,
        last: Option<&PublishedBundle>,
    ) -> ApiResult<Vec<dto::Review>> {
        let baseline = match last {
            Some(_) => match self.bundle_side("baseline", "@published") {
                Some(set) => policy_digest(&set?),
                None => return Err(internal("`@published` is a bundle side")),
            },
            None => policy_digest(&cedar_policy::PolicySet::new()),
        };
        Ok(self
            .reviews()?
            .into_iter()
            .filter(|r| r.record.candidate_digest == digest && r.record.baseline_digest == baseline)
            .collect())
    }

    /// The best review of this change for the gate: approved and fully acknowledged first.
    fn review_fact(
        &self,
        digest: &str,
        last: Option<&PublishedBundle>,
    ) -> ApiResult<Option<ReviewFact>> {
        let mut found: Vec<ReviewFact> = self
            .reviews_of_change(digest, last)?
            .into_iter()
            .map(|r| ReviewFact {
                approved: r
                    .verdict
                    .as_ref()
                    .is_some_and(|v| v.verdict == VerdictKind::Approve),
                unacknowledged: r.unacknowledged,
                name: r.name,
            })
            .collect();
        found.sort_by_key(|r| (r.approved && r.unacknowledged == 0, r.approved));
        Ok(found.pop())
    }

    /// Checks every gate and, when all pass, publishes: the bundle goes into
    /// `bundles/VERSION/` (commit it), optionally a copy to `to`, and the index.
    ///
    /// The folder's rename into place is the commit point: from then on the bundle is
    /// published for every clone. What follows it (the index row, the copy, the audit entry)
    /// is resumed by publishing the same bundle again, after a crash or when it is already
    /// complete: the missing steps are done, and the answer is the first publish's (the gates
    /// checked against the history before this version). A different bundle at a published
    /// version is refused by the version gate.
    pub fn bundle_publish(
        &self,
        path: &Path,
        to: Option<&Path>,
        actor: &str,
    ) -> ApiResult<dto::Published> {
        let files = read_bundle(path)?;
        let resuming = self.already_in_place(&files)?;
        let report = self.gates_of(
            &files,
            path,
            resuming,
            &mut Steps::quiet(dto::Operation::BundleGates),
        )?;
        if !report.passed {
            let failed: Vec<String> = report
                .gates
                .iter()
                .filter(|g| !g.passed)
                .map(|g| format!("{} ({})", g.title, g.detail))
                .collect();
            let mut e = ApiError::new(
                ErrorCode::GateFailed,
                format!("{} gate(s) failed: {}", failed.len(), failed.join("; ")),
                Some("`mandate bundle publish --dry-run PATH` lists every gate with what to do"),
            );
            e.diagnostics = report
                .gates
                .iter()
                .filter(|g| !g.passed)
                .map(|g| {
                    bundle_diagnostic(
                        path,
                        "",
                        &format!("gate::{}", g.id),
                        format!("{}: {}", g.title, g.detail),
                    )
                })
                .collect();
            return Err(e);
        }
        let (manifest, hash) =
            Manifest::read(&files).map_err(|p| bundle_error(path, p, "cannot publish"))?;
        let rel = format!("{BUNDLES_DIR}/{}", manifest.version);
        let target = self.root().join(&rel);
        let copy = to.map(|dest| match archive::kind_of(dest) {
            archive::Kind::Zip => dest.to_path_buf(),
            archive::Kind::Dir => dest.join(format!(
                "{}-{}.{}",
                slug(&manifest.name),
                manifest.version,
                crate::bundle::ZIP_EXTENSION
            )),
        });
        // A copy already there is refused, unless it is this bundle made by the publish being
        // resumed (copies are written atomically, so one that exists is whole).
        let copy_done = match copy.as_ref().filter(|c| c.exists()) {
            Some(c) if resuming && read_bundle(c).is_ok_and(|f| f == files) => true,
            Some(c) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{}` already exists", c.display()),
                    Some(if resuming {
                        "a runtime may be reading it: publish the copy to a new path (the bundle is already in `bundles/`; publishing it again finishes the rest)"
                    } else {
                        "a runtime may be reading it: publish the copy to a new path (nothing was published)"
                    }),
                ))
            }
            None => false,
        };
        if !resuming {
            archive::write_as(&files, &target, archive::Kind::Dir).map_err(|p| {
                ApiError::new(
                    ErrorCode::Io,
                    p.to_string(),
                    Some("a published version is never overwritten; build a higher version"),
                )
            })?;
        }
        sweep_interrupted_writes(&target);
        let db = self.db()?;
        let indexed = db
            .indexed_bundle(&manifest.version)?
            .is_some_and(|i| i.hash == hash);
        if !indexed {
            db.index_bundle(&crate::store::BundleIndex {
                version: manifest.version.clone(),
                hash: hash.clone(),
                parent: manifest.parent.clone(),
                published_at: now(),
                published_by: actor.to_owned(),
                copied_to: copy.as_ref().map(|c| c.display().to_string()),
            })?;
        }
        let copied_to = match copy {
            None => None,
            Some(out) => {
                if !copy_done {
                    archive::write(&files, &out).map_err(|p| {
                        ApiError::new(
                            ErrorCode::Io,
                            format!("published into `{rel}`, but the copy failed: {p}"),
                            Some("publish the same bundle again to retry the copy, or copy `bundles/VERSION` to the runtime's folder yourself"),
                        )
                    })?;
                }
                sweep_interrupted_writes(&out);
                Some(out.display().to_string())
            }
        };
        let detail = json!({"path": rel, "copied_to": copied_to});
        let audited = resuming && publication_audited(&db, &manifest.version, &hash)?;
        if !audited {
            self.audit_bundle(actor, "bundle.publish", &manifest, &hash, detail)?;
        }
        Ok(dto::Published {
            version: manifest.version,
            hash,
            path: rel,
            copied_to,
            gates: report.gates,
        })
    }

    /// Whether `bundles/VERSION/` already holds exactly these files: a publish of them was
    /// interrupted after the folder went into place, or completed.
    fn already_in_place(&self, files: &Files) -> ApiResult<bool> {
        let Ok((manifest, _)) = Manifest::read(files) else {
            return Ok(false);
        };
        // Only a version names a folder under `bundles/` (never `..` or a path).
        if semver::Version::parse(&manifest.version).is_err() {
            return Ok(false);
        }
        let target = self.root().join(BUNDLES_DIR).join(&manifest.version);
        Ok(target.is_dir() && read_bundle(&target).is_ok_and(|there| &there == files))
    }

    /// The published history, newest first, each verified (intact, signed, approved,
    /// linked to its parent).
    pub fn bundles(&self) -> ApiResult<Vec<dto::BundleEntry>> {
        let published = self.published_bundles()?;
        let trusted = self.trusted_keys()?;
        let counts = self.fresh_config()?.gates.require_approvals;
        let index = self.db()?.bundle_index()?;
        let mut out = Vec::new();
        let mut previous: Option<&PublishedBundle> = None;
        for b in &published {
            let v = verify::check(&b.files, &trusted);
            let scope: Option<Scope> =
                read_json(&self.root().join(&b.rel), &b.files, evidence::SCOPE)
                    .ok()
                    .flatten();
            let required = approvals_needed(scope.as_ref(), &counts);
            let mut problems: Vec<String> = v.integrity.iter().map(ToString::to_string).collect();
            if !v.author.as_ref().is_some_and(|a| a.valid) {
                problems.push("not signed by its author with a trusted key".into());
            }
            if v.valid_approvals < required {
                problems.push(format!("{} of {required} approval(s)", v.valid_approvals));
            }
            if b.manifest.version != b.version.to_string() {
                problems.push(format!(
                    "folder `{}` holds version {}",
                    b.rel, b.manifest.version
                ));
            }
            if b.manifest.parent.as_deref() != previous.map(|p| p.hash.as_str()) {
                problems.push(match previous {
                    Some(p) => format!(
                        "parent is not {} ({}): the chain is broken",
                        p.version,
                        sign::short_hash(&p.hash)
                    ),
                    None => "names a parent, but it is the first published bundle".into(),
                });
            }
            let indexed = index.iter().find(|i| i.hash == b.hash);
            out.push(dto::BundleEntry {
                version: b.version.to_string(),
                hash: b.hash.clone(),
                parent: b.manifest.parent.clone(),
                created_at: b.manifest.created_at.clone(),
                author: b.manifest.author.name.clone(),
                summary: b.manifest.summary.clone(),
                approvals: v.valid_approvals,
                required_approvals: required,
                published_at: indexed.map(|i| i.published_at.clone()),
                published_by: indexed.map(|i| i.published_by.clone()),
                verified: problems.is_empty(),
                problems,
            });
            previous = Some(b);
        }
        out.reverse();
        Ok(out)
    }

    /// The policy text diff between two bundles (paths or published versions).
    pub fn bundle_diff(&self, from: &str, to: &str) -> ApiResult<dto::BundleDiff> {
        let load = |spec: &str| -> ApiResult<BTreeMap<String, String>> {
            let files = read_bundle(&self.resolve_bundle(spec)?)?;
            let report = policy::Checker::default().check(
                bundle_sources(&files),
                &policy::Settings {
                    namespace: Some(&self.workspace.config().namespace),
                    ..policy::Settings::default()
                },
            );
            let set = super::replay::refuse_errors(&format!("the policies of `{spec}`"), report)?;
            Ok(set
                .policies()
                .map(|p| (p.id().to_string(), p.to_string()))
                .chain(set.templates().map(|t| (t.id().to_string(), t.to_string())))
                .collect())
        };
        let (a, b) = (load(from)?, load(to)?);
        let mut policies = Vec::new();
        let mut unchanged = 0;
        let change = |id: &str, kind: &str, before: Option<&String>, after: Option<&String>| {
            dto::PolicyChange {
                id: id.to_owned(),
                change: kind.to_owned(),
                lines: line_diff(
                    before.map_or("", String::as_str),
                    after.map_or("", String::as_str),
                ),
                before: before.cloned(),
                after: after.cloned(),
            }
        };
        for (id, before) in &a {
            match b.get(id) {
                None => policies.push(change(id, "removed", Some(before), None)),
                Some(after) if after != before => {
                    policies.push(change(id, "changed", Some(before), Some(after)))
                }
                Some(_) => unchanged += 1,
            }
        }
        for (id, after) in &b {
            if !a.contains_key(id) {
                policies.push(change(id, "added", None, Some(after)));
            }
        }
        policies.sort_by(|x, y| x.id.cmp(&y.id));
        Ok(dto::BundleDiff {
            from: from.to_owned(),
            to: to.to_owned(),
            policies,
            unchanged,
        })
    }

    /// Exports a bundle for another engine: `cedarling` (a `.cjar` policy store), `avp` (an
    /// AWS Verified Permissions CloudFormation template) or `cedar-dir` (a folder the `cedar`
    /// CLI validates). Only an intact bundle is exported.
    pub fn bundle_export(&self, spec: &str, format: &str, out: &Path) -> ApiResult<String> {
        let path = self.resolve_bundle(spec)?;
        let files = read_bundle(&path)?;
        let (manifest, hash) =
            Manifest::read(&files).map_err(|p| bundle_error(&path, p, "cannot export"))?;
        let problems = manifest.check_files(&files);
        if !problems.is_empty() {
            return Err(bundle_error(
                &path,
                problems,
                "cannot export an altered bundle",
            ));
        }
        let schema = text_of(&files, "schema.cedarschema");
        let report = policy::Checker::default().check(
            bundle_sources(&files),
            &policy::Settings {
                schema: Some(&schema),
                namespace: Some(&manifest.namespace),
                ..policy::Settings::default()
            },
        );
        let set = super::replay::refuse_errors("the bundle's policies", report)?;
        let entities: serde_json::Value = read_json(&path, &files, "entities.json")?
            .unwrap_or(serde_json::Value::Array(Vec::new()));
        let input = export::ExportInput {
            manifest: &manifest,
            hash: &hash,
            policies: &set,
            schema: &schema,
            entities: &entities,
        };
        let fail = |p: BundleProblem| bundle_error(&path, vec![p], "export failed");
        match format {
            "cedarling" => {
                let bytes = export::cedarling(&input).map_err(fail)?;
                crate::workspace::write_atomic(out, &bytes)?;
            }
            "avp" => {
                let text = export::avp(&input).map_err(fail)?;
                crate::workspace::write_atomic(out, text.as_bytes())?;
            }
            "cedar-dir" => {
                let dir = export::cedar_dir(&input).map_err(fail)?;
                archive::write(&dir, out).map_err(|p| {
                    ApiError::new(ErrorCode::Io, p.to_string(), Some("choose a new folder"))
                })?;
            }
            "bundle" => {
                archive::write(&files, out).map_err(|p| {
                    ApiError::new(ErrorCode::Io, p.to_string(), Some("choose a new path"))
                })?;
            }
            other => {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{other}` is not an export format"),
                    Some("use `cedarling`, `avp`, `cedar-dir` or `bundle`"),
                ))
            }
        }
        Ok(out.display().to_string())
    }

    fn audit_bundle(
        &self,
        actor: &str,
        action: &str,
        m: &Manifest,
        hash: &str,
        detail: serde_json::Value,
    ) -> ApiResult<()> {
        let after = json!({"name": m.name, "version": m.version, "hash": hash, "detail": detail});
        self.db()?.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action,
            subject: &format!("bundle:{}", m.version),
            before: None,
            after: Some(&after),
        })?;
        Ok(())
    }
}

/// The digest of a checked policy set, as reviews record it.
fn policy_digest_of(report: &policy::PolicyReport) -> String {
    policy_digest(&report.set)
}

fn statement_envelope(
    role: Role,
    manifest: &Manifest,
    local: &sign::LocalKey,
    signing: &ed25519_dalek::SigningKey,
    comment: &str,
) -> Envelope {
    sign::sign(
        &Statement {
            statement_type: sign::STATEMENT_TYPE.into(),
            role,
            subject: manifest.hash(),
            subject_name: format!("{} {}", manifest.name, manifest.version),
            signer: local.owner.clone(),
            key: local.id.clone(),
            at: now(),
            comment: comment.trim().to_owned(),
            previous: None,
        },
        signing,
    )
}

/// A line diff (`similar`, Myers) of two policy texts.
fn line_diff(before: &str, after: &str) -> Vec<dto::DiffLine> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .map(|c| dto::DiffLine {
            kind: match c.tag() {
                similar::ChangeTag::Equal => " ",
                similar::ChangeTag::Delete => "-",
                similar::ChangeTag::Insert => "+",
            }
            .to_owned(),
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// Whether the audit log records the publication of this bundle (by its hash) as `version`.
fn publication_audited(db: &crate::store::Db, version: &str, hash: &str) -> ApiResult<bool> {
    let subject = format!("bundle:{version}");
    let entries = db.audit_entries(&crate::store::AuditFilter {
        subject: Some(&subject),
        limit: None,
    })?;
    Ok(entries.iter().any(|e| {
        e.action == "bundle.publish"
            && e.after
                .as_deref()
                .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
                .is_some_and(|after| after["hash"] == hash)
    }))
}

/// Removes what an interrupted [`archive::write`] of `target` left beside it (its temporary
/// `.NAME.tmp-*` file or folder, named as `archive::write_as` names them), once `target`
/// itself is in place. Such leftovers are never
/// read as bundles, but `bundles/` is committed, and a half-written folder must not be.
/// A concurrent write of the same target (which could only fail: the target exists) may lose
/// its temporary folder early; that changes nothing.
fn sweep_interrupted_writes(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let path = entry.path();
        // Best effort: a leftover that cannot be removed is ignored as before.
        let _ = match entry.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
    }
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "bundle".into()
    } else {
        s
    }
}
