//! Status pages as the API shows them: the page, its groups and components, share links.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::{ComponentId, ShareLinkId, StatusPageId};
use crate::text_enum::text_enum;

text_enum!(
    /// Who may read the page: anyone, or members of the organization and holders of a share link.
    Visibility {
        Public => "public",
        Private => "private",
    }
);

text_enum!(
    /// The page's words: English, French, or the visitor's `Accept-Language`.
    Language {
        En => "en",
        Fr => "fr",
        Auto => "auto",
    }
);

text_enum!(
    /// Light, dark, or the visitor's `prefers-color-scheme`.
    Theme {
        Light => "light",
        Dark => "dark",
        Auto => "auto",
    }
);

text_enum!(
    /// What a component shows besides its name: its status only, 90 days of uptime bars, its
    /// response times (monitors), or nothing but the name.
    Show {
        Status => "status",
        Uptime => "uptime",
        ResponseTime => "responseTime",
        None => "none",
    }
);

text_enum!(
    /// What a component stands for.
    SourceKind {
        Monitor => "monitor",
        Task => "task",
    }
);

/// A monitor or task under its public name. The monitor's own name and URL never reach visitors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    pub id: ComponentId,
    pub source_type: SourceKind,
    /// The monitor's id, or the task's.
    pub source_id: String,
    pub public_name: String,
    pub show: Show,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub name: String,
    pub components: Vec<Component>,
}

/// A page's settings, valid (and as the API shows them).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The page's address: `/status/<slug>`; unique on the instance.
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    /// A `data:image/…;base64,…` URL, or null.
    pub logo: Option<String>,
    pub footer: Option<String>,
    pub visibility: Visibility,
    /// Asks search engines not to index it.
    pub noindex: bool,
    pub language: Language,
    pub theme: Theme,
    /// In the order shown.
    pub groups: Vec<Group>,
}

impl Settings {
    pub fn components(&self) -> impl Iterator<Item = &Component> {
        self.groups.iter().flat_map(|g| g.components.iter())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusPage {
    pub id: StatusPageId,
    #[serde(flatten)]
    pub settings: Settings,
    /// Where visitors read it.
    pub url: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A share link as listed (its secret was shown once, at creation).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareLink {
    pub id: ShareLinkId,
    pub label: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// A new share link, with its secret: shown this once.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewShareLink {
    pub id: ShareLinkId,
    pub label: String,
    pub created_at: Timestamp,
    /// Hexadecimal; only its digest is stored.
    pub secret: String,
    /// The page's address with the secret: `/status/<slug>?share=<secret>`.
    pub url: String,
}

/// Where a page is read.
pub fn url_of(slug: &str) -> String {
    format!("/status/{slug}")
}
