//! Mandate's desktop shell: thin `#[tauri::command]`s over `mandate::api`.
//!
//! Each command takes the state, calls one api function and returns its DTO or `ApiError`
//! (`{code, message, help, diagnostics}`). The open workspace lives in [`AppState`]; its
//! watcher emits `workspace-changed` events with the batch of changes. Every path the window
//! names goes through [`grants`] first: inside the workspace, or chosen in a native dialog
//! that the shell opened (`pick_*`). The window may call only the commands `build.rs` lists
//! and `capabilities/default.json` grants.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod grants;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use grants::{Dialog, FileFilter, Grants};
use mandate::api::dto::{
    AddedPolicies, Agent, AgentInsights, BuildRequest, BundleDiff, BundleEntry, BundleView,
    ControlsView, CoverageReport, Diagnostic, ExplainPair, ExportRequest, ExportResult,
    FrameworksView, GateReport, ImportSummary, InsightsQuery, InsightsReport, InventoryView,
    KeysView, Lifecycle, LocalKey, Mapping, OperationProgress, Published, ReplayRequest, ReplayRun,
    RequestSetSummary, ResultFilter, ResultPage, Review, SchemaOutline, TaskTimeline, TestRequest,
    TestResult, TrustKeyRequest, TrustOutcome, ValidationReport, VerifyReport, WorkspaceInfo,
};
use mandate::api::dto::{
    AuditExport, AuditFacets, AuditListing, AuditQuery, DashboardBundle, DashboardCoverage,
    DashboardReplay, DashboardReviews, DashboardTraffic,
};
use mandate::api::settings::{SettingsView, SolverInfo};
use mandate::api::{
    settings, AccessRequest, AccessReview, AckTarget, Analysis, AnalyzeRequest, ApiError,
    ApiResult, OperationHooks, SaveMode, Session, WatchHandle,
};
use mandate::ErrorCode;
use tauri::{AppHandle, Emitter as _, Manager as _, State};

/// mimalloc, as in the CLI: a replay allocates small values on every core at once.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The event the UI listens to for outside edits.
const CHANGED_EVENT: &str = "workspace-changed";
/// Progress of a request import (`ImportProgress`).
const IMPORT_PROGRESS: &str = "requests-import-progress";
/// Progress of a replay (`ReplayProgress`).
const REPLAY_PROGRESS: &str = "replay-progress";
/// Progress of insights, coverage, an export or a bundle build (`OperationProgress`).
const OPERATION_PROGRESS: &str = "operation-progress";

/// Set by `cancel_replay`; the running replay stops at its next result.
#[derive(Default)]
struct Cancel(Arc<AtomicBool>);

/// Set by `cancel_import`; the running import stops after its current batch.
#[derive(Default)]
struct CancelImport(Cancel);

/// Set by `cancel_analysis`; the running analysis stops at its next solver query.
#[derive(Default)]
struct CancelAnalysis(Cancel);

/// Set by `cancel_access`; the running access review stops at its next solver query.
#[derive(Default)]
struct CancelAccess(Cancel);

/// Set by `cancel_insights`; the running insights, task timeline or agent insights stop at
/// their next batch of requests.
#[derive(Default)]
struct CancelInsights(Cancel);

/// Set by `cancel_coverage`; the running coverage or coverage export stops at its next batch.
#[derive(Default)]
struct CancelCoverage(Cancel);

/// Set by `cancel_build`; the running bundle build stops before it writes anything, a gates
/// check at its next batch or solver query.
#[derive(Default)]
struct CancelBuild(Cancel);

impl Cancel {
    /// The flag, cleared for a new run.
    fn reset(&self) -> Arc<AtomicBool> {
        self.0.store(false, Ordering::Relaxed);
        Arc::clone(&self.0)
    }
}

/// Runs `f` off the main thread, so a long import or replay never blocks the window.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| internal(&format!("background task failed: {e}")))?
}

#[derive(Default)]
struct AppState(Mutex<Option<(Session, WatchHandle)>>);

impl AppState {
    fn session(&self) -> ApiResult<Session> {
        let guard = self.0.lock().map_err(|_| internal("state lock poisoned"))?;
        guard.as_ref().map(|(s, _)| s.clone()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::WorkspaceNotFound,
                "no workspace is open",
                Some("open a workspace folder first"),
            )
        })
    }
}

fn internal(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Internal, message, None)
}

/// Opens `dir`, starts its watcher (emitting to the UI), remembers it as the last workspace.
fn open(app: &AppHandle, dir: &Path) -> ApiResult<WorkspaceInfo> {
    let session = Session::open(dir)?;
    let emitter = app.clone();
    let watch = session.watch(move |changes| {
        let _ = emitter.emit(CHANGED_EVENT, changes);
    })?;
    if let Ok(config_dir) = app.path().app_config_dir() {
        let _ = settings::remember_workspace(&config_dir, session.root());
    }
    let info = session.info();
    let state = app.state::<AppState>();
    *state
        .0
        .lock()
        .map_err(|_| internal("state lock poisoned"))? = Some((session, watch));
    Ok(info)
}

#[tauri::command(async)]
fn current_workspace(state: State<'_, AppState>) -> Result<Option<WorkspaceInfo>, ApiError> {
    state.session().ok().map(|s| s.reload_info()).transpose()
}

/// Opens a folder chosen in the folder dialog (`pick_folder`), and no other.
#[tauri::command(async)]
fn open_workspace(
    app: AppHandle,
    grants: State<'_, Grants>,
    path: String,
) -> Result<WorkspaceInfo, ApiError> {
    open(&app, &grants.workspace_folder(&path)?)
}

/// The native file dialog; the file chosen may then be named to the commands (see grants.rs).
#[tauri::command]
async fn pick_file(app: AppHandle, title: String) -> Result<Option<String>, ApiError> {
    blocking(move || app.state::<Grants>().pick(&app, &title, Dialog::File)).await
}

/// The native folder dialog; the folder chosen may then be named to the commands.
#[tauri::command]
async fn pick_folder(app: AppHandle, title: String) -> Result<Option<String>, ApiError> {
    blocking(move || app.state::<Grants>().pick(&app, &title, Dialog::Folder)).await
}

/// The native save dialog; the file chosen may then be written by an export.
#[tauri::command]
async fn pick_save(
    app: AppHandle,
    title: String,
    default_name: String,
    filters: Vec<FileFilter>,
) -> Result<Option<String>, ApiError> {
    let dialog = Dialog::Save {
        default_name,
        filters,
    };
    blocking(move || app.state::<Grants>().pick(&app, &title, dialog)).await
}

#[tauri::command(async)]
fn validate_workspace(state: State<'_, AppState>) -> Result<ValidationReport, ApiError> {
    Ok(state.session()?.validate())
}

/// A page of the audit log matching a filter, with the total and the next page's cursor.
#[tauri::command(async)]
fn list_audit(state: State<'_, AppState>, query: AuditQuery) -> Result<AuditListing, ApiError> {
    state.session()?.audit_page(&query)
}

#[tauri::command(async)]
fn audit_facets(state: State<'_, AppState>) -> Result<AuditFacets, ApiError> {
    state.session()?.audit_facets()
}

/// Every entry a filter matches as CSV, to a file chosen in the save dialog (`pick_save`).
#[tauri::command]
async fn export_audit(
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    query: AuditQuery,
    out: String,
) -> Result<AuditExport, ApiError> {
    let session = state.session()?;
    let out = grants.path(&session, &out)?;
    blocking(move || session.export_audit(&query, &out)).await
}

/// Off the main thread: insights over the newest set read every recorded request. Progress
/// and `cancel_insights` as for the Insights page.
#[tauri::command]
async fn dashboard_traffic(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelInsights>,
) -> Result<DashboardTraffic, ApiError> {
    let (session, flag) = (state.session()?, cancel.0.reset());
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.dashboard_traffic_with(hooks(flag, emit))
    })
    .await
}

/// Off the main thread: coverage re-evaluates the newest set when it changed. Progress and
/// `cancel_coverage` as for the Frameworks page.
#[tauri::command]
async fn dashboard_coverage(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelCoverage>,
) -> Result<DashboardCoverage, ApiError> {
    let (session, flag) = (state.session()?, cancel.0.reset());
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.dashboard_coverage_with(hooks(flag, emit))
    })
    .await
}

#[tauri::command(async)]
fn dashboard_replay(state: State<'_, AppState>) -> Result<DashboardReplay, ApiError> {
    state.session()?.dashboard_replay()
}

#[tauri::command(async)]
fn dashboard_reviews(state: State<'_, AppState>) -> Result<DashboardReviews, ApiError> {
    state.session()?.dashboard_reviews()
}

#[tauri::command(async)]
fn dashboard_bundle(state: State<'_, AppState>) -> Result<DashboardBundle, ApiError> {
    state.session()?.dashboard_bundle()
}

#[tauri::command(async)]
fn inventory(state: State<'_, AppState>) -> Result<InventoryView, ApiError> {
    Ok(state.session()?.inventory())
}

#[tauri::command(async)]
fn validate_agent_draft(
    state: State<'_, AppState>,
    agent: Agent,
    create: bool,
) -> Result<Vec<Diagnostic>, ApiError> {
    Ok(state
        .session()?
        .validate_agent_draft(&agent, save_mode(create)))
}

#[tauri::command(async)]
fn save_agent(
    app: AppHandle,
    state: State<'_, AppState>,
    agent: Agent,
    create: bool,
    revision: Option<String>,
) -> Result<mandate::api::dto::SavedAgent, ApiError> {
    let expected = revision.as_deref();
    state
        .session()?
        .save_agent(&agent, save_mode(create), expected, &actor(&app))
}

#[tauri::command(async)]
fn agent_lifecycle(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    to: Lifecycle,
    reason: String,
) -> Result<Agent, ApiError> {
    state
        .session()?
        .agent_lifecycle(&id, to, &reason, &actor(&app))
}

#[tauri::command(async)]
fn read_policy_file(
    state: State<'_, AppState>,
    path: String,
) -> Result<mandate::api::dto::FileText, ApiError> {
    state.session()?.read_for_edit(&path)
}

#[tauri::command(async)]
fn save_policy_file(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    text: String,
    revision: Option<String>,
) -> Result<String, ApiError> {
    let expected = revision.as_deref();
    state
        .session()?
        .save_policy(&path, &text, expected, &actor(&app))
}

#[tauri::command(async)]
fn validate_policy_buffer(
    state: State<'_, AppState>,
    path: String,
    text: String,
) -> Result<Vec<Diagnostic>, ApiError> {
    state.session()?.validate_buffer(&path, &text)
}

#[tauri::command(async)]
fn format_policy_text(state: State<'_, AppState>, text: String) -> Result<String, ApiError> {
    state.session()?.format_policy_text(&text)
}

#[tauri::command(async)]
fn schema_outline(state: State<'_, AppState>) -> Result<SchemaOutline, ApiError> {
    state.session()?.schema_outline()
}

#[tauri::command(async)]
fn test_request(state: State<'_, AppState>, request: TestRequest) -> Result<TestResult, ApiError> {
    state.session()?.test_request(&request)
}

#[tauri::command(async)]
fn add_control_policies(
    app: AppHandle,
    state: State<'_, AppState>,
    control: String,
) -> Result<AddedPolicies, ApiError> {
    state
        .session()?
        .add_control_policies(&control, &actor(&app))
}

#[tauri::command(async)]
fn controls(state: State<'_, AppState>) -> Result<ControlsView, ApiError> {
    Ok(state.session()?.controls())
}

#[tauri::command(async)]
fn request_sets(state: State<'_, AppState>) -> Result<Vec<RequestSetSummary>, ApiError> {
    state.session()?.request_sets()
}

#[tauri::command]
async fn import_requests(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelImport>,
    grants: State<'_, Grants>,
    path: String,
    set: String,
    strict: bool,
) -> Result<ImportSummary, ApiError> {
    let session = state.session()?;
    let path = grants.path(&session, &path)?;
    let (flag, who) = (cancel.0.reset(), actor(&app));
    blocking(move || {
        let progress = &mut |p| drop(app.emit(IMPORT_PROGRESS, p));
        session.import_requests_cancellable(&path, &set, strict, &who, Some(&flag), progress)
    })
    .await
}

#[tauri::command(async)]
fn cancel_import(cancel: State<'_, CancelImport>) {
    cancel.0 .0.store(true, Ordering::Relaxed);
}

#[tauri::command]
async fn run_replay(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, Cancel>,
    grants: State<'_, Grants>,
    request: ReplayRequest,
) -> Result<ReplayRun, ApiError> {
    let session = state.session()?;
    let request = grants.replay(&session, request)?;
    let (flag, who) = (cancel.reset(), actor(&app));
    blocking(move || {
        session.run_replay(&request, &who, &flag, &mut |p| {
            let _ = app.emit(REPLAY_PROGRESS, p);
        })
    })
    .await
}

#[tauri::command(async)]
fn cancel_replay(cancel: State<'_, Cancel>) {
    cancel.0.store(true, Ordering::Relaxed);
}

/// Off the main thread: every environment and policy is a solver query (seconds to minutes).
#[tauri::command]
async fn analyze(
    state: State<'_, AppState>,
    cancel: State<'_, CancelAnalysis>,
    grants: State<'_, Grants>,
    request: AnalyzeRequest,
) -> Result<Analysis, ApiError> {
    let session = state.session()?;
    let request = grants.analysis(&session, request)?;
    let flag = cancel.0.reset();
    blocking(move || session.analyze(&request, Some(flag))).await
}

#[tauri::command(async)]
fn cancel_analysis(cancel: State<'_, CancelAnalysis>) {
    cancel.0 .0.store(true, Ordering::Relaxed);
}

/// Off the main thread: each residual condition on the context is a solver query.
#[tauri::command]
async fn agent_access(
    state: State<'_, AppState>,
    cancel: State<'_, CancelAccess>,
    grants: State<'_, Grants>,
    request: AccessRequest,
) -> Result<AccessReview, ApiError> {
    let session = state.session()?;
    let request = grants.access(&session, request)?;
    let flag = cancel.0.reset();
    blocking(move || session.access(&request, Some(flag))).await
}

#[tauri::command(async)]
fn cancel_access(cancel: State<'_, CancelAccess>) {
    cancel.0 .0.store(true, Ordering::Relaxed);
}

/// The hooks of a long operation: progress through `emit`, stopped by `flag`.
fn hooks(flag: Arc<AtomicBool>, emit: &mut dyn FnMut(OperationProgress)) -> OperationHooks<'_> {
    OperationHooks {
        progress: Some(emit),
        cancel: Some(flag),
    }
}

#[tauri::command]
async fn insights(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelInsights>,
    query: InsightsQuery,
) -> Result<InsightsReport, ApiError> {
    let (session, flag) = (state.session()?, cancel.0.reset());
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session
            .insights_with(&query, hooks(flag, emit))
            .map(|r| (*r).clone())
    })
    .await
}

#[tauri::command]
async fn task_timeline(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelInsights>,
    set: Option<String>,
    task: String,
) -> Result<TaskTimeline, ApiError> {
    let (session, flag) = (state.session()?, cancel.0.reset());
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.task_timeline_with(set.as_deref(), &task, hooks(flag, emit))
    })
    .await
}

#[tauri::command]
async fn agent_insights(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelInsights>,
    agent: String,
) -> Result<AgentInsights, ApiError> {
    let (session, flag) = (state.session()?, cancel.0.reset());
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.agent_insights_with(&agent, hooks(flag, emit))
    })
    .await
}

#[tauri::command(async)]
fn cancel_insights(cancel: State<'_, CancelInsights>) {
    cancel.0 .0.store(true, Ordering::Relaxed);
}

#[tauri::command(async)]
fn frameworks(state: State<'_, AppState>) -> Result<FrameworksView, ApiError> {
    Ok(state.session()?.frameworks())
}

/// Off the main thread: coverage re-evaluates the newest recorded set when it changed.
#[tauri::command]
async fn coverage(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelCoverage>,
) -> Result<CoverageReport, ApiError> {
    let (session, flag) = (state.session()?, cancel.0.reset());
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.coverage_with(None, hooks(flag, emit))
    })
    .await
}

#[tauri::command(async)]
fn cancel_coverage(cancel: State<'_, CancelCoverage>) {
    cancel.0 .0.store(true, Ordering::Relaxed);
}

#[tauri::command(async)]
fn set_control_mappings(
    app: AppHandle,
    state: State<'_, AppState>,
    control: String,
    mappings: Vec<Mapping>,
) -> Result<(), ApiError> {
    state
        .session()?
        .set_control_mappings(&control, &mappings, &actor(&app))
}

#[tauri::command(async)]
fn set_not_applicable(
    app: AppHandle,
    state: State<'_, AppState>,
    framework: String,
    item: String,
    justification: Option<String>,
) -> Result<(), ApiError> {
    state
        .session()?
        .set_not_applicable(&framework, &item, justification.as_deref(), &actor(&app))
}

#[tauri::command]
async fn export_coverage(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelCoverage>,
    grants: State<'_, Grants>,
    request: ExportRequest,
) -> Result<ExportResult, ApiError> {
    let session = state.session()?;
    let request = grants.export(&session, request)?;
    let flag = cancel.0.reset();
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.export_coverage_with(&request, None, hooks(flag, emit))
    })
    .await
}

#[tauri::command(async)]
fn replay_runs(state: State<'_, AppState>) -> Result<Vec<ReplayRun>, ApiError> {
    state.session()?.replay_runs()
}

#[tauri::command(async)]
fn replay_results(
    state: State<'_, AppState>,
    run_id: i64,
    filter: ResultFilter,
    offset: u64,
    limit: u32,
) -> Result<ResultPage, ApiError> {
    state
        .session()?
        .replay_results(run_id, &filter, offset, limit)
}

#[tauri::command(async)]
fn explain_result(
    state: State<'_, AppState>,
    run_id: i64,
    seq: i64,
) -> Result<ExplainPair, ApiError> {
    state.session()?.explain_result(run_id, seq)
}

#[tauri::command(async)]
fn review_for_run(state: State<'_, AppState>, run_id: i64) -> Result<Option<Review>, ApiError> {
    state.session()?.review_for_run(run_id)
}

#[tauri::command(async)]
fn open_review(
    app: AppHandle,
    state: State<'_, AppState>,
    run_id: i64,
) -> Result<Review, ApiError> {
    state.session()?.open_review(run_id, None, &actor(&app))
}

#[tauri::command(async)]
fn ack_changes(
    app: AppHandle,
    state: State<'_, AppState>,
    review: String,
    ids: Vec<String>,
    groups: Option<Vec<String>>,
    comment: String,
) -> Result<Review, ApiError> {
    let target = AckTarget {
        requests: ids,
        groups: groups.unwrap_or_default(),
        all: false,
    };
    state
        .session()?
        .ack_review(&review, &target, &comment, &actor(&app))
}

#[tauri::command(async)]
fn record_verdict(
    app: AppHandle,
    state: State<'_, AppState>,
    review: String,
    verdict: String,
    comment: String,
) -> Result<Review, ApiError> {
    state
        .session()?
        .review_verdict(&review, &verdict, &comment, &actor(&app))
}

#[tauri::command(async)]
fn keys_view(state: State<'_, AppState>) -> Result<KeysView, ApiError> {
    state.session()?.keys()
}

#[tauri::command(async)]
fn generate_key(state: State<'_, AppState>, owner: String) -> Result<LocalKey, ApiError> {
    state.session()?.generate_key(&owner, None)
}

#[tauri::command(async)]
fn trust_key(
    app: AppHandle,
    state: State<'_, AppState>,
    request: TrustKeyRequest,
) -> Result<TrustOutcome, ApiError> {
    state.session()?.trust_key(&request, &actor(&app))
}

#[tauri::command]
async fn bundle_build(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelBuild>,
    grants: State<'_, Grants>,
    request: BuildRequest,
) -> Result<BundleView, ApiError> {
    let (session, who) = (state.session()?, actor(&app));
    let request = grants.build(&session, request)?;
    let flag = cancel.0.reset();
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.bundle_build_with(&request, &who, hooks(flag, emit))
    })
    .await
}

#[tauri::command(async)]
fn cancel_build(cancel: State<'_, CancelBuild>) {
    cancel.0 .0.store(true, Ordering::Relaxed);
}

#[tauri::command(async)]
fn bundle_view(
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    path: String,
) -> Result<BundleView, ApiError> {
    let session = state.session()?;
    session.bundle_view(&grants.path(&session, &path)?)
}

#[tauri::command(async)]
fn bundle_sign(
    app: AppHandle,
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    path: String,
    key: Option<String>,
) -> Result<BundleView, ApiError> {
    let session = state.session()?;
    let path = grants.path(&session, &path)?;
    session.bundle_sign(&path, key.as_deref(), &actor(&app))
}

#[tauri::command(async)]
fn bundle_approve(
    app: AppHandle,
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    path: String,
    key: Option<String>,
    comment: String,
) -> Result<BundleView, ApiError> {
    let session = state.session()?;
    let path = grants.path(&session, &path)?;
    session.bundle_approve(&path, key.as_deref(), &comment, &actor(&app))
}

/// Off the main thread: the gates replay the newest set and run the solver again.
#[tauri::command]
async fn bundle_gates(
    app: AppHandle,
    state: State<'_, AppState>,
    cancel: State<'_, CancelBuild>,
    grants: State<'_, Grants>,
    path: String,
) -> Result<GateReport, ApiError> {
    let session = state.session()?;
    let path = grants.path(&session, &path)?;
    let flag = cancel.0.reset();
    blocking(move || {
        let emit = &mut |p| drop(app.emit(OPERATION_PROGRESS, p));
        session.bundle_gates_with(&path, hooks(flag, emit))
    })
    .await
}

#[tauri::command]
async fn bundle_publish(
    app: AppHandle,
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    path: String,
    to: Option<String>,
) -> Result<Published, ApiError> {
    let (session, who) = (state.session()?, actor(&app));
    let path = grants.path(&session, &path)?;
    let to = to.map(|to| grants.path(&session, &to)).transpose()?;
    blocking(move || session.bundle_publish(&path, to.as_deref(), &who)).await
}

#[tauri::command(async)]
fn bundle_verify(
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    path: String,
    require_approved: bool,
) -> Result<VerifyReport, ApiError> {
    let session = state.session()?;
    let path = session.resolve_bundle(&grants.bundle(&session, &path)?)?;
    session.bundle_verify(&path, require_approved)
}

#[tauri::command(async)]
fn bundles(state: State<'_, AppState>) -> Result<Vec<BundleEntry>, ApiError> {
    state.session()?.bundles()
}

#[tauri::command(async)]
fn bundle_diff(
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    from: String,
    to: String,
) -> Result<BundleDiff, ApiError> {
    let session = state.session()?;
    let from = grants.bundle(&session, &from)?;
    let to = grants.bundle(&session, &to)?;
    session.bundle_diff(&from, &to)
}

#[tauri::command(async)]
fn acting_identity(app: AppHandle) -> String {
    actor(&app)
}

/// The Settings page: the settings file, the acting identity checked against the open
/// workspace's people, the theme, the app's solver and the recent workspaces.
#[tauri::command(async)]
fn app_settings(app: AppHandle, state: State<'_, AppState>) -> Result<SettingsView, ApiError> {
    let dir = config_dir(&app)?;
    Ok(settings::view(&dir, state.session().ok().as_ref()))
}

/// Sets (or, with `None`, clears) who the app acts as; every later audited action uses it.
#[tauri::command(async)]
fn set_actor(
    app: AppHandle,
    state: State<'_, AppState>,
    actor: Option<String>,
) -> Result<SettingsView, ApiError> {
    let dir = config_dir(&app)?;
    settings::set_actor(&dir, actor.as_deref())?;
    Ok(settings::view(&dir, state.session().ok().as_ref()))
}

#[tauri::command(async)]
fn set_theme(
    app: AppHandle,
    state: State<'_, AppState>,
    theme: String,
) -> Result<SettingsView, ApiError> {
    let dir = config_dir(&app)?;
    settings::set_theme(&dir, &theme)?;
    Ok(settings::view(&dir, state.session().ok().as_ref()))
}

/// The app's solver: a file chosen in the file dialog (`pick_file`), saved only when its
/// version probe answers; `None` clears it. Off the main thread: the probe runs the solver.
#[tauri::command]
async fn set_solver_path(
    app: AppHandle,
    state: State<'_, AppState>,
    grants: State<'_, Grants>,
    path: Option<String>,
) -> Result<SettingsView, ApiError> {
    let path = path.map(|p| grants.chosen_file(&p)).transpose()?;
    let (dir, session) = (config_dir(&app)?, state.session().ok());
    blocking(move || {
        settings::set_solver_path(&dir, path.as_deref())?;
        settings::apply(&dir);
        Ok(settings::view(&dir, session.as_ref()))
    })
    .await
}

/// The solver an analysis would use now, found and probed (`--version`) as analyses do.
#[tauri::command]
async fn check_solver(state: State<'_, AppState>) -> Result<SolverInfo, ApiError> {
    let session = state.session().ok();
    blocking(move || settings::solver_in_use(session.as_ref())).await
}

#[tauri::command(async)]
fn forget_workspace(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<SettingsView, ApiError> {
    let dir = config_dir(&app)?;
    settings::forget_workspace(&dir, &path)?;
    Ok(settings::view(&dir, state.session().ok().as_ref()))
}

/// Opens a workspace on the recent list (which only the shell writes), without a dialog.
#[tauri::command(async)]
fn open_recent_workspace(app: AppHandle, path: String) -> Result<WorkspaceInfo, ApiError> {
    let dir = settings::recent_workspace(&config_dir(&app)?, &path)?;
    open(&app, &dir)
}

/// The app's config dir, where `settings.json` lives.
fn config_dir(app: &AppHandle) -> ApiResult<PathBuf> {
    app.path().app_config_dir().map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("the app has no config folder for its settings: {e}"),
            Some("set XDG_CONFIG_HOME (or HOME) to a folder you can write"),
        )
    })
}

fn save_mode(create: bool) -> SaveMode {
    if create {
        SaveMode::Create
    } else {
        SaveMode::Update
    }
}

/// Who the app acts as: the settings' actor, else `MANDATE_ACTOR` or git's user.email.
fn actor(app: &AppHandle) -> String {
    app.path()
        .app_config_dir()
        .map_or_else(|_| mandate::api::current_actor(), |d| settings::actor(&d))
}

/// The workspace to open at start: the first argument, else `MANDATE_WORKSPACE`, else the
/// last one opened.
fn startup_workspace(app: &AppHandle) -> Option<PathBuf> {
    std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("MANDATE_WORKSPACE").map(PathBuf::from))
        .or_else(|| {
            app.path()
                .app_config_dir()
                .ok()
                .and_then(|d| settings::last_workspace(&d))
        })
}

fn main() -> anyhow::Result<()> {
    mandate::api::configure_worker_threads();
    // Every command runs on this runtime (none on the main thread: `command(async)`), with the
    // stack Cedar's recursive parser needs for the deepest text the core admits.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(mandate::api::CEDAR_STACK_SIZE)
        .enable_all()
        .build()?;
    tauri::async_runtime::set(runtime.handle().clone());
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::default())
        .manage(Cancel::default())
        .manage(CancelImport::default())
        .manage(CancelAnalysis::default())
        .manage(CancelAccess::default())
        .manage(CancelInsights::default())
        .manage(CancelCoverage::default())
        .manage(CancelBuild::default())
        .manage(Grants::from_env())
        .setup(|app| {
            let handle = app.handle().clone();
            // The solver chosen in Settings is the analyses' default from the start.
            if let Ok(dir) = handle.path().app_config_dir() {
                settings::apply(&dir);
            }
            if let Some(dir) = startup_workspace(&handle) {
                // A bad start-up workspace is not fatal: the UI shows the welcome screen.
                if let Err(e) = open(&handle, &dir) {
                    eprintln!("mandate: cannot open `{}`: {}", dir.display(), e.message);
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            current_workspace,
            open_workspace,
            pick_file,
            pick_folder,
            pick_save,
            validate_workspace,
            list_audit,
            audit_facets,
            export_audit,
            dashboard_traffic,
            dashboard_coverage,
            dashboard_replay,
            dashboard_reviews,
            dashboard_bundle,
            inventory,
            validate_agent_draft,
            save_agent,
            agent_lifecycle,
            acting_identity,
            app_settings,
            set_actor,
            set_theme,
            set_solver_path,
            check_solver,
            forget_workspace,
            open_recent_workspace,
            read_policy_file,
            save_policy_file,
            validate_policy_buffer,
            format_policy_text,
            schema_outline,
            test_request,
            add_control_policies,
            controls,
            request_sets,
            import_requests,
            cancel_import,
            run_replay,
            cancel_replay,
            analyze,
            cancel_analysis,
            agent_access,
            cancel_access,
            replay_runs,
            insights,
            task_timeline,
            agent_insights,
            cancel_insights,
            frameworks,
            coverage,
            cancel_coverage,
            set_control_mappings,
            set_not_applicable,
            export_coverage,
            replay_results,
            explain_result,
            review_for_run,
            open_review,
            ack_changes,
            record_verdict,
            keys_view,
            generate_key,
            trust_key,
            bundle_build,
            cancel_build,
            bundle_view,
            bundle_sign,
            bundle_approve,
            bundle_gates,
            bundle_publish,
            bundle_verify,
            bundles,
            bundle_diff
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}
