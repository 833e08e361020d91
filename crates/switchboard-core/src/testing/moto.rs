//! The local AWS emulator (moto, through `scripts/moto-server.py`) that the
//! test command starts.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

/// The emulator's URL, from `MOTO_ENDPOINT`; without it the test fails and
/// says how to get one.
pub fn endpoint() -> String {
    match std::env::var("MOTO_ENDPOINT") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "MOTO_ENDPOINT is not set. These tests need the moto AWS emulator: run the \
             README's test command (`make test`), which installs moto[server] into .venv and \
             starts it, or start one yourself (`.venv/bin/python scripts/moto-server.py 127.0.0.1 5055`) and export \
             MOTO_ENDPOINT=http://127.0.0.1:5055"
        ),
    }
}

/// The SDK as the functions configure it (their timeouts and retries),
/// aimed at `endpoint`: a fault proxy in front of moto.
pub async fn production_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    crate::runtime::aws_loader()
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await
}

/// Creates a fresh table shaped like the deployed one and returns its name.
pub async fn create_table(aws: &aws_config::SdkConfig) -> String {
    let client = aws_sdk_dynamodb::Client::new(aws);
    let name = format!("switchboard-test-{}", crate::ids::JobId::new_random());
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute definition")
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .expect("key schema")
    };
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk"))
        .attribute_definitions(attr("sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating table on moto at {}: {e:?}", endpoint()));
    client
        .update_time_to_live()
        .table_name(&name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .expect("ttl spec"),
        )
        .send()
        .await
        .expect("enabling TTL on moto");
    name
}
