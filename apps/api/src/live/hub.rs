//! The stream hub: one per api process. Its consumer ([`super::consumer`]) publishes every
//! event into a broadcast channel that each open stream receives from, and into a ring
//! buffer of the latest events, from which a reconnecting stream catches up
//! (`Last-Event-ID`). Events are numbered `1, 2, …` within a random epoch chosen at start.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

use super::consumer::{self, LiveTopics};
use super::domain::{Channels, EventId, HubEvent, Subject};
use super::pipeline::{self, PipelineFeed, PipelineSource};
use super::subscription::Subscription;

/// Events kept for resuming: a few minutes of a busy shop.
pub const RING_CAPACITY: usize = 4_096;
/// Events a stream may fall behind before it is told to `reset`.
pub const BROADCAST_CAPACITY: usize = 1_024;

/// Cheap to clone; every clone is the same hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    epoch: u32,
    ring: Mutex<Ring>,
    sender: broadcast::Sender<Arc<HubEvent>>,
    shutdown: watch::Sender<bool>,
    ready: watch::Sender<bool>,
    started: AtomicBool,
    brokers: String,
    topics: LiveTopics,
    pipeline: PipelineFeed,
}

struct Ring {
    events: VecDeque<Arc<HubEvent>>,
    capacity: usize,
    /// The last sequence number handed out (0: none yet).
    head: u64,
}

/// Where a new stream starts.
#[derive(Debug)]
pub(super) enum Resume {
    /// No `Last-Event-ID`: from the next event on.
    Live,
    /// The events after the given id, still in the ring.
    Replay(Vec<Arc<HubEvent>>),
    /// The id cannot be resumed (unknown, another epoch, too old): a `reset` first.
    Reset,
}

/// A receiver and what it missed, taken under one lock so nothing falls in between.
pub(super) struct Joined {
    pub receiver: broadcast::Receiver<Arc<HubEvent>>,
    pub head: u64,
    pub resume: Resume,
}

impl Hub {
    /// A hub reading `topics` on `brokers`; nothing connects until [`Hub::start`].
    pub fn new(brokers: &str, topics: LiveTopics) -> Self {
        Self::with_capacity(brokers, topics, RING_CAPACITY, BROADCAST_CAPACITY)
    }

    pub fn with_capacity(
        brokers: &str,
        topics: LiveTopics,
        ring_capacity: usize,
        broadcast_capacity: usize,
    ) -> Self {
        let (sender, _) = broadcast::channel(broadcast_capacity);
        Self {
            inner: Arc::new(Inner {
                epoch: rand::random(),
                ring: Mutex::new(Ring {
                    events: VecDeque::with_capacity(ring_capacity.min(64)),
                    capacity: ring_capacity.max(1),
                    head: 0,
                }),
                sender,
                shutdown: watch::channel(false).0,
                ready: watch::channel(false).0,
                started: AtomicBool::new(false),
                brokers: brokers.to_owned(),
                topics,
                pipeline: PipelineFeed::default(),
            }),
        }
    }

    pub fn epoch(&self) -> u32 {
        self.inner.epoch
    }

    /// Starts the consumer and the pipeline sampler once; later calls do nothing. Never
    /// fails: while the broker is down, the consumer retries in the background and
    /// streams receive only keep-alives.
    pub fn start(&self) {
        if self.inner.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let hub = self.clone();
        let brokers = self.inner.brokers.clone();
        let topics = self.inner.topics.clone();
        tokio::spawn(async move { consumer::run(hub, brokers, topics).await });
        tokio::spawn(pipeline::run_sampler(self.clone()));
    }

    /// Ends every stream and stops the hub's tasks (graceful shutdown must not wait for
    /// streams that never end by themselves).
    pub fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    pub(super) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Whether the consumer is assigned to every partition: events published to the topics
    /// from now on reach the streams.
    pub fn is_ready(&self) -> bool {
        *self.inner.ready.borrow()
    }

    /// Waits until [`Hub::is_ready`].
    pub async fn wait_ready(&self) {
        let mut ready = self.inner.ready.subscribe();
        let _ = ready.wait_for(|ready| *ready).await;
    }

    pub(super) fn mark_ready(&self) {
        self.inner.ready.send_replace(true);
    }

    /// Where `pipeline` snapshots come from (the pipeline status feature's sampler).
    /// Only the first call counts.
    pub fn set_pipeline_source(&self, source: PipelineSource) {
        let _ = self.inner.pipeline.source.set(source);
    }

    pub(super) fn pipeline(&self) -> &PipelineFeed {
        &self.inner.pipeline
    }

    /// Numbers the event, keeps it in the ring and hands it to every open stream.
    pub fn publish(&self, subject: Subject, data: String) -> u64 {
        let mut ring = self.lock_ring();
        ring.head += 1;
        let event = Arc::new(HubEvent {
            seq: ring.head,
            subject,
            data: data.into(),
        });
        if ring.events.len() == ring.capacity {
            ring.events.pop_front();
        }
        ring.events.push_back(Arc::clone(&event));
        metrics::counter!("live_events_total", "event" => subject.event_name()).increment(1);
        // Sent under the lock: a stream joining now sees it either in the ring or in its
        // receiver, never in both or neither.
        let _ = self.inner.sender.send(event);
        ring.head
    }

    /// A stream on `channels`, resuming after `last_event_id` when it can.
    pub fn subscribe(&self, channels: Channels, last_event_id: Option<&str>) -> Subscription {
        self.start();
        Subscription::new(self.clone(), channels, self.join(last_event_id))
    }

    pub(super) fn join(&self, last_event_id: Option<&str>) -> Joined {
        let ring = self.lock_ring();
        let receiver = self.inner.sender.subscribe();
        let resume = match last_event_id {
            None => Resume::Live,
            Some(text) => match EventId::parse(text) {
                Some(id) if self.can_resume(&ring, id) => Resume::Replay(
                    ring.events
                        .iter()
                        .filter(|event| event.seq > id.seq)
                        .cloned()
                        .collect(),
                ),
                _ => Resume::Reset,
            },
        };
        Joined {
            receiver,
            head: ring.head,
            resume,
        }
    }

    /// Every event after `id` is still in the ring (the ring holds `head - len + 1 ..= head`).
    fn can_resume(&self, ring: &Ring, id: EventId) -> bool {
        id.epoch == self.inner.epoch
            && id.seq <= ring.head
            && id.seq + ring.events.len() as u64 >= ring.head
    }

    fn lock_ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        // The ring stays consistent even if a holder panicked: every update is one push/pop.
        self.inner
            .ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Resolves once the hub shuts down (or is gone).
pub(super) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(ring: usize, broadcast: usize) -> Hub {
        Hub::with_capacity("127.0.0.1:1", LiveTopics::default(), ring, broadcast)
    }

    fn id(hub: &Hub, seq: u64) -> String {
        EventId {
            epoch: hub.epoch(),
            seq,
        }
        .to_string()
    }

    fn seqs(resume: &Resume) -> Vec<u64> {
        match resume {
            Resume::Replay(events) => events.iter().map(|e| e.seq).collect(),
            other => panic!("expected a replay, got {other:?}"),
        }
    }

    #[test]
    fn events_are_numbered_and_resumed_from_the_ring() {
        let hub = hub(4, 16);
        for n in 1..=6 {
            assert_eq!(hub.publish(Subject::Stats, format!("{n}")), n);
        }
        // The ring holds 3..=6: resuming after 2..=6 works, after 1 not.
        assert_eq!(seqs(&hub.join(Some(&id(&hub, 2))).resume), [3, 4, 5, 6]);
        assert_eq!(seqs(&hub.join(Some(&id(&hub, 5))).resume), [6]);
        assert!(seqs(&hub.join(Some(&id(&hub, 6))).resume).is_empty());
        assert!(matches!(hub.join(Some(&id(&hub, 1))).resume, Resume::Reset));
        assert!(matches!(hub.join(None).resume, Resume::Live));
        assert_eq!(hub.join(None).head, 6);
    }

    #[test]
    fn ids_of_the_future_another_epoch_or_garbage_reset() {
        let hub = hub(4, 16);
        hub.publish(Subject::Stats, "1".to_owned());
        let other_epoch = EventId {
            epoch: hub.epoch().wrapping_add(1),
            seq: 1,
        };
        for last in [id(&hub, 2), other_epoch.to_string(), "garbage".to_owned()] {
            assert!(
                matches!(hub.join(Some(&last)).resume, Resume::Reset),
                "{last}"
            );
        }
        // Nothing published yet in an epoch: only `<epoch>-0` resumes.
        let fresh = self::hub(4, 16);
        assert!(seqs(&fresh.join(Some(&id(&fresh, 0))).resume).is_empty());
    }

    #[tokio::test]
    async fn a_joined_receiver_gets_exactly_what_follows_the_ring() {
        let hub = hub(8, 16);
        hub.publish(Subject::Stats, "1".to_owned());
        let mut joined = hub.join(Some(&id(&hub, 0)));
        assert_eq!(seqs(&joined.resume), [1]);
        hub.publish(Subject::Stats, "2".to_owned());
        assert_eq!(joined.receiver.recv().await.unwrap().seq, 2);
    }
}
