//! The words of a status page, in English and French: one table, looked up by key.

use super::Lang;
use crate::status_pages::announcements::{AnnouncementStatus, Impact};
use crate::status_pages::view::PublicStatus;

/// (key, English, French)
const WORDS: &[(&str, &str, &str)] = &[
    (
        "overall.up",
        "All systems operational",
        "Tous les systèmes sont opérationnels",
    ),
    (
        "overall.degraded",
        "Some systems are degraded",
        "Certains systèmes sont dégradés",
    ),
    ("overall.down", "Major outage", "Panne majeure"),
    (
        "overall.maintenance",
        "Maintenance in progress",
        "Maintenance en cours",
    ),
    ("incidents", "Ongoing incidents", "Incidents en cours"),
    ("announcements", "Announcements", "Annonces"),
    ("maintenance", "Maintenance", "Maintenance"),
    ("maintenance.now", "In progress", "En cours"),
    ("maintenance.next", "Scheduled", "Planifiée"),
    ("history", "Past 90 days", "90 derniers jours"),
    (
        "history.none",
        "No incidents in the past 90 days.",
        "Aucun incident ces 90 derniers jours.",
    ),
    (
        "incident.title",
        "Incident affecting {}",
        "Incident affectant {}",
    ),
    ("started", "Started", "Début"),
    ("resolved", "Resolved", "Résolu"),
    ("until", "until", "jusqu’à"),
    ("uptime", "uptime", "disponibilité"),
    (
        "locations",
        "Checked from {} locations:",
        "Vérifié depuis {} emplacements :",
    ),
    ("response", "Response time:", "Temps de réponse :"),
    ("response.avg", "24\u{a0}h average", "moyenne sur 24\u{a0}h"),
    ("days.ago", "90 days ago", "il y a 90 jours"),
    ("today", "Today", "Aujourd’hui"),
    ("nodata", "No data", "Pas de données"),
    ("location.local", "This server", "Ce serveur"),
    ("updated", "Updated", "Mis à jour"),
    ("feed", "Subscribe (Atom)", "S’abonner (Atom)"),
    ("powered", "Powered by dutyduck", "Propulsé par dutyduck"),
    (
        "bars",
        "Uptime over the past 90 days",
        "Disponibilité des 90 derniers jours",
    ),
    ("status", "status", "statut"),
    ("affects", "Affects", "Concerne"),
    ("status.up", "Operational", "Opérationnel"),
    ("status.degraded", "Degraded", "Dégradé"),
    ("status.down", "Down", "En panne"),
    ("status.maintenance", "Maintenance", "Maintenance"),
    ("status.paused", "Paused", "En pause"),
    ("status.unknown", "Unknown", "Inconnu"),
    ("impact.none", "No impact", "Sans impact"),
    ("impact.minor", "Minor", "Mineur"),
    ("impact.major", "Major", "Majeur"),
    ("impact.critical", "Critical", "Critique"),
    ("a.investigating", "Investigating", "Enquête en cours"),
    ("a.identified", "Identified", "Identifié"),
    ("a.monitoring", "Monitoring", "Sous surveillance"),
    ("a.resolved", "Resolved", "Résolu"),
];

/// The word for `key`; a missing key is a bug, shown as itself.
pub fn word(lang: Lang, key: &str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or_else(|| {
            debug_assert!(false, "no word for {key}");
            "?"
        })
}

/// `word` with `{}` replaced by `value`.
pub fn with(lang: Lang, key: &str, value: &str) -> String {
    word(lang, key).replace("{}", value)
}

pub fn status(lang: Lang, s: PublicStatus) -> &'static str {
    word(lang, &format!("status.{}", s.as_str()))
}

pub fn overall(lang: Lang, s: PublicStatus) -> &'static str {
    match s {
        PublicStatus::Down | PublicStatus::Degraded | PublicStatus::Maintenance => {
            word(lang, &format!("overall.{}", s.as_str()))
        }
        _ => word(lang, "overall.up"),
    }
}

pub fn impact(lang: Lang, i: Impact) -> &'static str {
    word(lang, &format!("impact.{}", i.as_str()))
}

pub fn announcement(lang: Lang, s: AnnouncementStatus) -> &'static str {
    word(lang, &format!("a.{}", s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_impact_and_stage_has_words_in_both_languages() {
        for lang in Lang::ALL {
            for s in PublicStatus::ALL {
                assert_ne!(status(lang, *s), "?");
            }
            for i in Impact::ALL {
                assert_ne!(impact(lang, *i), "?");
            }
            for a in AnnouncementStatus::ALL {
                assert_ne!(announcement(lang, *a), "?");
            }
        }
        let keys: std::collections::HashSet<_> = WORDS.iter().map(|w| w.0).collect();
        assert_eq!(keys.len(), WORDS.len(), "a key appears twice");
    }
}
