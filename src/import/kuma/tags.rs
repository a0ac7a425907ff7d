//! A Kuma monitor's tags as dutyduck metadata, with the group it sits in as `group=<name>`.

use std::collections::BTreeMap;

use super::model::{Kuma, Monitor};

/// Tags as metadata, and the group a monitor sits in as `group=<name>`.
pub fn of(kuma: &Kuma, m: &Monitor, notes: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for t in kuma.tags.iter().filter(|t| t.monitor == m.id) {
        match out.get_mut(&t.tag) {
            Some(v) => {
                notes.push(format!(
                    "tag {} has two values: kept as {:?}",
                    t.tag,
                    format!("{v},{}", t.value)
                ));
                v.push(',');
                v.push_str(&t.value);
            }
            None => {
                out.insert(t.tag.clone(), t.value.clone());
            }
        }
    }
    let group = m
        .parent
        .and_then(|p| kuma.monitors.iter().find(|g| g.id == p));
    if let Some(g) = group {
        if out.contains_key("group") {
            notes.push(format!(
                "its tag \"group\" is kept; its group {:?} is not",
                g.name
            ));
        } else {
            out.insert("group".into(), g.name.clone());
        }
    }
    out
}
