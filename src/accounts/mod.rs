//! Local accounts: users, organizations, memberships with roles, dashboard sessions, logins.

pub mod model;
pub mod password;
pub mod principal;
pub mod roles;
pub mod routes;
pub mod sessions;
pub mod store;
pub mod throttle;
