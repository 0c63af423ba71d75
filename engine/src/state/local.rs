//! The local file backend, the embedded default: `terraform.tfstate` (workspaces under
//! `terraform.tfstate.d/<name>/`), Terraform's own file names, so a directory moves between
//! Terraform and terrane with nothing renamed; written atomically (temporary file, fsync, rename) with mode
//! 0600 and a `.backup` of the state the run started from, locked with an OS file lock.
//!
//! Two locks are held: terrane's own (`.terraform.tfstate.lock`, `flock`), and the one
//! Terraform takes, a POSIX lock on the state file itself ([`super::statelock`]), so that
//! Terraform and terrane exclude each other too. Both write the holder's info to
//! `.terraform.tfstate.lock.info`, where each looks for it.

use super::State;
use super::backend::{LockError, LockInfo, StateBackend, StateError};
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const DEFAULT_STATE_FILE: &str = "terraform.tfstate";
pub const DEFAULT_WORKSPACE_DIR: &str = "terraform.tfstate.d";
/// The names terrane used before it took Terraform's (up to 0.1): still read, and written,
/// in a directory that has them and not Terraform's, so no state is left behind.
pub const LEGACY_STATE_FILE: &str = "terrane.tfstate";
pub const LEGACY_WORKSPACE_DIR: &str = "terrane.tfstate.d";

/// The local state file and workspace directory of the working directory `dir`: Terraform's
/// names, unless only terrane's former names exist there.
pub fn default_paths(dir: &Path) -> (PathBuf, PathBuf) {
    let ours = (dir.join(DEFAULT_STATE_FILE), dir.join(DEFAULT_WORKSPACE_DIR));
    let legacy = (dir.join(LEGACY_STATE_FILE), dir.join(LEGACY_WORKSPACE_DIR));
    let has = |(file, ws): &(PathBuf, PathBuf)| file.exists() || ws.is_dir();
    if !has(&ours) && has(&legacy) { legacy } else { ours }
}
/// Where an apply saves its final state when the backend refuses it (as Terraform does).
pub const ERRORED_STATE_FILE: &str = "errored.tfstate";

/// Writes `bytes` to `path` atomically (a temporary file beside it, synced, then renamed over
/// it), readable by its owner only from the moment it exists: for state, which holds secrets.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".terrane-state-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The locks of one workspace: terrane's own and the state file's (see the module docs).
struct Held {
    own: File,
    state: Option<super::statelock::StateFileLock>,
}

pub struct LocalBackend {
    path: PathBuf,
    workspace_dir: PathBuf,
    held: Mutex<HashMap<String, Held>>,
    backed_up: Mutex<HashSet<String>>,
}

impl LocalBackend {
    /// A backend storing the default workspace at `path` and others under `workspace_dir`.
    pub fn new(path: impl Into<PathBuf>, workspace_dir: impl Into<PathBuf>) -> LocalBackend {
        LocalBackend {
            path: path.into(),
            workspace_dir: workspace_dir.into(),
            held: Mutex::new(HashMap::new()),
            backed_up: Mutex::new(HashSet::new()),
        }
    }

    /// The backend for a working directory with the default file names.
    pub fn in_dir(dir: &Path) -> LocalBackend {
        let (file, workspaces) = default_paths(dir);
        LocalBackend::new(file, workspaces)
    }

    pub fn state_path(&self, workspace: &str) -> PathBuf {
        if workspace == "default" {
            self.path.clone()
        } else {
            let name = self.path.file_name().map_or_else(|| DEFAULT_STATE_FILE.into(), |n| n.to_os_string());
            self.workspace_dir.join(workspace).join(name)
        }
    }

    fn lock_paths(&self, workspace: &str) -> (PathBuf, PathBuf) {
        let p = self.state_path(workspace);
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        (dir.join(format!(".{name}.lock")), dir.join(format!(".{name}.lock.info")))
    }

    fn io(e: std::io::Error, what: &str, path: &Path) -> StateError {
        StateError::Io(format!("{what} {}: {e}", path.display()))
    }

    fn write_sync(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        let path = self.state_path(workspace);
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Self::io(e, "cannot create directory", dir))?;
        let first = self.backed_up.lock().map(|mut s| s.insert(workspace.to_string())).unwrap_or(false);
        if first && path.exists() {
            let mut backup = path.clone().into_os_string();
            backup.push(".backup");
            std::fs::copy(&path, &backup).map_err(|e| Self::io(e, "cannot write backup", Path::new(&backup)))?;
            set_private(Path::new(&backup));
        }
        let bytes = state.to_json();
        let mut tmp = tempfile::Builder::new()
            .prefix(".terrane-state-")
            .tempfile_in(dir)
            .map_err(|e| Self::io(e, "cannot create temporary file in", dir))?;
        tmp.write_all(&bytes).map_err(|e| Self::io(e, "cannot write", tmp.path()))?;
        tmp.as_file().sync_all().map_err(|e| Self::io(e, "cannot sync", tmp.path()))?;
        set_private(tmp.path());
        tmp.persist(&path).map_err(|e| Self::io(e.error, "cannot replace", &path))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        // The state file is a new file now: the lock Terraform honours moves to it.
        let mut held = self.held.lock().map_err(|_| StateError::Io("lock table poisoned".into()))?;
        if let Some(lock) = held.get_mut(workspace).and_then(|h| h.state.as_mut()) {
            match lock.follow() {
                Ok(true) => {}
                Ok(false) => {
                    return Err(StateError::Conflict(format!(
                        "{} was locked by another program (Terraform?) right after this run wrote it; stop that run before going on",
                        path.display()
                    )));
                }
                // Removed or replaced since the rename (by another program): this write
                // landed all the same; the lock stays on what it held, and the next write
                // meets whatever is at the path now.
                Err(_) => {}
            }
        }
        Ok(())
    }

    fn lock_sync(&self, workspace: &str, info: &LockInfo) -> Result<(), LockError> {
        let (lock_path, info_path) = self.lock_paths(workspace);
        if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| LockError::Failed(format!("{}: {e}", dir.display())))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| LockError::Failed(format!("{}: {e}", lock_path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(LockError::Held(Box::new(holder_of(&info_path)))),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(LockError::Failed(format!("{}: {e}", lock_path.display())));
            }
        }
        // Terraform's lock, on the state file itself.
        let state_path = self.state_path(workspace);
        let state = match super::statelock::StateFileLock::take(&state_path) {
            Ok(Some(l)) => Some(l),
            Ok(None) => {
                drop(file);
                return Err(LockError::Held(Box::new(holder_of(&info_path))));
            }
            Err(e) => return Err(LockError::Failed(format!("{}: {e}", state_path.display()))),
        };
        let mut info = info.clone();
        info.path = state_path.display().to_string();
        let json = serde_json::to_vec_pretty(&info).unwrap_or_default();
        std::fs::write(&info_path, json).map_err(|e| LockError::Failed(format!("{}: {e}", info_path.display())))?;
        set_private(&info_path);
        self.held
            .lock()
            .map_err(|_| LockError::Failed("lock table poisoned".into()))?
            .insert(workspace.to_string(), Held { own: file, state });
        Ok(())
    }
}

/// The holder a lock info file names (terrane's or Terraform's, both write it).
fn holder_of(info_path: &Path) -> LockInfo {
    std::fs::read(info_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<LockInfo>(&b).ok())
        .unwrap_or_else(|| LockInfo { id: "unknown".into(), ..LockInfo::new("unknown") })
}

pub(super) fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[async_trait::async_trait]
impl StateBackend for LocalBackend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        let path = self.state_path(workspace);
        match std::fs::read(&path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(None),
            Ok(bytes) => State::from_json(&bytes).map(Some).map_err(|e| match e {
                StateError::Corrupt(m) => StateError::Corrupt(format!("{}: {m}", path.display())),
                other => other,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Self::io(e, "cannot read", &path)),
        }
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        self.write_sync(workspace, state)
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), LockError> {
        self.lock_sync(workspace, info)
    }

    async fn unlock(&self, workspace: &str, _id: &str) -> Result<(), LockError> {
        let (_, info_path) = self.lock_paths(workspace);
        let held = self.held.lock().map_err(|_| LockError::Unlock("lock table poisoned".into()))?.remove(workspace);
        if let Some(Held { own, state }) = held {
            let _ = std::fs::remove_file(&info_path);
            if let Some(l) = state {
                l.release();
            }
            own.unlock().map_err(|e| LockError::Unlock(e.to_string()))?;
        }
        Ok(())
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), LockError> {
        let (_, info_path) = self.lock_paths(workspace);
        let holder = std::fs::read(&info_path).ok().and_then(|b| serde_json::from_slice::<LockInfo>(&b).ok());
        if let Some(h) = &holder
            && h.id != id
        {
            return Err(LockError::Unlock(format!(
                "the lock ID {id:?} does not match the existing lock ID {:?}",
                h.id
            )));
        }
        // A local lock is an OS lock: it is released when its process exits. If it can be
        // taken now, the holder is gone and only its info file is left.
        match self.lock_sync(workspace, &LockInfo::new("force-unlock")) {
            Ok(()) => self.unlock(workspace, id).await,
            Err(LockError::Held(h)) => Err(LockError::Unlock(format!(
                "the lock is held by a running process (pid {} on {}); local state locks are released when that process exits",
                h.pid, h.host
            ))),
            Err(e) => Err(e),
        }
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let mut out = vec!["default".to_string()];
        if let Ok(entries) = std::fs::read_dir(&self.workspace_dir) {
            let mut names: Vec<String> = entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect();
            names.sort();
            out.extend(names);
        }
        Ok(out)
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == "default" {
            return Err(StateError::Conflict("the default workspace cannot be deleted".into()));
        }
        let dir = self.workspace_dir.join(workspace);
        std::fs::remove_dir_all(&dir).map_err(|e| Self::io(e, "cannot delete workspace", &dir))
    }

    fn describe(&self, workspace: &str) -> String {
        format!("local state file {}", self.state_path(workspace).display())
    }
}
