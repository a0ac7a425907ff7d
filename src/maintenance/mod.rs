//! Maintenance windows: stretches of time, one-off or recurring (cron in a time zone), during
//! which the sources they select (monitors, tasks, a metadata tag, the whole organization) are
//! quiet: no incident opens, an open one is not notified, tasks' deadlines are not counted,
//! checks go on (results marked) unless paused. The window's pure rules (`rules`: when it is in
//! force, what it covers), its validated settings (`settings`), queries (`store`), each change
//! in one write (`lifecycle`), the quieter registered with `incidents::quiet` (`quieter`), the
//! timer that ends occurrences on the app clock (`timer`: when one ends, the organization's
//! sources are re-evaluated at once) and `/maintenance-windows` routes. It knows monitors and
//! tasks only through `incidents::source`.

pub mod bulk;
pub mod lifecycle;
pub mod model;
pub mod quieter;
pub mod routes;
pub mod rules;
pub mod settings;
pub mod store;
pub mod timer;
