//! `GET /backups/status`: when the last scheduled backup was written, and the last failure,
//! for the administrators who run the instance.

use schemars::JsonSchema;
use serde::Serialize;
use warp::reply::Response;

use crate::accounts::roles::Permission;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "System",
        vec![
            Route::get("/backups/status", status)
                .summary(
                    "Scheduled backups (`serve --backup-every`): the last one written, the last \
                 failure, the next one due; for administrators",
                )
                .returns::<BackupStatus>(200, "The schedule and how it went"),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// False when the server was started without `--backup-every`.
    pub enabled: bool,
    /// Seconds between backups; null when disabled.
    pub every_seconds: Option<u64>,
    /// How many backups are kept; null when disabled.
    pub keep: Option<usize>,
    /// The folder backups are written to, on the server; null when disabled.
    pub directory: Option<String>,
    pub last_backup_at: Option<Timestamp>,
    /// The file of the last backup, on the server.
    pub last_backup_file: Option<String>,
    /// Why the last attempt failed; null once a backup succeeds again.
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// Failed attempts since the server started (each is retried).
    pub failures_total: u64,
    pub next_backup_at: Option<Timestamp>,
}

async fn status(req: Request) -> Result<Response> {
    // Those who manage notification channels run the instance (as for the health banner).
    req.require(Permission::WriteNotificationChannels).await?;
    let backups = &req.app.backups;
    let status = backups.status();
    let schedule = backups.schedule.as_ref();
    let (last_error_at, last_error) = status.last_error.unzip();
    Ok(reply::ok(&BackupStatus {
        enabled: schedule.is_some(),
        every_seconds: schedule.map(|s| s.every.as_secs()),
        keep: schedule.map(|s| s.keep),
        directory: schedule.map(|s| s.dir.display().to_string()),
        last_backup_at: status.last_backup_at,
        last_backup_file: status.last_file.map(|f| f.display().to_string()),
        last_error,
        last_error_at,
        failures_total: status.failures_total,
        next_backup_at: status.next_backup_at,
    }))
}
