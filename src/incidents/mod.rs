//! Incidents: the one hub between sources and notifications. Sources (monitors, tasks, the
//! watchdog) decide from their own rules what happened and hand `report::apply` the effects;
//! incidents alone open, confirm, re-cause, resolve and write the timeline, and tell the
//! listener installed at start-up (notifications) through `changes::emit`. What incidents
//! know of a source (name, URL, routing) is asked of its owner through `source`. Declared by
//! hand too, with acknowledgements, comments and a priority.

pub mod actions;
pub mod bulk_routes;
pub mod cause;
pub mod changes;
pub mod matching;
pub mod model;
pub mod quiet;
pub mod redact;
pub mod report;
pub mod routes;
pub mod silencer;
pub mod source;
pub mod store;
pub mod summary;
