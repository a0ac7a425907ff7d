//! `/openapi.json`, generated from the route table and the request/response types themselves.

use schemars::generate::SchemaSettings;
use schemars::transform::transform_subschemas;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::reply::ErrorBody;
use super::router::{Route, SchemaFn};

const COMPONENTS: &str = "/components/schemas";

/// The generator of every schema: the document's, and the one `known_fields` checks bodies by.
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = COMPONENTS.into())
        .with_transform(state_limits)
        .into_generator()
}

/// Limits the server applies to every type, written into the schema: an object with declared
/// fields takes no others (`known_fields` refuses them), and a fixed-size integer fits its type
/// (schemars says `format: uint32` but not the maximum, which clients then exceed).
///
/// An object whose fields are partly declared by subschemas (a monitor: its common fields, plus
/// its kind's in a `oneOf` branch) is closed with `unevaluatedProperties`, which counts the
/// branch's fields as declared; `additionalProperties` would refuse them. The branch itself
/// (a `$ref` to the kind's settings beside its `kind` tag) is left open, and so are the
/// settings it refers to (they say `additionalProperties: true`): the whole object closes it.
fn state_limits(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        // Only struct schemas (typed "object"); not the partial ones inside if/then or anyOf.
        let composed = ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| object.contains_key(*k));
        if object.contains_key("properties")
            && !object.contains_key("additionalProperties")
            && !object.contains_key("$ref")
            && schema_types(object).any(|t| t == "object")
        {
            let closed = match composed {
                true => "unevaluatedProperties",
                false => "additionalProperties",
            };
            object.insert(closed.into(), Value::Bool(false));
        }
        let bounds: Option<(i64, i64)> = match object.get("format").and_then(Value::as_str) {
            Some("uint8") => Some((0, u8::MAX.into())),
            Some("uint16") => Some((0, u16::MAX.into())),
            Some("uint32") => Some((0, u32::MAX.into())),
            Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
            _ => None,
        };
        if let Some((low, high)) = bounds {
            object.entry("minimum").or_insert(low.into());
            object.entry("maximum").or_insert(high.into());
        }
    }
    transform_subschemas(&mut state_limits, schema);
}

fn schema_types(object: &Map<String, Value>) -> impl Iterator<Item = &str> {
    let types = match object.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    types.into_iter()
}

/// A schema outside the definitions (parameters), with `state_limits` applied: the generator
/// applies its transforms to definitions only when it hands them over.
fn limited(mut schema: Schema) -> Value {
    state_limits(&mut schema);
    schema.to_value()
}

pub fn document(routes: &[Route]) -> Value {
    let mut generator = generator();
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
        .map(|name| {
            let schema = match doc.params.iter().find(|(n, _)| *n == name) {
                Some((_, schema)) => limited(schema(generator)),
                None => json!({"type": "string", "minLength": 1}),
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect();
    if let Some(query) = doc.query {
        parameters.extend(query_parameters(query, generator));
    }
    let mut responses = Map::new();
    for (status, description, schema) in &doc.responses {
        let mut response = json!({"description": description});
        if let Some(schema) = schema {
            response["content"] = json!({"application/json": {"schema": schema(generator)}});
            for (_, media_type) in doc.also_as.iter().filter(|(s, _)| s == status) {
                response["content"][*media_type] = json!({"schema": schema(generator)});
            }
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
            let schema = limited(Schema::try_from(schema.clone()).unwrap_or_default());
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

/// What a create route's body needs beyond the type it shares with the route that edits
/// (where every field is optional): the fields it requires, and further rules if any.
pub trait OnCreate: JsonSchema {
    const REQUIRED: &'static [&'static str];

    fn more_rules(_schema: &mut Schema, _generator: &mut SchemaGenerator) {}
}

/// The document's body of a create route: `T` with `T::REQUIRED` required and not null.
pub struct Create<T>(std::marker::PhantomData<T>);

impl<T: OnCreate> JsonSchema for Create<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("New{}", T::schema_name()).into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        format!("Create<{}>", T::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = T::json_schema(generator);
        let object = schema.ensure_object();
        let required = object.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = required.as_array_mut() {
            list.extend(T::REQUIRED.iter().map(|f| json!(f)));
        }
        for field in T::REQUIRED {
            if let Some(Value::Object(property)) =
                object.get_mut("properties").and_then(|p| p.get_mut(*field))
            {
                property.remove("default");
                if let Some(Value::Array(types)) = property.get_mut("type") {
                    types.retain(|t| t != "null");
                }
                if let Some(Value::Array(choices)) = property.get_mut("anyOf") {
                    choices.retain(|c| c != &json!({"type": "null"}));
                }
            }
        }
        T::more_rules(&mut schema, generator);
        schema
    }
}
