//! The `pipeline` channel: an admin watching it receives what `GET /admin/pipeline` answers,
//! sampled every ~2 s while someone watches (snapshots carry no id: they are never resumed).

use std::time::Duration;

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_admin_watching_the_pipeline_receives_its_status_as_the_page_would_fetch_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut stream = app.follow(&admin, "pipeline").await;

    let event = stream
        .next_where(Duration::from_secs(30), "pipeline snapshot", |event| {
            event.event == "pipeline"
        })
        .await;
    assert_eq!(event.id, None, "snapshots are not resumable");
    let snapshot = event.json();
    let fetched = app.get_as(&admin, "/admin/pipeline").await;
    assert_eq!(fetched.status, StatusCode::OK);
    let fetched = fetched.json();
    // Same document shape as the endpoint (figures move between the two reads).
    for key in [
        "sampled_at",
        "outboxes",
        "consumer_groups",
        "stream_job",
        "topics",
    ] {
        assert!(
            snapshot.get(key).is_some(),
            "snapshot lacks {key}: {snapshot}"
        );
        assert!(fetched.get(key).is_some(), "GET lacks {key}");
    }
    let outbox_names = |body: &serde_json::Value| -> Vec<String> {
        body["outboxes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(outbox_names(&snapshot), outbox_names(&fetched));
    // The test's own database is reachable, so its outbox is up in the snapshot too.
    assert_eq!(snapshot["outboxes"][0]["name"], "orders");
    assert_eq!(snapshot["outboxes"][0]["source"]["status"], "up");
}
