//! The orders a run places and the two load models: open loop (fixed arrival rate, latency
//! from the intended send time) and closed loop (a fixed number of clients back to back).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;
use hyper::{Method, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::api::Api;

#[derive(Args, Clone)]
pub struct Mix {
    /// Distinct SKUs the items are drawn from (uniformly).
    #[arg(long, default_value_t = 50)]
    pub skus: usize,
    /// Items per order.
    #[arg(long, default_value_t = 2)]
    pub items: usize,
    /// Currencies an order's currency is drawn from (uniformly), comma-separated.
    #[arg(long, default_value = "EUR,USD,HUF", value_delimiter = ',')]
    pub currencies: Vec<String>,
}

impl Default for Mix {
    fn default() -> Self {
        Self {
            skus: 50,
            items: 2,
            currencies: vec!["EUR".into(), "USD".into(), "HUF".into()],
        }
    }
}

impl Mix {
    pub fn describe(&self, run: &str) -> String {
        format!(
            "{} items per order drawn uniformly from {} SKUs ({run}-00..), currency from {}",
            self.items,
            self.skus,
            self.currencies.join("/")
        )
    }
}

/// One order to place. `probe`: the SKU of its last item is unique to this order, so the
/// moment its `sku_stats` document appears is the moment this order became visible.
pub struct PlannedOrder {
    pub body: Value,
    pub probe: Option<String>,
    /// (sku, qty) of every item, for the expected totals of the run.
    pub lines: Vec<(String, i64)>,
}

pub struct Planner {
    run: String,
    mix: Mix,
    rng: StdRng,
    probe_every: usize,
    placed: usize,
}

impl Planner {
    /// `probe_every`: every n-th order is a probe (0: none).
    pub fn new(run: &str, mix: Mix, probe_every: usize) -> Self {
        Self {
            run: run.to_owned(),
            mix,
            rng: StdRng::from_entropy(),
            probe_every,
            placed: 0,
        }
    }

    pub fn sku_prefix(&self) -> String {
        format!("{}-", self.run)
    }

    /// Every SKU the non-probe items are drawn from.
    pub fn skus(&self) -> Vec<String> {
        (0..self.mix.skus)
            .map(|n| format!("{}-{n:02}", self.run))
            .collect()
    }

    pub fn probe_prefix(&self) -> String {
        format!("{}P-", self.run)
    }

    pub fn next(&mut self) -> PlannedOrder {
        let n = self.placed;
        self.placed += 1;
        let probe = (self.probe_every > 0 && n.is_multiple_of(self.probe_every))
            .then(|| format!("{}P-{n:07}", self.run));
        let currency = &self.mix.currencies[self.rng.gen_range(0..self.mix.currencies.len())];
        let mut items = Vec::with_capacity(self.mix.items);
        let mut lines = Vec::with_capacity(self.mix.items);
        for i in 0..self.mix.items {
            let sku = match &probe {
                Some(probe) if i + 1 == self.mix.items => probe.clone(),
                _ => format!("{}-{:02}", self.run, self.rng.gen_range(0..self.mix.skus)),
            };
            let qty: i64 = self.rng.gen_range(1..=5);
            let unit_price: i64 = self.rng.gen_range(100..=10_000);
            items.push(json!({"sku": sku, "qty": qty, "unit_price": unit_price}));
            lines.push((sku, qty));
        }
        PlannedOrder {
            body: json!({"currency": currency, "items": items}),
            probe,
            lines,
        }
    }
}

/// What happened to one order.
pub struct Outcome {
    pub status: Option<StatusCode>,
    /// From the intended send time (open loop) or the actual send time (closed loop).
    pub latency: Duration,
    pub created_at: Option<DateTime<Utc>>,
    pub probe: Option<String>,
    pub lines: Vec<(String, i64)>,
}

impl Outcome {
    pub fn accepted(&self) -> bool {
        self.status == Some(StatusCode::CREATED)
    }
}

async fn place(api: Api, token: Arc<str>, order: PlannedOrder, intended: Instant) -> Outcome {
    let answer = api
        .call(
            Method::POST,
            "/orders",
            Some(&token),
            Some(Uuid::new_v4()),
            Some(&order.body),
        )
        .await;
    let latency = intended.elapsed();
    let (status, created_at) = match answer {
        Ok(answer) => (
            Some(answer.status),
            answer.body["created_at"]
                .as_str()
                .and_then(|t| t.parse::<DateTime<Utc>>().ok()),
        ),
        Err(_) => (None, None),
    };
    Outcome {
        status,
        latency,
        created_at,
        probe: order.probe,
        lines: order.lines,
    }
}

/// Open loop: order n is due at `start + n / rate` whether or not earlier ones were
/// answered; its latency counts from that due time (no coordinated omission).
pub async fn open_loop(
    api: &Api,
    tokens: &[String],
    planner: &mut Planner,
    rate: f64,
    duration: Duration,
) -> Vec<Outcome> {
    let tokens: Vec<Arc<str>> = tokens.iter().map(|t| Arc::from(t.as_str())).collect();
    let total = (rate * duration.as_secs_f64()).round() as usize;
    let start = Instant::now() + Duration::from_millis(100);
    let mut in_flight = JoinSet::new();
    let mut outcomes = Vec::with_capacity(total);
    for n in 0..total {
        let due = start + Duration::from_secs_f64(n as f64 / rate);
        // Collect answers while waiting for the next due time.
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(due.into()) => break,
                Some(done) = in_flight.join_next() => outcomes.push(done.expect("order task")),
            }
        }
        let order = planner.next();
        let token = tokens[n % tokens.len()].clone();
        in_flight.spawn(place(api.clone(), token, order, due));
    }
    while let Some(done) = in_flight.join_next().await {
        outcomes.push(done.expect("order task"));
    }
    outcomes
}

/// Closed loop: `clients` loops that each send the next order when the previous answered.
pub async fn closed_loop(
    api: &Api,
    tokens: &[String],
    planner: &mut Planner,
    total: usize,
    clients: usize,
) -> Vec<Outcome> {
    let tokens: Vec<Arc<str>> = tokens.iter().map(|t| Arc::from(t.as_str())).collect();
    let mut in_flight = JoinSet::new();
    let mut outcomes = Vec::with_capacity(total);
    let mut sent = 0;
    while outcomes.len() < total {
        while sent < total && in_flight.len() < clients {
            let order = planner.next();
            let token = tokens[sent % tokens.len()].clone();
            in_flight.spawn(place(api.clone(), token, order, Instant::now()));
            sent += 1;
        }
        if let Some(done) = in_flight.join_next().await {
            outcomes.push(done.expect("order task"));
        }
    }
    outcomes
}

/// Accepted quantity per SKU: what `sku_stats` must add up to once caught up.
pub fn expected_qty(outcomes: &[Outcome]) -> HashMap<String, i64> {
    let mut totals = HashMap::new();
    for outcome in outcomes.iter().filter(|o| o.accepted()) {
        for (sku, qty) in &outcome.lines {
            *totals.entry(sku.clone()).or_insert(0) += qty;
        }
    }
    totals
}

/// Errors by status ("io" when there was no answer at all).
pub fn errors_by_status(outcomes: &[Outcome]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for outcome in outcomes.iter().filter(|o| !o.accepted()) {
        let key = outcome
            .status
            .map_or_else(|| "io".to_owned(), |s| s.as_u16().to_string());
        *counts.entry(key).or_insert(0) += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort();
    counts
}
