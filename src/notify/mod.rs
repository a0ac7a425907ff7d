//! Notifications: channels per organization (their kinds in channels, store, routes), which
//! channels a source notifies (routing), the words sent in en/fr (message), the transports (send),
//! the durable outbox written with the incident change that causes it (outbox), and the worker
//! that delivers it with retries (worker); reminders of ongoing incidents (reminders); what a
//! silence holds back until it ends (hold); digests in a storm (storm).

pub mod channels;
pub mod escalation;
pub mod failure;
pub mod hold;
pub mod message;
pub mod model;
pub mod outbox;
pub mod push;
pub mod reminders;
pub mod routes;
pub mod routing;
pub mod send;
pub mod store;
pub mod storm;
pub mod worker;
