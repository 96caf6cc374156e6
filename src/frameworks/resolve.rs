//! Citations to framework items, as guidance documents and spreadsheets write them, resolved
//! to official items — or flagged. Mandate never invents an official id: a citation that
//! names no official item (`CSA MAESTRO T1`, `GOV-2`, `OWASP Agentic AI Top 10 A2`) stays
//! unresolved, with suggestions, and never counts as coverage.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::catalog::{Catalogs, Framework, Item};
use super::Mapping;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Suggestion {
    pub framework: String,
    pub key: String,
    /// The item as displayed (`GOVERN 2`, `T1`, `L7: Agent Tool Misuse`).
    pub label: String,
    pub title: String,
    /// Why it is suggested.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Resolution {
    /// The citation is the item's official id or label.
    Exact { framework: String, key: String },
    /// A variant the source itself or common usage writes for exactly one official item
    /// (`GV-1.1`, `ASI2`, `NHI01`, a title variant): resolved, and `note` says how.
    Variant {
        framework: String,
        key: String,
        note: String,
    },
    /// No official item: never counted. `reason` says why; `suggestions` are candidates a
    /// human may pick.
    Unresolved {
        reason: String,
        suggestions: Vec<Suggestion>,
    },
}

impl Resolution {
    pub fn target(&self) -> Option<(&str, &str)> {
        match self {
            Self::Exact { framework, key } | Self::Variant { framework, key, .. } => {
                Some((framework, key))
            }
            Self::Unresolved { .. } => None,
        }
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// Which framework a citation's words name, if any, and the rest of the citation.
fn framework_hint(citation: &str) -> (Option<&'static str>, String) {
    let lower = citation.to_ascii_lowercase();
    let hints: &[(&[&str], &str)] = &[
        (&["maestro"], "csa-maestro"),
        (
            &["non-human", "non human", "nhi top"],
            "owasp-nhi-top10-2025",
        ),
        (&["ai rmf", "ai-rmf", "nist"], "nist-ai-rmf-1.0"),
        (
            &["threats and mitigations", "threats & mitigations", "t&m"],
            "owasp-agentic-threats-mitigations",
        ),
        (
            &[
                "agentic applications",
                "agentic top 10",
                "agentic ai top 10",
                "agentic top10",
                "asi top",
            ],
            "owasp-agentic-top10-2026",
        ),
    ];
    for (words, id) in hints {
        if words.iter().any(|w| lower.contains(w)) {
            // The reference is the last token(s) after the framework's name.
            let rest = strip_framework_words(citation);
            return (Some(id), rest);
        }
    }
    (None, citation.trim().to_owned())
}

/// Drops leading words that only name a framework ("OWASP", "CSA", "NIST", "AI", "RMF",
/// "Agentic", "Top", "10", "2026", …), keeping the item reference.
fn strip_framework_words(citation: &str) -> String {
    const NOISE: &[&str] = &[
        "owasp",
        "csa",
        "nist",
        "ai",
        "rmf",
        "1.0",
        "agentic",
        "applications",
        "for",
        "top",
        "10",
        "top10",
        "2025",
        "2026",
        "maestro",
        "non-human",
        "nonhuman",
        "identities",
        "nhi",
        "threats",
        "and",
        "&",
        "mitigations",
        "t&m",
        "-",
        "–",
        ":",
        "risks",
        "the",
        "of",
    ];
    let words: Vec<&str> = citation.split_whitespace().collect();
    let mut start = 0;
    while start < words.len() && NOISE.contains(&words[start].to_ascii_lowercase().as_str()) {
        // Keep a last token even when it is noise-like ("NHI 1" keeps "1").
        if start + 1 == words.len() {
            break;
        }
        start += 1;
    }
    words[start..].join(" ")
}

fn item_matches_exactly(item: &Item, want: &str) -> bool {
    let w = norm(want);
    norm(&item.label) == w
        || item.official_id.as_deref().is_some_and(|o| norm(o) == w)
        // A MAESTRO threat key is accepted as written in a Mandate file, but never displayed.
        || norm(&item.key) == w
}

/// Resolves a control's mapping as coverage counts it. An unknown framework id names nothing
/// and is never resolved in another framework; a mapping with an `item` resolves the item,
/// one with only a hand-written `cited` resolves the citation (for suggestions; see
/// [`counts_when_resolved`] for whether it may count).
pub fn resolve_mapping(catalogs: &Catalogs, m: &Mapping) -> Resolution {
    let framework = m.framework.trim();
    if !framework.is_empty() && catalogs.get(framework).is_none() {
        return Resolution::Unresolved {
            reason: format!("framework `{framework}` is not known"),
            suggestions: Vec::new(),
        };
    }
    let reference = match &m.cited {
        Some(cited) if m.item.trim().is_empty() => cited,
        _ => &m.item,
    };
    resolve(catalogs, Some(framework), reference)
}

/// Whether a mapping may count once resolved: a hand-written `cited` with no `item` stays
/// unresolved even if it resembles an id, until a person confirms it as `framework` + `item`.
pub fn counts_when_resolved(m: &Mapping) -> bool {
    !(m.cited.is_some() && m.item.trim().is_empty())
}

/// Resolves one citation. `framework` is the framework column when the source has one
/// (a Mandate id like `nist-ai-rmf-1.0`, or a name like `NIST AI RMF`).
pub fn resolve(catalogs: &Catalogs, framework: Option<&str>, citation: &str) -> Resolution {
    let citation = citation.trim();
    let (hint, reference) = match framework.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => match catalogs.get(f) {
            Some(fw) => (Some(fw.id.clone()), citation.to_owned()),
            None => {
                let (h, _) = framework_hint(f);
                let (h2, rest) = framework_hint(citation);
                (h.or(h2).map(str::to_owned), rest)
            }
        },
        None => {
            let (h, rest) = framework_hint(citation);
            (h.map(str::to_owned), rest)
        }
    };
    if reference.is_empty() {
        return Resolution::Unresolved {
            reason: "the citation names no item".into(),
            suggestions: Vec::new(),
        };
    }
    let candidates: Vec<&Framework> = match &hint {
        Some(h) => catalogs.get(h).into_iter().collect(),
        None => catalogs.frameworks.iter().collect(),
    };

    // 1. Exact official id or label.
    let exact: Vec<(&Framework, &Item)> = candidates
        .iter()
        .flat_map(|f| f.items.iter().map(move |i| (*f, i)))
        .filter(|(_, i)| item_matches_exactly(i, &reference) || item_matches_exactly(i, citation))
        .collect();
    if let [(f, i)] = exact.as_slice() {
        return Resolution::Exact {
            framework: f.id.clone(),
            key: i.key.clone(),
        };
    }
    if exact.len() > 1 {
        return Resolution::Unresolved {
            reason: format!("`{citation}` names items of {} frameworks", exact.len()),
            suggestions: exact
                .iter()
                .map(|(f, i)| suggestion(f, i, "same id in this framework"))
                .collect(),
        };
    }

    // 2. MAESTRO threats have no ids: a T-id cited as MAESTRO's is an OWASP T&M id.
    if hint.as_deref() == Some("csa-maestro") {
        if let Some(n) = t_number(&reference) {
            let suggestions = catalogs
                .get("owasp-agentic-threats-mitigations")
                .and_then(|tm| tm.item(&format!("T{n}")).map(|i| suggestion(tm, i, "the OWASP Agentic Threats & Mitigations id T{n}, which OWASP's threat-modelling guide pairs with MAESTRO layers")))
                .map(|mut s| {
                    s.why = s.why.replace("{n}", &n.to_string());
                    vec![s]
                })
                .unwrap_or_default();
            return Resolution::Unresolved {
                reason: format!(
                    "MAESTRO gives its threats no ids; `T{n}` is an OWASP Agentic Threats & Mitigations id"
                ),
                suggestions,
            };
        }
    }

    // 3. Variants of exactly one official id.
    if let Some(v) = variant(catalogs, hint.as_deref(), &reference) {
        return v;
    }

    // 4. A title or title variant, unique among the candidates.
    let by_title: Vec<(&Framework, &Item)> = candidates
        .iter()
        .flat_map(|f| f.items.iter().map(move |i| (*f, i)))
        .filter(|(_, i)| {
            !i.title.is_empty()
                && (norm(&i.title) == norm(&reference)
                    || i.aliases.iter().any(|a| norm(a) == norm(&reference)))
        })
        .collect();
    if let [(f, i)] = by_title.as_slice() {
        return Resolution::Variant {
            framework: f.id.clone(),
            key: i.key.clone(),
            note: format!("`{reference}` is the title of {}", i.label),
        };
    }

    // 5. Unresolved: suggest what it may have meant.
    let mut suggestions: Vec<Suggestion> = by_title
        .iter()
        .map(|(f, i)| suggestion(f, i, "same title"))
        .collect();
    suggestions.extend(number_suggestions(catalogs, hint.as_deref(), &reference));
    if suggestions.is_empty() {
        let words = norm(&reference);
        for f in &candidates {
            for i in f
                .items
                .iter()
                .filter(|i| i.assessable && !i.title.is_empty())
            {
                let t = norm(&i.title);
                if words.len() >= 4 && (t.contains(&words) || words.contains(&t)) {
                    suggestions.push(suggestion(f, i, "similar title"));
                }
            }
        }
    }
    suggestions.truncate(5);
    let reason = match &hint {
        Some(h) => format!(
            "`{reference}` is not an item of {}",
            catalogs
                .get(h)
                .map_or(h.as_str(), |f| f.short_title.as_str())
        ),
        None => format!("`{citation}` is not an official id of any known framework"),
    };
    Resolution::Unresolved {
        reason,
        suggestions,
    }
}

fn suggestion(f: &Framework, i: &Item, why: &str) -> Suggestion {
    Suggestion {
        framework: f.id.clone(),
        key: i.key.clone(),
        label: i.label.clone(),
        title: if i.title.is_empty() {
            super::export::shorten(&i.text, 80)
        } else {
            i.title.clone()
        },
        why: why.to_owned(),
    }
}

fn t_number(s: &str) -> Option<u32> {
    let s = s.trim();
    let rest = s.strip_prefix('T').or_else(|| s.strip_prefix('t'))?;
    let rest = rest.trim_start_matches(['-', ' ', '0']);
    rest.parse()
        .ok()
        .or((rest.is_empty() && s.len() > 1).then_some(0))
}

/// Splits `GV-1.1`, `GOV 1.1`, `GOVERN-1.1`, `gv.1.1` into (prefix, number).
fn nist_parts(s: &str) -> Option<(&'static str, String)> {
    let upper = s.trim().to_ascii_uppercase();
    const PREFIXES: &[(&[&str], &str)] = &[
        (&["GOVERN", "GOV", "GV"], "GOVERN"),
        (&["MAP", "MP"], "MAP"),
        (&["MEASURE", "MEAS", "MS"], "MEASURE"),
        (&["MANAGE", "MAN", "MG"], "MANAGE"),
    ];
    for (forms, function) in PREFIXES {
        for form in *forms {
            if let Some(rest) = upper.strip_prefix(form) {
                let number = rest.trim_start_matches([' ', '-', '.', '_', ':']);
                if !number.is_empty()
                    && number.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && rest.len() > number.len()
                {
                    return Some((function, number.to_owned()));
                }
            }
        }
    }
    None
}

fn variant(catalogs: &Catalogs, hint: Option<&str>, reference: &str) -> Option<Resolution> {
    let allowed = |id: &str| hint.is_none() || hint == Some(id);
    let upper = reference.trim().to_ascii_uppercase();
    // NIST AI RMF: third-party abbreviations of a subcategory id.
    if allowed("nist-ai-rmf-1.0") {
        if let (Some((function, number)), Some(nist)) =
            (nist_parts(reference), catalogs.get("nist-ai-rmf-1.0"))
        {
            let official = format!("{function} {number}");
            if let Some(item) = nist.item(&official) {
                if item.assessable {
                    return Some(Resolution::Variant {
                        framework: nist.id.clone(),
                        key: item.key.clone(),
                        note: format!("`{reference}` abbreviates NIST AI RMF {official}"),
                    });
                }
                let subs = nist.leaves_under(&item.key);
                return Some(Resolution::Unresolved {
                    reason: format!(
                        "`{reference}` is not an official id; it may abbreviate the category {official}, which is not assessed itself ({} subcategories are)",
                        subs.len()
                    ),
                    suggestions: std::iter::once(suggestion(nist, item, "category of the same number"))
                        .chain(subs.into_iter().take(4).map(|i| suggestion(nist, i, "a subcategory of it")))
                        .collect(),
                });
            }
        }
    }
    // OWASP ASI: `ASI1`, `ASI-01`, `ASI 1`.
    if allowed("owasp-agentic-top10-2026") {
        if let Some(rest) = upper.strip_prefix("ASI") {
            let n = rest.trim_start_matches([' ', '-', '0']);
            if let (Ok(n), Some(fw)) = (n.parse::<u32>(), catalogs.get("owasp-agentic-top10-2026"))
            {
                let official = format!("ASI{n:02}");
                if let Some(item) = fw.item(&official) {
                    return Some(Resolution::Variant {
                        framework: fw.id.clone(),
                        key: item.key.clone(),
                        note: format!("`{reference}` is written {official} in the official list"),
                    });
                }
            }
        }
    }
    // OWASP NHI: `NHI01`, `NHI-1`, `NHI1` (official: `NHI1:2025`).
    if allowed("owasp-nhi-top10-2025") {
        if let Some(rest) = upper.strip_prefix("NHI") {
            let n = rest
                .trim_end_matches(":2025")
                .trim_start_matches([' ', '-', '0']);
            if let (Ok(n), Some(fw)) = (n.parse::<u32>(), catalogs.get("owasp-nhi-top10-2025")) {
                let official = format!("NHI{n}:2025");
                if let Some(item) = fw.item(&official) {
                    return Some(Resolution::Variant {
                        framework: fw.id.clone(),
                        key: item.key.clone(),
                        note: format!("`{reference}` is written {official} in the official list"),
                    });
                }
            }
        }
    }
    // OWASP T&M: `T01`, `T-1`.
    if allowed("owasp-agentic-threats-mitigations") {
        if let (Some(n), Some(fw)) = (
            t_number(reference),
            catalogs.get("owasp-agentic-threats-mitigations"),
        ) {
            if let Some(item) = fw.item(&format!("T{n}")) {
                if norm(reference) != norm(&item.key) {
                    return Some(Resolution::Variant {
                        framework: fw.id.clone(),
                        key: item.key.clone(),
                        note: format!("`{reference}` is written {} in the official list", item.key),
                    });
                }
            }
        }
    }
    // MAESTRO: `L7 Agent Tool Misuse`, `Agent Tool Misuse (L7)`, `Layer 7: Agent Tool Misuse`.
    if allowed("csa-maestro") {
        if let Some(m) = catalogs.get("csa-maestro") {
            let r = norm(reference);
            for layer in m.items.iter().filter(|i| i.kind == "layer") {
                let names: Vec<String> = std::iter::once(layer.label.clone())
                    .chain(layer.aliases.iter().cloned())
                    .map(|n| norm(&n))
                    .collect();
                for i in m.children(Some(&layer.key)) {
                    let t = norm(&i.title);
                    let hit = names.iter().any(|n| {
                        r == format!("{n} {t}")
                            || r == format!("{n}: {t}")
                            || r == format!("{n} - {t}")
                            || r == format!("{t} ({n})")
                    });
                    if hit {
                        return Some(Resolution::Variant {
                            framework: m.id.clone(),
                            key: i.key.clone(),
                            note: format!(
                                "MAESTRO threats have no ids; cited by layer and name as {}",
                                i.label
                            ),
                        });
                    }
                }
            }
        }
    }
    None
}

/// For a reference like `A2`: items whose official number matches, as suggestions only.
fn number_suggestions(catalogs: &Catalogs, hint: Option<&str>, reference: &str) -> Vec<Suggestion> {
    let digits: String = reference
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let Ok(n) = digits.parse::<u32>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let wanted: &[(&str, String)] = &[
        ("owasp-agentic-top10-2026", format!("ASI{n:02}")),
        ("owasp-nhi-top10-2025", format!("NHI{n}:2025")),
        ("owasp-agentic-threats-mitigations", format!("T{n}")),
    ];
    for (fw, key) in wanted {
        if hint.is_some_and(|h| h != *fw) {
            continue;
        }
        if let Some(f) = catalogs.get(fw) {
            if let Some(i) = f.item(key) {
                out.push(suggestion(f, i, &format!("the official item numbered {n}")));
            }
        }
    }
    if hint.is_none_or(|h| h == "nist-ai-rmf-1.0") {
        if let (Some((function, number)), Some(nist)) =
            (nist_parts(reference), catalogs.get("nist-ai-rmf-1.0"))
        {
            if let Some(i) = nist.item(&format!("{function} {number}")) {
                out.push(suggestion(nist, i, "same function and number"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::catalog::{builtin, Catalogs};

    fn catalogs() -> Catalogs {
        Catalogs::new(builtin().to_vec())
    }

    fn target(r: &Resolution) -> Option<(String, String)> {
        r.target().map(|(f, k)| (f.to_owned(), k.to_owned()))
    }

    #[test]
    fn official_ids_resolve_exactly() {
        let c = catalogs();
        for (fw, cite, key) in [
            (None, "ASI03", "ASI03"),
            (None, "NHI7:2025", "NHI7:2025"),
            (None, "GOVERN 1.1", "GOVERN 1.1"),
            (
                Some("csa-maestro"),
                "L7: Agent Tool Misuse",
                "L7/agent-tool-misuse",
            ),
            (Some("owasp-agentic-threats-mitigations"), "T1", "T1"),
        ] {
            let r = resolve(&c, fw, cite);
            assert!(matches!(r, Resolution::Exact { .. }), "{cite}: {r:?}");
            assert_eq!(target(&r).unwrap().1, key, "{cite}");
        }
    }

    #[test]
    fn variants_resolve_to_one_official_item_and_say_how() {
        let c = catalogs();
        for (fw, cite, key) in [
            (None, "GV-1.1", "GOVERN 1.1"),
            (None, "gv.1.1", "GOVERN 1.1"),
            (Some("NIST AI RMF"), "MS-2.7", "MEASURE 2.7"),
            (None, "ASI3", "ASI03"),
            (None, "NHI01", "NHI1:2025"),
            (None, "OWASP Agentic Top 10 ASI-02", "ASI02"),
            (None, "Identity & Privilege Abuse", "ASI03"),
            (
                Some("CSA MAESTRO"),
                "Agent Tool Misuse (L7)",
                "L7/agent-tool-misuse",
            ),
            (
                Some("csa-maestro"),
                "Layer 7: Agent Tool Misuse",
                "L7/agent-tool-misuse",
            ),
        ] {
            let r = resolve(&c, fw, cite);
            assert!(matches!(r, Resolution::Variant { .. }), "{cite}: {r:?}");
            assert_eq!(target(&r).unwrap().1, key, "{cite}");
        }
    }

    #[test]
    fn citations_that_are_not_official_ids_stay_unresolved_with_suggestions() {
        let c = catalogs();
        // MAESTRO has no threat ids; T1 is OWASP's.
        let r = resolve(&c, None, "CSA MAESTRO T1");
        let Resolution::Unresolved {
            reason,
            suggestions,
        } = &r
        else {
            panic!("{r:?}")
        };
        assert!(
            reason.contains("MAESTRO gives its threats no ids"),
            "{reason}"
        );
        assert_eq!(
            (
                suggestions[0].framework.as_str(),
                suggestions[0].key.as_str()
            ),
            ("owasp-agentic-threats-mitigations", "T1")
        );
        // GOV-2 is in no official catalog; GOVERN 2 is a category and not assessed.
        let r = resolve(&c, None, "GOV-2");
        let Resolution::Unresolved { suggestions, .. } = &r else {
            panic!("{r:?}")
        };
        assert_eq!(suggestions[0].label, "GOVERN 2");
        assert_eq!(suggestions[1].label, "GOVERN 2.1");
        // "A2" exists in no Agentic Top 10: suggest, never resolve.
        let r = resolve(&c, None, "OWASP Agentic AI Top 10 A2");
        let Resolution::Unresolved {
            reason,
            suggestions,
        } = &r
        else {
            panic!("{r:?}")
        };
        assert_eq!(reason, "`A2` is not an item of OWASP Agentic Top 10 2026");
        assert_eq!(suggestions[0].label, "ASI02");
        // Nothing to go on.
        let r = resolve(&c, None, "XYZ-99");
        assert_eq!(target(&r), None);
        let r = resolve(&c, None, "  ");
        assert_eq!(target(&r), None);
    }

    #[test]
    fn a_maestro_internal_key_is_accepted_but_names_repeat_across_layers() {
        let c = catalogs();
        let r = resolve(&c, Some("csa-maestro"), "L3/backdoor-attacks");
        assert_eq!(target(&r).unwrap().1, "L3/backdoor-attacks");
        // The bare name is in two layers: suggestions for both, no guess.
        let r = resolve(&c, Some("csa-maestro"), "Backdoor Attacks");
        let Resolution::Unresolved { suggestions, .. } = &r else {
            panic!("{r:?}")
        };
        let labels: Vec<_> = suggestions.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["L1: Backdoor Attacks", "L3: Backdoor Attacks"]);
    }
}
