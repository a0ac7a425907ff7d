//! Where each value of a parsed document was: its line, by its path in the document
//! (`monitors[3].intervalSeconds`), so an error found later by a feature's validation names
//! the line the user must edit.

use std::collections::BTreeMap;

use crate::error::Error;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lines(BTreeMap<String, usize>);

impl Lines {
    pub fn insert(&mut self, path: String, line: usize) {
        self.0.entry(path).or_insert(line);
    }

    /// The line of `path`, or of the nearest enclosing value that has one (a missing field is
    /// reported at its object).
    pub fn of(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.0.get(path) {
                return Some(*line);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    /// `error`, from a feature's validation of the entry at `entry` (`monitors[3]`), with its
    /// field made a path of the document and its message starting with the line.
    pub fn locate(&self, entry: &str, error: Error) -> Error {
        let (field, problem) = match &error.field {
            Some(field) => {
                let problem = error
                    .message
                    .strip_prefix(&format!("{field}: "))
                    .unwrap_or(&error.message);
                (join(entry, field), problem.to_owned())
            }
            None => (entry.to_owned(), error.message.clone()),
        };
        self.at(&field, error, &problem)
    }

    /// `error` reworded as `line N: path: problem`, naming `path` as its field.
    pub fn at(&self, path: &str, error: Error, problem: &str) -> Error {
        let message = match self.of(path) {
            Some(line) => format!("line {line}: {path}: {problem}"),
            None => format!("{path}: {problem}"),
        };
        Error { message, ..error }.in_field(path)
    }
}

/// `monitors[3]` and `intervalSeconds` → `monitors[3].intervalSeconds`; `[0]` joins without a
/// dot.
pub fn join(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.starts_with('[')) {
        (true, _) => child.to_owned(),
        (false, true) => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_takes_the_line_of_its_parent() {
        let mut lines = Lines::default();
        lines.insert("monitors".into(), 2);
        lines.insert("monitors[1]".into(), 7);
        lines.insert("monitors[1].url".into(), 8);
        assert_eq!(lines.of("monitors[1].url"), Some(8));
        assert_eq!(lines.of("monitors[1].intervalSeconds"), Some(7));
        assert_eq!(lines.of("monitors[4].x"), Some(2));
        assert_eq!(lines.of("tasks[0]"), None);
    }

    #[test]
    fn a_feature_error_is_named_by_its_path_and_line() {
        let mut lines = Lines::default();
        lines.insert("monitors[3].intervalSeconds".into(), 42);
        let error = Error::invalid_field("intervalSeconds", "must be between 5 and 86400");
        let located = lines.locate("monitors[3]", error);
        assert_eq!(
            located.message,
            "line 42: monitors[3].intervalSeconds: must be between 5 and 86400"
        );
        assert_eq!(
            located.field.as_deref(),
            Some("monitors[3].intervalSeconds")
        );
    }
}
