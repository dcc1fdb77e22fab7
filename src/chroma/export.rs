//! Writing records out: JSON Lines (one object per line, the same object as a record of `records --json`) or CSV
//! (id, document, uri, one column per metadata key, and the embedding when asked). Pure: no I/O of its own.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use super::records::Record;

/// A file format for exported records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub enum ExportFormat {
    /// One JSON object per line.
    #[default]
    JsonLines,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
}

impl ExportFormat {
    /// The file extension, without the dot.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::JsonLines => "jsonl",
            Self::Csv => "csv",
        }
    }
}

/// One record as a JSON Lines line (with its newline): `{id, document, metadata, embedding, uri, distance}`, every
/// key present, `null` when not included — the shape of a record in `records --json`.
#[must_use]
pub fn json_line(record: &Record, distance: Option<f64>) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        #[serde(flatten)]
        record: &'a Record,
        distance: Option<f64>,
    }
    let mut line = serde_json::to_string(&Line { record, distance }).unwrap_or_else(|_| "{}".to_owned());
    line.push('\n');
    line
}

/// The records as CSV: a header row, then one row per record. Metadata keys become columns (sorted, the union of
/// every record's keys; a value that is not a string is written as JSON); `embeddings` adds an `embedding` column
/// (the numbers as a JSON array).
#[must_use]
pub fn csv(records: &[Record], embeddings: bool) -> String {
    let keys: BTreeSet<&str> =
        records.iter().filter_map(|r| r.metadata.as_ref()).flat_map(|m| m.keys().map(String::as_str)).collect();
    let mut out = String::new();
    let mut header: Vec<String> = vec!["id".to_owned(), "document".to_owned(), "uri".to_owned()];
    header.extend(keys.iter().map(|k| format!("metadata.{k}")));
    if embeddings {
        header.push("embedding".to_owned());
    }
    push_row(&mut out, header.iter().map(String::as_str));
    for record in records {
        let mut row: Vec<String> = vec![
            record.id.clone(),
            record.document.clone().unwrap_or_default(),
            record.uri.clone().unwrap_or_default(),
        ];
        for key in &keys {
            let value = record.metadata.as_ref().and_then(|m| m.get(*key));
            row.push(match value {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            });
        }
        if embeddings {
            row.push(record.embedding.as_ref().map(|e| serde_json::json!(e).to_string()).unwrap_or_default());
        }
        push_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    let mut first = true;
    for cell in cells {
        if !first {
            out.push(',');
        }
        first = false;
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
            let _ = write!(out, "\"{}\"", cell.replace('"', "\"\""));
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, document: Option<&str>, metadata: serde_json::Value) -> Record {
        Record {
            id: id.to_owned(),
            document: document.map(str::to_owned),
            metadata: serde_json::from_value(metadata).ok(),
            embedding: Some(vec![0.5, 1.0]),
            uri: None,
        }
    }

    #[test]
    fn json_lines_have_every_key() {
        let line = json_line(&record("a", Some("doc"), serde_json::json!({"k": 1})), Some(0.25));
        assert!(line.ends_with('\n'));
        let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        for key in ["id", "document", "metadata", "embedding", "uri", "distance"] {
            assert!(value.get(key).is_some(), "{key} in {value}");
        }
        assert_eq!(value["distance"], 0.25);
    }

    #[test]
    fn csv_quotes_and_unions_metadata_keys() {
        let records = [
            record("a", Some("hello, \"world\""), serde_json::json!({"color": "red"})),
            record("b", None, serde_json::json!({"n": 2, "color": "x\ny"})),
        ];
        let text = csv(&records, true);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "id,document,uri,metadata.color,metadata.n,embedding");
        assert_eq!(lines[1], "a,\"hello, \"\"world\"\"\",,red,,\"[0.5,1.0]\"");
        assert!(text.contains("b,,,\"x\ny\",2,\"[0.5,1.0]\""), "{text}");
        assert_eq!(csv(&records, false).lines().next(), Some("id,document,uri,metadata.color,metadata.n"));
    }
}
