//! The OpenAPI document, assembled from the `#[utoipa::path]` annotations of every route.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorObject, FieldError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orderflow API",
        description = "Orders, auth and per-SKU statistics of the orderflow platform. Every error has the body `ErrorBody`.",
        version = "0.1.0"
    ),
    components(schemas(ErrorBody, ErrorObject, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, metrics and documentation"),
        (name = "orders", description = "Placing, reading and paying or canceling orders"),
        (name = "admin", description = "Admin-only views"),
        (name = "auth", description = "Registration, login, token refresh and logout"),
        (name = "stats", description = "Per-SKU sales from the read model"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
