//! Incidents: opened and resolved by monitors (and later tasks), or declared by hand; with a
//! timeline, acknowledgements, comments and a priority.

pub mod lifecycle;
pub mod model;
pub mod routes;
pub mod store;
