//! Connection profiles: the settings a check or a browse needs, their validation, and the store that keeps
//! them — `profiles.toml` for the settings, the OS keychain (or a private fallback file) for the secrets.
//!
//! Nothing here does network I/O or imports a GUI toolkit. File and keychain I/O block: the GUI calls them from
//! background tasks.

mod format;
mod fsutil;
mod import_export;
mod model;
mod patch;
mod paths;
mod resolve;
mod secret;
mod secrets;
mod setting;
mod settings;
mod store;
mod url_input;

pub(crate) use format::parse_string_map;
pub use format::{
    AuthKind, FormatError, ProfileRecord, ProfilesDoc, SCHEMA_VERSION, VerifyValue, parse_doc, profile_to_record,
    record_to_profile, seconds, write_doc,
};
pub use fsutil::stale_temps;
pub(crate) use fsutil::write_atomic;
pub use import_export::{
    CHROMA_CLIENT_DEFAULT_PORT, CHROMA_CLOUD_HOST, EnvImport, ImportError, ImportRisk, export_profiles, parse_import,
    profile_from_chroma_env,
};
pub use model::{MAX_NAME_LEN, Profile, ProfileAuth, SecretSource, validate_env_name, validate_name};
pub use patch::{ApplyAuth, AuthChange, SecretInput, SettingsPatch};
pub use paths::{AppPaths, HOME_ENV, PathsError};
pub use resolve::settings_with_secret;
pub use secret::Secret;
pub use secrets::{ResolvedSecret, SECRET_STORE_ENV, SecretError, SecretLocation, SecretStore, SecretStoreMode};
pub use setting::Setting;
pub use settings::{
    Auth, Connection, ConnectionSettings, Credentials, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DATABASE,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_TENANT, Scheme, SettingsError, TokenHeader, Verify, normalize_sha256_fingerprint,
};
pub use store::{
    BrokenProfile, ConflictPolicy, Imported, ProfileStore, Removed, StoreError, StoreNotice, UpdateOptions, Updated,
};
pub use url_input::{Endpoint, endpoint_from_parts, host_has_port, parse_endpoint, redact_url};
