//! An acknowledged write survives a crash: the real `dutyduck serve` process under many
//! concurrent writers (pings with a body, heartbeats, new tasks), killed with SIGKILL while they
//! write, restarted on the same data dir. Every write it answered with a 2xx must be there, in a
//! database that passes `PRAGMA integrity_check`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::common;

const TASKS: usize = 8;
/// Concurrent writers of each kind.
const WRITERS: usize = 8;

/// The server process; killed and reaped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dutyduck serve` on a free port; its base URL once it logs that it listens.
fn serve(data_dir: &std::path::Path) -> (Process, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env_remove("DUTYDUCK_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dutyduck serve starts");
    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let process = Process(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the server logs its address");
    (process, base)
}

/// What the server acknowledged before it was killed.
#[derive(Default)]
struct Acknowledged {
    /// Ping bodies: each is the output of a run of its task.
    pings: Vec<(usize, String)>,
    /// Per task, the latest time a heartbeat was sent that the server then acknowledged:
    /// its run's last heartbeat is at least that.
    heartbeats: BTreeMap<usize, i64>,
    /// Tasks created.
    tasks: Vec<String>,
}

fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    i64::try_from(since.expect("after 1970").as_millis()).expect("ms fit")
}

/// Writes of `kind` from writer `w` until the server stops answering, noting each 2xx.
async fn write(
    kind: usize,
    w: usize,
    base: String,
    token: common::Token,
    acks: Arc<Mutex<Acknowledged>>,
) {
    let client = common::client();
    for n in 0.. {
        let task = (w + n) % TASKS;
        let sent_at = now_ms();
        let request = match kind {
            0 => client
                .post(format!("{base}/ping/durability-key-{task}"))
                .body(format!("ping {w}-{n}")),
            1 => client.post(format!("{base}/tasks/beat-{task}/heartbeat")),
            _ => client
                .post(format!("{base}/tasks"))
                .json(&json!({"id": format!("new-{w}-{n}")})),
        };
        let request = request
            .header("x-api-token-id", &token.id)
            .header("x-api-token-secret-key", &token.secret)
            .timeout(Duration::from_secs(5));
        let answered = match request.send().await {
            Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        if !answered {
            return;
        }
        let mut acks = acks.lock().unwrap();
        match kind {
            0 => acks.pings.push((task, format!("ping {w}-{n}"))),
            1 => {
                let latest = acks.heartbeats.entry(task).or_default();
                *latest = (*latest).max(sent_at);
            }
            _ => acks.tasks.push(format!("new-{w}-{n}")),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_writes_survive_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let email = "ada@example.com";
    assert!(
        common::create_user(&data_dir, email, Some("Acme"), None)
            .status
            .success()
    );
    let out = common::cli(
        &data_dir,
        &[
            "token",
            "create",
            "--user",
            email,
            "--label",
            "t",
            "--expires-in",
            "30d",
            "--json",
        ],
        None,
    );
    let token: serde_json::Value = serde_json::from_slice(&out.stdout).expect("token JSON");
    let token = common::Token {
        id: token["id"].as_str().unwrap().into(),
        secret: token["secretKey"].as_str().unwrap().into(),
    };

    let (mut process, base) = serve(&data_dir);
    let client = common::client();
    let auth = |r: reqwest::RequestBuilder| {
        r.header("x-api-token-id", &token.id)
            .header("x-api-token-secret-key", &token.secret)
    };
    for task in 0..TASKS {
        for (id, key) in [("ping", "durability-key"), ("beat", "durability-beat")] {
            let body = json!({"id": format!("{id}-{task}"), "pingKey": format!("{key}-{task}"),
                              "heartbeatTimeoutSeconds": 3600});
            let created = auth(client.post(format!("{base}/tasks")))
                .json(&body)
                .send()
                .await;
            assert_eq!(created.unwrap().status(), 201);
        }
        let started = auth(client.post(format!("{base}/tasks/beat-{task}/start")))
            .send()
            .await;
        assert_eq!(started.unwrap().status(), 201);
    }

    let acks = Arc::new(Mutex::new(Acknowledged::default()));
    let writers: Vec<_> = (0..3)
        .flat_map(|kind| (0..WRITERS).map(move |w| (kind, w)))
        .map(|(kind, w)| tokio::spawn(write(kind, w, base.clone(), token.clone(), acks.clone())))
        .collect();
    // Mid-load: once every kind of write has been acknowledged a few hundred times.
    common::eventually("writes acknowledged", || {
        let a = acks.lock().unwrap();
        let enough = a.pings.len() > 300 && a.heartbeats.len() == TASKS && a.tasks.len() > 100;
        std::future::ready(enough.then_some(()))
    })
    .await;
    process.0.kill().expect("SIGKILL");
    process.0.wait().expect("reaped");
    for w in writers {
        w.await.unwrap();
    }

    // The restarted server recovers the database and serves again.
    let (mut restarted, base) = serve(&data_dir);
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    restarted.0.kill().unwrap();
    restarted.0.wait().unwrap();

    let conn = rusqlite::Connection::open(data_dir.join("dutyduck.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let acks = acks.lock().unwrap();
    let mut missing = Vec::new();
    for (task, body) in &acks.pings {
        let found: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM task_runs WHERE task_id = ?1 AND output = ?2)",
                (format!("ping-{task}"), body),
                |r| r.get(0),
            )
            .unwrap();
        if !found {
            missing.push(format!("ping {body:?} of ping-{task}"));
        }
    }
    for (task, sent_at) in &acks.heartbeats {
        let last: Option<i64> = conn
            .query_row(
                "SELECT MAX(last_heartbeat_at) FROM task_runs WHERE task_id = ?1",
                [format!("beat-{task}")],
                |r| r.get(0),
            )
            .unwrap();
        if last.is_none_or(|last| last < *sent_at) {
            missing.push(format!(
                "heartbeat of beat-{task} sent at {sent_at}, stored {last:?}"
            ));
        }
    }
    for id in &acks.tasks {
        let found: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM tasks WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        if !found {
            missing.push(format!("task {id}"));
        }
    }
    let counted = acks.pings.len() + acks.heartbeats.len() + acks.tasks.len();
    assert!(
        missing.is_empty(),
        "of {counted} acknowledged writes, lost: {missing:?}"
    );
}
