//! Progress and cancellation of the long operations that are not imports or replays:
//! insights, a task's timeline, an agent's insights, coverage, coverage exports and bundle
//! builds (each can read every recorded request).
//!
//! The shell passes [`OperationHooks`] (a progress callback and the cancel flag it keeps in
//! its state, as for replays); the operation turns them into [`Steps`], which nested work
//! shares (a bundle build computes coverage, which computes insights), so one operation
//! reports one stream of phases under its own name. A set flag stops the work at its next
//! check with [`ErrorCode::Cancelled`]; nothing half-computed is cached.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::{dto, ApiError, ApiResult};
use crate::error::ErrorCode;

/// Rows read between two progress reports (and two cancel checks where rows are cheap).
pub(crate) const ROWS_PER_REPORT: u64 = 4096;

/// What a long operation reports back while it runs, and how to stop it.
#[derive(Default)]
pub struct OperationHooks<'h> {
    /// At the start of each phase and as it advances.
    pub progress: Option<&'h mut dyn FnMut(dto::OperationProgress)>,
    /// Checked between steps; when set, the operation stops, keeps nothing and reports
    /// [`ErrorCode::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
}

/// The hooks of one running operation, named.
pub(crate) struct Steps<'h> {
    operation: dto::Operation,
    progress: Option<&'h mut dyn FnMut(dto::OperationProgress)>,
    cancel: Option<Arc<AtomicBool>>,
}

impl<'h> Steps<'h> {
    pub(crate) fn new(operation: dto::Operation, hooks: OperationHooks<'h>) -> Self {
        Self {
            operation,
            progress: hooks.progress,
            cancel: hooks.cancel,
        }
    }

    /// No reports, never cancelled: the calls without hooks.
    pub(crate) fn quiet(operation: dto::Operation) -> Self {
        Self::new(operation, OperationHooks::default())
    }

    /// Reports `done` of `total` in `phase` (`total` 0: a phase without a count).
    pub(crate) fn report(&mut self, phase: &str, done: u64, total: u64) {
        if let Some(p) = self.progress.as_mut() {
            p(dto::OperationProgress {
                operation: self.operation,
                phase: phase.to_owned(),
                done,
                total,
            });
        }
    }

    /// The flag, for work that checks it itself (a replay, the solver, a parallel loop).
    pub(crate) fn shared_flag(&self) -> Option<Arc<AtomicBool>> {
        self.cancel.clone()
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel
            .as_deref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// `Err(cancelled)` once the flag is set.
    pub(crate) fn check(&self) -> ApiResult<()> {
        if self.is_cancelled() {
            Err(self.cancelled())
        } else {
            Ok(())
        }
    }

    /// The error a cancelled operation returns.
    pub(crate) fn cancelled(&self) -> ApiError {
        ApiError::new(
            ErrorCode::Cancelled,
            format!("the {} was cancelled", self.operation.noun()),
            Some("nothing of it was kept; run it again"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_carry_the_operation_and_a_set_flag_is_the_coded_error() {
        let mut seen = Vec::new();
        let flag = Arc::new(AtomicBool::new(false));
        {
            let mut collect = |p: dto::OperationProgress| seen.push(p);
            let mut steps = Steps::new(
                dto::Operation::Coverage,
                OperationHooks {
                    progress: Some(&mut collect),
                    cancel: Some(Arc::clone(&flag)),
                },
            );
            steps.report("Reading", 1, 2);
            assert!(steps.check().is_ok());
            flag.store(true, Ordering::Relaxed);
            let e = steps.check().err().map(|e| (e.code, e.message));
            assert_eq!(
                e,
                Some((
                    ErrorCode::Cancelled,
                    "the coverage computation was cancelled".to_owned()
                ))
            );
        }
        assert_eq!(
            seen,
            vec![dto::OperationProgress {
                operation: dto::Operation::Coverage,
                phase: "Reading".into(),
                done: 1,
                total: 2,
            }]
        );
        assert!(Steps::quiet(dto::Operation::Insights).check().is_ok());
    }
}
