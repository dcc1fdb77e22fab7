//! `--pin-current`: one TLS handshake with the profile's trust settings, to pin the certificate presented.

use crate::profile::{Auth, Profile, Secret};
use crate::tls;

use super::{Failure, err_line};

/// Connects to the profile's server and pins the certificate it presents.
pub(super) async fn pin_current(profile: &mut Profile) -> Result<(), Failure> {
    // A handshake sends no credentials: the profile's token or password is neither needed nor read.
    let mut settings = profile.to_settings(Secret::default());
    settings.auth = Auth::None;
    let presented = crate::diagnose::presented_certificate(&settings).await.map_err(Failure::problem)?;
    let info = tls::cert_info(&presented.leaf).ok();
    let fingerprint = tls::sha256_fingerprint(&presented.leaf);
    let subject = info.map(|i| crate::diagnose::sanitize_display(&i.subject, 200)).unwrap_or_default();
    err_line(&format!("Pinned the certificate {} presents now: {subject}\n  sha256 {fingerprint}", presented.address));
    if let Some(problem) = presented.verification_problem {
        err_line(&format!(
            "warning: this certificate does not verify with the profile's trust settings ({problem}); the pin alone \
             does not make it trusted: the check will still fail until it verifies (or verification is off)"
        ));
    }
    profile.connection.pinned_sha256 = Some(fingerprint);
    Ok(())
}
