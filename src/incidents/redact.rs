//! What of an incident only those who may see its source's credentials see: a monitor's
//! incidents keep its URL in their metadata.

use std::collections::BTreeMap;

use super::model::Incident;
use super::source;
use crate::accounts::principal::Principal;
use crate::url_mask::{mask_url, sees_secrets};

pub fn incident_for(me: &Principal, mut incident: Incident) -> Incident {
    if !sees_secrets(me)
        && source::url_has_credentials(incident.incident_source_type)
        && let Some(url) = incident.metadata.get_mut("url")
    {
        *url = mask_url(url);
    }
    incident
}

pub fn incidents_for(me: &Principal, incidents: Vec<Incident>) -> Vec<Incident> {
    incidents.into_iter().map(|i| incident_for(me, i)).collect()
}

/// A reader's `metadataFilter` on incidents compares `url` with the masked URL, as they see it:
/// matching the stored one would confirm a guessed password.
pub fn metadata_filter_for(
    me: &Principal,
    mut filter: BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    if !sees_secrets(me)
        && let Some(urls) = filter.get_mut("url")
    {
        // A URL without secrets is unchanged and matches; one with them can no longer match.
        urls.iter_mut().for_each(|u| *u = mask_url(u));
    }
    filter
}
