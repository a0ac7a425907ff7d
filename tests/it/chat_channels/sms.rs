//! SMS through a Twilio-compatible API, against a stand-in that checks what Twilio's Messages
//! resource checks: the path with the account SID, HTTP Basic auth (SID and auth token), a
//! form with `To`, `From` and `Body`; it answers 201 with the message's SID, or Twilio's error
//! JSON: 401 code 20003 for bad credentials, 400 code 21211 for a number it cannot text
//! (+15005550001, Twilio's own test number for that error).

use base64::Engine;
use serde_json::json;

use super::provider::{Provider, Request};
use super::{as_editor, backup_fails, link, refused, send_test};
use crate::notifications::{channel, deliveries, nine_o_clock, setup};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-auth-token-1";
const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json";
const INVALID: &str = "+15005550001";

fn twilio_error(status: u16, code: u32, message: &str) -> (u16, String) {
    let body = json!({"code": code, "message": message, "status": status,
                      "more_info": format!("https://www.twilio.com/docs/errors/{code}")});
    (status, body.to_string())
}

/// What Twilio's `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` answers.
fn twilio(r: &Request) -> (u16, String) {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
    if r.header("authorization") != Some(&format!("Basic {basic}")) {
        return twilio_error(401, 20003, "Authenticate");
    }
    if r.method != "POST" || r.path != MESSAGES {
        return twilio_error(404, 20404, "The requested resource was not found");
    }
    if r.header("content-type") != Some("application/x-www-form-urlencoded") {
        return twilio_error(400, 21620, "Invalid media type");
    }
    let form = Request::pairs(&r.body);
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(to), Some(from), Some(body)) = (get("To"), get("From"), get("Body")) else {
        return twilio_error(400, 21604, "A 'To', 'From' and 'Body' are required");
    };
    if to == INVALID {
        return twilio_error(400, 21211, &format!("Invalid 'To' Phone Number: {to}"));
    }
    let created = json!({"sid": "SM87105da94bff44b999e4e6eb90d8eb6a", "status": "queued",
                         "to": to, "from": from, "body": body, "num_segments": "1"});
    (201, created.to_string())
}

fn form(r: &Request) -> Vec<(String, String)> {
    Request::pairs(&r.body)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_number_gets_one_sms_within_one_segment() {
    let api = Provider::start(twilio).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let config = json!({"apiUrl": api.url("/"), "accountSid": SID, "authToken": TOKEN,
                        "from": "+14155550100", "numbers": ["+33612345678", "+447700900123"]});
    let id = channel(
        &server,
        &ada,
        json!({"name": "On call", "kind": "sms", "config": config}),
    )
    .await;
    let incident = backup_fails(&server, &ada).await;
    let requests = api.wait_for(2).await;
    let to: Vec<String> = requests.iter().map(|r| form(r)[0].1.clone()).collect();
    assert_eq!(
        to,
        ["+33612345678", "+447700900123"],
        "one request per number, in order"
    );
    for r in &requests {
        let fields = form(r);
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["To", "From", "Body"]);
        assert_eq!(fields[1].1, "+14155550100");
        let body = &fields[2].1;
        assert_eq!(
            body,
            &format!(
                "[dutyduck] Incident opened: Nightly backup\n{}",
                link(&incident)
            )
        );
        assert!(body.chars().count() <= 160, "one GSM-7 segment");
    }
    // The attempt is recorded once the second answer is in: wait for it.
    let listed = crate::common::eventually("the delivery recorded", || async {
        let listed = deliveries(&server, &ada, &id).await;
        (listed[0]["status"] != "pending").then_some(listed)
    })
    .await;
    assert_eq!(
        (&listed[0]["status"], &listed[0]["attempts"]),
        (&json!("sent"), &json!(1))
    );
}

/// A refusal is quoted with Twilio's code, the other numbers still get their SMS, and neither
/// the token nor the URL appears in the error.
#[tokio::test(flavor = "multi_thread")]
async fn a_number_the_provider_refuses_fails_the_delivery_quoting_its_error() {
    let api = Provider::start(twilio).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let config = json!({"apiUrl": api.url(""), "accountSid": SID, "authToken": TOKEN,
                        "from": "+14155550100", "numbers": [INVALID, "+33612345678"]});
    let id = channel(
        &server,
        &ada,
        json!({"name": "Texts", "kind": "sms", "config": config}),
    )
    .await;
    let answer = send_test(&server, &ada, &id).await;
    assert_eq!(answer["outcome"], "failed");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.starts_with("1 of 2 requests failed: #1: HTTP 400 Bad Request: {"),
        "{error}"
    );
    assert!(error.contains("\"code\":21211"), "{error}");
    assert!(!error.contains(TOKEN) && !error.contains(SID), "{error}");
    let statuses: Vec<u16> = api.received().iter().map(|r| twilio(r).0).collect();
    assert_eq!(statuses, [400, 201], "the second number was still texted");
    let body = &form(&api.received()[1])[2].1;
    assert_eq!(
        body,
        "[dutyduck] Test message\nhttps://duck.example.com/dashboard"
    );

    // A wrong token: Twilio's 401, quoted, the token itself nowhere.
    let wrong = json!({"name": "Texts", "config": {"apiUrl": api.url(""), "accountSid": SID,
                       "authToken": "wrong-token", "from": "+14155550100", "numbers": ["+33612345678"]}});
    let (status, body) = server
        .as_(&ada)
        .patch(&format!("/notification-channels/{id}"), wrong)
        .await;
    assert!(status.is_success(), "{body}");
    let answer = send_test(&server, &ada, &id).await;
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("HTTP 401 Unauthorized") && error.contains("20003"),
        "{error}"
    );
    assert!(!error.contains("wrong-token"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn numbers_must_be_e164_and_the_token_is_masked() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let base = json!({"accountSid": SID, "authToken": TOKEN, "from": "+14155550100"});
    for (numbers, field) in [
        (json!(["06 12 34 56 78"]), "config.numbers[0]"),
        (
            json!(["+33612345678", "0033612345678"]),
            "config.numbers[1]",
        ),
    ] {
        let mut config = base.clone();
        config["numbers"] = numbers;
        let body = json!({"name": "x", "kind": "sms", "config": config});
        let message = refused(&server, &ada, body).await;
        assert!(message.starts_with(&format!("{field}:")), "{message}");
    }
    let mut config = base.clone();
    config["numbers"] = json!(["+33612345678"]);
    let id = channel(
        &server,
        &ada,
        json!({"name": "x", "kind": "sms", "config": config}),
    )
    .await;
    let shown = as_editor(&server, &id).await;
    assert_eq!(shown["config"]["authToken"], "********");
    assert_eq!(shown["config"]["apiUrl"], "https://api.twilio.com");
}
