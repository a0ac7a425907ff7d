//! The sections of a page's HTML: ongoing incidents, announcements with their updates in order,
//! maintenance, the groups of components (status, 90 days of bars as SVG, response times) and
//! the past 90 days.

use std::fmt::Write;

use super::markdown::to_html;
use super::words::{self, word};
use super::{Lang, escape, iso, when};
use crate::clock::Timestamp;
use crate::status_pages::announcements::Announcement;
use crate::status_pages::view::{ComponentView, GroupView, IncidentView, Response, Snapshot};

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
    h.push_str("</li>\n");
}

fn percent(p: f64) -> String {
    let text = format!("{:.2}", (p * 100.0).floor() / 100.0);
    format!("{} %", text.trim_end_matches('0').trim_end_matches('.'))
}

/// 90 days as an SVG of bars, one per day, its class saying how the day went.
fn bars(h: &mut String, c: &ComponentView, lang: Lang) {
    let n = c.days.len();
    let _ = write!(
        h,
        "<svg class=\"sp-bars\" viewBox=\"0 0 {} 24\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        n * 5,
        word(lang, "bars")
    );
    for (i, d) in c.days.iter().enumerate() {
        let class = match d.uptime {
            Some(u) if u < 95.0 => "down",
            Some(u) if u < 99.9 || d.incident => "partial",
            Some(_) => "up",
            None if d.incident => "partial",
            None => "none",
        };
        let label = match d.uptime {
            Some(u) => percent(u),
            None if d.incident => word(lang, "incidents").to_owned(),
            None => word(lang, "nodata").to_owned(),
        };
        let _ = write!(
            h,
            "<rect x=\"{}\" y=\"0\" width=\"4\" height=\"24\" rx=\"1\" class=\"sp-d-{class}\"><title>{}: {}</title></rect>",
            i * 5,
            d.start.format("%Y-%m-%d"),
            label
        );
    }
    let _ = write!(
        h,
        "</svg><div class=\"sp-axis\"><span>{}</span><span>{}</span></div>",
        word(lang, "days.ago"),
        word(lang, "today")
    );
}

/// The last response time, the 24 h average, and the hourly averages as bars.
fn response(h: &mut String, r: &Response, lang: Lang) {
    let _ = write!(h, "<p class=\"sp-response\">{} ", word(lang, "response"));
    match r.last_ms {
        Some(ms) => {
            let _ = write!(h, "<strong>{ms} ms</strong>");
        }
        None => h.push_str(word(lang, "nodata")),
    }
    if let Some(avg) = r.avg_24h_ms {
        let _ = write!(h, " · {} {:.0} ms", word(lang, "response.avg"), avg);
    }
    h.push_str("</p>");
    let max = r.hours.iter().flatten().cloned().fold(1.0f64, f64::max);
    let _ = write!(
        h,
        "<svg class=\"sp-chart\" viewBox=\"0 0 {} 24\" preserveAspectRatio=\"none\" aria-hidden=\"true\">",
        r.hours.len() * 5
    );
    for (i, ms) in r.hours.iter().enumerate() {
        if let Some(ms) = ms {
            let height = (ms / max * 24.0).max(1.0);
            let _ = write!(
                h,
                "<rect x=\"{}\" y=\"{:.1}\" width=\"4\" height=\"{height:.1}\" class=\"sp-d-up\"><title>{ms:.0} ms</title></rect>",
                i * 5,
                24.0 - height
            );
        }
    }
    h.push_str("</svg>");
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
