//! Authentication and authorization (docs/spec.md#auth).

pub mod client_ip;
pub mod domain;
pub mod extract;
pub mod password;
pub mod rate_limit;
pub mod repo;
pub mod routes;
pub mod service;
pub mod tokens;

pub use domain::Role;
pub use extract::{Admin, AdminOnly, AuthUser, RequireRole, RoleMarker, VerifiedToken};
