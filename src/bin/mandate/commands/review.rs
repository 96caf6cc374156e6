//! `mandate review open|list|show|ack|verdict`.

use std::io::Write;

use mandate::api::dto::Review;
use mandate::api::{AckTarget, ApiResult, ReplayHooks, ReplayOptions};

use super::agents::Ctx;
use super::io_error;
use crate::args::{Format, ReviewCommand};
use crate::output;
use crate::ExitCode;

pub fn run(ctx: &mut Ctx<'_>, command: &ReviewCommand) -> ApiResult<ExitCode> {
    let review = match command {
        ReviewCommand::Open {
            set,
            run,
            baseline,
            candidate,
            since,
            until,
            name,
        } => {
            let run_id = match (run, set) {
                (Some(id), _) => *id,
                (None, Some(set)) => {
                    let opts = ReplayOptions {
                        set: set.clone(),
                        baseline: baseline.clone(),
                        candidate: candidate.clone(),
                        since: since.clone(),
                        until: until.clone(),
                    };
                    let mut bar = output::Progress::items("replaying");
                    let mut progress =
                        |p: mandate::api::dto::ReplayProgress| bar.update(p.done, p.total);
                    let run = ctx.session.replay_set(
                        &opts,
                        &ctx.actor,
                        ReplayHooks {
                            progress: Some(&mut progress),
                            ..ReplayHooks::default()
                        },
                    );
                    bar.finish();
                    run?.id
                }
                (None, None) => unreachable!("clap requires --set or --run"),
            };
            ctx.session
                .open_review(run_id, name.as_deref(), &ctx.actor)?
        }
        ReviewCommand::List => {
            let reviews = ctx.session.reviews()?;
            match ctx.format {
                Format::Json => output::json(&reviews, ctx.out).map_err(io_error)?,
                _ => list(&reviews, ctx.out).map_err(io_error)?,
            }
            return Ok(ExitCode::Ok);
        }
        ReviewCommand::Show { name } => ctx.session.review(name)?,
        ReviewCommand::Ack {
            name,
            group,
            request,
            all,
            comment,
        } => {
            let target = AckTarget {
                groups: group.clone(),
                requests: request.clone(),
                all: *all,
            };
            ctx.session.ack_review(name, &target, comment, &ctx.actor)?
        }
        ReviewCommand::Verdict {
            name,
            verdict,
            comment,
        } => ctx
            .session
            .review_verdict(name, verdict, comment, &ctx.actor)?,
    };
    match ctx.format {
        Format::Json => output::json(&review, ctx.out).map_err(io_error)?,
        _ => show(&review, ctx.out).map_err(io_error)?,
    }
    Ok(ExitCode::Ok)
}

fn status(r: &Review) -> String {
    let verdict = r.verdict.as_ref().map_or("no verdict".to_owned(), |v| {
        format!("{} by {}", v.verdict.as_str(), output::sanitize(&v.by))
    });
    let stale = if r.stale {
        ", STALE: the candidate changed since"
    } else {
        ""
    };
    format!(
        "{} group(s), {} unacknowledged; {verdict}{stale}",
        r.record.changes.len(),
        r.unacknowledged
    )
}

fn list(reviews: &[Review], out: &mut dyn Write) -> std::io::Result<()> {
    if reviews.is_empty() {
        return writeln!(
            out,
            "no reviews; `mandate review open --set NAME` starts one"
        );
    }
    for r in reviews {
        writeln!(
            out,
            "{:<32} set {}, {} changed: {}",
            output::sanitize(&r.name),
            output::sanitize(&r.record.set),
            r.record.changed,
            status(r)
        )?;
    }
    Ok(())
}

fn show(r: &Review, out: &mut dyn Write) -> std::io::Result<()> {
    let f = &r.record;
    writeln!(out, "review {} ({})", output::sanitize(&r.name), r.path)?;
    writeln!(
        out,
        "  set {}: {} requests, {} changed; baseline {} → candidate {}",
        output::sanitize(&f.set),
        f.requests,
        f.changed,
        output::sanitize(&f.baseline),
        output::sanitize(&f.candidate)
    )?;
    writeln!(
        out,
        "  run {} ({}), opened by {} at {}",
        f.run_id,
        f.digest,
        output::sanitize(&f.opened_by),
        f.opened_at
    )?;
    writeln!(out, "  {}", status(r))?;
    for c in &f.changes {
        let mark = if c.ack.is_some() { "✓" } else { "·" };
        writeln!(out, "  {mark} {:>6}  {}", c.count, output::sanitize(&c.key))?;
        writeln!(
            out,
            "           e.g. {}",
            output::sanitize(&c.examples.join(", "))
        )?;
        if let Some(a) = &c.ack {
            writeln!(
                out,
                "           acknowledged by {} at {}: {}",
                output::sanitize(&a.by),
                a.at,
                output::sanitize(&a.comment)
            )?;
        }
    }
    for v in &f.verdicts {
        writeln!(
            out,
            "  verdict {} by {} at {}{}",
            v.verdict.as_str(),
            output::sanitize(&v.by),
            v.at,
            if v.comment.is_empty() {
                String::new()
            } else {
                format!(": {}", output::sanitize(&v.comment))
            }
        )?;
    }
    Ok(())
}
