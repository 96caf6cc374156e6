//! Custom frameworks from outside: an organisation's own catalog (Mandate's JSON, a simple
//! JSON shape, or CSV) or an OSCAL catalog, converted to a [`Framework`] of origin Custom.
//!
//! A framework file is all or nothing: every problem of the source is reported — file, line
//! (and column for JSON), the value at fault and a hint — and a source with any problem
//! yields no framework. Nothing here touches the workspace; `api` writes the result.
//!
//! Positions in JSON: serde stops at a source's first error, so each item is read on its
//! own from a borrowed [`RawValue`] (a slice of the source text), whose offset in the text
//! locates the item and every error inside it. One bad item never hides the next.

use std::collections::HashMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

use super::catalog::{self, Framework, Item, Origin};
use crate::diagnostics::{Diagnostic, LineIndex, Severity};

/// The diagnostic code of every import problem.
pub const CODE: &str = "frameworks::import";

/// The columns a framework CSV may have (`id` required).
pub const FRAMEWORK_COLUMNS: [&str; 7] = [
    "id",
    "title",
    "text",
    "parent",
    "kind",
    "label",
    "assessable",
];

/// What a framework source is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FrameworkFormat {
    /// Mandate's own format (a `frameworks/*.json` file) or the simple shape
    /// `{id, title, version, publisher, items: [{id, title, text, parent}]}`.
    Json,
    /// A header row `id,title,text,parent` (`kind`, `label`, `assessable` optional).
    Csv,
    /// An OSCAL catalog (`{"catalog": {…}}`): groups and controls.
    Oscal,
}

impl FrameworkFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Oscal => "oscal",
        }
    }

    /// By extension and content: `.csv` is CSV; JSON whose top level has `catalog` is OSCAL;
    /// other JSON is Mandate's or the simple shape; text that is not JSON is CSV.
    pub fn detect(path: &str, text: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return Self::Csv;
        }
        let body = strip_bom(text).trim_start();
        if body.starts_with('{') || body.starts_with('[') || lower.ends_with(".json") {
            let oscal = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .is_some_and(|v| v.get("catalog").is_some_and(|c| c.is_object()));
            return if oscal { Self::Oscal } else { Self::Json };
        }
        Self::Csv
    }
}

/// Values given on the command line (or in the app's import dialog); each replaces the
/// source's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub id: Option<String>,
    pub title: Option<String>,
    pub version: Option<String>,
    pub publisher: Option<String>,
}

/// A source to read: `file` labels the diagnostics, `stem` (the file name without its
/// extension) is the default id and title.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a str,
    pub stem: &'a str,
    pub text: &'a str,
}

/// Reads a framework, in `format` or the one [`FrameworkFormat::detect`] finds.
pub fn read(
    src: &Source<'_>,
    format: Option<FrameworkFormat>,
    overrides: &Overrides,
) -> Result<(Framework, FrameworkFormat), Vec<Diagnostic>> {
    let format = format.unwrap_or_else(|| FrameworkFormat::detect(src.file, src.text));
    let text = strip_bom(src.text);
    let loc = Locator::new(src.file, text);
    let parsed = match format {
        FrameworkFormat::Csv => read_csv(&loc),
        FrameworkFormat::Json => read_json(&loc),
        FrameworkFormat::Oscal => read_oscal(&loc),
    };
    parsed
        .and_then(|p| finish(&loc, src.stem, p, overrides))
        .map(|f| (f, format))
        .map_err(|mut problems| {
            crate::diagnostics::sort(&mut problems);
            problems
        })
}

/// A text as a framework id: lowercase letters, digits, `.` and `-`, starting with a letter.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .trim_end_matches(['-', '.']);
    let mut id: String = trimmed.chars().take(64).collect();
    while id.ends_with(['-', '.']) {
        id.pop();
    }
    id
}

pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

// ---- locating problems ------------------------------------------------------------------

/// Turns offsets of one source text, and serde errors inside slices of it, into diagnostics.
pub(crate) struct Locator<'a> {
    pub file: &'a str,
    pub text: &'a str,
    index: LineIndex<'a>,
}

impl<'a> Locator<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            index: LineIndex::new(text),
        }
    }

    /// The byte offset of `part`, a slice of the source text (0 when it is not one).
    pub fn offset_of(&self, part: &str) -> usize {
        let start = self.text.as_ptr() as usize;
        let at = part.as_ptr() as usize;
        if at >= start && at <= start + self.text.len() {
            at - start
        } else {
            0
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        self.index.position(offset)
    }

    pub fn line_of(&self, part: &str) -> u32 {
        self.position(self.offset_of(part)).0
    }

    pub fn at(&self, line: u32, column: u32, message: String, help: &str) -> Diagnostic {
        Diagnostic::at_line(
            self.file,
            line as usize,
            column as usize,
            Severity::Error,
            CODE,
            message,
            Some(help.to_owned()),
        )
    }

    /// A serde error raised while reading `part` (a slice of the source), located in the
    /// whole source; `what` names the record (`item 3`).
    pub fn serde(&self, part: &str, e: &serde_json::Error, what: &str, help: &str) -> Diagnostic {
        let inner = LineIndex::new(part);
        let within = inner.line_start(u32::try_from(e.line()).unwrap_or(u32::MAX))
            + e.column().saturating_sub(1);
        let (line, column) = self.position(self.offset_of(part) + within.min(part.len()));
        let message = serde_message(e);
        let message = if what.is_empty() {
            message
        } else {
            format!("{what}: {message}")
        };
        self.at(line, column, message, help)
    }
}

/// serde_json's message without its ` at line L column C` (the diagnostic carries it).
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// A JSON source's value, or its syntax error located.
pub(crate) fn json_value(
    loc: &Locator<'_>,
    help: &str,
) -> Result<serde_json::Value, Vec<Diagnostic>> {
    match serde_json::from_str::<serde_json::Value>(loc.text) {
        Ok(v) => Ok(v),
        Err(e) => Err(vec![loc.at(
            u32::try_from(e.line()).unwrap_or(u32::MAX).max(1),
            u32::try_from(e.column()).unwrap_or(u32::MAX).max(1),
            format!("not JSON: {}", serde_message(&e)),
            help,
        )]),
    }
}

// ---- CSV ---------------------------------------------------------------------------------

/// A CSV table: its header (names lowercased and trimmed, with the 1-based column number)
/// and rows with the line each starts on. Blank rows (every cell empty) carry no data and
/// are left out; every other row is kept, bad ones too, for the caller to judge.
pub(crate) struct CsvTable {
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

impl CsvTable {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

/// Reads a CSV source; a row whose cell count differs from the header's is a problem.
pub(crate) fn csv_table(loc: &Locator<'_>) -> (Option<CsvTable>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(loc.text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) if h.iter().any(|c| !c.is_empty()) => h
            .iter()
            .map(|c| {
                c.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .collect(),
        Ok(_) => {
            problems.push(loc.at(
                1,
                1,
                "the file has no header row".into(),
                "the first row names the columns",
            ));
            return (None, problems);
        }
        Err(e) => {
            problems.push(loc.at(
                1,
                1,
                format!("cannot read the CSV header: {e}"),
                "the first row names the columns",
            ));
            return (None, problems);
        }
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r
                    .position()
                    .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
                if r.iter().all(str::is_empty) {
                    continue;
                }
                if r.len() != headers.len() {
                    problems.push(loc.at(
                        line,
                        1,
                        format!(
                            "row has {} cells; the header has {}",
                            r.len(),
                            headers.len()
                        ),
                        "every row needs one cell per column (quote a cell that holds a comma)",
                    ));
                    continue;
                }
                rows.push((line, r.iter().map(str::to_owned).collect()));
            }
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
                problems.push(loc.at(
                    line,
                    1,
                    format!("bad CSV row: {e}"),
                    "check the row's quoting",
                ));
            }
        }
    }
    (Some(CsvTable { headers, rows }), problems)
}

/// Items read from a source, each with where it starts, before the framework is assembled.
struct Parsed {
    id: Option<String>,
    title: Option<String>,
    short_title: Option<String>,
    version: Option<String>,
    publisher: Option<String>,
    license: String,
    url: String,
    source: String,
    notes: Vec<String>,
    items: Vec<Located>,
    /// The source says which items are assessable (Mandate's format, OSCAL); otherwise
    /// leaves are and groups are not.
    assessable_known: bool,
}

struct Located {
    line: u32,
    column: u32,
    item: Item,
    /// Given explicitly (`assessable` column or field).
    assessable: Option<bool>,
}

impl Parsed {
    fn new(items: Vec<Located>) -> Self {
        Self {
            id: None,
            title: None,
            short_title: None,
            version: None,
            publisher: None,
            license: String::new(),
            url: String::new(),
            source: String::new(),
            notes: Vec::new(),
            items,
            assessable_known: false,
        }
    }
}

fn new_item(key: String, label: String, title: String, text: String) -> Item {
    Item {
        official_id: Some(label.clone()),
        key,
        label,
        title,
        text_is_official: !text.is_empty(),
        text,
        kind: "item".into(),
        parent: None,
        assessable: true,
        uncertain: false,
        aliases: Vec::new(),
        notes: String::new(),
        related: Vec::new(),
    }
}

fn parse_bool(cell: &str) -> Option<bool> {
    match cell.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn read_csv(loc: &Locator<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    let (table, mut problems) = csv_table(loc);
    let Some(table) = table else {
        return Err(problems);
    };
    let columns_help =
        "the columns are id, title, text, parent (and optionally kind, label, assessable)";
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (n, h) in table.headers.iter().enumerate() {
        if h.is_empty() {
            problems.push(loc.at(
                1,
                1,
                format!("column {} has no name", n + 1),
                "name it (id, title, text, parent, kind, label or assessable) or delete the column",
            ));
        } else if !FRAMEWORK_COLUMNS.contains(&h.as_str()) {
            problems.push(loc.at(
                1,
                1,
                format!("unknown column `{h}` (column {})", n + 1),
                columns_help,
            ));
        } else if let Some(first) = seen.insert(h, n) {
            problems.push(loc.at(
                1,
                1,
                format!(
                    "column `{h}` appears twice (columns {} and {})",
                    first + 1,
                    n + 1
                ),
                "keep one of them",
            ));
        }
    }
    let Some(id_col) = table.column("id") else {
        problems.push(loc.at(1, 1, "no `id` column".into(), columns_help));
        return Err(problems);
    };
    let cell = |row: &[String], name: &str| -> Option<String> {
        table
            .column(name)
            .and_then(|c| row.get(c))
            .and_then(|s| non_empty(Some(s)))
    };
    let mut items = Vec::new();
    for (line, row) in &table.rows {
        let id = row.get(id_col).map(|s| s.trim()).unwrap_or_default();
        if id.is_empty() {
            problems.push(loc.at(
                *line,
                1,
                format!(
                    "row has no `id` (title `{}`)",
                    cell(row, "title").unwrap_or_default()
                ),
                "every item needs an id; group rows too",
            ));
            continue;
        }
        let assessable = match cell(row, "assessable") {
            None => None,
            Some(v) => match parse_bool(&v) {
                Some(b) => Some(b),
                None => {
                    problems.push(loc.at(
                        *line,
                        1,
                        format!("`assessable` of `{id}` is not true or false: `{v}`"),
                        "write true or false (or leave it empty: leaves are assessable, groups not)",
                    ));
                    continue;
                }
            },
        };
        let label = cell(row, "label").unwrap_or_else(|| id.to_owned());
        let mut item = new_item(
            id.to_owned(),
            label,
            cell(row, "title").unwrap_or_default(),
            cell(row, "text").unwrap_or_default(),
        );
        item.parent = cell(row, "parent");
        if let Some(kind) = cell(row, "kind") {
            item.kind = kind.to_lowercase();
        }
        items.push(Located {
            line: *line,
            column: 1,
            item,
            assessable,
        });
    }
    // The rows that did read are checked even when others did not: one pass reports all.
    check_located(loc, &items, &mut problems);
    if problems.is_empty() {
        Ok(Parsed::new(items))
    } else {
        Err(problems)
    }
}

// ---- JSON: Mandate's format and the simple shape ----------------------------------------

#[derive(Deserialize)]
struct ItemsOnly<'a> {
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SimpleHeader {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    short_title: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(rename = "items")]
    _items: IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SimpleItem {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    assessable: Option<bool>,
}

/// Mandate's own format (`catalog::Framework`) without its items.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MandateHeader {
    id: String,
    title: String,
    short_title: String,
    version: String,
    publisher: String,
    #[serde(default)]
    license: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default, rename = "origin")]
    _origin: Option<IgnoredAny>,
    #[serde(rename = "items")]
    _items: IgnoredAny,
}

const SIMPLE_HELP: &str =
    "a framework JSON is `{\"id\", \"title\", \"version\", \"publisher\", \"items\": [{\"id\", \"title\", \"text\", \"parent\"}]}` (items may also have `kind`, `label`, `assessable`)";
const MANDATE_HELP: &str =
    "this looks like Mandate's framework format (items have `key`); compare with a file `mandate frameworks import` wrote";

fn read_json(loc: &Locator<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    let value = json_value(loc, SIMPLE_HELP)?;
    if value.get("catalog").is_some() {
        return Err(vec![loc.at(
            1,
            1,
            "this is an OSCAL catalog, read as a framework JSON".into(),
            "import it with `--from oscal` (or without `--from`)",
        )]);
    }
    if !value.is_object() {
        return Err(vec![loc.at(
            1,
            1,
            "expected a JSON object with `items`".into(),
            SIMPLE_HELP,
        )]);
    }
    let items = match serde_json::from_str::<ItemsOnly<'_>>(loc.text) {
        Ok(i) => i.items,
        Err(e) => return Err(vec![loc.serde(loc.text, &e, "", SIMPLE_HELP)]),
    };
    let mandate = value
        .get("items")
        .and_then(|i| i.as_array())
        .and_then(|a| a.first())
        .is_some_and(|i| i.get("key").is_some());
    let mut problems = Vec::new();
    let mut located = Vec::new();
    let mut parsed = if mandate {
        let mut parsed = Parsed::new(Vec::new());
        match serde_json::from_str::<MandateHeader>(loc.text) {
            Ok(h) => {
                parsed.id = Some(h.id);
                parsed.title = Some(h.title);
                parsed.short_title = Some(h.short_title);
                parsed.version = Some(h.version);
                parsed.publisher = Some(h.publisher);
                parsed.license = h.license;
                parsed.url = h.url;
                parsed.source = h.source;
                parsed.notes = h.notes;
            }
            Err(e) => problems.push(loc.serde(loc.text, &e, "", MANDATE_HELP)),
        }
        for (n, raw) in items.iter().enumerate() {
            let part = raw.get();
            match serde_json::from_str::<Item>(part) {
                Ok(item) => {
                    let (line, column) = loc.position(loc.offset_of(part));
                    located.push(Located {
                        line,
                        column,
                        assessable: Some(item.assessable),
                        item,
                    });
                }
                Err(e) => {
                    problems.push(loc.serde(part, &e, &format!("item {}", n + 1), MANDATE_HELP))
                }
            }
        }
        parsed.assessable_known = true;
        parsed
    } else {
        let mut parsed = Parsed::new(Vec::new());
        match serde_json::from_str::<SimpleHeader>(loc.text) {
            Ok(h) => {
                parsed.id = non_empty(h.id.as_deref());
                parsed.title = non_empty(h.title.as_deref());
                parsed.short_title = non_empty(h.short_title.as_deref());
                parsed.version = non_empty(h.version.as_deref());
                parsed.publisher = non_empty(h.publisher.as_deref());
                parsed.license = h.license.unwrap_or_default();
                parsed.url = h.url.unwrap_or_default();
            }
            Err(e) => problems.push(loc.serde(loc.text, &e, "", SIMPLE_HELP)),
        }
        for (n, raw) in items.iter().enumerate() {
            let part = raw.get();
            match serde_json::from_str::<SimpleItem>(part) {
                Ok(s) => {
                    let (line, column) = loc.position(loc.offset_of(part));
                    let id = s.id.trim().to_owned();
                    if id.is_empty() {
                        problems.push(loc.at(
                            line,
                            column,
                            format!("item {} has an empty `id` (title `{}`)", n + 1, s.title),
                            "every item needs an id; groups too",
                        ));
                        continue;
                    }
                    let label = non_empty(s.label.as_deref()).unwrap_or_else(|| id.clone());
                    let mut item = new_item(id, label, s.title, s.text);
                    item.parent = non_empty(s.parent.as_deref());
                    if let Some(kind) = non_empty(s.kind.as_deref()) {
                        item.kind = kind.to_lowercase();
                    }
                    located.push(Located {
                        line,
                        column,
                        item,
                        assessable: s.assessable,
                    });
                }
                Err(e) => {
                    problems.push(loc.serde(part, &e, &format!("item {}", n + 1), SIMPLE_HELP))
                }
            }
        }
        parsed
    };
    check_located(loc, &located, &mut problems);
    if problems.is_empty() {
        parsed.items = located;
        Ok(parsed)
    } else {
        Err(problems)
    }
}

// ---- OSCAL catalogs ----------------------------------------------------------------------

#[derive(Deserialize)]
struct OscalDocument<'a> {
    #[serde(borrow)]
    catalog: &'a RawValue,
}

#[derive(Deserialize)]
struct OscalCatalog<'a> {
    #[serde(default)]
    uuid: String,
    metadata: OscalMetadata,
    #[serde(default, borrow)]
    groups: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    controls: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct OscalMetadata {
    title: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    parties: Vec<OscalParty>,
    #[serde(default, rename = "responsible-parties")]
    responsible_parties: Vec<OscalResponsible>,
}

#[derive(Deserialize)]
struct OscalParty {
    #[serde(default)]
    uuid: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct OscalResponsible {
    #[serde(rename = "role-id")]
    role_id: String,
    #[serde(default, rename = "party-uuids")]
    party_uuids: Vec<String>,
}

#[derive(Deserialize)]
struct OscalGroup<'a> {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    props: Vec<OscalProp>,
    #[serde(default)]
    parts: Vec<OscalPart>,
    #[serde(default, borrow)]
    groups: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    controls: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct OscalControl<'a> {
    id: String,
    title: String,
    #[serde(default)]
    props: Vec<OscalProp>,
    #[serde(default)]
    parts: Vec<OscalPart>,
    #[serde(default, borrow)]
    controls: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct OscalProp {
    name: String,
    value: String,
    #[serde(default)]
    class: Option<String>,
}

#[derive(Deserialize)]
struct OscalPart {
    name: String,
    #[serde(default)]
    prose: Option<String>,
    #[serde(default)]
    props: Vec<OscalProp>,
    #[serde(default)]
    parts: Vec<OscalPart>,
}

const OSCAL_HELP: &str = "an OSCAL catalog is `{\"catalog\": {\"uuid\", \"metadata\": {\"title\", \"version\"}, \"groups\": […], \"controls\": […]}}`; groups need a `title`, controls an `id` and a `title`";

/// The official label: a `label` prop (the one without a class first), as OSCAL catalogs
/// carry it (`AC-1` for the id `ac-1`).
fn oscal_label(props: &[OscalProp]) -> Option<String> {
    let labels = || props.iter().filter(|p| p.name == "label");
    labels()
        .find(|p| p.class.is_none())
        .or_else(|| labels().next())
        .and_then(|p| non_empty(Some(&p.value)))
}

/// The prose of a control's `statement` parts, their sub-parts' in order, each prefixed
/// by its label (`a.`) when it has one.
fn oscal_statement(parts: &[OscalPart]) -> String {
    fn walk(p: &OscalPart, out: &mut Vec<String>) {
        if let Some(prose) = non_empty(p.prose.as_deref()) {
            match oscal_label(&p.props) {
                Some(label) => out.push(format!("{label} {prose}")),
                None => out.push(prose),
            }
        }
        for c in &p.parts {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    for p in parts.iter().filter(|p| p.name == "statement") {
        walk(p, &mut out);
    }
    out.join("\n")
}

fn read_oscal(loc: &Locator<'_>) -> Result<Parsed, Vec<Diagnostic>> {
    json_value(loc, OSCAL_HELP)?;
    let doc = match serde_json::from_str::<OscalDocument<'_>>(loc.text) {
        Ok(d) => d,
        Err(e) => {
            return Err(vec![loc.at(
                1,
                1,
                format!("no OSCAL `catalog` object: {}", serde_message(&e)),
                "an OSCAL catalog is `{\"catalog\": {…}}`; resolve a profile to a catalog first",
            )])
        }
    };
    let part = doc.catalog.get();
    let catalog = match serde_json::from_str::<OscalCatalog<'_>>(part) {
        Ok(c) => c,
        Err(e) => return Err(vec![loc.serde(part, &e, "catalog", OSCAL_HELP)]),
    };
    let mut problems = Vec::new();
    let mut items = Vec::new();
    let mut groups_without_id = 0;
    oscal_children(
        loc,
        &catalog.groups,
        &catalog.controls,
        (None, false),
        &mut items,
        &mut problems,
        &mut groups_without_id,
    );
    check_located(loc, &items, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let m = &catalog.metadata;
    let publisher = ["publisher", "creator"].iter().find_map(|role| {
        let names: Vec<&str> = m
            .responsible_parties
            .iter()
            .filter(|r| r.role_id == *role)
            .flat_map(|r| &r.party_uuids)
            .filter_map(|u| m.parties.iter().find(|p| &p.uuid == u))
            .map(|p| p.name.trim())
            .filter(|n| !n.is_empty())
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    });
    let mut parsed = Parsed::new(items);
    parsed.title = non_empty(Some(&m.title));
    parsed.version = non_empty(Some(&m.version));
    parsed.publisher = publisher;
    parsed.source = if catalog.uuid.is_empty() {
        "OSCAL catalog".to_owned()
    } else {
        format!("OSCAL catalog {}", catalog.uuid)
    };
    parsed.assessable_known = true;
    Ok(parsed)
}

/// Groups become group items (not assessable), controls and their nested controls
/// (enhancements) assessable items, in the order the source lists them.
fn oscal_children(
    loc: &Locator<'_>,
    groups: &[&RawValue],
    controls: &[&RawValue],
    (parent, under_control): (Option<&str>, bool),
    out: &mut Vec<Located>,
    problems: &mut Vec<Diagnostic>,
    groups_without_id: &mut usize,
) {
    let mut children: Vec<(bool, &RawValue)> = groups
        .iter()
        .map(|g| (true, *g))
        .chain(controls.iter().map(|c| (false, *c)))
        .collect();
    children.sort_by_key(|(_, raw)| loc.offset_of(raw.get()));
    for (is_group, raw) in children {
        let part = raw.get();
        let (line, column) = loc.position(loc.offset_of(part));
        if is_group {
            let g = match serde_json::from_str::<OscalGroup<'_>>(part) {
                Ok(g) => g,
                Err(e) => {
                    problems.push(loc.serde(part, &e, "group", OSCAL_HELP));
                    continue;
                }
            };
            let id = non_empty(g.id.as_deref());
            let key = id.clone().unwrap_or_else(|| {
                // OSCAL makes a group's id optional; the key is Mandate's own then, and the
                // group is labelled by its title, never by the key.
                *groups_without_id += 1;
                format!("group-{groups_without_id}")
            });
            let label = oscal_label(&g.props)
                .or_else(|| id.clone())
                .unwrap_or_else(|| g.title.clone());
            let mut item = new_item(key.clone(), label, g.title.clone(), String::new());
            item.official_id = oscal_label(&g.props).or(id);
            item.text = oscal_statement(&g.parts);
            item.text_is_official = !item.text.is_empty();
            item.kind = "group".into();
            item.assessable = false;
            item.parent = parent.map(str::to_owned);
            out.push(Located {
                line,
                column,
                item,
                assessable: Some(false),
            });
            oscal_children(
                loc,
                &g.groups,
                &g.controls,
                (Some(&key), false),
                out,
                problems,
                groups_without_id,
            );
        } else {
            let c = match serde_json::from_str::<OscalControl<'_>>(part) {
                Ok(c) => c,
                Err(e) => {
                    problems.push(loc.serde(part, &e, "control", OSCAL_HELP));
                    continue;
                }
            };
            let id = c.id.trim().to_owned();
            if id.is_empty() {
                problems.push(loc.at(
                    line,
                    column,
                    format!("control `{}` has an empty `id`", c.title),
                    "every OSCAL control has an id",
                ));
                continue;
            }
            let label = oscal_label(&c.props).unwrap_or_else(|| id.clone());
            let mut item = new_item(id.clone(), label, c.title, oscal_statement(&c.parts));
            item.kind = if under_control {
                "enhancement".into()
            } else {
                "control".into()
            };
            let withdrawn = c
                .props
                .iter()
                .any(|p| p.name == "status" && p.value.eq_ignore_ascii_case("withdrawn"));
            if withdrawn {
                item.assessable = false;
                item.notes = "withdrawn".into();
            }
            item.parent = parent.map(str::to_owned);
            let assessable = item.assessable;
            out.push(Located {
                line,
                column,
                item,
                assessable: Some(assessable),
            });
            oscal_children(
                loc,
                &[],
                &c.controls,
                (Some(&id), true),
                out,
                problems,
                groups_without_id,
            );
        }
    }
}

// ---- checks and assembly -----------------------------------------------------------------

/// Keys unique, parents known, no item under itself; each problem at the item's line.
fn check_located(loc: &Locator<'_>, items: &[Located], problems: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, u32> = HashMap::new();
    for l in items {
        let key = l.item.key.as_str();
        match first.get(key) {
            Some(line) => problems.push(loc.at(
                l.line,
                l.column,
                format!("item `{key}` appears twice: also at line {line}"),
                "item ids are unique within a framework; rename or merge the two",
            )),
            None => {
                first.insert(key, l.line);
            }
        }
    }
    let parent_of: HashMap<&str, &str> = items
        .iter()
        .filter_map(|l| l.item.parent.as_deref().map(|p| (l.item.key.as_str(), p)))
        .collect();
    for l in items {
        let Some(parent) = l.item.parent.as_deref() else {
            continue;
        };
        if !first.contains_key(parent) {
            problems.push(loc.at(
                l.line,
                l.column,
                format!(
                    "item `{}` names parent `{parent}`, which is not an item of this file",
                    l.item.key
                ),
                "list the parent as an item too, or leave `parent` empty",
            ));
            continue;
        }
        // Walk up; coming back to the item is a cycle (at most one step per item).
        let mut path = vec![parent];
        let mut at = parent;
        for _ in 0..items.len() {
            if at == l.item.key {
                problems.push(loc.at(
                    l.line,
                    l.column,
                    format!(
                        "item `{}` sits under itself: {} → {}",
                        l.item.key,
                        l.item.key,
                        path.join(" → ")
                    ),
                    "an item's parent must be a group above it",
                ));
                break;
            }
            match parent_of.get(at) {
                Some(p) => {
                    at = p;
                    path.push(p);
                }
                None => break,
            }
        }
    }
}

fn finish(
    loc: &Locator<'_>,
    stem: &str,
    parsed: Parsed,
    overrides: &Overrides,
) -> Result<Framework, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let over = |o: &Option<String>| non_empty(o.as_deref());
    let id = match over(&overrides.id) {
        Some(id) => {
            if !catalog::valid_framework_id(&id) {
                problems.push(loc.at(
                    1,
                    1,
                    format!("framework id `{id}` is not a slug"),
                    "use lowercase letters, digits, `.` and `-`, starting with a letter, e.g. `acme-ai-policy-2026`",
                ));
            }
            id
        }
        None => match parsed.id.clone() {
            Some(id) if catalog::valid_framework_id(&id) => id,
            Some(id) => {
                problems.push(loc.at(
                    1,
                    1,
                    format!("the file's framework id `{id}` is not a slug"),
                    "pass `--id` with lowercase letters, digits, `.` and `-`, e.g. `acme-ai-policy-2026`",
                ));
                id
            }
            None => {
                let id = slug(stem);
                if !catalog::valid_framework_id(&id) {
                    problems.push(loc.at(
                        1,
                        1,
                        format!("no framework id: the file name `{stem}` makes none"),
                        "pass `--id` with lowercase letters, digits, `.` and `-`, e.g. `acme-ai-policy-2026`",
                    ));
                }
                id
            }
        },
    };
    let mut items = parsed.items;
    if !parsed.assessable_known {
        // Leaves are assessable, groups are not, unless the source says otherwise.
        let parents: std::collections::HashSet<String> =
            items.iter().filter_map(|l| l.item.parent.clone()).collect();
        for l in &mut items {
            let is_group = l.item.kind == "group" || parents.contains(&l.item.key);
            l.item.assessable = l.assessable.unwrap_or(!is_group);
            if !l.item.assessable && l.item.kind == "item" {
                l.item.kind = "group".into();
            }
        }
    }
    if items.is_empty() {
        problems.push(loc.at(
            1,
            1,
            format!("framework `{id}` has no items"),
            "a framework needs at least one item",
        ));
    } else if !items.iter().any(|l| l.item.assessable) {
        problems.push(loc.at(
            1,
            1,
            format!("framework `{id}` has no assessable items (every item is a group)"),
            "give items a parent, or mark the assessable ones with `assessable` = true",
        ));
    }
    let title = over(&overrides.title)
        .or(parsed.title)
        .unwrap_or_else(|| stem.to_owned());
    let file_name = std::path::Path::new(loc.file)
        .file_name()
        .map_or_else(|| loc.file.to_owned(), |n| n.to_string_lossy().into_owned());
    let source = if parsed.source.is_empty() {
        format!("imported from `{file_name}`")
    } else {
        format!("imported from `{file_name}` ({})", parsed.source)
    };
    let framework = Framework {
        id,
        short_title: parsed.short_title.unwrap_or_else(|| title.clone()),
        title,
        version: over(&overrides.version)
            .or(parsed.version)
            .unwrap_or_default(),
        publisher: over(&overrides.publisher)
            .or(parsed.publisher)
            .unwrap_or_default(),
        license: parsed.license,
        url: parsed.url,
        source,
        notes: parsed.notes,
        origin: Origin::Custom,
        items: items.into_iter().map(|l| l.item).collect(),
    };
    if problems.is_empty() {
        // The catalog's own checks, as a last guard (the located ones above come first).
        problems = catalog::check(loc.file, &framework);
    }
    if problems.is_empty() {
        Ok(framework)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests;
