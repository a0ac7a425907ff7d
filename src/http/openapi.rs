//! `/openapi.json`, generated from the route table and the request/response types themselves.

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::reply::ErrorBody;
use super::router::{Route, SchemaFn};

const COMPONENTS: &str = "/components/schemas";

pub fn document(routes: &[Route]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = COMPONENTS.into())
        .into_generator();
    let error_schema = generator.subschema_for::<ErrorBody>();
    let mut paths = Map::new();
    for route in routes.iter().filter(|r| !r.doc.hidden) {
        let operation = operation(route, &mut generator, &error_schema);
        let item = paths.entry(route.path).or_insert_with(|| json!({}));
        item[route.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "dutyduck API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Authenticate with the X-Api-Token-Id and X-Api-Token-Secret-Key headers \
                (create a token under My account → API tokens, or with `dutyduck token create`). \
                Every error body is {\"error\": {\"code\", \"message\"}}."
        },
        "components": {
            "securitySchemes": {
                "tokenId": {"type": "apiKey", "in": "header", "name": "X-Api-Token-Id"},
                "tokenSecret": {"type": "apiKey", "in": "header", "name": "X-Api-Token-Secret-Key"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::accounts::sessions::COOKIE_NAME}
            },
            "schemas": generator.take_definitions(true)
        },
        "security": [{"tokenId": [], "tokenSecret": []}, {"session": []}],
        "paths": paths
    })
}

fn operation(
    route: &Route,
    generator: &mut SchemaGenerator,
    error_schema: &schemars::Schema,
) -> Value {
    let doc = &route.doc;
    let mut parameters: Vec<Value> = route
        .param_names()
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    if let Some(query) = doc.query {
        parameters.extend(query_parameters(query, generator));
    }
    let mut responses = Map::new();
    for (status, description, schema) in &doc.responses {
        let mut response = json!({"description": description});
        if let Some(schema) = schema {
            response["content"] = json!({"application/json": {"schema": schema(generator)}});
        }
        responses.insert(status.to_string(), response);
    }
    let error =
        json!({"description": "Error", "content": {"application/json": {"schema": error_schema}}});
    responses.insert("4XX".into(), error.clone());
    responses.insert("5XX".into(), error);

    let mut op = json!({
        "summary": doc.summary,
        "tags": [doc.tag],
        "operationId": operation_id(route),
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(body) = doc.body {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": body(generator)}}});
    }
    if doc.public {
        op["security"] = json!([]);
    }
    op
}

/// A query type's fields, one parameter each (arrays are repeated keys).
fn query_parameters(query: SchemaFn, generator: &mut SchemaGenerator) -> Vec<Value> {
    let schema = query(generator).to_value();
    let resolved = match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
    {
        Some(name) => generator.definitions().get(name).cloned().unwrap_or(schema),
        None => schema,
    };
    let required: Vec<&str> = resolved
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let Some(properties) = resolved.get("properties").and_then(Value::as_object) else {
        return vec![];
    };
    properties
        .iter()
        .map(|(name, schema)| {
            let mut parameter = json!({"name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": schema});
            if let Some(description) = schema.get("description") {
                parameter["description"] = description.clone();
            }
            parameter
        })
        .collect()
}

/// `POST /tasks/{id}/start` → `postTasksIdStart`.
fn operation_id(route: &Route) -> String {
    let mut id = route.method.as_str().to_lowercase();
    for word in route
        .path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}
