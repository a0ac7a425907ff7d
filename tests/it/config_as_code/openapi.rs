//! `/openapi.json` says what the `/config` routes really do: `version` is 1 and nothing else,
//! and `GET /config` may answer YAML.

use crate::common::TestServer;

#[tokio::test(flavor = "multi_thread")]
async fn the_document_says_version_1_and_the_yaml_answer() {
    let server = TestServer::start().await;
    let (_, doc) = server.anonymous().get("/openapi.json").await;
    let get = &doc["paths"]["/config"]["get"]["responses"]["200"]["content"];
    assert!(get["application/yaml"]["schema"].is_object(), "{get}");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Document"]["properties"]["version"]["enum"],
        serde_json::json!([1]),
        "{}",
        schemas["Document"]
    );
}
