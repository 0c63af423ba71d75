//! The `provider "aws"` block and the API clients built from it: region, profile and shared
//! files, static keys, `assume_role`, `default_tags`, per-service `endpoints` (a local emulator
//! such as moto), and the retry and timeout policy of `retries`.

use crate::errors::sdk_error;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls;
use aws_types::SdkConfig;
use aws_types::region::Region;
use std::collections::BTreeMap;
use terrane_engine::model::{self, Model, ModelError};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

/// Services whose endpoint can be overridden, as Terraform names them.
pub const ENDPOINT_SERVICES: &[&str] = &[
    "ec2",
    "elb",
    "elbv2",
    "rds",
    "elasticache",
    "logs",
    "cloudwatchlogs",
    "iam",
    "sts",
    "s3",
    "kms",
    "acm",
    "resourcegroupstaggingapi",
];

/// The `provider "aws"` block.
#[derive(Model, Clone, Debug, Default)]
struct ProviderConfig {
    #[model(optional, describe = "AWS region (else AWS_REGION or the profile's).")]
    region: Option<String>,
    #[model(optional)]
    profile: Option<String>,
    #[model(optional)]
    shared_credentials_files: Option<Vec<String>>,
    #[model(optional)]
    shared_config_files: Option<Vec<String>>,
    #[model(optional, sensitive)]
    access_key: Option<String>,
    #[model(optional, sensitive)]
    secret_key: Option<String>,
    #[model(optional, sensitive)]
    token: Option<String>,
    #[model(optional)]
    max_retries: Option<i64>,
    #[model(optional)]
    skip_credentials_validation: Option<bool>,
    #[model(optional)]
    skip_requesting_account_id: Option<bool>,
    #[model(optional)]
    skip_metadata_api_check: Option<bool>,
    #[model(optional)]
    skip_region_validation: Option<bool>,
    #[model(optional)]
    s3_use_path_style: Option<bool>,
    #[model(block = "single")]
    assume_role: Option<AssumeRoleBlock>,
    #[model(block = "single")]
    default_tags: Option<DefaultTags>,
    #[model(block = "list", max = 1)]
    endpoints: Option<Endpoints>,
}

#[derive(Model, Clone, Debug, Default)]
struct AssumeRoleBlock {
    #[model(required)]
    role_arn: String,
    #[model(optional)]
    session_name: Option<String>,
    #[model(optional)]
    external_id: Option<String>,
    #[model(optional)]
    duration: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
struct DefaultTags {
    #[model(optional)]
    tags: Option<BTreeMap<String, String>>,
}

/// The `endpoints` block: one optional URL per service of [`ENDPOINT_SERVICES`] (a model
/// written by hand, since its attributes come from that list).
#[derive(Clone, Debug, Default)]
struct Endpoints(BTreeMap<String, String>);

impl Model for Endpoints {
    fn schema() -> Schema {
        ENDPOINT_SERVICES.iter().fold(Schema::new(), |s, name| {
            s.attr(name, Attribute::optional(Type::String).describe(format!("Endpoint URL for {name}.")))
        })
    }
    fn read(v: &Value, lenient: bool) -> Result<Self, ModelError> {
        let mut urls = BTreeMap::new();
        for name in ENDPOINT_SERVICES {
            if let Some(url) = model::attribute::<Option<String>>(v, name, lenient)? {
                urls.insert((*name).to_string(), url);
            }
        }
        Ok(Endpoints(urls))
    }
    fn write(&self, out: &mut BTreeMap<String, Value>) {
        for name in ENDPOINT_SERVICES {
            out.insert((*name).to_string(), self.0.get(*name).map_or(Value::null(Type::String), Value::from));
        }
    }
}

pub fn schema() -> Schema {
    ProviderConfig::schema()
}

/// The provider block, resolved.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub credentials_files: Vec<String>,
    pub config_files: Vec<String>,
    pub static_keys: Option<(String, String, Option<String>)>,
    pub max_retries: u32,
    pub skip_credentials_validation: bool,
    /// `skip_requesting_account_id`: no account ID, so ARNs the provider builds have none
    /// (`arn:aws:ec2:eu-west-1::instance/i-…`), as hashicorp/aws builds them.
    pub skip_requesting_account_id: bool,
    pub assume_role: Option<AssumeRole>,
    pub default_tags: BTreeMap<String, String>,
    pub endpoints: BTreeMap<String, String>,
    /// `s3_use_path_style`: bucket in the path, not the host name (needed by S3-compatible servers).
    pub s3_use_path_style: bool,
    /// Waiter polling and API timeouts (not an argument: the environment's, or a test's).
    pub timings: crate::timings::Timings,
    /// Where the clients count their requests (not an argument).
    pub calls: crate::calls::ApiCalls,
}

#[derive(Clone, Debug)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<std::time::Duration>,
}

impl Settings {
    pub fn from_value(v: &Value) -> Result<Settings, ProviderError> {
        let unknown = |k: &str| v.get_attr(k).is_some_and(Value::is_unknown);
        for k in ["region", "profile", "access_key", "secret_key"] {
            if unknown(k) {
                return Err(ProviderError::new(format!(
                    "the aws provider's \"{k}\" depends on a value not known until apply; give it a known value"
                )));
            }
        }
        let v = ProviderConfig::from_stub(v)?;
        let assume_role = match v.assume_role {
            Some(a) => Some(AssumeRole {
                role_arn: a.role_arn,
                session_name: a.session_name,
                external_id: a.external_id,
                duration: match a.duration {
                    Some(d) => Some(
                        humantime::parse_duration(&d)
                            .map_err(|e| ProviderError::new(format!("assume_role.duration: {e}")))?,
                    ),
                    None => None,
                },
            }),
            None => None,
        };
        let static_keys = match (v.access_key, v.secret_key) {
            (Some(a), Some(s)) => Some((a, s, v.token)),
            _ => None,
        };
        Ok(Settings {
            region: v.region,
            profile: v.profile,
            credentials_files: v.shared_credentials_files.unwrap_or_default(),
            config_files: v.shared_config_files.unwrap_or_default(),
            static_keys,
            max_retries: v.max_retries.map_or(25, |n| n.max(0) as u32),
            skip_credentials_validation: v.skip_credentials_validation.unwrap_or(false),
            skip_requesting_account_id: v.skip_requesting_account_id.unwrap_or(false),
            assume_role,
            default_tags: v.default_tags.and_then(|d| d.tags).unwrap_or_default(),
            endpoints: v.endpoints.map(|e| e.0).unwrap_or_default(),
            s3_use_path_style: v.s3_use_path_style.unwrap_or(false),
            timings: crate::timings::Timings::from_env(),
            calls: crate::calls::ApiCalls::default(),
        })
    }

    /// The endpoint override for a service, trying Terraform's alternative names.
    pub fn endpoint(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| self.endpoints.get(*n).cloned()).or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
    }
}

/// Every API client the provider uses, sharing one configuration.
pub struct Clients {
    pub ec2: aws_sdk_ec2::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub rds: aws_sdk_rds::Client,
    pub elasticache: aws_sdk_elasticache::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub s3: aws_sdk_s3::Client,
    pub kms: aws_sdk_kms::Client,
    pub acm: aws_sdk_acm::Client,
    /// The Resource Groups Tagging API, for reading the tags of many objects at once; `None`
    /// when it must not be used (see [`tagging_usable`]).
    pub tagging: Option<aws_sdk_resourcegroupstagging::Client>,
    /// Set once the tagging API was refused (no `tag:GetResources`): not asked again.
    pub tagging_refused: std::sync::atomic::AtomicBool,
    pub region: String,
    /// The account ID, when known (from STS unless credential validation is skipped).
    pub account_id: Option<String>,
}

fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

/// The shared SDK configuration: credentials chain (or static keys, or an assumed role),
/// region, retries and timeouts.
pub async fn sdk_config(s: &Settings) -> Result<SdkConfig, ProviderError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(RetryConfig::standard().with_max_attempts(s.max_retries.max(1)))
        .timeout_config(crate::retries::timeout_config(&s.timings));
    if let Some(r) = &s.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(p) = &s.profile {
        loader = loader.profile_name(p);
    }
    if !s.credentials_files.is_empty() || !s.config_files.is_empty() {
        let mut files = aws_runtime::env_config::file::EnvConfigFiles::builder();
        for f in &s.credentials_files {
            files = files.with_file(aws_runtime::env_config::file::EnvConfigFileKind::Credentials, expand_home(f));
        }
        for f in &s.config_files {
            files = files.with_file(aws_runtime::env_config::file::EnvConfigFileKind::Config, expand_home(f));
        }
        loader = loader.profile_files(files.build());
    }
    if let Some((ak, sk, token)) = &s.static_keys {
        loader = loader.credentials_provider(aws_credential_types::Credentials::new(
            ak,
            sk,
            token.clone(),
            None,
            "terrane-provider-config",
        ));
    }
    let base = loader.load().await;
    if base.region().is_none() {
        return Err(ProviderError::new(
            "no AWS region: set region in the provider block, or AWS_REGION, or a region in your AWS profile",
        ));
    }
    let Some(role) = &s.assume_role else { return Ok(base) };
    let mut b = aws_config::sts::AssumeRoleProvider::builder(&role.role_arn)
        .session_name(role.session_name.clone().unwrap_or_else(|| "terrane".to_string()))
        .configure(&base);
    if let Some(x) = &role.external_id {
        b = b.external_id(x);
    }
    if let Some(d) = role.duration {
        b = b.session_length(d);
    }
    let provider = b.build().await;
    Ok(base.into_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build())
}

/// Whether tags may be read through the Resource Groups Tagging API: against AWS itself, or
/// when its endpoint is overridden too. A configuration that points CloudWatch Logs at an
/// emulator but says nothing of the tagging API must not have its reads sent to AWS.
pub fn tagging_usable(s: &Settings) -> bool {
    s.endpoint(&["logs", "cloudwatchlogs"]).is_none() || s.endpoint(&["resourcegroupstaggingapi"]).is_some()
}

fn expand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => p.to_string(),
    }
}

/// A service's config builder with what every client has: the call counter, the failed-call
/// report and a retry partition without a retry quota (see `retries`).
macro_rules! with_policy {
    ($builder:expr, $service:expr, $calls:expr) => {
        $builder
            .interceptor(crate::calls::CallCounter($calls))
            .interceptor(crate::retries::CallReport)
            .retry_partition(crate::retries::partition($service))
    };
}
pub(crate) use with_policy;

macro_rules! client {
    ($krate:ident, $cfg:expr, $s:expr, $names:expr) => {{
        let mut b = crate::config::with_policy!($krate::config::Builder::from($cfg), $names[0], $s.calls.clone());
        if let Some(url) = $s.endpoint($names) {
            b = b.endpoint_url(url);
        }
        $krate::Client::from_conf(b.build())
    }};
}
pub(crate) use client;

/// Builds the clients; unless `skip_credentials_validation`, checks the credentials with
/// STS GetCallerIdentity first so a bad setup fails with one clear message.
pub async fn build_clients(s: &Settings) -> Result<Clients, ProviderError> {
    let cfg = sdk_config(s).await?;
    let sts = client!(aws_sdk_sts, &cfg, s, &["sts"]);
    // As hashicorp/aws (aws-sdk-go-base's GetAwsAccountIDAndPartition): the credentials
    // checked with STS give the account ID; with the check skipped, the ID is still asked for
    // unless `skip_requesting_account_id`, and not finding it is an error.
    let account_id = if s.skip_credentials_validation && s.skip_requesting_account_id {
        None
    } else {
        let who = sts.get_caller_identity().send().await.map_err(|e| {
            if s.skip_credentials_validation {
                let e = sdk_error("retrieving caller identity from STS", e);
                ProviderError::new(format!("AWS account ID not previously found and failed retrieving via all available methods. See https://registry.terraform.io/providers/hashicorp/aws/latest/docs#skip_requesting_account_id for workaround and implications. Errors: {}", e.message))
                    .with_summary("Retrieving AWS account details")
            } else {
                let e = sdk_error("validating the AWS credentials (STS GetCallerIdentity)", e);
                ProviderError::new(format!("{}\n\nCheck the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws/credentials, or the provider's profile/assume_role), or set skip_credentials_validation = true.", e.message))
            }
        })?;
        who.account().map(str::to_string)
    };
    Ok(Clients {
        ec2: client!(aws_sdk_ec2, &cfg, s, &["ec2"]),
        elbv2: client!(aws_sdk_elasticloadbalancingv2, &cfg, s, &["elbv2", "elb"]),
        rds: client!(aws_sdk_rds, &cfg, s, &["rds"]),
        elasticache: client!(aws_sdk_elasticache, &cfg, s, &["elasticache"]),
        logs: client!(aws_sdk_cloudwatchlogs, &cfg, s, &["logs", "cloudwatchlogs"]),
        iam: client!(aws_sdk_iam, &cfg, s, &["iam"]),
        s3: {
            let mut b = with_policy!(aws_sdk_s3::config::Builder::from(&cfg), "s3", s.calls.clone())
                .force_path_style(s.s3_use_path_style);
            if let Some(url) = s.endpoint(&["s3"]) {
                b = b.endpoint_url(url);
            }
            aws_sdk_s3::Client::from_conf(b.build())
        },
        kms: client!(aws_sdk_kms, &cfg, s, &["kms"]),
        acm: client!(aws_sdk_acm, &cfg, s, &["acm"]),
        tagging: tagging_usable(s)
            .then(|| client!(aws_sdk_resourcegroupstagging, &cfg, s, &["resourcegroupstaggingapi"])),
        tagging_refused: std::sync::atomic::AtomicBool::new(false),
        region: cfg.region().map(ToString::to_string).unwrap_or_default(),
        sts,
        account_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tagging_api_is_used_only_where_the_logs_are() {
        let with = |pairs: &[(&str, &str)]| Settings {
            endpoints: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Settings::default()
        };
        if std::env::var("AWS_ENDPOINT_URL").is_ok() {
            return;
        }
        assert!(tagging_usable(&with(&[])), "AWS itself");
        assert!(!tagging_usable(&with(&[("logs", "http://localhost:5000")])), "an emulator for logs only");
        assert!(tagging_usable(&with(&[
            ("cloudwatchlogs", "http://localhost:5000"),
            ("resourcegroupstaggingapi", "http://localhost:5000")
        ])));
    }
}
