//! `X-Request-Id`: echoed when sane, generated otherwise, and repeated in error bodies.

use axum::body::Body;
use axum::http::Request;
use uuid::Uuid;

use crate::helpers::TestApp;

#[tokio::test]
async fn request_ids_are_echoed_when_sane_and_generated_otherwise() {
    let app = TestApp::spawn().await;
    let echoed = app
        .send(
            Request::get("/nope")
                .header("x-request-id", "trace-1.A_b")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-1.A_b"));
    assert_eq!(echoed.json()["error"]["request_id"], "trace-1.A_b");

    for insane in ["has space", &"x".repeat(129), "<script>"] {
        let replaced = app
            .send(
                Request::get("/nope")
                    .header("x-request-id", insane)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let id = replaced.header("x-request-id").unwrap();
        assert!(
            Uuid::parse_str(id).is_ok(),
            "{insane:?} replaced by a UUID, got {id}"
        );
    }
    let generated = app.get("/metrics").await;
    assert!(Uuid::parse_str(generated.header("x-request-id").unwrap()).is_ok());
}
