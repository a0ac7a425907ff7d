//! What the importer reads of an Uptime Kuma database: its monitors with their links (tags,
//! notifications, groups), notifications, maintenance, status pages and the server's time zone.
//! The common fields are typed here; a kind's own columns stay in the monitor's `Row`, read by
//! name where that kind is mapped.

use rusqlite::Connection;

use super::rows::{Row, all};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct Monitor {
    pub id: i64,
    pub name: String,
    /// `http`, `keyword`, `json-query`, `port`, `ping`, `dns`, `push`, `group`, …
    pub kind: String,
    pub active: bool,
    /// The group it sits in.
    pub parent: Option<i64>,
    /// Seconds between checks (Uptime Kuma's default 60).
    pub interval: i64,
    pub retry_interval: i64,
    /// Failed checks tolerated before down.
    pub max_retries: i64,
    /// Re-notify every N checks while down; 0: never.
    pub resend_interval: i64,
    /// Seconds; Uptime Kuma's default is 80 % of the interval.
    pub timeout: Option<f64>,
    pub row: Row,
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// The provider's form, as Uptime Kuma stored it (JSON; may be broken).
    pub config: Option<std::result::Result<serde_json::Value, String>>,
}

#[derive(Debug, Clone)]
pub struct Tagged {
    pub monitor: i64,
    pub tag: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct StatusPage {
    pub id: i64,
    pub row: Row,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub page: Option<i64>,
    pub name: String,
    /// Its place on the page: Kuma lists groups by weight, which a drag reorders.
    pub weight: i64,
    /// (weight, monitor id), in the page's order.
    pub monitors: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct Kuma {
    pub monitors: Vec<Monitor>,
    pub notifications: Vec<Notification>,
    /// (monitor, notification)
    pub monitor_notifications: Vec<(i64, i64)>,
    pub tags: Vec<Tagged>,
    pub maintenances: Vec<Row>,
    /// (monitor, maintenance)
    pub monitor_maintenances: Vec<(i64, i64)>,
    /// (status page, maintenance)
    pub page_maintenances: Vec<(i64, i64)>,
    pub pages: Vec<StatusPage>,
    pub groups: Vec<Group>,
    /// (status page, incident title) of pinned incidents.
    pub incidents: Vec<(i64, String)>,
    /// The `serverTimezone` setting, for maintenance "same as server".
    pub server_timezone: Option<String>,
}

pub fn read(conn: &Connection) -> Result<Kuma> {
    let pair = |rows: Vec<Row>, a: &str, b: &str| -> Vec<(i64, i64)> {
        rows.iter()
            .filter_map(|r| Some((r.int(a)?, r.int(b)?)))
            .collect()
    };
    let tag_names: std::collections::HashMap<i64, String> = all(conn, "tag")?
        .iter()
        .filter_map(|r| Some((r.int("id")?, r.text("name")?)))
        .collect();
    let tags = all(conn, "monitor_tag")?
        .iter()
        .filter_map(|r| {
            Some(Tagged {
                monitor: r.int("monitor_id")?,
                tag: tag_names.get(&r.int("tag_id")?)?.clone(),
                value: r.text("value").unwrap_or_default(),
            })
        })
        .collect();
    let links = all(conn, "monitor_group")?;
    let groups = all(conn, "group")?
        .into_iter()
        .filter_map(|r| {
            let id = r.int("id")?;
            let mut monitors: Vec<(i64, i64)> = links
                .iter()
                .filter(|l| l.int("group_id") == Some(id))
                .filter_map(|l| Some((l.int("weight").unwrap_or(0), l.int("monitor_id")?)))
                .collect();
            monitors.sort();
            Some(Group {
                id,
                page: r.int("status_page_id"),
                name: r.text("name").unwrap_or_default(),
                weight: r.int("weight").unwrap_or(0),
                monitors,
            })
        })
        .collect();
    let server_timezone = all(conn, "setting")?
        .iter()
        .find(|r| r.text("key").as_deref() == Some("serverTimezone"))
        .and_then(|r| r.text("value"))
        // Settings values are stored as JSON: a zone is a quoted string.
        .map(|v| serde_json::from_str::<String>(&v).unwrap_or(v));
    Ok(Kuma {
        monitors: all(conn, "monitor")?
            .into_iter()
            .filter_map(monitor)
            .collect(),
        notifications: all(conn, "notification")?
            .into_iter()
            .filter_map(|r| {
                Some(Notification {
                    id: r.int("id")?,
                    name: r
                        .text("name")
                        .unwrap_or_else(|| format!("notification {}", r.int("id").unwrap_or(0))),
                    active: r.flag("active", true),
                    config: r.json("config"),
                })
            })
            .collect(),
        monitor_notifications: pair(
            all(conn, "monitor_notification")?,
            "monitor_id",
            "notification_id",
        ),
        tags,
        maintenances: all(conn, "maintenance")?,
        monitor_maintenances: pair(
            all(conn, "monitor_maintenance")?,
            "monitor_id",
            "maintenance_id",
        ),
        page_maintenances: pair(
            all(conn, "maintenance_status_page")?,
            "status_page_id",
            "maintenance_id",
        ),
        pages: all(conn, "status_page")?
            .into_iter()
            .filter_map(|row| {
                Some(StatusPage {
                    id: row.int("id")?,
                    row,
                })
            })
            .collect(),
        groups,
        incidents: all(conn, "incident")?
            .iter()
            .filter(|r| r.flag("pin", false))
            .filter_map(|r| {
                Some((
                    r.int("status_page_id")?,
                    r.text("title").unwrap_or_default(),
                ))
            })
            .collect(),
        server_timezone,
    })
}

fn monitor(row: Row) -> Option<Monitor> {
    let id = row.int("id")?;
    let interval = row.int("interval").filter(|i| *i > 0).unwrap_or(60);
    Some(Monitor {
        id,
        name: row.text("name").unwrap_or_else(|| format!("monitor {id}")),
        kind: row.text("type").unwrap_or_else(|| "http".into()),
        active: row.flag("active", true),
        parent: row.int("parent"),
        interval,
        retry_interval: row
            .int("retry_interval")
            .filter(|i| *i > 0)
            .unwrap_or(interval),
        max_retries: row.int("maxretries").unwrap_or(0).max(0),
        resend_interval: row.int("resend_interval").unwrap_or(0).max(0),
        timeout: row.real("timeout").filter(|t| *t > 0.0),
        row,
    })
}
