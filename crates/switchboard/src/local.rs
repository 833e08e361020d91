//! Defaults for the local process: which config, which signing secret.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use switchboard_core::secrets::Secret;

const EXAMPLE: &str = include_str!("../../../switchboard.example.toml");
pub const DIR: &str = ".switchboard";

/// The config to use: the one given, else `./switchboard.toml`, else the
/// example (written out so the workers `serve` spawns can read it too).
pub fn config_path(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    let own = PathBuf::from("switchboard.toml");
    if own.is_file() {
        return Ok(own);
    }
    let example = Path::new(DIR).join("example.toml");
    std::fs::create_dir_all(DIR).with_context(|| format!("creating {DIR}"))?;
    std::fs::write(&example, EXAMPLE).with_context(|| format!("writing {}", example.display()))?;
    eprintln!(
        "No switchboard.toml here, so using the example config ({}). Copy switchboard.example.toml to switchboard.toml to change it.",
        example.display()
    );
    Ok(example)
}

/// `SLACK_SIGNING_SECRET`, else a development secret kept in
/// `.switchboard/dev-signing-secret` (made on first use).
pub fn signing_secret(create: bool) -> anyhow::Result<(Secret, Option<PathBuf>)> {
    if let Ok(s) = std::env::var("SLACK_SIGNING_SECRET")
        && !s.is_empty()
    {
        return Ok((Secret::new(s), None));
    }
    let path = Path::new(DIR).join("dev-signing-secret");
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => return Ok((Secret::new(s.trim()), Some(path))),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    if !create {
        anyhow::bail!(
            "no signing secret: set SLACK_SIGNING_SECRET, or run `switchboard serve` here first (it makes {})",
            path.display()
        );
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a secret: {e}"))?;
    let secret = hex::encode(bytes);
    std::fs::create_dir_all(DIR)?;
    write_private(&path, &secret)?;
    Ok((Secret::new(secret), Some(path)))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
