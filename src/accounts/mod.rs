//! Local accounts: users, organizations, memberships with roles, dashboard sessions, logins.

pub mod members;
pub mod model;
pub mod password;
pub mod principal;
pub mod proxy;
pub mod roles;
pub mod routes;
pub mod sessions;
pub mod setup;
pub mod store;
pub mod throttle;
