//! Plumbing every orderflow service shares, so each binary's `main` stays a few lines.

pub mod config;
pub mod db;
pub mod http;
pub mod json;
pub mod ops;
pub mod shutdown;
pub mod telemetry;
