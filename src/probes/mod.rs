//! Remote probes: other dutyduck processes (`dutyduck probe --server URL`) that run checks
//! from their own networks and report them here. The server side registers probes, gives
//! each its assignments and takes its results (handing them to `monitors::locations`); the
//! probe side is `agent`.

pub mod agent;
pub mod live;
pub mod model;
pub mod protocol_routes;
pub mod routes;
pub mod silence;
pub mod store;
pub mod wire;
