//! What a visitor sees of a page at one moment, gathered in one read: each component's status
//! (never its monitor's name or URL), its 90 days and response times, the ongoing incidents of
//! its sources under the component's public name, announcements, maintenance, and the past 90
//! days. Asked of each feature through its own functions; rendered by `render`.

use std::collections::BTreeMap;

use chrono::Duration;
use rusqlite::Connection;

use super::announcements::{self, Announcement, Impact};
use super::model::{Component, Settings, Show, SourceKind};
use super::sources::{self, Source};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ComponentId, IncidentId, MaintenanceId, OrgId, StatusPageId};
use crate::text_enum::text_enum;

/// Days of history a page shows.
pub const DAYS: i64 = 90;

text_enum!(
    /// A component's state as visitors read it.
    PublicStatus {
        Up => "up",
        Degraded => "degraded",
        Down => "down",
        Maintenance => "maintenance",
        Paused => "paused",
        Unknown => "unknown",
    }
);

impl PublicStatus {
    /// How bad, for the page's overall status.
    fn rank(self) -> u8 {
        match self {
            PublicStatus::Down => 4,
            PublicStatus::Degraded => 3,
            PublicStatus::Maintenance => 2,
            PublicStatus::Up => 1,
            PublicStatus::Paused | PublicStatus::Unknown => 0,
        }
    }
}

/// One day of a component's bar: its uptime (monitors), whether an incident touched it.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub start: Timestamp,
    pub uptime: Option<f64>,
    pub incident: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub last_ms: Option<u32>,
    pub avg_24h_ms: Option<f64>,
    /// The last 24 hours' averages, oldest first.
    pub hours: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComponentView {
    pub component: Component,
    pub status: PublicStatus,
    /// 90-day uptime, for `show: uptime`.
    pub uptime: Option<f64>,
    pub days: Vec<Day>,
    pub response: Option<Response>,
    /// A monitor's locations with their status, when it is checked from several.
    pub locations: Vec<(String, crate::monitors::locations::view::LocationStatus)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub name: String,
    pub components: Vec<ComponentView>,
}

/// An incident of a component's source, under the component's public name.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentView {
    pub id: IncidentId,
    pub component_id: ComponentId,
    pub component: String,
    pub started_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

/// A maintenance occurrence in force or to come, over some of the page's components.
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceView {
    pub id: MaintenanceId,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub in_force: bool,
    pub components: Vec<String>,
    pub component_ids: Vec<ComponentId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// None for a draft (the preview).
    pub page: Option<StatusPageId>,
    pub settings: Settings,
    pub generated_at: Timestamp,
    pub status: PublicStatus,
    pub groups: Vec<GroupView>,
    /// Ongoing, oldest first.
    pub incidents: Vec<IncidentView>,
    pub announcements: Vec<Announcement>,
    pub maintenance: Vec<MaintenanceView>,
    /// Resolved in the past 90 days, newest first.
    pub history: Vec<IncidentView>,
}

/// The page `settings` at `now`; `page` is None for a draft (no announcements yet).
pub fn build(
    conn: &Connection,
    org: OrgId,
    page: Option<StatusPageId>,
    settings: &Settings,
    now: Timestamp,
) -> Result<Snapshot> {
    let since = now - Duration::days(DAYS);
    let first_day = day_start(now) - Duration::days(DAYS - 1);
    let (mut incidents, mut history) = (Vec::new(), Vec::new());
    let mut maintenance: BTreeMap<MaintenanceId, MaintenanceView> = BTreeMap::new();
    let mut groups = Vec::with_capacity(settings.groups.len());
    for g in &settings.groups {
        let mut components = Vec::with_capacity(g.components.len());
        for c in &g.components {
            let source = sources::read(conn, org, c, since, now)?;
            let view = component(c, &source, first_day, now);
            for i in &source.incidents {
                let shown = IncidentView {
                    id: i.id,
                    component_id: c.id,
                    component: c.public_name.clone(),
                    started_at: i.started_at,
                    resolved_at: i.resolved_at,
                };
                if i.resolved_at.is_none() {
                    incidents.push(shown);
                } else {
                    history.push(shown);
                }
            }
            if let Some(m) = source.maintenance {
                let entry = maintenance
                    .entry(m.window_id)
                    .or_insert_with(|| MaintenanceView {
                        id: m.window_id,
                        title: m.title.clone(),
                        starts_at: m.starts_at,
                        ends_at: m.ends_at,
                        in_force: m.starts_at <= now,
                        components: Vec::new(),
                        component_ids: Vec::new(),
                    });
                entry.components.push(c.public_name.clone());
                entry.component_ids.push(c.id);
            }
            components.push(view);
        }
        groups.push(GroupView {
            name: g.name.clone(),
            components,
        });
    }
    incidents.sort_by_key(|i| i.started_at);
    history.sort_by_key(|i| std::cmp::Reverse(i.started_at));
    let announcements = match page {
        Some(page) => announcements::visible(conn, page, since)?,
        None => Vec::new(),
    };
    let mut maintenance: Vec<_> = maintenance.into_values().collect();
    maintenance.sort_by_key(|m| m.starts_at);
    Ok(Snapshot {
        page,
        status: overall(&groups, &announcements),
        settings: settings.clone(),
        generated_at: now,
        groups,
        incidents,
        announcements,
        maintenance,
        history,
    })
}

fn day_start(t: Timestamp) -> Timestamp {
    let ms = t.timestamp_millis();
    let day = 86_400_000;
    chrono::DateTime::from_timestamp_millis(ms - ms.rem_euclid(day)).unwrap_or(t)
}

fn component(c: &Component, s: &Source, first_day: Timestamp, now: Timestamp) -> ComponentView {
    let days = match c.show {
        Show::Uptime => (0..DAYS)
            .map(|n| {
                let start = first_day + Duration::days(n);
                let end = start + Duration::days(1);
                Day {
                    start,
                    uptime: s.daily_uptime.get(&start).copied().flatten(),
                    incident: s
                        .incidents
                        .iter()
                        .any(|i| i.started_at < end && i.resolved_at.is_none_or(|r| r >= start)),
                }
            })
            .filter(|d| d.start <= now)
            .collect(),
        _ => Vec::new(),
    };
    ComponentView {
        component: c.clone(),
        status: s.status,
        uptime: (c.show == Show::Uptime && c.source_type == SourceKind::Monitor)
            .then_some(s.uptime)
            .flatten(),
        days,
        response: (c.show == Show::ResponseTime)
            .then(|| s.response.clone())
            .flatten(),
        locations: s.locations.clone(),
    }
}

/// The worst component's status, made worse by announcements in progress that say so.
fn overall(groups: &[GroupView], announcements: &[Announcement]) -> PublicStatus {
    let components = groups
        .iter()
        .flat_map(|g| g.components.iter().map(|c| c.status));
    let announced = announcements
        .iter()
        .filter(|a| a.resolved_at.is_none())
        .map(|a| match a.impact {
            Impact::Critical => PublicStatus::Down,
            Impact::Major | Impact::Minor => PublicStatus::Degraded,
            Impact::None => PublicStatus::Up,
        });
    components
        .chain(announced)
        .max_by_key(|s| s.rank())
        .filter(|s| s.rank() > 0)
        .unwrap_or(PublicStatus::Up)
}
