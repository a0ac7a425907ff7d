//! Remote probes: the probe process (`dutyduck probe`) against a stand-in server speaking the
//! probe protocol (`agent`), and servers with probes as separate processes, each in its own
//! network namespace where the machine allows (`e2e`).

mod agent;
mod cluster;
mod e2e;
mod fake;
mod netns;
mod process;
