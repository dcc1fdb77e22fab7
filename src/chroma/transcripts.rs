//! Test helper: the recorded server answers in `/work/shared/chroma-api` (curl transcripts of real servers).

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

/// The body of the transcript at `path` (relative to the transcripts folder), when that folder is there.
pub(crate) fn read(path: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("/work/shared/chroma-api/{path}")).ok()?;
    Some(body(&text).to_owned())
}
