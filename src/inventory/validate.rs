//! Field rules the TOML types cannot express: slugs, SPIFFE IDs, OIDC pairs, emails.

use crate::diagnostics::{Diagnostic, Severity};

use super::{find_key, Agent};

/// The actions of the generated schema, which `step_up_actions` may name.
pub const ACTIONS: [&str; 6] = [
    "invoke_tool",
    "read_data",
    "write_data",
    "invoke_model",
    "delegate",
    "request_credential",
];

/// `[a-z0-9][a-z0-9-]*`, at most 63 characters: safe as a file name and a Cedar id.
pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 63
        && matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks a SPIFFE ID (`spiffe://trust-domain/path`) as the SPIFFE standard defines it:
/// lowercase trust domain of `[a-z0-9._-]`, path segments of `[A-Za-z0-9._-]`, no empty,
/// `.` or `..` segment, no trailing `/`, no query or fragment. `Err` says what is wrong.
pub fn validate_spiffe_id(s: &str) -> Result<(), String> {
    let rest = s
        .strip_prefix("spiffe://")
        .ok_or("must start with `spiffe://`")?;
    let (domain, path) = rest.split_once('/').unwrap_or((rest, ""));
    if domain.is_empty() {
        return Err("the trust domain is empty".into());
    }
    if let Some(c) = domain
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')))
    {
        return Err(format!(
            "the trust domain may hold only lowercase letters, digits, `.`, `-` and `_`, not `{c}`"
        ));
    }
    if path.is_empty() {
        return Err("a workload SPIFFE ID needs a path after the trust domain".into());
    }
    for segment in path.split('/') {
        if segment.is_empty() {
            return Err("the path has an empty segment (`//` or a trailing `/`)".into());
        }
        if segment == "." || segment == ".." {
            return Err("the path may not contain `.` or `..` segments".into());
        }
        if let Some(c) = segment
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        {
            return Err(format!(
                "path segments may hold only letters, digits, `.`, `-` and `_`, not `{c}`"
            ));
        }
    }
    Ok(())
}

/// Every rule an agent breaks, located at the offending key of its file.
pub fn validate_agent(agent: &Agent, file: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |key: &str, message: String, help: &str| {
        let (start, end) = find_key(text, key, 0).unwrap_or((0, 0));
        out.push(
            Diagnostic::at_span(
                file,
                text,
                start,
                end,
                Severity::Error,
                "inventory::invalid",
                message,
                Some(help.to_owned()),
            )
            .with_field(key),
        );
    };
    if !is_slug(&agent.id) {
        bad(
            "id",
            format!("agent id `{}` is not a slug", agent.id),
            "use lowercase letters, digits and `-`, e.g. `billing-bot`",
        );
    }
    let stem = file
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".toml"))
        .unwrap_or("");
    if !stem.is_empty() && stem != agent.id {
        bad(
            "id",
            format!(
                "agent id `{}` does not match its file name `{stem}.toml`",
                agent.id
            ),
            "rename the file or the id; one file per agent, named after its id",
        );
    }
    if agent.name.trim().is_empty() {
        bad(
            "name",
            "agent name is empty".into(),
            "give the agent a human-readable name",
        );
    }
    if let Some(id) = &agent.spiffe_id {
        if let Err(why) = validate_spiffe_id(id) {
            bad(
                "spiffe_id",
                format!("invalid SPIFFE ID `{id}`: {why}"),
                "e.g. `spiffe://acme.example/agents/billing-bot`",
            );
        }
    }
    match (&agent.oidc_issuer, &agent.oidc_subject) {
        (Some(iss), _) if !iss.starts_with("https://") => bad(
            "oidc_issuer",
            format!("OIDC issuer `{iss}` is not an https URL"),
            "use the issuer URL exactly as it appears in tokens, e.g. `https://login.acme.example`",
        ),
        (Some(_), None) => bad(
            "oidc_issuer",
            "`oidc_issuer` without `oidc_subject`".into(),
            "an OIDC identity is issuer + subject",
        ),
        (None, Some(_)) => bad(
            "oidc_subject",
            "`oidc_subject` without `oidc_issuer`".into(),
            "an OIDC identity is issuer + subject",
        ),
        _ => {}
    }
    if agent.max_ttl_seconds == 0 {
        bad(
            "max_ttl_seconds",
            "`max_ttl_seconds` is 0".into(),
            "give the longest credential lifetime in seconds, e.g. 300",
        );
    }
    for action in &agent.step_up_actions {
        if !ACTIONS.contains(&action.as_str()) {
            bad(
                "step_up_actions",
                format!("unknown action `{action}` in `step_up_actions`"),
                &format!("actions are: {}", ACTIONS.join(", ")),
            );
        }
    }
    for (key, list) in [
        ("tools", &agent.tools),
        ("datasets", &agent.datasets),
        ("models", &agent.models),
        ("delegates", &agent.delegates),
    ] {
        let mut seen = std::collections::HashSet::new();
        for item in list {
            if !seen.insert(item) {
                bad(
                    key,
                    format!("`{item}` is listed twice in `{key}`"),
                    "list each grant once",
                );
            }
        }
    }
    if agent.delegates.contains(&agent.id) {
        bad(
            "delegates",
            format!("agent `{}` lists itself as a delegate", agent.id),
            "an agent never delegates to itself",
        );
    }
    if agent.approved_on.is_some() && agent.approved_by.is_none() {
        bad(
            "approved_on",
            "`approved_on` without `approved_by`".into(),
            "record who approved the agent",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spiffe_ids() {
        assert_eq!(
            validate_spiffe_id("spiffe://acme.example/agents/billing-bot"),
            Ok(())
        );
        for bad in [
            "http://acme/x",
            "spiffe://",
            "spiffe://Acme.example/x",
            "spiffe://acme.example",
            "spiffe://acme.example/",
            "spiffe://acme.example/a//b",
            "spiffe://acme.example/a/../b",
            "spiffe://acme.example/a?b",
        ] {
            assert!(validate_spiffe_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("billing-bot"));
        assert!(is_slug("a1"));
        assert!(!is_slug("Billing"));
        assert!(!is_slug("-x"));
        assert!(!is_slug("a_b"));
        assert!(!is_slug(""));
        assert!(!is_slug(&"a".repeat(64)));
    }
}
