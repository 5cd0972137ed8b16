//! Writing into a result folder safely.
//!
//! One writer at a time: [`lock`] takes an advisory lock on `DIR/.sgsim.lock` for the whole
//! command and writes the holder's PID into it, so a second `run`, `report`, `merge` or
//! `inspect --report` into the same folder is refused with a message naming that PID. The
//! operating system releases the lock when the holder exits, killed or not, so a lock never
//! goes stale.
//!
//! Every file is replaced atomically: written in full under a temporary name in its own
//! folder (`.NAME.XXXXXX.sgsim.tmp`, or inside a hidden `.sgsim-stage-XXXXXX/` folder for a
//! [`Stage`]), then renamed over the old one. A failed command removes its temporaries; a
//! killed one (`kill -9`) cannot, so the next writer of the folder removes them under the lock
//! ([`lock`]). Either way each file is its previous version or the new one in full, never a
//! part. Renames survive a killed process, not a power cut (nothing is fsynced).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The lock file inside a locked folder; removed when the lock is released.
pub const LOCK_FILE: &str = ".sgsim.lock";
/// Suffix of every temporary file (`.NAME.XXXXXX.sgsim.tmp`).
pub const TEMP_SUFFIX: &str = ".sgsim.tmp";
/// Prefix of the hidden folders a [`Stage`] prepares files in.
pub const STAGE_PREFIX: &str = ".sgsim-stage-";

/// Why a folder could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutError {
    /// A file could not be created, written, renamed or removed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process holds the folder's lock; wait for it or write elsewhere.
    #[error(
        "{} is being written by another sgsim ({holder}); two writers would mix their \
         files, so this one stops. Wait until it finishes, or write to another folder",
        dir.display()
    )]
    Busy {
        /// The folder.
        dir: PathBuf,
        /// Who holds it, as its lock file says (`PID 123, sgsim run`).
        holder: String,
    },
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> OutError + 'a {
    move |source| OutError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The exclusive right to write a folder, held until dropped (which removes the lock file).
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    // Closing the file releases the lock; it is dropped after the lock file is unlinked.
    _file: File,
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Unlinked while still locked: a process that opened the old file and locks it
        // later sees that the path no longer names it and starts over (see `lock`).
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether `file` is still the file at `path` (not unlinked or replaced since it was opened).
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Locks folder `dir` (which must exist) for writing by `command` (e.g. `sgsim run`),
/// writes `PID <pid>, <command>` into its lock file, and removes temporaries that a killed
/// writer left in `dir` and `dir/runs`. Refuses with [`OutError::Busy`], naming the holder,
/// while another process holds the lock.
pub fn lock(dir: &Path, command: &str) -> Result<FolderLock, OutError> {
    let path = dir.join(LOCK_FILE);
    for _ in 0..100 {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("create", &path))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(OutError::Busy {
                    dir: dir.to_path_buf(),
                    holder: if holder.is_empty() {
                        "a process that is just starting".into()
                    } else {
                        holder.to_owned()
                    },
                });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io("lock", &path)(e)),
        }
        if !still_named(&file, &path) {
            continue; // its holder released and removed it between our open and our lock
        }
        file.set_len(0).map_err(io("write", &path))?;
        let line = format!("PID {}, {command}\n", std::process::id());
        file.write_all(line.as_bytes())
            .map_err(io("write", &path))?;
        remove_leftovers(dir)?;
        remove_leftovers(&dir.join("runs"))?;
        return Ok(FolderLock { path, _file: file });
    }
    Err(OutError::Busy {
        dir: dir.to_path_buf(),
        holder: "other processes taking and releasing it without pause".into(),
    })
}

/// Whether `name` is a temporary or a stage folder of this module.
pub fn is_leftover(name: &str) -> bool {
    name.starts_with(STAGE_PREFIX) || (name.starts_with('.') && name.ends_with(TEMP_SUFFIX))
}

/// Removes the temporaries and stage folders in `dir` (not below it); nothing else.
fn remove_leftovers(dir: &Path) -> Result<(), OutError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_leftover) {
            continue;
        }
        let p = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&p).map_err(io("remove", &p))?,
            Ok(t) if t.is_file() => fs::remove_file(&p).map_err(io("remove", &p))?,
            _ => {}
        }
    }
    Ok(())
}

/// A new temporary file beside `path`, readable like a file `fs::write` creates.
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, OutError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    b.tempfile_in(dir)
        .map_err(io("create a temporary file for", path))
}

/// Writes `bytes` to `path` atomically: in full to a temporary file in the same folder, then
/// renamed over `path`. On error the temporary file is removed and `path` is unchanged.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutError> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes).map_err(io("write", path))?;
    tmp.persist(path)
        .map_err(|e| io("rename into", path)(e.error))?;
    Ok(())
}

/// A set of files prepared in a hidden folder inside their destination and renamed into it
/// only by [`Stage::commit`]: until then the destination is untouched, and dropping the stage
/// removes everything it prepared.
#[derive(Debug)]
pub struct Stage {
    dir: PathBuf,
    tmp: tempfile::TempDir,
    names: Vec<String>,
}

impl Stage {
    /// An empty stage for folder `dir`, which must exist.
    pub fn new(dir: &Path) -> Result<Self, OutError> {
        let tmp = tempfile::Builder::new()
            .prefix(STAGE_PREFIX)
            .tempdir_in(dir)
            .map_err(io("create a stage folder in", dir))?;
        Ok(Stage {
            dir: dir.to_path_buf(),
            tmp,
            names: Vec::new(),
        })
    }

    /// Where the files are prepared: a reader may read the staged files there.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Stages `bytes` as `dir/name` (`name` a plain file name); [`Stage::commit`] renames in
    /// the order of the last `put` of each name.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutError> {
        let p = self.tmp.path().join(name);
        fs::write(&p, bytes).map_err(io("write", &p))?;
        self.names.retain(|n| n != name);
        self.names.push(name.to_owned());
        Ok(())
    }

    /// Copies `dir/name`, when it exists, into the stage for readers of [`Stage::path`],
    /// without committing it.
    pub fn mirror(&self, name: &str) -> Result<(), OutError> {
        let src = self.dir.join(name);
        if src.is_file() {
            let dst = self.tmp.path().join(name);
            fs::copy(&src, &dst).map_err(io("copy", &src))?;
        }
        Ok(())
    }

    /// Renames every staged file into the folder, in the order staged, then removes
    /// `remove` (file names in the folder; absent ones are skipped). Returns the paths written.
    pub fn commit(self, remove: &[&str]) -> Result<Vec<PathBuf>, OutError> {
        let mut written = Vec::new();
        for name in &self.names {
            let (src, dst) = (self.tmp.path().join(name), self.dir.join(name));
            fs::rename(&src, &dst).map_err(io("rename into", &dst))?;
            written.push(dst);
        }
        for name in remove {
            let p = self.dir.join(name);
            if p.is_file() {
                fs::remove_file(&p).map_err(io("remove", &p))?;
            }
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holders_pid_and_the_lock_file_goes_away() {
        let d = tempfile::tempdir().unwrap();
        let held = lock(d.path(), "sgsim run").unwrap();
        let e = lock(d.path(), "sgsim report").unwrap_err().to_string();
        let pid = format!("PID {}, sgsim run", std::process::id());
        assert!(e.contains(&pid) && e.contains("another sgsim"), "{e}");
        drop(held);
        assert!(!d.path().join(LOCK_FILE).exists());
        drop(lock(d.path(), "sgsim report").unwrap());
    }

    #[test]
    fn taking_the_lock_removes_leftover_temporaries_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let runs = d.path().join("runs");
        fs::create_dir_all(runs.join(".sgsim-stage-abc123")).unwrap();
        for f in [".runs.jsonl.x1y2z3.sgsim.tmp", "keep.tmp", "report.md"] {
            fs::write(d.path().join(f), "x").unwrap();
        }
        fs::write(runs.join(".p00000-r00000.json.abcdef.sgsim.tmp"), "x").unwrap();
        drop(lock(d.path(), "test").unwrap());
        let mut left: Vec<String> = fs::read_dir(d.path())
            .unwrap()
            .chain(fs::read_dir(&runs).unwrap())
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["keep.tmp", "report.md", "runs"]);
    }

    #[test]
    fn atomic_writes_and_stages_replace_whole_files_and_leave_no_temporary() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.csv");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert!(write_atomic(&d.path().join("no/such/b.csv"), b"x").is_err());
        fs::write(d.path().join("stale.svg"), "s").unwrap();
        let mut stage = Stage::new(d.path()).unwrap();
        stage.put("a.csv", b"staged").unwrap();
        stage.mirror("stale.svg").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new", "untouched before commit");
        assert!(stage.path().join("stale.svg").is_file());
        let written = stage.commit(&["stale.svg", "absent.svg"]).unwrap();
        assert_eq!(written, std::slice::from_ref(&p));
        assert_eq!(fs::read(&p).unwrap(), b"staged");
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only a.csv: no stage, no temporary");
        let dropped = Stage::new(d.path()).unwrap();
        drop(dropped);
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
