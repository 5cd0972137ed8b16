//! Structure checks that run with the normal `cargo test`, so CI holds them:
//! no import cycle between `sim/src` modules (siblings at any depth: top level, inside
//! `report`, inside `report::plot`, ...), and no function in `protocol/src` or `sim/src` longer than [`MAX_FN_LINES`].
//!
//! Both read the source text, not the compiler: a module edge is any `crate::`/`super::` path
//! outside comments, `use` groups expanded; a function's length runs from its `fn` line to the
//! closing brace at the same indent (the layout `cargo fmt` guarantees).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Longest function allowed, signature and closing brace included.
const MAX_FN_LINES: usize = 80;

/// Functions allowed over the limit for now (`file:name`), each with its reason. A stale entry
/// fails the test, so the list only shrinks.
const LONG_FN_ALLOWED: &[(&str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The module path of a file under `src`: `a/b.rs` and `a/b/mod.rs` are `[a, b]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// Source text with `//` comments removed (strings holding `//` are rare enough here not to
/// matter: they can only hide an edge, never invent one).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path in `code` that starts with `crate::` or `super::`, as segment lists with the
/// first segment `crate` or `super`; `use` groups (`a::{b, c::d}`) are expanded one level.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts = ["crate::", "super::"]
            .iter()
            .find(|p| code_at(&bytes, i, p) && (i == 0 || !is_ident(bytes[i - 1])));
        if starts.is_none() || (i >= 2 && bytes[i - 1] == ':' && bytes[i - 2] == ':') {
            i += 1;
            continue;
        }
        let (prefix, next) = read_path(&bytes, i);
        if next < bytes.len() && bytes[next] == '{' {
            let close = matching_brace(&bytes, next);
            let inner: String = bytes[next + 1..close].iter().collect();
            for item in split_top(&inner) {
                let mut p = prefix.clone();
                p.extend(
                    item.split("::")
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty() && s.chars().all(is_ident)),
                );
                out.push(p);
            }
            i = close;
        } else {
            out.push(prefix);
            i = next;
        }
    }
    out
}

fn code_at(s: &[char], i: usize, pat: &str) -> bool {
    pat.chars()
        .enumerate()
        .all(|(k, c)| s.get(i + k) == Some(&c))
}

/// Reads `ident::ident::…` from `i`; returns the segments and the index after the last `::`
/// (or after the last segment).
fn read_path(s: &[char], mut i: usize) -> (Vec<String>, usize) {
    let mut segs = Vec::new();
    loop {
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        if i == start {
            return (segs, i);
        }
        segs.push(s[start..i].iter().collect());
        if code_at(s, i, "::") {
            i += 2;
        } else {
            return (segs, i);
        }
    }
}

fn matching_brace(s: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in s.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// Splits a `use` group body at its top-level commas.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// Resolves a `crate::`/`super::` path seen in module `from` to an absolute module path.
fn resolve(from: &[String], path: &[String]) -> Option<Vec<String>> {
    if path.first()? == "crate" {
        return Some(path[1..].to_vec());
    }
    let mut base = from.to_vec();
    let mut rest = path;
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Module dependency edges of `sim/src` between siblings at any depth: top level (`a -> b`),
/// inside one module (`a::x -> a::y`) and deeper (`a::x::p -> a::x::q`). A path into an item of
/// a parent module adds an edge to a name that has no edges of its own, so it never closes a
/// cycle.
fn module_edges() -> BTreeSet<(String, String)> {
    let src = repo_root().join("sim/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges = BTreeSet::new();
    for file in files {
        let from = module_of(&src, &file);
        if from.is_empty() {
            continue; // lib.rs and main.rs are the roots
        }
        let code = strip_comments(&fs::read_to_string(&file).expect("read source"));
        for path in crate_paths(&code) {
            let Some(to) = resolve(&from, &path) else {
                continue;
            };
            if to.is_empty() {
                continue;
            }
            // Siblings where the paths part: `a -> b`, `a::x -> a::y`, `a::x::p -> a::x::q`.
            if let Some(k) = (0..from.len().min(to.len())).find(|&k| from[k] != to[k]) {
                edges.insert((from[..=k].join("::"), to[..=k].join("::")));
            }
        }
    }
    edges
}

/// One cycle in `edges`, if any, as the list of nodes around it.
fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        adj.entry(a).or_default().push(b);
    }
    // 0 unseen, 1 on the stack, 2 done
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut stack: Vec<&str> = Vec::new();
    fn visit<'a>(
        n: &'a str,
        adj: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        stack.push(n);
        for &m in adj.get(n).map_or(&[][..], |v| v.as_slice()) {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|&s| s == m).expect("on stack");
                    let mut cycle: Vec<String> =
                        stack[at..].iter().map(|s| s.to_string()).collect();
                    cycle.push(m.to_string());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, adj, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let nodes: Vec<&str> = adj.keys().copied().collect();
    for n in nodes {
        if state.get(n).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, &adj, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_import_cycle_between_sim_modules() {
    let edges = module_edges();
    // The scanner sees the edges it must: engine reads the workload, adversary reads it too.
    assert!(edges.contains(&("engine".into(), "adversary".into())));
    assert!(edges.contains(&("adversary".into(), "workload".into())));
    if let Some(cycle) = find_cycle(&edges) {
        let why: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("  {} -> {}", w[0], w[1]))
            .collect();
        panic!(
            "import cycle in sim/src: {}\n{}\nmove what both sides need into a module both \
             use (as workload.rs and record.rs do)",
            cycle.join(" -> "),
            why.join("\n")
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_names_it() {
    let e: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .iter()
        .map(|(x, y)| (x.to_string(), y.to_string()))
        .collect();
    assert_eq!(find_cycle(&e).expect("a cycle"), ["a", "b", "c", "a"]);
    let paths =
        crate_paths("use crate::{engine::Role, workload};\nlet x = super::super::model::D;");
    assert_eq!(paths[0], ["crate", "engine", "Role"]);
    assert_eq!(paths[1], ["crate", "workload"]);
    assert_eq!(paths[2], ["super", "super", "model", "D"]);
    let from = ["report".to_string(), "plot".to_string(), "hist".to_string()];
    assert_eq!(
        resolve(&from, &paths[2]).expect("resolves"),
        ["report", "model", "D"]
    );
}

/// The name of the function a line declares, if it declares one with a body.
fn fn_name(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    for kw in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(kw).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Every function over [`MAX_FN_LINES`] in `file`: (line, name, length).
fn long_functions(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let indent = &line[..line.len() - line.trim_start().len()];
        // A declaration without a body ends in `;` before any `{`.
        let head_end = lines[i..]
            .iter()
            .position(|l| l.trim_end().ends_with('{') || l.trim_end().ends_with(';'));
        match head_end {
            Some(k) if lines[i + k].trim_end().ends_with(';') => continue,
            None => continue,
            _ => {}
        }
        let close = format!("{indent}}}");
        let Some(len) = lines[i + 1..]
            .iter()
            .position(|l| l.trim_end() == close)
            .map(|k| k + 2)
        else {
            continue;
        };
        if len > MAX_FN_LINES {
            out.push((i + 1, name.to_string(), len));
        }
    }
    out
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("protocol/src"), &mut files);
    rust_files(&root.join("sim/src"), &mut files);
    let mut over = Vec::new();
    let mut allowed_seen = BTreeSet::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .expect("under root")
            .display()
            .to_string();
        let text = fs::read_to_string(file).expect("read source");
        for (line, name, len) in long_functions(&text) {
            let key = format!("{rel}:{name}");
            if LONG_FN_ALLOWED.iter().any(|(k, _)| *k == key) {
                allowed_seen.insert(key);
            } else {
                over.push(format!("{rel}:{line}:{name}:{len}"));
            }
        }
    }
    assert!(
        over.is_empty(),
        "functions over {MAX_FN_LINES} lines (file:line:name:length); split them by concern:\n{}",
        over.join("\n")
    );
    for (key, why) in LONG_FN_ALLOWED {
        assert!(
            allowed_seen.contains(*key),
            "{key} is no longer over {MAX_FN_LINES} lines; remove it from LONG_FN_ALLOWED ({why})"
        );
    }
}

#[test]
fn the_length_scanner_measures_from_fn_to_its_closing_brace() {
    let body = "    x();\n".repeat(MAX_FN_LINES - 1);
    let text = format!("fn short() {{\n}}\n\npub(crate) fn long(\n    a: u8,\n) {{\n{body}}}\ntrait T {{\n    fn decl(&self);\n}}\n");
    assert_eq!(
        long_functions(&text),
        [(4, "long".to_string(), MAX_FN_LINES + 3)]
    );
}
