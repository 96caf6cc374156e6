//! Formatting Cedar policy files, statement by statement.
//!
//! Cedar's formatter is superlinear in the size of its input, so a file is cut at statement
//! boundaries (each piece keeps the comments before it) and each piece is formatted alone.
//! A file that does not parse is not formatted; its diagnostics say why.

use cedar_policy::PolicySet;
use cedar_policy_formatter::{policies_str_to_pretty, Config};

/// The formatted text, or `None` when the text does not parse (validate it to see why).
pub fn format_text(text: &str) -> Option<String> {
    let parsed: PolicySet = text.parse().ok()?;
    let mut ends: Vec<usize> = Vec::new();
    let mut cursor = 0usize;
    // Statements in source order, found as slices of the text (as `check_sources` does).
    let mut items: Vec<(usize, String)> = parsed
        .policies()
        .map(|p| (p.id().to_string(), p.to_string()))
        .chain(
            parsed
                .templates()
                .map(|t| (t.id().to_string(), t.to_string())),
        )
        .map(|(id, text)| {
            (
                id.strip_prefix("policy")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(usize::MAX),
                text,
            )
        })
        .collect();
    items.sort_by_key(|(i, _)| *i);
    for (_, shown) in &items {
        let start = text
            .get(cursor..)
            .and_then(|rest| rest.find(shown.as_str()))
            .map(|i| cursor + i)?;
        cursor = start + shown.len();
        ends.push(cursor);
    }
    let config = Config {
        line_width: 100,
        indent_width: 2,
    };
    let mut out = String::with_capacity(text.len());
    let mut from = 0usize;
    for end in ends {
        let piece = text.get(from..end)?;
        let formatted = policies_str_to_pretty(piece, &config).ok()?;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(formatted.trim_end());
        out.push('\n');
        from = end;
    }
    // Whatever follows the last statement (a closing comment) is kept as written.
    let rest = text.get(from..).unwrap_or("").trim();
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
        out.push('\n');
    }
    if out.is_empty() {
        return Some(text.to_owned());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_each_statement_keeping_comments_and_annotations() {
        let text = "// header comment\n@id(\"a\")\npermit(principal,action,resource) when {context.x==1};\n// about b\n@id(\"b\") forbid(principal, action, resource);\n// trailing\n";
        let out = format_text(text).unwrap();
        assert!(out.starts_with("// header comment\n@id(\"a\")\npermit (principal, action, resource)\nwhen { context.x == 1 };\n"), "{out}");
        assert!(
            out.contains("// about b\n@id(\"b\")\nforbid (principal, action, resource);\n"),
            "{out}"
        );
        assert!(out.ends_with("// trailing\n"), "{out}");
        assert_eq!(format_text(&out).unwrap(), out, "formatting is idempotent");
        let reparsed: PolicySet = out.parse().unwrap();
        assert_eq!(reparsed.policies().count(), 2);
    }

    #[test]
    fn unparseable_text_is_not_formatted() {
        assert_eq!(format_text("permit(principal, action"), None);
    }

    #[test]
    fn the_library_is_already_formatted() {
        for (name, text) in crate::workspace::POLICY_LIBRARY {
            assert_eq!(
                format_text(text).as_deref(),
                Some(*text),
                "{name} is not formatted"
            );
        }
    }
}
