//! The DynamoDB adapter. Only this file knows the item layout:
//! `pk` (S), `sk` (S), `v` (S, the value), `expires_at` (N, the table's TTL
//! attribute). DynamoDB deletes expired items lazily, so every condition
//! and read also treats `expires_at <= now` as absent.

use std::collections::HashMap;

use anyhow::Context as _;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{Condition, Item, Key, Order, Query, StateStore, StoreError};
use crate::clock::now_secs;

#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

const NOT_LIVE: &str = "attribute_not_exists(pk) OR expires_at <= :now";
const LIVE_WITH_VALUE: &str =
    "v = :expected AND (attribute_not_exists(expires_at) OR expires_at > :now)";

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

fn to_item(item: &HashMap<String, AttributeValue>) -> anyhow::Result<Item> {
    let s = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .with_context(|| format!("item lacks string attribute {name}"))
    };
    let expires_at = match item.get("expires_at") {
        Some(v) => Some(
            v.as_n()
                .ok()
                .and_then(|n| n.parse::<i64>().ok())
                .context("expires_at is not a whole number")?,
        ),
        None => None,
    };
    Ok(Item {
        key: Key::new(s("pk")?, s("sk")?),
        value: s("v")?,
        expires_at,
    })
}

#[async_trait]
impl StateStore for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.pk.clone()))
            .key("sk", AttributeValue::S(key.sk.clone()))
            .consistent_read(true)
            .send()
            .await
            .with_context(|| format!("GetItem on table {}", self.table))?;
        match out.item() {
            None => Ok(None),
            Some(raw) => {
                let item = to_item(raw)?;
                Ok(item.is_live(now_secs()).then_some(item))
            }
        }
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        let now = AttributeValue::N(now_secs().to_string());
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(item.key.pk))
            .item("sk", AttributeValue::S(item.key.sk))
            .item("v", AttributeValue::S(item.value));
        if let Some(t) = item.expires_at {
            req = req.item("expires_at", AttributeValue::N(t.to_string()));
        }
        req = match condition {
            Condition::None => req,
            Condition::Absent => req
                .condition_expression(NOT_LIVE)
                .expression_attribute_values(":now", now),
            Condition::ValueIs(expected) => req
                .condition_expression(LIVE_WITH_VALUE)
                .expression_attribute_values(":now", now)
                .expression_attribute_values(":expected", AttributeValue::S(expected)),
        };
        match req.send().await {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Err(StoreError::ConditionFailed)
            }
            Err(e) => Err(anyhow::Error::new(e)
                .context(format!("PutItem on table {}", self.table))
                .into()),
        }
    }

    async fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        let Query {
            pk,
            sk_prefix,
            order,
            limit,
        } = q;
        let now = now_secs();
        let mut out = Vec::new();
        let mut start = None;
        // Expired items still count against DynamoDB's Limit, so keep paging
        // until enough live ones are found.
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .scan_index_forward(order == Order::Ascending)
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
                .limit(i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000))
                .set_exclusive_start_key(start.take());
            req = if sk_prefix.is_empty() {
                req.key_condition_expression("pk = :pk")
            } else {
                req.key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(":prefix", AttributeValue::S(sk_prefix.to_owned()))
            };
            let page = req
                .send()
                .await
                .with_context(|| format!("Query on table {}", self.table))?;
            for raw in page.items() {
                let item = to_item(raw)?;
                if item.is_live(now) && out.len() < limit {
                    out.push(item);
                }
            }
            match page.last_evaluated_key() {
                Some(k) if out.len() < limit => start = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }
}

#[cfg(test)]
mod tests;
