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
pub struct ChainCapture(Arc<Mutex<HashMap<String, Vec<CertificateDer<'static>>>>>);

impl ChainCapture {
    /// The chain last presented under `server_name`, if any.
    #[must_use]
    pub fn get(&self, server_name: &str) -> Option<Vec<CertificateDer<'static>>> {
        self.lock().get(server_name).cloned()
    }

    /// Forgets every recorded chain.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Forgets the chain recorded under `server_name`.
    pub fn remove(&self, server_name: &str) {
        self.lock().remove(server_name);
    }

    /// Records `chain` as the one last presented under `server_name`.
    pub(crate) fn insert(&self, server_name: String, chain: Vec<CertificateDer<'static>>) {
        self.lock().insert(server_name, chain);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<CertificateDer<'static>>>> {
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
