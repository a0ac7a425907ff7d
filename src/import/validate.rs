//! Each mapped entity checked by its own feature's rules before it enters the document: applying
//! a document is all or nothing, so one entity the source let through but dutyduck refuses
//! (a URL without a host, an unknown time zone) is left out with the refusal as its reason,
//! instead of failing the whole import.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// The create body without the document's own fields (its `id`), parsed as `T`.
fn body<T: DeserializeOwned>(entry: &Value) -> Result<T, String> {
    let mut body = entry.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("id");
    }
    serde_json::from_value(body).map_err(|e| e.to_string())
}

pub fn monitor(entry: &Value) -> Result<(), String> {
    let input: crate::monitors::settings::MonitorInput = body(entry)?;
    crate::monitors::settings::Settings::create(input)
        .map(drop)
        .map_err(|e| e.message)
}

pub fn channel(entry: &Value) -> Result<(), String> {
    use crate::notify::channels::{ChannelConfig, ChannelKind};
    let kind = entry["kind"].as_str().unwrap_or_default();
    let kind = ChannelKind::parse(kind).ok_or_else(|| format!("unknown kind {kind:?}"))?;
    let config = ChannelConfig::parse(kind, &entry["config"]).map_err(|e| e.message)?;
    config.validate().map_err(|e| e.message)?;
    crate::limits::required_line("name", entry["name"].as_str().unwrap_or_default(), 100)
        .map(drop)
        .map_err(|e| e.message)
}

pub fn task(entry: &Value) -> Result<(), String> {
    use crate::tasks::settings::{TaskInput, TaskSettings, check_id, check_not_reserved};
    let id = entry["id"].as_str().unwrap_or_default();
    check_id(id).map_err(|e| e.message)?;
    check_not_reserved(id).map_err(|e| e.message)?;
    let input: TaskInput = body(entry)?;
    if let Some(key) = &input.ping_key {
        crate::tasks::ping_keys::chosen(key).map_err(|e| e.message)?;
    }
    TaskSettings::defaults(id)
        .apply(id, input)
        .map(drop)
        .map_err(|e| e.message)
}

pub fn maintenance_window(entry: &Value) -> Result<(), String> {
    use crate::maintenance::settings::{Settings, WindowInput};
    let input: WindowInput = body(entry)?;
    Settings::from_input(input).map(drop).map_err(|e| e.message)
}

pub fn status_page(entry: &Value) -> Result<(), String> {
    use crate::status_pages::settings::{PageInput, from_input};
    let input: PageInput = body(entry)?;
    from_input(input).map(drop).map_err(|e| e.message)
}
