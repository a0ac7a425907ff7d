//! A field of an OnCalendar expression: `*`, or a list of values, ranges and repetitions.

/// One value, range or repetition of a field: `5`, `1..3`, `0/15`, `0..30/10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    pub(super) start: u32,
    /// Inclusive end of a range (`..`).
    pub(super) end: Option<u32>,
    /// Repetition (`/`): start, start + step, … up to `end` or the field's maximum.
    pub(super) step: Option<u32>,
}

/// A field: None is `*` (every value).
pub(crate) type Field = Option<Vec<Part>>;

/// `*` or a list of values, ranges and repetitions, each within `min..=max`.
pub(super) fn field(name: &str, text: &str, min: u32, max: u32) -> Result<Field, String> {
    if text == "*" {
        return Ok(None);
    }
    let bad = |why: &str| format!("bad {name} {text:?}: {why}");
    let number = |s: &str| -> Result<u32, String> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "expected numbers, ranges (1..5), lists (1,3) or repetitions (0/15)",
            ));
        }
        let v: u32 = s.parse().map_err(|_| bad("not a number"))?;
        // Two-digit years are widened later, so only the other fields check here.
        if name != "year" && !(min..=max).contains(&v) {
            return Err(bad(&format!("{v} is outside {min}..{max}")));
        }
        Ok(v)
    };
    let mut parts = Vec::new();
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(number(s)?)),
            None => (item, None),
        };
        if step == Some(0) {
            return Err(bad("a repetition of 0 never moves"));
        }
        let (start, end) = match range.split_once("..") {
            Some((a, b)) => (number(a)?, Some(number(b)?)),
            None => (number(range)?, None),
        };
        if end.is_some_and(|e| e < start) {
            return Err(bad("a range must go upwards"));
        }
        parts.push(Part { start, end, step });
    }
    Ok(Some(parts))
}

impl Part {
    pub(super) fn within(&self, min: u32, max: u32) -> bool {
        self.start >= min && self.start <= max && self.end.is_none_or(|e| e <= max)
    }

    /// Whether `v` is one of the values, for a field whose values go up to `max`.
    pub(super) fn matches(&self, v: u32, max: u32) -> bool {
        match (self.end, self.step) {
            (end, Some(step)) => {
                v >= self.start && v <= end.unwrap_or(max) && (v - self.start).is_multiple_of(step)
            }
            (Some(end), None) => (self.start..=end).contains(&v),
            (None, None) => v == self.start,
        }
    }

    /// For a day counted from the month's end: `~7/1` is the 7th last day and every day after
    /// it (toward the end), so the repetition runs downward from the start.
    pub(super) fn matches_from_end(&self, r: u32) -> bool {
        match (self.end, self.step) {
            (None, Some(step)) => r <= self.start && (self.start - r).is_multiple_of(step),
            _ => self.matches(r, 31),
        }
    }
}

/// Whether `v` is in the field.
pub(super) fn contains(field: &Field, v: u32, max: u32) -> bool {
    field
        .as_ref()
        .is_none_or(|parts| parts.iter().any(|p| p.matches(v, max)))
}
