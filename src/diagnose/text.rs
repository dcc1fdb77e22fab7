//! Text that comes from elsewhere (a server's error message, version or identity, a certificate's subject or names,
//! a profile file) made safe to show in a terminal or a window: no control characters, no invisible formatting
//! characters, and not longer than a limit.

/// Longest server message shown in a diagnosis (characters).
pub(crate) const MAX_MESSAGE_CHARS: usize = 500;
/// Longest name (subject, issuer, version, user, tenant) shown (characters).
pub(crate) const MAX_NAME_CHARS: usize = 200;

/// `text` on one line and at most `max_chars` characters (the last one `…` when it was cut): line breaks, tabs and
/// other whitespace control characters become one space; every other control character (escape sequences, bells,
/// C1 codes) and the invisible formatting characters that reorder or hide text (bidirectional overrides, zero-width
/// characters) are removed. Leading and trailing whitespace is trimmed. Use it for any text from a server, a
/// certificate or a file before it reaches a terminal or a label.
#[must_use]
pub fn sanitize_display(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut count = 0usize;
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            pending_space = count > 0;
            continue;
        }
        if ch.is_control() || is_invisible_format(ch) {
            continue;
        }
        let needed = usize::from(pending_space) + 1;
        if count + needed > max_chars {
            cut(&mut out, &mut count, max_chars);
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(ch);
        count += 1;
    }
    out
}

/// `text` with its line breaks kept and every other control or invisible formatting character removed (tabs and
/// carriage returns become spaces): the last filter of the command line's text output.
#[must_use]
pub fn sanitize_lines(text: &str) -> String {
    text.chars()
        .filter_map(|ch| match ch {
            '\n' => Some('\n'),
            '\t' | '\r' => Some(' '),
            c if c.is_control() || is_invisible_format(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Cuts `out` (of `count` characters) so that it ends in `…` within `max_chars`.
fn cut(out: &mut String, count: &mut usize, max_chars: usize) {
    if max_chars == 0 {
        out.clear();
        *count = 0;
        return;
    }
    while *count >= max_chars {
        out.pop();
        *count -= 1;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
}

/// Format characters that change how text around them is shown without being visible themselves: bidirectional
/// marks, embeddings, overrides and isolates, zero-width spaces and joiners, word joiners, the byte-order mark.
pub(crate) fn is_invisible_format(ch: char) -> bool {
    matches!(ch,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_removed_and_whitespace_folded() {
        assert_eq!(sanitize_display("plain text", 100), "plain text");
        assert_eq!(sanitize_display("  line one\r\n\tline two \n", 100), "line one line two");
        assert_eq!(sanitize_display("red\u{1b}[31malert\u{7}\u{9b}2J", 100), "red[31malert2J");
        assert_eq!(sanitize_display("abc\u{202E}fed\u{200B}\u{FEFF}", 100), "abcfed");
        assert_eq!(sanitize_display("\u{0}\u{1}", 100), "");
        assert_eq!(sanitize_display("ünïcode — ok", 100), "ünïcode — ok");
    }

    #[test]
    fn long_texts_are_cut_with_an_ellipsis() {
        assert_eq!(sanitize_display("abcdef", 6), "abcdef");
        assert_eq!(sanitize_display("abcdefg", 6), "abcde…");
        assert_eq!(sanitize_display("abc defg", 5), "abc…");
        assert_eq!(sanitize_display("ééééééé", 3).chars().count(), 3);
        assert_eq!(sanitize_display("abc", 0), "");
        let long = "x".repeat(100_000);
        assert_eq!(sanitize_display(&long, 500).chars().count(), 500);
    }

    #[test]
    fn lines_keep_their_breaks_only() {
        assert_eq!(sanitize_lines("a\tb\r\nc\u{1b}]0;title\u{7}d\u{202E}e\n"), "a b \nc]0;titlede\n");
    }
}
