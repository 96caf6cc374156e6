//! `mandate requests import`: recorded requests from a file into a named set, streaming.
//!
//! The file's shape is detected from its first bytes: JSON Lines (one record per line), a
//! JSON array of records (read element by element), or one JSON object — a Cedar CLI request
//! or a Cedar integration-test file (`requests[]`). Records are normalised by
//! [`record::Normaliser`] and stored in batches, one transaction per batch, so memory stays
//! flat in the file's size. A bad record is reported as `file:line: message`, skipped and
//! counted; with `strict` any bad record fails the import and nothing is written. The set
//! shows the import only once it completes.

pub mod record;

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::store::{Db, ImportRun, NewRequest, StoreError};
use record::{Normalised, Normaliser};

/// Records per transaction.
pub const DEFAULT_BATCH: usize = 10_000;
/// Bad-record messages kept in the summary; the rest are counted.
pub const MAX_ERRORS: usize = 1_000;
/// A whole-file JSON object larger than this is refused (JSONL and arrays stream).
const MAX_WHOLE_FILE: u64 = 256 * 1024 * 1024;
/// The longest JSON Lines record: far above any real request (with its extra entities), far
/// below what would let one line exhaust memory.
const MAX_LINE: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(
        code(mandate::import::io),
        help("check that the file exists and is readable")
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] StoreError),
    #[error("the import was cancelled")]
    #[diagnostic(
        code(mandate::import::cancelled),
        help("nothing of it was kept; import the file again")
    )]
    Cancelled,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions<'a> {
    /// The set to add to (created when new).
    pub set: &'a str,
    /// Added to unqualified entity types.
    pub namespace: &'a str,
    /// Any bad record fails the import; nothing is written.
    pub strict: bool,
    pub batch: usize,
    /// Checked after every batch; when set, the import stops and nothing of it is kept.
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

/// One bad record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// Records per replay grade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Grades {
    #[ts(type = "number")]
    pub full: u64,
    #[ts(type = "number")]
    pub no_context: u64,
    #[ts(type = "number")]
    pub ids_only: u64,
}

/// What an import did (`--format json` prints it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub file: String,
    pub set: String,
    /// `jsonl`, `json-array`, `cedar-request` or `cedar-test`.
    pub format: String,
    /// New records stored.
    #[ts(type = "number")]
    pub kept: u64,
    /// Records already in the set (same id, or same content without one).
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Bad records, each in `errors` (up to 1,000).
    #[ts(type = "number")]
    pub skipped: u64,
    /// Records that are not requests (Cedarling system and metric logs).
    #[ts(type = "number")]
    pub ignored: u64,
    /// Grades of the records read (kept and duplicates).
    pub grades: Grades,
    pub errors: Vec<LineError>,
    /// Whether nothing was written because `strict` met a bad record.
    pub failed_strict: bool,
}

/// Progress, reported after each batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Records read so far (kept, duplicate or skipped).
    #[ts(type = "number")]
    pub records: u64,
}

/// Imports `path` into `db`. `progress` is called after each batch.
///
/// Two threads: this one writes to SQLite while a parser thread reads, parses and normalises
/// the file, handing batches over a bounded channel (so memory stays flat), in file order.
pub fn import_file(
    db: &mut Db,
    path: &Path,
    opts: &ImportOptions<'_>,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ImportError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|source| ImportError::Io {
        path: name.clone(),
        source,
    })?;
    let bytes_total = file.metadata().map(|m| m.len()).unwrap_or(0);
    import_reader(db, Box::new(file), &name, bytes_total, opts, progress)
}

/// [`import_file`] from any reader: `name` is the file shown in the summary and in errors,
/// `bytes_total` its size for progress (the fuzz harness imports bytes from memory).
pub fn import_reader(
    db: &mut Db,
    input: Box<dyn Read + Send>,
    name: &str,
    bytes_total: u64,
    opts: &ImportOptions<'_>,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ImportError> {
    let io = |source| ImportError::Io {
        path: name.to_owned(),
        source,
    };
    let (tx, rx) = mpsc::sync_channel::<Message>(CHANNEL_BATCHES);
    let (parsed, written) = std::thread::scope(|scope| {
        let parser = scope.spawn(|| parse(input, bytes_total, name, opts, tx));
        let written = write(db, opts, name, bytes_total, rx, progress);
        let parsed = parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (parsed, written)
    });
    let Written {
        run,
        kept,
        duplicates,
        error,
        cancelled,
    } = written;
    let outcome = match (parsed, error) {
        _ if cancelled => Err(ImportError::Cancelled),
        // The writer's failure first: the parser then only saw its channel close.
        (_, Some(e)) => Err(ImportError::Store(e)),
        (Err(SinkError::Io(source)), None) => Err(io(source)),
        // The writer stops only with an error, handled above.
        (Err(SinkError::Closed), None) => {
            Err(io(std::io::Error::other("the import's writer stopped")))
        }
        (Ok(summary), None) => Ok(summary),
    };
    let mut summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            // Best effort: the next import into the set clears an incomplete run anyway.
            if let Some(run) = run {
                let _ = db.abort_import(run);
            }
            return Err(e);
        }
    };
    let Some(run) = run else {
        // The parser always announces the format before it finishes without an error.
        return Err(io(std::io::Error::other("the import did not start")));
    };
    if opts.strict && summary.skipped > 0 {
        db.abort_import(run)?;
        summary.failed_strict = true;
        return Ok(summary);
    }
    summary.kept = kept;
    summary.duplicates = duplicates;
    db.complete_import(run, summary.kept, summary.duplicates, summary.skipped)?;
    Ok(summary)
}

/// Batches in flight between the parser and the writer.
const CHANNEL_BATCHES: usize = 2;

/// From the parser thread to the writer, in this order: the format, then batches.
enum Message {
    Format(Format),
    Batch {
        requests: Vec<NewRequest>,
        bytes_read: u64,
        /// Bad records so far (for progress).
        skipped: u64,
    },
}

/// What the writer did.
struct Written {
    run: Option<ImportRun>,
    kept: u64,
    duplicates: u64,
    error: Option<StoreError>,
    /// Stopped by [`ImportOptions::cancel`].
    cancelled: bool,
}

/// The writer (this thread, which owns the connection): starts the import once the format is
/// known, stores each batch in its own transaction and reports progress. On an error it
/// returns at once, dropping the channel, which stops the parser.
fn write(
    db: &mut Db,
    opts: &ImportOptions<'_>,
    file: &str,
    bytes_total: u64,
    rx: mpsc::Receiver<Message>,
    progress: &mut dyn FnMut(ImportProgress),
) -> Written {
    let mut out = Written {
        run: None,
        kept: 0,
        duplicates: 0,
        error: None,
        cancelled: false,
    };
    for message in rx {
        match message {
            Message::Format(format) => match db.begin_import(opts.set, file, format.as_str()) {
                Ok(run) => out.run = Some(run),
                Err(e) => {
                    out.error = Some(e);
                    return out;
                }
            },
            Message::Batch {
                requests,
                bytes_read,
                skipped,
            } => {
                let Some(run) = out.run else {
                    return out;
                };
                if !requests.is_empty() {
                    match db.insert_requests(run, &requests) {
                        Ok(inserted) => {
                            let inserted = inserted as u64;
                            out.kept += inserted;
                            out.duplicates += requests.len() as u64 - inserted;
                        }
                        Err(e) => {
                            out.error = Some(e);
                            return out;
                        }
                    }
                }
                progress(ImportProgress {
                    bytes_read,
                    bytes_total,
                    records: out.kept + out.duplicates + skipped,
                });
                if opts
                    .cancel
                    .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
                {
                    out.cancelled = true;
                    return out;
                }
            }
        }
    }
    out
}

/// The parser thread: detects the format, reads and normalises every record, sends batches.
/// The summary it returns has everything but `kept` and `duplicates` (the writer's).
fn parse(
    input: Box<dyn Read + Send>,
    bytes_total: u64,
    name: &str,
    opts: &ImportOptions<'_>,
    tx: mpsc::SyncSender<Message>,
) -> Result<ImportSummary, SinkError> {
    let counter = Rc::new(Cell::new(Counter::default()));
    let mut reader = BufReader::with_capacity(
        256 * 1024,
        CountingReader {
            inner: input,
            counter: Rc::clone(&counter),
        },
    );
    let format = detect(&mut reader).map_err(SinkError::Io)?;
    tx.send(Message::Format(format))
        .map_err(|_| SinkError::Closed)?;
    let mut sink = Sink {
        tx,
        opts,
        normaliser: Normaliser::new(opts.namespace),
        batch: Vec::with_capacity(opts.batch.max(1)),
        summary: ImportSummary {
            file: name.to_owned(),
            set: opts.set.to_owned(),
            format: format.as_str().to_owned(),
            ..ImportSummary::default()
        },
        counter: Rc::clone(&counter),
    };
    match format {
        Format::Empty => Ok(()),
        Format::Jsonl => read_jsonl(reader, &mut sink),
        Format::JsonArray => read_array(reader, &counter, &mut sink),
        Format::WholeObject => read_whole(reader, bytes_total, &mut sink),
    }?;
    sink.flush()?;
    Ok(sink.summary)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Empty,
    Jsonl,
    JsonArray,
    /// One JSON value: a Cedar CLI request or a Cedar integration-test file (decided later).
    WholeObject,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Self::Empty | Self::Jsonl => "jsonl",
            Self::JsonArray => "json-array",
            Self::WholeObject => "json-object",
        }
    }
}

/// Looks at the first non-blank byte and, for `{`, whether the first line is a whole value.
fn detect(reader: &mut BufReader<CountingReader>) -> std::io::Result<Format> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(Format::Empty);
        }
        // Skip a UTF-8 byte-order mark and leading blanks.
        let skip = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            buf.iter().take_while(|b| b.is_ascii_whitespace()).count()
        };
        if skip == 0 {
            break;
        }
        let newlines = buf[..skip].iter().filter(|b| **b == b'\n').count() as u64;
        reader.consume(skip);
        let c = reader.get_ref().counter.get();
        reader.get_ref().counter.set(Counter {
            consumed_lines: c.consumed_lines + newlines,
            ..c
        });
    }
    let buf = reader.fill_buf()?;
    match buf.first() {
        Some(b'[') => Ok(Format::JsonArray),
        Some(b'{') => {
            // JSONL when the first line is a complete value on its own.
            let line_end = buf.iter().position(|b| *b == b'\n');
            match line_end {
                // A first line that is complete, or broken other than by ending early (bad
                // UTF-8, a stray character), is a JSON Lines record; `{` alone on its line
                // begins one pretty-printed object.
                Some(end)
                    if serde_json::from_slice::<Value>(&buf[..end])
                        .map_or_else(|e| !e.is_eof(), |_| true) =>
                {
                    Ok(Format::Jsonl)
                }
                None if buf.len() < reader.capacity() => Ok(Format::WholeObject),
                Some(_) => Ok(Format::WholeObject),
                // A first line longer than the buffer: treat as JSONL (one long record).
                None => Ok(Format::Jsonl),
            }
        }
        _ => Ok(Format::Jsonl),
    }
}

enum SinkError {
    Io(std::io::Error),
    /// The writer stopped (on an error of its own).
    Closed,
}

/// Normalises records and sends them to the writer in batches, counting everything.
struct Sink<'a, 'o> {
    tx: mpsc::SyncSender<Message>,
    opts: &'a ImportOptions<'o>,
    normaliser: Normaliser,
    batch: Vec<NewRequest>,
    summary: ImportSummary,
    counter: Rc<Cell<Counter>>,
}

impl Sink<'_, '_> {
    /// One JSON Lines record: the fast path when it fits, else parsed fully.
    fn line(&mut self, line: u64, text: &str) -> Result<(), SinkError> {
        if let Some(r) = self.normaliser.normalise_fast(text) {
            return self.keep(r);
        }
        match serde_json::from_str::<Value>(text) {
            Ok(v) => self.record(line, v),
            Err(e) => {
                self.bad(
                    line,
                    format!(
                        "not valid JSON: {} at column {}",
                        strip_position(&e),
                        e.column()
                    ),
                );
                Ok(())
            }
        }
    }

    fn keep(&mut self, r: NewRequest) -> Result<(), SinkError> {
        match r.grade {
            record::GRADE_FULL => self.summary.grades.full += 1,
            record::GRADE_NO_CONTEXT => self.summary.grades.no_context += 1,
            _ => self.summary.grades.ids_only += 1,
        }
        // Once strict has failed nothing more is written, but every record is still
        // checked so every problem is reported.
        if !(self.opts.strict && self.summary.skipped > 0) {
            self.batch.push(r);
            if self.batch.len() >= self.opts.batch.max(1) {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn record(&mut self, line: u64, value: Value) -> Result<(), SinkError> {
        match self.normaliser.normalise(value) {
            Ok(Normalised::Ignored) => self.summary.ignored += 1,
            Ok(Normalised::Request(r)) => self.keep(*r)?,
            Err(problems) => self.bad(line, problems.join("; ")),
        }
        Ok(())
    }

    fn bad(&mut self, line: u64, message: String) {
        self.summary.skipped += 1;
        if self.summary.errors.len() < MAX_ERRORS {
            self.summary.errors.push(LineError { line, message });
        }
    }

    /// Hands the batch to the writer (also when empty: the writer reports progress).
    fn flush(&mut self) -> Result<(), SinkError> {
        let requests =
            std::mem::replace(&mut self.batch, Vec::with_capacity(self.opts.batch.max(1)));
        self.tx
            .send(Message::Batch {
                requests,
                bytes_read: self.counter.get().bytes,
                skipped: self.summary.skipped,
            })
            .map_err(|_| SinkError::Closed)
    }
}

fn read_jsonl(
    mut reader: BufReader<CountingReader>,
    sink: &mut Sink<'_, '_>,
) -> Result<(), SinkError> {
    let mut line = Vec::new();
    let mut number = reader.get_ref().counter.get().consumed_lines;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(SinkError::Io)?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        if line.len() > MAX_LINE && !line.ends_with(b"\n") {
            // Skip the rest of the line without holding it: one record cannot take the
            // memory of the whole import.
            let rest = skip_line(&mut reader).map_err(SinkError::Io)?;
            sink.bad(
                number,
                format!(
                    "a line of {} bytes is longer than the {} MiB a recorded request may take; split the record or drop its bulky context",
                    line.len() as u64 + rest,
                    MAX_LINE >> 20
                ),
            );
            continue;
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim(),
            Err(e) => {
                sink.bad(
                    number,
                    format!(
                        "not valid UTF-8 at column {}; save the file as UTF-8",
                        e.valid_up_to() + 1
                    ),
                );
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        sink.line(number, text)?;
    }
}

/// Consumes bytes up to and including the next newline; returns how many, newline excluded.
fn skip_line(reader: &mut BufReader<CountingReader>) -> std::io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        let (n, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (buf.len(), false),
        };
        reader.consume(n);
        skipped += (n - usize::from(done)) as u64;
        if done {
            return Ok(skipped);
        }
    }
}

/// Streams the elements of a top-level JSON array; each record's line is where it starts.
fn read_array(
    reader: BufReader<CountingReader>,
    counter: &Rc<Cell<Counter>>,
    sink: &mut Sink<'_, '_>,
) -> Result<(), SinkError> {
    use serde::de::{Deserializer as _, SeqAccess, Visitor};

    struct Elements<'s, 'a, 'o> {
        sink: &'s mut Sink<'a, 'o>,
        counter: Rc<Cell<Counter>>,
        failure: &'s mut Option<SinkError>,
    }
    impl<'de> Visitor<'de> for Elements<'_, '_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of request records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            loop {
                let c = self.counter.get();
                self.counter.set(Counter {
                    seeking_start: true,
                    ..c
                });
                match seq.next_element::<Value>()? {
                    None => return Ok(()),
                    Some(v) => {
                        let line = self.counter.get().start_line;
                        if let Err(e) = self.sink.record(line, v) {
                            *self.failure = Some(e);
                            return Err(serde::de::Error::custom("import stopped"));
                        }
                    }
                }
            }
        }
    }

    // The byte reader sees every byte serde reads, so it knows the line on which each
    // element starts.
    let mut de = serde_json::Deserializer::from_reader(ByteReader { inner: reader });
    let mut failure = None;
    let result = (&mut de).deserialize_seq(Elements {
        sink: &mut *sink,
        counter: Rc::clone(counter),
        failure: &mut failure,
    });
    if let Some(e) = failure {
        return Err(e);
    }
    match result.and_then(|()| de.end()) {
        Ok(()) => Ok(()),
        Err(e) if e.is_io() => Err(SinkError::Io(std::io::Error::other(e.to_string()))),
        Err(e) => {
            let skipped_lines = counter.get().consumed_lines;
            sink.bad(
                skipped_lines + u64::try_from(e.line()).unwrap_or(0),
                format!(
                    "not valid JSON: {} at column {}; the rest of the array is not read",
                    strip_position(&e),
                    e.column()
                ),
            );
            Ok(())
        }
    }
}

/// A Cedar CLI request or a Cedar integration-test file: one JSON value, read whole.
fn read_whole(
    mut reader: BufReader<CountingReader>,
    bytes_total: u64,
    sink: &mut Sink<'_, '_>,
) -> Result<(), SinkError> {
    if bytes_total > MAX_WHOLE_FILE {
        sink.bad(
            1,
            format!("a single JSON object of {bytes_total} bytes is too large; use JSON Lines (one request per line) for large files"),
        );
        return Ok(());
    }
    let first_line = reader.get_ref().counter.get().consumed_lines + 1;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(SinkError::Io)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..at];
            let newlines = before.iter().filter(|b| **b == b'\n').count() as u64;
            let column = at
                - before
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            sink.bad(
                first_line + newlines,
                format!("not valid UTF-8 at column {column}; save the file as UTF-8"),
            );
            return Ok(());
        }
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            sink.bad(
                first_line + u64::try_from(e.line()).unwrap_or(1) - 1,
                format!(
                    "not valid JSON: {} at column {}",
                    strip_position(&e),
                    e.column()
                ),
            );
            return Ok(());
        }
    };
    match value {
        Value::Object(mut obj) if obj.get("requests").is_some_and(Value::is_array) => {
            sink.summary.format = "cedar-test".to_owned();
            let Some(Value::Array(requests)) = obj.remove("requests") else {
                return Ok(());
            };
            // Lines of each entry: where `"description"` (or the entry) starts in the text.
            let lines = entry_lines(&text, first_line);
            for (i, req) in requests.into_iter().enumerate() {
                let line = lines.get(i).copied().unwrap_or(first_line);
                sink.record(line, req)?;
            }
            Ok(())
        }
        other => {
            sink.summary.format = "cedar-request".to_owned();
            sink.record(first_line, other)
        }
    }
}

/// The line on which each element of the top-level `requests` array starts.
fn entry_lines(text: &str, first_line: u64) -> Vec<u64> {
    let Some(start) = text.find("\"requests\"") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut line = first_line + text[..start].matches('\n').count() as u64;
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    let mut began = false;
    for b in text[start..].bytes() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if began && depth == 2 && b == b'{' {
                    out.push(line);
                }
                if !began && b == b'[' {
                    began = true;
                    depth = 1;
                }
            }
            b']' | b'}' => {
                depth -= 1;
                if began && depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    out
}

/// serde_json's message without its " at line N column M" suffix (we print our own).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Counter {
    /// Bytes handed out to the buffered reader.
    bytes: u64,
    /// Newlines consumed by `detect` before the first record.
    consumed_lines: u64,
    /// Lines seen by the byte-wise reader (array mode), 1-based.
    line: u64,
    /// Set before each array element; the next significant byte fixes `start_line`.
    seeking_start: bool,
    start_line: u64,
}

/// Counts bytes read from the file (for progress).
struct CountingReader {
    inner: Box<dyn Read + Send>,
    counter: Rc<Cell<Counter>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut c = self.counter.get();
        c.bytes += n as u64;
        self.counter.set(c);
        Ok(n)
    }
}

/// Hands serde one byte at a time from the buffer, tracking lines and element starts.
struct ByteReader {
    inner: BufReader<CountingReader>,
}

impl Read for ByteReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let counter = Rc::clone(&self.inner.get_ref().counter);
        let available = self.inner.fill_buf()?;
        let n = available.len().min(buf.len());
        let mut c = counter.get();
        if c.line == 0 {
            c.line = c.consumed_lines + 1;
        }
        for b in &available[..n] {
            if c.seeking_start && !b.is_ascii_whitespace() && *b != b',' && *b != b'[' {
                c.seeking_start = false;
                c.start_line = c.line;
            }
            if *b == b'\n' {
                c.line += 1;
            }
        }
        counter.set(c);
        buf[..n].copy_from_slice(&available[..n]);
        self.inner.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(text: &str, strict: bool) -> (Db, ImportSummary) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requests.jsonl");
        std::fs::write(&path, text).unwrap();
        let mut db = Db::open_in_memory().unwrap();
        let summary = run(&mut db, &path, strict);
        (db, summary)
    }

    fn run(db: &mut Db, path: &Path, strict: bool) -> ImportSummary {
        let opts = ImportOptions {
            set: "prod",
            namespace: "Acme",
            strict,
            batch: 2,
            cancel: None,
        };
        let mut batches = 0;
        let s = import_file(db, path, &opts, &mut |_| batches += 1).unwrap();
        assert!(batches >= 1, "progress is reported");
        s
    }

    #[test]
    fn a_cancelled_import_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let lines: Vec<String> = (0..10)
            .map(|i| GOOD.replace("\"r1\"", &format!("\"r{i}\"")))
            .collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let mut db = Db::open_in_memory().unwrap();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let opts = ImportOptions {
            set: "prod",
            namespace: "Acme",
            strict: false,
            batch: 2,
            cancel: Some(&cancel),
        };
        let mut batches = 0;
        let err = import_file(&mut db, &path, &opts, &mut |_| {
            batches += 1;
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap_err();
        assert!(matches!(err, ImportError::Cancelled), "{err}");
        assert_eq!(batches, 1, "stopped after the first batch");
        assert_eq!(db.request_sets().unwrap(), vec![]);
        // The same file imports in full afterwards.
        let again = ImportOptions {
            cancel: None,
            ..opts
        };
        let s = import_file(&mut db, &path, &again, &mut |_| {}).unwrap();
        assert_eq!(s.kept, 10);
    }

    const GOOD: &str = r#"{"id":"r1","principal":"Agent::\"a\"","action":"invoke_tool","resource":"Tool::\"t\"","context":{"env":"prod"}}"#;

    #[test]
    fn jsonl_keeps_good_lines_reports_bad_ones_and_reimport_is_a_no_op() {
        let text = format!(
            "{GOOD}\n\n{{\"id\":\"r2\",\"principal\":\"Agent::\\\"b\\\"\",\"action\":\"invoke_tool\",\"resource\":\"Tool::\\\"t\\\"\"}}\nnot json\n{{\"id\":\"r3\",\"action\":\"x\"}}\n{{\"principal\":\"Agent::\\\"c\\\"\",\"action\":\"read_data\",\"resource\":\"Dataset::\\\"d\\\"\",\"decision\":\"deny\"}}\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, &text).unwrap();
        let mut db = Db::open_in_memory().unwrap();
        let s = run(&mut db, &path, false);
        assert_eq!(s.format, "jsonl");
        assert_eq!((s.kept, s.skipped, s.duplicates), (3, 2, 0));
        assert_eq!(
            s.grades,
            Grades {
                full: 1,
                no_context: 1,
                ids_only: 1
            }
        );
        assert_eq!(s.errors.len(), 2);
        assert_eq!(s.errors[0].line, 4);
        assert!(
            s.errors[0]
                .message
                .starts_with("not valid JSON: expected ident at column 2"),
            "{}",
            s.errors[0].message
        );
        assert_eq!(s.errors[1].line, 5);
        assert!(
            s.errors[1].message.contains("`principal` is missing"),
            "{}",
            s.errors[1].message
        );
        assert!(
            s.errors[1].message.contains("`resource` is missing"),
            "{}",
            s.errors[1].message
        );
        assert_eq!(db.request_sets().unwrap()[0].requests, 3);

        let again = run(&mut db, &path, false);
        assert_eq!((again.kept, again.duplicates, again.skipped), (0, 3, 2));
        assert_eq!(db.request_sets().unwrap()[0].requests, 3);
    }

    #[test]
    fn strict_writes_nothing_and_still_reports_every_bad_line() {
        let text = format!("{GOOD}\nnope\n{GOOD}\n[]\n");
        let (db, s) = import(&text, true);
        assert!(s.failed_strict);
        assert_eq!(s.kept, 0);
        assert_eq!(s.skipped, 2);
        assert_eq!(
            s.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![2, 4]
        );
        assert_eq!(db.request_sets().unwrap(), vec![]);
    }

    #[test]
    fn a_json_array_streams_and_locates_each_element() {
        let text = format!(
            "\n[\n  {GOOD},\n  {{\n    \"principal\": 5,\n    \"action\": \"x\",\n    \"resource\": \"Tool::\\\"t\\\"\"\n  }},\n  {{\"id\": \"r9\", \"principal\": \"Agent::\\\"z\\\"\", \"action\": \"x\", \"resource\": \"Tool::\\\"t\\\"\"}}\n]\n"
        );
        let (db, s) = import(&text, false);
        assert_eq!(s.format, "json-array");
        assert_eq!((s.kept, s.skipped), (2, 1));
        assert_eq!(s.errors[0].line, 4, "{:?}", s.errors);
        assert!(s.errors[0]
            .message
            .contains("`principal`: expected an entity reference, found a number"));
        assert_eq!(db.request_sets().unwrap()[0].requests, 2);

        let (_, broken) = import(&format!("[\n{GOOD},\n{{\"id\": }}\n]"), false);
        assert_eq!(broken.kept, 1);
        assert_eq!(broken.errors[0].line, 3);
        assert!(broken.errors[0]
            .message
            .contains("the rest of the array is not read"));
    }

    #[test]
    fn a_pretty_printed_cedar_cli_request_is_one_record() {
        let text = "{\n  \"principal\": \"User::\\\"alice\\\"\",\n  \"action\": \"Action::\\\"view\\\"\",\n  \"resource\": \"Photo::\\\"p\\\"\",\n  \"context\": {}\n}\n";
        let (_, s) = import(text, false);
        assert_eq!(s.format, "cedar-request");
        assert_eq!((s.kept, s.skipped), (1, 0));
        assert_eq!(s.grades.full, 1);
    }

    #[test]
    fn a_cedar_integration_test_file_imports_its_requests_with_their_lines() {
        let text = r#"{
 "policies": "p.cedar",
 "entities": "e.json",
 "shouldValidate": true,
 "requests": [
  {
   "description": "ok",
   "principal": {"type": "User", "id": "alice"},
   "action": {"type": "Action", "id": "view"},
   "resource": {"type": "Photo", "id": "p"},
   "context": {},
   "decision": "allow",
   "reason": ["policy0"],
   "errors": []
  },
  {
   "description": "bad",
   "principal": {"type": "User"},
   "action": {"type": "Action", "id": "view"},
   "resource": {"type": "Photo", "id": "p"},
   "context": {},
   "decision": "deny",
   "reason": [],
   "errors": []
  }
 ]
}
"#;
        let (_, s) = import(text, false);
        assert_eq!(s.format, "cedar-test");
        assert_eq!((s.kept, s.skipped), (1, 1));
        assert_eq!(s.errors[0].line, 16);
        assert!(
            s.errors[0].message.contains("string `type` and `id`"),
            "{}",
            s.errors[0].message
        );
    }

    #[test]
    fn cedarling_logs_ignore_system_records() {
        let text = r#"{"log_kind":"System","msg":"configuration parsed"}
{"log_kind":"Decision","request_id":"q1","workload_principal":"Jans::Workload::\"w\"","action":"Jans::Action::\"Read\"","resource":"Jans::App::\"a\"","decision":"DENY"}
"#;
        let (_, s) = import(text, false);
        assert_eq!((s.kept, s.ignored, s.skipped), (1, 1, 0));
        assert_eq!(s.grades.no_context, 1);
    }

    #[test]
    fn an_empty_file_is_an_empty_import() {
        let (db, s) = import("\n\n", false);
        assert_eq!((s.kept, s.skipped), (0, 0));
        assert_eq!(db.request_sets().unwrap()[0].requests, 0);
    }
}
