//! Connection profiles: the settings a check or a browse needs, their validation, and (later) their store.
//!
//! Nothing here does network I/O. File I/O is limited to checking that files named by the settings exist.

mod secret;
mod settings;
mod url_input;

pub use secret::Secret;
pub use settings::{
    Auth, ConnectionSettings, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DATABASE, DEFAULT_REQUEST_TIMEOUT, DEFAULT_TENANT,
    Scheme, SettingsError, TokenHeader, Verify,
};
pub use url_input::{Endpoint, parse_endpoint};
