//! Serde helpers shared by the bodies of several features.

use serde::{Deserialize, Deserializer};

/// For `Option<Option<T>>` body fields (with `#[serde(default)]`): tells an absent field
/// (None: keep the value) from an explicit null (Some(None): reset it). Plain serde reads both as
/// None.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// For list fields (with `#[serde(default)]`) of a struct read from a JSON body and, through
/// `#[serde(flatten)]`, from a query string: a flattened query hands over a key given once as
/// one value and a repeated key as a list.
pub fn one_or_many<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::Many(all) => all,
        OneOrMany::One(one) => vec![one],
    })
}

/// For body fields (with `#[serde(default)]`) whose null means empty, as in the original
/// product's `{"records": null}`.
pub fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::present")]
        name: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let read = |json: &str| serde_json::from_str::<Body>(json).unwrap().name;
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"name": null}"#), Some(None));
        assert_eq!(read(r#"{"name": "x"}"#), Some(Some("x".to_owned())));
    }
}
