//! `POST /monitors/bulk` and `POST /tasks/bulk`, and the lists' sorting.

use chrono::Utc;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{counts, field_of_items, people, refused};
use crate::common::TestServer;
use crate::common::target::Target;
use crate::monitors::{create, monitor, tick};

#[tokio::test(flavor = "multi_thread")]
async fn monitors_are_paused_and_resumed_in_bulk_and_the_scheduler_follows() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let target = Target::start().await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let body = json!({"name": name, "url": target.url(), "intervalSeconds": 60});
        ids.push(create(&server, &token, body).await);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    tick(&server, &token, &refs, 5).await;
    let api = || server.as_(&token);

    let (status, report) = api()
        .post(
            "/monitors/bulk",
            json!({"ids": ids[..2], "action": "pause"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (2, 2, 0));
    for id in &ids[..2] {
        let m = monitor(&server, &token, id).await;
        assert_eq!(m["monitor"]["status"], "inactive");
        assert!(m["monitor"]["nextCheckAt"].is_null());
    }
    // "All matching" the status filter: the two paused ones resume, the active one is skipped.
    let (_, report) = api()
        .post("/monitors/bulk", json!({"filter": {}, "action": "resume"}))
        .await;
    assert_eq!(counts(&report), (3, 2, 1));
    assert_eq!(report["skippedBy"][0]["reason"], "alreadyActive");
    // Resumed monitors are checked again: the scheduler heard of them.
    tick(&server, &token, &refs[..2], 5).await;
    for id in &ids[..2] {
        assert_eq!(
            monitor(&server, &token, id).await["monitor"]["status"],
            "up"
        );
    }
}

#[tokio::test]
async fn monitors_are_tagged_archived_and_deleted_in_bulk_within_the_organization() {
    let server = TestServer::start().await;
    let (token, reporter, rival) = people(&server);
    let paused =
        |name: &str| json!({"name": name, "url": "http://127.0.0.1:9/", "isActive": false});
    let mut ids = Vec::new();
    for name in ["web", "api", "db"] {
        ids.push(create(&server, &token, paused(name)).await);
    }
    let theirs = create(&server, &rival, paused("theirs")).await;
    let api = || server.as_(&token);

    let tag = json!({"ids": ids, "action": "tag", "tag": {"key": "team", "value": "core"}});
    let (status, _) = server
        .as_(&reporter)
        .post("/monitors/bulk", tag.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, report) = api().post("/monitors/bulk", tag.clone()).await;
    assert_eq!(counts(&report), (3, 3, 0));
    let (_, again) = api().post("/monitors/bulk", tag).await;
    assert_eq!(
        (counts(&again), &again["skippedBy"][0]["reason"]),
        ((3, 0, 3), &json!("unchanged"))
    );
    let filter = json!({"metadataFilter": "{\"items\": {\"team\": [\"core\"]}}", "query": "a"});
    let page = api()
        .get_ok("/monitors?metadataFilter=%7B%22items%22%3A%7B%22team%22%3A%5B%22core%22%5D%7D%7D")
        .await;
    assert_eq!(page["totalNumberOfFilteredResults"], 3);

    // Archive those carrying the tag whose name holds "a": api only.
    let (_, report) = api()
        .post(
            "/monitors/bulk",
            json!({"filter": filter, "action": "archive"}),
        )
        .await;
    assert_eq!(counts(&report), (1, 1, 0), "{report}");
    let (_, report) = api()
        .post(
            "/monitors/bulk",
            json!({"ids": [ids[0], ids[1]], "action": "tag", "tag": {"key": "team"}}),
        )
        .await;
    assert_eq!(
        report["skippedBy"],
        json!([{"reason": "archived", "count": 1, "ids": [ids[1]]}])
    );
    assert_eq!(
        monitor(&server, &token, &ids[0]).await["monitor"]["metadata"],
        json!({})
    );

    let (_, report) = api()
        .post(
            "/monitors/bulk",
            json!({"ids": [ids[0], ids[1], ids[2], theirs], "action": "delete"}),
        )
        .await;
    assert_eq!(counts(&report), (3, 3, 0));
    assert_eq!(report["notFound"], json!([theirs]));
    let (status, _) = api().get(&format!("/monitors/{}", ids[0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        monitor(&server, &rival, &theirs).await["monitor"]["name"],
        "theirs"
    );

    let cases = vec![
        (json!({"ids": [theirs], "action": "tag"}), "tag"),
        (
            json!({"ids": [theirs], "action": "pause", "tag": {"key": "a"}}),
            "tag",
        ),
        (
            json!({"ids": [theirs], "action": "tag", "tag": {"key": ""}}),
            "tag.key",
        ),
        (json!({"ids": [theirs], "action": "maintain"}), "action"),
        (json!({"ids": ["nope"], "action": "pause"}), "ids[0]"),
    ];
    refused(&server, &token, "/monitors/bulk", cases).await;
}

#[tokio::test]
async fn monitors_and_tasks_sort_by_a_chosen_field() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    for (name, kind) in [("beta", "http"), ("alpha", "tcp"), ("Gamma", "http")] {
        let body = match kind {
            "tcp" => {
                json!({"name": name, "kind": "tcp", "host": "127.0.0.1", "port": 9, "isActive": false})
            }
            _ => json!({"name": name, "url": "http://127.0.0.1:9/", "isActive": false}),
        };
        create(&server, &token, body).await;
        api()
            .create("/tasks", json!({"id": format!("t-{name}"), "name": name}))
            .await;
    }
    let names = |page: Value| field_of_items(&page, "name");
    assert_eq!(
        names(api().get_ok("/monitors").await),
        ["alpha", "beta", "Gamma"]
    );
    assert_eq!(
        names(api().get_ok("/monitors?sort=name&order=desc").await),
        ["Gamma", "beta", "alpha"]
    );
    assert_eq!(
        names(
            api()
                .get_ok("/monitors?sort=kind&order=desc&itemsPerPage=1")
                .await
        ),
        ["alpha"]
    );
    assert_eq!(
        names(api().get_ok("/tasks?sort=id&order=desc").await),
        ["beta", "alpha", "Gamma"]
    );
    assert_eq!(
        names(api().get_ok("/tasks?include=healthy&include=due").await).len(),
        3
    );
    // An unknown sort field is a 422 naming `sort` and the field, on each list.
    for (path, field) in [
        ("/incidents?sort=colour", "colour"),
        ("/monitors?sort=url", "url"),
        ("/tasks?sort=owner", "owner"),
    ] {
        let (status, body) = api().get(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("sort") && message.contains(field),
            "{body}"
        );
    }
}

#[tokio::test]
async fn tasks_are_deleted_in_bulk_by_ids_or_filter() {
    let server = TestServer::start().await;
    let (token, reporter, rival) = people(&server);
    let api = || server.as_(&token);
    for id in ["backup-a", "backup-b", "report"] {
        api().create("/tasks", json!({"id": id})).await;
    }
    server
        .as_(&rival)
        .create("/tasks", json!({"id": "backup-c"}))
        .await;
    let (status, _) = server
        .as_(&reporter)
        .post(
            "/tasks/bulk",
            json!({"ids": ["report"], "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, report) = api()
        .post(
            "/tasks/bulk",
            json!({"filter": {"searchQuery": "backup"}, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (2, 2, 0));
    let (_, report) = api()
        .post(
            "/tasks/bulk",
            json!({"ids": ["report", "backup-c", "gone"], "action": "delete"}),
        )
        .await;
    assert_eq!(
        (counts(&report), &report["notFound"]),
        ((1, 1, 0), &json!(["backup-c", "gone"]))
    );
    assert_eq!(api().get_ok("/tasks").await["totalNumberOfResults"], 0);
    assert_eq!(
        server.as_(&rival).get_ok("/tasks").await["totalNumberOfResults"],
        1
    );
    let (status, body) = api()
        .post("/tasks/bulk", json!({"ids": ["x"], "action": "pause"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
