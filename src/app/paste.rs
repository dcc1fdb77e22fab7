//! The doctor's "Paste an error" box: the text as typed, and what it means.

use crate::explain::{Explanation, explain};

/// The most the box takes (characters): a long traceback fits many times over.
pub const MAX_PASTE_CHARS: usize = 100_000;

/// The text of the box and its explanation.
#[derive(Debug, Clone, Default)]
pub struct PasteState {
    /// The text as typed or pasted.
    pub text: String,
    /// What the text meant when it last changed; `None` while the box is empty.
    pub explanation: Option<Explanation>,
}

impl PasteState {
    /// Explains the text as it is now (pure CPU, no I/O: fine on the UI thread).
    pub fn explain(&mut self) {
        self.explanation = (!self.text.trim().is_empty()).then(|| explain(&self.text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_explanation_follows_the_text() {
        let mut paste = PasteState::default();
        paste.explain();
        assert!(paste.explanation.is_none());
        paste.text = "curl: (6) Could not resolve host: db.example".to_owned();
        paste.explain();
        assert_eq!(paste.explanation.as_ref().and_then(Explanation::code), Some(crate::diagnose::Code::DnsNotFound));
        paste.text.clear();
        paste.explain();
        assert!(paste.explanation.is_none());
    }
}
