//! docs/spec.md#auth: registration, login, refresh rotation with reuse detection, logout, `/me`,
//! the role guard, the login rate limit and the admin CLI; one module per endpoint or flow.
//!
//! Logins come from a random client address each (`random_ip`), so the per-IP rate limit
//! of parallel tests never collides.

mod admin_cli;
mod login;
mod logout;
mod logs;
mod rate_limit;
mod refresh;
mod register;
mod roles;
mod session;
mod tokens;
