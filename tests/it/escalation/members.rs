//! Steps naming members: an e-mail channel marked personal reaches the addressed member only,
//! and a member's quiet hours delay a non-urgent step to their end but not an urgent one.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::{acknowledge, backup_fails, policy, wait_attempts};
use crate::common::receivers::SmtpReceiver;
use crate::common::{Token, code};
use crate::notifications::{channel, deliveries, nine_o_clock, setup};

/// A personal e-mail channel of Acme with `config`; returns its id.
async fn pager_mail(
    server: &crate::common::TestServer,
    ada: &Token,
    config: serde_json::Value,
) -> String {
    let body = json!({"name": "Pager mail", "kind": "email", "personal": true, "config": config});
    channel(server, ada, body).await
}

/// Bob, an Editor of Acme, with his token and user id.
async fn bob(server: &crate::common::TestServer) -> (Token, String) {
    server.create_user("bob@example.com", "Acme", Some("Editor"));
    let token = server.create_token("bob@example.com", &[]);
    let me = server.as_(&token).get_ok("/users/me").await;
    (token, me["user"]["id"].as_str().unwrap().to_owned())
}

/// 10:00 in Paris (09:00 UTC) is in Bob's quiet hours (09:00–12:00): step 1 (not urgent) waits
/// until 12:00 Paris; step 2 (urgent), due at 09:30 UTC, goes out at once. Each e-mail is
/// Bob's alone, not the channel's team address nor the other members'.
#[tokio::test(flavor = "multi_thread")]
async fn quiet_hours_delay_a_step_but_not_an_urgent_one() {
    let clock = nine_o_clock();
    let smtp = SmtpReceiver::start().await;
    let (server, ada) = setup(&clock, Some(&smtp)).await;
    let (bob_token, bob_id) = bob(&server).await;
    let config = json!({"recipients": ["team@example.com"], "allMembers": true});
    let mail = pager_mail(&server, &ada, config).await;
    // A personal channel reaches the members a step names, not its own list.
    let (status, body) = server
        .as_(&ada)
        .post(
            "/escalation-policies",
            json!({"name": "P", "steps": [{"channels": [mail], "afterMinutes": 5}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let prefs = json!({"channels": [mail], "phone": "+33612345678",
        "quietHours": {"start": "09:00", "end": "12:00", "timeZone": "Europe/Paris"}});
    let (status, body) = server
        .as_(&bob_token)
        .put("/users/me/notification-preferences", prefs.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, prefs);
    policy(
        &server,
        &ada,
        json!({"name": "Bob", "default": true, "steps": [
            {"members": [bob_id], "afterMinutes": 30},
            {"members": [bob_id], "afterMinutes": 30, "urgent": true}]}),
    )
    .await;
    let incident = backup_fails(
        &server,
        &ada,
        json!({"id": "nightly-backup", "name": "Nightly backup"}),
    )
    .await;

    // Quiet: nothing at the opening.
    clock.advance(Duration::minutes(30));
    let urgent = smtp.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    assert_eq!(urgent[0].to, ["bob@example.com"]);
    assert!(
        urgent[0].header("Subject").unwrap().contains("Still open"),
        "{:?}",
        urgent[0].header("Subject")
    );
    // At 12:00 Paris (11:00 UTC), the delayed step 1 arrives.
    clock.advance(Duration::minutes(89));
    wait_attempts(&server, &ada, &incident, 1).await;
    assert_eq!(smtp.mails().len(), 1, "still quiet at 10:59 UTC");
    clock.advance(Duration::minutes(1));
    let mails = smtp.wait_for(2).await;
    wait_attempts(&server, &ada, &incident, 2).await;
    assert_eq!(mails[1].to, ["bob@example.com"]);
    acknowledge(&server, &ada, &incident).await;
}

/// Acknowledged during Bob's quiet hours: the step waiting for their end is dropped, and Bob,
/// never told of the incident, is not told of the acknowledgement either.
#[tokio::test(flavor = "multi_thread")]
async fn a_step_delayed_by_quiet_hours_is_dropped_once_someone_answers() {
    let clock = nine_o_clock();
    let smtp = SmtpReceiver::start().await;
    let (server, ada) = setup(&clock, Some(&smtp)).await;
    let (bob_token, bob_id) = bob(&server).await;
    let mail = pager_mail(&server, &ada, json!({"recipients": ["team@example.com"]})).await;
    let prefs =
        json!({"quietHours": {"start": "09:00", "end": "12:00", "timeZone": "Europe/Paris"}});
    let (status, body) = server
        .as_(&bob_token)
        .put("/users/me/notification-preferences", prefs)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    policy(
        &server,
        &ada,
        json!({"name": "Bob", "default": true,
               "steps": [{"members": [bob_id], "afterMinutes": 600}]}),
    )
    .await;
    let body = json!({"id": "nightly-backup", "name": "Nightly backup"});
    let incident = backup_fails(&server, &ada, body).await;
    clock.advance(Duration::minutes(10));
    assert_eq!(deliveries(&server, &ada, &mail).await.len(), 1, "delayed");
    acknowledge(&server, &ada, &incident).await;
    // Dropped in the acknowledgement's own write.
    assert!(deliveries(&server, &ada, &mail).await.is_empty());
    assert_eq!(
        super::notes(&server, &ada, &incident).await,
        ["fired 1", "stopped 0"]
    );
    clock.advance(Duration::hours(3));
    assert!(smtp.mails().is_empty(), "{:?}", smtp.mails());
}

/// Bob leaves Acme while a step for him waits for his quiet hours to end: at their end nothing
/// goes out, neither to him nor to the channel's own list, and the delivery says why.
#[tokio::test(flavor = "multi_thread")]
async fn a_member_who_left_is_not_paged_by_a_step_queued_for_him() {
    let clock = nine_o_clock();
    let smtp = SmtpReceiver::start().await;
    let (server, ada) = setup(&clock, Some(&smtp)).await;
    let (bob_token, bob_id) = bob(&server).await;
    let mail = pager_mail(&server, &ada, json!({"recipients": ["team@example.com"]})).await;
    let prefs =
        json!({"quietHours": {"start": "09:00", "end": "12:00", "timeZone": "Europe/Paris"}});
    let (status, body) = server
        .as_(&bob_token)
        .put("/users/me/notification-preferences", prefs)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let steps = json!([{"members": [bob_id], "afterMinutes": 600}]);
    policy(
        &server,
        &ada,
        json!({"name": "Bob", "default": true, "steps": steps}),
    )
    .await;
    let body = json!({"id": "nightly-backup", "name": "Nightly backup"});
    backup_fails(&server, &ada, body).await;
    clock.advance(Duration::minutes(10));
    assert_eq!(deliveries(&server, &ada, &mail).await.len(), 1, "delayed");
    let me = server.as_(&ada).get_ok("/users/me").await;
    let org = me["active_organization"]["id"].as_str().unwrap().to_owned();
    let (status, body) = server
        .as_(&ada)
        .delete(&format!("/organizations/{org}/members/{bob_id}"))
        .await;
    assert!(status.is_success(), "{status}: {body}");
    clock.advance(Duration::hours(2));
    crate::common::eventually("the delayed step given up", || async {
        let rows = deliveries(&server, &ada, &mail).await;
        (rows[0]["status"] == "gaveup").then_some(rows)
    })
    .await;
    let rows = deliveries(&server, &ada, &mail).await;
    assert_eq!(
        rows[0]["lastError"], "the member it was for has left the organization",
        "{rows:?}"
    );
    assert!(smtp.mails().is_empty(), "{:?}", smtp.mails());
}

/// What a member may set, checked: a personal channel of the organization, an E.164 number,
/// real times and zones; only e-mail-like kinds may be personal.
#[tokio::test(flavor = "multi_thread")]
async fn preferences_and_personal_channels_are_validated() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let shared = channel(
        &server,
        &ada,
        json!({"name": "Hook", "kind": "webhook", "config": {"url": "https://hooks.example.com/x"}}),
    )
    .await;
    let (status, body) = server
        .as_(&ada)
        .patch(
            &format!("/notification-channels/{shared}"),
            json!({"personal": true}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        "{body}"
    );
    let cases = [
        (json!({"channels": [shared]}), "channels[0]"),
        (json!({"phone": "0612345678"}), "phone"),
        (
            json!({"quietHours": {"start": "25:00", "end": "07:00", "timeZone": "Europe/Paris"}}),
            "quietHours.start",
        ),
        (
            json!({"quietHours": {"start": "22:00", "end": "07:00", "timeZone": "Mars/Olympus"}}),
            "quietHours.timeZone",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = server
            .as_(&ada)
            .put("/users/me/notification-preferences", body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(field),
            "{body}: {answer}"
        );
    }
    // Where a member's pages go is theirs: a token limited by scopes neither reads the phone
    // nor changes it.
    let scoped = server.create_token("ada@example.com", &["--scope", "readHttpMonitors"]);
    let (status, _) = server
        .as_(&scoped)
        .get("/users/me/notification-preferences")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .as_(&scoped)
        .put(
            "/users/me/notification-preferences",
            json!({"phone": "+33600000000"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
