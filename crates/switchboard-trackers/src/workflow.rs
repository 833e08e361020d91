//! Moving issues through their workflow and setting fields: what the
//! bridge needs from Jira and Yandex Tracker.

use async_trait::async_trait;

use crate::TrackerError;

/// A way out of an issue's current status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The tracker's id for the transition (`21`, `resolve`).
    pub id: String,
    /// The transition's own name, as the tracker shows it.
    pub name: String,
    /// The status it leads to, as people read it ("Ready for Test").
    pub to: String,
}

/// An issue tracker whose issues can be moved and edited.
#[async_trait]
pub trait Workflow: Send + Sync {
    /// The current status, as people read it.
    async fn status(&self, key: &str) -> Result<String, TrackerError>;
    /// The transitions available from the current status.
    async fn transitions(&self, key: &str) -> Result<Vec<Transition>, TrackerError>;
    /// Executes one of them.
    async fn execute(&self, key: &str, transition: &Transition) -> Result<(), TrackerError>;
    /// Sets one field (by its id in the tracker) to a text value.
    async fn set_field(&self, key: &str, field: &str, value: &str) -> Result<(), TrackerError>;
}

/// The transition that leads to `target`, compared without case or
/// surrounding space; `None` when no transition gets there from here.
pub fn leading_to<'a>(transitions: &'a [Transition], target: &str) -> Option<&'a Transition> {
    let want = target.trim().to_lowercase();
    transitions
        .iter()
        .find(|t| t.to.trim().to_lowercase() == want)
}

#[cfg(test)]
mod tests;
