//! `inventory_api::InventoryClient` against the real service on a socket: typed answers,
//! the caller's token and request id forwarded, errors mapped back to their codes.

use inventory_api::{
    CallContext, ClientError, CreateStock, InventoryClient, SetOnHand, StockQuery,
};

use crate::helpers::TestApp;

async fn serve(app: &TestApp) -> InventoryClient {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    InventoryClient::new(&format!("http://{address}"))
}

fn as_caller(token: &str) -> CallContext {
    CallContext {
        authorization: Some(format!("Bearer {token}")),
        request_id: Some("client-test-1".into()),
    }
}

#[tokio::test]
async fn the_client_speaks_every_endpoint_and_maps_errors() {
    let app = TestApp::spawn().await;
    let client = serve(&app).await;
    let admin = as_caller(&app.admin_token());

    let created = client
        .create_stock(
            &admin,
            &CreateStock {
                sku: "CLI-1".into(),
                on_hand: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!((created.on_hand, created.available), (5, 5));
    let updated = client
        .set_on_hand(&admin, "CLI-1", &SetOnHand { on_hand: 8 })
        .await
        .unwrap();
    assert_eq!(updated.on_hand, 8);
    assert_eq!(
        client.get_stock(&admin, "CLI-1").await.unwrap().available,
        8
    );
    let page = client
        .list_stock(
            &admin,
            &StockQuery {
                sku_prefix: Some("CLI".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let user = as_caller(&app.user_token());
    let availability = client
        .availability(&user, &["CLI-1", "CLI-2"])
        .await
        .unwrap();
    assert_eq!(availability.items[1].available, 0);

    // The request id travelled with the call: it is in the event the change wrote.
    let (_, _, event) = &app.outbox().await[0];
    assert_eq!(event["trace_id"], "client-test-1");

    let err = client
        .create_stock(
            &admin,
            &CreateStock {
                sku: "CLI-1".into(),
                on_hand: 1,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SKU_EXISTS"));
    let ClientError::Api { status, body } = client
        .set_on_hand(&user, "CLI-1", &SetOnHand { on_hand: 1 })
        .await
        .unwrap_err()
    else {
        panic!("an API error expected");
    };
    assert_eq!(
        (status.as_u16(), body.error.code.as_str()),
        (403, "FORBIDDEN")
    );
    assert_eq!(body.error.request_id, "client-test-1");
    let err = client
        .get_stock(&CallContext::default(), "CLI-1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHORIZED"));
    let err = client.get_stock(&admin, "no such/sku").await.unwrap_err();
    assert_eq!(err.code(), Some("NOT_FOUND"));
}
