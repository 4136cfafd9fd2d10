//! Authentication and authorization (SPEC §3).

pub mod domain;
pub mod extract;
pub mod tokens;

pub use domain::Role;
pub use extract::{AdminOnly, AuthUser, RequireRole};
