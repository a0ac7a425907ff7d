//! Monitors: what to check (model, settings, and per kind in kinds), what a check ends with
//! (check), what its result does to the
//! monitor's status (status) and incidents (record), when checks run (schedule, scheduler), what
//! is stored (store, history) and the `/monitors` API (routes); `/http-monitors` in the original
//! product's shapes (original, original_routes).

pub mod actions;
mod batch;
pub mod bulk_routes;
pub mod check;
pub mod dependents;
pub mod history;
pub mod history_import;
mod history_migration;
pub mod history_purge;
pub mod incident;
pub mod kinds;
pub mod locations;
pub mod matching;
pub mod model;
pub mod original;
pub mod original_routes;
pub mod record;
pub mod redact;
pub mod remote;
pub mod routes;
pub mod schedule;
pub mod scheduler;
pub mod settings;
pub mod source;
pub mod status;
pub mod store;
pub mod summary;
pub mod suppression;
pub mod upsert;
pub mod upstreams;
