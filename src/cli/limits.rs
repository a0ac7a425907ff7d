//! `serve` flags for what one client may cost (see `http::limits::Limits`).

use std::time::Duration;

use crate::http::limits::Limits;

#[derive(clap::Args)]
pub struct LimitArgs {
    /// Time a client has to send a request's headers, from the moment it connects (or sends the
    /// first byte of its next keep-alive request); past it the connection is closed.
    #[arg(long, env = "DUTYDUCK_HEADER_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: Duration,
    /// Time a client has to send a whole request body; past it the answer is 408.
    #[arg(long, env = "DUTYDUCK_BODY_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    body_timeout: Duration,
    /// A keep-alive connection without a request is closed after this long.
    #[arg(long, env = "DUTYDUCK_IDLE_TIMEOUT", default_value = "60s", value_parser = humantime::parse_duration)]
    idle_timeout: Duration,
    /// Connections held at once [default: the file-descriptor limit, raised to its hard limit
    /// at start, minus 512]. Past it, the oldest connection that is idle or still sending its
    /// headers is closed to make room.
    #[arg(long, env = "DUTYDUCK_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Connections held at once from one client address; past it new ones are closed at once.
    #[arg(long, env = "DUTYDUCK_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections_per_address: u32,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections.map(|n| n as usize),
            max_connections_per_address: self.max_connections_per_address as usize,
            ..Limits::default()
        }
    }
}
