//! Scheduled jobs ("tasks"): cron schedules in a time zone (schedule) and the statuses of tasks
//! and their runs (status). The API, the deadline timers and task incidents are to come.

pub mod schedule;
pub mod status;
