//! One open stream: the events of its channels, in order, starting with what it missed.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::domain::{Channels, EventId, HubEvent};
use super::hub::{stopped, Hub, Joined, Resume};
use super::pipeline::PipelineWatch;

/// What a stream sends next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveMessage {
    Event {
        id: EventId,
        event: Arc<HubEvent>,
    },
    /// Resuming is impossible: the client refetches everything, then resumes from `id`.
    Reset {
        id: EventId,
    },
    /// The current pipeline status (JSON).
    Pipeline(Arc<str>),
}

pub struct Subscription {
    hub: Hub,
    channels: Channels,
    receiver: broadcast::Receiver<Arc<HubEvent>>,
    backlog: VecDeque<Arc<HubEvent>>,
    /// A `reset` to send before anything else, naming the last event it covers.
    pending_reset: Option<u64>,
    /// Events up to here were sent or skipped; a duplicate is never sent twice.
    last_seq: u64,
    pipeline: Option<PipelineWatch>,
    shutdown: watch::Receiver<bool>,
}

impl Subscription {
    pub(super) fn new(hub: Hub, channels: Channels, joined: Joined) -> Self {
        let (backlog, pending_reset, last_seq) = match joined.resume {
            Resume::Live => (VecDeque::new(), None, joined.head),
            Resume::Replay(events) => (events.into(), None, 0),
            Resume::Reset => (VecDeque::new(), Some(joined.head), joined.head),
        };
        let pipeline = channels.pipeline.then(|| PipelineWatch::new(hub.clone()));
        metrics::gauge!("live_streams_open").increment(1.0);
        Self {
            shutdown: hub.shutdown_signal(),
            hub,
            channels,
            receiver: joined.receiver,
            backlog,
            pending_reset,
            last_seq,
            pipeline,
        }
    }

    /// The next message; `None` once the hub shuts down.
    pub async fn next(&mut self) -> Option<LiveMessage> {
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            if let Some(head) = self.pending_reset.take() {
                metrics::counter!("live_resets_total").increment(1);
                return Some(LiveMessage::Reset { id: self.id(head) });
            }
            if let Some(event) = self.backlog.pop_front() {
                if let Some(message) = self.deliver(event) {
                    return Some(message);
                }
                continue;
            }
            let Self {
                receiver,
                pipeline,
                shutdown,
                ..
            } = self;
            let received = tokio::select! {
                () = stopped(shutdown) => return None,
                received = receiver.recv() => received,
                snapshot = next_snapshot(pipeline.as_mut()) => {
                    return Some(LiveMessage::Pipeline(snapshot));
                }
            };
            match received {
                Ok(event) => {
                    if let Some(message) = self.deliver(event) {
                        return Some(message);
                    }
                }
                // Too slow for the broadcast buffer: start over from the newest event, after
                // a `reset` that tells the client to refetch what it missed.
                Err(RecvError::Lagged(_)) => {
                    let joined = self.hub.join(None);
                    self.receiver = joined.receiver;
                    self.last_seq = joined.head;
                    self.pending_reset = Some(joined.head);
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    fn deliver(&mut self, event: Arc<HubEvent>) -> Option<LiveMessage> {
        if event.seq <= self.last_seq {
            return None;
        }
        self.last_seq = event.seq;
        self.channels
            .wants(&event.subject)
            .then(|| LiveMessage::Event {
                id: self.id(event.seq),
                event,
            })
    }

    fn id(&self, seq: u64) -> EventId {
        EventId {
            epoch: self.hub.epoch(),
            seq,
        }
    }
}

/// The next pipeline snapshot; never, for a stream without the `pipeline` channel.
async fn next_snapshot(watch: Option<&mut PipelineWatch>) -> Arc<str> {
    match watch {
        Some(watch) => watch.next().await,
        None => std::future::pending().await,
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        metrics::gauge!("live_streams_open").decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use uuid::Uuid;

    use super::*;
    use crate::live::consumer::LiveTopics;
    use crate::live::domain::Subject;

    fn hub(ring: usize, broadcast: usize) -> Hub {
        Hub::with_capacity("127.0.0.1:1", LiveTopics::default(), ring, broadcast)
    }

    async fn next(subscription: &mut Subscription) -> LiveMessage {
        tokio::time::timeout(Duration::from_secs(5), subscription.next())
            .await
            .expect("a message")
            .expect("the stream is open")
    }

    fn event_seq(message: &LiveMessage) -> u64 {
        match message {
            LiveMessage::Event { id, event } => {
                assert_eq!(id.seq, event.seq);
                event.seq
            }
            other => panic!("expected an event, got {other:?}"),
        }
    }

    fn subscribe(hub: &Hub, channels: &str, last: Option<&str>) -> Subscription {
        let channels = Channels::parse(channels).unwrap();
        Subscription::new(hub.clone(), channels, hub.join(last))
    }

    #[tokio::test]
    async fn only_the_subscribed_channels_arrive_in_order() {
        let hub = hub(16, 16);
        let mine = Uuid::now_v7();
        let mut stream = subscribe(&hub, &format!("order:{mine}"), None);
        hub.publish(Subject::Stats, "{}".to_owned());
        hub.publish(Subject::Order(Uuid::now_v7()), "{}".to_owned());
        hub.publish(Subject::Order(mine), r#"{"n":1}"#.to_owned());
        hub.publish(Subject::Order(mine), r#"{"n":2}"#.to_owned());
        assert_eq!(event_seq(&next(&mut stream).await), 3);
        assert_eq!(event_seq(&next(&mut stream).await), 4);
    }

    #[tokio::test]
    async fn resuming_replays_the_missed_events_then_continues() {
        let hub = hub(16, 16);
        hub.publish(Subject::Stats, "1".to_owned());
        hub.publish(Subject::Stats, "2".to_owned());
        hub.publish(Subject::Stats, "3".to_owned());
        let last = EventId {
            epoch: hub.epoch(),
            seq: 1,
        };
        let mut stream = subscribe(&hub, "stats", Some(&last.to_string()));
        hub.publish(Subject::Stats, "4".to_owned());
        let seqs = [
            event_seq(&next(&mut stream).await),
            event_seq(&next(&mut stream).await),
            event_seq(&next(&mut stream).await),
        ];
        assert_eq!(seqs, [2, 3, 4]);
    }

    #[tokio::test]
    async fn an_unknown_id_starts_with_a_reset_naming_the_newest_event() {
        let hub = hub(2, 16);
        for _ in 0..5 {
            hub.publish(Subject::Stats, "{}".to_owned());
        }
        let mut stream = subscribe(&hub, "stats", Some("00000000-1"));
        let reset = next(&mut stream).await;
        assert_eq!(
            reset,
            LiveMessage::Reset {
                id: EventId {
                    epoch: hub.epoch(),
                    seq: 5
                }
            }
        );
        hub.publish(Subject::Stats, "{}".to_owned());
        assert_eq!(event_seq(&next(&mut stream).await), 6);
    }

    #[tokio::test]
    async fn a_lagging_stream_gets_a_reset_and_continues_with_new_events() {
        let hub = hub(64, 4);
        let mut stream = subscribe(&hub, "stats", None);
        for _ in 0..10 {
            hub.publish(Subject::Stats, "{}".to_owned());
        }
        assert!(matches!(
            next(&mut stream).await,
            LiveMessage::Reset { id } if id.seq == 10
        ));
        hub.publish(Subject::Stats, "{}".to_owned());
        assert_eq!(event_seq(&next(&mut stream).await), 11);
    }

    #[tokio::test]
    async fn streams_end_when_the_hub_shuts_down() {
        let hub = hub(16, 16);
        let mut stream = subscribe(&hub, "stats", None);
        let waiting = tokio::spawn(async move { stream.next().await });
        hub.shutdown();
        let ended = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the stream ends")
            .unwrap();
        assert_eq!(ended, None);
        assert!(subscribe(&hub, "stats", None).next().await.is_none());
    }
}
