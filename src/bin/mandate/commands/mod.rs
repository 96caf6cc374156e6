//! One function per command: call `mandate::api`, hand the result to `output`.

mod access;
mod agents;
mod analyze;
mod audit;
mod bundle;
mod coverage;
mod dashboard;
mod demo;
mod explain;
mod export;
mod frameworks;
mod insights;
mod requests;
mod review;
mod simulate;

use std::io::Write;
use std::path::{Path, PathBuf};

use mandate::api::{self, ApiError, ApiResult, Session};
use mandate::ErrorCode;

use crate::args::{Cli, Command, KeysCommand};
use crate::output;
use crate::ExitCode;

/// Maps an output failure to an error; a closed pipe (`mandate … | head`) ends quietly.
pub fn io_error(e: std::io::Error) -> ApiError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    ApiError::new(ErrorCode::Io, format!("cannot write output: {e}"), None)
}

/// Writes `text` to `path` atomically, or to `out`.
pub fn emit(text: &str, path: Option<&Path>, out: &mut dyn Write) -> ApiResult<()> {
    match path {
        Some(p) => api::write_output_file(p, text),
        None => out.write_all(text.as_bytes()).map_err(io_error),
    }
}

pub fn run(cli: &Cli) -> ApiResult<ExitCode> {
    let mut stdout = output::Sink::new(
        std::io::stdout().lock(),
        output::SinkMode::for_stdout(cli.format),
    );
    let actor = cli.actor.clone().unwrap_or_else(api::current_actor);
    match &cli.command {
        Command::Init {
            dir,
            name,
            namespace,
        } => {
            let name = name.clone().unwrap_or_else(|| default_name(dir));
            let info = api::init_workspace(dir, &name, namespace, &actor)?;
            output::initialised(&info, cli.format, &mut stdout).map_err(io_error)?;
            Ok(ExitCode::Ok)
        }
        Command::Demo {
            dir,
            requests,
            seed,
            set,
            no_import,
            traffic,
        } => demo::run(
            &demo::Args {
                dir: dir.as_deref(),
                requests: *requests,
                seed: *seed,
                set: (!*no_import).then_some(set.as_str()),
                traffic: traffic.as_deref(),
            },
            &actor,
            cli.format,
            &mut stdout,
        ),
        Command::Simulate {
            set: Some(set),
            since,
            until,
            baseline,
            candidate,
            fail_on_change,
            out,
            analyze,
            ..
        } => {
            let (dir, _) = workspace_dir(cli.workspace.as_deref())?;
            let session = Session::open(&dir)?;
            let opts = api::ReplayOptions {
                set: set.clone(),
                baseline: baseline.clone(),
                candidate: candidate.clone(),
                since: since.clone(),
                until: until.clone(),
            };
            simulate::run(
                &simulate::Input::Set(&session, &opts, &actor, *analyze),
                *fail_on_change,
                cli.format,
                out.as_ref(),
                &mut stdout,
            )
        }
        Command::Simulate {
            schema,
            entities,
            baseline,
            candidate,
            requests,
            fail_on_change,
            out,
            ..
        } => {
            let missing: Vec<&str> = [
                ("--schema", schema.is_none()),
                ("--entities", entities.is_none()),
                ("--baseline", baseline.is_none()),
                ("--candidate", candidate.is_none()),
                ("--requests", requests.is_none()),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(f, _)| f)
            .collect();
            let (Some(schema), Some(entities), Some(baseline), Some(candidate), Some(requests)) =
                (schema, entities, baseline, candidate, requests)
            else {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("simulate needs --set, or loose files: missing {}", missing.join(", ")),
                    Some("`mandate simulate --set NAME` replays a stored set on the workspace's policies; `mandate simulate --schema S --entities E --baseline P1 --candidate P2 --requests R.jsonl` needs no workspace"),
                ));
            };
            let files = api::SimulateFiles {
                schema: schema.clone(),
                entities: entities.clone(),
                baseline: baseline.into(),
                candidate: candidate.into(),
                requests: requests.clone(),
            };
            simulate::run(
                &simulate::Input::Files(&files),
                *fail_on_change,
                cli.format,
                out.as_ref(),
                &mut stdout,
            )
        }
        Command::Explain {
            id,
            set: Some(set),
            baseline,
            candidate,
            ..
        } => {
            let Some(id) = id else {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    "explain --set needs the request's id",
                    Some(&format!("`mandate explain --set {set} ID`: a record's id, or `line:N` as `mandate simulate` prints it")),
                ));
            };
            let (dir, _) = workspace_dir(cli.workspace.as_deref())?;
            let session = Session::open(&dir)?;
            let pair =
                session.explain_request(set, id, baseline.as_deref(), candidate.as_deref())?;
            let sides = [
                baseline.as_deref().unwrap_or("git:HEAD"),
                candidate.as_deref().unwrap_or("working copy"),
            ];
            explain::pair(&pair, sides, cli.format, &mut stdout)
        }
        Command::Explain {
            id,
            schema,
            entities,
            policies,
            request,
            requests,
            ..
        } => {
            let (Some(schema), Some(entities), Some(policies)) = (schema, entities, policies)
            else {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    "explain needs --set, or loose files: --schema, --entities and --policies",
                    Some("`mandate explain --set NAME ID` explains a stored request on the workspace's policies; `mandate explain --schema S --entities E --policies P --request R.json` (or `--requests R.jsonl ID`) needs no workspace"),
                ));
            };
            let record = match (request, requests, id) {
                (Some(r), _, _) => explain::record_arg(r)?,
                (None, Some(file), Some(id)) => api::find_record(file, id)?,
                (None, Some(_), None) => {
                    return Err(ApiError::new(
                        ErrorCode::InvalidArgument,
                        "explain --requests needs the request's id",
                        Some("`--requests R.jsonl ID`: a record's id, or `line:N` for the record on line N"),
                    ))
                }
                (None, None, _) => {
                    return Err(ApiError::new(
                        ErrorCode::InvalidArgument,
                        "explain needs the request: --request FILE_OR_JSON, or --requests R.jsonl ID",
                        Some("a recorded request as `mandate requests import` reads it (DESIGN.md §4)"),
                    ))
                }
            };
            let explanation = api::explain_files(schema, entities, policies, &record)?;
            explain::one(&explanation, cli.format, &mut stdout)
        }
        Command::Analyze {
            baseline,
            candidate,
            schema,
            findings_only,
            no_findings,
            solver,
            time_limit,
            jobs,
            fail_on_permissive,
        } => {
            let req = api::AnalyzeRequest {
                baseline: baseline.clone(),
                candidate: candidate.clone(),
                no_diff: *findings_only,
                no_findings: *no_findings,
                solver: solver.clone(),
                time_limit_ms: *time_limit,
                jobs: *jobs,
            };
            let result = match schema {
                Some(schema) => {
                    let Some(candidate) = candidate else {
                        return Err(ApiError::new(
                            ErrorCode::InvalidArgument,
                            "analyze --schema needs --candidate (and --baseline unless --findings-only)",
                            Some("`mandate analyze --schema S --baseline P1 --candidate P2`: P = a .cedar file or a folder of them"),
                        ));
                    };
                    if baseline.is_none() && !*findings_only {
                        return Err(ApiError::new(
                            ErrorCode::InvalidArgument,
                            "analyze --schema needs --baseline for the diff",
                            Some("add `--baseline P1`, or `--findings-only` for the findings on the candidate alone"),
                        ));
                    }
                    let files = api::AnalyzeFiles {
                        schema: schema.clone(),
                        baseline: baseline.as_ref().map(PathBuf::from),
                        candidate: PathBuf::from(candidate),
                    };
                    api::analyze_files(&files, &req)?
                }
                None => {
                    let (dir, _) = workspace_dir(cli.workspace.as_deref())?;
                    let session = Session::open(&dir)?;
                    session.analyze(&req, None)?
                }
            };
            analyze::print(&result, cli.format, &mut stdout)?;
            Ok(
                if result.errors() > 0 || (*fail_on_permissive && result.more_permissive() > 0) {
                    ExitCode::Findings
                } else {
                    ExitCode::Ok
                },
            )
        }
        // A key belongs to a person, not a workspace: outside any workspace it is made
        // without one (inside one, the session also refuses a key store within it).
        Command::Keys {
            command: KeysCommand::Generate { owner, name },
        } if cli.workspace.is_none()
            && workspace_dir(None).is_err_and(|e| e.code == ErrorCode::WorkspaceNotFound) =>
        {
            let key = api::generate_key(owner, name.as_deref())?;
            bundle::generated(&key, cli.format, &mut stdout)?;
            Ok(ExitCode::Ok)
        }
        Command::Validate => {
            let (dir, shown) = workspace_dir(cli.workspace.as_deref())?;
            let report = api::validate_dir(&dir)?;
            output::validation(&report, &shown, cli.format, &mut stdout).map_err(io_error)?;
            Ok(if report.error_count > 0 {
                ExitCode::Findings
            } else {
                ExitCode::Ok
            })
        }
        command => {
            let (dir, shown) = workspace_dir(cli.workspace.as_deref())?;
            let mut ctx = agents::Ctx {
                session: Session::open(&dir)?,
                format: cli.format,
                actor,
                shown: &shown,
                out: &mut stdout,
            };
            match command {
                Command::Agents { command } => agents::run(&mut ctx, command),
                Command::Check => agents::check(&mut ctx),
                Command::Fmt { check } => agents::fmt(&mut ctx, *check),
                Command::Policy { command } => agents::policy(&mut ctx, command),
                Command::Test {
                    principal,
                    action,
                    resource,
                    context,
                } => {
                    let req = api::dto::TestRequest {
                        principal: principal.clone(),
                        action: action.clone(),
                        resource: resource.clone(),
                        context: context.clone(),
                    };
                    agents::test(&mut ctx, &req)
                }
                Command::Access {
                    agent,
                    baseline,
                    candidate,
                    no_diff,
                    solver,
                    time_limit,
                    jobs,
                    fail_on_gained,
                } => {
                    let req = api::AccessRequest {
                        agent: agent.clone(),
                        baseline: baseline.clone(),
                        candidate: candidate.clone(),
                        no_diff: *no_diff,
                        solver: solver.clone(),
                        time_limit_ms: *time_limit,
                        jobs: *jobs,
                    };
                    let review = ctx.session.access(&req, None)?;
                    access::print(&review, ctx.format, ctx.out)?;
                    Ok(if *fail_on_gained && review.changed().next().is_some() {
                        ExitCode::Findings
                    } else {
                        ExitCode::Ok
                    })
                }
                Command::Schema { write } => agents::schema(&mut ctx, *write),
                Command::Entities { out } => agents::entities(&mut ctx, out.as_deref()),
                Command::Requests { command } => requests::run(&mut ctx, command),
                Command::Frameworks { command } => frameworks::run(&mut ctx, command),
                Command::Review { command } => review::run(&mut ctx, command),
                Command::Bundle { command } => bundle::run(&mut ctx, command),
                Command::Keys { command } => bundle::keys(&mut ctx, command),
                Command::Insights {
                    command,
                    set,
                    since,
                    until,
                    fail_on,
                    out,
                } => insights::run(
                    &mut ctx,
                    &insights::Args {
                        command: command.as_ref(),
                        set: set.as_deref(),
                        since: since.as_deref(),
                        until: until.as_deref(),
                        fail_on: *fail_on,
                        out: out.as_deref(),
                    },
                ),
                Command::Coverage {
                    framework,
                    fail_under,
                    out,
                } => coverage::run(&mut ctx, framework.as_deref(), *fail_under, out.as_deref()),
                Command::Export {
                    framework,
                    table,
                    out,
                } => export::run(&mut ctx, framework.as_deref(), *table, out),
                Command::Audit {
                    actor,
                    action,
                    subject,
                    since,
                    until,
                    limit,
                    out,
                } => audit::run(
                    &mut ctx,
                    &audit::Args {
                        actor: actor.as_deref(),
                        action: action.as_deref(),
                        subject: subject.as_deref(),
                        since: since.as_deref(),
                        until: until.as_deref(),
                        limit: limit.as_deref(),
                        out: out.as_deref(),
                    },
                ),
                Command::Dashboard { card } => dashboard::run(&mut ctx, *card),
                Command::Init { .. }
                | Command::Demo { .. }
                | Command::Analyze { .. }
                | Command::Validate
                | Command::Simulate { .. }
                | Command::Explain { .. } => Err(ApiError::new(
                    ErrorCode::Internal,
                    "unreachable command",
                    None,
                )),
            }
        }
    }
}

fn default_name(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.file_name().map_or_else(
        || "Mandate workspace".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The workspace folder and how to show paths under it: `--workspace` as given, else the
/// nearest folder at or above the current one that holds `mandate.toml`.
pub fn workspace_dir(arg: Option<&Path>) -> ApiResult<(PathBuf, PathBuf)> {
    if let Some(dir) = arg {
        return Ok((dir.to_path_buf(), dir.to_path_buf()));
    }
    let cwd = std::env::current_dir().map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("cannot read the current folder: {e}"),
            None,
        )
    })?;
    let mut shown = PathBuf::new();
    for dir in cwd.ancestors() {
        if dir.join(api::CONFIG_FILE).is_file() {
            let shown = if shown.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                shown
            };
            return Ok((dir.to_path_buf(), shown));
        }
        shown.push("..");
    }
    Err(ApiError::new(
        ErrorCode::WorkspaceNotFound,
        format!(
            "no `mandate.toml` in `{}` or any folder above it",
            cwd.display()
        ),
        Some("pass `--workspace DIR`, or create a workspace with `mandate init DIR`"),
    ))
}
