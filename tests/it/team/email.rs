//! The invitation e-mail, received by a real SMTP server: its link (on `--public-url`) is the
//! one the API answered, and it works.

use reqwest::StatusCode;
use serde_json::json;

use super::{accept_new, from_link, invite, org_of};
use crate::common::receivers::SmtpReceiver;
use crate::notifications::{PUBLIC_URL, nine_o_clock, setup};

#[tokio::test(flavor = "multi_thread")]
async fn the_invitation_is_e_mailed_with_its_link() {
    let smtp = SmtpReceiver::start().await;
    let (server, ada) = setup(&nine_o_clock(), Some(&smtp)).await;
    let org = org_of(&server, &ada).await;
    let invited = invite(&server, &ada, &org, "bob@example.com", "Editor").await;
    assert_eq!(invited["emailSent"], true, "{invited}");
    assert!(invited["emailError"].is_null());
    let link = invited["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{PUBLIC_URL}/dashboard/invitation?")),
        "{link}"
    );

    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, ["bob@example.com"]);
    let subject = mails[0].header("Subject").unwrap();
    assert!(subject.contains("Acme"), "{subject}");
    let body = mails[0].body();
    assert!(body.contains(link), "{body}");
    assert!(body.contains("Editor"), "{body}");

    // The mailed link is the way in.
    let (path, secret) = from_link(link);
    let (status, profile, _) = accept_new(&server, &path, &secret).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["organization_roles"], json!(["Editor"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_public_url_the_link_is_shown_not_mailed() {
    let smtp = SmtpReceiver::start().await;
    let server = crate::common::TestServer::start_configured(nine_o_clock(), |config| {
        config.smtp = Some(smtp.settings());
    })
    .await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let org = org_of(&server, &ada).await;
    // A Host of the inviter's choosing must not reach an inbox through this server's relay.
    let resp = server
        .as_(&ada)
        .request(
            reqwest::Method::POST,
            &format!("/organizations/{org}/members/invite"),
        )
        .header("host", "evil.example")
        .json(&json!({"email": "bob@example.com", "role": "Reporter"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let invited: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(invited["emailSent"], false, "{invited}");
    assert!(
        invited["emailError"]
            .as_str()
            .unwrap()
            .contains("--public-url"),
        "{invited}"
    );
    assert!(
        invited["link"]
            .as_str()
            .unwrap()
            .starts_with("http://evil.example/")
    );
    // A sent invitation is sent before the answer (see the test above): none was.
    assert_eq!(smtp.mails().len(), 0);
}
