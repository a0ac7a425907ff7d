//! The dashboard's files under content-hashed names: `index.html` is never stored (it carries the
//! caller's boot facts) and loads the modules as one bundle; every hashed file is `immutable`
//! and imports only hashed files, so a browser holding them never asks again. Old unhashed URLs
//! still answer. The naming and bundling rules themselves (`build/hashed.rs`, `build/bundle.rs`)
//! are tested on small trees below.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use reqwest::StatusCode;

use crate::common::TestServer;

#[path = "../../build/bundle.rs"]
mod bundle;
mod bundling;
#[path = "../../build/hashed.rs"]
#[allow(dead_code)]
mod hashed;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

async fn get(server: &TestServer, path: &str) -> (StatusCode, String, String) {
    let resp = server
        .client
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
    (resp.status(), cache, resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn index_loads_one_bundle_and_every_file_it_reaches_is_hashed_and_immutable() {
    let server = TestServer::start().await;
    let (status, cache, index) = get(&server, "/dashboard/monitors").await;
    assert_eq!(
        (status, cache.as_str()),
        (StatusCode::OK, "private, no-store")
    );

    let hashed_name = Regex::new(r"\.[0-9a-f]{12}\.(js|css|svg|webmanifest)$").unwrap();
    let url = Regex::new(r#"<(\w+[^>]*?)(?:href|src)="(/dashboard/[^"]+)""#).unwrap();
    let import = Regex::new(r#"(?:\bfrom|\bimport)\s*\(?\s*['"](\.\.?/[^'"]+)['"]"#).unwrap();
    // The page's one module script is the bundle of every module (`build/bundle.rs`).
    let scripts: Vec<String> = url
        .captures_iter(&index)
        .filter(|c| c[1].contains("type=\"module\""))
        .map(|c| c[2].to_owned())
        .collect();
    assert_eq!(scripts.len(), 1, "{index}");
    assert!(
        scripts[0].starts_with("/dashboard/app/bundle."),
        "{scripts:?}"
    );
    assert!(
        !index.contains("modulepreload"),
        "one file needs no preloads"
    );
    for c in url.captures_iter(&index) {
        let path = &c[2];
        let (status, cache, body) = get(&server, path).await;
        assert_eq!(
            (status, cache.as_str()),
            (StatusCode::OK, IMMUTABLE),
            "{path}"
        );
        assert!(
            path.starts_with("/dashboard/vendor/") || hashed_name.is_match(path),
            "{path} is neither vendored nor hashed"
        );
        if path == scripts[0] {
            assert!(!import.is_match(&body), "the bundle imports nothing");
            assert!(body.contains("__m[\"app/main.js\"] = "));
        }
    }

    // An old tab's unhashed URL still answers, revalidated, and so does every module it imports.
    let (status, cache, main) = get(&server, "/dashboard/app/main.js").await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "no-cache"));
    let mut todo: Vec<String> = import
        .captures_iter(&main)
        .map(|c| resolve("/dashboard/app", &c[1]))
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, _, body) = get(&server, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let dir = &path[..path.rfind('/').unwrap()];
        todo.extend(import.captures_iter(&body).map(|c| resolve(dir, &c[1])));
    }
    assert!(seen.len() > 20, "{seen:?}");
}

/// The boot facts `index.html` carries: what `GET /setup` and `GET /auth/session` would say.
fn boot_facts(index: &str) -> serde_json::Value {
    let block = Regex::new(r#"<script type="application/json" id="boot">([^<]*)</script>"#)
        .unwrap()
        .captures(index)
        .unwrap_or_else(|| panic!("no boot block in {index}"))[1]
        .to_owned();
    serde_json::from_str(&block).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn index_carries_the_boot_facts_of_its_caller_and_no_cache_keeps_them() {
    let server = TestServer::start().await;
    let (_, _, index) = get(&server, "/dashboard").await;
    let facts = boot_facts(&index);
    assert_eq!(
        facts,
        serde_json::json!({"setupNeeded": true, "profile": null})
    );

    server.create_user("ada@example.com", "Acme", None);
    let (_, _, index) = get(&server, "/dashboard/index.html").await;
    let facts = boot_facts(&index);
    assert_eq!(
        facts,
        serde_json::json!({"setupNeeded": false, "profile": null})
    );

    let cookie = server.session_cookie("ada@example.com").await;
    let resp = server
        .session(&cookie)
        .request(reqwest::Method::GET, "/dashboard/monitors")
        .send()
        .await
        .unwrap();
    let headers = resp.headers().clone();
    assert_eq!(headers["cache-control"], "private, no-store");
    assert!(!headers.contains_key("etag"));
    let facts = boot_facts(&resp.text().await.unwrap());
    let (_, session) = server.session(&cookie).get("/auth/session").await;
    assert_eq!(facts["profile"], session["profile"]);
    assert_eq!(facts["profile"]["user"]["email"], "ada@example.com");
}

fn resolve(dir: &str, specifier: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').collect();
    for segment in specifier.split('/') {
        match segment {
            "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    parts.join("/")
}

fn tree(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(p, d)| (p.to_string(), d.as_bytes().to_vec()))
        .collect()
}

/// The hashed name `with_hashed_names` gave `path`.
fn name_of(hashed: &[String], path: &str) -> String {
    let stem = &path[..path.rfind('.').unwrap()];
    hashed
        .iter()
        .find(|h| h.starts_with(stem) && h.len() == path.len() + 13)
        .unwrap_or_else(|| panic!("no hashed {path} in {hashed:?}"))
        .clone()
}

#[test]
fn a_change_renames_the_file_and_every_file_importing_it_but_no_other() {
    let files = [
        (
            "index.html",
            "<script src=\"/dashboard/boot.js\"></script><link href=\"/dashboard/s.css\">\n<!-- modulepreload -->\n<script type=\"module\" src=\"/dashboard/app/main.js\"></script>",
        ),
        ("s.css", "body{}"),
        ("boot.js", "1"),
        (
            "app/main.js",
            "import { a } from './lib.js';\nimport './pages/p.js';",
        ),
        ("app/lib.js", "export const a = '/dashboard/icon.svg';"),
        ("app/pages/p.js", "import { b } from './q.js';"),
        (
            "app/pages/q.js",
            "import { p } from './p.js'; export const b = import('../../vendor/v-1.mjs');",
        ),
        ("icon.svg", "<svg/>"),
        ("vendor/v-1.mjs", "export {}"),
    ];
    let (out, before) = hashed::with_hashed_names(tree(&files));
    let main = name_of(&before, "app/main.js");
    let main_text = String::from_utf8(out[&main].clone()).unwrap();
    let lib = name_of(&before, "app/lib.js");
    assert!(main_text.contains(&format!("from './{}'", &lib["app/".len()..])));
    let index = String::from_utf8(out["index.html"].clone()).unwrap();
    assert!(
        index.contains(&format!("src=\"/dashboard/{main}\"")),
        "{index}"
    );
    let boot = name_of(&before, "boot.js");
    assert!(
        index.contains(&format!("<script src=\"/dashboard/{boot}\">")),
        "{index}"
    );
    assert!(index.contains("rel=\"modulepreload\" href=\"/dashboard/vendor/v-1.mjs\""));
    assert_eq!(index.matches("modulepreload").count(), 5, "{index}");
    let lib_text = String::from_utf8(out[&lib].clone()).unwrap();
    let icon = name_of(&before, "icon.svg");
    assert!(
        lib_text.contains(&format!("'/dashboard/{icon}'")),
        "{lib_text}"
    );
    assert!(!before.iter().any(|h| h.starts_with("vendor/")));
    assert!(
        before.is_sorted(),
        "web binary-searches the list: {before:?}"
    );

    // The icon changes: it, lib and main are renamed; the pages and the stylesheet are not.
    let mut changed = files;
    changed[7].1 = "<svg></svg>";
    let (_, after) = hashed::with_hashed_names(tree(&changed));
    let renamed: BTreeSet<&str> = [
        "icon.svg",
        "app/lib.js",
        "app/main.js",
        "app/pages/p.js",
        "app/pages/q.js",
        "s.css",
    ]
    .into_iter()
    .filter(|p| name_of(&before, p) != name_of(&after, p))
    .collect();
    assert_eq!(
        renamed,
        BTreeSet::from(["icon.svg", "app/lib.js", "app/main.js"])
    );
}
