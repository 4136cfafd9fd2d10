//! The inventory outbox for the operator (issue 14): its figures and the re-queue of dead
//! rows, served to the api's pipeline page. The SQL is the outbox crate's (`outbox::stats`,
//! `outbox::requeue_dead`); the api never reads this database itself.

pub mod routes;
