//! `dutyduck probes add | list | remove | token`: remote probes, on the data dir (a running
//! server sees the change at its next request: tokens are read at each one). Without `--org`
//! a probe is instance-wide: it checks every organization's monitors that select its labels,
//! and only this command changes it.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{SecondsFormat, Utc};
use clap::Subcommand;

use super::output::outln;
use super::{in_read_transaction, in_transaction};
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProbeId};
use crate::probes::model::{StoredProbe, Token, check_name, run_command, status};
use crate::probes::{silence, store};
use crate::store::Create;

#[derive(Subcommand)]
pub enum ProbesCommand {
    /// Register a probe; prints its token once, with the command that runs it.
    Add {
        /// Its name, e.g. eu-west (1 to 100 characters).
        #[arg(long)]
        name: String,
        /// A label key=value (repeatable, at most 10), e.g. --label region=eu-west.
        #[arg(long = "label", value_parser = parse_label)]
        labels: Vec<(String, String)>,
        /// The organization it checks for (its id); without it, every organization.
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        server: ServerArg,
    },
    /// List every probe (never their tokens).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a probe; its token is refused from the server's next request on.
    Remove {
        /// The probe's id.
        id: String,
    },
    /// Give a probe a new token (printed once); the old one is refused from now on.
    Token {
        /// The probe's id.
        id: String,
        #[command(flatten)]
        server: ServerArg,
    },
}

#[derive(clap::Args)]
pub struct ServerArg {
    /// The server's URL as the probe reaches it, for the printed command (default: the
    /// server's --public-url, from DUTYDUCK_PUBLIC_URL).
    #[arg(long, env = "DUTYDUCK_PUBLIC_URL")]
    server: Option<String>,
}

fn parse_label(s: &str) -> std::result::Result<(String, String), String> {
    crate::limits::parse_label("--label", s).map_err(|e| e.message)
}

fn parse_id(id: &str) -> Result<ProbeId> {
    id.trim().parse().map_err(|_| {
        Error::bad_request(
            "invalid_probe_id",
            format!("{id:?} is not a probe id (a UUID)"),
        )
    })
}

fn print_token(server: &ServerArg, token: &str) {
    outln!("  token: {token}");
    outln!("The token is shown only this once. Run the probe with:");
    match server.server.as_deref() {
        Some(url) => outln!("  {}", run_command(url, token)),
        None => {
            // No made-up address: a command that looks runnable and is not would be pasted.
            outln!("  {}", run_command("<this server's URL>", token));
            outln!(
                "replacing <this server's URL> with the address the probe reaches this server at (pass --server URL, or set DUTYDUCK_PUBLIC_URL, to print it here)."
            );
        }
    }
}

pub fn run(data_dir: &Path, command: ProbesCommand) -> Result<()> {
    // Removing a silent probe resolves its incident: the incidents' listeners (notifications)
    // must be connected, as a server connects them, or the resolution notifies nobody.
    crate::app::connect_features();
    match command {
        ProbesCommand::Add {
            name,
            labels,
            org,
            server,
        } => {
            // The message names the option, not the API's field.
            let name = check_name(&name).map_err(|mut e| {
                e.message = e.message.replacen("name:", "--name:", 1);
                e
            })?;
            let labels: BTreeMap<String, String> = labels.into_iter().collect();
            crate::limits::labels("--label", &labels)?;
            let org: Option<OrgId> = match org {
                None => None,
                Some(o) => Some(o.trim().parse().map_err(|_| {
                    Error::bad_request(
                        "invalid_org",
                        format!("--org {o:?} is not an organization id"),
                    )
                })?),
            };
            let id = ProbeId::generate();
            let (token, text) = Token::generate(id);
            let now = Utc::now();
            let probe = in_transaction(data_dir, Create::No, |conn| {
                if let Some(org) = org {
                    crate::accounts::store::organization(conn, org)?
                        .ok_or_else(|| Error::not_found(&format!("organization {org}")))?;
                }
                let probe = store::insert(conn, id, org, &name, &labels, &token.digest(), now)?;
                crate::audit::by_cli(conn, org, ("probe", id.to_string()), "create", &[], now)?;
                Ok(probe)
            })?;
            let scope = match probe.organization_id {
                Some(org) => format!("for organization {org}"),
                None => "instance-wide".to_owned(),
            };
            outln!("Registered probe {:?} ({scope}).", probe.name);
            outln!("  id:    {}", probe.id);
            print_token(&server, &text);
            Ok(())
        }
        ProbesCommand::List { json } => {
            let probes = in_read_transaction(data_dir, store::list_all)?;
            list(&probes, json)
        }
        ProbesCommand::Remove { id } => {
            let id = parse_id(&id)?;
            let now = Utc::now();
            let removed = in_transaction(data_dir, Create::No, |conn| {
                let Some(probe) = store::get(conn, id)? else {
                    return Ok(None);
                };
                silence::removed(conn, &probe, now)?;
                store::delete(conn, id)?;
                // Monitor pages, status pages and quorums stop counting its results.
                crate::monitors::locations::forget(conn, &id.to_string())?;
                let what = ("probe", id.to_string());
                crate::audit::by_cli(conn, probe.organization_id, what, "delete", &[], now)?;
                Ok(Some(probe))
            })?;
            let probe = removed.ok_or_else(|| Error::not_found(&format!("probe {id}")))?;
            outln!(
                "Removed probe {} ({:?}); its token is refused from now on.",
                id,
                probe.name
            );
            Ok(())
        }
        ProbesCommand::Token { id, server } => {
            let id = parse_id(&id)?;
            let (token, text) = Token::generate(id);
            let now = Utc::now();
            let probe = in_transaction(data_dir, Create::No, |conn| {
                let probe = store::get(conn, id)?
                    .ok_or_else(|| Error::not_found(&format!("probe {id}")))?;
                store::set_digest(conn, id, &token.digest())?;
                let what = ("probe", id.to_string());
                crate::audit::by_cli(conn, probe.organization_id, what, "token", &[], now)?;
                Ok(probe)
            })?;
            outln!(
                "New token for probe {:?}; the old one is refused from now on.",
                probe.name
            );
            print_token(&server, &text);
            Ok(())
        }
    }
}

fn list(probes: &[StoredProbe], json: bool) -> Result<()> {
    let now = Utc::now();
    if json {
        let items: Vec<_> = probes
            .iter()
            .map(|p| serde_json::to_value(p.clone().shown(now, 0)).map_err(Error::internal))
            .collect::<Result<_>>()?;
        let mut items = items;
        // The count of monitors is the server's to say (GET /probes): left out here.
        for item in &mut items {
            if let Some(o) = item.as_object_mut() {
                o.remove("monitors");
            }
        }
        outln!(
            "{}",
            serde_json::to_string_pretty(&items).map_err(Error::internal)?
        );
        return Ok(());
    }
    if probes.is_empty() {
        outln!("No probes.");
        return Ok(());
    }
    let rows: Vec<[String; 6]> = probes
        .iter()
        .map(|p| {
            let org = p
                .organization_id
                .map_or("(instance-wide)".to_owned(), |o| o.to_string());
            let seen = p.last_seen_at.map_or("never".to_owned(), |t| {
                t.to_rfc3339_opts(SecondsFormat::Secs, true)
            });
            let status = format!("{:?}", status(p.last_seen_at, now)).to_lowercase();
            let labels = crate::probes::model::labels_text(&p.labels, ",");
            [p.id.to_string(), org, p.name.clone(), status, seen, labels]
        })
        .collect();
    let header = [
        "ID",
        "ORGANIZATION",
        "NAME",
        "STATUS",
        "LAST SEEN",
        "LABELS",
    ]
    .map(str::to_owned);
    // Each column as wide as its widest cell: names go up to 100 characters.
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        outln!("{}", cells.join("  ").trim_end());
    }
    Ok(())
}
