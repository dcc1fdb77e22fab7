//! The certificate chains servers presented, recorded before verification.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls_pki_types::CertificateDer;

/// The last chain (end entity first, then the intermediates, as sent) that each server presented,
/// keyed by the server name used for the connection (a DNS name, or an IP address as text).
///
/// A [`TlsClient`](super::TlsClient) fills it before its verifier decides, so the chain is
/// there even when verification fails. Clones share the same storage.
#[derive(Debug, Clone, Default)]
pub struct ChainCapture(Arc<Mutex<Captured>>);

/// What [`ChainCapture`] holds.
#[derive(Debug, Default)]
struct Captured {
    /// The last chain of each server name.
    chains: HashMap<String, Vec<CertificateDer<'static>>>,
    /// Server names whose certificate was accepted only because it is the pinned one, with the reason the
    /// configured trust alone would have refused it.
    pinned_only: HashMap<String, String>,
}

impl ChainCapture {
    /// The chain last presented under `server_name`, if any.
    #[must_use]
    pub fn get(&self, server_name: &str) -> Option<Vec<CertificateDer<'static>>> {
        self.lock().chains.get(server_name).cloned()
    }

    /// Why the configured trust alone refused the certificate of `server_name`, when it was accepted only because
    /// it is the pinned one (trust on first use); `None` when the trust accepted it by itself.
    #[must_use]
    pub fn trusted_by_pin_only(&self, server_name: &str) -> Option<String> {
        self.lock().pinned_only.get(server_name).cloned()
    }

    pub(crate) fn set_trusted_by_pin_only(&self, server_name: &str, reason: Option<String>) {
        let mut captured = self.lock();
        match reason {
            Some(reason) => captured.pinned_only.insert(server_name.to_owned(), reason),
            None => captured.pinned_only.remove(server_name),
        };
    }

    /// Forgets every recorded chain.
    pub fn clear(&self) {
        let mut captured = self.lock();
        captured.chains.clear();
        captured.pinned_only.clear();
    }

    /// Forgets the chain recorded under `server_name`.
    pub fn remove(&self, server_name: &str) {
        let mut captured = self.lock();
        captured.chains.remove(server_name);
        captured.pinned_only.remove(server_name);
    }

    /// Records `chain` as the one last presented under `server_name`.
    pub(crate) fn insert(&self, server_name: String, chain: Vec<CertificateDer<'static>>) {
        self.lock().chains.insert(server_name, chain);
    }

    fn lock(&self) -> MutexGuard<'_, Captured> {
        // The map stays consistent even if a holder panicked: recover instead of panicking.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove_clear() {
        let capture = ChainCapture::default();
        let shared = capture.clone();
        assert_eq!(capture.get("a"), None);
        shared.insert("a".to_owned(), vec![CertificateDer::from(vec![1, 2])]);
        shared.insert("b".to_owned(), vec![]);
        assert_eq!(capture.get("a"), Some(vec![CertificateDer::from(vec![1, 2])]));
        capture.remove("a");
        assert_eq!(shared.get("a"), None);
        assert_eq!(shared.get("b"), Some(vec![]));
        capture.clear();
        assert_eq!(shared.get("b"), None);
    }

    #[test]
    fn survives_a_poisoned_lock() {
        let capture = ChainCapture::default();
        let inner = capture.0.clone();
        let _ = std::thread::spawn(move || {
            let _guard = inner.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(capture.0.is_poisoned());
        capture.insert("a".to_owned(), vec![]);
        assert_eq!(capture.get("a"), Some(vec![]));
    }
}
