//! The state shared by every request and background job.

use crate::accounts::throttle::LoginThrottle;
use crate::clock::Clock;
use crate::store::Store;
use crate::tokens::usage::TokenUsage;

pub struct App {
    pub store: Store,
    pub clock: Clock,
    pub login_throttle: LoginThrottle,
    pub token_usage: TokenUsage,
    /// `/openapi.json`, generated once from the route table.
    pub openapi: serde_json::Value,
}

impl App {
    pub fn new(store: Store, clock: Clock) -> App {
        App {
            store,
            clock,
            login_throttle: LoginThrottle::default(),
            token_usage: TokenUsage::default(),
            openapi: crate::http::openapi::document(&crate::http::routes()),
        }
    }
}
