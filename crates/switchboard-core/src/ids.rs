//! Identifier newtypes: once parsed, an id is known to be well formed.

use std::fmt;

/// Why a piece of text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}")]
pub struct IdError {
    pub what: &'static str,
    pub value: String,
}

fn slack_id(value: &str, prefixes: &[char], what: &'static str) -> Result<String, IdError> {
    let ok = value.len() >= 2
        && value.len() <= 32
        && value.starts_with(prefixes)
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(value.to_owned())
    } else {
        Err(IdError {
            what,
            value: crate::text::shorten(value, 64, crate::text::Cut::Plain),
        })
    }
}

/// Serialises an id as its text and reads it back (from JSON or with
/// `str::parse`) only through `parse`, so a stored or handed-off id is
/// checked like one from a request.
macro_rules! serde_via_parse {
    ($name:ty, $error:ty) => {
        impl std::str::FromStr for $name {
            type Err = $error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_parse;

macro_rules! slack_id_type {
    ($name:ident, $what:literal, [$($prefix:literal),+]) => {
        #[doc = concat!("A Slack ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, IdError> {
                slack_id(value, &[$($prefix),+], $what).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        serde_via_parse!($name, IdError);
    };
}

slack_id_type!(UserId, "user id", ['U', 'W', 'B']);
slack_id_type!(ChannelId, "channel id", ['C', 'G', 'D']);
slack_id_type!(TeamId, "team id", ['T', 'E']);

/// A job's identifier: 16 lowercase hex digits, random.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(String);

impl JobId {
    pub fn new_random() -> Self {
        let mut bytes = [0u8; 8];
        // Without an entropy source the process cannot do anything safely, and
        // getrandom only fails on exotic targets, so a time-based id is an
        // acceptable fallback that still keeps ids distinct within a process.
        if getrandom::fill(&mut bytes).is_err() {
            bytes = crate::clock::now_millis().to_be_bytes();
        }
        Self(hex::encode(bytes))
    }

    pub fn parse(value: &str) -> Result<Self, IdError> {
        if value.len() == 16
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdError {
                what: "job id",
                value: crate::text::shorten(value, 64, crate::text::Cut::Plain),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The short form people read in Slack.
    pub fn short(&self) -> &str {
        short_job_id(&self.0)
    }
}

/// The short form of a job id people read in Slack: its first eight
/// characters. It takes text because records and specs keep the id as text.
pub fn short_job_id(id: &str) -> &str {
    id.char_indices().nth(8).map_or(id, |(end, _)| &id[..end])
}

serde_via_parse!(JobId, IdError);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests;
