//! The `/status-pages` API: create, read, list, change (components keep their ids), delete, and
//! each refusal naming its field: a bad slug or logo, a slug taken (409), a component naming
//! nothing of the organization (another's monitor included), another organization's page (404).

use reqwest::StatusCode;
use serde_json::json;

use super::{page, services};
use crate::common::{TestServer, code};
use crate::monitors::create;

#[tokio::test(flavor = "multi_thread")]
async fn pages_are_created_changed_and_deleted_and_bad_input_names_its_field() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let eve = server.user_with_token("eve@example.com", "Evil");
    let api = create(
        &server,
        &ada,
        json!({"name": "api-prod-1", "url": "http://127.0.0.1:9/x"}),
    )
    .await;
    let theirs = create(
        &server,
        &eve,
        json!({"name": "theirs", "url": "http://127.0.0.1:9/y"}),
    )
    .await;
    server
        .as_(&ada)
        .create("/tasks", json!({"id": "backup", "name": "Nightly backup"}))
        .await;

    let created = page(
        &server,
        &ada,
        json!({"slug": "acme", "title": "Acme status",
               "groups": services(&[("monitor", &api, "API"), ("task", "backup", "")])}),
    )
    .await;
    assert_eq!(created["url"], "/status/acme");
    assert_eq!(
        (
            &created["visibility"],
            &created["language"],
            &created["theme"],
            &created["noindex"]
        ),
        (
            &json!("public"),
            &json!("auto"),
            &json!("auto"),
            &json!(false)
        )
    );
    let components = created["groups"][0]["components"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(components[0]["publicName"], "API");
    assert_eq!(
        components[1]["publicName"], "Nightly backup",
        "a blank name takes the source's"
    );
    assert_eq!(components[0]["show"], "uptime");
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/status-pages/{id}");

    // PATCH: groups replaced wholesale, in the order sent; a component sent back keeps its id.
    let (status, changed) = server
        .as_(&ada)
        .patch(
            &path,
            json!({"title": "Acme", "groups": [
                {"name": "Jobs", "components": [components[1].clone()]},
                {"name": "Web", "components": [components[0].clone(),
                    {"sourceType": "monitor", "sourceId": api, "publicName": "API again", "show": "responseTime"}]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "Acme");
    assert_eq!(changed["slug"], "acme", "fields not sent are kept");
    assert_eq!(
        changed["groups"][0]["components"][0]["id"],
        components[1]["id"]
    );
    assert_eq!(
        changed["groups"][1]["components"][0]["id"],
        components[0]["id"]
    );
    assert!(changed["groups"][1]["components"][1]["id"].is_string());
    assert_eq!(server.as_(&ada).get_ok(&path).await, changed);
    assert_eq!(server.as_(&ada).items("/status-pages").await.len(), 1);

    let refusals = [
        (json!({"slug": "Acme!", "title": "x"}), "slug"),
        (json!({"slug": "_", "title": "x"}), "slug"),
        (json!({"slug": "ok", "title": " "}), "title"),
        (
            json!({"slug": "ok", "title": "x", "logo": "https://example.com/logo.png"}),
            "logo",
        ),
        (
            json!({"slug": "ok", "title": "x", "logo": "data:image/gif;base64,R0lGOD=="}),
            "logo",
        ),
        (
            json!({"slug": "ok", "title": "x", "visibility": "secret"}),
            "visibility",
        ),
        (
            json!({"slug": "ok", "title": "x", "groups": services(&[("monitor", "nope", "x")])}),
            "groups[0].components[0].sourceId",
        ),
        (
            json!({"slug": "ok", "title": "x", "groups": services(&[("monitor", &theirs, "x")])}),
            "groups[0].components[0].sourceId",
        ),
        (
            json!({"slug": "ok", "title": "x", "groups": services(&[("task", "nope", "x")])}),
            "groups[0].components[0].sourceId",
        ),
        (
            json!({"slug": "ok", "title": "x", "colour": "red"}),
            "colour",
        ),
    ];
    for (body, field) in refusals {
        let (status, error) = server.as_(&ada).post("/status-pages", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }
    let (status, error) = server
        .as_(&eve)
        .post(
            "/status-pages",
            json!({"slug": "acme", "title": "Not Acme"}),
        )
        .await;
    assert_eq!(
        (status, code(&error)),
        (StatusCode::CONFLICT, "slug_taken"),
        "slugs are unique on the instance"
    );
    let (status, _) = server
        .as_(&ada)
        .patch(&path, json!({"slug": "UPPER"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another organization sees nothing of it.
    assert_eq!(server.as_(&eve).get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        server.as_(&eve).patch(&path, json!({"title": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.as_(&eve).delete(&path).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(server.as_(&eve).items("/status-pages").await.is_empty());
    assert_eq!(
        server.as_(&ada).get("/status-pages/not-an-id").await.0,
        StatusCode::BAD_REQUEST
    );

    assert_eq!(
        server.as_(&ada).delete(&path).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(server.as_(&ada).get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        server.anonymous().get("/status/acme").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_preview_renders_a_draft_with_its_logo_inline_and_no_script() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    page(&server, &ada, json!({"slug": "taken", "title": "Taken"})).await;
    let logo = "data:image/png;base64,iVBORw0KGgo=";
    let response = server
        .as_(&ada)
        .request(reqwest::Method::POST, "/status-pages/preview")
        .json(
            &json!({"slug": "taken", "title": "Draft <b>page</b>", "logo": logo, "language": "fr"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a taken slug is fine for a draft"
    );
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h1>Draft &lt;b&gt;page&lt;/b&gt;</h1>"),
        "{html}"
    );
    assert!(html.contains(&format!("src=\"{logo}\"")));
    assert!(
        html.contains("href=\"/status/_/status.css\""),
        "assets by absolute path"
    );
    assert!(!html.contains("<script"));
    assert!(html.contains("Tous les systèmes sont opérationnels"));
    let (status, _) = server
        .as_(&ada)
        .post("/status-pages/preview", json!({"slug": "x", "title": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
