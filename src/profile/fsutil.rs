//! Crash-safe file replacement, the lock that serialises writers, and keeping a damaged file aside.
//!
//! A file is replaced by writing a temporary file in the same folder, flushing it to disk, renaming it over the
//! old one and flushing the folder: a crash or a `kill -9` at any instant leaves the old file or the new one,
//! never a torn one. Temporary files of a killed writer are removed by the next writer (under the lock).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a writer waits for another instance to finish its change.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Creates `dir` (and its parents) readable only by the user, if it does not exist.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Replaces `path` with `bytes` atomically; the new file is readable only by the user (0600 on Unix).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    create_private_dir(dir)?;
    let temp = temp_path(path);
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Removes the temporary files that writers killed mid-write left beside `path`. Call it holding the lock.
pub(crate) fn remove_stale_temps(path: &Path) {
    let Some(prefix) = temp_prefix(path) else { return };
    let Ok(entries) = fs::read_dir(parent(path)) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(|name| name.starts_with(&prefix)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The temporary files beside `path` (left by killed writers), for tests and diagnostics.
#[must_use]
pub fn stale_temps(path: &Path) -> Vec<PathBuf> {
    let Some(prefix) = temp_prefix(path) else { return Vec::new() };
    let Ok(entries) = fs::read_dir(parent(path)) else { return Vec::new() };
    entries
        .flatten()
        .filter(|entry| entry.file_name().to_str().is_some_and(|name| name.starts_with(&prefix)))
        .map(|entry| entry.path())
        .collect()
}

/// Renames a file that cannot be read to `NAME.corrupt-YYYYMMDDTHHMMSSZ` beside it and returns the new path.
pub(crate) fn keep_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp: String = crate::tls::now_rfc3339().chars().filter(|c| !matches!(c, '-' | ':')).collect();
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut aside = parent(path).join(format!("{name}.corrupt-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = parent(path).join(format!("{name}.corrupt-{stamp}-{n}"));
    }
    fs::rename(path, &aside)?;
    let _ = sync_dir(parent(path));
    Ok(aside)
}

/// An exclusive lock on a lock file, released when dropped (and by the OS when the process dies, even by
/// `kill -9`).
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: File,
}

impl FileLock {
    /// Takes the lock, waiting up to 30 s for another instance to release it.
    pub(crate) fn acquire(path: &Path) -> io::Result<Self> {
        create_private_dir(parent(path))?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "another Chroma Connect held the lock {} for {} s",
                            path.display(),
                            LOCK_WAIT.as_secs()
                        ),
                    ));
                }
                Err(fs::TryLockError::Error(err)) => return Err(err),
            }
        }
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn temp_prefix(path: &Path) -> Option<String> {
    Some(format!(".{}.tmp-", path.file_name()?.to_str()?))
}

/// A name no other writer uses: process id, time and a counter (no randomness needed).
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let prefix = temp_prefix(path).unwrap_or_else(|| ".tmp-".to_owned());
    parent(path).join(format!("{prefix}{}-{nanos}-{n}", std::process::id()))
}

/// Flushes a folder's entries (the rename) to disk. Not possible, nor needed, on Windows.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_cleans_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("f.toml");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
            assert_eq!(fs::metadata(path.parent().expect("dir")).expect("meta").permissions().mode() & 0o777, 0o700);
        }
        fs::write(temp_path(&path), b"half").expect("stale");
        assert_eq!(stale_temps(&path).len(), 1);
        remove_stale_temps(&path);
        assert!(stale_temps(&path).is_empty());
        let aside = keep_aside(&path).expect("aside");
        assert!(!path.exists());
        assert!(aside.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("f.toml.corrupt-2")));
    }

    #[test]
    fn the_lock_is_exclusive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.lock");
        let held = FileLock::acquire(&path).expect("lock");
        let other = OpenOptions::new().read(true).write(true).open(&path).expect("open");
        assert!(matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)));
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
