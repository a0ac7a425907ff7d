//! The dashboard's home: what is down now, at a glance (`GET /overview`), and the live
//! changes that keep it and the lists current (`GET /events`, server-sent events). It owns no
//! table: every figure comes from the owning feature's own queries (`gather`).

pub mod batch;
pub mod events;
pub mod gather;
pub mod model;
pub mod routes;
