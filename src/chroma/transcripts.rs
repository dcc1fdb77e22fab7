//! Test helper: the recorded server answers in `tests/fixtures/chroma-api` (curl transcripts of real Chroma 1.5.9,
//! 0.5.23 and 0.4.24 servers; see the README there). A missing transcript fails the test that reads it.

/// The body of a transcript: everything from the first line after the command that starts like JSON.
pub(crate) fn body(text: &str) -> &str {
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n > 0 && line.starts_with(['{', '[', '"']) {
            return &text[offset..];
        }
        offset += line.len();
    }
    ""
}

/// The body of the transcript at `path` (relative to `tests/fixtures/chroma-api`).
///
/// # Panics
/// When the transcript is missing or has no body: a test that reads it must not pass having tested nothing.
pub(crate) fn read(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chroma-api").join(path);
    let text = std::fs::read_to_string(&full)
        .unwrap_or_else(|err| panic!("the transcript {} cannot be read: {err}", full.display()));
    let body = body(&text);
    assert!(!body.is_empty(), "the transcript {} has no JSON body", full.display());
    body.to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn transcripts_are_inside_the_repository() {
        assert!(super::read("v2-1.x/20-list-collections.txt").starts_with('['));
    }

    #[test]
    #[should_panic(expected = "cannot be read")]
    fn a_missing_transcript_fails() {
        let _ = super::read("v2-1.x/no-such-transcript.txt");
    }
}
