//! Test support: runs configurations through terrane's engine with the AWS provider pointed at
//! the local moto server that the test command starts (tests/env/moto.sh).

#![allow(dead_code)]

pub mod fault_proxy;

use std::sync::Arc;
use std::time::Duration;
use terrane_engine::addr::parse_instance;
use terrane_engine::apply::{ApplyOptions, ApplyOutcome, Recorder, apply, plan_prior_state};
use terrane_engine::config::load_sources;
use terrane_engine::context::Context;
use terrane_engine::diag::Diagnostics;
use terrane_engine::graph::WalkControl;
use terrane_engine::hooks::NoHooks;
use terrane_engine::plan::planner::{PlanOptions, plan};
use terrane_engine::plan::{Action, Plan};
use terrane_engine::provider::{Provider, ProviderFactory, ProviderRegistry};
use terrane_engine::state::local::LocalBackend;
use terrane_engine::state::{State, StateBackend, value_from_object};
use terrane_engine::value::Value;
use terrane_provider_aws::{ApiCalls, AwsProvider, Timings};

pub const MOTO: &str = "http://127.0.0.1:5000";

/// The provider block every test uses.
pub fn provider_block() -> String {
    provider_block_at(MOTO, "")
}

/// A provider block with every endpoint at `e` (a fault proxy, say) and `extra` arguments
/// (`max_retries = 2`).
pub fn provider_block_at(e: &str, extra: &str) -> String {
    format!(
        r#"
provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  {extra}
  endpoints {{
    ec2         = "{e}"
    elbv2       = "{e}"
    rds         = "{e}"
    elasticache = "{e}"
    logs        = "{e}"
    iam         = "{e}"
    sts         = "{e}"
    s3          = "{e}"
    kms         = "{e}"
    acm         = "{e}"
    resourcegroupstaggingapi = "{e}"
  }}
  s3_use_path_style = true
}}
"#
    )
}

/// A unique name for this test run, so tests can share one moto server.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() % 1_000_000_000;
    format!("{prefix}-{t}-{}", N.fetch_add(1, Ordering::SeqCst))
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub backend: Arc<dyn StateBackend>,
    /// The `provider "aws"` block put before every configuration.
    pub provider: String,
    /// The providers' timings: waiters poll every 50 ms (moto answers at once). Given to each
    /// provider, never through the process environment that every test shares.
    pub timings: Timings,
    /// The requests the providers this harness makes have sent (this test's alone).
    pub calls: ApiCalls,
}

/// Makes providers with the harness's timings, counting into its [`ApiCalls`].
struct Factory(Timings, ApiCalls);

impl ProviderFactory for Factory {
    fn source(&self) -> &str {
        terrane_provider_aws::SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(AwsProvider::with_timings(self.0).counting_into(self.1.clone()))
    }
}

impl Harness {
    pub fn new() -> Harness {
        assert!(
            std::net::TcpStream::connect("127.0.0.1:5000").is_ok(),
            "moto is not running on 127.0.0.1:5000: run the tests through tests/run.sh (or tests/env/moto.sh first)"
        );
        let dir = tempfile::tempdir().unwrap();
        let backend = Arc::new(LocalBackend::in_dir(dir.path()));
        let timings = Timings::default().with_poll(Duration::from_millis(50));
        Harness { dir, backend, provider: provider_block(), timings, calls: ApiCalls::default() }
    }

    /// A harness with its own provider block and state backend (an S3 backend, say).
    pub fn with(provider: String, backend: Arc<dyn StateBackend>) -> Harness {
        Harness { provider, backend, ..Harness::new() }
    }

    pub fn ctx(&self, src: &str, state: &State) -> Context {
        let full = format!("{}\n{src}", self.provider);
        let (mut config, diags) = load_sources(vec![("main.tf".into(), full)]);
        assert!(!diags.has_errors(), "config errors: {diags}");
        config.dir = self.dir.path().to_path_buf();
        let mut reg = ProviderRegistry::with_builtin();
        reg.register("aws", Arc::new(Factory(self.timings, self.calls.clone())));
        Context::new(config, reg, state, "default")
    }

    pub async fn state(&self) -> State {
        self.backend.read("default").await.unwrap().unwrap_or_default()
    }

    pub async fn try_plan(&self, src: &str, opts: &PlanOptions) -> Result<(Context, Plan), Diagnostics> {
        let stored = self.backend.read("default").await.unwrap();
        let ctx = self.ctx(src, stored.as_ref().unwrap_or(&State::new()));
        let (p, _) = plan(&ctx, stored.as_ref(), opts, &WalkControl::default(), &NoHooks).await?;
        Ok((ctx, p))
    }

    pub async fn plan(&self, src: &str) -> Plan {
        match self.try_plan(src, &PlanOptions::default()).await {
            Ok((_, p)) => p,
            Err(d) => panic!("plan failed:\n{d}"),
        }
    }

    pub async fn apply_plan(&self, ctx: &Context, p: &Plan) -> (ApplyOutcome, State) {
        let recorder =
            Recorder::start(plan_prior_state(p).unwrap(), self.backend.clone(), "default", Duration::from_millis(200));
        let outcome = apply(ctx, p, &recorder, &ApplyOptions::default(), &WalkControl::default(), &NoHooks).await;
        let state = recorder.finish().await.map_err(|(_, e)| e).unwrap();
        (outcome, state)
    }

    /// Plans and applies, asserting success.
    pub async fn apply(&self, src: &str) -> State {
        let (ctx, p) =
            self.try_plan(src, &PlanOptions::default()).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
        let (out, state) = self.apply_plan(&ctx, &p).await;
        assert!(!out.diags.has_errors(), "apply failed:\n{}", out.diags);
        state
    }

    pub async fn destroy(&self, src: &str) -> State {
        let opts = PlanOptions { mode: terrane_engine::plan::PlanMode::Destroy, ..PlanOptions::default() };
        let (ctx, p) = self.try_plan(src, &opts).await.unwrap_or_else(|d| panic!("destroy plan failed:\n{d}"));
        let (out, state) = self.apply_plan(&ctx, &p).await;
        assert!(!out.diags.has_errors(), "destroy failed:\n{}", out.diags);
        state
    }

    /// The value of one instance in `state`, typed by its schema.
    pub fn value(&self, state: &State, addr: &str) -> Value {
        let i = parse_instance(addr).unwrap();
        let obj = state.object(&i.resource, &i.key).unwrap_or_else(|| panic!("{addr} not in state"));
        let schema = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_aws::AwsFactory);
        let schemas = schema.schema();
        let of_mode = match i.resource.mode {
            terrane_engine::addr::Mode::Data => &schemas.data_sources,
            _ => &schemas.resources,
        };
        let block = &of_mode[&i.resource.type_name].block;
        value_from_object(obj, block)
    }

    pub fn attr(&self, state: &State, addr: &str, name: &str) -> Value {
        self.value(state, addr).get_attr(name).cloned().unwrap_or(Value::NULL)
    }

    pub fn str_attr(&self, state: &State, addr: &str, name: &str) -> String {
        self.attr(state, addr, name).as_str().unwrap_or_default().to_string()
    }
}

/// Asserts that a plan has no changes, showing the plan when it has.
pub fn assert_no_changes(p: &Plan) {
    if p.has_changes() {
        panic!("expected no changes, got:\n{}", terrane_engine::plan::render::text::render_plan(p, &|_| None, false));
    }
}

/// (address, action) of every change that is not a no-op.
pub fn actions(p: &Plan) -> Vec<(String, Action)> {
    p.changes.iter().filter(|c| c.action != Action::NoOp).map(|c| (c.addr.to_string(), c.action)).collect()
}

pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

/// SDK clients on moto, to look behind terrane's back.
macro_rules! moto_client {
    ($(#[$m:meta])* $name:ident, $krate:ident $(, $extra:ident($arg:expr))*) => {
        $(#[$m])*
        pub async fn $name() -> $krate::Client {
            let conf = $krate::config::Builder::new()
                .behavior_version($krate::config::BehaviorVersion::latest())
                .region($krate::config::Region::new("eu-west-1"))
                .endpoint_url(MOTO)
                .credentials_provider(aws_credential_types::Credentials::new("testing", "testing", None, None, "test"))
                .http_client(http_client())
                $(.$extra($arg))*
                .build();
            $krate::Client::from_conf(conf)
        }
    };
}

moto_client!(/// An EC2 client on moto.
    ec2, aws_sdk_ec2);
moto_client!(/// A CloudWatch Logs client on moto.
    logs, aws_sdk_cloudwatchlogs);
moto_client!(/// An RDS client on moto.
    rds, aws_sdk_rds);
moto_client!(/// An ElastiCache client on moto.
    elasticache, aws_sdk_elasticache);
moto_client!(/// An IAM client on moto.
    iam, aws_sdk_iam);
moto_client!(/// An ELBv2 client on moto.
    elbv2, aws_sdk_elasticloadbalancingv2);
moto_client!(/// An S3 client on moto (path-style addressing).
    s3, aws_sdk_s3, force_path_style(true));
moto_client!(/// A KMS client on moto.
    kms, aws_sdk_kms);
moto_client!(/// An ACM client on moto.
    acm, aws_sdk_acm);

/// Makes the bucket `name` on moto (in eu-west-1, behind terrane's back).
pub async fn new_bucket(name: &str) {
    s3().await
        .create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

impl Harness {
    /// A provider instance configured from the tests' provider block (and `src`'s), to call
    /// it directly (import, find_created).
    pub async fn provider(&self, src: &str) -> Arc<dyn terrane_engine::provider::Provider> {
        let provider = Factory(self.timings, self.calls.clone()).new_instance();
        let ctx = self.ctx(src, &State::new());
        let block = &ctx.config.providers["aws"];
        let config = terrane_engine::eval::decode_body(
            &mut terrane_engine::eval::Evaluator::new(&terrane_engine::eval::EmptyScope, self.dir.path()),
            &block.body,
            &provider.schema().provider,
            &block.range,
        )
        .0;
        provider.configure(config).await.unwrap();
        provider
    }
}

/// The planned change of `addr`.
pub fn change<'a>(p: &'a Plan, addr: &str) -> &'a terrane_engine::plan::ResourceChange {
    p.changes.iter().find(|c| c.addr.to_string() == addr).unwrap_or_else(|| panic!("no change for {addr}"))
}

/// (address, action) of every change found by refreshing.
pub fn drift(p: &Plan) -> Vec<(String, Action)> {
    p.drift.iter().map(|c| (c.addr.to_string(), c.action)).collect()
}

/// The path of a top-level attribute.
pub fn attr_path(k: &str) -> Vec<terrane_engine::value::PathStep> {
    vec![terrane_engine::value::PathStep::Attr(k.into())]
}

/// The plan as `terrane plan` prints it (without colour or schemas).
pub fn render(p: &Plan) -> String {
    terrane_engine::plan::render::text::render_plan(p, &|_| None, false)
}

/// S3 backend settings for `bucket` on moto (or a proxy at `endpoint`), with `extra` arguments.
pub fn s3_backend_settings(bucket: &str, endpoint: &str, extra: &[(&str, Value)]) -> terrane_provider_aws::S3Settings {
    let mut m: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::from([
        ("bucket".to_string(), Value::from(bucket)),
        ("key".to_string(), Value::from("platform/terraform.tfstate")),
        ("region".to_string(), Value::from("eu-west-1")),
        ("access_key".to_string(), Value::from("testing")),
        ("secret_key".to_string(), Value::from("testing")),
        ("use_path_style".to_string(), Value::Bool(true)),
        ("use_lockfile".to_string(), Value::Bool(true)),
        ("skip_credentials_validation".to_string(), Value::Bool(true)),
        ("endpoints".to_string(), Value::object([("s3", Value::from(endpoint))])),
    ]);
    for (k, v) in extra {
        m.insert(k.to_string(), v.clone());
    }
    terrane_provider_aws::S3Settings::from_config(&m).unwrap()
}
