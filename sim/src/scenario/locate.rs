//! An index of where every key of a scenario file sits in its text, built
//! from toml_edit's spans, so that errors can name a line, a column and a
//! dotted key.

use std::ops::Range;

use serde::de::Unexpected;
use toml_edit::{ImDocument, Item, TableLike, Value};

/// One key of the file: a value, an inline table or a table.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Dotted path from the root, such as `policy.fanout_k`.
    pub path: String,
    /// Nesting depth; 0 for top-level keys.
    pub depth: usize,
    /// Where the key itself is written (for a table, inside its header).
    pub key_span: Option<Range<usize>>,
    /// Where the value is written (for a table, its whole text).
    pub value_span: Option<Range<usize>>,
    /// Everything belonging to the key: key, value and nested keys.
    pub range: Option<Range<usize>>,
    /// The value as serde's "invalid type" messages describe it, such as
    /// `string "many"` or `integer `5``.
    pub unexpected: Option<String>,
    /// Whether the key is written as an array of tables (`[[key]]`).
    pub array_of_tables: bool,
}

impl Entry {
    /// Where to point at for this key: where the key or its table header
    /// starts, whichever comes first.
    pub fn position(&self) -> Option<usize> {
        let key = self.key_span.as_ref().map(|s| s.start);
        let value = self.value_span.as_ref().map(|s| s.start);
        match (key, value) {
            (Some(k), Some(v)) => Some(k.min(v)),
            (k, v) => k.or(v),
        }
    }

    /// Whether the key holds a table (standard or inline).
    pub fn is_table(&self) -> bool {
        self.unexpected.as_deref() == Some("map")
    }

    fn is_child_of(&self, parent: &str) -> Option<&str> {
        if parent.is_empty() {
            (self.depth == 0).then_some(self.path.as_str())
        } else {
            self.path
                .strip_prefix(parent)
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|_| self.path.matches('.').count() == parent.matches('.').count() + 1)
        }
    }
}

/// One element of an array value.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// Where the element is written.
    pub span: Range<usize>,
    /// The element as written (a string without its quotes).
    pub label: String,
    /// Whether the element is itself an array.
    pub is_array: bool,
    /// The element as serde's "invalid type" messages describe it.
    pub unexpected: Option<String>,
}

/// An array value found at some key (arrays of tables excluded).
#[derive(Debug, Clone)]
pub(crate) struct ArrayAt {
    pub path: String,
    pub key_span: Option<Range<usize>>,
    pub span: Range<usize>,
    pub elements: Vec<Element>,
}

/// Every key and every array of a parsed file.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceIndex {
    pub entries: Vec<Entry>,
    pub arrays: Vec<ArrayAt>,
}

fn union(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn describe(value: &Value) -> Option<String> {
    let unexpected = match value {
        Value::String(s) => return Some(Unexpected::Str(s.value()).to_string()),
        Value::Integer(i) => Unexpected::Signed(*i.value()),
        Value::Float(f) => Unexpected::Float(*f.value()),
        Value::Boolean(b) => Unexpected::Bool(*b.value()),
        Value::Array(_) => Unexpected::Seq,
        Value::InlineTable(_) => Unexpected::Map,
        Value::Datetime(_) => return None,
    };
    Some(unexpected.to_string())
}

impl SourceIndex {
    /// Indexes a parsed document; `text` is the document's source.
    pub fn build(doc: &ImDocument<String>, text: &str) -> Self {
        let mut index = SourceIndex::default();
        index.walk(doc.as_table(), "", 0, text);
        index
    }

    fn walk(
        &mut self,
        table: &dyn TableLike,
        prefix: &str,
        depth: usize,
        text: &str,
    ) -> Option<Range<usize>> {
        let mut extent = None;
        for (name, item) in table.iter() {
            let key_span = table.get_key_value(name).and_then(|(key, _)| key.span());
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            let slot = self.entries.len();
            self.entries.push(Entry {
                path: path.clone(),
                depth,
                key_span: key_span.clone(),
                value_span: None,
                range: None,
                unexpected: None,
                array_of_tables: matches!(item, Item::ArrayOfTables(_)),
            });
            let (value_span, children, unexpected) = match item {
                Item::None => (None, None, None),
                Item::Value(value) => {
                    let children = match value {
                        Value::InlineTable(inline) => self.walk(inline, &path, depth + 1, text),
                        Value::Array(array) => {
                            self.record_array(&path, key_span.clone(), value, array, text);
                            None
                        }
                        _ => None,
                    };
                    (value.span(), children, describe(value))
                }
                Item::Table(sub) => {
                    let children = self.walk(sub, &path, depth + 1, text);
                    (sub.span(), children, Some(Unexpected::Map.to_string()))
                }
                Item::ArrayOfTables(tables) => {
                    (tables.span(), None, Some(Unexpected::Seq.to_string()))
                }
            };
            let range = union(union(key_span, value_span.clone()), children);
            let entry = &mut self.entries[slot];
            entry.value_span = value_span;
            entry.range = range.clone();
            entry.unexpected = unexpected;
            extent = union(extent, range);
        }
        extent
    }

    fn record_array(
        &mut self,
        path: &str,
        key_span: Option<Range<usize>>,
        value: &Value,
        array: &toml_edit::Array,
        text: &str,
    ) {
        let Some(span) = value.span() else { return };
        let mut elements = Vec::with_capacity(array.len());
        for element in array.iter() {
            let Some(element_span) = element.span() else {
                return;
            };
            let label = match element {
                Value::String(s) => s.value().to_string(),
                _ => text
                    .get(element_span.clone())
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            elements.push(Element {
                span: element_span,
                label,
                is_array: matches!(element, Value::Array(_)),
                unexpected: describe(element),
            });
        }
        self.arrays.push(ArrayAt {
            path: path.to_string(),
            key_span,
            span,
            elements,
        });
    }

    /// The entry of a dotted key, if the file writes it.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// The innermost entry an error span belongs to: one whose key or value
    /// is exactly the span, else the deepest one whose range contains it.
    pub fn locate(&self, span: &Range<usize>) -> Option<&Entry> {
        let exact = self
            .entries
            .iter()
            .rev()
            .find(|e| e.key_span.as_ref() == Some(span) || e.value_span.as_ref() == Some(span));
        exact.or_else(|| {
            self.entries
                .iter()
                .filter(|e| {
                    e.range
                        .as_ref()
                        .is_some_and(|r| r.start <= span.start && span.end <= r.end)
                })
                .max_by_key(|e| e.depth)
        })
    }

    /// The innermost table (standard or inline) whose range contains the span.
    pub fn locate_table(&self, span: &Range<usize>) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| {
                e.is_table()
                    && e.range
                        .as_ref()
                        .is_some_and(|r| r.start <= span.start && span.end <= r.end)
            })
            .max_by_key(|e| e.depth)
    }

    /// Direct children of the table at `parent` (`""` for the root).
    pub fn children<'a>(&'a self, parent: &'a str) -> impl Iterator<Item = (&'a str, &'a Entry)> {
        self.entries
            .iter()
            .filter_map(move |e| e.is_child_of(parent).map(|name| (name, e)))
    }
}

/// 1-based line and column (in characters) of a byte offset of `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
