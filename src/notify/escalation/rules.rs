//! What an escalation policy does at a given moment, as a pure function of the policy, what is
//! durably known of the incident (when it opened, whether someone acknowledged it or it
//! ended, how many steps were already fired) and the clock. The driver stores what `decide`
//! says in the same write as the sends, so a restart resumes exactly where it was: a step
//! counted as fired is never sent again, a step not counted is sent once it is due.
//!
//! The steps are laid end to end: round 0 is steps 1..n, round 1 (the first repeat) again
//! steps 1..n, and so on `repeat` times. Step k of the flattened list is due when the waits
//! (`afterMinutes`) of every step before it have passed since the opening; after the last
//! step of the last round has waited too, the policy is exhausted and stops.

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::{ChannelId, UserId};

/// One step: whom to tell, then how long to wait for an acknowledgement before the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Shared channels of the organization to notify.
    #[serde(default)]
    #[schemars(length(max = crate::limits::LIST))]
    pub channels: Vec<ChannelId>,
    /// Members to notify on their personal channels (the ones they chose, outside their quiet
    /// hours unless the step is urgent).
    #[serde(default)]
    #[schemars(length(max = crate::limits::LIST))]
    pub members: Vec<UserId>,
    /// Minutes to wait for an acknowledgement before the next step, 1 to 1440.
    #[schemars(range(min = 1, max = 1440))]
    pub after_minutes: u32,
    /// Goes out during the members' quiet hours too.
    #[serde(default)]
    pub urgent: bool,
}

/// The part of a policy `decide` needs (a copy is kept per incident when it opens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub steps: Vec<Step>,
    /// How many times the whole list is run again after the first time, 0 to 10.
    pub repeat: u32,
}

/// What is durably known of the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub opened_at: Timestamp,
    pub acknowledged: bool,
    pub resolved: bool,
    /// Steps already fired, counted over the flattened rounds.
    pub fired: u32,
}

/// A step to send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fire {
    /// Its place in the flattened list (what `fired` becomes, minus one).
    pub index: u32,
    /// 0 the first time through, 1 for the first repeat…
    pub round: u32,
    /// 0-based within the policy.
    pub step: u32,
}

/// What goes on the incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The step went out.
    Fired { round: u32, step: u32 },
    /// Nobody acknowledged within the step's wait: on to the next one.
    TimedOut { round: u32, step: u32, minutes: u32 },
    /// The last step of the last round waited in vain: escalation stops here.
    Exhausted,
    /// Acknowledged or resolved: nothing more will be sent.
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub send: Vec<Fire>,
    /// When to decide again; None: the escalation is over (forget its state).
    pub next_wake: Option<Timestamp>,
    pub record: Vec<Note>,
}

impl Plan {
    /// Steps over every round.
    pub fn total(&self) -> u32 {
        self.steps.len() as u32 * (self.repeat + 1)
    }

    fn step(&self, index: u32) -> &Step {
        &self.steps[index as usize % self.steps.len()]
    }

    /// When flattened step `index` is due (`index == total()`: when the policy is exhausted).
    pub fn due_at(&self, opened_at: Timestamp, index: u32) -> Timestamp {
        let minutes: i64 = (0..index)
            .map(|i| i64::from(self.step(i).after_minutes))
            .sum();
        opened_at + Duration::minutes(minutes)
    }

    fn place(&self, index: u32) -> (u32, u32) {
        let n = self.steps.len() as u32;
        (index / n, index % n)
    }
}

/// What to do now. Every step that is due and not yet fired is sent, in order (after a long
/// outage, everyone who should have heard by now hears at once rather than later); the step
/// before each one that fires is noted as timed out.
pub fn decide(plan: &Plan, facts: &Facts, now: Timestamp) -> Decision {
    if facts.acknowledged || facts.resolved {
        return Decision {
            send: vec![],
            next_wake: None,
            record: vec![Note::Stopped],
        };
    }
    let total = plan.total();
    if total == 0 {
        return Decision {
            send: vec![],
            next_wake: None,
            record: vec![],
        };
    }
    let mut decision = Decision {
        send: vec![],
        next_wake: None,
        record: vec![],
    };
    let mut index = facts.fired;
    while index <= total && plan.due_at(facts.opened_at, index) <= now {
        if index > 0 {
            let (round, step) = plan.place(index - 1);
            let minutes = plan.step(index - 1).after_minutes;
            decision.record.push(Note::TimedOut {
                round,
                step,
                minutes,
            });
        }
        if index == total {
            decision.record.push(Note::Exhausted);
            return decision;
        }
        let (round, step) = plan.place(index);
        decision.send.push(Fire { index, round, step });
        decision.record.push(Note::Fired { round, step });
        index += 1;
    }
    decision.next_wake = Some(plan.due_at(facts.opened_at, index.min(total)));
    decision
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
