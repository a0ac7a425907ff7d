//! Web push to the dashboard (RFC 8030, 8291, 8292): browsers where members turned
//! notifications on (`store`, `routes`), the server's VAPID key (`vapid`), each message
//! encrypted for its browser (`encrypt`), and sending to every subscription a notification
//! reaches (`send`, `deliver`). The `webPush` channel kind (`channels/web_push.rs`) says whom; the worker
//! hands its deliveries here, as they need the subscriptions rather than one HTTP request.

pub mod deliver;
pub mod encrypt;
pub mod routes;
pub mod send;
pub mod services;
pub mod store;
pub mod vapid;

pub use deliver::deliver;
pub use send::Pusher;
