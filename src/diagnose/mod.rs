//! The step-by-step connection check and its findings: stable codes, summaries, hints, and the report
//! (JSON and text); the diagnosis of any failure of browsing ([`diagnose_browse_error`]), the same as the check's
//! for the same failure; text from servers and certificates made safe to show ([`sanitize_display`]). Knows
//! nothing of egui.

mod bundle;
mod check;
mod code;
mod expiry;
mod failure;
mod findings;
mod presented;
mod report;
mod text;
mod trust;

pub use bundle::{AppInfo, BUNDLE_VERSION, BundleFile, BundleSettings, OsInfo, SupportBundle};
pub use check::{Cancelled, CheckEvent, run_check};
pub use code::Code;
pub use expiry::{
    EXPIRY_CONCURRENCY, ExpiryItem, ExpiryKind, ExpiryProblem, ExpiryReport, profile_expiry, watch_expiry,
};
pub use failure::{
    diagnose_browse_error, diagnose_browse_error_probing, diagnose_chroma_error, diagnose_settings_error,
    diagnose_tls_config_error,
};
pub use presented::{PresentedCertificate, presented_certificate};
pub use report::{CheckReport, Diagnosis, ServerInfo, Step, StepReport, StepStatus, Target, TlsSession, step_line};
pub(crate) use text::is_invisible_format;
pub use text::{sanitize_display, sanitize_lines};
pub use trust::{ClientFamily, ClientTrust, TrustReason, TrustSource, clients_trust};
