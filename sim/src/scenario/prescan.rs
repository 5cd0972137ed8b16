//! A pass over a scenario file's text before it is parsed: every list is counted while it is
//! read, and one longer than any key accepts is refused at once, before a document of millions
//! of values is built in memory.

use super::error::Diagnostic;
use super::locate::line_col;
use super::validate::MAX_TOPICS;
use super::ScenarioError;
use std::path::Path;

/// Most values of one list: the most `workload.times_s` may hold ([`MAX_TOPICS`]); a sweep's
/// list is held to fewer later (`MAX_SWEEP_POINTS`).
pub const MAX_LIST_LEN: u64 = MAX_TOPICS;

/// One open bracket: a list (with its values so far) or an inline table.
struct Open {
    list: bool,
    values: u64,
    expecting: bool,
    at: usize,
}

/// Skips a string starting at `i` (a quote); returns the index after it.
fn skip_string(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let triple = b.get(i..i + 3) == Some(&[quote; 3][..]);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        if quote == b'"' && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if triple {
            if b.get(j..j + 3) == Some(&[quote; 3][..]) {
                // A closing run may hold up to two more quotes of the content.
                let mut end = j + 3;
                while end < b.len() && b[end] == quote && end < j + 5 {
                    end += 1;
                }
                return end;
            }
        } else if b[j] == quote || b[j] == b'\n' {
            return j + 1;
        }
        j += 1;
    }
    j
}

/// The dotted key a top-level value at `at` is written under: the last table header before it
/// and the key left of its `=`.
fn key_at(text: &str, table: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let key = text[line_start..at].split('=').next().unwrap_or("").trim();
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (false, true) => table.to_string(),
        (false, false) => format!("{table}.{key}"),
    }
}

fn too_long(path: &Path, text: &str, table: &str, at: usize) -> ScenarioError {
    let (line, column) = line_col(text, at);
    ScenarioError::InvalidValue(Diagnostic {
        path: path.to_path_buf(),
        line,
        column,
        key: Some(key_at(text, table, at)).filter(|k| !k.is_empty()),
        message: format!(
            "a list of more than {MAX_LIST_LEN} values; no key accepts more \
             (workload.times_s holds at most {MAX_TOPICS} times, a sweep fewer values)"
        ),
        hint: None,
    })
}

/// Refuses a list of more than [`MAX_LIST_LEN`] values, counting while reading (so a huge list
/// costs only the time to read up to its limit). Anything else, even malformed, is left to the
/// parser.
pub(crate) fn check_list_lengths(text: &str, path: &Path) -> Result<(), ScenarioError> {
    let b = text.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    let mut table = String::new();
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        if c == b'#' {
            i = text[i..].find('\n').map_or(b.len(), |n| i + n);
            continue;
        }
        let at_line_start = std::mem::replace(&mut line_start, false);
        if open.is_empty() && at_line_start && c == b'[' {
            // A table header: remember its name, skip the line.
            let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
            let header = text[i..end].split('#').next().unwrap_or("");
            table = header
                .trim()
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            i = end;
            continue;
        }
        if let Some(top) = open.last_mut() {
            if top.list && top.expecting && c != b',' && c != b']' {
                top.values += 1;
                top.expecting = false;
                if top.values > MAX_LIST_LEN {
                    return Err(too_long(path, text, &table, top.at));
                }
            }
        }
        match c {
            b'"' | b'\'' => {
                i = skip_string(b, i);
                continue;
            }
            b'[' | b'{' => open.push(Open {
                list: c == b'[',
                values: 0,
                expecting: true,
                at: i,
            }),
            b']' | b'}' => {
                open.pop();
            }
            b',' => {
                if let Some(top) = open.last_mut() {
                    top.expecting = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_ok(text: &str) -> bool {
        check_list_lengths(text, Path::new("t.toml")).is_ok()
    }

    #[test]
    fn lists_up_to_the_limit_pass_and_one_more_is_refused_with_its_key() {
        let list = |n: u64| {
            let values: Vec<String> = (0..n).map(|i| format!("{i}.0")).collect();
            format!(
                "name = \"a\" # [not, a, list]\n[workload]\ntimes_s = [{}]\n",
                values.join(",")
            )
        };
        assert!(count_ok(&list(MAX_LIST_LEN)));
        let e = check_list_lengths(&list(MAX_LIST_LEN + 1), Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.toml:3:11: key `workload.times_s`: a list of more than"),
            "{e}"
        );
    }

    #[test]
    fn strings_comments_tables_and_nesting_are_not_values() {
        let text = "a = [\"x,y\", 'p,q', \"\"\"m,\n,n\"\"\", [1, 2, 3], { k = [4, 5] },]\n\
                    # , , ,\n[[t]]\nb = [ # c, d\n 1,\n 2 ]\n";
        assert!(count_ok(text));
    }
}
