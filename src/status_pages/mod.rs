//! Status pages: public (or private) pages showing chosen monitors and tasks under public names,
//! with their incidents, maintenance and announcements. The page's settings (`model`,
//! `settings`, `logo`), its queries (`store`; share links in `share_links`, announcements in
//! `announcements`), the sources behind components asked of their features (`components`,
//! `sources`), what a visitor sees at one moment (`view`) and its renderings (`render`: HTML,
//! JSON, Atom, in English and French), who may read a private page (`access`), the renderings
//! kept until the organization changes (`cache`), and the routes: `/status-pages` (`routes`,
//! `share_routes`, `announcement_routes`) and the visitors' `/status/…` (`public_routes`,
//! `events`, `assets`, and components' badges through `badges::render` in `badge_routes`).

pub mod access;
pub mod announcement_routes;
pub mod announcements;
pub mod assets;
pub mod badge_routes;
pub mod cache;
pub mod components;
pub mod events;
pub mod logo;
pub mod model;
pub mod public_routes;
pub mod render;
pub mod routes;
pub mod settings;
pub mod share_links;
pub mod share_routes;
pub mod sources;
pub mod store;
pub mod upsert;
pub mod view;

use crate::ids::OrgId;

/// Inside a write job: the organization's status pages changed (their renderings are stale).
pub fn changed(org: OrgId) {
    crate::store::signals::changed(org, crate::store::signals::Subject::StatusPages);
}
