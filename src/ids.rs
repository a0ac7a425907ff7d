//! Newtype ids, one per entity, so a token id cannot be passed where a user id is expected.
//! Stored as hyphenated text (readable with the `sqlite3` shell), serialized as UUID strings.

/// A hyphenated UUID, as ids are written.
pub const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

macro_rules! uuid_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        // The pattern, not only `format: uuid` (an annotation validators may skip), so that the
        // published schema refuses what `FromStr` refuses, e.g. "None" in a path.
        pub struct $name(#[schemars(regex(pattern = crate::ids::UUID_PATTERN))] pub uuid::Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7), which keeps SQLite's b-trees append-mostly.
            pub fn generate() -> Self {
                $name(uuid::Uuid::now_v7())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map($name)
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = v.as_str()?;
                text.parse().map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}

uuid_id!(
    /// A user account.
    UserId,
    /// An organization (tenant); every monitored thing belongs to one.
    OrgId,
    /// An API access token's public half.
    TokenId,
    /// An HTTP monitor.
    MonitorId,
    /// An incident.
    IncidentId,
    /// A notification channel.
    ChannelId,
    /// One notification in the outbox; receivers see it as the idempotency key.
    DeliveryId,
    /// A silence: notifications of the sources it covers are held until it ends.
    SilenceId,
    /// A maintenance window (one-off or recurring).
    MaintenanceId,
    /// A status page.
    StatusPageId,
    /// A remote probe: another dutyduck process running checks from its own network.
    ProbeId,
    /// A component of a status page (a monitor or task under a public name).
    ComponentId,
    /// A status page's share link (its secret is not the id).
    ShareLinkId,
    /// An announcement on a status page.
    AnnouncementId,
    /// An update of an announcement.
    AnnouncementUpdateId,
    /// An invitation to join an organization (its secret is not the id).
    InvitationId,
    /// A dashboard session's public handle (the cookie's digest is never shown).
    SessionId,
    /// An escalation policy.
    PolicyId,
    /// A browser where a user turned on push notifications.
    PushSubscriptionId,
);
