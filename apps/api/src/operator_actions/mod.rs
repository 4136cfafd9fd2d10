//! The operator action log (`operator_actions`): who repaired what, and when (issue 14).

pub mod repo;
