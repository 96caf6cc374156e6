//! Reading and writing a bundle as a directory or a zip (`.mandate-bundle`, also `.zip`).
//!
//! A bundle arrives from people we do not trust yet, so [`read`] refuses hostile input before
//! anything else looks at it: unsafe names (zip-slip, absolute paths, backslashes, `.`, `..`,
//! empty components, NUL), symbolic links, duplicate names (also ones that differ only by case
//! and so collide on macOS and Windows), and archives too big to hold in memory (entry count,
//! per-file size, total size, compression ratio). It reports every problem it finds, never
//! follows a link and never writes to disk; sizes declared in zip headers are checked up front
//! but never trusted, since every read is bounded by the limit itself.
//!
//! [`write`] is atomic: a directory is built in a temporary directory beside the target and
//! renamed into place; a zip is written to a temporary file beside the target and renamed over
//! it. Zips are deterministic (sorted entries, fixed timestamp and permissions) so the same
//! [`Files`] always give the same bytes.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use zip::unstable::read::ZipIterable;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipReadOptions, ZipWriter};

use super::{BundleProblem, Files, ZIP_EXTENSION};

/// The compression ratio is only checked for entries larger than this (uncompressed): small
/// files of repeated text legitimately compress far beyond any sensible ratio, and a small
/// file cannot exhaust memory however well it compresses.
const RATIO_CHECK_FLOOR: u64 = 1 << 20;

/// The file-type bits of a unix mode, and the value for a symbolic link (`S_IFMT`, `S_IFLNK`).
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// Permissions of every file in a zip we write: fixed, so the bytes do not depend on the umask.
const ZIP_FILE_MODE: u32 = 0o644;

/// One mebibyte.
const MIB: u64 = 1 << 20;

/// How much of an untrusted bundle [`read`] is willing to hold in memory.
///
/// A bundle is text (Cedar policies, a schema, JSON), normally a few hundred KiB; the defaults
/// are far above that and far below what would hurt a desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (files, and for a zip also directory entries) a bundle may hold.
    pub max_entries: usize,
    /// Largest uncompressed size of one file, in bytes.
    pub max_entry_bytes: u64,
    /// Largest uncompressed size of all files together, in bytes.
    pub max_total_bytes: u64,
    /// Largest uncompressed:compressed ratio of a zip entry. Only checked for entries over
    /// 1 MiB uncompressed: deflate tops out near 1000:1 on zeros, while text, JSON and Cedar
    /// compress 3:1 to 30:1, so 100:1 on a large entry means a bomb, not a bundle.
    pub max_ratio: u64,
}

impl Default for Limits {
    /// 10,000 entries, 64 MiB per file, 512 MiB in total, a ratio of 100:1.
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_entry_bytes: 64 * MIB,
            max_total_bytes: 512 * MIB,
            max_ratio: 100,
        }
    }
}

/// How a bundle is stored on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A directory of files.
    Dir,
    /// A zip file (`.mandate-bundle`, or `.zip`).
    Zip,
}

/// The kind a bundle at `path` is written as, by extension: `.mandate-bundle` or `.zip`
/// (any case) is a zip, anything else a directory. [`read`] looks at the disk instead.
pub fn kind_of(path: &Path) -> Kind {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case(ZIP_EXTENSION) || ext.eq_ignore_ascii_case("zip") => {
            Kind::Zip
        }
        _ => Kind::Dir,
    }
}

/// Where a problem about `entry` of the bundle at `bundle` is shown to a person: `ARCHIVE!/entry`
/// for a zip (the entry is inside the archive, not beside it), `FOLDER/entry` for a
/// directory, and the bundle's own path for bundle-level problems ([`read`] names those by
/// the bundle's path). Never joined to a workspace: an entry name such as `../x` is the
/// archive's text, not a file the user has.
pub fn shown(bundle: &Path, entry: &str) -> String {
    let here = bundle.display().to_string();
    if entry == here || entry.is_empty() {
        return here;
    }
    let zip = if bundle.is_dir() {
        false
    } else {
        bundle.is_file() || kind_of(bundle) == Kind::Zip
    };
    if zip {
        format!("{here}!/{entry}")
    } else {
        format!("{}/{entry}", here.trim_end_matches('/'))
    }
}

/// Reads the bundle at `path`: a directory when `path` is one on disk, otherwise a zip
/// (whatever its extension).
///
/// Refuses the whole bundle, reporting every problem found, when any entry has an unsafe
/// name, is a symbolic link (never followed) or another non-regular file, is encrypted, is
/// duplicated (also case-insensitively), is both a file and a folder, or when the bundle
/// breaks a [`Limits`]. Each problem names the entry, or the bundle's own path for
/// bundle-level problems (too many entries, too large in total, not a zip). When there are too
/// many entries nothing else is checked. Directory entries of a zip are skipped. `path`
/// itself may be a symbolic link; links inside the bundle are refused. Nothing is written.
pub fn read(path: &Path, limits: &Limits) -> Result<Files, Vec<BundleProblem>> {
    let here = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| {
        vec![BundleProblem::new(
            &here,
            format!("cannot be opened: {e}: check the path"),
        )]
    })?;
    let mut reader = Reader::new(here, *limits);
    if meta.is_dir() {
        reader.read_dir(path);
    } else {
        reader.read_zip(path);
    }
    reader.finish()
}

/// [`read`] for a zip already in memory, shown as `here` in bundle-level problems (the fuzz
/// harness reads bytes; nothing touches the disk).
pub fn read_zip_bytes(
    bytes: &[u8],
    here: &str,
    limits: &Limits,
) -> Result<Files, Vec<BundleProblem>> {
    let mut reader = Reader::new(here.to_owned(), *limits);
    reader.read_zip_from(io::Cursor::new(bytes));
    reader.finish()
}

/// Writes `files` as a bundle at `path`, a zip or a directory by [`kind_of`], atomically:
/// the bundle appears complete or not at all. Creates missing parent directories.
///
/// A directory target must not exist or be empty; a zip target is replaced. Refuses file
/// names [`read`] would refuse, and names that collide on a case-insensitive file system.
/// Zips are deterministic: entries in sorted order, deflated, dated 1980-01-01, each entry
/// mode `0644`; the zip file itself gets the mode [`crate::workspace::write_atomic`] gives.
pub fn write(files: &Files, path: &Path) -> Result<(), BundleProblem> {
    write_as(files, path, kind_of(path))
}

/// [`write`] as the given kind, whatever the path's extension (a published bundle is always
/// a directory, even for a version such as `2.0.0-rc.zip`).
pub fn write_as(files: &Files, path: &Path, kind: Kind) -> Result<(), BundleProblem> {
    check_names_for_write(files)?;
    let here = path.display().to_string();
    let io_problem = |what: &str, e: io::Error| {
        BundleProblem::new(
            &here,
            format!("cannot {what}: {e}: check the path and permissions"),
        )
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| io_problem("create the parent directory", e))?;
    let prefix = format!(
        ".{}.tmp-",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    match kind {
        Kind::Zip => {
            let mut bytes = io::Cursor::new(Vec::new());
            write_zip(files, &mut bytes).map_err(|e| io_problem("write the zip", e))?;
            // One atomic write for every file Mandate writes: a new zip is readable as a
            // plain create makes it (a runtime's folder), a replaced one keeps its mode.
            crate::workspace::write_atomic(path, bytes.get_ref()).map_err(|e| match e {
                crate::workspace::WorkspaceError::Io(io) => io_problem(io.action, io.source),
                other => BundleProblem::new(&here, other.to_string()),
            })?;
        }
        Kind::Dir => {
            // A link at the target is refused like a file: never write through one.
            let replace_empty = match fs::symlink_metadata(path) {
                Ok(meta) if meta.is_dir() => {
                    let mut entries =
                        fs::read_dir(path).map_err(|e| io_problem("read the target", e))?;
                    if entries.next().is_some() {
                        return Err(BundleProblem::new(
                            &here,
                            "already exists and is not empty: choose a new path or remove it",
                        ));
                    }
                    true
                }
                Ok(_) => {
                    return Err(BundleProblem::new(
                        &here,
                        "already exists and is not a directory: choose a new path or remove it",
                    ))
                }
                Err(_) => false,
            };
            let tmp = tempfile::Builder::new()
                .prefix(&prefix)
                .tempdir_in(&parent)
                .map_err(|e| io_problem("create a temporary directory", e))?;
            for (name, bytes) in files {
                let target = tmp.path().join(name);
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir)
                        .map_err(|e| io_problem(&format!("write `{name}`"), e))?;
                }
                fs::write(&target, bytes).map_err(|e| io_problem(&format!("write `{name}`"), e))?;
            }
            // An empty directory is no content to lose, and rename cannot replace one on
            // every platform.
            if replace_empty {
                fs::remove_dir(path).map_err(|e| io_problem("replace the empty directory", e))?;
            }
            // On failure `tmp` is dropped and removes the half-built directory.
            fs::rename(tmp.path(), path)
                .map_err(|e| io_problem("move the directory into place", e))?;
            let _moved = tmp.keep();
        }
    }
    Ok(())
}

/// Writes a deterministic zip of `files` to `out`.
fn write_zip(files: &Files, out: &mut (impl Write + io::Seek)) -> io::Result<()> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        // "Made by Unix" on every platform, so the bytes do not depend on where we ran.
        .system(System::Unix)
        .unix_permissions(ZIP_FILE_MODE);
    let mut zip = ZipWriter::new(BufWriter::new(out));
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?.flush()
}

/// The first problem [`write`] would create on disk: an unsafe name, or two names that
/// collide on a case-insensitive file system.
fn check_names_for_write(files: &Files) -> Result<(), BundleProblem> {
    let mut folded: HashMap<String, &str> = HashMap::new();
    for name in files.keys() {
        if let Some(message) = unsafe_name(name) {
            return Err(BundleProblem::new(name.as_str(), message));
        }
        if let Some(other) = folded.insert(name.to_lowercase(), name) {
            return Err(BundleProblem::new(name.as_str(), case_collision(other)));
        }
    }
    Ok(())
}

/// Why `name` is not a safe bundle-relative path, if it is not.
fn unsafe_name(name: &str) -> Option<String> {
    let mut why: Vec<&str> = Vec::new();
    if name.is_empty() {
        why.push("empty name");
    }
    if name.contains('\0') {
        why.push("contains a NUL byte");
    }
    if name.starts_with('/') {
        why.push("absolute (starts with `/`)");
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        why.push("absolute (starts with a drive letter)");
    }
    if name.contains('\\') {
        why.push("contains a backslash");
    }
    let components: Vec<&str> = name.trim_start_matches('/').split('/').collect();
    if components.contains(&"..") {
        why.push("has a `..` component that climbs out of the bundle");
    }
    if components.contains(&".") {
        why.push("has a `.` component");
    }
    if !name.is_empty() && components.contains(&"") {
        why.push("has an empty component (`//` or a trailing `/`)");
    }
    if why.is_empty() {
        return None;
    }
    Some(format!(
        "unsafe path: {}: bundle paths are relative, `/`-separated, and have no `.`, `..` or \
         empty components; rebuild the bundle from its files",
        why.join(", ")
    ))
}

/// The message for a name that differs from `other` only by case.
fn case_collision(other: &str) -> String {
    format!("differs from `{other}` only by case: the two collide on macOS and Windows; rename one")
}

/// The state of one [`read`]: the files accepted so far, the problems found, and the budget.
struct Reader {
    /// The bundle's own path, for bundle-level problems.
    here: String,
    limits: Limits,
    files: Files,
    problems: Vec<BundleProblem>,
    /// Exact names seen, to refuse duplicates.
    seen: BTreeSet<String>,
    /// Lower-cased name → first name seen with it, to refuse names that differ only by case.
    folded: HashMap<String, String>,
    /// Uncompressed bytes declared by headers (zip) or metadata (directory) so far.
    declared_total: u64,
    /// Bytes actually read so far; never more than `max_total_bytes + 1`.
    read_total: u64,
    /// Set once the total limit is broken: reported once, and no more bodies are read.
    over_total: bool,
}

impl Reader {
    /// A reader for the bundle shown as `here`.
    fn new(here: String, limits: Limits) -> Self {
        Self {
            here,
            limits,
            files: Files::new(),
            problems: Vec::new(),
            seen: BTreeSet::new(),
            folded: HashMap::new(),
            declared_total: 0,
            read_total: 0,
            over_total: false,
        }
    }

    /// Records a problem about `file`.
    fn problem(&mut self, file: &str, message: impl Into<String>) {
        self.problems.push(BundleProblem::new(file, message));
    }

    /// Records that the bundle holds `count` entries, over the limit.
    fn too_many_entries(&mut self, count: usize) {
        let max = self.limits.max_entries;
        let here = self.here.clone();
        self.problem(
            &here,
            format!(
                "holds {count} entries, more than the limit of {max}: this is not a bundle, \
                 or it needs a higher limit"
            ),
        );
    }

    /// Records, once, that the bundle is over the total limit; no more bodies are read.
    fn total_exceeded(&mut self) {
        if !self.over_total {
            self.over_total = true;
            let max = self.limits.max_total_bytes;
            let here = self.here.clone();
            self.problem(
                &here,
                format!(
                    "holds more than the total limit of {max} bytes: this is not a bundle, \
                     or it needs a higher limit"
                ),
            );
        }
    }

    /// Checks a file's name (safety, duplicates) and the size its header or metadata declares.
    /// Returns whether its content may be read.
    fn admit(&mut self, name: &str, declared: u64) -> bool {
        let mut ok = true;
        if let Some(message) = unsafe_name(name) {
            self.problem(name, message);
            ok = false;
        }
        if !self.seen.insert(name.to_string()) {
            self.problem(
                name,
                "duplicate entry: the archive holds this name more than once, and only one \
                 could be the reviewed file; rebuild the bundle from its files",
            );
            ok = false;
        } else if let Some(other) = self.folded.get(&name.to_lowercase()).cloned() {
            self.problem(name, case_collision(&other));
            ok = false;
        } else {
            self.folded.insert(name.to_lowercase(), name.to_string());
        }
        let max = self.limits.max_entry_bytes;
        if declared > max {
            self.problem(
                name,
                format!(
                    "declares {declared} bytes, more than the per-file limit of {max}: a bundle \
                     holds text; shrink or split the file"
                ),
            );
            ok = false;
        }
        self.declared_total = self.declared_total.saturating_add(declared);
        if self.declared_total > self.limits.max_total_bytes {
            self.total_exceeded();
        }
        ok && !self.over_total
    }

    /// Reads at most the per-file limit and the remaining total budget (plus one byte, to see
    /// that a limit was passed) from `body`, whatever its header declared.
    fn read_body(&mut self, name: &str, body: impl Read, declared: u64) -> Option<Vec<u8>> {
        let max = self.limits.max_entry_bytes;
        let remaining = self.limits.max_total_bytes.saturating_sub(self.read_total);
        let mut bytes = Vec::new();
        if let Err(e) = body
            .take(max.min(remaining).saturating_add(1))
            .read_to_end(&mut bytes)
        {
            self.problem(
                name,
                format!("cannot be read: {e}: the file is corrupt or hostile; rebuild the bundle"),
            );
            return None;
        }
        let len = bytes.len() as u64;
        self.read_total = self.read_total.saturating_add(len);
        if len > max {
            self.problem(
                name,
                format!(
                    "is larger than the per-file limit of {max} bytes (its header declared \
                     {declared}): the file is corrupt or hostile; rebuild the bundle"
                ),
            );
            return None;
        }
        if len > remaining {
            self.total_exceeded();
            return None;
        }
        Some(bytes)
    }

    /// Refuses a zip entry that decompresses more than `max_ratio` times its stored size.
    fn ratio_ok(&mut self, name: &str, size: u64, compressed: u64) -> bool {
        if size <= RATIO_CHECK_FLOOR {
            return true;
        }
        let ratio = size / compressed.max(1);
        if ratio <= self.limits.max_ratio {
            return true;
        }
        let max = self.limits.max_ratio;
        self.problem(
            name,
            format!(
                "compresses {ratio}:1, more than the limit of {max}:1: this looks like a zip \
                 bomb; rebuild the bundle from its files"
            ),
        );
        false
    }

    /// Checks and reads every entry of the zip at `path`, in central-directory order. Uses
    /// the `zip` crate's iterable reader because, unlike `ZipArchive`, it keeps entries that
    /// share a name, so a duplicate can be named; local headers must match the central ones.
    fn read_zip(&mut self, path: &Path) {
        match fs::File::open(path) {
            Ok(file) => self.read_zip_from(BufReader::new(file)),
            Err(e) => {
                let here = self.here.clone();
                self.problem(&here, format!("cannot be opened: {e}: check the path"));
            }
        }
    }

    /// [`Reader::read_zip`] from an open reader (a file, or bytes in memory).
    fn read_zip_from<R: Read + io::Seek>(&mut self, reader: R) {
        let here = self.here.clone();
        let opened = ZipIterable::try_new(reader, zip::read::Config::default()).map_err(|e| {
            format!(
                "is not a readable zip: {e}: pass a bundle directory or a \
                 `.{ZIP_EXTENSION}` file"
            )
        });
        let mut archive = match opened {
            Ok(archive) => archive.enforce_header_consistency(true),
            Err(message) => return self.problem(&here, message),
        };
        if archive.len() > self.limits.max_entries {
            return self.too_many_entries(archive.len());
        }
        let entries = match archive.files() {
            Ok(entries) => entries,
            Err(e) => {
                return self.problem(&here, format!("cannot be read: {e}: the zip is corrupt"))
            }
        };
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    // The iterator stops after an error: the rest of the directory is unknown.
                    return self.problem(
                        &here,
                        format!("cannot be read: {e}: the zip is corrupt or hostile"),
                    );
                }
            };
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(e) => {
                    let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
                    self.problem(
                        &raw,
                        format!("has an unreadable name: {e}: rename the file"),
                    );
                    continue;
                }
            };
            let is_symlink =
                entry.is_symlink() || entry.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK);
            if is_symlink {
                self.problem(
                    &name,
                    "is a symbolic link: bundles hold regular files only; replace the link \
                     with the file it points to",
                );
                continue;
            }
            if entry.is_dir() {
                // Folders are implied by file paths; only their names need to be safe.
                let trimmed = name.strip_suffix('/').unwrap_or(&name);
                if let Some(message) = unsafe_name(trimmed) {
                    self.problem(&name, message);
                }
                continue;
            }
            let declared = entry.size();
            let compressed = entry.compressed_size();
            let mut ok = self.admit(&name, declared);
            ok &= self.ratio_ok(&name, declared, compressed);
            if entry.encrypted() {
                self.problem(
                    &name,
                    "is encrypted: bundles are signed, not encrypted; rebuild it without a \
                     password",
                );
                ok = false;
            }
            if !ok {
                continue;
            }
            let body = match entry.with_reader(entries.reader_mut(), ZipReadOptions::new()) {
                Ok(body) => body,
                Err(e) => {
                    self.problem(
                        &name,
                        format!("cannot be read: {e}: the zip is corrupt or hostile"),
                    );
                    continue;
                }
            };
            let Some(bytes) = self.read_body(&name, body, declared) else {
                continue;
            };
            if self.ratio_ok(&name, bytes.len() as u64, compressed) {
                self.files.insert(name, bytes);
            }
        }
    }

    /// Checks and reads every file under `root`, never following a link.
    fn read_dir(&mut self, root: &Path) {
        let mut count = 0usize;
        // `follow_links(false)`: a link inside the bundle is reported, never followed.
        for item in walkdir::WalkDir::new(root).min_depth(1).follow_links(false) {
            let item = match item {
                Ok(item) => item,
                Err(e) => {
                    let at = match e.path() {
                        Some(p) => bundle_name(root, p).unwrap_or_else(|shown| shown),
                        None => self.here.clone(),
                    };
                    self.problem(&at, format!("cannot be read: {e}: check permissions"));
                    continue;
                }
            };
            let file_type = item.file_type();
            if file_type.is_dir() {
                continue;
            }
            let name = match bundle_name(root, item.path()) {
                Ok(name) => name,
                Err(shown) => {
                    self.problem(&shown, "has a name that is not UTF-8: rename the file");
                    continue;
                }
            };
            count += 1;
            if count > self.limits.max_entries {
                // Stop walking: a tree this large is not a bundle, and walking it is the cost.
                return self.too_many_entries(count);
            }
            if file_type.is_symlink() {
                self.problem(
                    &name,
                    "is a symbolic link: bundles hold regular files only; replace the link \
                     with the file it points to",
                );
                continue;
            }
            if !file_type.is_file() {
                self.problem(
                    &name,
                    "is not a regular file (a FIFO, socket or device): bundles hold regular \
                     files only; remove it",
                );
                continue;
            }
            let declared = match item.metadata() {
                Ok(meta) => meta.len(),
                Err(e) => {
                    self.problem(&name, format!("cannot be read: {e}: check permissions"));
                    continue;
                }
            };
            if !self.admit(&name, declared) {
                continue;
            }
            let body = match fs::File::open(item.path()) {
                Ok(body) => body,
                Err(e) => {
                    self.problem(&name, format!("cannot be read: {e}: check permissions"));
                    continue;
                }
            };
            if let Some(bytes) = self.read_body(&name, body, declared) {
                self.files.insert(name, bytes);
            }
        }
    }

    /// The files, or every problem found; also refuses a name that is both a file and a
    /// folder (`a` and `a/b`), which no directory can hold.
    fn finish(mut self) -> Result<Files, Vec<BundleProblem>> {
        let names: Vec<String> = self.seen.iter().cloned().collect();
        for name in &names {
            let mut prefix = name.as_str();
            while let Some((parent, _)) = prefix.rsplit_once('/') {
                if self.seen.contains(parent) {
                    self.problem(
                        parent,
                        format!(
                            "is both a file and the folder of `{name}`: no directory can hold \
                             both; rename one"
                        ),
                    );
                    break;
                }
                prefix = parent;
            }
        }
        if self.problems.is_empty() {
            Ok(self.files)
        } else {
            Err(self.problems)
        }
    }
}

/// A file's bundle-relative `/`-separated name, or its displayable path when it is not UTF-8.
fn bundle_name(root: &Path, path: &Path) -> Result<String, String> {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut parts = Vec::new();
    for component in relative.components() {
        match component.as_os_str().to_str() {
            Some(part) => parts.push(part),
            None => return Err(relative.display().to_string()),
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn sample() -> Files {
        let mut files = Files::new();
        files.insert("manifest.json".into(), br#"{"name":"demo"}"#.to_vec());
        files.insert(
            "policies/a.cedar".into(),
            b"permit(principal, action, resource);".to_vec(),
        );
        files.insert(
            "policies/b.cedar".into(),
            b"forbid(principal, action, resource);".to_vec(),
        );
        files.insert("evidence/replay/summary.json".into(), b"{}".to_vec());
        files.insert("empty.txt".into(), Vec::new());
        files
    }

    /// A zip built with the `zip` crate's writer, with whatever names and modes we ask for.
    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, bytes) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn read_bytes(
        bytes: &[u8],
        limits: &Limits,
    ) -> (tempfile::TempDir, Result<Files, Vec<BundleProblem>>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.mandate-bundle");
        fs::write(&path, bytes).unwrap();
        let got = read(&path, limits);
        (dir, got)
    }

    /// (file, message) pairs, for compact assertions.
    fn pairs(problems: &[BundleProblem]) -> Vec<(&str, &str)> {
        problems
            .iter()
            .map(|p| (p.file.as_str(), p.message.as_str()))
            .collect()
    }

    fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
        assert_eq!(from.len(), to.len());
        let mut n = 0;
        let mut i = 0;
        while i + from.len() <= bytes.len() {
            if &bytes[i..i + from.len()] == from {
                bytes[i..i + from.len()].copy_from_slice(to);
                n += 1;
                i += from.len();
            } else {
                i += 1;
            }
        }
        n
    }

    #[test]
    fn problems_are_shown_inside_the_bundle_never_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("b.mandate-bundle");
        fs::write(&zip, zip_of(&[("manifest.json", b"{}")])).unwrap();
        let z = zip.display().to_string();
        assert_eq!(shown(&zip, "../evil.txt"), format!("{z}!/../evil.txt"));
        assert_eq!(
            shown(&zip, &z),
            z,
            "a bundle-level problem names the bundle"
        );
        // A zip is a zip whatever its name, once it is on disk.
        let odd = dir.path().join("odd");
        fs::write(&odd, b"PK").unwrap();
        assert_eq!(shown(&odd, "a"), format!("{}!/a", odd.display()));
        let folder = dir.path().join("folder");
        fs::create_dir(&folder).unwrap();
        assert_eq!(
            shown(&folder, "schema.cedarschema"),
            format!("{}/schema.cedarschema", folder.display())
        );
        assert_eq!(
            shown(Path::new("rel/b/"), "x.json"),
            "rel/b/x.json",
            "a folder not on disk"
        );
    }

    #[test]
    fn kind_is_by_extension() {
        assert_eq!(kind_of(Path::new("x/b.mandate-bundle")), Kind::Zip);
        assert_eq!(kind_of(Path::new("b.ZIP")), Kind::Zip);
        assert_eq!(kind_of(Path::new("b")), Kind::Dir);
        assert_eq!(kind_of(Path::new("b.d/x")), Kind::Dir);
    }

    #[test]
    fn dir_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("nested/out");
        write(&sample(), &target).unwrap();
        assert!(target.join("policies/a.cedar").is_file());
        assert_eq!(read(&target, &Limits::default()).unwrap(), sample());
        // No temporary directory is left beside the target.
        let left: Vec<_> = fs::read_dir(tmp.path().join("nested")).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn dir_write_refuses_a_non_empty_target_and_accepts_an_empty_one() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        fs::create_dir(&target).unwrap();
        write(&sample(), &target).unwrap();
        let err = write(&sample(), &target).unwrap_err();
        assert_eq!(err.file, target.display().to_string());
        assert!(
            err.message
                .contains("not empty: choose a new path or remove it"),
            "{err}"
        );
    }

    #[test]
    fn zip_round_trip_is_byte_identical() {
        let tmp = tempfile::tempdir().unwrap();
        let one = tmp.path().join("one.mandate-bundle");
        let two = tmp.path().join("sub/two.zip");
        write(&sample(), &one).unwrap();
        write(&sample(), &two).unwrap();
        assert_eq!(fs::read(&one).unwrap(), fs::read(&two).unwrap());
        assert_eq!(read(&one, &Limits::default()).unwrap(), sample());
        // A zip target is replaced atomically, and no temporary file is left behind.
        write(&sample(), &one).unwrap();
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 2);
    }

    #[test]
    fn zip_written_has_fixed_time_mode_and_order() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("b.mandate-bundle");
        write(&sample(), &path).unwrap();
        let mut archive = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .collect();
        let want: Vec<String> = sample().into_keys().collect();
        assert_eq!(names, want);
        let first = archive.by_index(0).unwrap();
        assert_eq!(first.unix_mode().unwrap() & 0o777, 0o644);
        assert_eq!(first.last_modified(), Some(DateTime::default()));
        assert_eq!(first.compression(), CompressionMethod::Deflated);
    }

    #[test]
    fn write_refuses_unsafe_and_colliding_names() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let mut files = Files::new();
        files.insert("../evil".into(), b"x".to_vec());
        let err = write(&files, &target).unwrap_err();
        assert_eq!(err.file, "../evil");
        assert!(err.message.contains("`..` component"), "{err}");
        let mut files = Files::new();
        files.insert("A.cedar".into(), b"x".to_vec());
        files.insert("a.cedar".into(), b"y".to_vec());
        let err = write(&files, &target).unwrap_err();
        assert_eq!(err.file, "a.cedar");
        assert!(
            err.message.contains("differs from `A.cedar` only by case"),
            "{err}"
        );
        assert!(!target.exists());
        assert!(!tmp.path().join("evil").exists());
    }

    #[test]
    fn zip_slip_and_absolute_names_are_all_reported() {
        let zip = zip_of(&[
            ("../evil", b"x"),
            ("/etc/x", b"x"),
            ("C:\\x", b"x"),
            ("ok.cedar", b"permit(principal, action, resource);"),
            ("a//b", b"x"),
            ("a/./b", b"x"),
        ]);
        let (dir, got) = read_bytes(&zip, &Limits::default());
        let problems = got.unwrap_err();
        let got = pairs(&problems);
        let files: Vec<&str> = got.iter().map(|(f, _)| *f).collect();
        assert_eq!(files, ["../evil", "/etc/x", "C:\\x", "a//b", "a/./b"]);
        assert!(
            got[0].1.starts_with("unsafe path: has a `..` component"),
            "{}",
            got[0].1
        );
        assert!(
            got[1].1.contains("absolute (starts with `/`)"),
            "{}",
            got[1].1
        );
        assert!(got[2]
            .1
            .contains("absolute (starts with a drive letter), contains a backslash"));
        assert!(got[3].1.contains("empty component"), "{}", got[3].1);
        assert!(got[4].1.contains("`.` component"), "{}", got[4].1);
        // Nothing was written beside the archive, or above it.
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
        assert!(!dir.path().parent().unwrap().join("evil").exists());
    }

    #[test]
    fn zip_symlink_entry_is_refused() {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        zip.add_symlink("policies/link.cedar", "/etc/passwd", options)
            .unwrap();
        zip.start_file("manifest.json", options).unwrap();
        zip.write_all(b"{}").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let problems = read_bytes(&bytes, &Limits::default()).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "policies/link.cedar");
        assert!(
            problems[0].message.starts_with("is a symbolic link"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn zip_duplicate_names_are_refused() {
        let mut bytes = zip_of(&[("a.txt", b"first"), ("b.txt", b"second")]);
        // The zip writer refuses duplicates, so rename `b.txt` in both its headers.
        assert_eq!(replace_all(&mut bytes, b"b.txt", b"a.txt"), 2);
        let problems = read_bytes(&bytes, &Limits::default()).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "a.txt");
        assert!(
            problems[0].message.starts_with("duplicate entry"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn zip_case_insensitive_duplicates_are_refused() {
        let bytes = zip_of(&[("a.cedar", b"x"), ("A.cedar", b"y")]);
        let problems = read_bytes(&bytes, &Limits::default()).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "A.cedar");
        assert!(problems[0]
            .message
            .contains("differs from `a.cedar` only by case"));
    }

    #[test]
    fn file_and_folder_of_the_same_name_are_refused() {
        let bytes = zip_of(&[("a", b"x"), ("a/b", b"y")]);
        let problems = read_bytes(&bytes, &Limits::default()).1.unwrap_err();
        assert_eq!(pairs(&problems).len(), 1);
        assert_eq!(problems[0].file, "a");
        assert!(problems[0]
            .message
            .contains("both a file and the folder of `a/b`"));
    }

    #[test]
    fn zip_directory_entries_are_skipped() {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        zip.add_directory("policies/", options).unwrap();
        zip.start_file("policies/a.cedar", options).unwrap();
        zip.write_all(b"permit(principal, action, resource);")
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let files = read_bytes(&bytes, &Limits::default()).1.unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["policies/a.cedar"]);
    }

    #[test]
    fn oversized_entry_is_refused_before_reading() {
        let zeros = vec![0u8; 2 * MIB as usize];
        let bytes = zip_of(&[("big.json", &zeros), ("ok.json", b"{}")]);
        let limits = Limits {
            max_entry_bytes: MIB,
            max_ratio: u64::MAX,
            ..Limits::default()
        };
        let problems = read_bytes(&bytes, &limits).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "big.json");
        assert_eq!(
            problems[0].message,
            "declares 2097152 bytes, more than the per-file limit of 1048576: a bundle holds \
             text; shrink or split the file"
        );
    }

    #[test]
    fn zip_bomb_ratio_is_refused_at_default_limits() {
        let zeros = vec![0u8; 2 * MIB as usize];
        let bytes = zip_of(&[("bomb.json", &zeros)]);
        let problems = read_bytes(&bytes, &Limits::default()).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "bomb.json");
        assert!(
            problems[0]
                .message
                .contains(":1, more than the limit of 100:1"),
            "{}",
            problems[0]
        );
        // Below the floor, the same ratio is fine: small repetitive files are normal.
        let small = vec![0u8; 512 * 1024];
        let bytes = zip_of(&[("small.json", &small)]);
        assert_eq!(
            read_bytes(&bytes, &Limits::default()).1.unwrap()["small.json"].len(),
            512 * 1024
        );
    }

    #[test]
    fn total_over_limit_is_reported_once_naming_the_archive() {
        let data = vec![7u8; 600 * 1024];
        let bytes = zip_of(&[("a.bin", &data), ("b.bin", &data), ("c.bin", &data)]);
        let limits = Limits {
            max_total_bytes: MIB,
            ..Limits::default()
        };
        let (dir, got) = read_bytes(&bytes, &limits);
        let problems = got.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].file,
            dir.path().join("in.mandate-bundle").display().to_string()
        );
        assert!(problems[0]
            .message
            .starts_with("holds more than the total limit of 1048576 bytes"));
    }

    #[test]
    fn too_many_entries_is_refused() {
        let bytes = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let limits = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        let problems = read_bytes(&bytes, &limits).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].file.ends_with("in.mandate-bundle"));
        assert!(problems[0]
            .message
            .starts_with("holds 3 entries, more than the limit of 2"));
    }

    #[test]
    fn lying_size_header_is_not_trusted() {
        let zeros = vec![0u8; 2 * MIB as usize];
        let mut bytes = zip_of(&[("big.txt", &zeros)]);
        // Declare 100 bytes in both the local header (offset 22) and the central one (24).
        let small = 100u32.to_le_bytes();
        let local = 0;
        assert_eq!(&bytes[local..local + 4], b"PK\x03\x04");
        bytes[local + 22..local + 26].copy_from_slice(&small);
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&small);
        let limits = Limits {
            max_entry_bytes: MIB,
            ..Limits::default()
        };
        let problems = read_bytes(&bytes, &limits).1.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "big.txt");
        assert!(
            problems[0].message.starts_with("cannot be read"),
            "{}",
            problems[0]
        );
        assert!(problems[0].message.contains("declared"), "{}", problems[0]);
    }

    #[test]
    fn not_a_zip_is_refused() {
        let (dir, got) = read_bytes(b"not a zip at all", &Limits::default());
        let problems = got.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].file,
            dir.path().join("in.mandate-bundle").display().to_string()
        );
        assert!(problems[0].message.starts_with("is not a readable zip"));
        let missing = dir.path().join("missing");
        let problems = read(&missing, &Limits::default()).unwrap_err();
        assert!(problems[0].message.starts_with("cannot be opened"));
    }

    #[cfg(unix)]
    #[test]
    fn dir_symlinks_and_case_duplicates_are_all_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("bundle");
        fs::create_dir_all(root.join("policies")).unwrap();
        fs::write(
            root.join("policies/a.cedar"),
            b"permit(principal, action, resource);",
        )
        .unwrap();
        fs::write(
            root.join("policies/A.cedar"),
            b"forbid(principal, action, resource);",
        )
        .unwrap();
        fs::write(tmp.path().join("secret"), b"do not read").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("entities.json")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), root.join("outside")).unwrap();
        let problems = read(&root, &Limits::default()).unwrap_err();
        let mut got = pairs(&problems);
        got.sort();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, "entities.json");
        assert!(got[0].1.starts_with("is a symbolic link"));
        assert_eq!(got[1].0, "outside");
        assert!(got[1].1.starts_with("is a symbolic link"));
        // Walk order decides which of the two is first; the other is named.
        assert!(got[2].0 == "policies/a.cedar" || got[2].0 == "policies/A.cedar");
        assert!(got[2].1.contains("only by case"));
    }

    #[test]
    fn dir_oversized_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("big.json"), vec![b'x'; 2048]).unwrap();
        fs::write(tmp.path().join("ok.json"), b"{}").unwrap();
        let limits = Limits {
            max_entry_bytes: 1024,
            ..Limits::default()
        };
        let problems = read(tmp.path(), &limits).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "big.json");
        assert!(problems[0]
            .message
            .starts_with("declares 2048 bytes, more than the per-file limit of 1024"));
    }

    #[test]
    fn read_body_never_reads_past_the_limit() {
        let mut reader = Reader::new(
            "x".into(),
            Limits {
                max_entry_bytes: 10,
                ..Limits::default()
            },
        );
        // A body that claims 5 bytes but never ends: the read stops at the limit plus one.
        let got = reader.read_body("endless", io::repeat(1), 5);
        assert_eq!(got, None);
        assert_eq!(reader.read_total, 11);
        assert!(reader.problems[0].message.contains("its header declared 5"));
    }
}
