//! `mandate bundle build|sign|approve|verify|publish|list|show|diff|export` and
//! `mandate keys generate|list|trust`.

use std::io::Write;

use mandate::api::dto::{
    BuildRequest, BundleView, Gate, SignatureCheck, TrustKeyRequest, VerifyReport,
};
use mandate::api::{self, ApiResult};

use super::agents::{wrong_format, Ctx};
use super::io_error;
use crate::args::{BundleCommand, Format, KeysCommand};
use crate::output::{self, sanitize};
use crate::ExitCode;

fn short(hash: &str) -> String {
    hash.get(..19)
        .map_or_else(|| hash.to_owned(), |h| format!("{h}…"))
}

pub fn run(ctx: &mut Ctx<'_>, command: &BundleCommand) -> ApiResult<ExitCode> {
    match command {
        BundleCommand::Build {
            version,
            summary,
            out,
            key,
            set,
            no_sign,
            accept_coverage_drop,
            accept_more_permissive,
        } => {
            let req = BuildRequest {
                version: version.clone(),
                summary: summary.clone(),
                out: out.as_ref().map(|p| p.display().to_string()),
                key: key.clone(),
                set: set.clone(),
                sign: !no_sign,
                accept_coverage_drop: accept_coverage_drop.clone(),
                accept_more_permissive: accept_more_permissive.clone(),
            };
            let view = ctx.session.bundle_build(&req, &ctx.actor)?;
            let gates = ctx.session.bundle_gates(std::path::Path::new(&view.path))?;
            if ctx.format == Format::Json {
                output::json(
                    &serde_json::json!({"bundle": view, "gates": gates}),
                    ctx.out,
                )
                .map_err(io_error)?;
            } else {
                show(&view, ctx.out).map_err(io_error)?;
                writeln!(
                    ctx.out,
                    "\ngates (as `bundle publish` would check them now):"
                )
                .map_err(io_error)?;
                gate_lines(&gates.gates, ctx.out).map_err(io_error)?;
                writeln!(
                    ctx.out,
                    "\nnext: another trusted key holder runs `mandate bundle approve {}`, then `mandate bundle publish {}`",
                    sanitize(&view.path),
                    sanitize(&view.path)
                )
                .map_err(io_error)?;
            }
            Ok(ExitCode::Ok)
        }
        BundleCommand::Sign { path, key } => {
            let view = ctx.session.bundle_sign(path, key.as_deref(), &ctx.actor)?;
            emit(ctx, &view, "signed as author")
        }
        BundleCommand::Approve { path, key, comment } => {
            let view = ctx
                .session
                .bundle_approve(path, key.as_deref(), comment, &ctx.actor)?;
            emit(ctx, &view, "approved")
        }
        BundleCommand::Show { path } => {
            let path = ctx.session.resolve_bundle(path)?;
            let view = ctx.session.bundle_view(&path)?;
            if ctx.format == Format::Json {
                output::json(&view, ctx.out).map_err(io_error)?;
            } else {
                show(&view, ctx.out).map_err(io_error)?;
            }
            Ok(ExitCode::Ok)
        }
        BundleCommand::Verify {
            path,
            require_approved,
        } => {
            let path = ctx.session.resolve_bundle(path)?;
            let report = ctx.session.bundle_verify(&path, *require_approved)?;
            if ctx.format == Format::Json {
                output::json(&report, ctx.out).map_err(io_error)?;
            } else {
                verify_lines(&report, ctx.out).map_err(io_error)?;
            }
            Ok(if report.ok {
                ExitCode::Ok
            } else {
                ExitCode::Findings
            })
        }
        BundleCommand::Publish { path, to, dry_run } => {
            if *dry_run {
                let report = ctx.session.bundle_gates(path)?;
                if ctx.format == Format::Json {
                    output::json(&report, ctx.out).map_err(io_error)?;
                } else {
                    writeln!(
                        ctx.out,
                        "gates for {} ({}):",
                        report.version,
                        short(&report.hash)
                    )
                    .map_err(io_error)?;
                    gate_lines(&report.gates, ctx.out).map_err(io_error)?;
                }
                return Ok(if report.passed {
                    ExitCode::Ok
                } else {
                    ExitCode::Findings
                });
            }
            let published = match ctx.session.bundle_publish(path, to.as_deref(), &ctx.actor) {
                Ok(p) => p,
                Err(e) if e.code == mandate::ErrorCode::GateFailed => {
                    // Every gate, then the refusal.
                    if let Ok(report) = ctx.session.bundle_gates(path) {
                        if ctx.format == Format::Json {
                            output::json(&report, ctx.out).map_err(io_error)?;
                        } else {
                            gate_lines(&report.gates, ctx.out).map_err(io_error)?;
                            writeln!(
                                ctx.out,
                                "not published: {} gate(s) failed",
                                report.gates.iter().filter(|g| !g.passed).count()
                            )
                            .map_err(io_error)?;
                        }
                        return Ok(ExitCode::Findings);
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            if ctx.format == Format::Json {
                output::json(&published, ctx.out).map_err(io_error)?;
            } else {
                gate_lines(&published.gates, ctx.out).map_err(io_error)?;
                writeln!(
                    ctx.out,
                    "published {} ({}) into {}{}\nnext: commit {} so every clone agrees on what is published",
                    published.version,
                    short(&published.hash),
                    published.path,
                    published
                        .copied_to
                        .as_deref()
                        .map(|c| format!("; copied to {}", sanitize(c)))
                        .unwrap_or_default(),
                    published.path
                )
                .map_err(io_error)?;
            }
            Ok(ExitCode::Ok)
        }
        BundleCommand::List => {
            let list = ctx.session.bundles()?;
            if ctx.format == Format::Json {
                output::json(&list, ctx.out).map_err(io_error)?;
            } else if list.is_empty() {
                writeln!(ctx.out, "no bundle published yet (`mandate bundle build`, then `mandate bundle publish`)").map_err(io_error)?;
            } else {
                for b in &list {
                    writeln!(
                        ctx.out,
                        "{:<10} {}  {}  by {}  approvals {}/{}  {}{}",
                        b.version,
                        short(&b.hash),
                        sanitize(&b.created_at),
                        sanitize(&b.author),
                        b.approvals,
                        b.required_approvals,
                        if b.verified {
                            "verified"
                        } else {
                            "FAILS VERIFICATION"
                        },
                        if b.summary.is_empty() {
                            String::new()
                        } else {
                            format!("  — {}", sanitize(&b.summary))
                        }
                    )
                    .map_err(io_error)?;
                    for p in &b.problems {
                        writeln!(ctx.out, "           ✗ {}", sanitize(p)).map_err(io_error)?;
                    }
                }
            }
            Ok(if list.iter().all(|b| b.verified) {
                ExitCode::Ok
            } else {
                ExitCode::Findings
            })
        }
        BundleCommand::Diff { from, to } => {
            let diff = ctx.session.bundle_diff(from, to)?;
            if ctx.format == Format::Json {
                output::json(&diff, ctx.out).map_err(io_error)?;
            } else {
                writeln!(
                    ctx.out,
                    "{} → {}: {} changed, {} unchanged",
                    sanitize(from),
                    sanitize(to),
                    diff.policies.len(),
                    diff.unchanged
                )
                .map_err(io_error)?;
                for c in &diff.policies {
                    writeln!(ctx.out, "\n{} {}", c.change, sanitize(&c.id)).map_err(io_error)?;
                    for line in &c.lines {
                        writeln!(ctx.out, "{} {}", line.kind, sanitize(&line.text))
                            .map_err(io_error)?;
                    }
                }
                let version = |s: &str| {
                    s.split('.').count() == 3 && s.chars().all(|c| c.is_ascii_digit() || c == '.')
                };
                if version(from) && version(to) {
                    writeln!(ctx.out, "\ndecisions: `mandate simulate --set SET --baseline @bundle:{from} --candidate @bundle:{to}`").map_err(io_error)?;
                }
            }
            Ok(ExitCode::Ok)
        }
        BundleCommand::Export { path, out } => {
            let format = match ctx.format {
                Format::Cedarling => "cedarling",
                Format::Avp => "avp",
                Format::CedarDir => "cedar-dir",
                _ => return Err(wrong_format("bundle export", "cedarling, avp or cedar-dir")),
            };
            let spec = match path {
                Some(p) => p.clone(),
                None => ctx
                    .session
                    .bundles()?
                    .first()
                    .map(|b| b.version.clone())
                    .ok_or_else(|| {
                        api::ApiError::new(
                            mandate::ErrorCode::NotFound,
                            "no bundle is published yet",
                            Some("give a bundle path, or publish one first"),
                        )
                    })?,
            };
            let written = ctx.session.bundle_export(&spec, format, out)?;
            writeln!(ctx.out, "wrote {} ({format})", sanitize(&written)).map_err(io_error)?;
            Ok(ExitCode::Ok)
        }
    }
}

fn emit(ctx: &mut Ctx<'_>, view: &BundleView, what: &str) -> ApiResult<ExitCode> {
    if ctx.format == Format::Json {
        output::json(view, ctx.out).map_err(io_error)?;
    } else {
        writeln!(
            ctx.out,
            "{what}: {} {} ({})",
            sanitize(&view.manifest.name),
            view.manifest.version,
            short(&view.hash)
        )
        .map_err(io_error)?;
        let required = view.scope.as_ref().map_or(1, |s| s.required_approvals);
        writeln!(
            ctx.out,
            "approvals: {} of {required} required",
            view.verification.valid_approvals
        )
        .map_err(io_error)?;
    }
    Ok(ExitCode::Ok)
}

fn show(v: &BundleView, out: &mut dyn Write) -> std::io::Result<()> {
    let m = &v.manifest;
    writeln!(out, "{} {}  {}", sanitize(&m.name), m.version, v.hash)?;
    writeln!(out, "  path      {}", sanitize(&v.path))?;
    writeln!(
        out,
        "  author    {} ({})",
        sanitize(&m.author.name),
        short(&m.author.key)
    )?;
    writeln!(out, "  created   {}", sanitize(&m.created_at))?;
    writeln!(
        out,
        "  parent    {}",
        m.parent
            .as_deref()
            .map_or("none (the first bundle)".into(), short)
    )?;
    writeln!(
        out,
        "  cedar     {}  namespace {}",
        sanitize(&m.cedar_language_version),
        sanitize(&m.namespace)
    )?;
    writeln!(out, "  files     {}", m.files.len())?;
    if !m.summary.is_empty() {
        writeln!(out, "  summary   {}", sanitize(&m.summary))?;
    }
    let sig = match &v.verification.author {
        None => "not signed".to_owned(),
        Some(a) if a.valid => format!("signed by {} at {}", sanitize(&a.signer), a.at),
        Some(a) => format!("INVALID: {}", sanitize(a.problem.as_deref().unwrap_or(""))),
    };
    writeln!(out, "  signature {sig}")?;
    if let Some(s) = &v.scope {
        writeln!(
            out,
            "  approvals {} of {} required ({}: {})",
            v.verification.valid_approvals,
            s.required_approvals,
            s.highest_tier,
            sanitize(&s.reason)
        )?;
    }
    for a in &v.verification.approvals {
        approval_line(a, out)?;
    }
    if let Some(val) = &v.validation {
        writeln!(
            out,
            "  evidence  validation: {} statement(s), {} error(s), {} warning(s), {} fail-open",
            val.statements,
            val.errors,
            val.warnings,
            val.fail_open.len()
        )?;
    }
    if let Some(r) = &v.replay {
        match (&r.set, &r.summary) {
            (Some(set), Some(s)) => writeln!(out, "            replay of `{}` against {}: {} request(s), {} changed, {} candidate error(s), {} agent(s) touched", sanitize(set), sanitize(&r.baseline), s.requests, s.changed, r.candidate_errors, r.touched.len())?,
            _ => writeln!(out, "            replay: no recorded traffic")?,
        }
    }
    if let Some(c) = &v.coverage {
        let parts: Vec<String> = c
            .frameworks
            .iter()
            .map(|f| format!("{} {:.0}%", f.framework, f.percent))
            .collect();
        writeln!(out, "            coverage: {}", parts.join(", "))?;
    }
    match &v.review {
        Some(r) => writeln!(
            out,
            "            review `{}`: {} by {} at {}",
            sanitize(&r.name),
            r.verdict,
            sanitize(&r.by),
            r.at
        )?,
        None => writeln!(out, "            review: none approves these policies yet")?,
    }
    problem_lines(&v.path, &v.verification.integrity, out)
}

/// One `✗ FILE: message` line per problem, each file named inside the bundle at `path`
/// (`ARCHIVE!/entry`, `FOLDER/entry`).
fn problem_lines(
    path: &str,
    problems: &[api::dto::BundleProblem],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let at = std::path::Path::new(path);
    for p in problems {
        writeln!(
            out,
            "  ✗ {}: {}",
            sanitize(&api::bundle_entry_shown(at, &p.file)),
            sanitize(&p.message)
        )?;
    }
    Ok(())
}

/// One approval as checked: `✓ who at T — comment`, or `✗ who: why it is invalid or does
/// not count`.
fn approval_line(a: &SignatureCheck, out: &mut dyn Write) -> std::io::Result<()> {
    match &a.problem {
        None => writeln!(
            out,
            "    ✓ {} at {}{}",
            sanitize(&a.signer),
            a.at,
            if a.comment.is_empty() {
                String::new()
            } else {
                format!(" — {}", sanitize(&a.comment))
            }
        ),
        Some(p) => writeln!(
            out,
            "    ✗ {}: {}",
            sanitize(&if a.signer.is_empty() {
                api::short_key_id(&a.key)
            } else {
                a.signer.clone()
            }),
            sanitize(p)
        ),
    }
}

fn gate_lines(gates: &[Gate], out: &mut dyn Write) -> std::io::Result<()> {
    for g in gates {
        let mark = match (g.passed, g.skipped) {
            (_, true) => "–",
            (true, false) => "✓",
            (false, false) => "✗",
        };
        writeln!(out, "  {mark} {:<48} {}", g.title, sanitize(&g.detail))?;
    }
    Ok(())
}

fn verify_lines(r: &VerifyReport, out: &mut dyn Write) -> std::io::Result<()> {
    let v = &r.verification;
    if let Some(m) = &v.manifest {
        writeln!(
            out,
            "{} {} ({})",
            sanitize(&m.name),
            m.version,
            v.hash.as_deref().unwrap_or("")
        )?;
    }
    writeln!(
        out,
        "  integrity  {}",
        if v.integrity.is_empty() {
            "every file matches the manifest".to_owned()
        } else {
            format!("{} problem(s)", v.integrity.len())
        }
    )?;
    let sig = match &v.author {
        None => "missing".to_owned(),
        Some(a) if a.valid => format!("valid ({})", sanitize(&a.signer)),
        Some(a) => format!("INVALID: {}", sanitize(a.problem.as_deref().unwrap_or(""))),
    };
    writeln!(out, "  signature  {sig}")?;
    writeln!(
        out,
        "  approvals  {} valid of {} required{}",
        v.valid_approvals,
        r.required_approvals.map_or("?".into(), |n| n.to_string()),
        if r.approved {
            ""
        } else {
            " (not yet approved)"
        }
    )?;
    for a in &v.approvals {
        approval_line(a, out)?;
    }
    writeln!(out, "  chain      {}", sanitize(&r.chain_detail))?;
    problem_lines(&r.path, &r.problems, out)?;
    writeln!(
        out,
        "{}",
        if r.ok {
            "verified"
        } else {
            "verification FAILED"
        }
    )
}

/// Prints a key `mandate keys generate` made (in a workspace or outside any).
pub fn generated(key: &api::dto::LocalKey, format: Format, out: &mut dyn Write) -> ApiResult<()> {
    if format == Format::Json {
        output::json(key, out).map_err(io_error)
    } else {
        writeln!(
            out,
            "generated {} for {}\n  id   {}\n  path {} (mode 0600; never commit it)\nnext: `mandate keys trust {}` (your workspace's first key), or send the id to a trusted key holder",
            sanitize(&key.name), sanitize(&key.owner), key.id, sanitize(&key.path), key.id
        )
        .map_err(io_error)
    }
}

pub fn keys(ctx: &mut Ctx<'_>, command: &KeysCommand) -> ApiResult<ExitCode> {
    match command {
        KeysCommand::Generate { owner, name } => {
            let key = ctx.session.generate_key(owner, name.as_deref())?;
            generated(&key, ctx.format, ctx.out)?;
        }
        KeysCommand::List => {
            let view = ctx.session.keys()?;
            if ctx.format == Format::Json {
                output::json(&view, ctx.out).map_err(io_error)?;
            } else {
                writeln!(ctx.out, "this machine ({}):", sanitize(&view.keys_dir))
                    .map_err(io_error)?;
                if view.local.is_empty() {
                    writeln!(ctx.out, "  none (`mandate keys generate --owner YOU`)")
                        .map_err(io_error)?;
                }
                for k in &view.local {
                    writeln!(
                        ctx.out,
                        "  {:<24} {}  {}",
                        sanitize(&k.name),
                        k.id,
                        sanitize(&k.owner)
                    )
                    .map_err(io_error)?;
                }
                writeln!(ctx.out, "workspace:").map_err(io_error)?;
                if view.keys.is_empty() {
                    writeln!(
                        ctx.out,
                        "  no trusted key (`mandate keys trust ID` trusts your own as the first)"
                    )
                    .map_err(io_error)?;
                }
                for k in &view.keys {
                    let status = match k.status {
                        api::dto::KeyTrust::First => "first key".to_owned(),
                        api::dto::KeyTrust::Trusted => {
                            format!("trusted ({} of {})", k.approvals.len(), k.needed)
                        }
                        api::dto::KeyTrust::RemovalPending => format!(
                            "trusted; removal pending ({} of {})",
                            k.approvals.len(),
                            k.needed
                        ),
                        api::dto::KeyTrust::Pending => {
                            format!("pending ({} of {} approvals)", k.approvals.len(), k.needed)
                        }
                        api::dto::KeyTrust::Unapproved => {
                            "LISTED WITHOUT APPROVALS: not trusted".to_owned()
                        }
                    };
                    writeln!(
                        ctx.out,
                        "  {}  {:<28} {}{}",
                        k.short_id,
                        sanitize(&k.owner),
                        status,
                        if k.local { "  (on this machine)" } else { "" }
                    )
                    .map_err(io_error)?;
                }
                for d in &view.problems {
                    writeln!(ctx.out, "{}", output::diagnostic_line(d, ctx.shown, false))
                        .map_err(io_error)?;
                }
            }
            if !view.problems.is_empty() {
                return Ok(ExitCode::Findings);
            }
        }
        KeysCommand::Trust {
            key,
            owner,
            remove,
            signer,
            comment,
        } => {
            let outcome = ctx.session.trust_key(
                &TrustKeyRequest {
                    key: key.clone(),
                    owner: owner.clone(),
                    remove: *remove,
                    signer: signer.clone(),
                    comment: comment.clone(),
                },
                &ctx.actor,
            )?;
            if ctx.format == Format::Json {
                output::json(&outcome, ctx.out).map_err(io_error)?;
            } else {
                writeln!(
                    ctx.out,
                    "{} ({}): {}",
                    sanitize(&outcome.owner),
                    key,
                    sanitize(&outcome.message)
                )
                .map_err(io_error)?;
            }
        }
    }
    Ok(ExitCode::Ok)
}
