//! Scheduled jobs ("tasks"): cron schedules in a time zone (schedule).

pub mod schedule;
