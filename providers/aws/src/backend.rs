//! The S3 state backend, for teams: state objects in a bucket, locked with S3 alone (a
//! `<key>.tflock` object created with `If-None-Match: *`, renewed by a heartbeat while held)
//! and written with `If-Match` on the ETag last read or written, so no run can overwrite a
//! state it did not start from — not even one whose lock was force-removed.
//!
//! Settings are Terraform's (1.6+) `backend "s3"` arguments, so a block Terraform accepts is
//! accepted unchanged.
//!
//! With `dynamodb_table` (how most teams' Terraform backends lock), terrane also locks as
//! Terraform does there, with an item `LockID = "<bucket>/<key>"` put only if absent, and
//! keeps the state's MD5 digest in the item `"<bucket>/<key>-md5"` up to date on every write:
//! Terraform refuses to read a state whose digest does not match. A read checks the digest
//! the same way, so a state written by a run that did not update it is not planned from.

use crate::config::{AssumeRole, Settings, sdk_config};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_smithy_runtime_api::client::result::SdkError;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;
use terrane_engine::state::{LockError, LockInfo, State, StateBackend, StateError};
use terrane_engine::value::Value;
use tokio::task::JoinHandle;

/// How often a held lock is renewed, and after how long without renewal it is reported as
/// probably stale.
const HEARTBEAT: Duration = Duration::from_secs(60);
const STALE_AFTER: Duration = Duration::from_secs(5 * 60);
/// How long a state whose digest does not match the one in DynamoDB is read again before it is
/// refused (Terraform waits 10 s).
const DIGEST_WAIT: Duration = Duration::from_secs(10);

/// The staleness threshold (`TERRANE_S3_STALE_AFTER_SECS` overrides it; tests give theirs to
/// [`S3Backend::with_stale_after`]).
fn stale_after_from_env() -> Duration {
    std::env::var("TERRANE_S3_STALE_AFTER_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(STALE_AFTER, Duration::from_secs)
}

/// The `backend "s3"` arguments terrane understands (Terraform 1.6+ names).
pub const ARGUMENTS: &[&str] = &[
    "bucket",
    "key",
    "region",
    "profile",
    "shared_credentials_files",
    "shared_config_files",
    "access_key",
    "secret_key",
    "token",
    "assume_role",
    "workspace_key_prefix",
    "encrypt",
    "kms_key_id",
    "acl",
    "use_lockfile",
    "endpoints",
    "use_path_style",
    "skip_credentials_validation",
    "skip_requesting_account_id",
    "skip_metadata_api_check",
    "skip_region_validation",
    "max_retries",
    "dynamodb_table",
];

#[derive(Clone, Debug)]
pub struct S3Settings {
    pub bucket: String,
    pub key: String,
    pub workspace_key_prefix: String,
    pub encrypt: bool,
    pub kms_key_id: Option<String>,
    pub use_lockfile: bool,
    /// Terraform's DynamoDB locking and state digests, in this table (hash key `LockID`).
    pub dynamodb_table: Option<String>,
    pub use_path_style: bool,
    /// Do not compare the bucket's region with `region` (S3-compatible stores).
    pub skip_region_validation: bool,
    pub aws: Settings,
}

fn get<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a Value> {
    m.get(k).filter(|v| !v.is_null())
}

fn string(m: &BTreeMap<String, Value>, k: &str) -> Option<String> {
    get(m, k).and_then(Value::as_str).map(str::to_string)
}

fn boolean(m: &BTreeMap<String, Value>, k: &str) -> Option<bool> {
    get(m, k).and_then(|v| v.as_bool().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
}

impl S3Settings {
    /// Reads the backend block (after `-backend-config` merges). Errors name the argument.
    pub fn from_config(m: &BTreeMap<String, Value>) -> Result<S3Settings, String> {
        for k in m.keys() {
            if !ARGUMENTS.contains(&k.as_str()) {
                return Err(format!("the s3 backend has no argument \"{k}\""));
            }
        }
        let bucket = string(m, "bucket")
            .ok_or("the s3 backend needs \"bucket\" (in the block or with -backend-config=bucket=...)")?;
        let key = string(m, "key").ok_or(
            "the s3 backend needs \"key\", the object key of the state (for example \"platform/terraform.tfstate\")",
        )?;
        if key.starts_with('/') || key.ends_with('/') {
            return Err(format!("key {key:?} must not start or end with \"/\""));
        }
        let endpoints = match get(m, "endpoints").and_then(Value::as_map) {
            Some(e) => e.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
            None => BTreeMap::new(),
        };
        let assume_role = match get(m, "assume_role") {
            Some(a) => Some(AssumeRole {
                role_arn: a
                    .get_attr("role_arn")
                    .and_then(Value::as_str)
                    .ok_or("assume_role needs role_arn")?
                    .to_string(),
                session_name: a.get_attr("session_name").and_then(Value::as_str).map(str::to_string),
                external_id: a.get_attr("external_id").and_then(Value::as_str).map(str::to_string),
                duration: a
                    .get_attr("duration")
                    .and_then(Value::as_str)
                    .and_then(|d| humantime::parse_duration(d).ok()),
            }),
            None => None,
        };
        let list = |k: &str| {
            get(m, k)
                .and_then(Value::as_seq)
                .map(|s| s.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let static_keys = match (string(m, "access_key"), string(m, "secret_key")) {
            (Some(a), Some(s)) => Some((a, s, string(m, "token"))),
            _ => None,
        };
        let aws = Settings {
            region: string(m, "region"),
            profile: string(m, "profile"),
            credentials_files: list("shared_credentials_files"),
            config_files: list("shared_config_files"),
            static_keys,
            max_retries: get(m, "max_retries").and_then(Value::as_f64).map_or(5, |n| n as u32),
            skip_credentials_validation: boolean(m, "skip_credentials_validation").unwrap_or(false),
            skip_requesting_account_id: boolean(m, "skip_requesting_account_id").unwrap_or(false),
            assume_role,
            default_tags: BTreeMap::new(),
            endpoints,
            s3_use_path_style: boolean(m, "use_path_style").unwrap_or(false),
            timings: crate::timings::Timings::from_env(),
            calls: crate::calls::ApiCalls::default(),
        };
        Ok(S3Settings {
            bucket,
            key,
            workspace_key_prefix: string(m, "workspace_key_prefix").unwrap_or_else(|| "env:".into()),
            // Encrypted unless turned off explicitly (an S3-compatible store without SSE support):
            // unlike Terraform, whose default is false, state is never written in the clear.
            encrypt: boolean(m, "encrypt").unwrap_or(true),
            kms_key_id: string(m, "kms_key_id"),
            use_lockfile: boolean(m, "use_lockfile").unwrap_or(false),
            dynamodb_table: string(m, "dynamodb_table"),
            use_path_style: boolean(m, "use_path_style").unwrap_or(false),
            skip_region_validation: boolean(m, "skip_region_validation").unwrap_or(false),
            aws,
        })
    }

    pub fn state_key(&self, workspace: &str) -> String {
        if workspace == "default" {
            self.key.clone()
        } else {
            format!("{}/{workspace}/{}", self.workspace_key_prefix, self.key)
        }
    }
}

pub struct S3Backend {
    s: S3Settings,
    client: tokio::sync::OnceCell<aws_sdk_s3::Client>,
    dynamodb: tokio::sync::OnceCell<aws_sdk_dynamodb::Client>,
    /// The ETag of each workspace's state as last read or written (`None`: known absent).
    etags: Mutex<HashMap<String, Option<String>>>,
    /// Held locks: workspace → (lock ID, lock object ETag, heartbeat task).
    held: Mutex<HashMap<String, (String, JoinHandle<()>)>>,
    /// A lock not renewed for this long is reported as probably stale.
    stale_after: Duration,
    /// How long a state whose digest does not match is read again before it is refused.
    digest_wait: Duration,
}

impl S3Backend {
    pub fn new(s: S3Settings) -> S3Backend {
        S3Backend {
            s,
            client: tokio::sync::OnceCell::new(),
            dynamodb: tokio::sync::OnceCell::new(),
            etags: Mutex::new(HashMap::new()),
            held: Mutex::new(HashMap::new()),
            stale_after: stale_after_from_env(),
            digest_wait: DIGEST_WAIT,
        }
    }

    /// The same backend, refusing a state whose digest does not match after `d` (tests).
    pub fn with_digest_wait(self, d: Duration) -> S3Backend {
        S3Backend { digest_wait: d, ..self }
    }

    /// The same backend, reporting a lock not renewed for `d` as probably stale.
    pub fn with_stale_after(self, d: Duration) -> S3Backend {
        S3Backend { stale_after: d, ..self }
    }

    async fn client(&self) -> Result<&aws_sdk_s3::Client, StateError> {
        self.client
            .get_or_try_init(|| async {
                let cfg = sdk_config(&self.s.aws).await.map_err(|e| StateError::Io(e.message))?;
                let mut b = crate::config::with_policy!(
                    aws_sdk_s3::config::Builder::from(&cfg),
                    "s3-backend",
                    self.s.aws.calls.clone()
                )
                .force_path_style(self.s.use_path_style);
                if let Some(url) = self.s.aws.endpoint(&["s3"]) {
                    b = b.endpoint_url(url);
                }
                Ok(aws_sdk_s3::Client::from_conf(b.build()))
            })
            .await
    }

    fn lock_key(&self, workspace: &str) -> String {
        format!("{}.tflock", self.s.state_key(workspace))
    }

    fn where_(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.s.bucket)
    }

    /// A one-line error that says what to fix.
    fn explain<E: ProvideErrorMetadata + std::error::Error + 'static>(
        &self,
        doing: &str,
        key: &str,
        e: &SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> String {
        let code = match e {
            SdkError::ServiceError(se) => se.err().code().unwrap_or("").to_string(),
            _ => String::new(),
        };
        let status = status(e);
        let hint = match (code.as_str(), status) {
            ("NoSuchBucket", _) => format!(
                "the bucket {:?} does not exist; create it (`aws s3 mb s3://{} --region {}`) or fix `bucket`",
                self.s.bucket,
                self.s.bucket,
                self.s.aws.region.as_deref().unwrap_or("<region>")
            ),
            ("AccessDenied", _) | (_, 403) => "access denied; check the credentials and that they may read and write the bucket (s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket)".to_string(),
            ("PermanentRedirect" | "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException", _) | (_, 301) => {
                match bucket_region(e) {
                    Some(actual) => self.wrong_region(&actual),
                    None => format!("the bucket {:?} is in another region than {:?}; set `region` to the bucket's region", self.s.bucket, self.s.aws.region.as_deref().unwrap_or("(default)")),
                }
            }
            _ => crate::errors::describe(doing, e),
        };
        format!("{doing} {}: {hint}", self.where_(key))
    }

    fn wrong_region(&self, actual: &str) -> String {
        format!(
            "the bucket {:?} is in {actual}, not {}; set `region = \"{actual}\"`",
            self.s.bucket,
            self.s.aws.region.as_deref().unwrap_or("(no region)")
        )
    }

    /// Checks that the bucket is in the configured region (what `init` verifies before
    /// recording the backend). S3 itself refuses requests sent to the wrong region, but
    /// S3-compatible endpoints may not; `skip_region_validation` turns the check off.
    pub async fn check_region(&self) -> Result<(), StateError> {
        if self.s.skip_region_validation {
            return Ok(());
        }
        let client = self.client().await?;
        let configured = self.s.aws.region.as_deref();
        let key = self.s.key.clone();
        match client.head_bucket().bucket(&self.s.bucket).send().await {
            Ok(out) => match out.bucket_region() {
                Some(actual) if Some(actual) != configured => {
                    Err(StateError::Io(format!("using {}: {}", self.where_(&key), self.wrong_region(actual))))
                }
                _ => Ok(()),
            },
            Err(e) if status(&e) == 301 => Err(StateError::Io(self.explain("using", &key, &e))),
            // Anything else (a store without HeadBucket, no s3:ListBucket) says nothing about
            // the region; reading and writing the state tell the rest.
            Err(_) => Ok(()),
        }
    }

    async fn get_object(
        &self,
        key: &str,
    ) -> Result<Option<(Vec<u8>, Option<String>, Option<aws_smithy_types::DateTime>)>, StateError> {
        let client = self.client().await?;
        match client.get_object().bucket(&self.s.bucket).key(key).send().await {
            Ok(out) => {
                let etag = out.e_tag().map(str::to_string);
                let modified = out.last_modified().copied();
                let body = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| StateError::Io(format!("reading {}: {e}", self.where_(key))))?;
                Ok(Some((body.into_bytes().to_vec(), etag, modified)))
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
            Err(e) => Err(StateError::Io(self.explain("reading", key, &e))),
        }
    }

    fn put(
        &self,
        client: &aws_sdk_s3::Client,
        key: &str,
        body: Vec<u8>,
    ) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        let mut req = client
            .put_object()
            .bucket(&self.s.bucket)
            .key(key)
            .body(ByteStream::from(body))
            .content_type("application/json");
        if self.s.encrypt || self.s.kms_key_id.is_some() {
            match &self.s.kms_key_id {
                Some(k) => req = req.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(k),
                None => req = req.server_side_encryption(ServerSideEncryption::Aes256),
            }
        }
        req
    }
}

fn md5_hex(b: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(b))
}

/// The bucket's region, as S3 reports it in the `x-amz-bucket-region` header of a refusal.
fn bucket_region<E>(e: &SdkError<E, aws_smithy_runtime_api::http::Response>) -> Option<String> {
    match e {
        SdkError::ServiceError(se) => se.raw().headers().get("x-amz-bucket-region").map(str::to_string),
        _ => None,
    }
}

/// The HTTP status of a service error (412 for a failed condition, 409 for a conflicting
/// concurrent write).
fn status<E>(e: &SdkError<E, aws_smithy_runtime_api::http::Response>) -> u16 {
    match e {
        SdkError::ServiceError(se) => se.raw().status().as_u16(),
        _ => 0,
    }
}

#[async_trait::async_trait]
impl StateBackend for S3Backend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        let key = self.s.state_key(workspace);
        let got = self.read_checked(&key).await?;
        let (state, etag) = match got {
            None => (None, None),
            Some((bytes, etag, _)) if bytes.iter().all(u8::is_ascii_whitespace) => (None, etag),
            Some((bytes, etag, _)) => (
                Some(State::from_json(&bytes).map_err(|e| StateError::Corrupt(format!("{}: {e}", self.where_(&key))))?),
                etag,
            ),
        };
        self.etags.lock().expect("etag lock").insert(workspace.to_string(), etag);
        Ok(state)
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        let key = self.s.state_key(workspace);
        let client = self.client().await?;
        let known = self.etags.lock().expect("etag lock").get(workspace).cloned();
        let known = match known {
            Some(k) => k,
            None => {
                // Never read by this run: learn the current ETag first (a fresh workspace).
                self.get_object(&key).await?.and_then(|(_, etag, _)| etag)
            }
        };
        let body = state.to_json();
        let mut req = self.put(client, &key, body.clone());
        req = match &known {
            Some(etag) => req.if_match(etag),
            None => req.if_none_match("*"),
        };
        let etag = match req.send().await {
            Ok(out) => out.e_tag().map(str::to_string),
            Err(e) if matches!(status(&e), 412 | 409) => match self.landed(&key, &body).await? {
                // An earlier attempt of this very write landed and its answer was lost (a
                // dropped connection, a timeout), so the SDK's retry found the object changed:
                // by this write. Not a conflict; the object's new ETag is the one to match.
                Some(etag) => etag,
                None => {
                    return Err(StateError::Conflict(format!(
                        "refusing to write {}: the state there changed since this run read it (another run wrote it, perhaps after this run's lock was force-removed). Nothing was overwritten; re-run to plan against the current state",
                        self.where_(&key)
                    )));
                }
            },
            Err(e) => return Err(StateError::Io(self.explain("writing", &key, &e))),
        };
        self.etags.lock().expect("etag lock").insert(workspace.to_string(), etag);
        self.put_digest(&key, &body).await?;
        Ok(())
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), LockError> {
        let mut info = info.clone();
        info.path = self.where_(&self.s.state_key(workspace));
        self.lock_file(workspace, &info).await?;
        if let Err(e) = self.lock_item(workspace, &info).await {
            // As Terraform: both locks or neither.
            let _ = self.unlock_file(workspace, &info.id).await;
            return Err(e);
        }
        Ok(())
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), LockError> {
        let item = self.unlock_item(workspace, id).await;
        self.unlock_file(workspace, id).await?;
        item
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), LockError> {
        let item = self.unlock_item(workspace, id).await;
        self.remove_lock(workspace, id).await?;
        item
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let client = self.client().await?;
        let prefix = format!("{}/", self.s.workspace_key_prefix);
        let suffix = format!("/{}", self.s.key);
        let mut names = vec!["default".to_string()];
        let pages = client
            .list_objects_v2()
            .bucket(&self.s.bucket)
            .prefix(&prefix)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| StateError::Io(self.explain("listing workspaces in", &prefix, &e)))?;
        for o in pages.iter().flat_map(|out| out.contents()) {
            if let Some(name) = o.key().and_then(|k| k.strip_prefix(&prefix)).and_then(|k| k.strip_suffix(&suffix))
                && !name.contains('/')
                && !name.is_empty()
            {
                names.push(name.to_string());
            }
        }
        names[1..].sort();
        names.dedup();
        Ok(names)
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == "default" {
            return Err(StateError::Conflict("the default workspace cannot be deleted".into()));
        }
        let key = self.s.state_key(workspace);
        self.delete_object(&key, "deleting").await?;
        // Terraform removes the digest of a deleted state too.
        if let Some(table) = &self.s.dynamodb_table {
            self.delete_item(table, &format!("{}-md5", self.lock_id(&key))).await.map_err(StateError::Io)?;
        }
        Ok(())
    }

    fn describe(&self, workspace: &str) -> String {
        format!("S3 state {}", self.where_(&self.s.state_key(workspace)))
    }
}

impl S3Backend {
    /// The `<key>.tflock` object (Terraform's `use_lockfile`), renewed while held.
    async fn lock_file(&self, workspace: &str, info: &LockInfo) -> Result<(), LockError> {
        let key = self.lock_key(workspace);
        let client = self.client().await.map_err(|e| LockError::Failed(e.to_string()))?;
        let body = serde_json::to_vec_pretty(info).unwrap_or_default();
        let created = match self.put(client, &key, body.clone()).if_none_match("*").send().await {
            Ok(out) => Ok(out.e_tag().map(str::to_string)),
            // The lock object is this run's own (same ID, same time): an earlier attempt
            // created it and its answer was lost, so the retry found it taken.
            Err(e) if matches!(status(&e), 412 | 409) => {
                match self.landed(&key, &body).await.map_err(|e| LockError::Failed(e.to_string()))? {
                    Some(etag) => Ok(etag),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        match created {
            Ok(etag) => {
                let heartbeat = tokio::spawn(heartbeat(
                    client.clone(),
                    self.s.bucket.clone(),
                    key.clone(),
                    body,
                    etag,
                    self.s.encrypt,
                    self.s.kms_key_id.clone(),
                ));
                self.held.lock().expect("lock table").insert(workspace.to_string(), (info.id.clone(), heartbeat));
                Ok(())
            }
            Err(e) if matches!(status(&e), 412 | 409) => {
                let holder = self.get_object(&key).await.map_err(|e| LockError::Failed(e.to_string()))?;
                let mut h = holder
                    .as_ref()
                    .and_then(|(b, _, _)| serde_json::from_slice::<LockInfo>(b).ok())
                    .unwrap_or_else(|| LockInfo { id: "unknown".into(), ..LockInfo::new("unknown") });
                if let Some((_, _, Some(modified))) = holder {
                    let age = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_secs() as i64
                        - modified.secs();
                    if age > self.stale_after.as_secs() as i64 {
                        h.info = format!(
                            "{}{}probably stale: its holder has not renewed it for {} (heartbeat every {}s)",
                            h.info,
                            if h.info.is_empty() { "" } else { "; " },
                            humantime::format_duration(Duration::from_secs(age as u64)),
                            HEARTBEAT.as_secs()
                        );
                    }
                }
                Err(LockError::Held(Box::new(h)))
            }
            Err(e) => Err(LockError::Failed(self.explain("locking", &key, &e))),
        }
    }

    async fn unlock_file(&self, workspace: &str, id: &str) -> Result<(), LockError> {
        let held = self.held.lock().expect("lock table").remove(workspace);
        if let Some((_, hb)) = held {
            hb.abort();
        }
        self.remove_lock(workspace, id).await
    }

    async fn dynamodb(&self) -> Result<&aws_sdk_dynamodb::Client, StateError> {
        self.dynamodb
            .get_or_try_init(|| async {
                let cfg = sdk_config(&self.s.aws).await.map_err(|e| StateError::Io(e.message))?;
                Ok(crate::config::client!(aws_sdk_dynamodb, &cfg, &self.s.aws, &["dynamodb"]))
            })
            .await
    }

    /// Terraform's `LockID` of the state at `key`: `<bucket>/<key>`.
    fn lock_id(&self, key: &str) -> String {
        format!("{}/{key}", self.s.bucket)
    }

    /// The lock item, put only if absent; the holder's info when it is taken.
    async fn lock_item(&self, workspace: &str, info: &LockInfo) -> Result<(), LockError> {
        let Some(table) = &self.s.dynamodb_table else { return Ok(()) };
        let client = self.dynamodb().await.map_err(|e| LockError::Failed(e.to_string()))?;
        let id = self.lock_id(&self.s.state_key(workspace));
        let body = serde_json::to_string(info).unwrap_or_default();
        let put = client
            .put_item()
            .table_name(table)
            .item("LockID", AttributeValue::S(id.clone()))
            .item("Info", AttributeValue::S(body.clone()))
            .condition_expression("attribute_not_exists(LockID)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                let holder = self.item_info(table, &id).await.map_err(|e| LockError::Failed(e.to_string()))?;
                match holder {
                    // An earlier attempt of this very put landed and its answer was lost.
                    Some(text) if text == body => Ok(()),
                    Some(text) => Err(LockError::Held(Box::new(serde_json::from_str(&text).unwrap_or_else(|_| {
                        LockInfo { id: "unknown".into(), info: text, ..LockInfo::new("unknown") }
                    })))),
                    None => Err(LockError::Failed(format!(
                        "locking {id} in DynamoDB table {table}: the lock item was taken and then removed; try again"
                    ))),
                }
            }
            Err(e) => Err(LockError::Failed(format!(
                "locking {id} in DynamoDB table {table}: {}",
                crate::errors::describe("putting the lock item", &e)
            ))),
        }
    }

    /// The string attribute `attr` of the item `id` of `table` ("" when the item lacks it), if
    /// there is such an item: a lock's `Info`, a state's `Digest`.
    async fn item_attr(&self, table: &str, id: &str, attr: &str) -> Result<Option<String>, StateError> {
        let client = self.dynamodb().await?;
        let out = client
            .get_item()
            .table_name(table)
            .key("LockID", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| {
                StateError::Io(format!(
                    "reading {id} in DynamoDB table {table}: {}",
                    crate::errors::describe("getting the item", &e)
                ))
            })?;
        Ok(out.item().map(|i| match i.get(attr) {
            Some(AttributeValue::S(s)) => s.clone(),
            _ => String::new(),
        }))
    }

    /// The `Info` of the item `id` (a lock's holder), if there is such an item.
    async fn item_info(&self, table: &str, id: &str) -> Result<Option<String>, StateError> {
        self.item_attr(table, id, "Info").await
    }

    /// Removes the lock item if it is lock `id`'s (Terraform's unlock checks the same).
    async fn unlock_item(&self, workspace: &str, id: &str) -> Result<(), LockError> {
        let Some(table) = &self.s.dynamodb_table else { return Ok(()) };
        let lock_id = self.lock_id(&self.s.state_key(workspace));
        let current = self.item_info(table, &lock_id).await.map_err(|e| LockError::Unlock(e.to_string()))?;
        let Some(text) = current else { return Ok(()) };
        same_holder(text.as_bytes(), id)?;
        self.delete_item(table, &lock_id).await.map_err(LockError::Unlock)
    }

    /// Deletes the item `id` of `table` (a lock, a digest).
    async fn delete_item(&self, table: &str, id: &str) -> Result<(), String> {
        let client = self.dynamodb().await.map_err(|e| e.to_string())?;
        client.delete_item().table_name(table).key("LockID", AttributeValue::S(id.to_string())).send().await.map_err(
            |e| {
                format!("deleting {id} in DynamoDB table {table}: {}", crate::errors::describe("deleting the item", &e))
            },
        )?;
        Ok(())
    }

    /// The stored MD5 digest of the state at `key` (item `<bucket>/<key>-md5`), if any.
    async fn digest(&self, table: &str, key: &str) -> Result<Option<String>, StateError> {
        let id = format!("{}-md5", self.lock_id(key));
        Ok(self.item_attr(table, &id, "Digest").await?.filter(|d| !d.is_empty()))
    }

    /// Records the MD5 digest of the state just written, as Terraform does.
    async fn put_digest(&self, key: &str, body: &[u8]) -> Result<(), StateError> {
        let Some(table) = &self.s.dynamodb_table else { return Ok(()) };
        let client = self.dynamodb().await?;
        let id = format!("{}-md5", self.lock_id(key));
        let digest = md5_hex(body);
        client
            .put_item()
            .table_name(table)
            .item("LockID", AttributeValue::S(id.clone()))
            .item("Digest", AttributeValue::S(digest.clone()))
            .send()
            .await
            .map_err(|e| {
                StateError::Io(format!(
                    "the state was written to {}, but its digest could not be recorded in DynamoDB table {table} (item {id}); Terraform refuses to read it until that item's Digest is {digest}: {}",
                    self.where_(key),
                    crate::errors::describe("putting the digest", &e)
                ))
            })?;
        Ok(())
    }

    /// The state object, checked against the digest Terraform keeps beside it: as Terraform
    /// does, a mismatch is retried for a while (a write may not be visible yet), then refused.
    async fn read_checked(
        &self,
        key: &str,
    ) -> Result<Option<(Vec<u8>, Option<String>, Option<aws_smithy_types::DateTime>)>, StateError> {
        let Some(table) = &self.s.dynamodb_table else { return self.get_object(key).await };
        let deadline = std::time::Instant::now() + self.digest_wait;
        loop {
            let got = self.get_object(key).await?;
            let expected = self.digest(table, key).await?;
            let actual = got.as_ref().map(|(b, _, _)| md5_hex(b));
            match (&expected, &actual) {
                (None, _) => return Ok(got),
                (Some(e), Some(a)) if e == a => return Ok(got),
                _ if std::time::Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(500)).await,
                (Some(e), _) => {
                    let actual = actual.as_deref().unwrap_or("(no state)");
                    return Err(StateError::Corrupt(format!(
                        "the state at {} does not have the expected content: its MD5 digest is {actual}, but DynamoDB table {table} records {e} for it (item {}-md5). A write may still be on its way: wait a minute and try again. If this persists, check the state and set that item's Digest to {actual}",
                        self.where_(key),
                        self.lock_id(key),
                    )));
                }
            }
        }
    }

    /// Whether the object at `key` holds exactly `body` (a write of ours that landed): its
    /// ETag if so.
    async fn landed(&self, key: &str, body: &[u8]) -> Result<Option<Option<String>>, StateError> {
        Ok(match self.get_object(key).await? {
            Some((bytes, etag, _)) if bytes == body => Some(etag),
            _ => None,
        })
    }

    async fn remove_lock(&self, workspace: &str, id: &str) -> Result<(), LockError> {
        let key = self.lock_key(workspace);
        let current = self.get_object(&key).await.map_err(|e| LockError::Unlock(e.to_string()))?;
        let Some((body, _, _)) = current else { return Ok(()) };
        same_holder(&body, id)?;
        self.delete_object(&key, "unlocking").await.map_err(|e| LockError::Unlock(e.to_string()))
    }

    /// Deletes the object at `key` (`doing` names the step in an error).
    async fn delete_object(&self, key: &str, doing: &str) -> Result<(), StateError> {
        let client = self.client().await?;
        client
            .delete_object()
            .bucket(&self.s.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| StateError::Io(self.explain(doing, key, &e)))?;
        Ok(())
    }
}

/// Renews the lock object while it is held, so others can tell a live lock from a stale one.
async fn heartbeat(
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    body: Vec<u8>,
    mut etag: Option<String>,
    encrypt: bool,
    kms: Option<String>,
) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let Some(current) = etag.clone() else { return };
        let mut req =
            client.put_object().bucket(&bucket).key(&key).body(ByteStream::from(body.clone())).if_match(current);
        if encrypt || kms.is_some() {
            req = match &kms {
                Some(k) => req.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(k),
                None => req.server_side_encryption(ServerSideEncryption::Aes256),
            };
        }
        match req.send().await {
            Ok(out) => etag = out.e_tag().map(str::to_string),
            Err(e) if matches!(status(&e), 412 | 409) => {
                // Renewed by an earlier attempt whose answer was lost (the object still holds
                // this lock's body), or removed or taken over: stop renewing someone else's.
                match client.get_object().bucket(&bucket).key(&key).send().await {
                    Ok(out) => {
                        let current = out.e_tag().map(str::to_string);
                        match out.body.collect().await.map(|b| b.into_bytes()) {
                            Ok(b) if b == body => etag = current,
                            _ => return,
                        }
                    }
                    Err(_) => return,
                }
            }
            Err(_) => return,
        }
    }
}

/// Refuses to remove a lock that `current` (the lock's recorded info) says another holder
/// took: Terraform's unlock checks the same, for the lock object and the DynamoDB item alike.
fn same_holder(current: &[u8], id: &str) -> Result<(), LockError> {
    match serde_json::from_slice::<LockInfo>(current) {
        Ok(info) if info.id != id => {
            Err(LockError::Unlock(format!("the lock ID {id:?} does not match the existing lock ID {:?}", info.id)))
        }
        _ => Ok(()),
    }
}
