//! Who may give, change and take away which role: pure rules, table-tested. The routes read the
//! facts (the actor's role, the member's role, how many Owners there are) and ask here.
//!
//! A role is given only by someone holding every permission it grants (`roles::can`): an
//! Administrator gives any role but Owner, a MemberManager gives MemberInviter and
//! MemberManager. Changing or removing a member follows the order of the original product's
//! roles (`Role::ALL`: Reporter < Editor < MemberInviter < MemberManager < Administrator <
//! Owner): nobody acts on a member ranked above them. Owner is handled apart (only an Owner
//! makes or unmakes one).

use super::roles::{Permission, Role, can};
use crate::error::{Error, Result};

fn rank(role: Role) -> usize {
    Role::ALL
        .iter()
        .position(|r| *r == role)
        .expect("every role is in ALL")
}

/// Whether `a` includes everything `b` allows (the brief's containment, not the rank).
pub fn covers(a: Role, b: Role) -> bool {
    use Role::*;
    a == b
        || matches!(
            (a, b),
            (Owner, _)
                | (
                    Administrator,
                    Reporter | Editor | MemberInviter | MemberManager
                )
                | (Editor, Reporter)
                | (MemberManager, MemberInviter)
        )
}

/// The one role a set of roles means: dutyduck stores one role per member, so the set is
/// reduced by containment. Two incomparable maxima are refused, naming the role covering both.
pub fn reduce(roles: &[Role]) -> Result<Role> {
    let maxima: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| roles.contains(r))
        .filter(|r| !roles.iter().any(|o| o != r && covers(*o, *r)))
        .collect();
    match maxima.as_slice() {
        [] => Err(Error::invalid_field("roles", "must name at least one role")),
        [one] => Ok(*one),
        several => {
            let names: Vec<&str> = several.iter().map(|r| r.as_str()).collect();
            let cover = Role::ALL
                .into_iter()
                .find(|c| several.iter().all(|r| covers(*c, *r)))
                .expect("Owner covers every role");
            Err(Error::invalid_field(
                "roles",
                format!(
                    "{} are separate roles and a member has one role: {cover} covers them all",
                    names.join(" and ")
                ),
            ))
        }
    }
}

/// Whether `actor` holds every permission `role` grants, as `roles::can` decides them.
fn holds_all(actor: Role, role: Role) -> bool {
    Permission::ALL
        .into_iter()
        .all(|p| !can(role, p) || can(actor, p))
}

/// Whether `actor` may give a member `role` (by invitation or by a role change): never a
/// permission the actor does not hold, or inviting a second address of one's own would be a
/// way up (a MemberInviter, who reads no monitor, handing out Editor).
pub fn may_grant(actor: Role, role: Role) -> Result<()> {
    if role == Role::Owner && actor != Role::Owner {
        return Err(Error::forbidden("only an Owner can make someone an Owner"));
    }
    if !holds_all(actor, role) {
        return Err(Error::forbidden(format!(
            "a {actor} cannot grant the {role} role: it allows what a {actor} may not do"
        )));
    }
    Ok(())
}

/// Whether `actor` may change or take away the role of a member who now has `current`.
pub fn may_manage(actor: Role, current: Role) -> Result<()> {
    if current == Role::Owner && actor != Role::Owner {
        return Err(Error::forbidden(
            "only an Owner can change or remove an Owner",
        ));
    }
    if rank(current) > rank(actor) {
        return Err(Error::forbidden(format!(
            "a {actor} cannot change or remove a {current}, whose role is above their own"
        )));
    }
    Ok(())
}

/// An organization keeps at least one Owner: the last one cannot leave, be removed or demoted.
/// `owners` counts the Owners now; `current` and `next` are the member's role before and after
/// (None after: leaving or removed).
pub fn keeps_an_owner(owners: i64, current: Role, next: Option<Role>) -> Result<()> {
    if current == Role::Owner && next != Some(Role::Owner) && owners <= 1 {
        return Err(Error::conflict(
            "last_owner",
            "an organization keeps at least one Owner: make another member Owner first (or delete the organization)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn a_set_of_roles_reduces_to_its_single_maximum() {
        let cases: &[(&[Role], Result<Role, &str>)] = &[
            (&[Reporter], Ok(Reporter)),
            (&[Reporter, Editor], Ok(Editor)),
            (&[MemberInviter, MemberManager], Ok(MemberManager)),
            (&[Editor, MemberManager, Administrator], Ok(Administrator)),
            (&[Owner, Reporter, MemberInviter], Ok(Owner)),
            (&[Editor, Editor], Ok(Editor)),
            (&[Editor, MemberManager], Err("Administrator covers")),
            (&[Reporter, MemberInviter], Err("Administrator covers")),
            (&[], Err("at least one")),
        ];
        for (roles, expected) in cases {
            let got = reduce(roles);
            match expected {
                Ok(role) => assert_eq!(got.ok(), Some(*role), "{roles:?}"),
                Err(part) => {
                    let e = got.expect_err("refused");
                    assert_eq!(e.code, "invalid_field", "{roles:?}");
                    assert!(e.message.contains(part), "{roles:?}: {}", e.message);
                }
            }
        }
    }

    #[test]
    fn nobody_grants_above_their_own_and_only_owners_make_owners() {
        let cases = [
            (Owner, Owner, true),
            (Owner, Administrator, true),
            (Administrator, Owner, false),
            (Administrator, Administrator, true),
            (Administrator, Reporter, true),
            (Administrator, Editor, true),
            (MemberManager, Administrator, false),
            (MemberManager, MemberManager, true),
            (MemberManager, MemberInviter, true),
            (MemberManager, Editor, false),
            (MemberInviter, MemberInviter, true),
            (MemberInviter, Editor, false),
            (MemberInviter, Reporter, false),
            (MemberInviter, MemberManager, false),
            (Editor, Reporter, true),
            (Editor, MemberInviter, false),
            (Reporter, Reporter, true),
        ];
        for (actor, role, allowed) in cases {
            assert_eq!(
                may_grant(actor, role).is_ok(),
                allowed,
                "{actor} grants {role}"
            );
        }
    }

    #[test]
    fn only_owners_unmake_owners_and_nobody_manages_a_higher_role() {
        let cases = [
            (Owner, Owner, true),
            (Administrator, Owner, false),
            (Administrator, Administrator, true),
            (MemberManager, Administrator, false),
            (MemberManager, Editor, true),
        ];
        for (actor, current, allowed) in cases {
            assert_eq!(
                may_manage(actor, current).is_ok(),
                allowed,
                "{actor} manages {current}"
            );
        }
    }

    #[test]
    fn the_last_owner_stays() {
        let cases = [
            (1, Owner, None, false),
            (1, Owner, Some(Administrator), false),
            (1, Owner, Some(Owner), true),
            (2, Owner, None, true),
            (1, Administrator, None, true),
        ];
        for (owners, current, next, allowed) in cases {
            let got = keeps_an_owner(owners, current, next);
            assert_eq!(got.is_ok(), allowed, "{owners} {current} → {next:?}");
            if let Err(e) = got {
                assert_eq!(e.code, "last_owner");
            }
        }
    }
}
