//! API access tokens: an id plus a secret key, acting on behalf of a user in one organization.

pub mod domain;
pub mod routes;
pub mod store;
pub mod usage;
