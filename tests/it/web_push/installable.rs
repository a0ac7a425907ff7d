//! The installable dashboard: the manifest index.html links (name, start URL, standalone, PNG
//! icons 192 and 512, maskable ones) and the service worker at its stable URL, revalidated at
//! each visit so an update is found.

use regex::Regex;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::TestServer;

async fn get(server: &TestServer, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let resp = server
        .client
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    let header = |name: &str| resp.headers()[name].to_str().unwrap().to_owned();
    let (cache, kind) = (header("cache-control"), header("content-type"));
    (
        resp.status(),
        cache,
        kind,
        resp.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manifest_and_service_worker_make_the_dashboard_installable() {
    let server = TestServer::start().await;
    let (_, _, _, index) = get(&server, "/dashboard/").await;
    let index = String::from_utf8(index).unwrap();
    let link = Regex::new(
        r#"<link rel="manifest" href="(/dashboard/manifest\.[0-9a-f]{12}\.webmanifest)">"#,
    )
    .unwrap();
    let path = &link
        .captures(&index)
        .expect("index.html links the manifest")[1];
    let (status, _, _, manifest) = get(&server, path).await;
    assert_eq!(status, StatusCode::OK);
    let manifest: Value = serde_json::from_slice(&manifest).unwrap();
    assert_eq!(manifest["start_url"], "/dashboard/");
    assert_eq!(
        manifest["id"], "/dashboard/",
        "the same app whatever the manifest's hashed URL"
    );
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().unwrap();
    for (size, purpose) in [
        (192, "any"),
        (512, "any"),
        (192, "maskable"),
        (512, "maskable"),
    ] {
        let icon = icons
            .iter()
            .find(|i| i["sizes"] == format!("{size}x{size}") && i["purpose"] == purpose)
            .unwrap_or_else(|| panic!("a {purpose} icon of {size} px"));
        let (status, _, kind, png) = get(&server, icon["src"].as_str().unwrap()).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
        // The PNG's IHDR: width and height, big-endian, at bytes 16 and 20.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (size, size), "{icon}");
    }

    let (status, cache, kind, worker) = get(&server, "/dashboard/sw.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cache, "no-cache",
        "an updated worker is found at the next visit"
    );
    assert!(kind.starts_with("text/javascript"), "{kind}");
    let worker = String::from_utf8(worker).unwrap();
    assert!(
        worker.contains("addEventListener('push'")
            && worker.contains("addEventListener('notificationclick'")
    );
}
