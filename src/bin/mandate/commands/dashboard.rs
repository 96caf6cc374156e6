//! `mandate dashboard`: the app's Dashboard cards that the core summarises — traffic
//! insights, framework coverage, the last replay, open reviews and bundles awaiting
//! approval, the last published bundle — in the terminal or as JSON.

use std::fmt::Write as _;

use mandate::api::dto::{
    ApiError, DashboardBundle, DashboardCoverage, DashboardReplay, DashboardReviews,
    DashboardTraffic,
};
use mandate::api::{ApiResult, Session};
use serde::Serialize;

use super::agents::{wrong_format, Ctx};
use super::{emit, io_error};
use crate::args::{CardArg, Format};
use crate::output::{self, terminal};
use crate::ExitCode;

/// One card: its summary, or why it could not be computed.
#[derive(Serialize)]
#[serde(untagged)]
enum Card<T> {
    Ok(T),
    Failed { error: ApiError },
}

impl<T> Card<T> {
    fn of(r: ApiResult<T>) -> Self {
        match r {
            Ok(v) => Self::Ok(v),
            Err(error) => Self::Failed { error },
        }
    }

    fn failed(&self) -> bool {
        matches!(self, Self::Failed { .. })
    }
}

/// The cards asked for (every one without `--card`), in the Dashboard's order.
#[derive(Serialize, Default)]
struct Cards {
    #[serde(skip_serializing_if = "Option::is_none")]
    traffic: Option<Card<DashboardTraffic>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<Card<DashboardCoverage>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay: Option<Card<DashboardReplay>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reviews: Option<Card<DashboardReviews>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<Card<DashboardBundle>>,
}

impl Cards {
    fn compute(s: &Session, only: Option<CardArg>) -> Self {
        let want = |c: CardArg| only.is_none_or(|o| o == c);
        Self {
            traffic: want(CardArg::Traffic).then(|| Card::of(s.dashboard_traffic())),
            coverage: want(CardArg::Coverage).then(|| Card::of(s.dashboard_coverage())),
            replay: want(CardArg::Replay).then(|| Card::of(s.dashboard_replay())),
            reviews: want(CardArg::Reviews).then(|| Card::of(s.dashboard_reviews())),
            bundle: want(CardArg::Bundle).then(|| Card::of(s.dashboard_bundle())),
        }
    }

    fn any_failed(&self) -> bool {
        self.traffic.as_ref().is_some_and(Card::failed)
            || self.coverage.as_ref().is_some_and(Card::failed)
            || self.replay.as_ref().is_some_and(Card::failed)
            || self.reviews.as_ref().is_some_and(Card::failed)
            || self.bundle.as_ref().is_some_and(Card::failed)
    }
}

pub fn run(ctx: &mut Ctx<'_>, card: Option<CardArg>) -> ApiResult<ExitCode> {
    if !matches!(ctx.format, Format::Human | Format::Json) {
        return Err(wrong_format("dashboard", "human or json"));
    }
    let cards = Cards::compute(&ctx.session, card);
    let text = match ctx.format {
        Format::Json => {
            let mut buf = Vec::new();
            output::json(&cards, &mut buf).map_err(io_error)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        _ => terminal(&human(&cards)),
    };
    emit(&text, None, ctx.out)?;
    Ok(if cards.any_failed() {
        ExitCode::Error
    } else {
        ExitCode::Ok
    })
}

fn section<T>(
    out: &mut String,
    title: &str,
    card: Option<&Card<T>>,
    body: impl Fn(&mut String, &T),
) {
    let Some(card) = card else { return };
    let _ = writeln!(out, "{title}");
    match card {
        Card::Ok(v) => body(out, v),
        Card::Failed { error } => {
            let _ = writeln!(out, "  error: {}", error.message);
            if let Some(help) = &error.help {
                let _ = writeln!(out, "  help: {help}");
            }
        }
    }
    out.push('\n');
}

fn human(c: &Cards) -> String {
    let mut out = String::new();
    section(&mut out, "Traffic insights", c.traffic.as_ref(), |o, t| {
        let Some(set) = &t.set else {
            let _ = writeln!(
                o,
                "  no traffic imported yet: `mandate requests import FILE --set NAME`"
            );
            return;
        };
        let _ = writeln!(
            o,
            "  {} findings in set `{set}`: {} requests by {} agents, {} denied",
            t.findings, t.requests, t.agents, t.denies
        );
        let levels: Vec<String> = t
            .by_level
            .iter()
            .map(|l| format!("{} {}", l.findings, l.level.as_str()))
            .collect();
        let _ = writeln!(o, "  {}", levels.join(", "));
        for f in &t.top {
            let _ = writeln!(o, "  {} × {} ({})", f.code, f.findings, f.level.as_str());
        }
    });
    section(
        &mut out,
        "Framework coverage",
        c.coverage.as_ref(),
        |o, cov| {
            for f in &cov.frameworks {
                let _ = writeln!(
                    o,
                    "  {:>5.1}%  {} ({} of {} applicable items)",
                    f.percent, f.short_title, f.implemented, f.applicable
                );
            }
            let _ = writeln!(o, "  {} gaps (`mandate coverage`)", cov.gaps);
        },
    );
    section(
        &mut out,
        "Last replay",
        c.replay.as_ref(),
        |o, r| match &r.run {
            Some(run) => {
                let _ = writeln!(
                o,
                "  run {}: {} of {} decisions changed ({} allow→deny, {} deny→allow), {} → {} on `{}`, {} by {}",
                run.id,
                run.changed,
                run.requests,
                run.allow_to_deny,
                run.deny_to_allow,
                run.baseline,
                run.candidate,
                run.set,
                run.completed_at.as_deref().unwrap_or(&run.started_at),
                run.actor
            );
            }
            None if !r.has_traffic => {
                let _ = writeln!(o, "  no traffic imported yet");
            }
            None => {
                let _ = writeln!(o, "  no replay yet: `mandate simulate --set NAME`");
            }
        },
    );
    section(
        &mut out,
        "Reviews and approvals",
        c.reviews.as_ref(),
        |o, r| {
            if r.open.is_empty() && r.awaiting.is_empty() {
                let _ = writeln!(o, "  nothing waiting");
            }
            for rv in &r.open {
                let _ = writeln!(
                    o,
                    "  review {} (run {}): {} groups to acknowledge{}",
                    rv.name,
                    rv.run_id,
                    rv.unacknowledged,
                    if rv.stale { ", stale" } else { "" }
                );
            }
            for b in &r.awaiting {
                let _ = writeln!(
                    o,
                    "  bundle {} ({}): {} of {} approvals{}",
                    b.version,
                    b.path,
                    b.approvals,
                    b.required,
                    if b.signed { "" } else { ", not signed" }
                );
            }
            for p in &r.problems {
                let _ = writeln!(o, "  problem: {p}");
            }
        },
    );
    section(
        &mut out,
        "Last published bundle",
        c.bundle.as_ref(),
        |o, b| match &b.last {
            Some(last) => {
                let _ = writeln!(
                    o,
                    "  {} ({}), published {} by {}, {} of {} approvals; {} published",
                    last.version,
                    if last.verified {
                        "verified"
                    } else {
                        "does not verify"
                    },
                    last.published_at.as_deref().unwrap_or(&last.created_at),
                    last.published_by.as_deref().unwrap_or(&last.author),
                    last.approvals,
                    last.required_approvals,
                    b.published
                );
                for p in &last.problems {
                    let _ = writeln!(o, "  problem: {p}");
                }
            }
            None => {
                let _ = writeln!(o, "  none published yet: `mandate bundle build`");
            }
        },
    );
    out
}
