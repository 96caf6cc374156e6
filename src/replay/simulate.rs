//! `mandate simulate` on loose files — no workspace: a schema, entities, two policy sets and
//! a JSON Lines file of recorded requests; one result line per request (DESIGN.md §4).
//!
//! Requests stream through in batches: each batch is decoded (bad records are reported by
//! line and skipped), evaluated on both sides through the [`ScopeIndex`] on all cores, and
//! handed to the caller in file order, so memory stays flat in the file's size.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cedar_policy::{
    Context, Entities, EntityId, EntityTypeName, EntityUid, PolicySet, Request,
    RestrictedExpression, Schema,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::import::record::{Normalised, Normaliser};
use super::import::LineError;
use super::report::{ReplayReport, ReportBuilder};
use super::{compare_batch, Decision, Outcome, OutcomePair, ReplayError, ScopeIndex};
use crate::diagnostics::Diagnostic;
use crate::store::NewRequest;

/// Requests decoded and evaluated together.
pub(crate) const BATCH: usize = 4_096;
/// Bad-record messages kept; the rest are counted.
const MAX_ERRORS: usize = 1_000;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SimulateError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(
        code(mandate::simulate::io),
        help("check that the path exists and is readable")
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the policies in `{path}` have {count} error(s)")]
    #[diagnostic(
        code(mandate::simulate::policies),
        help("fix them first (`mandate validate` on a workspace shows the same problems)")
    )]
    Policies {
        path: String,
        count: usize,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("the schema `{path}` does not parse: {message}")]
    #[diagnostic(
        code(mandate::simulate::schema),
        help("a .cedarschema file, or Cedar's JSON schema in a .json file")
    )]
    Schema { path: String, message: String },
    #[error("the entities `{path}` do not load: {message}")]
    #[diagnostic(code(mandate::simulate::entities), help("Cedar's entities JSON: an array of {{uid, attrs, parents}}, checked against the schema"))]
    Entities { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Replay(#[from] ReplayError),
    #[error("the replay was cancelled")]
    #[diagnostic(
        code(mandate::simulate::cancelled),
        help("nothing of it was kept; run it again")
    )]
    Cancelled,
}

/// One side's answer, as the JSON Lines output shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SideResult {
    /// `allow` or `deny`.
    pub decision: String,
    /// Ids of the determining policies, sorted.
    pub reasons: Vec<String>,
    /// Ids of the policies that errored, sorted.
    pub errors: Vec<String>,
}

impl From<&Outcome> for SideResult {
    fn from(o: &Outcome) -> Self {
        let mut errors: Vec<String> = o.errors.iter().map(|(id, _)| id.clone()).collect();
        errors.dedup();
        Self {
            decision: match o.decision {
                Decision::Allow => "allow".into(),
                Decision::Deny => "deny".into(),
            },
            reasons: o.reasons.clone(),
            errors,
        }
    }
}

/// One request replayed on both sides (DESIGN.md §4's line shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayLine {
    /// The record's id, else `line:N`.
    pub id: String,
    /// What production decided, when recorded.
    pub recorded: Option<String>,
    pub baseline: SideResult,
    pub candidate: SideResult,
    pub changed: bool,
}

/// Totals of a simulation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SimulateSummary {
    #[ts(type = "number")]
    pub requests: u64,
    /// Requests whose decision, reasons or errors differ between the sides.
    #[ts(type = "number")]
    pub changed: u64,
    #[ts(type = "number")]
    pub allow_to_deny: u64,
    #[ts(type = "number")]
    pub deny_to_allow: u64,
    /// Same decision, different determining policies or errors.
    #[ts(type = "number")]
    pub reasons_changed: u64,
    /// Requests with an error on the candidate side that the baseline did not have.
    #[ts(type = "number")]
    pub new_errors: u64,
    /// Requests with a baseline error the candidate no longer has.
    #[ts(type = "number")]
    pub resolved_errors: u64,
    /// Requests whose recorded production decision differs from the baseline's.
    #[ts(type = "number")]
    pub drift: u64,
    /// Bad records, each in `errors` (up to 1,000).
    #[ts(type = "number")]
    pub skipped: u64,
    pub errors: Vec<LineError>,
}

/// One replayed request as a [`Replayer`] hands it on: the result line and the record.
pub struct ResultItem<'r> {
    /// The record's line in its file, or its row in a stored set.
    pub line: u64,
    pub result: &'r ReplayLine,
    pub request: &'r NewRequest,
}

/// A replay's totals and breakdowns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replayed {
    pub summary: SimulateSummary,
    pub report: ReplayReport,
}

/// The loose files of a simulation.
#[derive(Debug, Clone)]
pub struct SimulateFiles {
    pub schema: PathBuf,
    pub entities: PathBuf,
    /// A `.cedar` file or a folder of them (read in sorted path order).
    pub baseline: PathBuf,
    pub candidate: PathBuf,
    /// JSON Lines of recorded requests (DESIGN.md §4).
    pub requests: PathBuf,
}

/// Replays `files.requests` on both sides; `each` gets every result line in file order.
pub fn simulate_files(
    files: &SimulateFiles,
    each: &mut dyn FnMut(&ResultItem<'_>) -> std::io::Result<()>,
) -> Result<Replayed, SimulateError> {
    let schema = load_schema(&files.schema)?;
    let entities = load_entities(&files.entities, &schema)?;
    let baseline = load_policies(&files.baseline)?;
    let candidate = load_policies(&files.candidate)?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| SimulateError::Io { path, source }
    };
    let mut reader =
        BufReader::new(std::fs::File::open(&files.requests).map_err(io(&files.requests))?);
    let mut replayer = Replayer::new(&schema, &entities, &baseline, &candidate, "", each)?;
    let mut text = String::new();
    let mut number = 0u64;
    loop {
        text.clear();
        if reader.read_line(&mut text).map_err(io(&files.requests))? == 0 {
            break;
        }
        number += 1;
        let trimmed = text.trim();
        if !trimmed.is_empty() {
            replayer.text(number, trimmed)?;
        }
    }
    replayer.finish()
}

/// Replays records on both sides in batches; results reach `each` in the order pushed.
pub struct Replayer<'a> {
    index: ScopeIndex,
    decoder: Decoder<'a>,
    entities: &'a Entities,
    /// Records not yet decoded: a batch is decoded on all cores when it is flushed.
    pending: Vec<(u64, Pending)>,
    summary: SimulateSummary,
    report: ReportBuilder,
    each: &'a mut dyn FnMut(&ResultItem<'_>) -> std::io::Result<()>,
    /// The batch evaluated last, handed on while the next one evaluates.
    ready: Option<Evaluated>,
}

impl<'a> Replayer<'a> {
    /// `namespace` is added to unqualified entity types in records given as text.
    pub fn new(
        schema: &'a Schema,
        entities: &'a Entities,
        baseline: &PolicySet,
        candidate: &PolicySet,
        namespace: &str,
        each: &'a mut dyn FnMut(&ResultItem<'_>) -> std::io::Result<()>,
    ) -> Result<Self, SimulateError> {
        Ok(Self {
            index: ScopeIndex::pair(baseline, candidate)?,
            decoder: Decoder {
                normaliser: Normaliser::new(namespace),
                types: HashMap::new(),
                checked_shapes: HashMap::new(),
                schema,
                entities,
            },
            entities,
            pending: Vec::with_capacity(BATCH),
            summary: SimulateSummary::default(),
            report: ReportBuilder::new(candidate.policies().map(|p| p.id().to_string())),
            each,
            ready: None,
        })
    }

    /// A record as JSON text (a line of a requests file); `line` names it in messages.
    pub fn text(&mut self, line: u64, text: &str) -> Result<(), SimulateError> {
        self.push(line, Pending::Text(text.to_owned()))
    }

    /// A record already normalised (from a stored request set); `line` is its row.
    pub fn record(&mut self, line: u64, record: NewRequest) -> Result<(), SimulateError> {
        self.push(line, Pending::Record(Box::new(record)))
    }

    fn push(&mut self, line: u64, record: Pending) -> Result<(), SimulateError> {
        self.pending.push((line, record));
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Starts decoding and evaluating what is pending on the pool while this thread hands on
    /// the previous batch's results (so reading and writing results overlap evaluation).
    fn flush(&mut self) -> Result<(), SimulateError> {
        let pending = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
        let previous = self.ready.take();
        let Self {
            index,
            decoder,
            entities,
            summary,
            report,
            each,
            ..
        } = self;
        let (index, decoder, entities): (&ScopeIndex, &Decoder<'_>, &Entities) =
            (index, decoder, entities);
        let (evaluated, emitted) = std::thread::scope(|scope| {
            let worker = (!pending.is_empty())
                .then(|| scope.spawn(move || evaluate(index, decoder, entities, pending)));
            let emitted = previous.map_or(Ok(()), |done| emit(done, summary, report, &mut **each));
            let evaluated = worker.map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            (evaluated, emitted)
        });
        emitted?;
        self.ready = evaluated;
        Ok(())
    }

    /// Evaluates what is pending and returns the totals and breakdowns.
    pub fn finish(mut self) -> Result<Replayed, SimulateError> {
        // The first evaluates the last batch while handing on the one before; the second
        // hands on the last.
        self.flush()?;
        self.flush()?;
        Ok(Replayed {
            summary: self.summary,
            report: self.report.finish(),
        })
    }
}

/// A batch decoded and evaluated, waiting to be handed on.
struct Evaluated {
    results: Vec<(u64, NewRequest, OutcomePair)>,
    /// Records that did not decode, in line order.
    bad: Vec<(u64, String)>,
}

/// Decodes a batch on all cores (JSON, then Cedar's context parser and request validation
/// cost about as much as evaluating) and evaluates it on both sides.
fn evaluate(
    index: &ScopeIndex,
    decoder: &Decoder<'_>,
    entities: &Entities,
    pending: Vec<(u64, Pending)>,
) -> Evaluated {
    let decoded: Vec<(u64, Result<Option<Decoded>, String>)> = pending
        .into_par_iter()
        .map_init(|| decoder.clone(), |d, (line, p)| (line, d.decode(p)))
        .collect();
    let mut records = Vec::with_capacity(decoded.len());
    let mut requests = Vec::with_capacity(decoded.len());
    let mut owns = Vec::with_capacity(decoded.len());
    let mut bad = Vec::new();
    for (line, result) in decoded {
        match result {
            Ok(Some((record, request, own))) => {
                records.push((line, record));
                requests.push(request);
                owns.push(own);
            }
            Ok(None) => {}
            Err(message) => bad.push((line, message)),
        }
    }
    let batch: Vec<(Request, &Entities)> = requests
        .into_iter()
        .zip(&owns)
        .map(|(req, own)| (req, own.as_ref().unwrap_or(entities)))
        .collect();
    let outcomes = compare_batch(index, &batch);
    let results = records
        .into_iter()
        .zip(outcomes)
        .map(|((line, record), pair)| (line, record, pair))
        .collect();
    Evaluated { results, bad }
}

/// Hands on an evaluated batch: its bad records, then each result in order.
fn emit(
    done: Evaluated,
    summary: &mut SimulateSummary,
    report: &mut ReportBuilder,
    each: &mut dyn FnMut(&ResultItem<'_>) -> std::io::Result<()>,
) -> Result<(), SimulateError> {
    for (line, message) in done.bad {
        bad(summary, line, message);
    }
    for (line, record, pair) in &done.results {
        let out = result_line(*line, record, pair, summary);
        report.add(
            &record.principal,
            &record.action,
            &record.resource,
            &out.baseline,
            &out.candidate,
        );
        let item = ResultItem {
            line: *line,
            result: &out,
            request: record,
        };
        each(&item).map_err(|source| {
            if source.kind() == std::io::ErrorKind::Interrupted {
                SimulateError::Cancelled
            } else {
                SimulateError::Io {
                    path: "standard output".to_owned(),
                    source,
                }
            }
        })?;
    }
    Ok(())
}

/// Counts a bad record, keeping the first [`MAX_ERRORS`] messages.
fn bad(summary: &mut SimulateSummary, line: u64, message: String) {
    summary.skipped += 1;
    if summary.errors.len() < MAX_ERRORS {
        summary.errors.push(LineError { line, message });
    }
}

fn result_line(
    line: u64,
    record: &NewRequest,
    pair: &OutcomePair,
    summary: &mut SimulateSummary,
) -> ReplayLine {
    let baseline = SideResult::from(&pair.baseline);
    let candidate = SideResult::from(&pair.candidate);
    let changed = baseline != candidate;
    summary.requests += 1;
    if changed {
        summary.changed += 1;
        match (pair.baseline.decision, pair.candidate.decision) {
            (Decision::Allow, Decision::Deny) => summary.allow_to_deny += 1,
            (Decision::Deny, Decision::Allow) => summary.deny_to_allow += 1,
            _ => summary.reasons_changed += 1,
        }
    }
    if candidate
        .errors
        .iter()
        .any(|e| !baseline.errors.contains(e))
    {
        summary.new_errors += 1;
    }
    if baseline
        .errors
        .iter()
        .any(|e| !candidate.errors.contains(e))
    {
        summary.resolved_errors += 1;
    }
    if record
        .decision
        .as_deref()
        .is_some_and(|d| d != baseline.decision)
    {
        summary.drift += 1;
    }
    ReplayLine {
        id: record.rid.clone().unwrap_or_else(|| format!("line:{line}")),
        recorded: record.decision.clone(),
        baseline,
        candidate,
        changed,
    }
}

/// A record waiting in a batch to be decoded.
enum Pending {
    /// JSON text (a line of a requests file).
    Text(String),
    /// Already normalised (a stored request).
    Record(Box<NewRequest>),
}

/// A decoded record: the record, its Cedar request, and its own entities when it brings some.
type Decoded = (NewRequest, Request, Option<Entities>);

/// Turns a record's text into a Cedar request (and its own entities, when it brings some).
/// Cloned per worker thread when a batch is decoded on all cores.
#[derive(Clone)]
struct Decoder<'a> {
    normaliser: Normaliser,
    types: HashMap<String, EntityTypeName>,
    /// Request shapes (see [`Decoder::fast_request`]) whose schema check does not depend on
    /// the ids (`true`), or may (`false`).
    checked_shapes: HashMap<String, bool>,
    schema: &'a Schema,
    entities: &'a Entities,
}

impl Decoder<'_> {
    /// A pending record, decoded; `None` for records that are not requests.
    fn decode(&mut self, pending: Pending) -> Result<Option<Decoded>, String> {
        let record = match pending {
            Pending::Text(text) => match self.record(&text)? {
                Some(record) => record,
                None => return Ok(None),
            },
            Pending::Record(record) => *record,
        };
        let (request, own) = self.request(&record)?;
        Ok(Some((record, request, own)))
    }

    /// A record's text, normalised; `None` for records that are not requests.
    fn record(&mut self, text: &str) -> Result<Option<NewRequest>, String> {
        if let Some(r) = self.normaliser.normalise_fast(text) {
            return Ok(Some(r));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        match self.normaliser.normalise(value) {
            Ok(Normalised::Request(r)) => Ok(Some(*r)),
            Ok(Normalised::Ignored) => Ok(None),
            Err(problems) => Err(problems.join("; ")),
        }
    }

    /// The Cedar request of a record, and its own entities when it brings some.
    fn request(&mut self, record: &NewRequest) -> Result<(Request, Option<Entities>), String> {
        let principal = self.uid(&record.principal)?;
        let action = self.uid(&record.action)?;
        let resource = self.uid(&record.resource)?;
        // The typed fast path (DESIGN.md §7): a context of strings, booleans and integers
        // means the same with or without the schema, and `Request::new` checks it against
        // the schema; anything else, or a context that does not fit, goes through Cedar's
        // schema-guided parser (which also gives the error messages).
        let fast =
            record
                .context
                .as_deref()
                .and_then(typed_context)
                .and_then(|(context, shape)| {
                    self.fast_request(record, &principal, &action, &resource, context, shape)
                });
        let request = match fast {
            Some(request) => request,
            None => {
                let context = match &record.context {
                    None => Context::empty(),
                    Some(json) => Context::from_json_str(json, Some((self.schema, &action)))
                        .map_err(|e| format!("`context`: {}", one_line(&e.to_string())))?,
                };
                Request::new(principal, action, resource, context, Some(self.schema)).map_err(
                    |e| {
                        format!(
                            "the request does not fit the schema: {}",
                            one_line(&e.to_string())
                        )
                    },
                )?
            }
        };
        let own = match &record.entities {
            None => None,
            Some(json) => Some(
                self.entities
                    .clone()
                    .add_entities_from_json_str(json, Some(self.schema))
                    .map_err(|e| format!("`entities`: {}", one_line(&with_causes(&e))))?,
            ),
        };
        Ok((request, own))
    }

    /// A request with a typed context, checked against the schema — once per shape when the
    /// check cannot depend on the ids. Schema validation of such a request looks at the
    /// principal and resource types (and their ids only for enumerated entity types), the
    /// action, and the context's keys and value kinds. So when a request and a probe of the
    /// same shape with made-up ids both pass, later requests of that shape skip the check
    /// (it was a tenth of the run's time); a shape that fails is checked every time.
    fn fast_request(
        &mut self,
        record: &NewRequest,
        principal: &EntityUid,
        action: &EntityUid,
        resource: &EntityUid,
        context: Context,
        shape: String,
    ) -> Option<Request> {
        let key = format!(
            "{}\0{}\0{}\0{}\0{shape}",
            record.principal.0, record.action.0, record.action.1, record.resource.0
        );
        let uids = || (principal.clone(), action.clone(), resource.clone());
        match self.checked_shapes.get(&key) {
            Some(true) => {
                let (p, a, r) = uids();
                return Request::new(p, a, r, context, None).ok();
            }
            Some(false) => {
                let (p, a, r) = uids();
                return Request::new(p, a, r, context, Some(self.schema)).ok();
            }
            None => {}
        }
        let (p, a, r) = uids();
        let request = Request::new(p, a, r, context.clone(), Some(self.schema)).ok();
        let probe = request.is_some() && {
            let probe = |uid: &EntityUid| {
                EntityUid::from_type_name_and_id(
                    uid.type_name().clone(),
                    EntityId::new("\0mandate shape probe\0"),
                )
            };
            Request::new(
                probe(principal),
                action.clone(),
                probe(resource),
                context,
                Some(self.schema),
            )
            .is_ok()
        };
        self.checked_shapes.insert(key, probe);
        request
    }

    fn uid(&mut self, (ty, id): &(String, String)) -> Result<EntityUid, String> {
        let name = match self.types.get(ty) {
            Some(n) => n.clone(),
            None => {
                let n = EntityTypeName::from_str(ty)
                    .map_err(|_| format!("`{ty}` is not a Cedar entity type name"))?;
                self.types.insert(ty.clone(), n.clone());
                n
            }
        };
        Ok(EntityUid::from_type_name_and_id(name, EntityId::new(id)))
    }
}

/// A context object whose values are all strings, booleans and integers (`None` otherwise,
/// and for text that is not a JSON object), with its shape: each key and its value's kind.
/// Duplicate keys make `Context::from_pairs` fail, as they make Cedar's parser fail.
fn typed_context(json: &str) -> Option<(Context, String)> {
    let typed = serde_json::from_str::<TypedContext>(json).ok()?;
    Some((Context::from_pairs(typed.pairs?).ok()?, typed.shape))
}

/// See [`typed_context`]: `pairs` is `None` when a value is of another kind.
struct TypedContext {
    pairs: Option<Vec<(String, RestrictedExpression)>>,
    /// `{key length}:{key}{kind}` per key, in order (length-prefixed, so unambiguous).
    shape: String,
}

impl<'de> Deserialize<'de> for TypedContext {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = TypedContext;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a context object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TypedContext, A::Error> {
                let mut pairs = Some(Vec::new());
                let mut shape = String::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<TypedValue>()?;
                    let _ = write!(shape, "{}:{key}{}", key.len(), value.kind);
                    pairs = pairs.zip(value.value).map(|(mut pairs, value)| {
                        pairs.push((key, value));
                        pairs
                    });
                }
                Ok(TypedContext { pairs, shape })
            }
        }
        d.deserialize_map(Fields)
    }
}

/// One context value: a string, boolean or integer, else `None`; `kind` is `s`, `b`, `l`
/// or `-`.
struct TypedValue {
    value: Option<RestrictedExpression>,
    kind: char,
}

impl TypedValue {
    fn some(value: RestrictedExpression, kind: char) -> Self {
        Self {
            value: Some(value),
            kind,
        }
    }

    fn none() -> Self {
        Self {
            value: None,
            kind: '-',
        }
    }
}

impl<'de> Deserialize<'de> for TypedValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess};
        struct Value;
        impl<'de> serde::de::Visitor<'de> for Value {
            type Value = TypedValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a context value")
            }
            fn visit_str<E>(self, v: &str) -> Result<TypedValue, E> {
                Ok(TypedValue::some(
                    RestrictedExpression::new_string(v.to_owned()),
                    's',
                ))
            }
            fn visit_string<E>(self, v: String) -> Result<TypedValue, E> {
                Ok(TypedValue::some(RestrictedExpression::new_string(v), 's'))
            }
            fn visit_bool<E>(self, v: bool) -> Result<TypedValue, E> {
                Ok(TypedValue::some(RestrictedExpression::new_bool(v), 'b'))
            }
            fn visit_i64<E>(self, v: i64) -> Result<TypedValue, E> {
                Ok(TypedValue::some(RestrictedExpression::new_long(v), 'l'))
            }
            fn visit_u64<E>(self, v: u64) -> Result<TypedValue, E> {
                Ok(match i64::try_from(v) {
                    Ok(v) => TypedValue::some(RestrictedExpression::new_long(v), 'l'),
                    Err(_) => TypedValue::none(),
                })
            }
            fn visit_f64<E>(self, _: f64) -> Result<TypedValue, E> {
                Ok(TypedValue::none())
            }
            fn visit_unit<E>(self) -> Result<TypedValue, E> {
                Ok(TypedValue::none())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TypedValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TypedValue::none())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TypedValue, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TypedValue::none())
            }
        }
        d.deserialize_any(Value)
    }
}

pub(crate) fn load_schema(path: &Path) -> Result<Schema, SimulateError> {
    let text = std::fs::read_to_string(path).map_err(|source| SimulateError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let parsed = if path.extension().is_some_and(|e| e == "json") {
        Schema::from_json_str(&text).map_err(|e| e.to_string())
    } else {
        use crate::policy::guard;
        guard::check(&text, guard::Syntax::Schema)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                Schema::from_cedarschema_str(&text)
                    .map(|(s, _)| s)
                    .map_err(|e| e.to_string())
            })
    };
    parsed.map_err(|message| SimulateError::Schema {
        path: path.display().to_string(),
        message: one_line(&message),
    })
}

pub(crate) fn load_entities(path: &Path, schema: &Schema) -> Result<Entities, SimulateError> {
    let text = std::fs::read_to_string(path).map_err(|source| SimulateError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Entities::from_json_str(&text, Some(schema)).map_err(|e| SimulateError::Entities {
        path: path.display().to_string(),
        message: one_line(&with_causes(&e)),
    })
}

/// A `.cedar` file, or every `.cedar` file under a folder in sorted path order; ids from
/// `@id`, else `policyN` across the files.
pub fn load_policies(path: &Path) -> Result<PolicySet, SimulateError> {
    Ok(load_policy_report(path)?.set)
}

/// [`load_policies`] with the whole check: files, statements and where each policy is.
pub fn load_policy_report(path: &Path) -> Result<crate::policy::PolicyReport, SimulateError> {
    let io = |source| SimulateError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    let mut links = None;
    if path.is_dir() {
        // A workspace's `policies/` folder keeps its template links beside the files.
        let links_path = path.join("links.toml");
        if links_path.is_file() {
            links = Some(std::fs::read_to_string(&links_path).map_err(io)?);
        }
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry = entry.map_err(|e| io(std::io::Error::other(e.to_string())))?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "cedar")
            {
                let rel = entry
                    .path()
                    .strip_prefix(path)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                if let Some(d) = crate::diagnostics::oversize(&rel, entry.path()) {
                    problems.push(d);
                    continue;
                }
                let text = std::fs::read_to_string(entry.path()).map_err(io)?;
                sources.push((rel, text));
            }
        }
    } else {
        let name = path.file_name().map_or_else(
            || "policies.cedar".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        match crate::diagnostics::oversize(&name, path) {
            Some(d) => problems.push(d),
            None => sources.push((name, std::fs::read_to_string(path).map_err(io)?)),
        }
    }
    let report = crate::policy::Checker::default().check(
        crate::policy::Sources {
            files: sources,
            links,
            problems,
        },
        &crate::policy::Settings::default(),
    );
    if report.error_count() > 0 {
        return Err(SimulateError::Policies {
            path: path.display().to_string(),
            count: report.error_count(),
            diagnostics: report.diagnostics,
        });
    }
    Ok(report)
}

/// An error's message followed by its causes: Cedar puts the detail in the sources.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        next = cause.source();
    }
    text
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One record given as text (unqualified types kept as they are), as a Cedar request and its
/// own entities when it brings some; the message says what is wrong with a bad record.
pub(crate) fn decode_text(
    schema: &Schema,
    entities: &Entities,
    text: &str,
) -> Result<(NewRequest, Request, Option<Entities>), String> {
    let mut decoder = Decoder {
        normaliser: Normaliser::new(""),
        types: HashMap::new(),
        checked_shapes: HashMap::new(),
        schema,
        entities,
    };
    let record = decoder
        .record(text.trim())?
        .ok_or_else(|| "the record is not a request".to_owned())?;
    let (request, own) = decoder.request(&record)?;
    Ok((record, request, own))
}

/// A stored (already normalised) record as a Cedar request and its own entities.
pub(crate) fn decode_record(
    schema: &Schema,
    entities: &Entities,
    record: &NewRequest,
) -> Result<(Request, Option<Entities>), String> {
    Decoder {
        normaliser: Normaliser::new(""),
        types: HashMap::new(),
        checked_shapes: HashMap::new(),
        schema,
        entities,
    }
    .request(record)
}
