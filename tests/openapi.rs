//! `/openapi.json` stays true: every route is in it, and everything in it is a real route.

mod common;

use common::{TestServer, code};
use reqwest::Method;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn the_document_and_the_router_describe_the_same_routes() {
    let server = TestServer::start().await;
    let (status, doc) = server.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");

    // Walk the router: every non-hidden route is documented, with a summary and responses.
    let routes = dutyduck::http::routes();
    let mut documented = 0;
    for route in routes.iter().filter(|r| !r.doc.hidden) {
        let op = &doc["paths"][route.path][route.method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is missing from /openapi.json",
            route.method,
            route.path
        );
        assert!(
            !op["summary"].as_str().unwrap_or("").is_empty(),
            "{} {} has no summary",
            route.method,
            route.path
        );
        assert!(
            op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.starts_with('2')),
            "{} {}",
            route.method,
            route.path
        );
        documented += 1;
    }

    // Walk the document: every operation answers, i.e. is not an unknown route or method.
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            let concrete = path.replace("{id}", "00000000-0000-0000-0000-000000000000");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = server
                .request(method.clone(), &concrete)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            assert_ne!(code(&body), "route_not_found", "{method} {path}");
            assert_ne!(status, 405, "{method} {path}");
        }
    }
    assert_eq!(
        operations, documented,
        "the document lists operations the router does not have"
    );

    // Referenced schemas all exist.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}
