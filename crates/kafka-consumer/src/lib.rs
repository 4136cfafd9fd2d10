//! Plumbing shared by the Kafka consumers of the inventory saga (`apps/inventory`'s saga
//! consumer and `apps/order-saga`): building the clients ([`clients`]), publishing a
//! message that failed validation as an `events::DeadLetter` ([`dead_letter`]) and
//! retrying an operation that must not be skipped ([`retry`]), waiting for the next
//! message until shutdown ([`receive`]) and committing handled offsets ([`offsets`]). The loops themselves
//! (batching, commit policy, metrics of outcomes) stay in the apps.

pub mod clients;
pub mod dead_letter;
pub mod offsets;
pub mod receive;
pub mod retry;
