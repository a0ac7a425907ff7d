//! A status page under a spike: `GET /status/<slug>` on the real release binary against nginx
//! serving a static file of the same bytes, on loopback, in the same run.
//!
//! Run: `cargo bench --bench status_pages` (5 s per scenario), or
//! `BENCH_SECONDS=10 cargo bench --bench status_pages`. Needs Debian's nginx
//! (`apt-get install nginx-light`); without it the benchmark says so and exits 0.
//!
//! It creates, through the API, 12 monitors (against a closed port: they go down, so the page
//! shows incidents), a public page with two groups of them (uptime bars, response times) and an
//! announcement with three updates; saves the page's HTML as nginx's `index.html`; starts nginx
//! (`worker_processes auto`, access log off) with a temporary config on a free port; then loads
//! both with 64 keep-alive connections (`tests/bench/support.rs`) and prints requests/s, p50,
//! p99, max, the body size and dutyduck's share of nginx's requests/s (target: at least 50 %),
//! with dutyduck's `GET /healthz` for scale.
//! Client and servers share the machine's cores.

#[path = "nginx.rs"]
mod nginx;
#[path = "support.rs"]
mod support;

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use support::{CONNECTIONS, WARM_UP, load, report};

const COMPONENTS: usize = 12;

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let response = client.post(url).json(&body).send().await.expect("POST");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("JSON")
}

/// A page with `COMPONENTS` monitors in two groups and an announcement with three updates.
async fn page(base: &str, auth: HeaderMap) -> String {
    let api = support::client(auth);
    let mut components = Vec::new();
    for i in 0..COMPONENTS {
        let m = post(
            &api,
            format!("{base}/monitors"),
            json!({"name": format!("service-{i}"), "url": "http://127.0.0.1:9/health", "intervalSeconds": 30}),
        )
        .await;
        let show = if i % 3 == 2 { "responseTime" } else { "uptime" };
        components.push(json!({"sourceType": "monitor", "sourceId": m["id"], "publicName": format!("Service {i}"), "show": show}));
    }
    let second = components.split_off(COMPONENTS / 2);
    let page = post(
        &api,
        format!("{base}/status-pages"),
        json!({"slug": "bench", "title": "Bench status", "description": "Everything we run.",
               "groups": [{"name": "Web", "components": components}, {"name": "Back office", "components": second}]}),
    )
    .await;
    let announcements = format!(
        "{base}/status-pages/{}/announcements",
        page["id"].as_str().unwrap()
    );
    let a = post(
        &api,
        announcements.clone(),
        json!({"title": "Slow checkout", "impact": "minor", "status": "investigating", "body": "We are **looking** into it."}),
    )
    .await;
    for (status, body) in [
        ("identified", "A slow query."),
        ("monitoring", "Fixed; watching."),
    ] {
        post(
            &api,
            format!("{announcements}/{}/updates", a["id"].as_str().unwrap()),
            json!({"status": status, "body": body}),
        )
        .await;
    }
    // Let the first checks land, so the page has statuses and incidents to show.
    tokio::time::sleep(Duration::from_secs(3)).await;
    format!("{base}/status/bench")
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(nginx) = nginx::find() else {
        println!(
            "status_pages benchmark skipped: nginx is not installed. Install Debian's with \
             `sudo apt-get install nginx-light` (or nginx), then run `cargo bench --bench status_pages` again."
        );
        return;
    };
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(5.0, |s| s.parse().expect("BENCH_SECONDS"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bench = support::start().await;
    let url = page(&bench.base, bench.auth.clone()).await;
    let html = reqwest::get(&url)
        .await
        .expect("GET the page")
        .bytes()
        .await
        .expect("body");
    let nginx_dir = tempfile::tempdir().expect("temp dir");
    let (_nginx, static_url) = nginx::start(&nginx, nginx_dir.path(), &html);
    nginx::wait_until_serving(&static_url).await;

    println!(
        "\nA status page of {COMPONENTS} components ({} bytes of HTML) vs nginx serving the same bytes: \
         {CONNECTIONS} keep-alive connections on 127.0.0.1, {secs} s each after {WARM_UP:?} warm-up; \
         client and servers share the machine's {cores} cores",
        html.len()
    );
    support::report_header();
    let ours = load(&url, HeaderMap::new(), secs).await;
    let ours_rps = report("GET /status/bench", &ours, secs);
    let theirs = load(&static_url, HeaderMap::new(), secs).await;
    let theirs_rps = report("nginx /index.html", &theirs, secs);
    // dutyduck's cheapest route, for scale: what any request costs this build on this machine.
    let health = load(&format!("{}/healthz", bench.base), HeaderMap::new(), secs).await;
    report("GET /healthz (dutyduck)", &health, secs);
    println!(
        "dutyduck serves {:.0} % of nginx's requests/s (target: at least 50 %); server peak RSS {}",
        ours_rps / theirs_rps * 100.0,
        support::peak_rss(&bench.server)
    );
    assert!(
        ours.failures == 0 && theirs.failures == 0,
        "some requests failed"
    );
}
