//! What a user sets on a status page, validated: the body of `POST /status-pages` (and of the
//! preview), and `PATCH /status-pages/{id}` applied over the stored settings. Every refusal is a
//! 422 naming the field. Whether components name sources of the organization is the store's
//! question (`components::resolve`).

use schemars::JsonSchema;
use serde::Deserialize;

use super::model::{Language, Settings, Show, SourceKind, Theme, Visibility};
use crate::error::{Error, Result};
use crate::ids::ComponentId;
use crate::limits;

/// `^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`: lowercase words and hyphens, 1–64 characters.
pub const SLUG_PATTERN: &str = "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$";
/// Groups of a page, components of a page (all groups together).
pub const MAX_GROUPS: usize = 20;
pub const MAX_COMPONENTS: usize = 100;
/// The slugs that are paths of their own under `/status/`.
pub const RESERVED_SLUGS: &[&str] = &["_"];

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComponentInput {
    /// Sent back as read to keep it; absent for a new component.
    #[serde(default)]
    pub id: Option<ComponentId>,
    pub source_type: SourceKind,
    #[schemars(length(min = 1, max = limits::TASK_ID), regex(pattern = limits::LINE))]
    pub source_id: String,
    /// Default: the monitor's or task's name when saved.
    #[serde(default)]
    #[schemars(length(max = limits::NAME), regex(pattern = limits::LINE_OR_EMPTY))]
    pub public_name: Option<String>,
    /// Default: `uptime`.
    #[serde(default)]
    pub show: Option<Show>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupInput {
    #[schemars(length(max = limits::NAME), regex(pattern = limits::LINE_OR_EMPTY))]
    pub name: String,
    #[serde(default)]
    #[schemars(length(max = MAX_COMPONENTS))]
    pub components: Vec<ComponentInput>,
}

/// A new page (and the preview's draft).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageInput {
    #[schemars(length(min = 1, max = 64), regex(pattern = SLUG_PATTERN))]
    pub slug: String,
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE))]
    pub title: String,
    #[serde(default)]
    #[schemars(length(max = limits::DESCRIPTION), regex(pattern = limits::MULTILINE))]
    pub description: Option<String>,
    /// `data:image/(png|svg+xml|jpeg|webp);base64,…`, at most 100 KB decoded.
    #[serde(default)]
    #[schemars(
        length(max = 140_000),
        regex(pattern = "^data:image/(png|svg\\+xml|jpeg|webp);base64,[A-Za-z0-9+/=]+$")
    )]
    pub logo: Option<String>,
    #[serde(default)]
    #[schemars(length(max = limits::DESCRIPTION), regex(pattern = limits::MULTILINE))]
    pub footer: Option<String>,
    /// Default `public`.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    #[serde(default)]
    pub noindex: Option<bool>,
    /// Default `auto`.
    #[serde(default)]
    pub language: Option<Language>,
    /// Default `auto`.
    #[serde(default)]
    pub theme: Option<Theme>,
    #[serde(default)]
    #[schemars(length(max = MAX_GROUPS))]
    pub groups: Vec<GroupInput>,
}

impl crate::http::openapi::OnCreate for PageInput {
    const REQUIRED: &'static [&'static str] = &["slug", "title"];
}

/// A change: the fields sent replace the stored ones (`groups` wholesale); null clears
/// `description`, `logo`, `footer`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PagePatch {
    #[schemars(length(min = 1, max = 64), regex(pattern = SLUG_PATTERN))]
    pub slug: Option<String>,
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE))]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = limits::DESCRIPTION), regex(pattern = limits::MULTILINE))]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(
        length(max = 140_000),
        regex(pattern = "^data:image/(png|svg\\+xml|jpeg|webp);base64,[A-Za-z0-9+/=]+$")
    )]
    pub logo: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = limits::DESCRIPTION), regex(pattern = limits::MULTILINE))]
    pub footer: Option<Option<String>>,
    pub visibility: Option<Visibility>,
    pub noindex: Option<bool>,
    pub language: Option<Language>,
    pub theme: Option<Theme>,
    #[schemars(length(max = MAX_GROUPS))]
    pub groups: Option<Vec<GroupInput>>,
}

impl PagePatch {
    /// The stored page with this change, as a create body to validate again.
    pub fn over(self, s: &Settings) -> PageInput {
        let groups = s
            .groups
            .iter()
            .map(|g| GroupInput {
                name: g.name.clone(),
                components: g
                    .components
                    .iter()
                    .map(|c| ComponentInput {
                        id: Some(c.id),
                        source_type: c.source_type,
                        source_id: c.source_id.clone(),
                        public_name: Some(c.public_name.clone()),
                        show: Some(c.show),
                    })
                    .collect(),
            })
            .collect();
        PageInput {
            slug: self.slug.unwrap_or_else(|| s.slug.clone()),
            title: self.title.unwrap_or_else(|| s.title.clone()),
            description: self.description.unwrap_or_else(|| s.description.clone()),
            logo: self.logo.unwrap_or_else(|| s.logo.clone()),
            footer: self.footer.unwrap_or_else(|| s.footer.clone()),
            visibility: Some(self.visibility.unwrap_or(s.visibility)),
            noindex: Some(self.noindex.unwrap_or(s.noindex)),
            language: Some(self.language.unwrap_or(s.language)),
            theme: Some(self.theme.unwrap_or(s.theme)),
            groups: self.groups.unwrap_or(groups),
        }
    }
}

/// Checks the slug: the pattern, and not a path of its own.
pub fn slug(value: &str) -> Result<String> {
    let value = value.trim();
    let valid = regex::Regex::new(SLUG_PATTERN).expect("the pattern compiles");
    if !valid.is_match(value) || RESERVED_SLUGS.contains(&value) {
        return Err(Error::invalid_field(
            "slug",
            "1–64 lowercase letters, digits and inner hyphens (e.g. acme-status)",
        ));
    }
    Ok(value.to_owned())
}

/// Everything but the components' sources, checked. Components still carry the name given (or
/// blank), filled in by `components::resolve`.
pub fn from_input(input: PageInput) -> Result<Settings> {
    let slug = slug(&input.slug)?;
    let title = limits::required_line("title", &input.title, limits::NAME)?;
    let text = |field, v| limits::optional(field, v, limits::DESCRIPTION, limits::multiline);
    let description = text("description", input.description)?;
    let footer = text("footer", input.footer)?;
    let logo = super::logo::check(input.logo)?;
    limits::count("groups", input.groups.len(), MAX_GROUPS)?;
    let total: usize = input.groups.iter().map(|g| g.components.len()).sum();
    limits::count("groups[].components", total, MAX_COMPONENTS)?;
    let mut groups = Vec::with_capacity(input.groups.len());
    let mut seen = std::collections::HashSet::new();
    for (i, g) in input.groups.into_iter().enumerate() {
        let name = g.name.trim().to_owned();
        limits::line(&format!("groups[{i}].name"), &name, limits::NAME)?;
        let mut components = Vec::with_capacity(g.components.len());
        for (j, c) in g.components.into_iter().enumerate() {
            let at = format!("groups[{i}].components[{j}]");
            let source_id =
                limits::required_line(&format!("{at}.sourceId"), &c.source_id, limits::TASK_ID)?;
            let public_name = c.public_name.unwrap_or_default().trim().to_owned();
            limits::line(&format!("{at}.publicName"), &public_name, limits::NAME)?;
            let id = c.id.unwrap_or_else(ComponentId::generate);
            if !seen.insert(id) {
                return Err(Error::invalid_field(&format!("{at}.id"), "appears twice"));
            }
            components.push(super::model::Component {
                id,
                source_type: c.source_type,
                source_id,
                public_name,
                show: c.show.unwrap_or(Show::Uptime),
            });
        }
        groups.push(super::model::Group { name, components });
    }
    Ok(Settings {
        slug,
        title,
        description,
        logo,
        footer,
        visibility: input.visibility.unwrap_or(Visibility::Public),
        noindex: input.noindex.unwrap_or(false),
        language: input.language.unwrap_or(Language::Auto),
        theme: input.theme.unwrap_or(Theme::Auto),
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_pattern() {
        for good in ["a", "acme", "acme-status", "0-9", &"a".repeat(64)] {
            assert_eq!(slug(good).unwrap(), good);
        }
        for bad in [
            "",
            "-a",
            "a-",
            "Acme",
            "a_b",
            "a.b",
            "_",
            &"a".repeat(65),
            "é",
        ] {
            assert!(slug(bad).is_err(), "{bad}");
        }
    }
}
