//! Queries on `task_runs` and `task_logs`: a task's runs, keyed by their start time, and the
//! messages sent to its ping URL's `/log`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{TaskLog, TaskRun};
use super::status::RunStatus;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::store::Page;
use crate::store::filter::Where;
use crate::store::signals::{self, Topic};
use crate::store::time::{from_db, opt_from_db, to_db};

const RUN_COLUMNS: &str =
    "organization_id, task_id, status, started_at, updated_at, completed_at, exit_code,
    error_message, output, last_heartbeat_at, heartbeat_timeout_seconds, rid";

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<TaskRun> {
    let started_at = from_db(r.get(3)?);
    let completed_at = opt_from_db(r.get(5)?);
    Ok(TaskRun {
        organization_id: r.get(0)?,
        task_id: r.get(1)?,
        status: r.get(2)?,
        started_at,
        updated_at: from_db(r.get(4)?),
        completed_at,
        duration_ms: completed_at.map(|c| (c - started_at).num_milliseconds()),
        exit_code: r.get(6)?,
        error_message: r.get(7)?,
        output: r.get(8)?,
        last_heartbeat_at: opt_from_db(r.get(9)?),
        heartbeat_timeout_seconds: r.get(10)?,
        rid: r.get(11)?,
    })
}

// Every ping and heartbeat looks for the task's running run. The partial indexes on running
// runs (`task_runs_one_running` without a rid, `task_runs_one_running_per_rid` with one) find
// it in a step, but SQLite uses a partial index only when the query's WHERE clause implies the
// index's: `rid IS ?` or `status = 'running'` alone does not. The primary key then walked every
// run the task had kept, a cost that grew with its history and made the writer the bottleneck
// of pings. Hence `rid IS NULL`, and `rid = ?` or `rid >= ''` (true of any text), spelled out;
// `tests::running_runs_are_found_through_their_indexes` holds the plans.
const RUNNING_WITH_RID: &str =
    "WHERE organization_id = ?1 AND task_id = ?2 AND status = 'running' AND rid = ?3";
const RUNNING_WITHOUT_RID: &str =
    "WHERE organization_id = ?1 AND task_id = ?2 AND status = 'running' AND rid IS NULL";
const ANY_RUNNING: &str = "SELECT EXISTS (SELECT 1 FROM task_runs
        WHERE organization_id = ?1 AND task_id = ?2 AND status = 'running' AND rid IS NULL)
    OR EXISTS (SELECT 1 FROM task_runs
        WHERE organization_id = ?1 AND task_id = ?2 AND status = 'running' AND rid >= '')";
const HEARTBEAT: &str = "UPDATE task_runs SET last_heartbeat_at = ?3, updated_at = ?3,
    dead_at = ?3 + heartbeat_timeout_seconds * 1000";

/// The task's running run with this `rid` (None: the one started without a rid), if any.
pub fn running_run(
    conn: &Connection,
    org: OrgId,
    task: &str,
    rid: Option<&str>,
) -> Result<Option<TaskRun>> {
    let select = |filter| format!("SELECT {RUN_COLUMNS} FROM task_runs {filter}");
    Ok(match rid {
        Some(rid) => conn
            .prepare_cached(&select(RUNNING_WITH_RID))?
            .query_row(params![org, task, rid], run_from_row),
        None => conn
            .prepare_cached(&select(RUNNING_WITHOUT_RID))?
            .query_row(params![org, task], run_from_row),
    }
    .optional()?)
}

/// Whether any run of the task is still going on (runs with distinct rids overlap).
pub fn any_running(conn: &Connection, org: OrgId, task: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(ANY_RUNNING)?
        .query_row(params![org, task], |r| r.get(0))?)
}

/// The status of the task's latest run.
pub fn last_run_status(conn: &Connection, org: OrgId, task: &str) -> Result<Option<RunStatus>> {
    Ok(conn
        .prepare_cached(
            "SELECT status FROM task_runs WHERE organization_id = ?1 AND task_id = ?2
             ORDER BY started_at DESC LIMIT 1",
        )?
        .query_row(params![org, task], |r| r.get(0))
        .optional()?)
}

/// The percentage of the task's runs started since `since` and completed that finished well
/// (failed and dead runs count against it, aborted ones not at all; null without any): a task's
/// uptime, as its badge shows it.
pub fn success_rate(
    conn: &Connection,
    org: OrgId,
    task: &str,
    since: Timestamp,
) -> Result<Option<f64>> {
    let (runs, finished): (i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(status = 'finished'), 0) FROM task_runs
             WHERE organization_id = ?1 AND task_id = ?2 AND started_at >= ?3
               AND status IN ('finished', 'failed', 'dead')",
        )?
        .query_row(params![org, task, to_db(since)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok((runs > 0).then(|| 100.0 * finished as f64 / runs as f64))
}

/// A start time for a new run: now, or just after the latest run's if that is later, so runs
/// keep distinct identities and their order.
pub fn next_start_time(
    conn: &Connection,
    org: OrgId,
    task: &str,
    now: Timestamp,
) -> Result<Timestamp> {
    let latest: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(started_at) FROM task_runs WHERE organization_id = ?1 AND task_id = ?2",
        )?
        .query_row(params![org, task], |r| r.get(0))?;
    Ok(from_db(
        latest.map_or(to_db(now), |l| (l + 1).max(to_db(now))),
    ))
}

pub fn insert_run(
    conn: &Connection,
    org: OrgId,
    task: &str,
    started_at: Timestamp,
    heartbeat_timeout: u32,
    rid: Option<&str>,
) -> Result<()> {
    let dead_at = started_at + chrono::Duration::seconds(heartbeat_timeout.into());
    conn.prepare_cached(
        "INSERT INTO task_runs (organization_id, task_id, started_at, status, last_heartbeat_at,
            heartbeat_timeout_seconds, dead_at, updated_at, rid)
         VALUES (?1, ?2, ?3, 'running', ?3, ?4, ?5, ?3, ?6)",
    )?
    .execute(params![
        org,
        task,
        to_db(started_at),
        heartbeat_timeout,
        to_db(dead_at),
        rid
    ])?;
    signals::mark(Topic::TaskDeadlines);
    Ok(())
}

/// Inserts a run already ended, as `insert_run` then `complete_run` would leave it: a ping
/// ending a run that never started.
#[allow(clippy::too_many_arguments)]
pub fn insert_ended_run(
    conn: &Connection,
    org: OrgId,
    task: &str,
    started_at: Timestamp,
    heartbeat_timeout: u32,
    rid: Option<&str>,
    end: &Completion<'_>,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO task_runs (organization_id, task_id, started_at, status, last_heartbeat_at,
            heartbeat_timeout_seconds, dead_at, updated_at, completed_at, rid, exit_code,
            error_message, output)
         VALUES (?1, ?2, ?3, ?4, ?3, ?5, NULL, ?6, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        org,
        task,
        to_db(started_at),
        end.status,
        heartbeat_timeout,
        to_db(now.max(started_at)),
        rid,
        end.exit_code,
        end.error_message,
        end.output
    ])?;
    Ok(())
}

/// Records a heartbeat of the running run started without a rid (of the run `run` names, when
/// it does); false if none matches.
pub fn heartbeat(
    conn: &Connection,
    org: OrgId,
    task: &str,
    run: Option<Timestamp>,
    now: Timestamp,
) -> Result<bool> {
    let changed = match run {
        Some(run) => conn
            .prepare_cached(&format!(
                "{HEARTBEAT} WHERE organization_id = ?1 AND task_id = ?2 AND started_at = ?4
                   AND status = 'running'"
            ))?
            .execute(params![org, task, to_db(now), to_db(run)])?,
        None => conn
            .prepare_cached(&format!("{HEARTBEAT} {RUNNING_WITHOUT_RID}"))?
            .execute(params![org, task, to_db(now)])?,
    };
    Ok(changed == 1)
}

/// Deletes up to `limit` ended runs started before `before`, and ping log messages older than
/// it; returns how many rows went.
pub fn purge(conn: &Connection, before: Timestamp, limit: u32) -> Result<usize> {
    let runs = conn
        .prepare_cached(
            "DELETE FROM task_runs WHERE (organization_id, task_id, started_at) IN (
                SELECT organization_id, task_id, started_at FROM task_runs
                WHERE started_at < ?1 AND status != 'running' LIMIT ?2)",
        )?
        .execute(params![to_db(before), limit])?;
    let logs = conn
        .prepare_cached(
            "DELETE FROM task_logs WHERE id IN (SELECT id FROM task_logs WHERE created_at < ?1 LIMIT ?2)",
        )?
        .execute(params![to_db(before), limit])?;
    Ok(runs + logs)
}

/// At start-up: runs still going on get a full heartbeat timeout from `now`. Their jobs could
/// not reach a stopped server; declaring them all dead would page people for every upgrade.
/// Only once per silence, though: a run that has sent nothing since an earlier restart's grace
/// keeps its deadline, so a server in a crash loop still declares dead the jobs that are gone.
pub fn grant_restart_grace(conn: &Connection, now: Timestamp) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE task_runs SET dead_at = MAX(dead_at, ?1 + heartbeat_timeout_seconds * 1000),
                restart_grace_at = ?1
             WHERE status = 'running'
               AND (restart_grace_at IS NULL
                    OR restart_grace_at < COALESCE(last_heartbeat_at, started_at))",
        )?
        .execute([to_db(now)])?)
}

/// How a run ended.
pub struct Completion<'a> {
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    pub error_message: Option<&'a str>,
    pub output: Option<&'a str>,
}

/// Ends a running run. The last heartbeat and timeout are kept (the original erased them).
pub fn complete_run(
    conn: &Connection,
    org: OrgId,
    task: &str,
    started_at: Timestamp,
    end: &Completion<'_>,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE task_runs SET status = ?4, completed_at = ?5, updated_at = ?5, dead_at = NULL,
            exit_code = ?6, error_message = ?7, output = COALESCE(?8, output)
         WHERE organization_id = ?1 AND task_id = ?2 AND started_at = ?3",
    )?
    .execute(params![
        org,
        task,
        to_db(started_at),
        end.status,
        to_db(now.max(started_at)),
        end.exit_code,
        end.error_message,
        end.output
    ])?;
    Ok(())
}

/// Appends to the running run started at `started_at`'s output, keeping the tail.
pub fn append_output(
    conn: &Connection,
    org: OrgId,
    task: &str,
    started_at: Timestamp,
    text: &str,
    now: Timestamp,
) -> Result<bool> {
    let current: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT output FROM task_runs WHERE organization_id = ?1 AND task_id = ?2
               AND started_at = ?3 AND status = 'running'",
        )?
        .query_row(params![org, task, to_db(started_at)], |r| r.get(0))
        .optional()?;
    let Some(current) = current else {
        return Ok(false);
    };
    let output = super::model::output_tail(&format!("{}{text}", current.unwrap_or_default()));
    conn.prepare_cached(
        "UPDATE task_runs SET output = ?4, updated_at = ?5
         WHERE organization_id = ?1 AND task_id = ?2 AND started_at = ?3",
    )?
    .execute(params![org, task, to_db(started_at), output, to_db(now)])?;
    Ok(true)
}

/// Running runs whose heartbeat deadline has passed.
pub fn dead_runs(conn: &Connection, now: Timestamp, limit: u32) -> Result<Vec<TaskRun>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM task_runs WHERE status = 'running' AND dead_at <= ?1
             ORDER BY dead_at LIMIT ?2"
        ))?
        .query_map(params![to_db(now), limit], run_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn get_run(
    conn: &Connection,
    org: OrgId,
    task: &str,
    started_at: Timestamp,
) -> Result<Option<TaskRun>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM task_runs
             WHERE organization_id = ?1 AND task_id = ?2 AND started_at = ?3"
        ))?
        .query_row(params![org, task, to_db(started_at)], run_from_row)
        .optional()?)
}

/// A page of a task's runs, newest first, with the task's run count and the filtered count.
pub fn list_runs(
    conn: &Connection,
    org: OrgId,
    task: &str,
    statuses: &[RunStatus],
    offset: u32,
    limit: u32,
) -> Result<Page<TaskRun>> {
    let mut w = Where::default();
    w.and(
        "organization_id = ? AND task_id = ?",
        [
            SqlValue::Text(org.to_string()),
            SqlValue::Text(task.to_owned()),
        ],
    );
    let total = w.count(conn, "task_runs")?;
    w.any_of("status", statuses.iter().map(|s| s.as_str()));
    let filtered = w.count(conn, "task_runs")?;
    let runs = conn
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM task_runs WHERE {} ORDER BY started_at DESC LIMIT ? OFFSET ?",
            w.sql()
        ))?
        .query_map(
            rusqlite::params_from_iter(w.args_with_page(limit, offset)),
            run_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items: runs,
        total,
        filtered,
    })
}

pub fn insert_log(
    conn: &Connection,
    org: OrgId,
    task: &str,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO task_logs (organization_id, task_id, created_at, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![org, task, to_db(now), body])?;
    Ok(())
}

/// The task's latest log messages, newest first.
pub fn logs(conn: &Connection, org: OrgId, task: &str, limit: u32) -> Result<Vec<TaskLog>> {
    Ok(conn
        .prepare_cached(
            "SELECT created_at, body FROM task_logs WHERE organization_id = ?1 AND task_id = ?2
             ORDER BY created_at DESC, id DESC LIMIT ?3",
        )?
        .query_map(params![org, task, limit], |r| {
            Ok(TaskLog {
                created_at: from_db(r.get(0)?),
                body: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What SQLite will do for `sql`: the details of EXPLAIN QUERY PLAN, one per line.
    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        // Bound or not, the parameters do not change the plan; rusqlite wants them all.
        let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
        let rows = stmt
            .query_map(rusqlite::params_from_iter(unbound), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn running_runs_are_found_through_their_indexes() {
        // Configured as the server's connections are: plans that ignore the values bound.
        let dir = tempfile::tempdir().unwrap();
        let conn =
            crate::store::open_migrated(dir.path(), crate::store::Create::IfMissing).unwrap();
        let select = |filter| format!("SELECT {RUN_COLUMNS} FROM task_runs {filter}");
        let rows = [
            (select(RUNNING_WITHOUT_RID), vec!["task_runs_one_running "]),
            (
                select(RUNNING_WITH_RID),
                vec!["task_runs_one_running_per_rid"],
            ),
            (
                ANY_RUNNING.to_owned(),
                vec!["task_runs_one_running ", "task_runs_one_running_per_rid"],
            ),
            (
                format!("{HEARTBEAT} {RUNNING_WITHOUT_RID}"),
                vec!["task_runs_one_running "],
            ),
        ];
        for (sql, indexes) in rows {
            let plan = plan(&conn, &sql);
            for index in indexes {
                assert!(plan.contains(&format!("INDEX {index}")), "{sql}\n{plan}");
            }
            assert!(!plan.contains("PRIMARY KEY"), "{sql}\n{plan}");
        }
    }

    #[test]
    fn the_purge_keeps_recent_and_running_runs() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        let org = super::super::store::tests::one_task(&conn);
        let day = |d: i64| chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(d);
        let done = Completion {
            status: RunStatus::Finished,
            exit_code: Some(0),
            error_message: None,
            output: Some("ok"),
        };
        for started in [day(1), day(100)] {
            insert_run(&conn, org, "job", started, 30, None).unwrap();
            complete_run(&conn, org, "job", started, &done, started).unwrap();
        }
        insert_run(&conn, org, "job", day(2), 30, None).unwrap(); // still running
        insert_log(&conn, org, "job", "old", day(1)).unwrap();
        insert_log(&conn, org, "job", "new", day(100)).unwrap();

        assert_eq!(purge(&conn, day(10), 100).unwrap(), 2);
        let runs = list_runs(&conn, org, "job", &[], 0, 10).unwrap().items;
        let kept: Vec<_> = runs.iter().map(|r| (r.started_at, r.status)).collect();
        assert_eq!(
            kept,
            [
                (day(100), RunStatus::Finished),
                (day(2), RunStatus::Running)
            ]
        );
        let logs = logs(&conn, org, "job", 10).unwrap();
        assert_eq!(
            logs.iter().map(|l| l.body.as_str()).collect::<Vec<_>>(),
            ["new"]
        );
    }
}
