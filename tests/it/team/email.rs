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
