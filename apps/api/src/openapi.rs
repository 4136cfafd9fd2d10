//! The OpenAPI document, assembled from the `#[utoipa::path]` annotations of every route.

use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorObject, FieldError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orderflow API",
        description = "Orders, auth and per-SKU statistics of the orderflow platform. Every error has the body `ErrorBody`.\n\nEvery operation may answer `503 SERVICE_UNAVAILABLE` with `Retry-After` when a service it needs (PostgreSQL, Redis, the read model, the inventory service) is unreachable: retry after that many seconds, with the same `Idempotency-Key` where there is one. `500 INTERNAL_ERROR` means a bug on the server and is not listed per operation.",
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
        (name = "inventory", description = "Stock per SKU, kept by the inventory service"),
        (name = "live", description = "Live updates over Server-Sent Events"),
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

/// Completes the document once every route is merged: the answers every operation shares
/// (503 on an outage; 400, 413, 415 and 422 for any JSON body) are added where a route did
/// not describe them itself, and an optional request body is an object or absent, never
/// `null`.
pub fn finish(openapi: &mut utoipa::openapi::OpenApi) {
    let mut document = serde_json::to_value(&*openapi).expect("the document is JSON");
    if let Some(paths) = document["paths"].as_object_mut() {
        for operation in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in operation.values_mut().filter_map(Value::as_object_mut) {
                complete_operation(operation);
            }
        }
    }
    *openapi = serde_json::from_value(document).expect("the completed document reads back");
}

fn complete_operation(operation: &mut Map<String, Value>) {
    let has_body = operation.contains_key("requestBody");
    if let Some(body) = operation.get_mut("requestBody") {
        let is_required = body["required"] == Value::Bool(true);
        for content in body["content"]
            .as_object_mut()
            .into_iter()
            .flat_map(|c| c.values_mut())
        {
            strip_null_variant(&mut content["schema"]);
        }
        if let (false, Some(body)) = (is_required, body.as_object_mut()) {
            body.remove("required");
        }
    }
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    let mut shared = vec![(
        "503",
        "A service this request needs is unreachable (`SERVICE_UNAVAILABLE`); retry after `Retry-After` seconds",
    )];
    if has_body {
        shared.extend([
            ("400", "The body is not valid JSON (`MALFORMED_JSON`)"),
            ("413", "The body is larger than 64 KiB"),
            ("415", "The body is not sent as `application/json`"),
            (
                "422",
                "The body is not a JSON object of the documented shape; `details` names each field",
            ),
        ]);
    }
    for (status, description) in shared {
        responses
            .entry(status)
            .or_insert_with(|| error_response(status, description));
    }
}

fn error_response(status: &str, description: &str) -> Value {
    let mut response = json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    });
    if status == "503" {
        response["headers"] = json!({"Retry-After": {
            "description": "Seconds to wait before retrying",
            "required": true,
            "schema": {"type": "integer", "format": "int64", "minimum": 1},
        }});
    }
    response
}

/// `Option<T>` bodies come out as `oneOf: [null, T]`; the server refuses a `null` body, so
/// the document says `T` (and the body stays optional).
fn strip_null_variant(schema: &mut Value) {
    let Some(variants) = schema.get("oneOf").and_then(Value::as_array) else {
        return;
    };
    let rest: Vec<&Value> = variants.iter().filter(|v| v["type"] != "null").collect();
    if rest.len() == 1 && variants.len() == 2 {
        *schema = rest[0].clone();
    }
}
