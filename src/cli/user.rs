//! `dutyduck user create | list | set-password`.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Subcommand;

use super::output::outln;
use super::{in_read_transaction, in_transaction};
use crate::accounts::members::{create_member, implied_organization};
use crate::accounts::model::{normalize_email, normalize_name};
use crate::accounts::roles::Role;
use crate::accounts::store::{self, NewUser};
use crate::accounts::{password, sessions};
use crate::error::{Error, Result};
use crate::store::Create;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user, and their organization if it does not exist yet.
    Create {
        /// E-mail address: the user's login, unique on this server.
        #[arg(long)]
        email: String,
        /// First name, as shown in the dashboard.
        #[arg(long)]
        first_name: String,
        /// Last name, as shown in the dashboard.
        #[arg(long)]
        last_name: String,
        /// Organization to join, by name or short name (the ORGANIZATION column of `user list`);
        /// created if missing, with this user as Owner. Without it: the only organization there
        /// is, or a new "Default" one on a fresh install; with several, it must be given.
        #[arg(long)]
        org: Option<String>,
        /// Role in an existing organization: Reporter (the default), Editor, MemberInviter,
        /// MemberManager, Administrator or Owner. The first member of a new organization is
        /// always Owner.
        #[arg(long, value_parser = parse_role)]
        role: Option<Role>,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users with their organization and role.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password; ends all of the user's dashboard sessions.
    SetPassword {
        /// E-mail address of the user.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Turn off a user's two-factor sign-in (a lost phone): their next login needs only the
    /// password. Works while the server runs.
    RemoveTwoFactor {
        /// E-mail address of the user.
        email: String,
    },
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {s:?}; one of {}", names.join(", "))
    })
}

pub fn run(data_dir: &Path, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create {
            email,
            first_name,
            last_name,
            org,
            role,
            password_stdin,
        } => {
            let email = normalize_email(&email)?;
            let first_name = normalize_name("first-name", &first_name)?;
            let last_name = normalize_name("last-name", &last_name)?;
            let org = org.map(|o| normalize_name("org", &o)).transpose()?;
            // Several organizations and no --org: say so before prompting for a password.
            if org.is_none() && crate::store::db_path(data_dir).exists() {
                in_transaction(data_dir, Create::No, implied_organization)?;
            }
            let password = read_password(password_stdin)?;
            password::check_strength(&password, &[&email, &first_name, &last_name])?;
            let hash = password::hash(&password)?;
            let now = chrono::Utc::now();
            let (_, org, role) = in_transaction(data_dir, Create::IfMissing, |conn| {
                let user = NewUser {
                    email: &email,
                    first_name: &first_name,
                    last_name: &last_name,
                    password_hash: &hash,
                };
                let org = match org {
                    Some(org) => org,
                    None => implied_organization(conn)?,
                };
                let created = create_member(conn, &user, &org, role, now)?;
                let what = ("user", created.0.id.to_string());
                crate::audit::by_cli(conn, Some(created.1.id), what, "create", &[], now)?;
                Ok(created)
            })?;
            outln!("Created user {email} ({role} of {}).", org.display_name);
            Ok(())
        }
        UserCommand::List { json } => {
            let users = in_read_transaction(data_dir, store::list_users)?;
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&users).map_err(Error::internal)?
                );
            } else if users.is_empty() {
                outln!("No users yet. Create one with `dutyduck user create`.");
            } else {
                outln!(
                    "{:<36}  {:<30}  {:<24}  {:<16}  ROLE",
                    "ID",
                    "EMAIL",
                    "NAME",
                    "ORGANIZATION"
                );
                for u in users {
                    let name = format!("{} {}", u.user.first_name, u.user.last_name);
                    let role = u.role.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
                    let org = u.organization.unwrap_or_else(|| "-".into());
                    outln!(
                        "{:<36}  {:<30}  {:<24}  {:<16}  {role}",
                        u.user.id,
                        u.user.email,
                        name,
                        org
                    );
                }
            }
            Ok(())
        }
        UserCommand::SetPassword {
            email,
            password_stdin,
        } => {
            let email = normalize_email(&email)?;
            let (user, _) = in_transaction(data_dir, Create::No, |conn| {
                store::user_by_email(conn, &email)
            })?
            .ok_or_else(|| Error::not_found(&format!("user {email}")))?;
            let password = read_password(password_stdin)?;
            password::check_strength(&password, &[&user.email, &user.first_name, &user.last_name])?;
            let hash = password::hash(&password)?;
            let now = chrono::Utc::now();
            let ended = in_transaction(data_dir, Create::No, |conn| {
                let change = store::ProfileChange {
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    email: user.email.clone(),
                    password_hash: Some(hash),
                };
                store::update_profile(conn, user.id, &change, now)?;
                let org = store::default_membership(conn, user.id)?.map(|(org, _)| org);
                let what = ("user", user.id.to_string());
                crate::audit::by_cli(conn, org, what, "set_password", &["password"], now)?;
                sessions::delete_others(conn, user.id, None)
            })?;
            outln!("Password of {email} changed; {ended} dashboard session(s) ended.");
            Ok(())
        }
        UserCommand::RemoveTwoFactor { email } => {
            let email = normalize_email(&email)?;
            let (email, removed) = in_transaction(data_dir, Create::No, |conn| {
                let (user, _) = store::user_by_email(conn, &email)?
                    .ok_or_else(|| Error::not_found(&format!("user {email}")))?;
                let removed = crate::two_factor::store::remove(conn, user.id)?;
                if removed {
                    let org = store::default_membership(conn, user.id)?.map(|(org, _)| org);
                    let what = ("two_factor", user.id.to_string());
                    crate::audit::by_cli(conn, org, what, "disable", &[], chrono::Utc::now())?;
                }
                Ok((user.email, removed))
            })?;
            match removed {
                true => outln!(
                    "Two-factor sign-in of {email} removed; the next login needs only the password."
                ),
                false => outln!("{email} had no two-factor sign-in; nothing changed."),
            }
            Ok(())
        }
    }
}

/// The password from stdin (`--password-stdin`) or typed twice at a prompt without echo.
fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(Error::internal)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::bad_request(
            "no_terminal",
            "no terminal to ask for the password: pass --password-stdin and pipe the password in",
        ));
    }
    let first = rpassword::prompt_password("Password: ").map_err(Error::internal)?;
    let second = rpassword::prompt_password("Password again: ").map_err(Error::internal)?;
    if first != second {
        return Err(Error::bad_request(
            "password_mismatch",
            "the two passwords differ",
        ));
    }
    Ok(first)
}
