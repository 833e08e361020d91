//! `switchboard manifest`: the Slack app manifest with the deploy's URL and
//! the config's command and tracker hosts filled in.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use switchboard_core::config::Config;

const TEMPLATE: &str = include_str!("../../../infra/slack-app-manifest.yaml");

/// Slack accepts at most this many unfurl domains per app.
pub const MAX_UNFURL_DOMAINS: usize = 5;

/// The hosts of the configured trackers, sorted and without repeats: Slack
/// sends `link_shared` only for an app's unfurl domains.
pub fn unfurl_domains(config: &Config) -> Vec<String> {
    let mut domains: Vec<String> = config
        .trackers
        .iter()
        .filter_map(|t| {
            reqwest::Url::parse(&t.url)
                .ok()?
                .host_str()
                .map(str::to_owned)
        })
        .collect();
    domains.sort();
    domains.dedup();
    domains
}

pub fn run(
    api_url: Option<String>,
    outputs: Option<PathBuf>,
    socket_mode: bool,
    config: Option<PathBuf>,
) -> anyhow::Result<()> {
    let api_url = match (api_url, outputs) {
        _ if socket_mode => None,
        (Some(url), _) => Some(url),
        (None, Some(file)) => Some(api_url_from_outputs(&file)?),
        (None, None) => anyhow::bail!(
            "give --api-url (the stack's ApiUrl output), --outputs FILE \
             (sam list stack-outputs --stack-name switchboard --output json > outputs.json), \
             or --socket-mode for `serve` on one machine"
        ),
    };
    // Socket Mode is for `serve`, so it falls back to the config `serve` uses.
    let config_path = match config {
        None if socket_mode => crate::local::config_path(None)?,
        given => given.unwrap_or_else(|| PathBuf::from("switchboard.toml")),
    };
    let config = Config::load(&config_path)?;
    let (manifest, warnings) = match api_url {
        Some(url) => fill(&url, &config)?,
        None => render(None, &config),
    };
    for w in warnings {
        eprintln!("warning: {w}");
    }
    print!("{manifest}");
    Ok(())
}

/// `ApiUrl` from the JSON `sam list stack-outputs --output json` prints.
fn api_url_from_outputs(file: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let outputs: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not the JSON of sam list stack-outputs",
            file.display()
        )
    })?;
    outputs
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["OutputKey"] == "ApiUrl")
        .and_then(|o| o["OutputValue"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no ApiUrl output", file.display()))
}

/// The manifest text and anything the reader should fix by hand.
pub fn fill(api_url: &str, config: &Config) -> anyhow::Result<(String, Vec<String>)> {
    let url = reqwest::Url::parse(api_url)
        .ok()
        .filter(|u| u.scheme() == "https" && u.host_str().is_some())
        .with_context(|| {
            format!("{api_url:?} is not an https URL like the stack's ApiUrl output")
        })?;
    Ok(render(Some(url.as_str().trim_end_matches('/')), config))
}

/// The manifest for a deploy at `api`, or, without one, for Socket Mode:
/// `socket_mode_enabled: true` and no request URLs, which Slack then
/// refuses to need.
pub fn render(api: Option<&str>, config: &Config) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut domains = unfurl_domains(config);
    if domains.len() > MAX_UNFURL_DOMAINS {
        warnings.push(format!(
            "Slack takes at most {MAX_UNFURL_DOMAINS} unfurl domains; left out: {}",
            domains[MAX_UNFURL_DOMAINS..].join(", ")
        ));
        domains.truncate(MAX_UNFURL_DOMAINS);
    }
    let mut out = String::with_capacity(TEMPLATE.len());
    for line in TEMPLATE.lines() {
        if line.trim() == "- UNFURL_DOMAIN" {
            let indent = &line[..line.len() - line.trim_start().len()];
            for d in &domains {
                out.push_str(&format!("{indent}- {d}\n"));
            }
            continue;
        }
        if line.trim() == "unfurl_domains:" && domains.is_empty() {
            warnings.push("no trackers are configured, so no links will be unfurled".into());
            // A key with no items is not a list Slack accepts.
            out.push_str(&format!("{line} []\n"));
            continue;
        }
        // The header explains the placeholders; the filled copy needs none.
        if line.starts_with('#') {
            continue;
        }
        let line = match api {
            Some(api) => line.replace("API_URL", api),
            // Over Socket Mode Slack posts nowhere, so no URL lines at all.
            None if line.contains("API_URL") => continue,
            None => line.replace("socket_mode_enabled: false", "socket_mode_enabled: true"),
        };
        out.push_str(&line.replace("SLASH_COMMAND", &config.slack.command));
        out.push('\n');
    }
    (out, warnings)
}

#[cfg(test)]
mod tests;
