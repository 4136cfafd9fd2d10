//! The OpenAPI document says exactly what the server accepts (issue 11): one regression
//! test per schemathesis finding, array and other non-object bodies, and the statuses
//! every operation documents. Each test reads the served document and sends the request
//! it describes.

use std::process::Command;

use api::auth::domain::{Email, EMAIL_PATTERN};
use api::auth::password::{password_pattern, policy_violations};
use api::auth::Role;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse};

fn document() -> Value {
    serde_json::to_value(api::openapi_document()).unwrap()
}

/// Resolves a `$ref` into `#/components/schemas`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn body_schema<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    resolve(
        doc,
        &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"],
    )
}

fn query_parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path} documents {name}"))
}

async fn token(app: &TestApp, role: Role) -> String {
    let id = Uuid::new_v4();
    let email = format!("{}@example.com", id.simple());
    sqlx::query("INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', $3)")
        .bind(id)
        .bind(&email)
        .bind(role.as_str())
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.state.jwt.issue(id, &email, role).0
}

/// A request with a raw JSON body text (so arrays, scalars and `null` can be sent).
fn raw_json(method: Method, path: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", Uuid::new_v4().to_string());
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

fn get(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[track_caller]
fn assert_invalid(response: &TestResponse, field: &str) {
    let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert!(
        error["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"] == field),
        "{field} named: {error}"
    );
}

async fn orders_stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_order_has_1_to_50_items_in_the_document_and_on_the_server() {
    let doc = document();
    let items = &body_schema(&doc, "/orders", "post")["properties"]["items"];
    assert_eq!(
        (items["minItems"].as_u64(), items["maxItems"].as_u64()),
        (Some(1), Some(50))
    );

    let app = TestApp::spawn().await;
    let user = token(&app, Role::User).await;
    let item = json!({"sku": "SKU-1", "qty": 1, "unit_price": 10});
    let order =
        |count: usize| json!({"currency": "EUR", "items": vec![item.clone(); count]}).to_string();
    assert_invalid(
        &app.send(raw_json(Method::POST, "/orders", Some(&user), &order(0)))
            .await,
        "items",
    );
    assert_invalid(
        &app.send(raw_json(Method::POST, "/orders", Some(&user), &order(51)))
            .await,
        "items",
    );
    let fifty = app
        .send(raw_json(Method::POST, "/orders", Some(&user), &order(50)))
        .await;
    assert_eq!(fifty.status, StatusCode::CREATED, "{}", fifty.text());
    assert_eq!(orders_stored(&app).await, 1);
}

/// JSON Schema's `integer` is any number without a fractional part (`2.0`, `1.5e2`).
#[tokio::test]
async fn quantities_and_prices_are_integers_as_json_schema_counts_them() {
    let app = TestApp::spawn().await;
    let user = token(&app, Role::User).await;
    let order =
        r#"{"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 2.0, "unit_price": 1.5e2}]}"#;
    let created = app
        .send(raw_json(Method::POST, "/orders", Some(&user), order))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["items"][0]["line_total"], 300);
    let fractional =
        r#"{"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 2.5, "unit_price": 10}]}"#;
    assert_invalid(
        &app.send(raw_json(Method::POST, "/orders", Some(&user), fractional))
            .await,
        "items[0].qty",
    );
}

#[tokio::test]
async fn the_password_policy_is_in_the_schema_and_the_rest_is_a_described_422() {
    let doc = document();
    let schema = body_schema(&doc, "/auth/register", "post");
    let password = &schema["properties"]["password"];
    assert_eq!(
        (
            password["minLength"].as_u64(),
            password["maxLength"].as_u64()
        ),
        (Some(12), Some(128))
    );
    assert_eq!(password["pattern"], password_pattern());
    let description = password["description"].as_str().unwrap();
    assert!(
        description.contains("common") && description.contains("local part"),
        "{description}"
    );
    let email = &schema["properties"]["email"];
    assert_eq!(
        (email["pattern"].as_str(), email["maxLength"].as_u64()),
        (Some(EMAIL_PATTERN), Some(254))
    );

    let app = TestApp::spawn().await;
    let register = |email: &str, password: &str| {
        raw_json(
            Method::POST,
            "/auth/register",
            None,
            &json!({"email": email, "password": password}).to_string(),
        )
    };
    let email = || format!("{}@example.com", Uuid::new_v4().simple());
    // Exactly 12 characters with the four classes: valid by the schema, accepted.
    let response = app.send(register(&email(), "aA1!aA1!aA1!")).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    // What the schema cannot say: the documented 422.
    assert_invalid(
        &app.send(register(&email(), "Password123!")).await,
        "password",
    );
    assert_invalid(
        &app.send(register("margaret@example.com", "xMargaret-2026!"))
            .await,
        "password",
    );
}

/// The schemas are regular expressions the server does not run, so they are checked
/// against the code with an ECMA-compatible engine (Python's `re`, with `$` read as the
/// end of the text as in ECMA-262) over values on either side of every rule.
#[test]
fn the_email_and_password_patterns_match_exactly_what_the_server_accepts() {
    let emails = [
        "a@b.cd",
        " a@b.cd ",
        "A.B+c@Example.COM",
        "a..b@x.io",
        "o'neil@x-y.example.org",
        "",
        " ",
        "a",
        "a@b",
        "a@b.c",
        "a@b.c0",
        "a@-b.cd",
        "a@b-.cd",
        ".a@b.cd",
        "a.@b.cd",
        "a b@c.de",
        "a@b..cd",
        "a@@b.cd",
        "\ta@b.cd",
        "a@b.cd\n",
        "ä@b.cd",
        "a@bä.cd",
        "\"a\"@b.cd",
        "a@b.cd.",
        "(a)@b.cd",
        "a@1.23",
        "a@b.c-d",
    ];
    let long_local = format!("{}@b.cd", "a".repeat(64));
    let too_long_local = format!("{}@b.cd", "a".repeat(65));
    let emails: Vec<String> = emails
        .iter()
        .map(|e| (*e).to_owned())
        .chain([long_local, too_long_local])
        .collect();
    let passwords = [
        "aA1!aA1!aA1!",
        "aA1!aA1!aA1",
        "Tr1cky-Horse-Battery",
        "Ünïcode-Pässwörd-42",
        "ÄÖÜ-ÄÖÜ-äöü-12",
        "no-upper-case-1",
        "NO-LOWER-CASE-1",
        "No-Digits-Here!",
        "NoSpecials12345",
        "line\nBreak-123",
        "Spaces are 1 special",
    ];
    let long = format!("aA1!{}", "x".repeat(124));
    let too_long = format!("aA1!{}", "x".repeat(125));
    let passwords: Vec<String> = passwords
        .iter()
        .map(|p| (*p).to_owned())
        .chain([long, too_long])
        .collect();

    let password_pattern = password_pattern();
    let python = python_full_matches(&[
        (EMAIL_PATTERN, 0, 254, &emails),
        (&password_pattern, 12, 128, &passwords),
    ]);
    for (email, schema_ok) in emails.iter().zip(&python[0]) {
        assert_eq!(Email::parse(email).is_ok(), *schema_ok, "email {email:?}");
    }
    for (password, schema_ok) in passwords.iter().zip(&python[1]) {
        // The common list and the email rule are prose, not schema: none of these hit them.
        let server_ok = policy_violations(password, None).is_empty();
        assert_eq!(server_ok, *schema_ok, "password {password:?}");
    }
}

/// For each (pattern, minLength, maxLength, values): whether each value is valid by the
/// schema, with Python's `re` for the pattern.
fn python_full_matches(cases: &[(&str, usize, usize, &Vec<String>)]) -> Vec<Vec<bool>> {
    let input = json!(cases
        .iter()
        .map(|(pattern, min, max, values)| {
            json!({"pattern": pattern, "min": min, "max": max, "values": values})
        })
        .collect::<Vec<_>>());
    let script = r#"
import json, re, sys
out = []
for case in json.load(sys.stdin):
    pattern = case["pattern"]
    assert pattern.endswith("$")
    regex = re.compile(pattern[:-1] + r"\Z")
    out.append([
        case["min"] <= len(v) <= case["max"] and regex.search(v) is not None
        for v in case["values"]
    ])
print(json.dumps(out))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is installed (scripts/stack up needs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn a_cursor_is_76_base64url_characters_and_a_foreign_one_is_a_described_422() {
    let doc = document();
    for path in ["/orders", "/admin/orders"] {
        let cursor = query_parameter(&doc, path, "cursor");
        assert_eq!(cursor["schema"]["minLength"], 76, "{path}");
        assert_eq!(cursor["schema"]["pattern"], "^[A-Za-z0-9_-]{76}$", "{path}");
        assert!(
            cursor["description"].as_str().unwrap().contains("422"),
            "{path}"
        );
    }
    let app = TestApp::spawn().await;
    let admin = token(&app, Role::Admin).await;
    for path in ["/orders", "/admin/orders"] {
        assert_invalid(
            &app.send(get(&format!("{path}?cursor="), &admin)).await,
            "cursor",
        );
        let forged = "A".repeat(76);
        assert_invalid(
            &app.send(get(&format!("{path}?cursor={forged}"), &admin))
                .await,
            "cursor",
        );
    }
}

#[tokio::test]
async fn a_stats_range_must_end_after_it_starts_as_described() {
    let doc = document();
    let operation = &doc["paths"]["/stats/sku"]["get"];
    let text = format!(
        "{}{}",
        operation["description"], operation["responses"]["422"]["description"]
    );
    assert!(text.contains("after `from`"), "{text}");
    assert!(
        operation["responses"].get("500").is_none(),
        "a bug is not part of the contract"
    );
    assert!(operation["responses"]["503"].is_object());

    let app = TestApp::spawn().await;
    let admin = token(&app, Role::Admin).await;
    let at = "2026-11-25T10:00:00Z";
    let same = app
        .send(get(&format!("/stats/sku?from={at}&to={at}"), &admin))
        .await;
    assert_invalid(&same, "to");
}

#[tokio::test]
async fn refresh_and_logout_take_an_object_or_no_body_never_null() {
    let doc = document();
    for path in ["/auth/refresh", "/auth/logout"] {
        let body = &doc["paths"][path]["post"]["requestBody"];
        assert_eq!(
            body["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/RefreshRequest",
            "{path}"
        );
        assert_ne!(
            body["required"], true,
            "{path}: the cookie may carry the token instead"
        );
    }
    let app = TestApp::spawn().await;
    for path in ["/auth/refresh", "/auth/logout"] {
        for body in ["null", "[]", "[\"token\"]", "\"token\"", "7"] {
            assert_invalid(
                &app.send(raw_json(Method::POST, path, None, body)).await,
                "body",
            );
        }
        // No body and no cookie: the documented 401.
        let none = Request::post(path).body(Body::empty()).unwrap();
        let code = if path == "/auth/refresh" {
            "INVALID_REFRESH_TOKEN"
        } else {
            "UNAUTHORIZED"
        };
        app.send(none)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, code);
    }
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_a_uniform_422_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let user = token(&app, Role::User).await;
    // serde would fill the structs from these arrays, field by field.
    let order = app
        .send(raw_json(
            Method::POST,
            "/orders",
            Some(&user),
            r#"["HUF",[["SKU-001",1,10]]]"#,
        ))
        .await;
    assert_invalid(&order, "body");
    assert!(order.json()["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("JSON object"));
    let login = raw_json(
        Method::POST,
        "/auth/login",
        None,
        r#"["ann@example.com","Tr1cky-Horse-Battery"]"#,
    );
    assert_invalid(&app.send(login).await, "body");
    let register = raw_json(
        Method::POST,
        "/auth/register",
        None,
        r#"["ann@example.com","Tr1cky-Horse-Battery","user"]"#,
    );
    assert_invalid(&app.send(register).await, "body");
    for body in ["null", "true", "42", "\"text\""] {
        assert_invalid(
            &app.send(raw_json(Method::POST, "/orders", Some(&user), body))
                .await,
            "body",
        );
    }
    let created = app
        .send(raw_json(
            Method::POST,
            "/orders",
            Some(&user),
            &json!({"currency": "HUF", "items": [{"sku": "SKU-001", "qty": 1, "unit_price": 10}]})
                .to_string(),
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let path = format!("/orders/{}/status", created.json()["id"].as_str().unwrap());
    assert_invalid(
        &app.send(raw_json(Method::PATCH, &path, Some(&user), r#"["paid"]"#))
            .await,
        "body",
    );
    assert_eq!(
        orders_stored(&app).await,
        1,
        "only the object body made an order"
    );
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'ann@example.com'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(users, 0);
}

#[test]
fn every_operation_documents_503_and_every_body_documents_400_413_415_422() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let label = format!("{} {path}", method.to_uppercase());
            assert!(responses.contains_key("503"), "{label}: 503");
            assert!(
                !responses.contains_key("500"),
                "{label}: 500 is a bug, not a contract"
            );
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{label}: {status}");
                }
            }
            if path != "/healthz" {
                assert!(
                    responses["503"]["headers"]["Retry-After"].is_object(),
                    "{label}: Retry-After"
                );
            }
        }
    }
    assert!(doc["paths"]["/auth/login"]["post"]["responses"]["429"].is_object());
}
