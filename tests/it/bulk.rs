//! Bulk actions and list controls through the API: a selection by ids or by filter, the counts
//! a client reads back, the rules of the single routes (permissions, organizations, resolved
//! incidents), and sorting and search of the lists.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, Token, code};

mod maintenance;
mod monitors_and_tasks;
mod reserved;
mod silence;

/// Declares `n` incidents titled `{prefix} {i}`; returns their ids in order.
pub(crate) async fn declare(
    server: &TestServer,
    token: &Token,
    prefix: &str,
    n: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let incident = server
            .as_(token)
            .create("/incidents", json!({"title": format!("{prefix} {i:02}")}))
            .await;
        ids.push(incident["id"].as_str().unwrap().to_owned());
    }
    ids
}

async fn incident(server: &TestServer, token: &Token, id: &str) -> Value {
    server.as_(token).get_ok(&format!("/incidents/{id}")).await["incident"].clone()
}

/// Each body is refused at `path` with a 422 whose message starts with the field named.
pub(crate) async fn refused(
    server: &TestServer,
    token: &Token,
    path: &str,
    cases: Vec<(Value, &str)>,
) {
    for (body, field) in cases {
        let (status, answer) = server.as_(token).post(path, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }
}

/// An owner and a reporter of Acme, and the owner of Rival.
pub(crate) fn people(server: &TestServer) -> (Token, Token, Token) {
    let owner = server.user_with_token("ann@example.com", "Acme");
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let reporter = server.create_token("rita@example.com", &[]);
    (
        owner,
        reporter,
        server.user_with_token("bob@example.com", "Rival"),
    )
}

/// `field` of each item of a list page, in order.
pub(crate) fn field_of_items(page: &Value, field: &str) -> Vec<String> {
    let items = page["items"].as_array().unwrap();
    items
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) fn counts(report: &Value) -> (u64, u64, u64) {
    let n = |k: &str| report[k].as_u64().unwrap();
    (n("matched"), n("changed"), n("skipped"))
}

#[tokio::test]
async fn acknowledge_and_resolve_by_ids_count_what_changed_and_why_the_rest_did_not() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ann@example.com", "Acme");
    let ids = declare(&server, &token, "Disk full", 5).await;
    let api = || server.as_(&token);
    api()
        .post_empty(&format!("/incidents/{}/resolve", ids[0]))
        .await;

    let (status, report) = api()
        .post(
            "/incidents/bulk",
            json!({"ids": ids, "action": "acknowledge"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (5, 4, 1));
    assert_eq!(
        report["skippedBy"],
        json!([{"reason": "alreadyResolved", "count": 1, "ids": [ids[0]]}])
    );
    for id in &ids[1..] {
        let acks = &incident(&server, &token, id).await["acknowledgedBy"];
        assert_eq!(acks.as_array().unwrap().len(), 1, "{id}");
    }
    // Again: each is already acknowledged by the same person, nothing changes.
    let (_, again) = api()
        .post(
            "/incidents/bulk",
            json!({"ids": ids, "action": "acknowledge"}),
        )
        .await;
    assert_eq!(counts(&again), (5, 0, 5));

    let (_, resolved) = api()
        .post("/incidents/bulk", json!({"ids": ids, "action": "resolve"}))
        .await;
    assert_eq!(counts(&resolved), (5, 4, 1));
    for id in &ids {
        assert_eq!(incident(&server, &token, id).await["status"], "resolved");
    }
}

#[tokio::test]
async fn a_filter_selects_all_matching_incidents_and_comments_on_each() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ann@example.com", "Acme");
    let disks = declare(&server, &token, "Disk full", 3).await;
    let others = declare(&server, &token, "Queue stuck", 2).await;
    let api = || server.as_(&token);
    let body = json!({
        "filter": {"q": "DISK", "status": ["ongoing"]},
        "action": "comment",
        "text": "Cleaning up /var/log",
    });
    let (status, report) = api().post("/incidents/bulk", body).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (3, 3, 0));
    for (id, comments) in disks
        .iter()
        .map(|i| (i, 1))
        .chain(others.iter().map(|i| (i, 0)))
    {
        let events = api().get_ok(&format!("/incidents/{id}/events")).await;
        let found = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["eventType"] == "comment" && e["payload"]["text"] == "Cleaning up /var/log"
            })
            .count();
        assert_eq!(found, comments, "{id}");
    }
    // A filter matching nothing is an answer, not an error.
    let (status, report) = api()
        .post(
            "/incidents/bulk",
            json!({"filter": {"q": "nothing like it"}, "action": "resolve"}),
        )
        .await;
    assert_eq!((status, counts(&report)), (StatusCode::OK, (0, 0, 0)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selection_larger_than_a_batch_is_applied_whole_beside_other_writes() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ann@example.com", "Acme");
    declare(&server, &token, "Node down", 450).await;
    let body = json!({"filter": {"q": "node down"}, "action": "resolve"});
    // A write made meanwhile succeeds, and is not swept in (its title does not match).
    let (bulk, other) = tokio::join!(
        server.as_(&token).post("/incidents/bulk", body),
        server
            .as_(&token)
            .create("/incidents", json!({"title": "Unrelated"})),
    );
    assert_eq!(bulk.0, StatusCode::OK, "{}", bulk.1);
    assert_eq!(counts(&bulk.1), (450, 450, 0));
    assert_eq!(
        incident(&server, &token, other["id"].as_str().unwrap()).await["status"],
        "ongoing"
    );
    let page = server
        .as_(&token)
        .get_ok("/incidents?status=resolved")
        .await;
    assert_eq!(page["totalNumberOfFilteredResults"], 450);
}

#[tokio::test]
async fn readers_are_refused_and_other_organizations_incidents_are_not_touched() {
    let server = TestServer::start().await;
    let (token, reporter, rival) = people(&server);
    let ours = declare(&server, &token, "Ours", 2).await;
    let theirs = declare(&server, &rival, "Theirs", 2).await;

    for action in ["acknowledge", "resolve"] {
        let (status, body) = server
            .as_(&reporter)
            .post("/incidents/bulk", json!({"ids": ours, "action": action}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {body}");
    }
    // A reporter may comment, as on one incident.
    let (status, _) = server
        .as_(&reporter)
        .post(
            "/incidents/bulk",
            json!({"ids": ours, "action": "comment", "text": "seen"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let mixed: Vec<&String> = ours.iter().chain(&theirs).collect();
    let (_, report) = server
        .as_(&token)
        .post(
            "/incidents/bulk",
            json!({"ids": mixed, "action": "resolve"}),
        )
        .await;
    assert_eq!(counts(&report), (2, 2, 0));
    assert_eq!(report["notFound"], json!(theirs));
    for id in &theirs {
        assert_eq!(incident(&server, &rival, id).await["status"], "ongoing");
    }
    // "All matching" is the caller's organization only.
    let (_, report) = server
        .as_(&rival)
        .post(
            "/incidents/bulk",
            json!({"filter": {}, "action": "acknowledge"}),
        )
        .await;
    assert_eq!(counts(&report), (2, 2, 0));
}

#[tokio::test]
async fn bad_selections_and_actions_are_refused_naming_the_field() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ann@example.com", "Acme");
    let ids = declare(&server, &token, "One", 1).await;
    let too_many: Vec<String> = (0..1001).map(|_| ids[0].clone()).collect();
    let cases = vec![
        (json!({"ids": ids, "action": "snooze"}), "action"),
        (json!({"action": "resolve"}), "ids"),
        (json!({"ids": [], "action": "resolve"}), "ids"),
        (
            json!({"ids": ids, "filter": {}, "action": "resolve"}),
            "ids",
        ),
        (json!({"ids": ["not-an-id"], "action": "resolve"}), "ids[0]"),
        (json!({"ids": too_many, "action": "resolve"}), "ids"),
        (json!({"ids": ids, "action": "comment"}), "text"),
        (
            json!({"ids": ids, "action": "comment", "text": "  "}),
            "text",
        ),
        (
            json!({"ids": ids, "action": "resolve", "text": "why"}),
            "text",
        ),
        (
            json!({"filter": {"colour": "red"}, "action": "resolve"}),
            "filter.colour",
        ),
        (
            json!({"filter": {"q": "x".repeat(201)}, "action": "resolve"}),
            "q",
        ),
    ];
    refused(&server, &token, "/incidents/bulk", cases).await;
    assert_eq!(
        incident(&server, &token, &ids[0]).await["status"],
        "ongoing"
    );
}

#[tokio::test]
async fn incidents_sort_by_a_chosen_field_with_ties_by_id_and_search_title_and_source_name() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ann@example.com", "Acme");
    let api = || server.as_(&token);
    for title in ["beta", "Alpha", "gamma"] {
        api().create("/incidents", json!({"title": title})).await;
    }
    let titles = |page: Value| field_of_items(&page, "title");
    let page = api().get_ok("/incidents?sort=title").await;
    assert_eq!(titles(page), ["Alpha", "beta", "gamma"]);
    let page = api()
        .get_ok("/incidents?sort=title&order=desc&itemsPerPage=2")
        .await;
    assert_eq!(titles(page), ["gamma", "beta"]);
    let page = api().get_ok("/incidents?q=ALP").await;
    assert_eq!(titles(page.clone()), ["Alpha"]);
    assert_eq!(page["totalNumberOfFilteredResults"], 1);

    let (status, body) = api().get("/incidents?sort=title&order=up").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
    );
    // The original clients' parameters still work as they did.
    let page = api()
        .get_ok("/incidents?orderBy=createdAt&orderDirection=asc")
        .await;
    assert_eq!(titles(page), ["beta", "Alpha", "gamma"]);

    // A task renamed since its incident opened is found by its current name.
    api()
        .create("/tasks", json!({"id": "report", "name": "Report"}))
        .await;
    api().post_empty("/tasks/report/start").await;
    let (status, run) = api()
        .post(
            "/tasks/report/finish",
            json!({"status": "failure", "exitCode": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    api()
        .patch("/tasks/report", json!({"name": "Nightly ledger"}))
        .await;
    let page = api().get_ok("/incidents?q=LEDGER").await;
    assert_eq!(titles(page), ["Report"]);
}
