//! `/openapi.json` stays true: every route is in it, and everything in it is a real route.

use crate::common::{TestServer, code};
use reqwest::Method;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn the_document_and_the_router_describe_the_same_routes() {
    let server = TestServer::start().await;
    let (status, doc) = server.anonymous().get("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");

    // Walk the router: every non-hidden route is documented, with a summary and responses.
    let routes = dutyduck::routes::all();
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

/// The schema of `name` in the document, `$ref`s followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(r.trim_start_matches('#')).unwrap()),
        None => schema,
    }
}

fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    let parameters = doc["paths"][path][method]["parameters"].as_array().unwrap();
    let p = parameters.iter().find(|p| p["name"] == name).unwrap();
    resolve(doc, &p["schema"])
}

#[tokio::test(flavor = "multi_thread")]
async fn the_document_states_the_constraints_the_server_checks() {
    let server = TestServer::start().await;
    let (_, doc) = server.anonymous().get("/openapi.json").await;
    let schemas = &doc["components"]["schemas"];

    // Path ids: UUIDs where the server parses UUIDs; task ids are the user's own strings.
    assert_eq!(
        parameter(&doc, "/monitors/{id}", "get", "id")["format"],
        "uuid"
    );
    assert_eq!(
        parameter(&doc, "/api-tokens/{id}", "delete", "id")["format"],
        "uuid"
    );
    let task_id = parameter(&doc, "/tasks/{id}", "get", "id");
    assert_eq!(
        (task_id["type"].as_str(), task_id.get("format")),
        (Some("string"), None)
    );
    assert_eq!(task_id["maxLength"], 200);
    assert_eq!(
        parameter(&doc, "/ping/{key}/{exitCode}", "get", "exitCode")["maximum"],
        255
    );

    // Integer query parameters have both bounds; enumerations are enumerations.
    let items = parameter(&doc, "/monitors", "get", "itemsPerPage");
    assert_eq!(
        (items["minimum"].as_u64(), items["maximum"].as_u64()),
        (Some(0), Some(u32::MAX.into()))
    );
    assert_eq!(
        parameter(&doc, "/incidents", "get", "orderDirection")["enum"],
        serde_json::json!(["asc", "desc"])
    );
    let settings = &schemas["Settings"]["properties"]["language"];
    assert_eq!(
        resolve(&doc, settings)["enum"],
        serde_json::json!(["en", "fr"])
    );

    // Bodies: required fields, their lengths and ranges, and no undeclared fields.
    let declare = &schemas["Declare"];
    assert_eq!(declare["required"], serde_json::json!(["title"]));
    assert_eq!(declare["additionalProperties"], false);
    assert_eq!(declare["properties"]["title"]["minLength"], 1);
    assert_eq!(declare["properties"]["title"]["maxLength"], 200);
    let monitor = &schemas["MonitorInput"]["properties"];
    assert_eq!(monitor["url"]["maxLength"], 2048);
    assert_eq!(monitor["requestHeaders"]["maxProperties"], 50);
    assert_eq!(
        (
            monitor["intervalSeconds"]["minimum"].as_u64(),
            monitor["intervalSeconds"]["maximum"].as_u64()
        ),
        (Some(5), Some(86_400))
    );
    assert_eq!(
        schemas["TaskInput"]["properties"]["cronSchedule"]["maxLength"],
        200
    );
    assert!(
        schemas["CreateToken"]["properties"]["label"]["pattern"]
            .as_str()
            .unwrap()
            .contains("\\u202a-\\u202e"),
        "labels refuse bidi controls"
    );
}

/// A create body is one kind's: the document's alternatives say which fields each kind needs
/// and that another kind's fields are absent (or null), so a generated body that mixes kinds
/// is not "valid" there while the server refuses it.
#[tokio::test]
async fn a_new_monitor_is_one_kind_s_in_the_document() {
    let server = TestServer::start().await;
    let (_, doc) = server.anonymous().get("/openapi.json").await;
    let alternatives = doc["components"]["schemas"]["NewMonitorInput"]["oneOf"]
        .as_array()
        .unwrap()
        .clone();
    let tag = |a: &Value| a["properties"]["kind"].clone();
    assert_eq!(
        alternatives.iter().map(tag).collect::<Vec<_>>(),
        [
            serde_json::json!({"enum": ["http", null]}),
            serde_json::json!({"const": "tcp"}),
            serde_json::json!({"const": "dns"}),
            serde_json::json!({"const": "tls"}),
            serde_json::json!({"const": "icmp"}),
        ]
    );
    let tcp = &alternatives[1];
    assert_eq!(tcp["required"], serde_json::json!(["kind", "host", "port"]));
    assert_eq!(
        tcp["properties"]["url"],
        serde_json::json!({"type": "null"})
    );
    assert_eq!(alternatives[0]["required"], serde_json::json!(["url"]));
    assert_eq!(
        alternatives[0]["properties"]["host"],
        serde_json::json!({"type": "null"})
    );
}
