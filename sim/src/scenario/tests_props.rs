//! `parse` never panics, whatever the text.

use super::tests::RICH;
use super::*;
use proptest::prelude::*;

fn check_never_panics(text: &str) {
    match parse(text, Path::new("scenarios/p.toml")) {
        Ok(file) => {
            assert!(!file.points.is_empty());
            let _ = file.resolved_toml();
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("scenarios/p.toml:"), "{shown}");
            assert!(shown.lines().count() <= 2, "{shown}");
        }
    }
}

/// Byte-level edits of a valid file (clamped to char boundaries).
fn mutate(base: &str, edits: &[(usize, usize, String)]) -> String {
    let mut text = base.to_string();
    for (at, len, insert) in edits {
        let mut start = at % (text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.replace_range(start..end, insert);
    }
    text
}

/// Replaces the values of some `key = value` lines of `base` by tokens.
fn revalue(base: &str, picks: &[(usize, usize)]) -> String {
    const TOKENS: &[&str] = &[
        "-1",
        "0",
        "1",
        "0.5",
        "1e400",
        "nan",
        "-inf",
        "\"x\"",
        "\"\"",
        "true",
        "[]",
        "[1, 2]",
        "[0, -1]",
        "{}",
        "[[1.0], [2.0]]",
        "[\"fixed\", \"gossipy\"]",
        "{ a = 1 }",
        "9999999999",
        "2.5",
        "[1.0, [2.0]]",
        "1979-05-27",
    ];
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = "))
        .collect();
    for &(line, token) in picks {
        let i = candidates[line % candidates.len()];
        let key = lines[i].split(" = ").next().unwrap_or_default().to_string();
        lines[i] = format!("{key} = {}", TOKENS[token % TOKENS.len()]);
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        check_never_panics(&text);
    }

    #[test]
    fn parse_never_panics_on_mutated_files(
        edits in prop::collection::vec(
            (any::<usize>(), 0usize..6, "[\\[\\]{}=,.\"'#\n a-z0-9_-]{0,6}"),
            1..4,
        )
    ) {
        check_never_panics(&mutate(RICH, &edits));
    }

    #[test]
    fn parse_never_panics_on_odd_values(
        picks in prop::collection::vec((any::<usize>(), any::<usize>()), 1..4)
    ) {
        check_never_panics(&revalue(RICH, &picks));
    }
}
