//! Server-certificate verifiers: the recording wrapper and the accept-anything verifier.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::{CertificateError, DistinguishedName, OtherError, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::capture::ChainCapture;
use super::certinfo::sha256_fingerprint;

/// The server presented a certificate other than the pinned one (carried inside a rustls
/// `CertificateError::Other`; see [`crate::tls::TlsFailure::PinMismatch`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server's certificate {presented} is not the pinned one ({pinned})")]
pub struct PinMismatch {
    /// The pinned fingerprint.
    pub pinned: String,
    /// The fingerprint of the certificate the server presented.
    pub presented: String,
}

/// Records the presented chain into a [`ChainCapture`], refuses a certificate that is not the pinned one,
/// then lets the real verifier decide.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    pub(crate) inner: Arc<dyn ServerCertVerifier>,
    pub(crate) capture: ChainCapture,
    /// Normalised pinned fingerprint (uppercase hex with colons), if any.
    pub(crate) pin: Option<String>,
    /// The name to verify for, whatever name the connection was opened for (see `TlsSettings::verify_ip`).
    pub(crate) verify_as: Option<ServerName<'static>>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let server_name: &ServerName<'_> = self.verify_as.as_ref().unwrap_or(server_name);
        let chain = std::iter::once(end_entity).chain(intermediates).map(|cert| cert.clone().into_owned()).collect();
        self.capture.insert(server_name.to_str().into_owned(), chain);
        let Some(pinned) = &self.pin else {
            return self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        };
        let presented = sha256_fingerprint(end_entity);
        if !presented.eq_ignore_ascii_case(pinned) {
            let mismatch = PinMismatch { pinned: pinned.clone(), presented };
            return Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(mismatch)))));
        }
        // The pinned certificate is trusted as it is (trust on first use, as SSH does with host keys): the user
        // compared and pinned this exact certificate. What the configured trust says is kept for the report.
        // The handshake's signature is still checked against this certificate's key.
        let name = server_name.to_str();
        match self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Ok(verified) => {
                self.capture.set_trusted_by_pin_only(&name, None);
                Ok(verified)
            }
            Err(err) => {
                self.capture.set_trusted_by_pin_only(&name, Some(err.to_string()));
                Ok(ServerCertVerified::assertion())
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// Accepts any server certificate (and name) but still checks the handshake signatures, so the
/// peer must hold the private key of the certificate it sent.
#[derive(Debug)]
pub(crate) struct AcceptAnyServerCert {
    pub(crate) algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
