//! The poller's behaviour end to end, with Trello, Slack and the store
//! faked or emulated (DynamoDB on moto, from `MOTO_ENDPOINT`).

mod backlog;
mod delivery;
mod exactly_once;
mod stored;
mod support;
mod trello_http;
