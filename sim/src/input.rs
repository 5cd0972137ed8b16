//! Bounded reading of input files (scenario files, edge lists, Lightning snapshots).
//!
//! Every input must be a regular file no larger than [`max_bytes`], and is read with that cap,
//! so a device (`/dev/zero`, `/dev/urandom`), a named pipe, a folder or a huge file is refused
//! at once with an error naming it, instead of filling memory or blocking forever. The cap is
//! process-wide: [`DEFAULT_MAX_INPUT_BYTES`] unless `sgsim check`/`run --max-input-mib` (see
//! [`set_max_bytes`]) raises it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Default cap on one input file: 256 MiB (an lnd snapshot of today's public Lightning graph,
/// or an edge list of a few million nodes, fits several times over).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

static MAX_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

/// The cap on one input file, bytes.
pub fn max_bytes() -> u64 {
    MAX_BYTES.load(Ordering::Relaxed)
}

/// Sets the cap on every input file read from now on (at least 1 byte); for the command line.
pub fn set_max_bytes(bytes: u64) {
    MAX_BYTES.store(bytes.max(1), Ordering::Relaxed);
}

/// Why an input file was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The file could not be opened or read (missing, unreadable).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a regular file: a folder, a device such as /dev/zero, a named pipe or a socket.
    #[error("{} is {what}, not a regular file; give the path of a file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// Larger than the cap.
    #[error(
        "{} is {size} bytes, above the input limit of {limit} bytes ({} MiB); pass \
         --max-input-mib to raise it",
        path.display(),
        limit / (1024 * 1024)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (or the bytes read before giving up, when it grew while read).
        size: u64,
        /// The cap.
        limit: u64,
    },
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads the regular file at `path`, refusing anything else or more than [`max_bytes`] bytes
/// (checked before opening, so a pipe is never opened, and while reading, so a file that grows
/// is cut off).
pub fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    read_capped(path, max_bytes())
}

fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: path.to_path_buf(),
            what: kind_of(&meta),
        });
    }
    let too_large = |size| InputError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read`], then UTF-8: the error names the file and the byte offset of the first bad byte.
pub fn read_to_string(path: &Path) -> Result<String, InputError> {
    utf8(path, read(path)?)
}

fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| InputError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_pipes_are_refused_without_reading() {
        let d = tempfile::tempdir().unwrap();
        let e = read(d.path()).unwrap_err().to_string();
        assert!(
            e.contains("a folder") && e.contains("not a regular file"),
            "{e}"
        );
        let e = read(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("/dev/zero is a device"), "{e}");
        let fifo = d.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Opening a pipe without a writer would block forever: it is never opened.
            let e = read(&fifo).unwrap_err().to_string();
            assert!(e.contains("a named pipe"), "{e}");
        }
        let e = read(&d.path().join("missing.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing.toml") && e.contains("cannot read"),
            "{e}"
        );
    }

    #[test]
    fn the_readme_states_the_default_cap() {
        let readme = include_str!("../../README.md").replace('\n', " ");
        let mib = DEFAULT_MAX_INPUT_BYTES / (1024 * 1024);
        assert!(readme.contains(&format!("at most {mib} MiB (`--max-input-mib`")));
    }

    #[test]
    fn a_file_above_the_cap_is_refused_and_one_at_the_cap_is_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big.txt");
        std::fs::write(&p, vec![b'x'; 100]).unwrap();
        let e = read_capped(&p, 99).unwrap_err().to_string();
        assert!(
            e.contains("big.txt is 100 bytes") && e.contains("--max-input-mib"),
            "{e}"
        );
        assert_eq!(read_capped(&p, 100).unwrap().len(), 100);
        let e = utf8(&p, vec![b'a', 0xff]).unwrap_err().to_string();
        assert!(e.contains("big.txt") && e.contains("offset 1"), "{e}");
    }
}
