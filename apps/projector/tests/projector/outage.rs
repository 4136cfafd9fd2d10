//! A MongoDB outage, with a MongoDB of the test's own (the shared one must stay up).

use std::time::Duration;

use mongodb::bson::{doc, Document};
use testkit::mongo::MongoServer;

use crate::helpers::*;

#[tokio::test]
async fn mongodb_down_means_no_commit_and_the_event_is_written_once_it_is_back() {
    let metrics = platform::telemetry::prometheus();
    let mut mongo = MongoServer::start();
    let setup = Setup::new().await;
    let mut config = setup.config();
    config.mongodb_url = mongo.url(&setup.database);
    let running = Running::start(config).await;

    let first = order_created();
    setup
        .produce(&setup.events_topic, "k", first.to_json().as_bytes())
        .await;
    eventually(Duration::from_secs(30), "first event committed", || async {
        setup.committed(&setup.events_topic) == 1
    })
    .await;

    mongo.kill();
    let second = order_created();
    setup
        .produce(&setup.events_topic, "k", second.to_json().as_bytes())
        .await;
    eventually(
        Duration::from_secs(30),
        "a failed insert was retried",
        || async {
            metrics
                .render()
                .contains("projector_retries_total{operation=\"insert order events\"}")
        },
    )
    .await;
    assert_eq!(
        setup.committed(&setup.events_topic),
        1,
        "nothing is committed while MongoDB is down"
    );

    mongo.restart();
    eventually(
        Duration::from_secs(60),
        "second event committed",
        || async { setup.committed(&setup.events_topic) == 2 },
    )
    .await;
    running.stop().await;

    let client = mongodb::Client::with_uri_str(mongo.url(&setup.database))
        .await
        .unwrap();
    let collection = client
        .database(&setup.database)
        .collection::<Document>(read_model::order_events::COLLECTION);
    for envelope in [&first, &second] {
        let count = collection
            .count_documents(doc! {"event_id": envelope.event_id.to_string()})
            .await
            .unwrap();
        assert_eq!(count, 1, "{}", envelope.event_id);
    }
}
