//! The architecture's promises that the compiler does not check, checked on the source itself:
//! each table is written and read by the feature that owns it (others ask through its
//! functions), and every route can be found by grepping its literal path. The one-way
//! dependencies between sources, incidents and notify are checked next to their wiring
//! (`app::tests::features_depend_one_way`).

use std::path::{Path, PathBuf};

/// Which feature (folder of `src/`) owns which tables.
const OWNERS: &[(&str, &[&str])] = &[
    (
        "accounts",
        &[
            "users",
            "organizations",
            "memberships",
            "sessions",
            "invitations",
            "password_resets",
        ],
    ),
    ("tokens", &["api_tokens"]),
    // With each location's latest result and every location's results (`monitors::locations`).
    (
        "monitors",
        &[
            "monitors",
            "monitor_keys",
            "checks",
            "check_results",
            "check_rollups",
            "upstreams",
            "monitor_locations",
            "location_results",
        ],
    ),
    (
        "tasks",
        &["tasks", "task_runs", "task_logs", "task_ping_keys"],
    ),
    (
        "incidents",
        &["incidents", "incident_events", "incident_acknowledgements"],
    ),
    (
        "notify",
        &[
            "notification_channels",
            "notification_outbox",
            "notification_attempts",
            "renotifications",
            "notification_settings",
            "notification_holds",
            "escalation_policies",
            "escalation_choices",
            "escalation_state",
            "notification_preferences",
            "push_subscriptions",
        ],
    ),
    ("health", &["instance_probe"]),
    ("badges", &["badge_keys"]),
    ("silences", &["silences"]),
    ("maintenance", &["maintenance_windows"]),
    ("audit", &["audit_log"]),
    ("probes", &["probes"]),
    (
        "two_factor",
        &[
            "two_factor",
            "two_factor_recovery_codes",
            "two_factor_challenges",
            "two_factor_policies",
        ],
    ),
    (
        "status_pages",
        &[
            "status_pages",
            "status_page_share_links",
            "status_page_announcements",
            "status_page_announcement_updates",
        ],
    ),
];

/// Reads across features that are accepted, and why: people and organizations are joined where
/// they are shown or act (a token's user and role, an incident's author, a notification's
/// organization and its members' addresses), a view of accounts that accounts' own functions
/// would only repeat.
const ACCEPTED_READS: &[(&str, &str)] = &[
    ("tokens", "users"),
    ("tokens", "memberships"),
    ("incidents", "users"),
    ("notify", "users"),
    ("notify", "organizations"),
    ("notify", "memberships"),
    ("silences", "users"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sub-folders included.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The feature a file belongs to: its first folder under `src/` (None for top-level files).
fn feature_of(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src()).unwrap();
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_str()?.to_owned();
    parts.next().map(|_| first)
}

/// Whether `line` uses `table` right after one of the SQL words that name a table.
fn names_table(line: &str, table: &str) -> Option<&'static str> {
    let lower = line.to_ascii_lowercase();
    for verb in [
        "update ",
        "insert into ",
        "insert or ignore into ",
        "delete from ",
        "from ",
        "join ",
    ] {
        let needle = format!("{verb}{table}");
        for (at, _) in lower.match_indices(&needle) {
            let before = lower[..at].chars().last();
            let after = lower[at + needle.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !word(before) && !word(after) {
                return Some(verb.trim());
            }
        }
    }
    None
}

#[test]
fn each_table_is_queried_by_its_owner_only() {
    let mut found = Vec::new();
    for file in rust_files(&src()) {
        let Some(feature) = feature_of(&file) else {
            continue;
        };
        // The store is the plumbing every query goes through; the CLI runs the owners' queries.
        if feature == "store" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests (at the end of a file) set up the world they test, tables of others included.
        let code_lines = text.lines().take_while(|l| l.trim() != "#[cfg(test)]");
        for (n, line) in code_lines.enumerate() {
            let code = line.split("//").next().unwrap();
            for (owner, tables) in OWNERS {
                if *owner == feature {
                    continue;
                }
                for table in *tables {
                    let Some(verb) = names_table(code, table) else {
                        continue;
                    };
                    let read = matches!(verb, "from" | "join");
                    if read && ACCEPTED_READS.contains(&(feature.as_str(), *table)) {
                        continue;
                    }
                    found.push(format!(
                        "{}:{}: {feature} {} {owner}'s table {table}: {}",
                        file.strip_prefix(src()).unwrap().display(),
                        n + 1,
                        if read { "reads" } else { "writes" },
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_finds_a_query_across_features() {
    assert_eq!(
        names_table("\"UPDATE monitors SET a = 1\"", "monitors"),
        Some("update")
    );
    assert_eq!(
        names_table("SELECT name FROM tasks WHERE", "tasks"),
        Some("from")
    );
    assert_eq!(names_table("SELECT 1 FROM task_runs", "tasks"), None);
    assert_eq!(names_table("LEFT JOIN users u ON", "users"), Some("join"));
    assert_eq!(names_table("removed from monitors_list", "monitors"), None);
}

/// `grep '"/monitors/{id}/stats"' src` finds where a route is declared: every path of the route
/// table is written out literally in the source.
#[test]
fn every_route_is_written_literally() {
    let source: String = rust_files(&src())
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let missing: Vec<String> = dutyduck::routes::all()
        .iter()
        .map(|r| r.path.to_string())
        .filter(|path| !source.contains(&format!("\"{path}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "not found literally in src: {missing:?}"
    );
}

/// The crate denies `unsafe`; the one exception is the advice that gives the executable's
/// start-up pages back to the kernel (`madvise` takes a raw range). Any other `unsafe` is a
/// review's business, not a lint's override.
#[test]
fn unsafe_code_is_allowed_in_one_place_only() {
    let allowed = src().join("startup_pages.rs");
    let offenders: Vec<String> = rust_files(&src())
        .into_iter()
        .filter(|f| *f != allowed)
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("allow(unsafe_code)") || text.contains("unsafe {")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "unsafe outside startup_pages.rs: {offenders:?}"
    );
    let text = std::fs::read_to_string(&allowed).unwrap();
    assert_eq!(text.matches("unsafe {").count(), 1, "one unsafe block");
}
