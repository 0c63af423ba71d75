//! The lock Terraform's local backend takes: a POSIX write lock (`fcntl` `F_SETLK`) on the
//! whole state file itself. terrane takes the same kind of lock on the same file, so neither
//! tool runs on a local state while the other holds it.
//!
//! terrane's lock is an open file description lock (`F_OFD_SETLK`, Linux): it conflicts with
//! Terraform's process-associated lock, but unlike one it is not dropped when this process
//! closes some other descriptor of the file (every read of the state does). Elsewhere only
//! terrane's own lock applies ([`super::local`]).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// A held lock on a state file; released when dropped (closing the descriptor releases it).
pub struct StateFileLock {
    file: File,
    path: PathBuf,
    /// The file did not exist before the lock (it is removed on unlock if still empty, as
    /// Terraform does).
    created: bool,
}

impl StateFileLock {
    /// Locks the state file at `path` (creating it, empty and private, if missing). `Ok(None)`:
    /// another process holds a lock on it.
    pub fn take(path: &Path) -> std::io::Result<Option<StateFileLock>> {
        let created = !path.exists();
        let file = open(path)?;
        if created {
            super::local::set_private(path);
        }
        if try_lock(&file)? {
            Ok(Some(StateFileLock { file, path: path.to_path_buf(), created }))
        } else {
            if created {
                remove_if_empty(path);
            }
            Ok(None)
        }
    }

    /// After the state was written by replacing the file (a new file renamed over it): lock
    /// the new one, which is where the other tool now looks. `Ok(false)`: another process
    /// locked it first.
    pub fn follow(&mut self) -> std::io::Result<bool> {
        // Not created again: a path something else removed or replaced since is not ours.
        let file = OpenOptions::new().read(true).write(true).open(&self.path)?;
        if !try_lock(&file)? {
            return Ok(false);
        }
        self.file = file;
        self.created = false;
        Ok(true)
    }

    /// Releases the lock; a file this lock created and nothing wrote is removed.
    pub fn release(self) {
        let StateFileLock { file, path, created } = self;
        drop(file);
        if created {
            remove_if_empty(&path);
        }
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
}

fn remove_if_empty(path: &Path) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        let _ = std::fs::remove_file(path);
    }
}

/// A write lock on the whole file, without waiting: `Ok(false)` when another holds one.
#[cfg(target_os = "linux")]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = 0;
    fl.l_len = 0; // to the end of the file, however long it grows
    fl.l_pid = 0; // required for open file description locks
    // SAFETY: `file` is an open descriptor for the whole call and `fl` a valid, initialised
    // struct that fcntl only reads for F_OFD_SETLK.
    let r = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &fl) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EAGAIN | libc::EACCES) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn try_lock(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}
