//! `mandate insights` and `mandate insights task ID`.

use std::fmt::Write as _;
use std::path::Path;

use mandate::api::dto::{InsightsQuery, Level, TaskTimeline};
use mandate::api::{self, ApiResult};

use super::agents::{wrong_format, Ctx};
use super::{emit, io_error};
use crate::args::{Format, InsightsCommand, LevelArg};
use crate::output::{self, terminal};
use crate::ExitCode;

pub struct Args<'a> {
    pub command: Option<&'a InsightsCommand>,
    pub set: Option<&'a str>,
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub fail_on: Option<LevelArg>,
    pub out: Option<&'a Path>,
}

pub fn run(ctx: &mut Ctx<'_>, args: &Args<'_>) -> ApiResult<ExitCode> {
    if let Some(InsightsCommand::Task { id, set }) = args.command {
        let set = set.as_deref().or(args.set);
        let timeline = ctx.session.task_timeline(set, id)?;
        return task(ctx, &timeline, args.out);
    }
    let report = ctx.session.insights(&InsightsQuery {
        set: args.set.map(str::to_owned),
        since: args.since.map(str::to_owned),
        until: args.until.map(str::to_owned),
    })?;
    let text = match ctx.format {
        Format::Human => terminal(&api::insights_text(&report)),
        Format::Json => {
            let mut buf = Vec::new();
            output::json(&*report, &mut buf).map_err(io_error)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Csv => api::insights_csv(&report)?,
        Format::Html => api::insights_html(&report),
        Format::Cedar
        | Format::Jsonl
        | Format::Oscal
        | Format::Md
        | Format::Cedarling
        | Format::Avp
        | Format::CedarDir => return Err(wrong_format("insights", "human, json, csv or html")),
    };
    emit(&text, args.out, ctx.out)?;
    let level = args.fail_on.map(|l| match l {
        LevelArg::Low => Level::Low,
        LevelArg::Medium => Level::Medium,
        LevelArg::High => Level::High,
        LevelArg::Critical => Level::Critical,
    });
    Ok(match level {
        Some(l) if report.has_level(l) => ExitCode::Findings,
        _ => ExitCode::Ok,
    })
}

fn task(ctx: &mut Ctx<'_>, t: &TaskTimeline, out: Option<&Path>) -> ApiResult<ExitCode> {
    let text = match ctx.format {
        Format::Json => {
            let mut buf = Vec::new();
            output::json(t, &mut buf).map_err(io_error)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Human => terminal(&task_text(t)),
        _ => return Err(wrong_format("insights task", "human or json")),
    };
    emit(&text, out, ctx.out)?;
    Ok(ExitCode::Ok)
}

fn task_text(t: &TaskTimeline) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "task `{}` in set `{}`: {} request(s) by {}",
        t.task,
        t.set,
        t.steps.len(),
        t.agents.join(", ")
    );
    if !t.hops.is_empty() {
        let _ = writeln!(s, "delegation: {}", t.hops.join(", "));
    }
    if !t.systems.is_empty() {
        let _ = writeln!(s, "systems: {}", t.systems.join(", "));
    }
    if !t.environments.is_empty() {
        let _ = writeln!(s, "environments: {}", t.environments.join(", "));
    }
    let _ = writeln!(s);
    for (i, step) in t.steps.iter().enumerate() {
        let recorded = match &step.recorded {
            Some(d) if step.recorded_reasons.is_empty() => d.clone(),
            Some(d) => format!("{d} ({})", step.recorded_reasons.join(", ")),
            None => "not recorded".into(),
        };
        let current = match (&step.current, &step.current_error) {
            (Some(d), _) if step.current_reasons.is_empty() => d.clone(),
            (Some(d), _) => format!("{d} ({})", step.current_reasons.join(", ")),
            (None, Some(e)) => format!("cannot evaluate: {e}"),
            (None, None) => "–".into(),
        };
        let mut facts = Vec::new();
        if let Some(sys) = &step.system {
            facts.push(format!("system {sys}"));
        }
        if let Some(env) = &step.environment {
            facts.push(format!("env {env}"));
        }
        if let Some(sens) = &step.sensitivity {
            facts.push(format!("sensitivity {sens}"));
        }
        if let Some(d) = step.delegation_depth {
            facts.push(format!("depth {d}"));
        }
        if let Some(h) = &step.on_behalf_of {
            facts.push(format!("for {h}"));
        }
        let _ = writeln!(
            s,
            "{:>3}. {}  {} {} {} `{}`  [{}]",
            i + 1,
            step.time.as_deref().unwrap_or("(no time)"),
            step.agent,
            step.action,
            step.resource_type.rsplit("::").next().unwrap_or(""),
            step.resource,
            step.id
        );
        if !facts.is_empty() {
            let _ = writeln!(s, "     {}", facts.join(", "));
        }
        let _ = writeln!(s, "     recorded: {recorded}; now: {current}");
    }
    if !t.findings.is_empty() {
        let _ = writeln!(s);
        for f in &t.findings {
            let _ = writeln!(s, "{:<8} {}  {}", f.level.as_str(), f.code, f.title);
        }
    }
    s
}
