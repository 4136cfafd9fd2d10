//! `GET /docs/`: Swagger UI served from the binary itself.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn interactive_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.get("/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("swagger-ui"), "{}", page.text());
    let script = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        script.body.len() > 100_000,
        "the bundle is vendored, not fetched"
    );
    let initializer = app.get("/docs/swagger-initializer.js").await;
    assert!(initializer.text().contains("/openapi.json"));
}
