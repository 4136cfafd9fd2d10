//! The `pipeline` channel: while at least one stream watches it, the hub samples the
//! pipeline status every [`SAMPLE_INTERVAL`] and hands the latest snapshot to every
//! watcher. Snapshots are not numbered and not kept for resuming: a reconnecting watcher
//! simply gets the next one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{watch, Notify};

use super::hub::{stopped, Hub};

/// Produces one pipeline status (the body of `GET /admin/pipeline`). Each source inside
/// has its own timeout, so a call returns in a few seconds even with sources down.
pub type PipelineSource = Arc<dyn Fn() -> BoxFuture<'static, serde_json::Value> + Send + Sync>;

pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(2);
/// A sample that takes longer than this is skipped (the sources time out after ~2 s).
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) struct PipelineFeed {
    pub(super) source: OnceLock<PipelineSource>,
    watchers: AtomicUsize,
    wake: Notify,
    latest: watch::Sender<Option<Arc<str>>>,
}

impl Default for PipelineFeed {
    fn default() -> Self {
        Self {
            source: OnceLock::new(),
            watchers: AtomicUsize::new(0),
            wake: Notify::new(),
            latest: watch::channel(None).0,
        }
    }
}

/// One stream's view of the snapshots; the sampler runs while any exists.
pub(super) struct PipelineWatch {
    hub: Hub,
    receiver: watch::Receiver<Option<Arc<str>>>,
}

impl PipelineWatch {
    pub(super) fn new(hub: Hub) -> Self {
        let feed = hub.pipeline();
        let mut receiver = feed.latest.subscribe();
        // A watcher joining a running sampler gets the current snapshot at once.
        if receiver.borrow().is_some() {
            receiver.mark_changed();
        }
        feed.watchers.fetch_add(1, Ordering::SeqCst);
        feed.wake.notify_one();
        Self { hub, receiver }
    }

    /// The next snapshot; pending forever while none comes (the caller selects on it).
    pub(super) async fn next(&mut self) -> Arc<str> {
        loop {
            if self.receiver.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
            if let Some(snapshot) = self.receiver.borrow_and_update().clone() {
                return snapshot;
            }
        }
    }
}

impl Drop for PipelineWatch {
    fn drop(&mut self) {
        self.hub.pipeline().watchers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The sampler: idle while nobody watches, one snapshot every [`SAMPLE_INTERVAL`] otherwise.
pub(super) async fn run_sampler(hub: Hub) {
    let mut shutdown = hub.shutdown_signal();
    let feed = hub.pipeline();
    loop {
        while feed.watchers.load(Ordering::SeqCst) == 0 {
            // A stale snapshot must not greet the next watcher.
            feed.latest.send_replace(None);
            tokio::select! {
                () = feed.wake.notified() => {}
                () = stopped(&mut shutdown) => return,
            }
        }
        if let Some(source) = feed.source.get() {
            match tokio::time::timeout(SAMPLE_TIMEOUT, source()).await {
                Ok(snapshot) => {
                    feed.latest.send_replace(Some(snapshot.to_string().into()));
                }
                Err(_) => tracing::warn!("pipeline sample timed out; skipped"),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(SAMPLE_INTERVAL) => {}
            () = stopped(&mut shutdown) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use futures::FutureExt;
    use serde_json::json;

    use super::*;
    use crate::live::consumer::LiveTopics;

    /// A stand-in for the pipeline status: counts how often it was sampled.
    fn counting_source(samples: Arc<AtomicU64>) -> PipelineSource {
        Arc::new(move || {
            let n = samples.fetch_add(1, Ordering::SeqCst) + 1;
            async move { json!({ "sample": n }) }.boxed()
        })
    }

    #[tokio::test(start_paused = true)]
    async fn samples_only_while_watched_and_greets_late_watchers() {
        let hub = Hub::new("127.0.0.1:1", LiveTopics::default());
        let samples = Arc::new(AtomicU64::new(0));
        hub.set_pipeline_source(counting_source(Arc::clone(&samples)));
        tokio::spawn(run_sampler(hub.clone()));
        tokio::time::sleep(SAMPLE_INTERVAL * 3).await;
        assert_eq!(samples.load(Ordering::SeqCst), 0, "nobody watches");

        let mut first = PipelineWatch::new(hub.clone());
        assert_eq!(&*first.next().await, r#"{"sample":1}"#);
        assert_eq!(&*first.next().await, r#"{"sample":2}"#);
        // A second watcher gets the latest snapshot at once, then the next ones.
        let mut second = PipelineWatch::new(hub.clone());
        assert_eq!(&*second.next().await, r#"{"sample":2}"#);
        assert_eq!(&*second.next().await, r#"{"sample":3}"#);

        drop(first);
        drop(second);
        tokio::time::sleep(SAMPLE_INTERVAL * 2).await;
        let sampled = samples.load(Ordering::SeqCst);
        tokio::time::sleep(SAMPLE_INTERVAL * 5).await;
        assert_eq!(samples.load(Ordering::SeqCst), sampled, "sampling stopped");
        hub.shutdown();
    }
}
