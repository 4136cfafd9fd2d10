//! Transport plumbing shared by every route: extractors and middleware.

pub mod extract;
pub mod middleware;

pub use extract::{AppJson, AppPath, AppQuery};
pub use middleware::RequestId;
