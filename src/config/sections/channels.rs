//! `channels`: notification channels, through `notify`.

use rusqlite::Connection;

use super::{Section, id_of};
use crate::clock::Timestamp;
use crate::config::Entry;
use crate::config::body::{Raw, pick, secret_paths, typed};
use crate::error::{Error, Result};
use crate::ids::{ChannelId, OrgId};
use crate::notify::channels::ChannelConfig;
use crate::notify::routes::{ChannelInput, create_channel, update_channel};
use crate::notify::store;

pub const SECTION: Section = Section {
    name: "channels",
    order_by: "name",
    export,
    create,
    update,
    delete,
    finish: None,
    secrets,
};

fn export(c: &Connection, org: OrgId) -> Result<Vec<Raw>> {
    let mut out = Vec::new();
    for stored in store::list(c, org)? {
        let masked = stored.config.masked();
        let raw_config = stored.config.to_value();
        let channel = stored.shown(true);
        let mut secrets = Vec::new();
        secret_paths(&raw_config, &masked, "config", &mut secrets);
        out.push(Raw {
            entry: Entry::new(channel.id.to_string(), pick::<ChannelInput>(&channel)?),
            secrets,
        });
    }
    Ok(out)
}

/// Where the channel's kind masks a value of `config` (shape only: nothing is validated).
fn secrets(e: &Entry) -> Vec<String> {
    let Ok(input) = typed::<ChannelInput>(&e.body) else {
        return Vec::new();
    };
    let (Some(kind), Some(config)) = (input.kind, input.config) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    if let Ok(parsed) = ChannelConfig::parse(kind, &config) {
        secret_paths(&parsed.to_value(), &parsed.masked(), "config", &mut paths);
    }
    paths
}

fn create(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    let id: ChannelId = id_of(&e.id)?;
    create_channel(c, org, id, typed(&e.body)?, now).map(drop)
}

fn update(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    update_channel(c, org, id_of(&e.id)?, typed(&e.body)?, now).map(drop)
}

fn delete(c: &Connection, org: OrgId, id: &str, _: Timestamp) -> Result<()> {
    let id: ChannelId = id_of(id)?;
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("channel"))?;
    store::delete(c, org, id)
}
