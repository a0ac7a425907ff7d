//! `POST /incidents/bulk` action `silence`: one silence over the selected incidents' sources, by
//! the rules of `POST /silences`.

use reqwest::StatusCode;
use serde_json::json;

use super::{counts, declare, refused};
use crate::notifications::{nine_o_clock, run, setup, task};

#[tokio::test(flavor = "multi_thread")]
async fn selected_incidents_are_silenced_by_one_silence_naming_their_sources() {
    let (server, ada) = setup(&nine_o_clock(), None).await;
    let mut incidents = Vec::new();
    for id in ["backup", "sync", "other"] {
        task(&server, &ada, json!({"id": id})).await;
        incidents.push(run(&server, &ada, id, "failure").await);
    }
    let manual = declare(&server, &ada, "Printer on fire", 1).await;
    let api = || server.as_(&ada);

    // By ids: two task incidents and a manual one (no source: skipped), one unknown id.
    let unknown = "00000000-0000-0000-0000-000000000000";
    let ids = json!([incidents[0], incidents[1], manual[0], unknown]);
    let (status, report) = api()
        .post(
            "/incidents/bulk",
            json!({"ids": ids, "action": "silence", "endsAt": "2026-11-30T10:00:00Z",
                   "reason": "Disk swap"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (3, 2, 1));
    assert_eq!(report["skippedBy"][0]["reason"], "noSource");
    assert_eq!(report["notFound"], json!([unknown]));
    let silence_id = report["silenceId"].as_str().unwrap();
    let silence = api().get_ok(&format!("/silences/{silence_id}")).await;
    assert_eq!(silence["matchers"]["sourceIds"], json!(["backup", "sync"]));
    assert_eq!(silence["reason"], "Disk swap");
    assert_eq!(silence["active"], true);
    // In force: the sources are covered, the third is not.
    for (source, covered) in [("backup", 1), ("sync", 1), ("other", 0)] {
        let page = api().get_ok(&format!("/silences?sourceId={source}")).await;
        assert_eq!(page["items"].as_array().unwrap().len(), covered, "{source}");
    }

    // By filter: every open incident whose title matches "other" (the task's incident).
    let (status, report) = api()
        .post(
            "/incidents/bulk",
            json!({"filter": {"q": "other"}, "action": "silence",
                   "endsAt": "2026-12-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report).1, 1, "{report}");
    let page = api().get_ok("/silences?sourceId=other").await;
    assert_eq!(page["items"][0]["id"], report["silenceId"]);
}

#[tokio::test]
async fn a_silence_in_bulk_is_refused_naming_the_field() {
    let (server, ada) = setup(&nine_o_clock(), None).await;
    task(&server, &ada, json!({"id": "backup"})).await;
    let incident = run(&server, &ada, "backup", "failure").await;
    let manual = declare(&server, &ada, "Printer", 1).await;
    let ids = json!([incident]);
    refused(
        &server,
        &ada,
        "/incidents/bulk",
        vec![
            (json!({"ids": ids, "action": "silence"}), "endsAt"),
            (
                json!({"ids": ids, "action": "silence", "endsAt": "2026-11-30T08:00:00Z"}),
                "endsAt",
            ),
            (
                json!({"ids": ids, "action": "silence", "endsAt": "2027-01-30T08:00:00Z"}),
                "endsAt",
            ),
            (
                json!({"ids": ids, "action": "acknowledge", "endsAt": "2026-11-30T10:00:00Z"}),
                "endsAt",
            ),
            (
                json!({"ids": manual, "action": "silence", "endsAt": "2026-11-30T10:00:00Z"}),
                "ids",
            ),
        ],
    )
    .await;
    // Nothing was silenced by the refusals.
    let page = server.as_(&ada).get_ok("/silences").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);

    // A reporter may not silence.
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let reporter = server.create_token("rita@example.com", &[]);
    let (status, _) = server
        .as_(&reporter)
        .post(
            "/incidents/bulk",
            json!({"ids": ids, "action": "silence", "endsAt": "2026-11-30T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn more_sources_than_a_silence_names_is_a_422_saying_what_to_do() {
    let (server, ada) = setup(&nine_o_clock(), None).await;
    for i in 0..101 {
        let id = format!("job-{i:03}");
        task(&server, &ada, json!({"id": id})).await;
        run(&server, &ada, &id, "failure").await;
    }
    refused(
        &server,
        &ada,
        "/incidents/bulk",
        vec![(
            json!({"filter": {}, "action": "silence", "endsAt": "2026-11-30T10:00:00Z"}),
            "filter",
        )],
    )
    .await;
    let (_, answer) = server
        .as_(&ada)
        .post(
            "/incidents/bulk",
            json!({"filter": {}, "action": "silence", "endsAt": "2026-11-30T10:00:00Z"}),
        )
        .await;
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("by tag or kind"), "{message}");
}
