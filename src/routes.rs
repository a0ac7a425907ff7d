//! The whole API on one screen: every route of the server, feature by feature. Each feature
//! declares its own paths literally in its `routes.rs` (`grep '"/monitors/{id}/stats"' src`
//! finds the declaration, next to its handler); this list is where they meet, and the one
//! table that answers requests and generates `/openapi.json`.

use crate::http::router::{Route, Router};

/// Every route, as `/openapi.json` documents them (hidden ones left out there).
pub fn all() -> Vec<Route> {
    [
        crate::http::system_routes(),            // /, /metrics, /openapi.json
        crate::health::routes::routes(),         // /healthz
        crate::backups::routes::routes(),        // /backups/status
        crate::accounts::routes::routes(),       // /auth/*, /users/me
        crate::accounts::setup::routes(),        // /setup
        crate::accounts::team_routes::routes(),  // /organizations, …/members, …/invitations
        crate::accounts::access_routes(),        // sign-up, password reset, /users/me/sessions
        crate::tokens::routes::routes(),         // /api-tokens
        crate::two_factor::routes::routes(),     // /users/me/two-factor
        crate::two_factor::login::routes(),      // /auth/login/two-factor
        crate::two_factor::policy::routes(),     // /organizations/{id}/two-factor-policy
        crate::monitors::routes::routes(),       // /monitors
        crate::monitors::bulk_routes::routes(),  // /monitors/bulk
        crate::incidents::routes::routes(),      // /incidents
        crate::incidents::bulk_routes::routes(), // /incidents/bulk
        crate::tasks::schedule_routes::routes(), // /tasks/schedule-preview
        crate::tasks::routes::routes(),          // /tasks, /cron-preview
        crate::tasks::bulk_routes::routes(),     // /tasks/bulk
        crate::maintenance::routes::routes(),    // /maintenance-windows
        crate::tasks::run_routes::routes(),      // /tasks/{id}/start, heartbeat, finish, runs
        crate::tasks::ping::routes(),            // /ping/{key}
        crate::tasks::ping_key_routes::routes(), // /task-ping-key
        crate::tasks::push_routes::routes(),     // /api/push/{pushToken}
        crate::badges::routes::routes(),         // /monitors|tasks/{id}/badge-key, /badge/{key}/…
        crate::notify::routes::routes(),         // /notification-channels, /notification-settings
        crate::notify::push::routes::routes(),   // /users/me/push-subscriptions, vapid key
        crate::silences::routes::routes(),       // /silences
        crate::status_pages::routes::routes(),   // /status-pages
        crate::config::routes::routes(),         // /config, /config/plan
        crate::status_pages::share_routes::routes(), // /status-pages/{id}/share-links
        crate::status_pages::announcement_routes::routes(), // /status-pages/{id}/announcements
        crate::status_pages::public_routes::routes(), // /status/{slug}, .json, feed.atom, logo
        crate::status_pages::events::routes(),   // /status/{slug}/events
        crate::status_pages::assets::routes(),   // /status/_/status.css, status.js
        crate::status_pages::badge_routes::routes(), // /status/{slug}/components/{componentId}/badge/…
        crate::overview::routes::routes(),           // /overview, /events
        crate::audit::routes::routes(),              // /audit-log
        crate::web::routes(),                        // /dashboard, /docs
        crate::notify::escalation::routes::routes(), // /escalation-policies, /users/me/notification-preferences
        crate::monitors::original_routes::routes(), // /http-monitors in the original product's shapes
        crate::probes::routes::routes(),            // /probes
        crate::probes::protocol_routes::routes(),   // /probe/assignments, /probe/results
        crate::monitors::locations::routes::routes(), // /monitors/{id}/locations
    ]
    .concat()
}

/// The table the server answers from.
pub fn router() -> Router {
    // The original product's clients call `/http-monitors`: the list, create, read and update
    // in their shapes (declared), every other path and method as its `/monitors` twin.
    Router::new(all()).alias("/http-monitors", "/monitors")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::router::Match;
    use warp::http::Method;

    /// Builds the real table: a route declared twice, or two templates the matcher cannot tell
    /// apart, panics here rather than at start-up.
    #[test]
    fn the_table_builds_and_literal_segments_win() {
        let router = router();
        let path_of = |method: Method, path: &str| match router.find(&method, path) {
            Match::Found(route, _) => Some(route.path),
            _ => None,
        };
        let cases = [
            (Method::GET, "/monitors/{id}/stats", "/monitors/x/stats"),
            (
                Method::GET,
                "/monitors/{id}/stats",
                "/http-monitors/x/stats",
            ),
            (Method::GET, "/http-monitors", "/http-monitors"),
            (Method::PATCH, "/http-monitors/{id}", "/http-monitors/x"),
            // Methods and paths not declared for the original clients: their `/monitors` twin.
            (Method::DELETE, "/monitors/{id}", "/http-monitors/x"),
            (
                Method::POST,
                "/monitors/{id}/toggle",
                "/http-monitors/x/toggle",
            ),
            (
                Method::GET,
                "/monitors/filterable-metadata",
                "/monitors/filterable-metadata",
            ),
            (
                Method::GET,
                "/incidents/ongoing-count",
                "/incidents/ongoing-count",
            ),
            (Method::GET, "/incidents/{id}", "/incidents/x"),
            (Method::POST, "/ping/{key}/start", "/ping/k/start"),
            (Method::POST, "/ping/{key}/{exitCode}", "/ping/k/3"),
            (Method::GET, "/dashboard/{*rest}", "/dashboard"),
            // A parameter with a literal suffix: the format is part of the path.
            (
                Method::GET,
                "/badge/{key}/{metric}.svg",
                "/badge/k/status.svg",
            ),
            (
                Method::GET,
                "/badge/{key}/{metric}.json",
                "/badge/k/status.json",
            ),
        ];
        for (method, template, path) in cases {
            assert_eq!(
                path_of(method.clone(), path),
                Some(template),
                "{method} {path}"
            );
        }
        assert_eq!(path_of(Method::GET, "/http-monitorsx"), None);
        match router.find(&Method::GET, "/badge/k/uptime-7d.svg") {
            Match::Found(_, params) => assert_eq!(
                params,
                [("key", "k".to_owned()), ("metric", "uptime-7d".to_owned())]
            ),
            _ => panic!("expected the SVG badge route"),
        }
        // A literal path is not also an id: no `PATCH /incidents/{id}` with the id "ongoing-count".
        match router.find(&Method::PATCH, "/incidents/ongoing-count") {
            Match::MethodNotAllowed(allowed) => assert_eq!(allowed, [Method::GET]),
            _ => panic!("expected 405"),
        }
    }

    /// The alias's paths are not documented twice: only the original shapes are declared.
    #[test]
    fn only_the_original_shapes_are_declared_under_the_alias() {
        let declared: Vec<_> = all()
            .iter()
            .filter(|r| r.path.starts_with("/http-monitors"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert_eq!(
            declared,
            [
                "GET /http-monitors",
                "POST /http-monitors",
                "GET /http-monitors/filterable-metadata",
                "GET /http-monitors/{id}",
                "PATCH /http-monitors/{id}"
            ]
        );
    }
}
