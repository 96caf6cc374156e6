//! Policies the last analysis of the working copy proved effective (`analysis_proofs`).

use rusqlite::params;

use super::{Db, Result};

/// One proof: the policy, the digest of its text when proved, when, and by which solver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub policy: String,
    pub digest: String,
    pub proved_at: String,
    pub solver: String,
}

impl Db {
    /// Replaces the proofs with this analysis's, in one transaction: a policy the new
    /// analysis did not prove loses its old proof.
    pub fn record_proofs(&mut self, proofs: &[Proof]) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM analysis_proofs", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO analysis_proofs (policy, digest, proved_at, solver) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for p in proofs {
                insert.execute(params![p.policy, p.digest, p.proved_at, p.solver])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every recorded proof, by policy.
    pub fn proofs(&self) -> Result<Vec<Proof>> {
        let mut stmt = self.conn().prepare(
            "SELECT policy, digest, proved_at, solver FROM analysis_proofs ORDER BY policy",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Proof {
                policy: r.get(0)?,
                digest: r.get(1)?,
                proved_at: r.get(2)?,
                solver: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_analysis_replaces_the_proofs_of_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open(&dir.path().join("m.db")).unwrap();
        let proof = |policy: &str, at: &str| Proof {
            policy: policy.into(),
            digest: format!("sha256:{policy}"),
            proved_at: at.into(),
            solver: "cvc5 1.4.2".into(),
        };
        db.record_proofs(&[proof("a", "t1"), proof("b", "t1")])
            .unwrap();
        db.record_proofs(&[proof("b", "t2")]).unwrap();
        assert_eq!(db.proofs().unwrap(), vec![proof("b", "t2")]);
    }
}
