//! The state backend interface: read, write, lock and workspaces. The local file backend
//! lives beside it; the S3 backend lives in the AWS provider crate.

use super::State;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("the state is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Lock(#[from] LockError),
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("the state is locked")]
    Held(Box<LockInfo>),
    #[error("failed to lock the state: {0}")]
    Failed(String),
    #[error("failed to unlock the state: {0}")]
    Unlock(String),
}

/// Who holds a lock and why, in Terraform's lock info shape plus host and pid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    pub operation: String,
    #[serde(default)]
    pub info: String,
    pub who: String,
    pub version: String,
    pub created: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub pid: u32,
}

impl LockInfo {
    /// Lock info for an operation of this process.
    pub fn new(operation: &str) -> LockInfo {
        let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
        let host = hostname();
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            info: String::new(),
            who: format!("{user}@{host}"),
            version: crate::VERSION.to_string(),
            created: humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string(),
            path: String::new(),
            host,
            pid: std::process::id(),
        }
    }

    /// The explanation shown when a run finds the lock held.
    pub fn describe(&self) -> String {
        format!(
            "Lock Info:\n  ID:        {}\n  Path:      {}\n  Operation: {}\n  Who:       {}\n  Version:   {}\n  Created:   {}\n  Info:      {}\n\nterrane acquires a state lock to protect the state from being written by multiple users at the same time. Please resolve the issue above and try again. If the holder is gone, `terrane force-unlock {}` removes the lock.",
            self.id, self.path, self.operation, self.who, self.version, self.created, self.info, self.id
        )
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "localhost".into())
}

/// Where states live. Implementations must make a lost write impossible (the local backend
/// by its OS lock and atomic renames; S3 by conditional writes).
#[async_trait::async_trait]
pub trait StateBackend: Send + Sync {
    /// The stored state of `workspace`, or `None` when there is none yet.
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError>;
    /// Stores `state` as the state of `workspace`.
    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError>;
    /// Takes the lock of `workspace`; fails with [`LockError::Held`] when someone holds it.
    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), LockError>;
    /// Releases a lock this process holds.
    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), LockError>;
    /// Removes a lock whatever holds it (`force-unlock`); `id` must match the holder's.
    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), LockError>;
    /// Workspace names, `default` first.
    async fn workspaces(&self) -> Result<Vec<String>, StateError>;
    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError>;
    /// A short description for messages ("local state file terraform.tfstate").
    fn describe(&self, workspace: &str) -> String;
}

/// Takes the lock, retrying with backoff until `timeout` has passed (`-lock-timeout`).
pub async fn lock_with_timeout(
    backend: &dyn StateBackend,
    workspace: &str,
    info: &LockInfo,
    timeout: Duration,
) -> Result<(), LockError> {
    lock_with_timeout_until(backend, workspace, info, timeout, &tokio_util::sync::CancellationToken::new()).await
}

/// Like [`lock_with_timeout`], giving up between attempts when `cancel` fires (Ctrl-C while
/// waiting). An attempt in progress always finishes, so a lock taken is never forgotten.
pub async fn lock_with_timeout_until(
    backend: &dyn StateBackend,
    workspace: &str,
    info: &LockInfo,
    timeout: Duration,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<(), LockError> {
    let start = std::time::Instant::now();
    let mut delay = Duration::from_millis(100);
    loop {
        match backend.lock(workspace, info).await {
            Err(LockError::Held(holder)) if start.elapsed() < timeout => {
                let left = timeout.saturating_sub(start.elapsed());
                tracing::debug!(holder = %holder.who, "state locked; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(delay.min(left)) => {}
                    _ = cancel.cancelled() => return Err(LockError::Held(holder)),
                }
                delay = (delay * 2).min(Duration::from_secs(5));
                if left.is_zero() {
                    return Err(LockError::Held(holder));
                }
            }
            other => return other,
        }
    }
}
