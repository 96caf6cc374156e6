//! `mandate agents …`, `mandate check`, `mandate schema`, `mandate entities`.

use std::io::Write;
use std::path::Path;

use mandate::api::dto::{Agent, Lifecycle};
use mandate::api::{ApiError, ApiResult, ExportKind, ImportKind, SaveMode, Session};
use mandate::ErrorCode;

use crate::args::{AgentsCommand, ExportWhat, Format, ImportWhat, PolicyCommand};
use crate::output;
use crate::ExitCode;

pub struct Ctx<'a> {
    pub session: Session,
    pub format: Format,
    pub actor: String,
    pub shown: &'a Path,
    pub out: &'a mut dyn Write,
}

pub fn wrong_format(command: &str, allowed: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidArgument,
        format!("`{command}` does not print this --format"),
        Some(&format!("use --format {allowed}")),
    )
}

pub fn run(ctx: &mut Ctx<'_>, command: &AgentsCommand) -> ApiResult<ExitCode> {
    let io = crate::commands::io_error;
    match command {
        AgentsCommand::List {
            tier,
            lifecycle,
            team,
            gaps,
        } => {
            let view = ctx.session.inventory();
            let agents: Vec<&Agent> = view
                .agents
                .iter()
                .filter(|a| tier.is_none_or(|t| a.risk_tier == t))
                .filter(|a| lifecycle.is_none_or(|l| a.lifecycle == l))
                .filter(|a| team.as_ref().is_none_or(|t| a.owner_team == *t))
                .filter(|a| {
                    !gaps
                        || view
                            .findings
                            .iter()
                            .any(|f| f.subject == format!("agent:{}", a.id))
                })
                .collect();
            match ctx.format {
                Format::Human => {
                    output::agents_table(&agents, &view.findings, ctx.out).map_err(io)?
                }
                Format::Json => output::json(&agents, ctx.out).map_err(io)?,
                Format::Csv => {
                    let text = mandate::api::agents_csv(&agents)?;
                    ctx.out.write_all(text.as_bytes()).map_err(io)?;
                }
                _ => return Err(wrong_format("agents list", "human, json or csv")),
            }
            Ok(ExitCode::Ok)
        }
        AgentsCommand::Show { id } => {
            let agent = ctx.session.agent(id)?;
            let subject = format!("agent:{id}");
            let findings: Vec<_> = ctx
                .session
                .inventory()
                .findings
                .into_iter()
                .filter(|f| f.subject == subject)
                .collect();
            match ctx.format {
                Format::Json => output::json(
                    &serde_json::json!({ "agent": agent, "findings": findings }),
                    ctx.out,
                )
                .map_err(io)?,
                Format::Human => {
                    output::agent_detail(&agent, &findings, ctx.shown, ctx.out).map_err(io)?
                }
                _ => return Err(wrong_format("agents show", "human or json")),
            }
            Ok(ExitCode::Ok)
        }
        AgentsCommand::Add {
            id,
            name,
            team,
            accountable,
            sponsor,
            escalation,
            tier,
            environment,
            max_ttl,
            spiffe_id,
            purpose,
            attestation,
        } => {
            let agent = Agent {
                id: id.clone(),
                name: name.clone(),
                purpose: purpose.clone(),
                spiffe_id: spiffe_id.clone(),
                oidc_issuer: None,
                oidc_subject: None,
                owner_team: team.clone(),
                accountable: accountable.clone(),
                sponsor: sponsor.clone(),
                escalation: escalation.clone(),
                risk_tier: *tier,
                environment: *environment,
                lifecycle: Lifecycle::Draft,
                approved_by: None,
                approved_on: None,
                tools: vec![],
                datasets: vec![],
                models: vec![],
                delegates: vec![],
                max_ttl_seconds: *max_ttl,
                attestation_required: *attestation,
                step_up_actions: vec![],
                recertify_by: None,
                tags: vec![],
            };
            let saved = ctx
                .session
                .save_agent(&agent, SaveMode::Create, None, &ctx.actor)?
                .agent;
            saved_message(ctx, &saved, "registered")
        }
        AgentsCommand::Set { id, assignments } => {
            let saved = ctx.session.set_agent_fields(id, assignments, &ctx.actor)?;
            saved_message(ctx, &saved, "updated")
        }
        AgentsCommand::Lifecycle { id, to, reason } => {
            let saved = ctx.session.agent_lifecycle(id, *to, reason, &ctx.actor)?;
            saved_message(ctx, &saved, "moved")
        }
        AgentsCommand::Import {
            file,
            kind,
            server,
            sensitivity,
            environment,
            dry_run,
        } => {
            let kind = match kind {
                ImportWhat::Agents => ImportKind::Agents,
                ImportWhat::People => ImportKind::People,
                ImportWhat::McpTools => ImportKind::McpTools {
                    server: server.clone().unwrap_or_default(),
                    sensitivity: *sensitivity,
                    environment: *environment,
                },
            };
            let report = ctx.session.import(&kind, file, *dry_run, &ctx.actor)?;
            match ctx.format {
                Format::Json => output::json(&report, ctx.out).map_err(io)?,
                _ => output::import_report(&report, ctx.out).map_err(io)?,
            }
            let clean = report.plan.problems.is_empty() && report.plan.conflicts.is_empty();
            Ok(if clean {
                ExitCode::Ok
            } else {
                ExitCode::Findings
            })
        }
        AgentsCommand::Export { kind, out } => {
            let kind = match kind {
                ExportWhat::Agents => ExportKind::Agents,
                ExportWhat::People => ExportKind::People,
            };
            let csv = match ctx.format {
                Format::Csv => true,
                Format::Json | Format::Human => false,
                _ => return Err(wrong_format("agents export", "json or csv")),
            };
            let text = ctx.session.export(kind, csv)?;
            crate::commands::emit(&text, out.as_deref(), ctx.out)?;
            Ok(ExitCode::Ok)
        }
    }
}

fn saved_message(ctx: &mut Ctx<'_>, agent: &Agent, verb: &str) -> ApiResult<ExitCode> {
    let io = crate::commands::io_error;
    match ctx.format {
        Format::Json => output::json(agent, ctx.out).map_err(io)?,
        _ => writeln!(
            ctx.out,
            "{verb} agent `{}` ({}, {})",
            output::sanitize(&agent.id),
            agent.lifecycle.as_str(),
            agent.risk_tier.as_str()
        )
        .map_err(io)?,
    }
    Ok(ExitCode::Ok)
}

pub fn check(ctx: &mut Ctx<'_>) -> ApiResult<ExitCode> {
    let report = ctx.session.check();
    match ctx.format {
        Format::Json => output::json(&report, ctx.out).map_err(crate::commands::io_error)?,
        _ => {
            output::check_report(&report, ctx.shown, ctx.out).map_err(crate::commands::io_error)?
        }
    }
    Ok(if report.error_count > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Ok
    })
}

pub fn schema(ctx: &mut Ctx<'_>, write: bool) -> ApiResult<ExitCode> {
    let text = match ctx.format {
        Format::Human | Format::Cedar => ctx.session.schema_text()?,
        Format::Json => ctx.session.schema_json()?,
        _ => return Err(wrong_format("schema", "cedar or json")),
    };
    if write {
        ctx.session.write_generated_schema()?;
    }
    ctx.out
        .write_all(text.as_bytes())
        .map_err(crate::commands::io_error)?;
    if !text.ends_with('\n') {
        writeln!(ctx.out).map_err(crate::commands::io_error)?;
    }
    Ok(ExitCode::Ok)
}

pub fn entities(ctx: &mut Ctx<'_>, out: Option<&Path>) -> ApiResult<ExitCode> {
    let entities = ctx.session.entities()?;
    let text = serde_json::to_string_pretty(&entities)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?
        + "\n";
    crate::commands::emit(&text, out, ctx.out)?;
    Ok(ExitCode::Ok)
}

pub fn fmt(ctx: &mut Ctx<'_>, check: bool) -> ApiResult<ExitCode> {
    let report = ctx.session.format_policies(check)?;
    let io = crate::commands::io_error;
    match ctx.format {
        Format::Json => output::json(&report, ctx.out).map_err(io)?,
        _ => {
            let verb = if check {
                "would reformat"
            } else {
                "reformatted"
            };
            for f in &report.changed {
                writeln!(
                    ctx.out,
                    "{verb} {}",
                    output::sanitize(&ctx.shown.join(f).display().to_string())
                )
                .map_err(io)?;
            }
            for f in &report.unparseable {
                writeln!(
                    ctx.out,
                    "skipped {} (does not parse; `mandate validate` says why)",
                    output::sanitize(&ctx.shown.join(f).display().to_string())
                )
                .map_err(io)?;
            }
            writeln!(
                ctx.out,
                "{} file(s) checked, {} {verb}, {} skipped",
                report.checked,
                report.changed.len(),
                report.unparseable.len()
            )
            .map_err(io)?;
        }
    }
    let failed = !report.unparseable.is_empty() || (check && !report.changed.is_empty());
    Ok(if failed {
        ExitCode::Findings
    } else {
        ExitCode::Ok
    })
}

pub fn policy(ctx: &mut Ctx<'_>, command: &PolicyCommand) -> ApiResult<ExitCode> {
    match command {
        PolicyCommand::Add { control } => {
            let added = ctx.session.add_control_policies(control, &ctx.actor)?;
            match ctx.format {
                Format::Json => output::json(&added, ctx.out).map_err(crate::commands::io_error)?,
                _ => writeln!(
                    ctx.out,
                    "added {} ({}) enforcing {}",
                    added.file,
                    added.ids.join(", "),
                    output::sanitize(control)
                )
                .map_err(crate::commands::io_error)?,
            }
            Ok(ExitCode::Ok)
        }
    }
}

pub fn test(ctx: &mut Ctx<'_>, req: &mandate::api::dto::TestRequest) -> ApiResult<ExitCode> {
    let result = ctx.session.test_request(req)?;
    let io = crate::commands::io_error;
    match ctx.format {
        Format::Json => output::json(&result, ctx.out).map_err(io)?,
        _ => {
            writeln!(ctx.out, "{}", result.decision.to_uppercase()).map_err(io)?;
            if result.determining.is_empty() {
                writeln!(
                    ctx.out,
                    "no policy decided it: default deny (no permit matched)"
                )
                .map_err(io)?;
            }
            for p in &result.determining {
                let text: Vec<String> = p
                    .text
                    .lines()
                    .map(|l| format!("  {}", output::sanitize(l)))
                    .collect();
                writeln!(
                    ctx.out,
                    "\n{} — {}:{}\n{}",
                    output::sanitize(&p.id),
                    p.file,
                    p.line,
                    text.join("\n")
                )
                .map_err(io)?;
            }
            for e in &result.errors {
                writeln!(
                    ctx.out,
                    "\nerror in {}: {}",
                    output::sanitize(&e.policy),
                    output::sanitize(&e.message)
                )
                .map_err(io)?;
            }
        }
    }
    Ok(if result.decision == "allow" {
        ExitCode::Ok
    } else {
        ExitCode::Findings
    })
}
