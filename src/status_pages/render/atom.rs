//! The page's Atom feed (`/status/<slug>/feed.atom`): one entry per announcement (its updates in
//! order, oldest first, as its content) and per incident of the past 90 days, newest first.
//! Links are relative to the feed: the page never trusts a request's Host header to name itself.

use std::fmt::Write;

use super::markdown::to_html;
use super::words::{self, word};
use super::{Lang, escape, iso, when};
use crate::clock::Timestamp;
use crate::status_pages::model::url_of;
use crate::status_pages::view::Snapshot;

struct Entry {
    id: String,
    title: String,
    updated: Timestamp,
    published: Timestamp,
    anchor: String,
    /// HTML, escaped once more into the XML.
    content: String,
}

pub fn feed(s: &Snapshot, lang: Lang) -> String {
    let url = url_of(&s.settings.slug);
    let mut entries: Vec<Entry> = Vec::new();
    for a in &s.announcements {
        let mut content = String::new();
        for u in &a.updates {
            let _ = write!(
                content,
                "<p><strong>{}</strong> · {}</p>{}",
                words::announcement(lang, u.status),
                when(u.created_at),
                to_html(&u.body)
            );
        }
        entries.push(Entry {
            id: format!("urn:uuid:{}", a.id),
            title: format!("{} ({})", a.title, words::announcement(lang, a.status)),
            updated: a.updates.last().map_or(a.created_at, |u| u.created_at),
            published: a.created_at,
            anchor: format!("announcement-{}", a.id),
            content,
        });
    }
    for i in s.incidents.iter().chain(&s.history) {
        let mut content = format!("<p>{} {}</p>", word(lang, "started"), when(i.started_at));
        if let Some(r) = i.resolved_at {
            let _ = write!(content, "<p>{} {}</p>", word(lang, "resolved"), when(r));
        }
        let title = words::with(lang, "incident.title", &i.component);
        entries.push(Entry {
            id: format!("urn:uuid:{}", i.id),
            title: match i.resolved_at {
                Some(_) => format!("{title} ({})", word(lang, "resolved")),
                None => title,
            },
            updated: i.resolved_at.unwrap_or(i.started_at),
            published: i.started_at,
            anchor: format!("incident-{}", i.id),
            content,
        });
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.updated));
    let updated = entries.first().map_or(s.generated_at, |e| e.updated);
    let feed_id = match s.page {
        Some(id) => format!("urn:uuid:{id}"),
        None => format!("urn:status-page:{}", s.settings.slug),
    };
    let mut x = String::with_capacity(4096);
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <id>{feed_id}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
         <link rel=\"self\" href=\"{url}/feed.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n\
         <author><name>{}</name></author>\n",
        lang.code(),
        escape(&s.settings.title),
        iso(updated),
        escape(&s.settings.title)
    );
    for e in entries {
        let _ = write!(
            x,
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<published>{}</published>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{url}#{}\"/>\n<content type=\"html\">{}</content>\n</entry>\n",
            e.id,
            escape(&e.title),
            iso(e.published),
            iso(e.updated),
            e.anchor,
            escape(&e.content)
        );
    }
    x.push_str("</feed>\n");
    x
}
