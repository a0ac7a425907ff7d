//! The server and three probes as separate processes on the real clock, each probe in its own
//! network namespace, one HTTP target that the test makes unreachable from some of them: the
//! quorum decides; a probe's token reads nothing else; assignments change live (seen at the
//! target); the server down, probes buffer and send on its return; a killed probe stops
//! counting. Monitors check every 5 s (the shortest interval), and each step waits for its
//! event with a deadline.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::cluster::{Api, Target, add_probe, listening, until};
use super::netns::Net;
use super::process::{Process, buffered, serve};
use crate::common::{self, Token};

#[tokio::test]
async fn probes_in_three_networks_decide_by_quorum() {
    let net = match Net::new(3) {
        Ok(net) => net,
        Err(why) => {
            eprintln!("remote probes end to end skipped: no network namespace here ({why})");
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let user = common::create_user(&data, "ada@example.com", Some("Acme"), None);
    assert!(
        user.status.success(),
        "{}",
        String::from_utf8_lossy(&user.stderr)
    );
    let token = common::cli(
        &data,
        &[
            "token",
            "create",
            "--user",
            "ada@example.com",
            "--label",
            "e2e",
            "--expires-in",
            "1d",
            "--json",
        ],
        None,
    );
    let token: Value = serde_json::from_slice(&token.stdout).unwrap();
    let token = Token {
        id: token["id"].as_str().unwrap().into(),
        secret: token["secretKey"].as_str().unwrap().into(),
    };
    let regions = ["a", "b", "c"];
    let tokens: Vec<String> = regions
        .iter()
        .map(|r| add_probe(&data, &format!("probe-{r}"), r))
        .collect();

    let mut server = serve(&data, "0.0.0.0:0");
    let port = listening(&server).await.port();
    let api = Api {
        base: format!("http://127.0.0.1:{port}"),
        token,
        client: common::client(),
    };
    let target = Target::start(net.target).await;
    let buffers: Vec<_> = regions
        .iter()
        .map(|r| tmp.path().join(format!("buffer-{r}")))
        .collect();
    let mut probes: Vec<Process> = (0..3)
        .map(|n| {
            let ns = &net.namespaces[n];
            let url = format!("http://{}:{port}", ns.host);
            Process::probe(&url, &tokens[n], &buffers[n], Some(&ns.name))
        })
        .collect();

    let body = json!({
        "name": "Shop", "url": target.url, "intervalSeconds": 5, "requestTimeoutMs": 1000,
        "locations": ["region=a", "region=b", "region=c"], "quorum": 2,
    });
    let (status, created) = api.send(Method::POST, "/monitors", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    for p in &probes {
        p.wait_log("1 monitors assigned").await;
    }
    until("the monitor up from three locations", 20, || async {
        let m = api.monitor(&id).await;
        (m["status"] == "up").then_some(())
    })
    .await;

    // Seen by the server, with the clock skew it measured (the same machine: well under 1 s).
    for r in regions {
        let p = api.probe(&format!("probe-{r}")).await;
        assert_eq!(p["status"], "up", "{p}");
        assert!(
            p["clockSkewMs"].as_i64().is_some_and(|ms| ms.abs() < 1000),
            "{p}"
        );
    }

    // A probe's token is no credential for the API.
    let probe_read = api
        .client
        .get(format!("{}/monitors", api.base))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap();
    assert_eq!(probe_read.status(), StatusCode::UNAUTHORIZED);

    // Unreachable from a only: 1 of 3 failing, the quorum of 2 keeps the monitor up.
    net.reach_target(0, false);
    let failed_due = until("probe-a's failure", 15, || async {
        let l = api.location(&id, "probe-a").await;
        (l["status"] == "down").then(|| common::at(l["lastDue"].as_str().unwrap()))
    })
    .await;
    let check = until("that slot decided", 15, || async {
        let checks = api.get(&format!("/monitors/{id}/checks")).await;
        let newest = checks["items"][0].clone();
        (common::at(newest["checkedAt"].as_str()?) > failed_due).then_some(newest)
    })
    .await;
    assert_eq!(
        check["ok"], true,
        "one failing location of three is not an outage: {check}"
    );
    let m = api.monitor(&id).await;
    assert_ne!(m["status"], "down", "{m}");

    // Unreachable from b too: 2 of 3, down.
    net.reach_target(1, false);
    until("the monitor down", 20, || async {
        (api.monitor(&id).await["status"] == "down").then_some(())
    })
    .await;
    net.reach_target(0, true);
    net.reach_target(1, true);

    // Assignments change live: c is no longer a location, then again.
    let path = format!("/monitors/{id}");
    let patch = |locations: Value| {
        api.send(
            Method::PATCH,
            &path,
            Some(json!({ "locations": locations })),
        )
    };
    let (status, body) = patch(json!(["region=a", "region=b"])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    probes[2]
        .wait_log("assignments changed: 0 monitors assigned")
        .await;
    let (hosts, c_before) = (&net.namespaces, target.hits_from(net.namespaces[2].host));
    let a_before = target.hits_from(hosts[0].host);
    until("two more checks from a", 15, || async {
        (target.hits_from(hosts[0].host) >= a_before + 2).then_some(())
    })
    .await;
    assert!(
        target.hits_from(hosts[2].host) <= c_before + 1,
        "c stopped checking (one may have been under way)"
    );
    patch(json!(["region=a", "region=b", "region=c"])).await;
    let c_now = target.hits_from(hosts[2].host);
    until("c checking again", 15, || async {
        (target.hits_from(hosts[2].host) > c_now).then_some(())
    })
    .await;

    // The server down: probes buffer; back: they send what they kept, oldest first.
    let checks_before = api.location(&id, "probe-a").await["checks24h"]
        .as_u64()
        .unwrap();
    assert_eq!(server.stop().await, Some(0), "{}", server.log());
    until("results buffered by a", 15, || async {
        (buffered(&buffers[0]) >= 1).then_some(())
    })
    .await;
    let kept = buffered(&buffers[0]);
    server = serve(&data, &format!("0.0.0.0:{port}"));
    listening(&server).await;
    probes[0].wait_log("sent the").await;
    let a = api.location(&id, "probe-a").await;
    assert!(
        a["checks24h"].as_u64().unwrap() >= checks_before + kept as u64,
        "{a}"
    );

    // A probe killed: its last-seen time stops, its monitors are decided on the others.
    probes[2].kill().await;
    let seen = api.probe("probe-c").await["lastSeenAt"].clone();
    until("c stale", 25, || async {
        (api.location(&id, "probe-c").await["status"] == "stale").then_some(())
    })
    .await;
    assert_eq!(api.probe("probe-c").await["lastSeenAt"], seen);
    let view = api.get(&format!("/monitors/{id}/locations")).await;
    assert_eq!(view["reporting"], 2, "{view}");
    assert_eq!(api.monitor(&id).await["status"], "up");

    for p in &mut probes[..2] {
        assert_eq!(p.stop().await, Some(0), "{}", p.log());
    }
    server.stop().await;
}
