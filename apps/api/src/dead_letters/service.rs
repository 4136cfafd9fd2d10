//! The console's operations: list, redrive (one, or all with one reason) and discard. Every
//! redrive and discard is logged in the operator action log, whose latest entry per letter
//! is that letter's state.

use std::collections::HashMap;

use axum::extract::FromRef;
use futures::future::join_all;
use sqlx::PgPool;

use super::domain::{DeadLetterMessage, DlqTopic, LetterId, LetterState, NotRedrivable};
use super::dto::{DeadLetterItem, DeadLetterPage, ListQuery, ReasonCount, RedrivenAll};
use super::repo::DeadLetterBroker;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::operator_actions::domain::{DISCARD, REDRIVE};
use crate::operator_actions::repo::{self as action_log, LatestAction};
use crate::state::AppState;

/// What the console needs of the state: the broker and the api's database (action log).
#[derive(Clone)]
pub struct DeadLetterConsole {
    pub db: PgPool,
    pub broker: DeadLetterBroker,
}

impl FromRef<AppState> for DeadLetterConsole {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            broker: state.dead_letters.clone(),
        }
    }
}

/// A broker that cannot be read or written is an outage of the request's dependency.
fn broker_unavailable(cause: anyhow::Error) -> ApiError {
    ApiError::unavailable(cause)
}

/// The newest letters of `topic` with their latest actions, newest first.
async fn letters_with_actions(
    console: &DeadLetterConsole,
    topic: DlqTopic,
) -> ApiResult<Vec<(DeadLetterMessage, Option<LatestAction>)>> {
    let raw = console
        .broker
        .read_newest(topic)
        .await
        .map_err(broker_unavailable)?;
    let mut letters: Vec<DeadLetterMessage> = raw
        .into_iter()
        .map(|message| DeadLetterMessage::parse(topic, message))
        .collect();
    letters.sort_by(|a, b| a.position().listing_order(&b.position()));
    let targets: Vec<String> = letters.iter().map(|l| l.id.target()).collect();
    let mut latest = action_log::latest_for_targets(&console.db, &targets).await?;
    Ok(letters
        .into_iter()
        .zip(targets)
        .map(|(letter, target)| {
            let action = latest.remove(&target);
            (letter, action)
        })
        .collect())
}

fn state_of(latest: &Option<LatestAction>) -> LetterState {
    LetterState::after(latest.as_ref().map(|l| l.action.as_str()))
}

pub async fn list(console: &DeadLetterConsole, query: &ListQuery) -> ApiResult<DeadLetterPage> {
    let visible: Vec<_> = letters_with_actions(console, query.topic)
        .await?
        .into_iter()
        .filter(|(_, latest)| query.include_discarded || state_of(latest) != LetterState::Discarded)
        .collect();
    let reasons = reason_counts(visible.iter().map(|(letter, _)| letter.error_code.as_str()));
    let mut matching = visible
        .into_iter()
        .filter(|(letter, _)| {
            query
                .reason
                .as_deref()
                .is_none_or(|r| letter.error_code == r)
        })
        .filter(|(letter, _)| {
            query
                .after
                .is_none_or(|after| after.listing_order(&letter.position()).is_lt())
        });
    let page: Vec<_> = matching.by_ref().take(query.limit).collect();
    let next_cursor = match (matching.next(), page.last()) {
        (Some(_), Some((last, _))) => Some(last.position().to_cursor()),
        _ => None,
    };
    Ok(DeadLetterPage {
        items: page
            .into_iter()
            .map(|(letter, latest)| DeadLetterItem::new(letter, latest))
            .collect(),
        reasons,
        next_cursor,
    })
}

/// Most frequent first, then by code.
fn reason_counts<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<ReasonCount> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for code in codes {
        *counts.entry(code).or_default() += 1;
    }
    let mut reasons: Vec<ReasonCount> = counts
        .into_iter()
        .map(|(code, count)| ReasonCount {
            error_code: code.to_owned(),
            count,
        })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.error_code.cmp(&b.error_code)));
    reasons
}

/// The letter at `id`: 404 when there is none.
async fn load(console: &DeadLetterConsole, id: LetterId) -> ApiResult<DeadLetterMessage> {
    let raw = console
        .broker
        .read_one(id)
        .await
        .map_err(broker_unavailable)?
        .ok_or_else(ApiError::not_found)?;
    Ok(DeadLetterMessage::parse(id.topic, raw))
}

fn not_redrivable(reason: NotRedrivable) -> ApiError {
    let message = match reason {
        NotRedrivable::DerivedTopic => {
            "the source topic is derived (recomputed by the stream job): it is not redriven"
        }
        NotRedrivable::UnknownSource => {
            "the dead letter names no known source topic or has no original payload"
        }
    };
    ApiError::conflict("NOT_REDRIVABLE", message)
}

/// Sends the letter's original payload, with its key, to its source topic.
async fn send_back(console: &DeadLetterConsole, letter: &DeadLetterMessage) -> ApiResult<String> {
    let topic = letter.redrive_topic().map_err(not_redrivable)?;
    let payload = letter.original_payload.as_deref().unwrap_or_default();
    console
        .broker
        .redrive(topic, letter.key.as_deref(), payload, &letter.id.target())
        .await
        .map_err(broker_unavailable)?;
    Ok(topic.to_owned())
}

/// Redrives one letter (again, if it was redriven before: consumers de-duplicate by
/// `event_id`), and logs it.
pub async fn redrive(console: &DeadLetterConsole, admin: &AuthUser, id: LetterId) -> ApiResult<()> {
    let letter = load(console, id).await?;
    let topic = send_back(console, &letter).await?;
    let detail = format!("sent to {topic}");
    action_log::record(
        &console.db,
        REDRIVE,
        admin.id,
        &admin.email,
        &id.target(),
        &detail,
    )
    .await?;
    Ok(())
}

/// Redrives every non-discarded, redrivable letter of `topic` with `error_code` (among
/// the newest read per partition) and logs each one. Letters sent before a failure stay
/// logged; the failure is then answered (503) so the operator retries.
pub async fn redrive_all(
    console: &DeadLetterConsole,
    admin: &AuthUser,
    topic: DlqTopic,
    error_code: &str,
) -> ApiResult<RedrivenAll> {
    let (redrivable, skipped): (Vec<_>, Vec<_>) = letters_with_actions(console, topic)
        .await?
        .into_iter()
        .filter(|(letter, latest)| {
            letter.error_code == error_code && state_of(latest) != LetterState::Discarded
        })
        .map(|(letter, _)| letter)
        .partition(DeadLetterMessage::is_redrivable);
    let results = join_all(redrivable.iter().map(|letter| send_back(console, letter))).await;
    let sent: Vec<String> = redrivable
        .iter()
        .zip(&results)
        .filter(|(_, result)| result.is_ok())
        .map(|(letter, _)| letter.id.target())
        .collect();
    if !sent.is_empty() {
        let detail = format!("redrive of every letter with error_code {error_code}");
        action_log::record_many(&console.db, REDRIVE, admin.id, &admin.email, &sent, &detail)
            .await?;
    }
    if let Some(Err(failure)) = results.into_iter().find(Result::is_err) {
        return Err(failure);
    }
    Ok(RedrivenAll {
        redriven: sent.len() as u64,
        skipped: skipped.len() as u64,
    })
}

/// Hides the letter from the default listing, and logs it.
pub async fn discard(console: &DeadLetterConsole, admin: &AuthUser, id: LetterId) -> ApiResult<()> {
    load(console, id).await?;
    let detail = "hidden from the console";
    action_log::record(
        &console.db,
        DISCARD,
        admin.id,
        &admin.email,
        &id.target(),
        detail,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_counted_most_frequent_first() {
        let codes = ["b", "a", "b", "c", "a", "b"];
        let reasons = reason_counts(codes.into_iter());
        let pairs: Vec<(&str, u64)> = reasons
            .iter()
            .map(|r| (r.error_code.as_str(), r.count))
            .collect();
        assert_eq!(pairs, [("b", 3), ("a", 2), ("c", 1)]);
    }
}
