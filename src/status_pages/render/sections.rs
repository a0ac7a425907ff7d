//! The sections of a page's HTML: ongoing incidents, announcements with their updates in order,
//! maintenance, the groups of components (their charts in `charts`) and the past 90 days.

use std::fmt::Write;

use super::charts::{bars, percent, response};
use super::markdown::to_html;
use super::words::{self, word};
use super::{Lang, escape, iso, when};
use crate::clock::Timestamp;
use crate::status_pages::announcements::Announcement;
use crate::status_pages::view::{ComponentView, GroupView, IncidentView, Snapshot};

fn time(h: &mut String, t: Timestamp) {
    let _ = write!(h, "<time datetime=\"{}\">{}</time>", iso(t), when(t));
}

pub fn incidents(h: &mut String, s: &Snapshot, lang: Lang) {
    if s.incidents.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section class=\"sp-incidents\"><h2>{}</h2><ul class=\"sp-list\">",
        word(lang, "incidents")
    );
    for i in &s.incidents {
        incident(h, i, lang);
    }
    h.push_str("</ul></section>\n");
}

fn incident(h: &mut String, i: &IncidentView, lang: Lang) {
    let _ = write!(
        h,
        "<li class=\"sp-incident\" id=\"incident-{}\"><h3>{}</h3><p class=\"sp-meta\">{} ",
        i.id,
        escape(&words::with(lang, "incident.title", &i.component)),
        word(lang, "started")
    );
    time(h, i.started_at);
    if let Some(r) = i.resolved_at {
        let _ = write!(h, " · {} ", word(lang, "resolved"));
        time(h, r);
    }
    h.push_str("</p></li>\n");
}

/// The announcements in progress (`resolved: false`) or those resolved (the history).
pub fn announcements(h: &mut String, s: &Snapshot, lang: Lang, resolved: bool) {
    let shown: Vec<&Announcement> = s
        .announcements
        .iter()
        .filter(|a| a.resolved_at.is_some() == resolved)
        .collect();
    if shown.is_empty() {
        return;
    }
    if !resolved {
        let _ = write!(
            h,
            "<section class=\"sp-announcements\"><h2>{}</h2>",
            word(lang, "announcements")
        );
    }
    h.push_str("<ul class=\"sp-list\">\n");
    for a in shown {
        announcement(h, s, a, lang);
    }
    h.push_str("</ul>\n");
    if !resolved {
        h.push_str("</section>\n");
    }
}

fn announcement(h: &mut String, s: &Snapshot, a: &Announcement, lang: Lang) {
    let _ = write!(
        h,
        "<li class=\"sp-announcement sp-impact-{}\" id=\"announcement-{}\"><h3>{}</h3>\
         <p class=\"sp-meta\"><span class=\"sp-chip\">{}</span> <span class=\"sp-chip\">{}</span>",
        a.impact.as_str(),
        a.id,
        escape(&a.title),
        words::announcement(lang, a.status),
        words::impact(lang, a.impact)
    );
    let names: Vec<String> = s
        .groups
        .iter()
        .flat_map(|g| g.components.iter())
        .filter(|c| a.component_ids.contains(&c.component.id))
        .map(|c| escape(&c.component.public_name))
        .collect();
    if !names.is_empty() {
        let _ = write!(h, " {} {}", word(lang, "affects"), names.join(", "));
    }
    h.push_str("</p>\n<ol class=\"sp-updates\">\n");
    for u in &a.updates {
        let _ = write!(
            h,
            "<li class=\"sp-update\"><p class=\"sp-meta\"><strong>{}</strong> · ",
            words::announcement(lang, u.status)
        );
        time(h, u.created_at);
        let _ = writeln!(
            h,
            "</p><div class=\"sp-body\">{}</div></li>",
            to_html(&u.body)
        );
    }
    h.push_str("</ol></li>\n");
}

pub fn maintenance(h: &mut String, s: &Snapshot, lang: Lang) {
    if s.maintenance.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section class=\"sp-maintenance\"><h2>{}</h2><ul class=\"sp-list\">",
        word(lang, "maintenance")
    );
    for m in &s.maintenance {
        let state = if m.in_force {
            "maintenance.now"
        } else {
            "maintenance.next"
        };
        let _ = write!(
            h,
            "<li class=\"sp-window\"><h3>{}</h3><p class=\"sp-meta\"><span class=\"sp-chip\">{}</span> ",
            escape(&m.title),
            word(lang, state)
        );
        time(h, m.starts_at);
        let _ = write!(h, " – ");
        time(h, m.ends_at);
        let names: Vec<String> = m.components.iter().map(|n| escape(n)).collect();
        let _ = writeln!(
            h,
            " · {} {}</p></li>",
            word(lang, "affects"),
            names.join(", ")
        );
    }
    h.push_str("</ul></section>\n");
}

pub fn group(h: &mut String, g: &GroupView, lang: Lang) {
    h.push_str("<section class=\"sp-group\">");
    if !g.name.is_empty() {
        let _ = write!(h, "<h2>{}</h2>", escape(&g.name));
    }
    h.push_str("<ul class=\"sp-components\">\n");
    for c in &g.components {
        component(h, c, lang);
    }
    h.push_str("</ul></section>\n");
}

fn component(h: &mut String, c: &ComponentView, lang: Lang) {
    let status = c.status.as_str();
    let _ = write!(
        h,
        "<li class=\"sp-component\" id=\"component-{}\"><div class=\"sp-row\"><span class=\"sp-name\">{}</span>",
        c.component.id,
        escape(&c.component.public_name)
    );
    if let Some(u) = c.uptime {
        let _ = write!(
            h,
            "<span class=\"sp-uptime\">{} {}</span>",
            percent(u),
            word(lang, "uptime")
        );
    }
    let _ = write!(
        h,
        "<span class=\"sp-status sp-s-{status}\" data-status=\"{status}\">{}</span></div>",
        words::status(lang, c.status)
    );
    if !c.days.is_empty() {
        bars(h, c, lang);
    }
    if let Some(r) = &c.response {
        response(h, r, lang);
    }
    if !c.locations.is_empty() {
        locations(h, c, lang);
    }
    h.push_str("</li>\n");
}

/// "Checked from 3 locations: local (Operational), eu-west (Major outage), …".
fn locations(h: &mut String, c: &ComponentView, lang: Lang) {
    use crate::monitors::locations::view::LocationStatus;
    use crate::status_pages::view::PublicStatus;
    let count = c.locations.len().to_string();
    let _ = write!(
        h,
        "<p class=\"sp-meta sp-locations\">{} ",
        escape(&words::with(lang, "locations", &count))
    );
    let shown: Vec<String> = c
        .locations
        .iter()
        .map(|(name, status)| {
            let (class, said) = match status {
                LocationStatus::Up => ("up", words::status(lang, PublicStatus::Up)),
                LocationStatus::Down => ("down", words::status(lang, PublicStatus::Down)),
                LocationStatus::Stale | LocationStatus::Waiting => ("unknown", word(lang, "nodata")),
            };
            // The server's own location, in the page's language.
            let name = match name.as_str() {
                crate::monitors::locations::select::LOCAL => word(lang, "location.local"),
                name => name,
            };
            format!(
                "<span class=\"sp-location\" data-status=\"{class}\">{} <span class=\"sp-status sp-s-{class}\">({said})</span></span>",
                escape(name)
            )
        })
        .collect();
    let _ = writeln!(h, "{}</p>", shown.join(", "));
}

pub fn history(h: &mut String, s: &Snapshot, lang: Lang) {
    let _ = write!(
        h,
        "<section class=\"sp-history\"><h2>{}</h2>",
        word(lang, "history")
    );
    let resolved = s.announcements.iter().any(|a| a.resolved_at.is_some());
    if s.history.is_empty() && !resolved {
        let _ = write!(
            h,
            "<p class=\"sp-empty\">{}</p>",
            word(lang, "history.none")
        );
    }
    announcements(h, s, lang, true);
    if !s.history.is_empty() {
        h.push_str("<ul class=\"sp-list\">\n");
        for i in &s.history {
            incident(h, i, lang);
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>\n");
}
