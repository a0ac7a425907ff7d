//! Scheduled jobs ("tasks"): cron schedules in a time zone (`crate::cron`), task and run statuses
//! (status), validated settings, the steps of a task's life in one write each (lifecycle), its
//! incidents (incident), the deadline timer and what passing deadlines do (timer), queries
//! (store, run_store) and the routes: `/tasks…` (routes), start/heartbeat/finish and runs
//! (run_routes), ping URLs (ping).

pub mod bulk_routes;
pub mod incident;
pub mod lifecycle;
pub mod matching;
pub mod model;
pub mod ping;
pub mod ping_key_routes;
pub mod ping_keys;
pub mod ping_target;
pub mod push_routes;
pub mod routes;
pub mod run_routes;
pub mod run_store;
pub mod schedule_routes;
pub mod settings;
pub mod source;
pub mod status;
pub mod store;
pub mod summary;
pub mod timer;
pub mod timing;
pub mod upsert;
