//! `decide`, row by row: a two-step policy (5 then 10 minutes) repeated once, opened at 09:00.

use super::*;

fn at(hhmm: &str) -> Timestamp {
    format!("2026-11-30T{hhmm}:00Z").parse().unwrap()
}

fn plan(repeat: u32) -> Plan {
    let step = |after_minutes| Step {
        channels: vec![],
        members: vec![],
        after_minutes,
        urgent: false,
    };
    Plan {
        steps: vec![step(5), step(10)],
        repeat,
    }
}

fn facts(fired: u32) -> Facts {
    Facts {
        opened_at: at("09:00"),
        acknowledged: false,
        resolved: false,
        fired,
    }
}

fn fire(index: u32, round: u32, step: u32) -> Fire {
    Fire { index, round, step }
}

#[test]
fn steps_follow_each_other_then_repeat_then_stop() {
    use Note::*;
    let out = |round, step, minutes| TimedOut {
        round,
        step,
        minutes,
    };
    // (fired so far, now, sent, next wake, notes)
    let rows: Vec<(u32, &str, Vec<Fire>, Option<&str>, Vec<Note>)> = vec![
        // Opening: step 1 at once, step 2 due 5 minutes later.
        (
            0,
            "09:00",
            vec![fire(0, 0, 0)],
            Some("09:05"),
            vec![Fired { round: 0, step: 0 }],
        ),
        // Woken early (another incident's deadline): nothing yet.
        (1, "09:04", vec![], Some("09:05"), vec![]),
        // Unacknowledged after 5 minutes: step 2.
        (
            1,
            "09:05",
            vec![fire(1, 0, 1)],
            Some("09:15"),
            vec![out(0, 0, 5), Fired { round: 0, step: 1 }],
        ),
        // After step 2's 10 minutes: the repeat starts again at step 1.
        (
            2,
            "09:15",
            vec![fire(2, 1, 0)],
            Some("09:20"),
            vec![out(0, 1, 10), Fired { round: 1, step: 0 }],
        ),
        (
            3,
            "09:20",
            vec![fire(3, 1, 1)],
            Some("09:30"),
            vec![out(1, 0, 5), Fired { round: 1, step: 1 }],
        ),
        // The last step waited in vain: exhausted, nothing more ever.
        (4, "09:29", vec![], Some("09:30"), vec![]),
        (4, "09:30", vec![], None, vec![out(1, 1, 10), Exhausted]),
        (4, "12:00", vec![], None, vec![out(1, 1, 10), Exhausted]),
        // A worker back after an outage sends every step due meanwhile, once each, in order.
        (
            1,
            "09:16",
            vec![fire(1, 0, 1), fire(2, 1, 0)],
            Some("09:20"),
            vec![
                out(0, 0, 5),
                Fired { round: 0, step: 1 },
                out(0, 1, 10),
                Fired { round: 1, step: 0 },
            ],
        ),
        // A restart between two steps (state: 2 fired) resumes with the third, never the second.
        (2, "09:10", vec![], Some("09:15"), vec![]),
    ];
    for (fired, now, send, wake, record) in rows {
        let decision = decide(&plan(1), &facts(fired), at(now));
        let expected = Decision {
            send,
            next_wake: wake.map(at),
            record,
        };
        assert_eq!(decision, expected, "fired {fired} at {now}");
    }
}

#[test]
fn no_repeat_stops_after_the_last_step() {
    let decision = decide(&plan(0), &facts(2), at("09:15"));
    assert_eq!(decision.next_wake, None);
    assert_eq!(decision.record.last(), Some(&Note::Exhausted));
    assert!(decision.send.is_empty());
    assert_eq!(plan(10).total(), 22);
}

#[test]
fn acknowledging_or_resolving_stops_it() {
    for (acknowledged, resolved) in [(true, false), (false, true), (true, true)] {
        let facts = Facts {
            acknowledged,
            resolved,
            ..facts(1)
        };
        let decision = decide(&plan(1), &facts, at("09:30"));
        assert_eq!(
            decision,
            Decision {
                send: vec![],
                next_wake: None,
                record: vec![Note::Stopped]
            },
            "acknowledged {acknowledged}, resolved {resolved}"
        );
    }
}

/// A policy edited while an incident runs does not change that incident: the driver keeps the
/// plan copied at the opening, so the same facts give the same answer whatever the policy is now.
#[test]
fn the_plan_copied_at_the_opening_decides() {
    let copied = plan(1);
    let mut edited = plan(1);
    edited.steps[0].after_minutes = 60;
    edited.repeat = 0;
    let before = decide(&copied, &facts(1), at("09:05"));
    assert_eq!(before.send, vec![fire(1, 0, 1)]);
    assert_ne!(decide(&edited, &facts(1), at("09:05")), before);
}

#[test]
fn an_empty_policy_does_nothing() {
    let empty = Plan {
        steps: vec![],
        repeat: 3,
    };
    let decision = decide(&empty, &facts(0), at("09:00"));
    assert!(decision.send.is_empty() && decision.next_wake.is_none());
}
