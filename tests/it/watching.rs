//! The server never silently stops watching: a check whose result cannot be written (another
//! process holds the database past the busy timeout) is checked again, `/healthz` says what is
//! wrong while it lasts, and an instance incident tells every organization afterwards.

use crate::common;

use std::future::Future;
use std::time::{Duration, Instant};

use crate::common::target::Target;
use crate::common::{TestServer, Token};
use chrono::Utc;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Polls `probe` for up to 30 s: longer than `common::eventually`, because each write attempt
/// against a locked database waits out the 5 s busy timeout.
async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn health(server: &TestServer) -> (StatusCode, Vec<String>) {
    let (status, body) = server.anonymous().get("/healthz").await;
    let codes = body["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems list in {body}"))
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    (status, codes)
}

async fn last_check(server: &TestServer, token: &Token, id: &str) -> Value {
    let (_, body) = server.as_(token).get(&format!("/monitors/{id}")).await;
    body["monitor"]["lastCheckAt"].clone()
}

/// A monitor of `target`, every minute, checked once: its id.
async fn checked_monitor(server: &TestServer, token: &Token, target: &Target) -> String {
    let (status, created) = server
        .as_(token)
        .post(
            "/monitors",
            json!({"name": "api", "url": target.url(), "intervalSeconds": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    server.clock.advance(chrono::Duration::seconds(5));
    wait_for("the first check", || async {
        (!last_check(server, token, &id).await.is_null()).then_some(())
    })
    .await;
    id
}

/// Moves the clock by `seconds` and waits until the watchdog has looked at the server again.
async fn watchdog_looks(server: &TestServer, seconds: i64) {
    let before = server.metric("dutyduck_watchdog_looks_total").await;
    server.clock.advance(chrono::Duration::seconds(seconds));
    wait_for("the watchdog to look", || async {
        (server.metric("dutyduck_watchdog_looks_total").await > before).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_monitor_keeps_being_checked_after_its_result_could_not_be_written() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let target = Target::start().await;
    let id = checked_monitor(&server, &token, &target).await;
    assert_eq!(health(&server).await, (StatusCode::OK, vec![]));

    // Another process (a backup, a sqlite3 shell) holds the write lock past the busy timeout.
    let lock = rusqlite::Connection::open(dutyduck::store::db_path(&server.data_dir)).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let checked = last_check(&server, &token, &id).await;
    server.clock.advance(chrono::Duration::seconds(60));
    wait_for("a check result that cannot be recorded", || async {
        (server.metric("dutyduck_check_record_failures_total").await >= 1.0).then_some(())
    })
    .await;
    let (status, problems) = health(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        problems.contains(&"store_failing".to_owned())
            && problems.contains(&"checks_not_recorded".to_owned()),
        "{problems:?}"
    );
    assert_eq!(server.metric("dutyduck_healthy").await, 0.0);

    // The watchdog notices, and the problem outlasts the incident threshold (30 s) while
    // nothing can be written.
    watchdog_looks(&server, 5).await;
    watchdog_looks(&server, 30).await;
    assert_eq!(
        last_check(&server, &token, &id).await,
        checked,
        "nothing was stored"
    );

    // The lock is released: the monitor is checked again at its next retry, without any edit.
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    server.clock.advance(chrono::Duration::seconds(60));
    wait_for("the monitor to be checked again", || async {
        (last_check(&server, &token, &id).await != checked).then_some(())
    })
    .await;
    wait_for("/healthz to answer 200 again", || async {
        (health(&server).await == (StatusCode::OK, vec![])).then_some(())
    })
    .await;

    // Once the database stores changes again, the episode is written down and closed.
    watchdog_looks(&server, 5).await;
    let (status, list) = server.as_(&token).get("/incidents?status=resolved").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let instance: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["title"] == "dutyduck is not keeping watch")
        .collect();
    assert_eq!(instance.len(), 1, "one instance incident: {list}");
    let description = instance[0]["cause"]["description"].as_str().unwrap();
    assert!(
        description.contains("the database refuses writes")
            && description.contains("could not be recorded"),
        "{description}"
    );
    assert_eq!(server.metric("dutyduck_instance_incident_open").await, 0.0);
}

/// A small filesystem of its own for the data dir (tmpfs: the tests run as root, as CI does),
/// unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "this test mounts a small tmpfs to fill it up: run the tests as root"
        );
        SmallDisk { dir }
    }

    /// Fills the filesystem with a file until writing fails for lack of space.
    fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.dir.path().join("filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        loop {
            if let Err(e) = filler.write_all(&block).and_then(|_| filler.sync_all()) {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC, got {e}");
                // Bytes may stay free below a block: fill them one by one.
                while filler
                    .write_all(&[0])
                    .and_then(|_| filler.sync_all())
                    .is_ok()
                {}
                return;
            }
        }
    }

    fn free(&self) {
        std::fs::remove_file(self.dir.path().join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_507_storage_full_and_logging_in_checking_and_restarting_go_on() {
    let disk = SmallDisk::mount(8);
    let clock = Clock::manual(Utc::now());
    let mut server = TestServer::start_in(disk.dir.path().join("data"), clock).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let target = Target::start().await;
    let id = checked_monitor(&server, &token, &target).await;

    disk.fill();
    // A write says what is wrong, in the JSON error body.
    let (status, body) = server
        .as_(&token)
        .post(
            "/incidents",
            json!({"title": "Payments degraded", "description": "x".repeat(9_000)}),
        )
        .await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert_eq!(common::code(&body), "storage_full");
    let (status, problems) = health(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        problems.contains(&"storage_full".to_owned()),
        "{problems:?}"
    );

    // Logging in still works, and so does the session it opens.
    let cookie = server.session_cookie("ada@example.com").await;
    let (me, _) = server.session(&cookie).get("/users/me").await;
    assert_eq!(me, StatusCode::OK);

    // Checks that cannot be recorded are retried; once space is freed they are recorded again.
    let checked = last_check(&server, &token, &id).await;
    server.clock.advance(chrono::Duration::seconds(60));
    wait_for("a check result that cannot be recorded", || async {
        (server.metric("dutyduck_check_record_failures_total").await >= 1.0).then_some(())
    })
    .await;
    // A restart while the disk is still full loads the schedule anyway (loading writes nothing).
    server.restart().await;
    server.clock.advance(chrono::Duration::seconds(60));
    wait_for(
        "a check after the restart that cannot be recorded",
        || async {
            (server.metric("dutyduck_check_record_failures_total").await >= 1.0).then_some(())
        },
    )
    .await;
    disk.free();
    server.clock.advance(chrono::Duration::seconds(60));
    wait_for("the monitor to be checked again", || async {
        (last_check(&server, &token, &id).await != checked).then_some(())
    })
    .await;
    watchdog_looks(&server, 5).await;
    assert_eq!(health(&server).await, (StatusCode::OK, vec![]));
}
