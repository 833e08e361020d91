//! Mapping tracker users to Slack people: the config's map, else e-mail.

use std::collections::HashMap;

use switchboard_core::config::Config;
use switchboard_core::ids::UserId;
use switchboard_core::slack::Chat;

use crate::{Finding, Report, Scanner};

impl Scanner {
    /// Tracker user → Slack user: the config's map, else an e-mail lookup.
    pub(crate) async fn resolve_people(
        &self,
        config: &Config,
        chat: &dyn Chat,
        findings: &[Finding],
        report: &mut Report,
    ) -> HashMap<String, UserId> {
        let mut out = HashMap::new();
        let mut unmapped = Vec::new();
        let names: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f.person.as_str()).collect();
        for name in names {
            let mapped = match config.scanner.users.get(name) {
                Some(u) => Some(u.clone()),
                None if name.contains('@') => match chat.lookup_user_by_email(name).await {
                    Ok(found) => found,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not look a user up by e-mail");
                        None
                    }
                },
                None => None,
            };
            match mapped {
                Some(u) => {
                    out.insert(name.to_owned(), u);
                }
                None => {
                    let shown = if name.is_empty() { "(nobody)" } else { name };
                    tracing::info!(user = shown, "no Slack user for a tracker user");
                    unmapped.push(shown.to_owned());
                }
            }
        }
        report.unmapped = unmapped;
        out
    }
}
