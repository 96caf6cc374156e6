//! File revisions and the optimistic check behind every save an editor makes.
//!
//! A revision is the sha256 of a file's bytes in hex, or [`ABSENT`] for a file that does
//! not exist. An editor keeps the revision it loaded and names it when it saves; the save
//! is refused ([`WorkspaceError::Conflict`]) when the file on disk is no longer at that
//! revision, so an edit made elsewhere in the meantime (another editor, `git pull`, the CLI)
//! is never overwritten silently.
//!
//! The check sits as close to the write as a rename allows: the new content is written to
//! a temporary file and flushed first, then the target is re-read and compared, then the
//! temporary file is renamed over it. Saves of this process are serialised by the
//! workspace's write lock, so two of its own saves cannot interleave. What remains is the
//! window between that last comparison and the rename (microseconds, no I/O in between but
//! one read): another *process* that replaces the file inside it is overwritten. Closing it
//! would need every writer to take a common lock, which editors and git do not.

use std::path::Path;

use super::{fingerprint, flushed_temp, persist, IoError, WorkspaceError};

/// The revision of a file that does not exist: a save that creates a file names it.
pub const ABSENT: &str = "absent";

/// The revision of `contents`: their sha256 in lowercase hex.
pub fn revision(contents: &[u8]) -> String {
    fingerprint(contents)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The revision of the file at `path` as it is now ([`ABSENT`] when there is none).
pub fn revision_at(path: &Path) -> Result<String, WorkspaceError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(revision(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ABSENT.to_owned()),
        Err(e) => Err(IoError::new("read", path, e).into()),
    }
}

/// What a checked write replaced and wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The revision the file had just before the write ([`ABSENT`] when it was created).
    pub before: String,
    /// The revision it has now: what the next save names.
    pub after: String,
}

/// Writes `contents` to `path` atomically when the file is still at `expected` (any revision
/// with `None`); `ready` runs once the check passed, just before the rename. `rel` names the
/// file in a conflict error.
pub(super) fn write_checked(
    path: &Path,
    rel: &str,
    contents: &[u8],
    expected: Option<&str>,
    ready: impl FnOnce(),
) -> Result<Written, WorkspaceError> {
    let tmp = flushed_temp(path, contents)?;
    // Everything slow is done: compare and rename back to back. On a conflict the temporary
    // file is dropped (deleted) and the target is untouched.
    let before = revision_at(path)?;
    if let Some(expected) = expected {
        if before != expected {
            return Err(WorkspaceError::Conflict {
                path: rel.to_owned(),
                current: before,
            });
        }
    }
    ready();
    persist(tmp, path)?;
    Ok(Written {
        before,
        after: revision(contents),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_is_sha256_hex_and_absent_for_a_missing_file() {
        assert_eq!(
            revision(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(revision_at(&dir.path().join("none")).unwrap(), ABSENT);
    }

    #[test]
    fn a_stale_revision_is_refused_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "theirs").unwrap();
        let stale = revision(b"mine before");
        let err = write_checked(&p, "a.txt", b"mine", Some(&stale), || {}).unwrap_err();
        assert!(
            matches!(&err, WorkspaceError::Conflict { path, current } if path == "a.txt" && *current == revision(b"theirs"))
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "theirs");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let ok = write_checked(&p, "a.txt", b"mine", Some(&revision(b"theirs")), || {}).unwrap();
        assert_eq!(ok.before, revision(b"theirs"));
        assert_eq!(ok.after, revision(b"mine"));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "mine");
    }
}
