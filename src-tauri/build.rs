//! Builds the Tauri context with an app manifest: each command below gets an
//! `allow-<command>` permission, and the webview may call only the ones that
//! `capabilities/default.json` grants (without a manifest every command is allowed).
//!
//! Keep this list, `generate_handler!` in src/main.rs, the capability and the commands the
//! UI calls (`ui/src/backend/tauri.ts`) the same sets: scripts/check-arch.sh compares them.

const COMMANDS: &[&str] = &[
    "current_workspace",
    "open_workspace",
    "pick_file",
    "pick_folder",
    "pick_save",
    "validate_workspace",
    "list_audit",
    "audit_facets",
    "export_audit",
    "dashboard_traffic",
    "dashboard_coverage",
    "dashboard_replay",
    "dashboard_reviews",
    "dashboard_bundle",
    "inventory",
    "validate_agent_draft",
    "save_agent",
    "agent_lifecycle",
    "acting_identity",
    "app_settings",
    "set_actor",
    "set_theme",
    "set_solver_path",
    "check_solver",
    "forget_workspace",
    "open_recent_workspace",
    "read_policy_file",
    "save_policy_file",
    "validate_policy_buffer",
    "format_policy_text",
    "schema_outline",
    "test_request",
    "add_control_policies",
    "controls",
    "request_sets",
    "import_requests",
    "cancel_import",
    "run_replay",
    "cancel_replay",
    "analyze",
    "cancel_analysis",
    "agent_access",
    "cancel_access",
    "replay_runs",
    "insights",
    "task_timeline",
    "agent_insights",
    "cancel_insights",
    "frameworks",
    "coverage",
    "cancel_coverage",
    "set_control_mappings",
    "set_not_applicable",
    "export_coverage",
    "replay_results",
    "explain_result",
    "review_for_run",
    "open_review",
    "ack_changes",
    "record_verdict",
    "keys_view",
    "generate_key",
    "trust_key",
    "bundle_build",
    "cancel_build",
    "bundle_view",
    "bundle_sign",
    "bundle_approve",
    "bundle_gates",
    "bundle_publish",
    "bundle_verify",
    "bundles",
    "bundle_diff",
];

fn main() {
    if let Err(e) = tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    ) {
        // Cargo shows a failed build script's stderr.
        eprintln!("error: tauri-build: {e:#}");
        std::process::exit(1);
    }
}
