//! The index of bundles published from this copy of the workspace (`bundles`).

use rusqlite::{params, OptionalExtension};

use super::{Db, Result};

/// A published bundle as indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleIndex {
    pub version: String,
    pub hash: String,
    pub parent: Option<String>,
    pub published_at: String,
    pub published_by: String,
    pub copied_to: Option<String>,
}

impl Db {
    /// Records a publication; publishing the same version again replaces its row.
    pub fn index_bundle(&self, b: &BundleIndex) -> Result<()> {
        self.conn().execute(
            "INSERT INTO bundles (version, hash, parent, published_at, published_by, copied_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (version) DO UPDATE SET hash = excluded.hash, parent = excluded.parent,
                 published_at = excluded.published_at, published_by = excluded.published_by,
                 copied_to = excluded.copied_to",
            params![
                b.version,
                b.hash,
                b.parent,
                b.published_at,
                b.published_by,
                b.copied_to
            ],
        )?;
        Ok(())
    }

    /// The index row of `version`, when it has one.
    pub fn indexed_bundle(&self, version: &str) -> Result<Option<BundleIndex>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT version, hash, parent, published_at, published_by, copied_to
                 FROM bundles WHERE version = ?1",
                [version],
                |r| {
                    Ok(BundleIndex {
                        version: r.get(0)?,
                        hash: r.get(1)?,
                        parent: r.get(2)?,
                        published_at: r.get(3)?,
                        published_by: r.get(4)?,
                        copied_to: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Every indexed bundle, in publication order.
    pub fn bundle_index(&self) -> Result<Vec<BundleIndex>> {
        let mut stmt = self.conn().prepare(
            "SELECT version, hash, parent, published_at, published_by, copied_to
             FROM bundles ORDER BY published_at, version",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(BundleIndex {
                version: r.get(0)?,
                hash: r.get(1)?,
                parent: r.get(2)?,
                published_at: r.get(3)?,
                published_by: r.get(4)?,
                copied_to: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publications_are_indexed_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("m.db")).unwrap();
        let row = |v: &str, h: &str, at: &str| BundleIndex {
            version: v.into(),
            hash: h.into(),
            parent: None,
            published_at: at.into(),
            published_by: "dana".into(),
            copied_to: None,
        };
        db.index_bundle(&row("1.1.0", "sha256:b", "2026-11-23T11:00:00Z"))
            .unwrap();
        db.index_bundle(&row("1.0.0", "sha256:a", "2026-11-23T10:00:00Z"))
            .unwrap();
        let got: Vec<String> = db
            .bundle_index()
            .unwrap()
            .into_iter()
            .map(|b| b.version)
            .collect();
        assert_eq!(got, ["1.0.0", "1.1.0"]);
        // One bundle (hash) cannot be two versions.
        assert!(db
            .index_bundle(&row("1.2.0", "sha256:a", "2026-11-23T12:00:00Z"))
            .is_err());
    }
}
