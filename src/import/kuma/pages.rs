//! Uptime Kuma status pages as dutyduck status pages: slug, title, description, footer,
//! visibility, theme, and the groups with their monitors in the page's order.

use std::collections::HashMap;

use serde_json::json;

use super::model::Kuma;
use super::monitors::Source;
use crate::ids::OrgId;
use crate::import::{Entity, Lists, Report, origin_id, validate};

pub fn map(
    kuma: &Kuma,
    org: OrgId,
    sources: &HashMap<i64, Source>,
    report: &mut Report,
    lists: &mut Lists,
) {
    for page in &kuma.pages {
        let row = &page.row;
        let slug = row.text("slug").unwrap_or_default();
        let title = row.text("title").unwrap_or_else(|| slug.clone());
        let mut notes = Vec::new();
        let mut groups = Vec::new();
        let mut groups_of_page: Vec<_> = kuma
            .groups
            .iter()
            .filter(|g| g.page == Some(page.id))
            .collect();
        groups_of_page.sort_by_key(|g| (g.weight, g.id));
        for g in groups_of_page {
            let mut components = Vec::new();
            for (_, m) in &g.monitors {
                let (kind, id) = match sources.get(m) {
                    Some(Source::Monitor(id)) => ("monitor", id),
                    Some(Source::Task(id)) => ("task", id),
                    None => {
                        notes.push(format!(
                            "monitor {m} of group {:?} not imported: left out",
                            g.name
                        ));
                        continue;
                    }
                };
                components.push(json!({"sourceType": kind, "sourceId": id}));
            }
            groups.push(json!({"name": g.name, "components": components}));
        }
        let theme = match row.text("theme").as_deref() {
            Some("dark") => "dark",
            Some("auto") => "auto",
            _ => "light",
        };
        let mut entry = json!({
            "id": origin_id(org, &format!("uptime-kuma/status-page/{}", page.id)).to_string(),
            "slug": slug.to_lowercase(),
            "title": title,
            "visibility": if row.flag("published", true) { "public" } else { "private" },
            "noindex": !row.flag("search_engine_index", true),
            "theme": theme,
            "groups": groups,
        });
        for (col, field) in [("description", "description"), ("footer_text", "footer")] {
            if let Some(text) = row.text(col) {
                entry[field] = text.into();
            }
        }
        if row.text("custom_css").is_some() {
            notes.push("custom CSS not kept: dutyduck's pages take no style sheet".into());
        }
        if row.text("icon").is_some_and(|i| i != "/icon.svg") {
            notes.push("icon not kept: upload it again as the page's logo".into());
        }
        if row.text("google_analytics_tag_id").is_some() {
            notes
                .push("analytics tag not kept: dutyduck's pages load no third-party script".into());
        }
        for (_, incident) in kuma.incidents.iter().filter(|(p, _)| *p == page.id) {
            report.skipped(
                Entity::Other,
                incident,
                format!("pinned incident of page {slug:?}: post it again as an announcement"),
            );
        }
        match validate::status_page(&entry) {
            Err(why) => report.skipped(Entity::StatusPage, &title, why),
            Ok(()) => {
                report.imported(
                    Entity::StatusPage,
                    &title,
                    format!("/status/{}", slug.to_lowercase()),
                );
                for note in notes {
                    report.approximated(Entity::StatusPage, &title, note);
                }
                lists.status_pages.push(entry);
            }
        }
    }
}
