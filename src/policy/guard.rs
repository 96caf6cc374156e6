//! A cheap scan of Cedar text before Cedar parses it: refuses nesting and operator chains
//! deep enough to exhaust the parser's stack.
//!
//! Cedar's parser and its syntax-tree conversion recurse once per level of nesting and once
//! per operator of a chain (`a && b && …` is a left-leaning tree). Cedar's evaluator and
//! validator check the remaining stack; its parser does not, so a file of a few thousand
//! `(` aborts the whole process (measured: 200 levels on an 8 MiB debug-build stack). Files
//! come from git, bundles from elsewhere and loose `simulate` arguments, so the text is
//! untrusted: every Cedar text Mandate parses passes [`check`] first. The limits are far
//! above hand-written policy (the demo's deepest policy nests 3 and chains 9) and the
//! shells run Cedar work on threads with [`STACK_SIZE`] bytes of stack, which the limits
//! fit with room to spare.

use crate::diagnostics::LineIndex;

/// Brackets (`(`, `[`, `{`, and `<` in schemas) open at once.
pub const MAX_NESTING: usize = 100;
/// Operators in one statement (`&&`, `||`, comparisons, arithmetic, `.`, `!`, `has`, `like`,
/// `in`, `is`, `if`): each can be one level of the tree Cedar builds.
pub const MAX_OPERATORS: usize = 2_000;
/// The stack the shells give threads that parse, validate, replay or analyse Cedar: enough
/// for text at both limits in a debug build (the worst case; release frames are smaller).
/// Untouched stack pages are never committed, so a large reservation costs nothing.
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

/// What Cedar text is being scanned: policies count operators, schemas count `<` as nesting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Policy,
    Schema,
}

/// Where and why text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line and column of the bracket or operator that crossed the limit.
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub help: &'static str,
}

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Scans `text`; `Err` at the first place a limit is crossed.
pub fn check(text: &str, syntax: Syntax) -> Result<(), TooDeep> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut i = 0usize;
    let refuse = |at: usize, message: String, help: &'static str| {
        let (line, column) = LineIndex::new(text).position(at);
        Err(TooDeep {
            line,
            column,
            message,
            help,
        })
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                // A string literal: skip to its closing quote, honouring `\` escapes.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return refuse(
                        i,
                        format!("nesting deeper than {MAX_NESTING} levels"),
                        "Cedar's parser recurses once per level and could exhaust its stack; flatten the expression or split it into several policies",
                    );
                }
            }
            b'<' if syntax == Syntax::Schema => {
                depth += 1;
                if depth > MAX_NESTING {
                    return refuse(
                        i,
                        format!("type nesting deeper than {MAX_NESTING} levels"),
                        "Cedar's schema parser recurses once per level; declare a named type for the inner record",
                    );
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'>' if syntax == Syntax::Schema => depth = depth.saturating_sub(1),
            b';' if syntax == Syntax::Policy && depth == 0 => operators = 0,
            _ if syntax == Syntax::Policy => {
                let word = operator_at(bytes, i);
                if word > 0 {
                    operators += 1;
                    if operators > MAX_OPERATORS {
                        return refuse(
                            i,
                            format!("more than {MAX_OPERATORS} operators in one policy"),
                            "Cedar's parser recurses once per operator of a chain and could exhaust its stack; match many values with a set (`principal in [..]`, `[..].contains(x)`) or split the policy",
                        );
                    }
                    i += word;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The length of the operator starting at `i`, or 0. Keywords count only as whole words.
fn operator_at(bytes: &[u8], i: usize) -> usize {
    const SYMBOLS: [&[u8]; 12] = [
        b"&&", b"||", b"==", b"!=", b"<=", b">=", b"<", b">", b"+", b"-", b"*", b".",
    ];
    const WORDS: [&[u8]; 5] = [b"has", b"like", b"in", b"is", b"if"];
    let rest = &bytes[i..];
    if let Some(s) = SYMBOLS.iter().find(|s| rest.starts_with(s)) {
        return s.len();
    }
    if rest.first() == Some(&b'!') {
        return 1;
    }
    let ident = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if i > 0 && ident(&bytes[i - 1]) {
        return 0;
    }
    WORDS
        .iter()
        .find(|w| rest.starts_with(w) && !rest.get(w.len()).is_some_and(ident))
        .map_or(0, |w| w.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        format!(
            "permit(principal, action, resource) when {{ {}true{} }};",
            "(".repeat(n),
            ")".repeat(n)
        )
    }

    #[test]
    fn ordinary_policies_pass() {
        let text = "@id(\"a\")\npermit(principal in Team::\"x\", action == Action::\"read\", resource)\n  when { context.env == \"prod\" && !(resource has secret) && resource.owner.team like \"ops*\" };\n";
        assert_eq!(check(text, Syntax::Policy), Ok(()));
        assert_eq!(check(&nested(MAX_NESTING - 2), Syntax::Policy), Ok(()));
    }

    #[test]
    fn deep_nesting_is_refused_where_it_crosses_the_limit() {
        let e = check(&nested(5_000), Syntax::Policy).unwrap_err();
        assert_eq!(e.line, 1);
        // `permit(…)` closes before `when {` opens level 1: the 100th `(` crosses 100.
        assert_eq!(
            e.column as usize,
            "permit(principal, action, resource) when { ".len() + 100
        );
        assert!(
            e.message.contains("nesting deeper than 100"),
            "{}",
            e.message
        );
    }

    #[test]
    fn brackets_and_operators_inside_strings_and_comments_do_not_count() {
        let text = format!(
            "// {}\npermit(principal, action, resource) when {{ context.s == \"{}\\\"{}\" }};",
            "(".repeat(500),
            "((((&&".repeat(1_000),
            "[".repeat(500)
        );
        assert_eq!(check(&text, Syntax::Policy), Ok(()));
    }

    #[test]
    fn long_chains_are_refused_and_counted_per_policy() {
        let chain = |n: usize| {
            format!(
                "permit(principal, action, resource) when {{ true{} }};\n",
                " && true".repeat(n)
            )
        };
        // Two policies just under the limit each are fine: the count restarts at `;`.
        let two = format!("{}{}", chain(MAX_OPERATORS - 10), chain(MAX_OPERATORS - 10));
        assert_eq!(check(&two, Syntax::Policy), Ok(()));
        let e = check(&chain(MAX_OPERATORS + 1), Syntax::Policy).unwrap_err();
        assert!(
            e.message.contains("operators in one policy"),
            "{}",
            e.message
        );
        // `context.a.a.a…` chains attribute access.
        let attrs = format!(
            "permit(principal, action, resource) when {{ context{} }};",
            ".a".repeat(5_000)
        );
        assert!(check(&attrs, Syntax::Policy).is_err());
    }

    #[test]
    fn keywords_count_only_as_whole_words() {
        assert_eq!(operator_at(b"in [1]", 0), 2);
        assert_eq!(operator_at(b"inside", 0), 0);
        assert_eq!(operator_at(b"within", 3), 0);
        assert_eq!(operator_at(b"x is T", 2), 2);
    }

    #[test]
    fn schema_type_nesting_counts_angle_brackets() {
        let deep = format!(
            "entity A {{ x: {}Long{} }};",
            "Set<".repeat(500),
            ">".repeat(500)
        );
        assert!(check(&deep, Syntax::Schema).is_err());
        assert_eq!(
            check("entity A { x: Set<Set<Long>> };", Syntax::Schema),
            Ok(())
        );
    }
}
