//! Edge list files: one `a b` pair of node indices per line, `#` starts a comment.

use std::path::Path;

use super::{GraphError, PeerGraph, MAX_NODES};

/// Reads (bounded, see [`crate::input`]) and parses the edge list at `path` (already
/// resolved).
pub(super) fn read(path: &Path) -> Result<PeerGraph, GraphError> {
    use crate::input::{read_to_string, InputError};
    let text = read_to_string(path).map_err(|e| match e {
        InputError::Io { path, source } => GraphError::Io { path, source },
        other => GraphError::Input(other),
    })?;
    parse(&text, path)
}

/// Parses edge list text; `path` is only used in error messages. Duplicate edges (in
/// either direction) are merged; node count is the largest index + 1.
pub(super) fn parse(text: &str, path: &Path) -> Result<PeerGraph, GraphError> {
    let mut edges = Vec::new();
    let mut max = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let fail = |message: String| GraphError::EdgeListLine {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let content = raw.split('#').next().unwrap_or("");
        let fields: Vec<&str> = content.split_whitespace().collect();
        match fields.len() {
            0 => continue,
            2 => {}
            k => {
                return Err(fail(format!(
                    "expected two node indices \"a b\", found {k} field{}: {:?}",
                    if k == 1 { "" } else { "s" },
                    content.trim()
                )))
            }
        }
        let mut ends = [0u32; 2];
        for (end, field) in ends.iter_mut().zip(&fields) {
            let index: u64 = field.parse().map_err(|_| {
                fail(format!(
                    "{field:?} is not a node index; expected a whole number from 0 to {}",
                    MAX_NODES - 1
                ))
            })?;
            if index >= u64::from(MAX_NODES) {
                return Err(fail(format!(
                    "node index {index} is too large; at most {} is allowed",
                    MAX_NODES - 1
                )));
            }
            *end = index as u32;
        }
        let [a, b] = ends;
        if a == b {
            return Err(fail(format!(
                "self loop \"{a} {b}\"; a node cannot be its own peer"
            )));
        }
        max = max.max(a).max(b);
        edges.push((a, b));
    }
    if edges.is_empty() {
        return Err(GraphError::EmptyEdgeList {
            path: path.to_path_buf(),
        });
    }
    PeerGraph::from_edges(max + 1, edges)
}

#[cfg(test)]
mod tests {
    use super::super::GraphSpec;
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha12Rng;
    use std::io::Write;

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("peers.txt")).unwrap_err().to_string()
    }

    #[test]
    fn parses_comments_blanks_duplicates() {
        let text = "# a ring\n0 1\n\n1\t2   # inline comment\n  2 0\n1 0\n   \n#end";
        let g = parse(text, Path::new("x")).unwrap();
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.peers(0), &[1, 2]);
        // Trailing isolated indices are implied by the largest index only.
        let g = parse("0 5\r\n", Path::new("x")).unwrap();
        assert_eq!(g.node_count(), 6);
        assert_eq!(g.component_count(), 5);
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let cases = [
            ("0 1\n2\n", "line 2", "found 1 field"),
            ("0 1\n\n1 2 3\n", "line 3", "found 3 fields"),
            ("0 x\n", "line 1", "\"x\" is not a node index"),
            ("# c\n-1 2\n", "line 2", "\"-1\" is not a node index"),
            ("0 1.5\n", "line 1", "not a node index"),
            ("0 99999999999\n", "line 1", "is too large"),
            ("0 50000000\n", "line 1", "at most 49999999"),
            ("1 2\n3 3\n", "line 2", "self loop"),
            ("0,1\n", "line 1", "found 1 field"),
        ];
        for (text, line, what) in cases {
            let msg = parse_err(text);
            assert!(msg.contains("peers.txt"), "{msg}");
            assert!(msg.contains(line), "{text:?}: {msg}");
            assert!(msg.contains(what), "{text:?}: {msg}");
        }
        for empty in ["", "# only comments\n\n"] {
            let msg = parse_err(empty);
            assert!(
                msg.contains("peers.txt") && msg.contains("no edges"),
                "{msg}"
            );
        }
    }

    #[test]
    fn generate_reads_relative_and_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = std::fs::File::create(dir.path().join("g.txt")).unwrap();
        writeln!(f, "# triangle plus tail\n0 1\n1 2\n2 0\n2 3").unwrap();
        drop(f);
        let mut rng = ChaCha12Rng::seed_from_u64(0);
        let rel = GraphSpec::EdgeList {
            path: "g.txt".into(),
        };
        assert_eq!(rel.node_count_hint(), None);
        let g = rel.generate(&mut rng, dir.path()).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (4, 4));
        assert!(g.is_connected());
        let abs = GraphSpec::EdgeList {
            path: dir.path().join("g.txt"),
        };
        assert_eq!(abs.generate(&mut rng, Path::new("/nowhere")).unwrap(), g);

        let missing = GraphSpec::EdgeList {
            path: "missing.txt".into(),
        };
        let err = missing.generate(&mut rng, dir.path()).unwrap_err();
        assert!(matches!(err, GraphError::Io { .. }));
        assert!(err.to_string().contains("missing.txt"), "{err}");

        std::fs::write(dir.path().join("bad.txt"), "0 1\n1 two\n").unwrap();
        let bad = GraphSpec::EdgeList {
            path: "bad.txt".into(),
        };
        let err = bad.generate(&mut rng, dir.path()).unwrap_err();
        assert!(
            matches!(err, GraphError::EdgeListLine { line: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("bad.txt"), "{err}");

        std::fs::write(
            dir.path().join("bin.txt"),
            [0x30, 0x20, 0x31, 0x0a, 0xff, 0xfe],
        )
        .unwrap();
        let bin = GraphSpec::EdgeList {
            path: "bin.txt".into(),
        };
        assert!(matches!(
            bin.generate(&mut rng, dir.path()),
            Err(GraphError::Io { .. })
        ));
    }
}
