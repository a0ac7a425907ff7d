//! A server on a manual clock, a local target, and probes whose results reach the server
//! through `monitors::locations::record_remote` on a connection to the server's database (the
//! probes' own routes are not what these tests are about).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use dutyduck::clock::Clock;
use dutyduck::ids::OrgId;
use dutyduck::monitors::locations::{assigned, record_remote};
use dutyduck::monitors::model::ErrorKind;
use dutyduck::monitors::remote::{ProbeLocation, Recorded, RemoteOutcome, RemoteResult};
use serde_json::Value;

use crate::common::{TestServer, Token, eventually};
use crate::monitors::monitor;

pub struct Fleet {
    pub server: TestServer,
    pub token: Token,
    conn: rusqlite::Connection,
}

/// A probe of `org` (None: instance-wide) labelled `region=<region>`, named after it.
pub fn probe(org: Option<OrgId>, region: &str) -> ProbeLocation {
    ProbeLocation {
        id: format!("probe-{region}"),
        name: region.to_owned(),
        organization_id: org,
        labels: BTreeMap::from([("region".to_owned(), region.to_owned())]),
    }
}

impl Fleet {
    pub async fn start() -> Fleet {
        let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
        let token = server.user_with_token("ada@example.com", "Acme");
        let conn = rusqlite::Connection::open(dutyduck::store::db_path(&server.data_dir)).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        Fleet {
            server,
            token,
            conn,
        }
    }

    /// Creates a monitor (checked every minute, timeout 2 s); returns its id.
    pub async fn create(&self, mut body: Value) -> String {
        body["intervalSeconds"] = 60.into();
        body["requestTimeoutMs"] = 2000.into();
        let created = self.server.as_(&self.token).create("/monitors", body).await;
        created["id"].as_str().unwrap().to_owned()
    }

    pub async fn org(&self, id: &str) -> OrgId {
        let m = monitor(&self.server, &self.token, id).await;
        m["monitor"]["organizationId"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The monitor (`monitor` of `GET /monitors/{id}`).
    pub async fn get(&self, id: &str) -> Value {
        monitor(&self.server, &self.token, id).await["monitor"].clone()
    }

    pub async fn due(&self, id: &str) -> DateTime<Utc> {
        crate::common::at(self.get(id).await["nextCheckAt"].as_str().unwrap())
    }

    /// `probe` reports a check of `id` for the slot `due`, passed or failed, arriving at `now`.
    pub fn report(
        &self,
        probe: &ProbeLocation,
        id: &str,
        due: DateTime<Utc>,
        ok: bool,
        now: DateTime<Utc>,
    ) -> Recorded {
        let outcome = RemoteOutcome {
            error_kind: if ok {
                ErrorKind::None
            } else {
                ErrorKind::Timeout
            },
            http_code: ok.then_some(200),
            response_time_ms: 40,
            answered: ok,
            error: (!ok).then(|| "timed out after 2000 ms".to_owned()),
            tls_expires_at: None,
            details: None,
        };
        let result = RemoteResult {
            monitor_id: id.parse().unwrap(),
            due,
            checked_at: due + Duration::milliseconds(500),
            outcome,
        };
        self.send(probe, result, now)
    }

    /// `probe` sends `result`, arriving at `now`.
    pub fn send(
        &self,
        probe: &ProbeLocation,
        result: RemoteResult,
        now: DateTime<Utc>,
    ) -> Recorded {
        let tx = self.conn.unchecked_transaction().unwrap();
        let recorded = record_remote(&tx, probe, &[result], now).unwrap();
        tx.commit().unwrap();
        recorded
    }

    /// The ids `probe` is told to check.
    pub fn assigned(&self, probe: &ProbeLocation) -> Vec<String> {
        assigned(&self.conn, probe)
            .unwrap()
            .into_iter()
            .map(|a| a.id.to_string())
            .collect()
    }

    /// One slot of `id`: each probe of `reports` sends its result a second after the slot,
    /// then time passes to the slot's timeout (2 s) and the aggregation slack (3 s), when the
    /// server decides it. Returns the monitor once the slot is decided (recorded or skipped).
    pub async fn slot(&self, id: &str, reports: &[(&ProbeLocation, bool)]) -> Value {
        let due = self.due(id).await;
        for (probe, ok) in reports {
            let recorded = self.report(probe, id, due, *ok, due + Duration::seconds(1));
            assert_eq!(recorded.accepted, 1, "{recorded:?}");
        }
        self.server.clock.set(due + Duration::seconds(5));
        eventually("the slot decided", || async {
            let m = self.get(id).await;
            (crate::common::at(m["nextCheckAt"].as_str()?) > due).then_some(m)
        })
        .await
    }

    /// `GET /monitors/{id}/locations`.
    pub async fn locations(&self, id: &str) -> Value {
        let path = format!("/monitors/{id}/locations");
        self.server.as_(&self.token).get_ok(&path).await
    }
}

/// A location of `GET /monitors/{id}/locations` by its name or selector.
pub fn location<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name || l["selector"] == name)
        .unwrap_or_else(|| panic!("no location {name} in {view}"))
}

/// An HTTP target that counts the connections it gets and answers 200 to each.
pub struct Counting {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
}

impl Counting {
    pub async fn start() -> Counting {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/health", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            }
        });
        Counting { url, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}
