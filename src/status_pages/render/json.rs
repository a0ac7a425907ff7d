//! The page as JSON (`/status/<slug>.json`): what the HTML shows, for scripts and status.js.
//! Monitors' names and URLs are not in it, as in the HTML.

use serde_json::{Value, json};

use super::html::logo_url;
use super::markdown::to_html;
use super::words::{self, word};
use super::{Lang, iso};
use crate::status_pages::model::url_of;
use crate::status_pages::view::{IncidentView, Snapshot};

fn incident(i: &IncidentView, lang: Lang) -> Value {
    json!({
        "id": i.id,
        "title": words::with(lang, "incident.title", &i.component),
        "componentIds": [i.component_id],
        "startedAt": iso(i.started_at),
        "resolvedAt": i.resolved_at.map(iso),
    })
}

pub fn page(s: &Snapshot, lang: Lang) -> Value {
    let settings = &s.settings;
    let groups: Vec<Value> = s
        .groups
        .iter()
        .map(|g| {
            let components: Vec<Value> = g
                .components
                .iter()
                .map(|c| {
                    let mut v = json!({
                        "id": c.component.id,
                        "name": c.component.public_name,
                        "status": c.status.as_str(),
                        "statusText": words::status(lang, c.status),
                        "show": c.component.show.as_str(),
                    });
                    if !c.days.is_empty() {
                        v["uptime90d"] = json!(c.uptime);
                        v["days"] = c
                            .days
                            .iter()
                            .map(|d| json!({"date": d.start.format("%Y-%m-%d").to_string(),
                                            "uptime": d.uptime, "incident": d.incident}))
                            .collect();
                    }
                    if let Some(r) = &c.response {
                        v["responseTime"] = json!({"lastMs": r.last_ms, "average24hMs": r.avg_24h_ms,
                                                   "hourlyMs": r.hours});
                    }
                    if !c.locations.is_empty() {
                        v["locations"] = c
                            .locations
                            .iter()
                            .map(|(name, status)| json!({"name": name, "status": status}))
                            .collect();
                    }
                    v
                })
                .collect();
            json!({"name": g.name, "components": components})
        })
        .collect();
    let announcements: Vec<Value> = s
        .announcements
        .iter()
        .map(|a| {
            let updates: Vec<Value> = a
                .updates
                .iter()
                .map(|u| {
                    json!({"id": u.id, "status": u.status, "body": u.body,
                                "html": to_html(&u.body), "createdAt": iso(u.created_at)})
                })
                .collect();
            json!({"id": a.id, "title": a.title, "impact": a.impact, "status": a.status,
                   "componentIds": a.component_ids, "updates": updates,
                   "createdAt": iso(a.created_at), "resolvedAt": a.resolved_at.map(iso)})
        })
        .collect();
    let maintenance: Vec<Value> = s
        .maintenance
        .iter()
        .map(|m| {
            json!({"id": m.id, "title": m.title, "startsAt": iso(m.starts_at),
                        "endsAt": iso(m.ends_at), "inForce": m.in_force,
                        "componentIds": m.component_ids})
        })
        .collect();
    json!({
        "page": {
            "slug": settings.slug,
            "title": settings.title,
            "description": settings.description,
            "footer": settings.footer,
            "url": url_of(&settings.slug),
            "logo": settings.logo.as_ref().map(|l| logo_url(&settings.slug, l)),
            "language": lang.code(),
            "theme": settings.theme,
        },
        "status": s.status.as_str(),
        "statusText": words::overall(lang, s.status),
        "groups": groups,
        "incidents": s.incidents.iter().map(|i| incident(i, lang)).collect::<Vec<_>>(),
        "announcements": announcements,
        "maintenance": maintenance,
        "history": s.history.iter().map(|i| incident(i, lang)).collect::<Vec<_>>(),
        "updatedAt": iso(s.generated_at),
        "updatedText": word(lang, "updated"),
    })
}
