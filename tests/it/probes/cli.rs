//! `dutyduck probes`: instance-wide probes (no `--org`), listed read-only to every
//! organization; probes of one organization; tokens and removal seen by the running server at
//! its next request.

use super::poll;
use crate::common::TestServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn out(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The id and token a `probes add` or `probes token` printed.
fn printed(stdout: &str) -> (Option<String>, String) {
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_owned()))
    };
    (field("id:"), field("token:").expect("a token is printed"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_wide_probe_is_seen_by_every_organization_and_changed_only_by_the_cli() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let bob = server.user_with_token("bob@example.com", "Beta");

    let stdout = out(&server.cli(&[
        "probes",
        "add",
        "--name",
        "shared",
        "--label",
        "region=eu-west",
        "--label",
        "tier=Gold",
        "--server",
        "https://dd.example.com",
    ]));
    let (id, token) = printed(&stdout);
    let id = id.unwrap();
    assert!(stdout.contains("instance-wide"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "DUTYDUCK_PROBE_TOKEN={token} dutyduck probe --server https://dd.example.com"
        )),
        "{stdout}"
    );

    for caller in [&ada, &bob] {
        let list = server.as_(caller).get_ok("/probes").await;
        let probe = &list["probes"][0];
        assert_eq!(probe["id"], id.as_str());
        assert_eq!(probe["organizationId"], Value::Null);
        assert_eq!(
            probe["labels"],
            json!({"region": "eu-west", "tier": "Gold"})
        );
        let path = format!("/probes/{id}");
        for (status, body) in [
            server
                .as_(caller)
                .patch(&path, json!({"name": "mine"}))
                .await,
            server.as_(caller).delete(&path).await,
            server
                .as_(caller)
                .post_empty(&format!("{path}/token"))
                .await,
        ] {
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains("dutyduck probes"), "{message}");
        }
    }
    assert_eq!(poll(&server, &token, None).await.0, StatusCode::OK);

    let listed = out(&server.cli(&["probes", "list"]));
    assert!(
        listed.contains(&id) && listed.contains("(instance-wide)") && listed.contains("up"),
        "{listed}"
    );
    assert!(!listed.contains(&token[token.len() - 64..]));

    // A new token: the old one is refused at the server's next request.
    let (_, new) = printed(&out(&server.cli(&["probes", "token", &id])));
    assert_eq!(
        poll(&server, &token, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(poll(&server, &new, None).await.0, StatusCode::OK);

    out(&server.cli(&["probes", "remove", &id]));
    assert_eq!(poll(&server, &new, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        server.as_(&ada).get_ok("/probes").await["probes"],
        json!([])
    );
    let again = server.cli(&["probes", "remove", &id]);
    assert!(!again.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_of_one_organization_from_the_cli_and_bad_arguments() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let bob = server.user_with_token("bob@example.com", "Beta");
    let org = server.as_(&ada).get_ok("/users/me").await["active_organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stdout = out(&server.cli(&["probes", "add", "--name", "acme-eu", "--org", &org]));
    // Without --server, no made-up address that looks runnable.
    assert!(
        stdout.contains("<this server's URL>") && !stdout.contains("example.com"),
        "{stdout}"
    );
    let (id, _) = printed(&stdout);
    let id = id.unwrap();
    let probe = server.as_(&ada).get_ok(&format!("/probes/{id}")).await;
    assert_eq!(probe["organizationId"], org.as_str());
    let (status, _) = server.as_(&bob).get(&format!("/probes/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Its organization's Owner manages it through the API.
    let (status, _) = server
        .as_(&ada)
        .patch(&format!("/probes/{id}"), json!({"name": "acme-eu-1"}))
        .await;
    assert_eq!(status, StatusCode::OK);

    for args in [
        &["probes", "add", "--name", "x", "--label", "Region=eu"][..],
        &["probes", "add", "--name", "x", "--label", "region"],
        &["probes", "add", "--name", "x", "--org", "nope"],
        &[
            "probes",
            "add",
            "--name",
            "x",
            "--org",
            "0190a0a0-0000-7000-8000-000000000000",
        ],
        &["probes", "add", "--name", ""],
        &["probes", "token", "nope"],
    ] {
        let o = server.cli(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            !stderr.is_empty() && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
    }
    let empty = server.cli(&["probes", "add", "--name", ""]);
    let stderr = String::from_utf8_lossy(&empty.stderr);
    assert!(stderr.contains("--name"), "{stderr}");
    assert_eq!(
        server.as_(&ada).get_ok("/probes").await["probes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Columns as wide as their content: a long name is not cut, and the next column lines up.
    let long = "a-probe-with-a-name-much-longer-than-twenty-characters";
    out(&server.cli(&[
        "probes", "add", "--name", long, "--label", "a=b", "--label", "c=d",
    ]));
    let listed = out(&server.cli(&["probes", "list"]));
    let lines: Vec<&str> = listed.lines().collect();
    let status_at = lines[0].find("STATUS").unwrap();
    let row = lines.iter().find(|l| l.contains(long)).unwrap();
    assert_eq!(&row[status_at..status_at + 7], "waiting", "{listed}");
    assert!(row.ends_with("a=b,c=d"), "{listed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_silent_probe_with_the_cli_notifies_its_resolution() {
    use crate::notifications::{deliveries, webhook};
    let t0 = super::whole_second_now();
    let server = TestServer::start_with_clock(dutyduck::clock::Clock::manual(t0)).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let hook = webhook(&server, &ada, "ops", "http://127.0.0.1:9/".to_owned()).await;
    let probe = super::add(&server, &ada, "eu-west", json!({})).await;
    poll(&server, &probe.token, None).await;
    server.clock.advance(chrono::Duration::minutes(4));
    let source = format!("probe:{}", probe.id);
    crate::common::eventually("the silence incident", || async {
        server
            .as_(&ada)
            .incidents(&source, &["ongoing"])
            .await
            .pop()
    })
    .await;
    let opened = crate::common::eventually("its opening in the outbox", || async {
        let all = deliveries(&server, &ada, &hook).await;
        (!all.is_empty()).then_some(all.len())
    })
    .await;

    out(&server.cli(&["probes", "remove", &probe.id]));
    let all = deliveries(&server, &ada, &hook).await;
    let events: Vec<&str> = all.iter().filter_map(|d| d["event"].as_str()).collect();
    assert!(
        all.len() > opened && events.iter().any(|e| e.contains("resolved")),
        "{events:?}"
    );
}
