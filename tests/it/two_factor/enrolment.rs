//! Enrolment, the login's second step, used codes, recovery codes, the throttle, the CLI.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{answer, dashboard, enrol, login, server, sign_in_with_code, totp};
use crate::common::code;

#[tokio::test(flavor = "multi_thread")]
async fn enrol_then_sign_in_with_a_code_used_once() {
    let server = server().await;
    server.create_user("ada@example.com", "Acme", None);
    let cookie = server.session_cookie("ada@example.com").await;

    let (status, enrolment) =
        dashboard(&server, &cookie, Method::POST, "/users/me/two-factor", None).await;
    assert_eq!(status, StatusCode::OK);
    let uri = enrolment["otpauthUri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/dutyduck:ada%40example%2Ecom?secret="),
        "{uri}"
    );
    assert!(enrolment["qrSvg"].as_str().unwrap().contains("<svg"));
    // A wrong code does not turn it on; sign-in still needs only the password.
    let (status, body) = dashboard(
        &server,
        &cookie,
        Method::POST,
        "/users/me/two-factor/confirm",
        Some(json!({"code": "000000"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (secret, codes) = enrol(&server, &cookie).await;
    assert_eq!(codes.len(), 10);
    // The key is never shown again.
    let (status, body) =
        dashboard(&server, &cookie, Method::POST, "/users/me/two-factor", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "two_factor_enabled")
    );
    let (_, status_body) =
        dashboard(&server, &cookie, Method::GET, "/users/me/two-factor", None).await;
    assert_eq!(
        status_body,
        json!({"enabled": true, "recoveryCodesLeft": 10, "requiredByOrganization": false})
    );

    // The password alone opens no session: a challenge.
    server.clock.advance(Duration::seconds(30));
    let (status, cookie_set, body) = login(&server, "ada@example.com").await;
    assert_eq!((status, cookie_set.is_none()), (StatusCode::OK, true));
    assert_eq!(body["twoFactorRequired"], true);
    let challenge = body["challenge"].clone();
    let code_now = totp(&server, &secret);
    let (status, cookie_set, profile) = answer(&server, &challenge, "code", &code_now).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["user"]["email"], "ada@example.com");
    let session = cookie_set.unwrap();
    assert_eq!(
        server.session(&session).get("/users/me").await.0,
        StatusCode::OK
    );

    // The same code again, even with a fresh challenge, is refused; the challenge is used up.
    let (_, _, body) = login(&server, "ada@example.com").await;
    let (status, _, refused) = answer(&server, &body["challenge"], "code", &code_now).await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::UNAUTHORIZED, "invalid_two_factor_code")
    );
    let (status, _, refused) = answer(&server, &challenge, "code", &code_now).await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::UNAUTHORIZED, "two_factor_challenge_expired")
    );

    // The next step's code works; a challenge expires after 5 minutes.
    server.clock.advance(Duration::seconds(30));
    let (status, _, _) = answer(&server, &body["challenge"], "code", &totp(&server, &secret)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = login(&server, "ada@example.com").await;
    server.clock.advance(Duration::minutes(5));
    let (status, _, refused) =
        answer(&server, &body["challenge"], "code", &totp(&server, &secret)).await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::UNAUTHORIZED, "two_factor_challenge_expired")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recovery_code_works_once_and_regenerating_replaces_them() {
    let server = server().await;
    server.create_user("ada@example.com", "Acme", None);
    let cookie = server.session_cookie("ada@example.com").await;
    let (_, codes) = enrol(&server, &cookie).await;

    let (_, _, body) = login(&server, "ada@example.com").await;
    let typed = codes[0].to_uppercase();
    let (status, cookie_set, _) = answer(&server, &body["challenge"], "recoveryCode", &typed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cookie_set.is_some());
    let (_, _, body) = login(&server, "ada@example.com").await;
    let (status, _, _) = answer(&server, &body["challenge"], "recoveryCode", &codes[0]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a recovery code works once"
    );

    let (status, fresh) = dashboard(
        &server,
        &cookie,
        Method::POST,
        "/users/me/two-factor/recovery-codes",
        Some(json!({"password": crate::common::PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    let (status, _, _) = answer(&server, &body["challenge"], "recoveryCode", &codes[1]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old codes are gone");
    let (status, _, _) = answer(
        &server,
        &body["challenge"],
        "recoveryCode",
        &fresh["recoveryCodes"][9],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let server = server().await;
    server.create_user("ada@example.com", "Acme", None);
    let cookie = server.session_cookie("ada@example.com").await;
    let (secret, _) = enrol(&server, &cookie).await;
    server.clock.advance(Duration::seconds(30));

    // 5 free failures for an account from one address, whether the password is retyped or not.
    let (_, _, body) = login(&server, "ada@example.com").await;
    for _ in 0..3 {
        let (status, _, _) = answer(&server, &body["challenge"], "code", &"000000").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, _, body) = login(&server, "ada@example.com").await;
    assert_eq!(
        body["twoFactorRequired"], true,
        "a right password is admitted: {body}"
    );
    for _ in 0..2 {
        let (status, _, _) = answer(&server, &body["challenge"], "code", &"000000").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The right code now waits too, and so does the password.
    let (status, _, refused) =
        answer(&server, &body["challenge"], "code", &totp(&server, &secret)).await;
    assert_eq!(
        (status, code(&refused)),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
    );
    let (status, _, _) = login(&server, "ada@example.com").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Past the wait, the password then (after the wait its own attempt set) the code.
    server.clock.advance(Duration::seconds(2));
    let (_, _, body) = login(&server, "ada@example.com").await;
    server.clock.advance(Duration::seconds(2));
    let (status, session, _) =
        answer(&server, &body["challenge"], "code", &totp(&server, &secret)).await;
    assert_eq!((status, session.is_some()), (StatusCode::OK, true));
    // A success clears the count: the next sign-in waits for nothing.
    server.clock.advance(Duration::seconds(30));
    sign_in_with_code(&server, "ada@example.com", &secret).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn turning_it_off_needs_a_proof_and_the_cli_removes_it() {
    let server = server().await;
    server.create_user("ada@example.com", "Acme", None);
    let cookie = server.session_cookie("ada@example.com").await;
    let (secret, _) = enrol(&server, &cookie).await;

    let (status, _) = dashboard(
        &server,
        &cookie,
        Method::DELETE,
        "/users/me/two-factor",
        Some(json!({"password": "not the password"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The code of the enrolment step is used up: the next one.
    server.clock.advance(Duration::seconds(30));
    let (status, _) = dashboard(
        &server,
        &cookie,
        Method::DELETE,
        "/users/me/two-factor",
        Some(json!({"code": totp(&server, &secret)})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, cookie_set, _) = login(&server, "ada@example.com").await;
    assert_eq!((status, cookie_set.is_some()), (StatusCode::OK, true));

    // Lost phone: the administrator removes it offline, while the server runs.
    let (secret, _) = enrol(&server, &cookie).await;
    assert!(!secret.is_empty());
    let out = server.cli(&["user", "remove-two-factor", "ADA@example.com"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ada@example.com"));
    let (status, cookie_set, _) = login(&server, "ada@example.com").await;
    assert_eq!((status, cookie_set.is_some()), (StatusCode::OK, true));
    let out = server.cli(&["user", "remove-two-factor", "nobody@example.com"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
