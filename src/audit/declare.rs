//! What a route says about the audit log: what it changes, or why it is left out. A mutating
//! route that says neither fails `every_mutating_route_says_whether_it_is_audited`, so a route
//! added later cannot slip past the log unnoticed.

use warp::http::Method;

use crate::http::router::Route;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audit {
    /// Not said yet (the default of every route).
    #[default]
    Undeclared,
    /// Each successful call writes one entry: the resource type and the action.
    Audited {
        resource: &'static str,
        action: &'static str,
    },
    /// Why this route changes nothing worth a log entry (a preview, a sign-out, a run report).
    NotAudited(&'static str),
}

impl Route {
    /// Each successful call is logged as `action` on `resource` (a resource type such as
    /// `monitor`; the resource id is the route's last path parameter unless the handler names a
    /// created one with `audit::created`).
    pub fn audited(mut self, resource: &'static str, action: &'static str) -> Self {
        self.audit = Audit::Audited { resource, action };
        self
    }

    /// Left out of the log, and why (read by the test and by reviewers).
    pub fn not_audited(mut self, why: &'static str) -> Self {
        self.audit = Audit::NotAudited(why);
        self
    }

    /// A feature's routes acting on `resource`: each mutating route not declared otherwise is
    /// audited with the action its method and path say (see [`action_of`]).
    pub fn audited_as(self, resource: &'static str) -> Self {
        if self.audit != Audit::Undeclared || !is_mutating(&self.method) {
            return self;
        }
        let action = action_of(&self.method, self.path);
        self.audited(resource, action)
    }
}

pub fn is_mutating(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// DELETE is `delete`, PUT and PATCH `update`; a POST to a collection (a plural) or a key is
/// `create`, to a named step its last segment (`/incidents/{id}/acknowledge` is `acknowledge`, `/monitors/bulk`
/// `bulk`).
pub fn action_of(method: &Method, path: &'static str) -> &'static str {
    match *method {
        Method::DELETE => "delete",
        Method::PUT | Method::PATCH => "update",
        _ => {
            let segments: Vec<&'static str> = path.split('/').filter(|s| !s.is_empty()).collect();
            match segments.as_slice() {
                // A key of its own (`/monitors/{id}/badge-key`), or an item of a sub-collection
                // (`/status-pages/{id}/share-links`), is created.
                [.., last] if last.ends_with("-key") || last.ends_with('s') => "create",
                [.., before, last]
                    if !last.starts_with('{') && (before.starts_with('{') || *last == "bulk") =>
                {
                    last
                }
                _ => "create",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_method_and_path() {
        let rows = [
            (Method::POST, "/monitors", "create"),
            (Method::POST, "/monitors/bulk", "bulk"),
            (Method::POST, "/incidents/{id}/acknowledge", "acknowledge"),
            (Method::POST, "/status-pages/{id}/share-links", "create"),
            (Method::POST, "/incidents/{id}/comment", "comment"),
            (Method::POST, "/monitors/{id}/badge-key", "create"),
            (Method::PATCH, "/monitors/{id}", "update"),
            (Method::PUT, "/notification-settings", "update"),
            (Method::DELETE, "/tasks/{id}/badge-key", "delete"),
        ];
        for (method, path, action) in rows {
            assert_eq!(action_of(&method, path), action, "{method} {path}");
        }
    }

    /// The rule of the module: every route that changes something either writes an entry or
    /// says why not. A failure names the routes to declare (`.audited_as`, `.audited` or
    /// `.not_audited`).
    #[test]
    fn every_mutating_route_says_whether_it_is_audited() {
        let undeclared: Vec<String> = crate::routes::all()
            .into_iter()
            .filter(|r| is_mutating(&r.method) && r.audit == Audit::Undeclared)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            undeclared.is_empty(),
            "mutating routes that neither are audited nor say why not:\n{}",
            undeclared.join("\n")
        );
    }
}
