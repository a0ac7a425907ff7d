//! A status page's component checked from several locations names them with their status, in
//! the page and its JSON; one checked from this server only says nothing of locations.

use serde_json::json;

use super::fleet::{Fleet, probe};
use crate::common::target::Target;
use crate::status_pages::{page, public_json, services, visit};

#[tokio::test(flavor = "multi_thread")]
async fn a_status_page_shows_where_a_monitor_is_checked_from() {
    let fleet = Fleet::start().await;
    let target = Target::start().await;
    let id = fleet
        .create(json!({"name": "shop-internal", "url": target.url(),
            "locations": ["local", "region=eu-west", "region=us-east"]}))
        .await;
    let plain = fleet.create(json!({"url": target.url()})).await;
    let org = fleet.org(&id).await;
    let (eu, us) = (probe(Some(org), "eu-west"), probe(Some(org), "us-east"));
    fleet.slot(&id, &[(&eu, true), (&us, false)]).await;
    let groups = services(&[("monitor", &id, "Shop"), ("monitor", &plain, "Blog")]);
    page(
        &fleet.server,
        &fleet.token,
        json!({"slug": "acme", "title": "Acme", "groups": groups}),
    )
    .await;

    let (_, _, html) = visit(&fleet.server, "/status/acme", &[("accept-language", "en")]).await;
    assert!(html.contains("Checked from 3 locations:"), "{html}");
    assert_eq!(
        html.matches("sp-locations").count(),
        1,
        "only Shop has locations"
    );
    for (name, status) in [
        ("This server", "up"),
        ("eu-west", "up"),
        ("us-east", "down"),
    ] {
        let shown = format!("<span class=\"sp-location\" data-status=\"{status}\">{name} ");
        assert!(html.contains(&shown), "{shown} in {html}");
    }
    let (_, _, french) = visit(&fleet.server, "/status/acme", &[("accept-language", "fr")]).await;
    assert!(
        french.contains("Vérifié depuis 3 emplacements :"),
        "{french}"
    );
    assert!(
        french.contains("data-status=\"up\">Ce serveur "),
        "{french}"
    );

    let json = public_json(&fleet.server, "acme").await;
    let shop = &json["groups"][0]["components"][0];
    assert_eq!(
        shop["locations"],
        json!([{"name": "local", "status": "up"}, {"name": "eu-west", "status": "up"},
               {"name": "us-east", "status": "down"}])
    );
    assert!(
        json["groups"][0]["components"][1]
            .get("locations")
            .is_none()
    );
}
