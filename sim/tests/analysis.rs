//! docs/analysis.md stays true: its Python (every ```python block, in order) runs against a copy
//! of the committed `reports/quickstart` and the `sgsim inspect` files of its point 0,
//! replicate 0, and must exit 0 (its `assert`s are the checks) and draw its figure.
//!
//! Needs python3 with pandas and matplotlib (Debian: python3-pandas, python3-matplotlib, which
//! `.ci/run` installs). Without them the test is skipped with a message, unless the environment
//! variable `CI` is set: then it fails.

use sgsim::inspect::{inspect, InspectOptions};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Debian's interpreter where it exists (a pyenv `python3` earlier on PATH lacks Debian's
/// packages), else `python3` from PATH.
fn python() -> PathBuf {
    let debian = Path::new("/usr/bin/python3");
    if debian.is_file() {
        debian.to_path_buf()
    } else {
        PathBuf::from("python3")
    }
}

/// The bodies of every ```python block of `markdown`, in order, joined.
fn python_blocks(markdown: &str) -> String {
    let mut code = String::new();
    let mut inside = false;
    for line in markdown.lines() {
        match line.trim_end() {
            "```python" if !inside => inside = true,
            "```" if inside => inside = false,
            _ if inside => {
                code.push_str(line);
                code.push('\n');
            }
            _ => {}
        }
    }
    code
}

/// Why the interpreter cannot run the snippet (`None`: it can).
fn missing_prerequisite(python: &Path) -> Option<String> {
    let probe = Command::new(python)
        .args(["-c", "import pandas, matplotlib"])
        .output();
    match probe {
        Err(e) => Some(format!("{} cannot be started: {e}", python.display())),
        Ok(out) if !out.status.success() => Some(format!(
            "{} lacks pandas or matplotlib: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Ok(_) => None,
    }
}

/// Copies the files (not folders) of `from` into `to`.
fn copy_files(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn the_python_in_docs_analysis_runs_against_the_quickstart_report() {
    let doc = fs::read_to_string(repo_root().join("docs/analysis.md")).expect("docs/analysis.md");
    let code = python_blocks(&doc);
    assert!(
        code.contains("reports/quickstart") && code.contains("inside"),
        "docs/analysis.md has its Python block"
    );
    let python = python();
    if let Some(why) = missing_prerequisite(&python) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set, so docs/analysis.md must be checked: {why} (.ci/run installs \
             python3-pandas and python3-matplotlib)"
        );
        eprintln!(
            "SKIPPED docs/analysis.md check: {why}; install python3-pandas and python3-matplotlib"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("reports/quickstart");
    copy_files(&repo_root().join("reports/quickstart"), &folder);
    // `sgsim inspect reports/quickstart --point 0 --replicate 0 --out inside`, as the doc says.
    let opts = InspectOptions {
        topic: Some(0),
        ..InspectOptions::default()
    };
    inspect(&folder, &tmp.path().join("inside"), &opts).expect("inspect replays the run");
    let script = tmp.path().join("analysis.py");
    fs::write(&script, &code).unwrap();
    let out = Command::new(&python)
        .arg(&script)
        .current_dir(tmp.path())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the Python of docs/analysis.md failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = fs::metadata(tmp.path().join("coverage.png")).expect("the figure is drawn");
    assert!(png.len() > 10_000, "a real figure, {} bytes", png.len());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("t90 [s] by policy"), "{stdout}");
}

#[test]
fn python_blocks_are_extracted_in_order_and_nothing_else() {
    let md = "text\n```python\na = 1\n```\n```r\nx <- 2\n```\n```python\nprint(a)\n```\n";
    assert_eq!(python_blocks(md), "a = 1\nprint(a)\n");
}
