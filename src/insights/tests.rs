//! Unit tests of the scan's building blocks; `tests/insights.rs` plants every finding in a
//! stored set and checks each is found exactly once.
