//! The real binary facing ordinary mistakes: each one gets a message naming the thing and the
//! fix, and a non-zero exit code; never a panic, never "internal error".

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::cli;
use dutyduck::accounts::store as accounts;
use dutyduck::store::Create;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a failure with exit code `rc` whose stderr contains every fragment, and no sign of
/// a bug being reported instead of the mistake.
fn assert_refused(out: &Output, rc: i32, fragments: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(rc), "stderr: {err}");
    for fragment in fragments {
        assert!(err.contains(fragment), "{fragment:?} not in: {err}");
    }
    for bug in ["internal error", "server log", "panicked"] {
        assert!(!err.contains(bug), "{bug:?} in: {err}");
    }
}

fn create_user(data_dir: &Path, email: &str, org: Option<&str>) -> Output {
    common::create_user(data_dir, email, org, None)
}

#[test]
fn a_listen_address_in_use_is_named_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = cli(tmp.path(), &["serve", "--listen", &addr], None);
    assert_refused(
        &out,
        1,
        &[&format!(
            "{addr} is already in use: stop the other server or choose another --listen"
        )],
    );
}

#[test]
fn listen_values_without_host_or_port_are_refused_with_the_expected_form() {
    let tmp = tempfile::tempdir().unwrap();
    let expected = "expected HOST:PORT, e.g. 127.0.0.1:8080";
    for (value, problem, hint) in [
        ("8080", "\"8080\" has no host", expected),
        (":8090", "\":8090\" has no host", expected),
        ("127.0.0.1:80x", "\"80x\" is not a port number", expected),
        ("::1:8080", "an IPv6 address goes in brackets", "[::1]:8080"),
    ] {
        let out = cli(tmp.path(), &["serve", "--listen", value], None);
        assert_refused(&out, 2, &[problem, hint]);
    }
    assert!(
        !tmp.path().join("dutyduck.db").exists(),
        "refused before anything starts"
    );
}

#[test]
fn a_raw_retention_shorter_than_the_24_h_chart_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(tmp.path(), &["serve", "--raw-retention", "1h"], None);
    assert_refused(&out, 2, &["\"1h\" is shorter than a day", "e.g. 1d, 7d"]);
    assert!(!tmp.path().join("dutyduck.db").exists());
}

#[test]
fn sizes_of_the_server_out_of_range_are_refused_before_it_starts() {
    let tmp = tempfile::tempdir().unwrap();
    for (flag, value, problem) in [
        ("--worker-threads", "0", "0 is not in 1..=256"),
        ("--readers", "none", "invalid digit"),
        ("--db-cache", "16KiB", "\"16KiB\" is out of range"),
        ("--db-cache", "8", "with a unit (KiB, MiB, GiB)"),
    ] {
        let out = cli(tmp.path(), &["serve", flag, value], None);
        assert_refused(&out, 2, &[flag, problem]);
    }
    assert!(!tmp.path().join("dutyduck.db").exists());
}

#[test]
fn an_unknown_log_level_is_refused_with_the_valid_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(tmp.path(), &["--log-level", "loud", "user", "list"], None);
    assert_refused(&out, 2, &["'loud'", "error, warn, info, debug, trace"]);
}

#[test]
fn a_data_dir_that_is_a_file_is_called_so() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("afile");
    std::fs::write(&file, "not a directory").unwrap();
    for args in [
        &["serve", "--listen", "127.0.0.1:0"][..],
        &["user", "list"],
        &["token", "list"],
        &["backup", "--to", "/tmp/never-written.db"],
    ] {
        let out = cli(&file, args, None);
        assert_refused(&out, 1, &["afile: is not a directory"]);
    }
    let out = cli(
        &file.join("sub"),
        &["serve", "--listen", "127.0.0.1:0"],
        None,
    );
    assert_refused(
        &out,
        1,
        &["cannot create it:", "afile is a file, not a directory"],
    );
}

#[test]
fn a_missing_database_says_not_found_then_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(&tmp.path().join("typo"), &["user", "list"], None);
    assert_refused(
        &out,
        1,
        &["dutyduck.db not found: start `dutyduck serve` or run `dutyduck user create` first"],
    );
}

#[test]
fn a_backup_into_a_missing_folder_names_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        create_user(tmp.path(), "ada@example.com", None)
            .status
            .success()
    );
    let to = tmp.path().join("no-such-folder").join("x.db");
    let out = cli(tmp.path(), &["backup", "--to", to.to_str().unwrap()], None);
    assert_refused(&out, 1, &["no-such-folder does not exist: create it first"]);
}

#[test]
fn token_lifetimes_are_explained_in_terms_of_the_flags() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        create_user(tmp.path(), "ada@example.com", None)
            .status
            .success()
    );
    let create = |lifetime: &str| {
        let flag = format!("--expires-in={lifetime}");
        let spaced = ["--expires-in", lifetime];
        let base = [
            "token",
            "create",
            "--user",
            "ada@example.com",
            "--label",
            "ci",
        ];
        (
            cli(tmp.path(), &[&base[..], &[flag.as_str()]].concat(), None),
            cli(tmp.path(), &[&base[..], &spaced[..]].concat(), None),
        )
    };
    let (joined, spaced) = create("-5d");
    for out in [joined, spaced] {
        assert_refused(&out, 2, &["'-5d'", "must be a positive duration"]);
    }
    let (out, _) = create("2y");
    assert_refused(&out, 1, &["--expires-in must be at most one year ahead"]);
    assert!(!stderr(&out).contains("expiresAt"));
}

/// `n` tokens (or users) written in one transaction: through the CLI each would be a process.
fn insert_many(data_dir: &Path, n: usize) {
    let now = chrono::Utc::now();
    let mut conn = dutyduck::store::open_migrated(data_dir, Create::No).unwrap();
    let tx = conn.transaction().unwrap();
    let (owner, _) = accounts::user_by_email(&tx, "ada@example.com")
        .unwrap()
        .unwrap();
    let (org, _) = accounts::default_membership(&tx, owner.id)
        .unwrap()
        .unwrap();
    for i in 0..n {
        let label = format!("deploy token number {i}");
        let expires = now + chrono::Duration::days(30);
        dutyduck::tokens::store::issue(&tx, org, owner.id, &label, &[], expires, now).unwrap();
        let email = format!("member{i}@example.com");
        let user = accounts::NewUser {
            email: &email,
            first_name: "Grace",
            last_name: "Hopper",
            password_hash: "not-a-real-hash",
        };
        let user = accounts::insert_user(&tx, &user, now).unwrap();
        let role = dutyduck::accounts::roles::Role::Reporter;
        accounts::insert_membership(&tx, org, user.id, role, now).unwrap();
    }
    tx.commit().unwrap();
}

/// `dutyduck … | head -1`: the reader leaves after one line, with far more than a pipe buffer
/// (64 KB) still to come.
#[test]
fn a_closed_pipe_ends_a_long_listing_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        create_user(tmp.path(), "ada@example.com", None)
            .status
            .success()
    );
    insert_many(tmp.path(), 2_000);
    for args in [
        &["token", "list"][..],
        &["token", "list", "--json"],
        &["user", "list"],
        &["user", "list", "--json"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
            .arg("--data-dir")
            .arg(tmp.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?} printed nothing");
        // The reader is gone: the rest of the output meets a closed pipe.
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// Without `--org`: on a fresh install the first user founds "Default"; later ones join the
/// only organization there is (as Reporter, the least privilege) whatever its name, and once
/// there are several the choice is the caller's.
#[test]
fn user_create_without_org_joins_the_only_organization_or_asks() {
    let stdout = |out: &Output| String::from_utf8_lossy(&out.stdout).into_owned();

    let fresh = tempfile::tempdir().unwrap();
    let first = create_user(fresh.path(), "ada@example.com", None);
    assert_eq!(
        stdout(&first).trim(),
        "Created user ada@example.com (Owner of Default)."
    );

    let tmp = tempfile::tempdir().unwrap();
    let founder = create_user(tmp.path(), "ada@example.com", Some("Acme Ops"));
    assert!(founder.status.success(), "{}", stderr(&founder));
    let joined = create_user(tmp.path(), "grace@example.com", None);
    assert_eq!(
        stdout(&joined).trim(),
        "Created user grace@example.com (Reporter of Acme Ops)."
    );

    let other = create_user(tmp.path(), "linus@example.com", Some("Kernel Team"));
    assert!(other.status.success(), "{}", stderr(&other));
    let ambiguous = create_user(tmp.path(), "who@example.com", None);
    assert_refused(
        &ambiguous,
        1,
        &["there are 2 organizations; choose one with --org: \
           acme-ops (\"Acme Ops\"), kernel-team (\"Kernel Team\")"],
    );
    // Said before any password prompt (here: before finding there is no terminal to ask on).
    let args = [
        "user",
        "create",
        "--email",
        "who@example.com",
        "--first-name",
        "W",
        "--last-name",
        "H",
    ];
    assert_refused(&cli(tmp.path(), &args, None), 1, &["choose one with --org"]);
    let listed = stdout(&cli(tmp.path(), &["user", "list"], None));
    assert!(!listed.contains("who@example.com"), "{listed}");
    assert_eq!(listed.matches("  acme-ops  ").count(), 2, "{listed}");
}

/// Every flag of `user create` and `set-password` says what it is; `run` never opens a data dir,
/// so its help does not offer `--data-dir`.
#[test]
fn help_describes_each_flag_and_offers_only_the_ones_that_apply() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The flag's line carries its description (clap aligns the columns, so spacing varies).
    let described = |help: &str, flag: &str, words: &str| {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap_or("");
        assert!(line.contains(words), "{flag}: {words:?} not in: {help}");
    };
    let create = help(&["user", "create"]);
    described(&create, "--email <EMAIL>", "E-mail address");
    described(&create, "--first-name <FIRST_NAME>", "First name");
    described(&create, "--last-name <LAST_NAME>", "Last name");
    let set_password = help(&["user", "set-password"]);
    described(
        &set_password,
        "--email <EMAIL>",
        "E-mail address of the user",
    );
    assert!(!help(&["run"]).contains("--data-dir"));
    assert!(help(&["user", "list"]).contains("--data-dir"));
}

#[test]
fn a_sender_that_is_not_an_address_is_named_with_the_expected_form() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--smtp-url",
        "smtp://127.0.0.1:25",
        "--smtp-from",
        "not an address",
    ];
    let out = cli(tmp.path(), &args, None);
    assert_refused(
        &out,
        1,
        &[
            "--smtp-from \"not an address\" is not a sender address",
            "alerts@example.com",
        ],
    );
}
