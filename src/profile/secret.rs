//! A string that must never be printed: tokens, passwords, passphrases.

use std::fmt;

/// A secret value (token, password). Its `Debug` shows only that a value is present, it has no `Display`,
/// and it is never serialized: the only way to read it is [`Secret::expose`], used where it is sent.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no value is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() { f.write_str("Secret(<empty>)") } else { f.write_str("Secret(<redacted>)") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("tok-3f9a-very-secret");
        let shown = format!("{secret:?} {:#?}", Some(&secret));
        assert!(!shown.contains("tok-3f9a"), "{shown}");
        assert!(shown.contains("redacted"));
        assert_eq!(secret.expose(), "tok-3f9a-very-secret");
    }
}
