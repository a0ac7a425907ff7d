//! Monitors checked from several locations: the local server and probes chosen by label, the
//! quorum deciding the monitor's one status at each slot, late and stale results, what probes
//! are assigned, and `GET /monitors/{id}/locations`.

mod bounds;
mod fleet;
mod local_only;
mod quorum;
mod settings;
mod slots;
mod status_page;
