//! Local accounts: users, organizations, memberships with roles, dashboard sessions, logins.

pub mod browser;
pub mod invitation_link_routes;
pub mod invitation_routes;
pub mod invitations;
pub mod member_routes;
pub mod members;
pub mod model;
pub mod organization_routes;
pub mod password;
pub mod password_reset;
pub mod principal;
pub mod proxy;
pub mod roles;
pub mod routes;
pub mod session_routes;
pub mod sessions;
pub mod setup;
pub mod signup;
pub mod store;
pub mod team_routes;
pub mod team_rules;
pub mod team_store;
pub mod throttle;

/// Who gets in: sign-up (`serve --signup`), password reset, a user's own sessions.
pub fn access_routes() -> Vec<crate::http::router::Route> {
    [
        signup::routes(),         // /auth/signup-policy, /users/signup
        password_reset::routes(), // /auth/password-reset, /auth/password-reset/confirm
        session_routes::routes(), // /users/me/sessions
    ]
    .concat()
}
