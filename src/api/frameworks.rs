//! Frameworks, control mappings and coverage: the catalogs, the evidence gathered from the
//! workspace (policies, inventory checks, recorded traffic, traffic insights, attestations),
//! edits to `controls/controls.toml`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

use super::progress::Steps;
use super::{dto, ApiError, ApiResult, OperationHooks, Session};
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::ErrorCode;
use crate::frameworks::coverage::{self, CoverageReport, Fired, InsightTally, PolicyFact};
use crate::frameworks::{self, catalog, edit, export, Controls, Mapping, CONTROLS_FILE};
use crate::replay::simulate::{Replayer, ResultItem};
use crate::store::RequestWindow;

/// The phase of coverage that re-evaluates the newest set, as progress names it.
const FIRED: &str = "Deciding recorded requests on the current policies";

/// Determining decisions per policy over the newest request set, by what they were computed
/// from (the set's contents, the policies, the inventory).
#[derive(Debug, Default)]
pub(crate) struct FiredCache {
    key: String,
    fired: Option<Arc<FiredFacts>>,
}

#[derive(Debug, Default)]
pub(crate) struct FiredFacts {
    set: String,
    by_policy: HashMap<String, Fired>,
    newest: Option<DateTime<Utc>>,
}

/// Tallies which policies decided each replayed request, on the candidate side (the working
/// copy), and the reasons production recorded: coverage's traffic evidence. A bundle build
/// replays the newest set on the same candidate, so its replay feeds one too and coverage
/// then needs no replay of its own.
pub(super) struct FiredTally {
    facts: FiredFacts,
}

impl FiredTally {
    pub(super) fn new(set: &str) -> Self {
        Self {
            facts: FiredFacts {
                set: set.to_owned(),
                ..FiredFacts::default()
            },
        }
    }

    pub(super) fn add(&mut self, item: &ResultItem<'_>) {
        let facts = &mut self.facts;
        let time = item
            .request
            .time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        if time > facts.newest {
            facts.newest = time;
        }
        let mut note = |id: &str| {
            let f = facts.by_policy.entry(id.to_owned()).or_insert(Fired {
                count: 0,
                last: None,
            });
            f.count += 1;
            if time > f.last {
                f.last = time;
            }
        };
        for id in &item.result.candidate.reasons {
            note(id);
        }
        // What production recorded as the reasons counts too.
        if let Some(recorded) = item.request.reasons.as_deref() {
            if let Ok(ids) = serde_json::from_str::<Vec<String>>(recorded) {
                for id in ids
                    .iter()
                    .filter(|id| !item.result.candidate.reasons.contains(id))
                {
                    note(id);
                }
            }
        }
    }
}

impl Session {
    /// The built-in and workspace frameworks, with the problems of workspace framework files.
    pub fn frameworks(&self) -> dto::FrameworksView {
        let (catalogs, diagnostics) = catalog::load(self.root());
        dto::FrameworksView {
            catalog_version: catalog::CATALOG_DATA_VERSION.to_owned(),
            frameworks: catalogs.frameworks,
            diagnostics,
        }
    }

    /// The workspace's controls file, parsed; a missing file is an empty one.
    pub(crate) fn workspace_controls(&self) -> ApiResult<(Controls, String, Vec<Diagnostic>)> {
        let (controls, _, text, problems) = self.workspace_controls_located()?;
        Ok((controls, text, problems))
    }

    /// [`Session::workspace_controls`] with the lines of the file's values.
    fn workspace_controls_located(
        &self,
    ) -> ApiResult<(Controls, frameworks::Lines, String, Vec<Diagnostic>)> {
        let (text, _) = self.controls_source()?;
        let (controls, lines, problems) = frameworks::parse_located(CONTROLS_FILE, &text);
        Ok((controls, lines, text, problems))
    }

    /// The controls file's text (empty when missing) and its revision, which an edit of it
    /// names when it writes (see [`Session::write_controls`]).
    pub(crate) fn controls_source(&self) -> ApiResult<(String, String)> {
        match self.workspace.read_file_revision(CONTROLS_FILE) {
            Ok(read) => Ok(read),
            Err(crate::workspace::WorkspaceError::Io(e))
                if e.source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok((String::new(), crate::workspace::ABSENT.to_owned()))
            }
            Err(e) => Err(ApiError::new(
                ErrorCode::Io,
                format!("cannot read `{CONTROLS_FILE}`: {e}"),
                None,
            )),
        }
    }

    /// Problems of the controls file and the workspace framework files, for `mandate check`:
    /// every parse problem; check and insight codes that name nothing, attestation dates that
    /// are not dates, mappings to unknown frameworks (errors, see [`frameworks::lint`]); and
    /// mappings that name no item or a variant of one (warnings: they never count, or count
    /// as written differently). Each at its line.
    pub(crate) fn controls_problems(&self) -> Vec<Diagnostic> {
        let (catalogs, mut out) = catalog::load(self.root());
        let (controls, lines, _, problems) = match self.workspace_controls_located() {
            Ok(c) => c,
            Err(e) => {
                out.push(Diagnostic::whole_file(
                    CONTROLS_FILE,
                    Severity::Error,
                    "io::read",
                    e.message,
                    None,
                ));
                return out;
            }
        };
        out.extend(problems);
        out.extend(frameworks::lint(
            CONTROLS_FILE,
            &controls,
            &lines,
            &catalogs,
        ));
        for (n, c) in controls.controls.iter().enumerate() {
            for (i, m) in c.mappings.iter().enumerate() {
                let framework = m.framework.trim();
                if !framework.is_empty() && catalogs.get(framework).is_none() {
                    // Reported by the lint.
                    continue;
                }
                let line = lines
                    .controls
                    .get(n)
                    .and_then(|l| l.mappings.get(i))
                    .map_or(1, |l| l.item.max(l.at).max(1));
                let written = m.cited.as_deref().unwrap_or(&m.item);
                let resolution = frameworks::resolve_mapping(&catalogs, m);
                let problem = match (&resolution, !frameworks::resolve::counts_when_resolved(m)) {
                    (frameworks::Resolution::Unresolved { reason, suggestions }, _) => Some((
                        "controls::mapping_unresolved",
                        format!("`{}` cites `{written}`: {reason}; it does not count as coverage", c.id),
                        suggestions
                            .first()
                            .map(|s| format!("did you mean {} of `{}`? write `framework` and `item`", s.label, s.framework)),
                    )),
                    (_, true) => Some((
                        "controls::mapping_unresolved",
                        format!("`{}` cites `{written}` without a framework and item; it does not count as coverage", c.id),
                        Some("confirm the item it means: write `framework` and `item`".to_owned()),
                    )),
                    (frameworks::Resolution::Variant { note, .. }, false) => Some((
                        "controls::mapping_variant",
                        format!("`{}` maps to `{written}`, which is not how the framework writes it ({note})", c.id),
                        resolution
                            .target()
                            .and_then(|(f, k)| catalogs.get(f).and_then(|fw| fw.item(k)))
                            .map(|i| format!("write `item = \"{}\"`", i.label)),
                    )),
                    _ => None,
                };
                if let Some((code, message, help)) = problem {
                    out.push(Diagnostic::at_line(
                        CONTROLS_FILE,
                        line as usize,
                        1,
                        Severity::Warning,
                        code,
                        message,
                        help,
                    ));
                }
            }
        }
        out
    }

    /// Coverage of every framework by the workspace's controls, from the evidence as it is
    /// now. `now` is injected by tests; the shells pass `None`.
    pub fn coverage(&self, now: Option<DateTime<Utc>>) -> ApiResult<CoverageReport> {
        self.coverage_in(now, &mut Steps::quiet(dto::Operation::Coverage))
    }

    /// [`Session::coverage`] with progress (the newest set re-evaluated, then its insights),
    /// stopped by `hooks.cancel` with [`ErrorCode::Cancelled`].
    pub fn coverage_with(
        &self,
        now: Option<DateTime<Utc>>,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<CoverageReport> {
        self.coverage_in(now, &mut Steps::new(dto::Operation::Coverage, hooks))
    }

    /// [`Session::coverage`] reporting to the steps of the operation it is part of.
    pub(crate) fn coverage_in(
        &self,
        now: Option<DateTime<Utc>>,
        steps: &mut Steps<'_>,
    ) -> ApiResult<CoverageReport> {
        steps.check()?;
        steps.report("Checking policies and the inventory", 0, 0);
        let now = now.unwrap_or_else(Utc::now);
        let (catalogs, catalog_problems) = catalog::load(self.root());
        let (controls, lines, _, problems) = self.workspace_controls_located()?;
        let problems: Vec<Diagnostic> = catalog_problems
            .into_iter()
            .chain(problems)
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::ControlsInvalid,
                message: format!(
                    "the controls or framework files have {} problem(s)",
                    problems.len()
                ),
                help: Some(
                    "fix them first (`mandate check`): coverage is computed from them".into(),
                ),
                diagnostics: problems,
            });
        }
        let report = self.check_policies(crate::policy::read_sources(self.root()));
        let policies = policy_facts(&report);

        let (inv, _) = self.load_inventory();
        let mut check_findings: HashMap<String, Vec<String>> = HashMap::new();
        for f in self.findings_of(&inv) {
            check_findings.entry(f.code).or_default().push(f.subject);
        }

        let fired = self.fired(&report.set, steps)?;
        let insights = match &fired {
            Some(_) => match self.insights_in(&dto::InsightsQuery::default(), steps) {
                Ok(r) => Some(r),
                Err(e) if e.code == ErrorCode::Cancelled => return Err(e),
                Err(_) => None,
            },
            None => None,
        };
        steps.check()?;
        let insight_findings: Option<HashMap<String, InsightTally>> = insights.as_ref().map(|r| {
            let mut m: HashMap<String, InsightTally> = HashMap::new();
            for f in &r.findings {
                let t = m.entry(f.code.clone()).or_default();
                t.findings += 1;
                t.requests += f.count;
                t.allowed += f.allowed;
                t.denied += f.denied;
            }
            m
        });
        // Proofs of the last analysis of the working copy, for policies unchanged since.
        let current: HashMap<String, String> = report
            .set
            .policies()
            .map(|p| (p.id().to_string(), super::analysis::policy_text_digest(p)))
            .collect();
        let proved: HashMap<String, DateTime<Utc>> = self
            .db()?
            .proofs()?
            .into_iter()
            .filter(|p| current.get(&p.policy) == Some(&p.digest))
            .filter_map(|p| {
                DateTime::parse_from_rfc3339(&p.proved_at)
                    .ok()
                    .map(|t| (p.policy, t.with_timezone(&Utc)))
            })
            .collect();
        let inputs = coverage::Inputs {
            catalogs: &catalogs,
            controls: &controls,
            policies: &policies,
            fired: fired.as_deref().map(|f| &f.by_policy),
            proved: &proved,
            check_findings: &check_findings,
            agents: inv.agents.len(),
            insight_findings: insight_findings.as_ref(),
            lines: &lines,
            traffic_newest: fired.as_deref().and_then(|f| f.newest),
            traffic_set: fired.as_deref().map(|f| f.set.clone()),
            now,
            max_age_days: self.workspace.config().coverage.max_evidence_age_days,
        };
        Ok(coverage::compute(&inputs))
    }

    /// How often each policy decided the newest recorded set (re-evaluated on the working
    /// copy, plus the reasons production recorded); `None` when nothing is recorded.
    fn fired(
        &self,
        policies: &cedar_policy::PolicySet,
        steps: &mut Steps<'_>,
    ) -> ApiResult<Option<Arc<FiredFacts>>> {
        let db = self.db()?;
        let Some((key, set, set_id)) = self.fired_key(&db, None, policies)? else {
            return Ok(None);
        };
        if let Ok(cache) = self.fired_cache.lock() {
            if cache.key == key {
                if let Some(f) = &cache.fired {
                    return Ok(Some(Arc::clone(f)));
                }
            }
        }
        let mut tally = FiredTally::new(&set);
        // Re-evaluated on the working copy: which policies decide the recorded requests now.
        let evaluated = (|| -> ApiResult<()> {
            let schema = self.replay_schema()?;
            let entities = self.replay_entities(&schema)?;
            let namespace = self.workspace.config().namespace.clone();
            let mut each = |item: &ResultItem<'_>| -> std::io::Result<()> {
                tally.add(item);
                Ok(())
            };
            let mut replayer = Replayer::new(
                &schema, &entities, policies, policies, &namespace, &mut each,
            )?;
            let mut failure = None;
            let total = db.count_requests(set_id, &RequestWindow::default())?;
            let mut done = 0u64;
            steps.report(FIRED, 0, total);
            db.for_each_request_batch(set_id, &RequestWindow::default(), 4096, |page| {
                if steps.is_cancelled() {
                    return false;
                }
                done += page.len() as u64;
                for row in page {
                    if let Err(e) =
                        replayer.record(u64::try_from(row.row).unwrap_or(0), row.request)
                    {
                        failure = Some(e);
                        return false;
                    }
                }
                steps.report(FIRED, done, total);
                true
            })?;
            if let Some(e) = failure {
                return Err(e.into());
            }
            steps.check()?;
            replayer.finish()?;
            Ok(())
        })();
        evaluated?;
        steps.check()?;
        Ok(Some(self.keep_fired(key, tally)))
    }

    /// What the fired facts of `policies` over the newest request set are cached under, with
    /// that set's name and id; `None` when nothing is recorded, or when `only` names a set
    /// that is not the newest (coverage reads the newest).
    pub(super) fn fired_key(
        &self,
        db: &crate::store::Db,
        only: Option<&str>,
        policies: &cedar_policy::PolicySet,
    ) -> ApiResult<Option<(String, String, i64)>> {
        let Some(set) = db.newest_request_set()? else {
            return Ok(None);
        };
        if only.is_some_and(|o| o != set) {
            return Ok(None);
        }
        let Some(set_id) = db.request_set_id(&set)? else {
            return Ok(None);
        };
        let (inv, _) = self.load_inventory();
        let mut h = Sha256::new();
        for part in [
            set.as_str(),
            &db.request_set_signature(set_id)?,
            &super::replay::policy_digest(policies),
            &inv.people_text,
            &inv.resources_text,
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for a in &inv.agents {
            h.update(a.text.as_bytes());
            h.update([0]);
        }
        Ok(Some((format!("{:x}", h.finalize()), set, set_id)))
    }

    /// Keeps facts tallied under `key` (from [`Session::fired_key`]) for coverage to reuse.
    pub(super) fn keep_fired(&self, key: String, tally: FiredTally) -> Arc<FiredFacts> {
        let facts = Arc::new(tally.facts);
        if let Ok(mut cache) = self.fired_cache.lock() {
            cache.key = key;
            cache.fired = Some(Arc::clone(&facts));
        }
        facts
    }

    /// Replaces a control's mappings in `controls/controls.toml` (a library control the
    /// workspace does not list yet is added). Each mapping must name an official item of a
    /// known framework, or keep its citation in `cited`.
    pub fn set_control_mappings(
        &self,
        control: &str,
        mappings: &[Mapping],
        actor: &str,
    ) -> ApiResult<()> {
        let (catalogs, _) = catalog::load(self.root());
        let mut problems = Vec::new();
        for (n, m) in mappings.iter().enumerate() {
            if m.cited.is_some() && m.item.trim().is_empty() {
                continue;
            }
            if catalogs.get(&m.framework).is_none() {
                problems.push(mapping_problem(
                    n,
                    format!("unknown framework `{}`", m.framework),
                    "pick one of `mandate frameworks list`",
                ));
                continue;
            }
            if frameworks::resolve(&catalogs, Some(&m.framework), &m.item)
                .target()
                .is_none()
            {
                problems.push(mapping_problem(
                    n,
                    format!("`{}` is not an item of `{}`", m.item, m.framework),
                    "use the item's official id or label (`mandate frameworks show ID`)",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::ControlsInvalid,
                message: format!("{} mapping(s) name no official item", problems.len()),
                help: Some("nothing was written".into()),
                diagnostics: problems,
            });
        }
        let (text, read) = self.controls_source()?;
        let library = frameworks::library();
        let lib = library.controls.iter().find(|c| c.id == control);
        let out = edit::set_mappings(&text, control, mappings, lib).map_err(edit_error)?;
        self.write_controls(&out, &read, actor, &format!("mappings of {control}"))
    }

    /// Marks a framework item not applicable (with a justification) or applicable again.
    pub fn set_not_applicable(
        &self,
        framework: &str,
        item: &str,
        justification: Option<&str>,
        actor: &str,
    ) -> ApiResult<()> {
        let (catalogs, _) = catalog::load(self.root());
        let Some(fw) = catalogs.get(framework) else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no framework `{framework}`"),
                Some("`mandate frameworks list` shows them"),
            ));
        };
        let Some(found) = fw.items.iter().find(|i| i.label == item || i.key == item) else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no item `{item}` in `{framework}`"),
                Some("use the item's official id or label"),
            ));
        };
        if justification.is_some_and(|j| j.trim().is_empty()) {
            return Err(ApiError::new(
                ErrorCode::ControlsInvalid,
                "a not-applicable item needs a justification",
                Some("say why the item does not apply to this organisation"),
            ));
        }
        let (text, read) = self.controls_source()?;
        let label = found.label.clone();
        let out = edit::set_not_applicable(&text, framework, &label, justification.map(str::trim))
            .map_err(edit_error)?;
        let what = match justification {
            Some(_) => format!("{framework} {label} not applicable"),
            None => format!("{framework} {label} applicable"),
        };
        self.write_controls(&out, &read, actor, &what)
    }

    /// Writes coverage as CSV, JSON, OSCAL, Markdown or HTML (see [`dto::ExportRequest`]),
    /// each file atomically; returns the paths written, the requested file first. OSCAL
    /// writes the derived framework catalogs beside the component-definition. `now` is
    /// injected by tests; the shells pass `None`.
    pub fn export_coverage(
        &self,
        req: &dto::ExportRequest,
        now: Option<DateTime<Utc>>,
    ) -> ApiResult<dto::ExportResult> {
        self.export_coverage_in(req, now, &mut Steps::quiet(dto::Operation::ExportCoverage))
    }

    /// [`Session::export_coverage`] with progress, stopped by `hooks.cancel` before anything
    /// is written.
    pub fn export_coverage_with(
        &self,
        req: &dto::ExportRequest,
        now: Option<DateTime<Utc>>,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<dto::ExportResult> {
        self.export_coverage_in(
            req,
            now,
            &mut Steps::new(dto::Operation::ExportCoverage, hooks),
        )
    }

    fn export_coverage_in(
        &self,
        req: &dto::ExportRequest,
        now: Option<DateTime<Utc>>,
        steps: &mut Steps<'_>,
    ) -> ApiResult<dto::ExportResult> {
        let Some(format) = export::Format::parse(req.format.trim()) else {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("unknown export format `{}`", req.format),
                Some(&format!("use {}", export::Format::NAMES)),
            ));
        };
        let table = match req.table.as_deref().map(str::trim) {
            None | Some("") => export::Table::default(),
            Some(t) if format != export::Format::Csv => {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("a table (`{t}`) applies only to the csv format"),
                    Some("drop the table, or export csv"),
                ))
            }
            Some(t) => export::Table::parse(t).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("unknown table `{t}`"),
                    Some(&format!("use {}", export::Table::NAMES)),
                )
            })?,
        };
        let out = std::path::PathBuf::from(req.out.trim());
        let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{}` names no file to write", req.out),
                Some("give the export a file name, e.g. `coverage.csv`"),
            ));
        };
        let stem = std::path::Path::new(&name)
            .file_stem()
            .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());

        let (catalogs, _) = catalog::load(self.root());
        let framework = req
            .framework
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        let unknown = |id: &str| {
            let ids: Vec<&str> = catalogs.frameworks.iter().map(|f| f.id.as_str()).collect();
            ApiError::new(
                ErrorCode::NotFound,
                format!("no framework `{id}`"),
                Some(&format!("use one of: {}", ids.join(", "))),
            )
        };
        if let Some(id) = framework.filter(|id| catalogs.get(id).is_none()) {
            return Err(unknown(id));
        }
        let report = self.coverage_in(now, steps)?;
        steps.check()?;
        steps.report("Writing the export", 0, 0);
        let report = match framework {
            None => report,
            Some(id) => export::filter(&report, id).ok_or_else(|| unknown(id))?,
        };
        let ctx = export::Context {
            workspace: &self.workspace.config().name,
            catalogs: &catalogs,
            stem: &stem,
        };
        let files = export::render(&report, &ctx, format, table)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?;
        let dir = out
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let mut main = None;
        let mut beside = Vec::new();
        for f in &files {
            match &f.place {
                export::Place::Main => main = Some(&f.text),
                export::Place::Beside(file) => beside.push((dir.join(file), &f.text)),
            }
        }
        // The catalogs first: a component-definition never names a catalog not yet written.
        let mut written = Vec::new();
        for (path, text) in &beside {
            super::write_output_file(path, text)?;
            written.push(path.display().to_string());
        }
        if let Some(text) = main {
            super::write_output_file(&out, text)?;
            written.insert(0, out.display().to_string());
        }
        Ok(dto::ExportResult { files: written })
    }

    /// Writes an edit of the controls file made from its text at revision `read`; an edit
    /// made on disk in between is refused (`edit_conflict`), never overwritten.
    pub(super) fn write_controls(
        &self,
        text: &str,
        read: &str,
        actor: &str,
        what: &str,
    ) -> ApiResult<()> {
        let (_, problems) = frameworks::parse(CONTROLS_FILE, text);
        if let Some(p) = problems.iter().find(|d| d.severity == Severity::Error) {
            return Err(ApiError::new(
                ErrorCode::Internal,
                format!("the edit would break `{CONTROLS_FILE}`: {}", p.message),
                Some("nothing was written; please report this"),
            ));
        }
        let written = self
            .workspace
            .write_file_at(CONTROLS_FILE, text.as_bytes(), Some(read))?;
        let before = (written.before != crate::workspace::ABSENT)
            .then(|| serde_json::json!({ "sha256": written.before }));
        let after =
            serde_json::json!({ "sha256": super::hash_hex(text.as_bytes()), "change": what });
        self.db()?.audit(&crate::store::NewAuditEntry {
            at: Utc::now(),
            actor,
            action: "controls.edit",
            subject: &format!("controls:{CONTROLS_FILE}"),
            before: before.as_ref(),
            after: Some(&after),
        })?;
        Ok(())
    }
}

fn mapping_problem(n: usize, message: String, help: &str) -> Diagnostic {
    Diagnostic::whole_file(
        CONTROLS_FILE,
        Severity::Error,
        "controls::mapping",
        format!("mapping {}: {message}", n + 1),
        Some(help.to_owned()),
    )
}

pub(super) fn edit_error(e: edit::EditError) -> ApiError {
    match e {
        edit::EditError::UnknownControl(_) => ApiError::new(
            ErrorCode::NotFound,
            e.to_string(),
            Some("`mandate coverage` lists the controls"),
        ),
        _ => ApiError::new(
            ErrorCode::ControlsInvalid,
            e.to_string(),
            Some("fix controls/controls.toml by hand first; nothing was written"),
        ),
    }
}

/// The working copy's statements with their validity (no error inside the statement's lines,
/// and the file parsed).
fn policy_facts(report: &crate::policy::PolicyReport) -> Vec<PolicyFact> {
    let mut out = Vec::new();
    for f in &report.files {
        let errors: Vec<u32> = report
            .diagnostics
            .iter()
            .filter(|d| d.file == f.path && d.severity == Severity::Error)
            .map(|d| d.line)
            .collect();
        for s in &f.statements {
            let end_line = s.line
                + u32::try_from(
                    f.text
                        .get(s.start..s.end.min(f.text.len()))
                        .unwrap_or_default()
                        .matches('\n')
                        .count(),
                )
                .unwrap_or(0);
            let first = u32::try_from(
                f.text
                    .get(..s.start.min(f.text.len()))
                    .unwrap_or_default()
                    .matches('\n')
                    .count(),
            )
            .unwrap_or(0)
                + 1;
            out.push(PolicyFact {
                id: s.id.clone(),
                control: s.control.clone(),
                file: f.path.clone(),
                line: s.line,
                valid: f.parsed && !errors.iter().any(|l| (first..=end_line).contains(l)),
            });
        }
    }
    out
}

/// Coverage as terminal text.
pub fn coverage_text(report: &CoverageReport) -> String {
    coverage::human(report)
}

/// Narrows a report to one framework; an unknown id is an error naming the known ones.
pub fn coverage_only(report: &mut CoverageReport, framework: &str) -> ApiResult<()> {
    let known: Vec<String> = report.frameworks.iter().map(|f| f.id.clone()).collect();
    if coverage::only(report, framework) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no framework `{framework}`"),
            Some(&format!("known frameworks: {}", known.join(", "))),
        ))
    }
}
