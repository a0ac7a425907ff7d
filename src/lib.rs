//! dutyduck: uptime, scheduled-job and incident monitoring in one self-hosted binary.
//! See ARCHITECTURE.md for the map.

#![deny(unsafe_code)]

pub mod accounts;
pub mod app;
pub mod audit;
pub mod backups;
pub mod badges;
pub mod bulk;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cron;
pub mod error;
pub mod health;
pub mod http;
pub mod ids;
pub mod import;
pub mod incidents;
pub mod limits;
pub mod maintenance;
pub mod monitors;
pub mod notify;
pub mod outbound;
pub mod overview;
pub mod probes;
pub mod routes;
pub mod secret;
pub mod serde_util;
pub mod server;
pub mod silences;
pub mod startup_pages;
pub mod status_pages;
pub mod store;
pub mod tasks;
pub mod text_enum;
pub mod tokens;
pub mod two_factor;
pub mod url_mask;
pub mod web;
