//! The words of a notification, in the organization's language (en or fr): a subject line and a
//! short text saying what happened, why, and where to look. Pure, so every sentence is tested.

use chrono::SecondsFormat;
use serde_json::Value;

use super::model::NotificationEvent;
use crate::clock::Timestamp;
use crate::incidents::cause::{Cause, ErrorKind, TaskTrouble};
use crate::incidents::model::{IncidentStatus, Priority, SourceType};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub fn parse(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }
}

/// What a notification tells about its incident.
#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub id: String,
    pub title: String,
    pub status: IncidentStatus,
    pub priority: Priority,
    pub source_type: SourceType,
    pub source_id: Option<String>,
    pub source_name: Option<String>,
    /// A monitor's URL.
    pub source_url: Option<String>,
    pub cause: Option<Cause>,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    /// Names of those who acknowledged it.
    pub acknowledged_by: Vec<String>,
    /// False once its monitor or task is deleted: it was closed, not fixed.
    pub source_exists: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub subject: String,
    /// Plain text, a few lines, ending with the link when there is one.
    pub text: String,
    pub link: Option<String>,
}

fn time(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A time as the cause's JSON writes it (what receivers saw before causes had types).
fn stored_time(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Why a check failed, in French words (the check's own message says the details in English).
fn error_kind_fr(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Connect => "échec de la connexion",
        ErrorKind::Timeout => "délai dépassé",
        ErrorKind::Assertion => "réponse inattendue",
        ErrorKind::Tls => "problème TLS",
        ErrorKind::Slow => "trop lent",
        ErrorKind::Loss => "perte de paquets",
        ErrorKind::HttpCode => "statut HTTP inattendu",
        ErrorKind::Redirect => "problème de redirection",
        ErrorKind::Request | ErrorKind::Builder => "requête impossible",
        ErrorKind::Body | ErrorKind::Decode => "réponse illisible",
        ErrorKind::None | ErrorKind::Unknown => "erreur",
    }
}

/// One sentence on why the incident exists, from its cause.
pub fn cause_sentence(lang: Lang, i: &IncidentFacts) -> Option<String> {
    let cause = i.cause.as_ref()?;
    let fr = lang == Lang::Fr;
    let what = i.source_url.clone().unwrap_or_else(|| i.title.clone());
    let sentence = match (i.source_type, cause) {
        (SourceType::HttpMonitor, Cause::HttpMonitorIncidentCause { last_ping, .. }) => {
            // The status code says it all when it is the failure; an answer that failed another
            // way (its content, an upside-down monitor answering) is told by its message.
            let reason = match (last_ping.http_code, &last_ping.error) {
                (Some(code), error)
                    if last_ping.error_kind == ErrorKind::HttpCode || error.is_none() =>
                {
                    format!("HTTP {code}")
                }
                // The checks' messages are English: French readers get the kind in words first.
                (_, Some(error)) if fr => {
                    format!("{} : {error}", error_kind_fr(last_ping.error_kind))
                }
                (_, Some(error)) => error.clone(),
                (_, None) => last_ping.error_kind.as_str().to_owned(),
            };
            if fr {
                format!("{what} ne répond pas correctement ({reason}).")
            } else {
                format!("{what} is not responding correctly ({reason}).")
            }
        }
        (SourceType::TlsCertificate, Cause::TlsCertificateExpiry { days_left, .. }) => {
            if fr {
                format!("Le certificat TLS de {what} expire dans {days_left} jours.")
            } else {
                format!("The TLS certificate of {what} expires in {days_left} days.")
            }
        }
        (SourceType::Task, Cause::TaskIncidentCause(trouble)) => match trouble {
            TaskTrouble::Late { due_at } | TaskTrouble::Absent { due_at } => {
                let due = stored_time(*due_at);
                let late = matches!(trouble, TaskTrouble::Late { .. });
                match (fr, late) {
                    (false, true) => format!("{what} has not started; it was due at {due}."),
                    (false, false) => format!("{what} did not run; it was due at {due}."),
                    (true, true) => format!("{what} n'a pas démarré ; exécution prévue à {due}."),
                    (true, false) => {
                        format!("{what} ne s'est pas exécutée ; exécution prévue à {due}.")
                    }
                }
            }
            TaskTrouble::Failed {
                exit_code,
                error_message,
                ..
            } => {
                let detail = [
                    exit_code.map(|c| format!("exit code {c}")),
                    error_message.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
                match (fr, detail.is_empty()) {
                    (false, true) => format!("A run of {what} failed."),
                    (false, false) => format!("A run of {what} failed ({detail})."),
                    (true, true) => format!("Une exécution de {what} a échoué."),
                    (true, false) => format!("Une exécution de {what} a échoué ({detail})."),
                }
            }
            TaskTrouble::Dead {
                last_heartbeat_at, ..
            } => {
                let last = last_heartbeat_at.map(stored_time).unwrap_or_default();
                if fr {
                    format!(
                        "Une exécution de {what} ne donne plus signe de vie (dernier signal à {last})."
                    )
                } else {
                    format!("A run of {what} stopped sending heartbeats (last at {last}).")
                }
            }
        },
        // Declared by hand, or by dutyduck itself about the instance: the description says why.
        (SourceType::Manual, Cause::Manual { description }) => description.clone(),
        (_, Cause::Other(Value::String(s))) => s.clone(),
        _ => return None,
    };
    Some(sentence)
}

/// The message for `event` about `incident` (None for a test message).
pub fn render(
    lang: Lang,
    event: NotificationEvent,
    incident: Option<&IncidentFacts>,
    link: Option<String>,
) -> Message {
    let fr = lang == Lang::Fr;
    let Some(i) = incident else {
        let (subject, body) = if fr {
            (
                "[dutyduck] Message de test",
                "Ce canal de notification fonctionne.",
            )
        } else {
            (
                "[dutyduck] Test message",
                "This notification channel works.",
            )
        };
        return Message {
            subject: subject.to_owned(),
            text: body.to_owned(),
            link,
        };
    };
    let closed = event == NotificationEvent::Resolved && !i.source_exists;
    let headline = match (event, fr) {
        _ if closed && fr => "Incident clos (source supprimée)",
        _ if closed => "Incident closed (source deleted)",
        (NotificationEvent::Opened, false) => "Incident opened",
        (NotificationEvent::Opened, true) => "Incident ouvert",
        (NotificationEvent::Acknowledged, false) => "Incident acknowledged",
        (NotificationEvent::Acknowledged, true) => "Incident pris en charge",
        (NotificationEvent::Resolved, false) => "Incident resolved",
        (NotificationEvent::Resolved, true) => "Incident résolu",
        (NotificationEvent::Renotification, false) => "Still open, not acknowledged",
        (NotificationEvent::Renotification, true) => "Toujours ouvert, non pris en charge",
        (NotificationEvent::Test, false) => "Test message",
        (NotificationEvent::Test, true) => "Message de test",
    };
    let mut lines = vec![format!("{headline}: {}", i.title)];
    if let Some(sentence) = cause_sentence(lang, i) {
        lines.push(sentence);
    }
    let priority = i.priority.as_str();
    lines.push(match (event, fr) {
        (NotificationEvent::Acknowledged, false) => {
            format!("Acknowledged by {}.", i.acknowledged_by.join(", "))
        }
        (NotificationEvent::Acknowledged, true) => {
            format!("Pris en charge par {}.", i.acknowledged_by.join(", "))
        }
        (NotificationEvent::Resolved, false) => format!(
            "Opened at {}, resolved at {}.",
            time(i.created_at),
            i.resolved_at.map_or_else(String::new, time)
        ),
        (NotificationEvent::Resolved, true) => format!(
            "Ouvert à {}, résolu à {}.",
            time(i.created_at),
            i.resolved_at.map_or_else(String::new, time)
        ),
        (_, false) => format!("Priority {priority}, opened at {}.", time(i.created_at)),
        (_, true) => format!("Priorité {priority}, ouvert à {}.", time(i.created_at)),
    });
    if let Some(link) = &link {
        lines.push(link.clone());
    }
    Message {
        subject: format!("[dutyduck] {headline}: {}", i.title),
        text: lines.join("\n"),
        link,
    }
}

/// How a digest names an incident: its source's name, else its title.
fn digest_name(i: &IncidentFacts) -> &str {
    i.source_name.as_deref().unwrap_or(&i.title)
}

/// The headline of a digest of `items` about `event`: "12 monitors down", "3 tasks back to
/// normal", "7 incidents opened" when sources are mixed.
pub fn digest_headline(lang: Lang, event: NotificationEvent, items: &[IncidentFacts]) -> String {
    let n = items.len();
    let monitor = |i: &IncidentFacts| {
        matches!(
            i.source_type,
            SourceType::HttpMonitor | SourceType::TlsCertificate
        )
    };
    let all = |f: &dyn Fn(&IncidentFacts) -> bool| !items.is_empty() && items.iter().all(f);
    let what = if all(&monitor) {
        "monitors"
    } else if all(&|i| i.source_type == SourceType::Task) {
        "tasks"
    } else {
        "incidents"
    };
    let resolved = event == NotificationEvent::Resolved;
    match (lang, what, resolved) {
        (Lang::En, "monitors", false) => format!("{n} monitors down"),
        (Lang::En, "monitors", true) => format!("{n} monitors back up"),
        (Lang::En, "tasks", false) => format!("{n} tasks failing"),
        (Lang::En, "tasks", true) => format!("{n} tasks back to normal"),
        (Lang::En, _, false) => format!("{n} incidents opened"),
        (Lang::En, _, true) => format!("{n} incidents resolved"),
        (Lang::Fr, "monitors", false) => format!("{n} moniteurs en panne"),
        (Lang::Fr, "monitors", true) => format!("{n} moniteurs rétablis"),
        (Lang::Fr, "tasks", false) => format!("{n} tâches en échec"),
        (Lang::Fr, "tasks", true) => format!("{n} tâches revenues à la normale"),
        (Lang::Fr, _, false) => format!("{n} incidents ouverts"),
        (Lang::Fr, _, true) => format!("{n} incidents résolus"),
    }
}

/// The message of a digest: the headline with the first names in the subject, then one line
/// per incident (at most `max_names`, then how many more), then the link to the incident list.
pub fn render_digest(
    lang: Lang,
    event: NotificationEvent,
    items: &[IncidentFacts],
    max_names: usize,
    link: Option<String>,
) -> Message {
    let headline = digest_headline(lang, event, items);
    let first: Vec<&str> = items.iter().take(3).map(digest_name).collect();
    let ellipsis = if items.len() > first.len() {
        ", …"
    } else {
        ""
    };
    let subject = format!("[dutyduck] {headline}: {}{ellipsis}", first.join(", "));
    let mut lines = vec![format!("{headline}:")];
    lines.extend(
        items
            .iter()
            .take(max_names)
            .map(|i| format!("- {}", digest_name(i))),
    );
    let more = items.len().saturating_sub(max_names);
    if more > 0 {
        lines.push(match lang {
            Lang::En => format!("… and {more} more."),
            Lang::Fr => format!("… et {more} de plus."),
        });
    }
    if let Some(link) = &link {
        lines.push(link.clone());
    }
    Message {
        subject,
        text: lines.join("\n"),
        link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::cause::{ErrorKind, Ping};

    fn incident(source_type: SourceType, cause: Cause) -> IncidentFacts {
        IncidentFacts {
            id: "i1".into(),
            title: "Nightly backup".into(),
            status: IncidentStatus::Ongoing,
            priority: Priority::Major,
            source_type,
            source_id: Some("backup".into()),
            source_name: Some("Nightly backup".into()),
            source_url: None,
            cause: Some(cause),
            created_at: chrono::DateTime::UNIX_EPOCH,
            resolved_at: None,
            acknowledged_by: vec!["Ada Lovelace".into()],
            source_exists: true,
        }
    }

    #[test]
    fn sentences_in_both_languages() {
        let t = "2026-11-30T02:00:00Z".parse().unwrap();
        let late = incident(
            SourceType::Task,
            Cause::TaskIncidentCause(TaskTrouble::Late { due_at: t }),
        );
        let failed = incident(
            SourceType::Task,
            Cause::TaskIncidentCause(TaskTrouble::Failed {
                run_started_at: t,
                exit_code: Some(3),
                error_message: Some("disk full".into()),
            }),
        );
        let mut down = incident(
            SourceType::HttpMonitor,
            Cause::HttpMonitorIncidentCause {
                last_ping: Ping {
                    error_kind: ErrorKind::HttpCode,
                    http_code: Some(503),
                    error: None,
                },
                previous_pings: vec![],
            },
        );
        down.source_url = Some("https://shop.example.com/".into());
        let mut refused = incident(
            SourceType::HttpMonitor,
            Cause::HttpMonitorIncidentCause {
                last_ping: Ping {
                    error_kind: ErrorKind::Connect,
                    http_code: None,
                    error: Some("connection refused".into()),
                },
                previous_pings: vec![],
            },
        );
        refused.source_url = Some("tcp://db.internal:5432".into());
        let mut answered = incident(
            SourceType::HttpMonitor,
            Cause::HttpMonitorIncidentCause {
                last_ping: Ping {
                    error_kind: ErrorKind::Assertion,
                    http_code: Some(200),
                    error: Some("body does not contain \"ok\"".into()),
                },
                previous_pings: vec![],
            },
        );
        answered.source_url = Some("https://shop.example.com/".into());
        let declared = incident(
            SourceType::Manual,
            Cause::Manual {
                description: "The database refuses writes.".into(),
            },
        );
        let rows = [
            (&declared, Lang::En, "The database refuses writes."),
            (&declared, Lang::Fr, "The database refuses writes."),
            (
                &late,
                Lang::En,
                "Nightly backup has not started; it was due at 2026-11-30T02:00:00Z.",
            ),
            (
                &late,
                Lang::Fr,
                "Nightly backup n'a pas démarré ; exécution prévue à 2026-11-30T02:00:00Z.",
            ),
            (
                &failed,
                Lang::En,
                "A run of Nightly backup failed (exit code 3: disk full).",
            ),
            (
                &failed,
                Lang::Fr,
                "Une exécution de Nightly backup a échoué (exit code 3: disk full).",
            ),
            (
                &down,
                Lang::En,
                "https://shop.example.com/ is not responding correctly (HTTP 503).",
            ),
            (
                &down,
                Lang::Fr,
                "https://shop.example.com/ ne répond pas correctement (HTTP 503).",
            ),
            (
                &answered,
                Lang::En,
                "https://shop.example.com/ is not responding correctly (body does not contain \"ok\").",
            ),
            (
                &refused,
                Lang::En,
                "tcp://db.internal:5432 is not responding correctly (connection refused).",
            ),
            (
                &refused,
                Lang::Fr,
                "tcp://db.internal:5432 ne répond pas correctement (échec de la connexion : connection refused).",
            ),
        ];
        for (i, lang, expected) in rows {
            assert_eq!(cause_sentence(lang, i).as_deref(), Some(expected));
        }
    }

    #[test]
    fn messages_carry_the_event_and_the_link() {
        let i = incident(
            SourceType::Task,
            Cause::TaskIncidentCause(TaskTrouble::Dead {
                run_started_at: chrono::DateTime::UNIX_EPOCH,
                last_heartbeat_at: None,
            }),
        );
        let link = Some("https://duck.example.com/dashboard/incidents/i1".to_owned());
        let m = render(Lang::En, NotificationEvent::Opened, Some(&i), link.clone());
        assert_eq!(m.subject, "[dutyduck] Incident opened: Nightly backup");
        assert!(m.text.ends_with("/dashboard/incidents/i1"), "{}", m.text);
        let m = render(Lang::Fr, NotificationEvent::Acknowledged, Some(&i), link);
        assert_eq!(
            m.subject,
            "[dutyduck] Incident pris en charge: Nightly backup"
        );
        assert!(
            m.text.contains("Pris en charge par Ada Lovelace."),
            "{}",
            m.text
        );
        let gone = IncidentFacts {
            source_exists: false,
            ..i.clone()
        };
        let m = render(Lang::En, NotificationEvent::Resolved, Some(&gone), None);
        assert_eq!(
            m.subject,
            "[dutyduck] Incident closed (source deleted): Nightly backup"
        );
        let m = render(Lang::Fr, NotificationEvent::Test, None, None);
        assert_eq!(m.subject, "[dutyduck] Message de test");
    }

    #[test]
    fn digests_name_their_incidents_and_say_how_many_more() {
        let named = |name: &str, source_type| IncidentFacts {
            source_name: Some(name.into()),
            source_type,
            ..incident(SourceType::Task, Cause::Other(Value::Null))
        };
        let monitors: Vec<_> = (1..=4)
            .map(|n| named(&format!("shop-{n}"), SourceType::HttpMonitor))
            .collect();
        let link = Some("https://duck.example.com/dashboard/incidents?status=ongoing".to_owned());
        let m = render_digest(
            Lang::En,
            NotificationEvent::Opened,
            &monitors,
            2,
            link.clone(),
        );
        assert_eq!(
            m.subject,
            "[dutyduck] 4 monitors down: shop-1, shop-2, shop-3, …"
        );
        assert_eq!(
            m.text,
            "4 monitors down:\n- shop-1\n- shop-2\n… and 2 more.\nhttps://duck.example.com/dashboard/incidents?status=ongoing"
        );
        let m = render_digest(
            Lang::Fr,
            NotificationEvent::Resolved,
            &monitors[..2],
            100,
            None,
        );
        assert_eq!(m.subject, "[dutyduck] 2 moniteurs rétablis: shop-1, shop-2");
        assert_eq!(m.text, "2 moniteurs rétablis:\n- shop-1\n- shop-2");
        let mixed = [monitors[0].clone(), named("backup", SourceType::Task)];
        let rows = [
            (
                Lang::En,
                NotificationEvent::Opened,
                &mixed[..],
                "2 incidents opened",
            ),
            (
                Lang::Fr,
                NotificationEvent::Resolved,
                &mixed[..],
                "2 incidents résolus",
            ),
            (
                Lang::En,
                NotificationEvent::Opened,
                &mixed[1..],
                "1 tasks failing",
            ),
            (
                Lang::Fr,
                NotificationEvent::Opened,
                &mixed[1..],
                "1 tâches en échec",
            ),
            (
                Lang::En,
                NotificationEvent::Resolved,
                &mixed[1..],
                "1 tasks back to normal",
            ),
            (
                Lang::En,
                NotificationEvent::Resolved,
                &mixed[..1],
                "1 monitors back up",
            ),
        ];
        for (lang, event, items, expected) in rows {
            assert_eq!(digest_headline(lang, event, items), expected);
        }
    }
}
