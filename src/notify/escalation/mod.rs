//! Escalation policies: ordered steps (channels and/or members, a wait for acknowledgement,
//! urgent or not) repeated up to ten times, picked by monitors and tasks or the organization's
//! default. What happens at each moment is the pure `rules::decide`; `driver` runs it from the
//! outbox (started by an incident's opening, woken by the delivery worker's pass) and keeps
//! its state in `escalation_state`, so restarts resume it. For an escalated incident the
//! policy replaces plain routing: its first step takes the place of the source's
//! `notificationChannels`, its later steps the place of re-notifications. Members are reached
//! on personal channels, as their preferences say (`people`), outside their quiet hours unless
//! the step is urgent (`quiet`).

pub mod driver;
pub mod people;
pub mod quiet;
pub mod routes;
pub mod rules;
pub mod state;
pub mod store;
