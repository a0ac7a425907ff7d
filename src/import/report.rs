//! What an import says it did: each thing it brought, each thing it brought only approximately
//! (what and how), each thing it left behind and why. Nothing is dropped without a line here,
//! so a reader of the report knows what to check by hand.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// What kind of thing a line is about, counted apart in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Entity {
    Monitor,
    Task,
    Channel,
    MaintenanceWindow,
    StatusPage,
    Tag,
    History,
    /// Something of the source that is not one entity (a setting, a pinned incident).
    Other,
}

impl Entity {
    fn word(self) -> &'static str {
        match self {
            Entity::Monitor => "monitor",
            Entity::Task => "task",
            Entity::Channel => "channel",
            Entity::MaintenanceWindow => "maintenance window",
            Entity::StatusPage => "status page",
            Entity::Tag => "tag",
            Entity::History => "history",
            Entity::Other => "other",
        }
    }
}

/// One line: which thing (`entity`, its name in the source) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub entity: Entity,
    pub name: String,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub imported: Vec<Line>,
    /// Brought, but not exactly as it was: what changed and how.
    pub approximated: Vec<Line>,
    /// Left behind, with the reason.
    pub skipped: Vec<Line>,
}

impl Report {
    pub fn imported(&mut self, entity: Entity, name: &str, note: impl Into<String>) {
        self.imported.push(line(entity, name, note));
    }

    pub fn approximated(&mut self, entity: Entity, name: &str, note: impl Into<String>) {
        self.approximated.push(line(entity, name, note));
    }

    pub fn skipped(&mut self, entity: Entity, name: &str, note: impl Into<String>) {
        self.skipped.push(line(entity, name, note));
    }

    /// How many lines of `entity` each list holds: (imported, approximated, skipped).
    pub fn counts(&self, entity: Entity) -> (usize, usize, usize) {
        let count = |lines: &[Line]| lines.iter().filter(|l| l.entity == entity).count();
        (
            count(&self.imported),
            count(&self.approximated),
            count(&self.skipped),
        )
    }
}

fn line(entity: Entity, name: &str, note: impl Into<String>) -> Line {
    Line {
        entity,
        name: name.to_owned(),
        note: note.into(),
    }
}

/// The summary first ("monitors: 14 imported, 3 skipped"), then each list under its heading.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entities: BTreeMap<Entity, (usize, usize, usize)> = BTreeMap::new();
        for l in self
            .imported
            .iter()
            .chain(&self.approximated)
            .chain(&self.skipped)
        {
            entities.insert(l.entity, self.counts(l.entity));
        }
        writeln!(f, "Summary:")?;
        for (entity, (imported, approximated, skipped)) in &entities {
            writeln!(
                f,
                "  {}: {imported} imported, {approximated} mapped approximately, {skipped} skipped",
                entity.word()
            )?;
        }
        for (title, lines) in [
            ("Imported", &self.imported),
            ("Mapped approximately", &self.approximated),
            ("Skipped", &self.skipped),
        ] {
            writeln!(f, "{title} ({}):", lines.len())?;
            for l in lines {
                writeln!(f, "  {} {:?}: {}", l.entity.word(), l.name, l.note)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_each_entity_and_every_line_is_printed() {
        let mut r = Report::default();
        r.imported(Entity::Monitor, "API", "http");
        r.imported(Entity::Monitor, "DB", "tcp");
        r.approximated(Entity::Monitor, "API", "retry interval dropped");
        r.skipped(Entity::Channel, "Line", "dutyduck has no LINE channel");
        assert_eq!(r.counts(Entity::Monitor), (2, 1, 0));
        let text = r.to_string();
        assert!(text.contains("monitor: 2 imported, 1 mapped approximately, 0 skipped"));
        assert!(text.contains("channel: 0 imported, 0 mapped approximately, 1 skipped"));
        assert!(text.contains("Skipped (1):\n  channel \"Line\": dutyduck has no LINE channel"));
    }
}
