//! Where results may go: the result folder is always `<out>/<name>` with `name` a plain slug,
//! only the runner's own run files are ever deleted, and a folder holding another sweep's
//! results is never overwritten without `--overwrite`.

use super::{RunnerError, SweepMeta};
use crate::outdir;
use crate::scenario::{is_slug, ScenarioFile};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// `<out>/<name>`, refusing a name that is not a plain folder name (see
/// [`crate::scenario::is_slug`]): whatever the scenario says, results stay inside `out`.
pub fn result_dir(out: &Path, name: &str) -> Result<PathBuf, RunnerError> {
    let single = matches!(
        Path::new(name).components().collect::<Vec<_>>().as_slice(),
        [Component::Normal(_)]
    );
    if !is_slug(name) || !single {
        return Err(RunnerError::Usage(format!(
            "scenario name {name:?} is not a plain folder name; results would leave {}",
            out.display()
        )));
    }
    Ok(out.join(name))
}

/// Whether `file_name` is a run file (`pNNNNN-rNNNNN.json`) or its temporary twin.
fn is_run_file(file_name: &str) -> bool {
    let stem = file_name
        .strip_suffix(".json")
        .or_else(|| file_name.strip_suffix(".tmp"));
    let Some(stem) = stem else { return false };
    let b = stem.as_bytes();
    b.len() == 13
        && b[0] == b'p'
        && b[6..8] == *b"-r"
        && b[1..6].iter().chain(&b[8..]).all(u8::is_ascii_digit)
}

/// Deletes the run files of `runs_dir` and nothing else (no folder, no other file).
pub fn clear_runs(runs_dir: &Path) -> Result<usize, RunnerError> {
    let Ok(entries) = fs::read_dir(runs_dir) else {
        return Ok(0);
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && name.to_str().is_some_and(is_run_file) {
            let p = entry.path();
            fs::remove_file(&p).map_err(|e| RunnerError::io("remove", &p, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The reuse key of the sweep whose resolved `scenario.toml` lies in `dir`, `None` when
/// `dir` has no readable one.
fn existing_key(dir: &Path) -> Option<String> {
    let p = dir.join("scenario.toml");
    let text = fs::read_to_string(&p).ok()?;
    let file = ScenarioFile::from_resolved_toml(&text, &p).ok()?;
    Some(super::runs_digest(&file))
}

/// Refuses to write the sweep `meta` into `dir` when `dir` already holds something else:
/// results of another sweep (a different reuse key: another scenario with the same name, or
/// an edited scenario or edge list) or files that are not results at all. `overwrite` lifts
/// the refusal. An absent or empty folder, or results of the same sweep, always pass.
pub fn check_existing(dir: &Path, meta: &SweepMeta, overwrite: bool) -> Result<(), RunnerError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    // The writer's own lock file and a killed writer's temporaries do not count.
    let mut entries = entries.flatten().filter(|e| {
        e.file_name()
            .to_str()
            .is_none_or(|n| n != outdir::LOCK_FILE && !outdir::is_leftover(n))
    });
    if overwrite || entries.next().is_none() {
        return Ok(());
    }
    match existing_key(dir) {
        Some(key) if key == meta.runs_digest => Ok(()),
        Some(_) => Err(RunnerError::Usage(format!(
            "{} holds the results of a different sweep named {:?} (another scenario with the \
             same name, or the scenario or a file it references changed); pass --overwrite to \
             replace them, or choose another --out or name",
            dir.display(),
            meta.name
        ))),
        None => Err(RunnerError::Usage(format!(
            "{} exists and holds no sweep's scenario.toml; pass --overwrite to write results \
             there anyway, or choose another --out or name",
            dir.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_run_files_are_recognised() {
        for ok in ["p00000-r00000.json", "p12345-r99999.tmp"] {
            assert!(is_run_file(ok), "{ok}");
        }
        for bad in [
            "important.txt",
            "p0000-r00000.json",
            "p00000-r00000.json.bak",
            "x00000-r00000.json",
            "p0000a-r00000.json",
        ] {
            assert!(!is_run_file(bad), "{bad}");
        }
    }

    #[test]
    fn result_dirs_never_leave_out() {
        let out = Path::new("o");
        assert_eq!(result_dir(out, "a-b_1.2").unwrap(), Path::new("o/a-b_1.2"));
        for bad in [
            "..", ".", "../x", "a/b", "/abs", "", "a b", "a\\b", ".hidden",
        ] {
            assert!(result_dir(out, bad).is_err(), "{bad:?}");
        }
    }
}
