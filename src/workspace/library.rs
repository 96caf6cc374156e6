//! What `mandate init` writes: the built-in policy library (the repo's top-level
//! `policies/`, embedded at build time), the starter schema and empty inventory files.
//!
//! Library files are written in the `Mandate` namespace and rewritten to the workspace's.

/// `(file name, text)` of each library policy file.
pub const POLICY_LIBRARY: &[(&str, &str)] = &[
    (
        "credentials.cedar",
        include_str!("../../policies/credentials.cedar"),
    ),
    (
        "delegation.cedar",
        include_str!("../../policies/delegation.cedar"),
    ),
    (
        "lifecycle.cedar",
        include_str!("../../policies/lifecycle.cedar"),
    ),
    ("tools.cedar", include_str!("../../policies/tools.cedar")),
];

/// The namespace the library and the starter schema are written in.
pub const LIBRARY_NAMESPACE: &str = "Mandate";

/// Rewrites `Mandate::` references to the workspace namespace.
pub fn with_namespace(text: &str, namespace: &str) -> String {
    if namespace == LIBRARY_NAMESPACE {
        return text.to_owned();
    }
    text.replace(&format!("{LIBRARY_NAMESPACE}::"), &format!("{namespace}::"))
}

pub fn starter_schema(namespace: &str) -> String {
    crate::model::generated_schema(namespace)
}

pub const PEOPLE_TEMPLATE: &str = "# Humans and teams who own and approve agents.\n\
# [[teams]]\n# id = \"billing\"\n# name = \"Billing\"\n#\n\
# [[humans]]\n# id = \"dana\"\n# name = \"Dana Ortiz\"\n# email = \"dana@example.com\"\n# team = \"billing\"\n";

pub const RESOURCES_TEMPLATE: &str = "# Tools, tool groups, datasets and models that agents use.\n\
# [[tools]]\n# id = \"stripe.refund\"\n# system = \"stripe\"\n# sensitivity = \"high\"\n# environment = \"prod\"\n";

pub const AGENTS_README: &str = "One TOML file per agent: `<agent-id>.toml`.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_is_rewritten_in_policies_and_schema() {
        let p = with_namespace(
            "principal is Mandate::Agent, Mandate::Action::\"x\"",
            "Acme",
        );
        assert_eq!(p, "principal is Acme::Agent, Acme::Action::\"x\"");
        let s = starter_schema("Acme::Gov");
        assert!(s.contains("namespace Acme::Gov {"));
        assert!(!s.contains("namespace Mandate {"));
    }
}
