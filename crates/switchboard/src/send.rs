//! `switchboard send`: acts as Slack for a running `serve` — signs a slash
//! command, posts it, prints the reply, and can listen for follow-ups.

use std::time::Duration;

use anyhow::{Context as _, bail};
use switchboard_core::ids::{ChannelId, TeamId, UserId};
use switchboard_core::slack::verify::signed_headers;
use switchboard_core::slack::{ResponseUrl, SlashCommand};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::local;

pub async fn run(
    line: &str,
    user: &str,
    channel: &str,
    addr: &str,
    wait: u64,
) -> anyhow::Result<()> {
    let line = line.trim();
    let (command, text) = match line.split_once(char::is_whitespace) {
        Some((c, t)) => (c, t.trim()),
        None => (line, ""),
    };
    if !command.starts_with('/') {
        bail!("the text must start with the slash command, e.g. '/example help'");
    }
    let (secret, _) = local::signing_secret(false)?;
    // Follow-ups to response_url land on this listener and are printed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/response", listener.local_addr()?);
    let form = SlashCommand {
        team: TeamId::parse("T0LOCAL")?,
        user: UserId::parse(user)?,
        user_name: "local".into(),
        channel: ChannelId::parse(channel)?,
        command: command.to_owned(),
        text: text.to_owned(),
        response_url: ResponseUrl::parse(&hook)?,
    }
    .to_form();
    let url = format!("http://{addr}/slack/commands");
    let resp = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .headers(signed_headers(&secret, form.as_bytes()))
        .body(form)
        .send()
        .await
        .with_context(|| format!("posting to {url}; is `switchboard serve` running?"))?;
    let status = resp.status();
    let body = resp.text().await?;
    if !status.is_success() {
        bail!("serve answered HTTP {status}: {body}");
    }
    print_message(&body);
    if wait > 0 {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
        while let Ok(Ok((mut socket, _))) =
            tokio::time::timeout_at(deadline, listener.accept()).await
        {
            if let Some(body) = read_post(&mut socket).await {
                print_message(&body);
            }
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    }
    Ok(())
}

fn print_message(body: &str) {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => {
            println!(
                "[{}] {}",
                v["response_type"].as_str().unwrap_or("reply"),
                unescape(v["text"].as_str().unwrap_or(body))
            );
            // A terminal cannot press them, but it can show what Slack would.
            let buttons = v["blocks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["elements"].as_array())
                .flatten()
                .filter(|e| e["type"] == "button");
            for b in buttons {
                println!(
                    "  [ {} ]  (action {}, value {})",
                    b["text"]["text"].as_str().unwrap_or_default(),
                    b["action_id"].as_str().unwrap_or_default(),
                    b["value"].as_str().unwrap_or_default()
                );
            }
        }
        Err(_) => println!("{body}"),
    }
}

/// Undoes Slack's mrkdwn escaping, since a terminal shows text as is.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads one small HTTP request and returns its body.
async fn read_post(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(split) = text.find("\r\n\r\n") {
            let len = text[..split]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= split + 4 + len {
                return Some(
                    String::from_utf8_lossy(&buf[split + 4..split + 4 + len]).into_owned(),
                );
            }
        }
        if buf.len() > 1 << 20 {
            return None;
        }
    }
}
