//! The team's routes in one entry of `crate::routes::all`: organizations and the session's
//! current one, members, invitations (the members' side and the link holder's).

use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    [
        super::organization_routes::routes(), // /organizations, /auth/session/organization
        super::member_routes::routes(),       // /organizations/{id}/members
        super::invitation_routes::routes(),   // …/members/invite, /organizations/{id}/invitations
        super::invitation_link_routes::routes(), // …/invitations/{invitationId}, …/accept
    ]
    .concat()
}
