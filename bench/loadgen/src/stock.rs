//! Stock for the benchmarks' SKUs, through the inventory service's internal API
//! (`INVENTORY_URL`) with an admin's access token, so that with the saga on
//! (`INVENTORY_SAGA_ENABLED=true`) benchmark orders are reserved, not rejected.

use anyhow::{bail, Context};
use clap::Args;
use hyper::{Method, StatusCode};
use inventory_api::{codes, CallContext, ClientError, CreateStock, InventoryClient, SetOnHand};
use serde_json::json;

use crate::api::Api;

/// Generous stock per SKU: more than any run can reserve.
pub const GENEROUS: i64 = 100_000_000;

/// The admin who stocks the SKUs (the bench scripts create it with `api admin create`).
#[derive(Args, Clone)]
pub struct Admin {
    /// Base URL of the inventory service's internal API.
    #[arg(long, env = "INVENTORY_URL", default_value = "http://127.0.0.1:8010")]
    pub inventory_url: String,
    #[arg(long, env = "BENCH_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    #[arg(long, env = "BENCH_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Do not stock the SKUs: for runs with the inventory service and the order saga stopped
    /// (the orders then stay `pending` and add no saga events to the pipeline).
    #[arg(long)]
    pub no_stock: bool,
}

pub struct Stocker {
    client: InventoryClient,
    ctx: CallContext,
}

impl Stocker {
    /// Logs the admin in through the API; `None` (with a note) when no admin is configured.
    pub async fn login(api: &Api, admin: &Admin) -> anyhow::Result<Option<Self>> {
        let (Some(email), Some(password)) = (&admin.admin_email, &admin.admin_password) else {
            eprintln!("stock: not set up (no BENCH_ADMIN_EMAIL/BENCH_ADMIN_PASSWORD); with the saga on, orders of unstocked SKUs are rejected");
            return Ok(None);
        };
        let answer = api
            .call(
                Method::POST,
                "/auth/login",
                None,
                None,
                Some(&json!({"email": email, "password": password})),
            )
            .await?;
        if answer.status != StatusCode::OK {
            bail!("admin login: HTTP {} {}", answer.status, answer.body);
        }
        let token = answer.body["access_token"]
            .as_str()
            .context("login answered without access_token")?;
        Ok(Some(Self {
            client: InventoryClient::new(&admin.inventory_url),
            ctx: CallContext {
                authorization: Some(format!("Bearer {token}")),
                request_id: None,
            },
        }))
    }

    /// Creates each SKU with `on_hand`, or sets `on_hand` of one that exists.
    pub async fn stock(&self, skus: &[String], on_hand: i64) -> anyhow::Result<()> {
        for sku in skus {
            let create = CreateStock {
                sku: sku.clone(),
                on_hand,
            };
            match self.client.create_stock(&self.ctx, &create).await {
                Ok(_) => {}
                Err(err) if err.code() == Some(codes::SKU_EXISTS) => {
                    self.client
                        .set_on_hand(&self.ctx, sku, &SetOnHand { on_hand })
                        .await
                        .map_err(|err| describe(sku, err))?;
                }
                Err(err) => return Err(describe(sku, err)),
            }
        }
        Ok(())
    }
}

/// Stocks `skus` generously when an admin is configured (the shared step of every bench).
/// Notes go to stderr: `session`'s stdout is eval'd by bench/http.
pub async fn stock_generously(api: &Api, admin: &Admin, skus: &[String]) -> anyhow::Result<()> {
    if admin.no_stock {
        eprintln!("stock: skipped (--no-stock)");
        return Ok(());
    }
    if let Some(stocker) = Stocker::login(api, admin).await? {
        stocker.stock(skus, GENEROUS).await?;
        eprintln!("stock: {} SKUs set to on_hand {GENEROUS}", skus.len());
    }
    Ok(())
}

fn describe(sku: &str, err: ClientError) -> anyhow::Error {
    anyhow::anyhow!("stocking {sku}: {err}")
}
