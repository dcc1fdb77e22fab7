//! A saved profile made ready to connect: its settings joined with its secret.

use super::model::{Profile, ProfileAuth};
use super::secret::Secret;
use super::secrets::SecretStore;
use super::settings::{ConnectionSettings, SettingsError};

/// The connection settings of `profile` with its secret: from the environment variable it names, else from the
/// keychain or the fallback file of `secrets`. Blocks on the keychain (bounded by its timeouts).
///
/// A profile without credentials needs no secret. When the secret is missing or cannot be read, the error's
/// field is `token` or `password` (see [`SettingsError::setting`]). The settings are not validated: see
/// [`ConnectionSettings::validate`].
pub fn settings_with_secret(profile: &Profile, secrets: &SecretStore) -> Result<ConnectionSettings, SettingsError> {
    let field = match profile.connection.auth {
        ProfileAuth::None => return Ok(profile.to_settings(Secret::default())),
        ProfileAuth::Token { .. } => "token",
        ProfileAuth::Basic { .. } => "password",
    };
    let name = &profile.name;
    match secrets.resolve(profile) {
        Ok(Some(found)) => Ok(profile.to_settings(found.secret)),
        Ok(None) => Err(SettingsError::new(
            field,
            format!("of profile `{name}` is not saved (neither in the keychain nor in the fallback file)"),
        )),
        Err(err) => Err(SettingsError::new(field, format!("of profile `{name}` cannot be read: {err}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{AppPaths, Auth, SecretSource, SecretStoreMode, Setting, TokenHeader, parse_endpoint};

    fn profile(auth: ProfileAuth) -> Profile {
        let mut profile = Profile::new("staging", parse_endpoint("url", "https://h:8443").expect("url"));
        profile.connection.auth = auth;
        profile
    }

    fn store(dir: &std::path::Path) -> SecretStore {
        SecretStore::with_mode(&AppPaths::in_dir(dir), SecretStoreMode::File)
    }

    #[test]
    fn no_credentials_need_no_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = settings_with_secret(&profile(ProfileAuth::None), &store(dir.path())).expect("settings");
        assert_eq!(settings.auth, Auth::None);
    }

    #[test]
    fn a_saved_secret_is_joined() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secrets = store(dir.path());
        let token = profile(ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored });
        let err = settings_with_secret(&token, &secrets).expect_err("not saved");
        assert_eq!(err.setting(), Some(Setting::Token));
        assert!(err.to_string().starts_with("token of profile `staging` is not saved"), "{err}");
        assert!(!err.to_string().contains("--"), "{err}");

        secrets.set("staging", &Secret::new("tok-resolve-1")).expect("save");
        let settings = settings_with_secret(&token, &secrets).expect("settings");
        assert_eq!(
            settings.auth,
            Auth::Token { token: Secret::new("tok-resolve-1"), header: TokenHeader::XChromaToken }
        );
    }

    #[test]
    fn a_missing_variable_names_the_password() {
        let dir = tempfile::tempdir().expect("tempdir");
        let basic = profile(ProfileAuth::Basic {
            user: "u".into(),
            source: SecretSource::Env("CHROMA_CONNECT_RESOLVE_SURELY_UNSET".into()),
        });
        let err = settings_with_secret(&basic, &store(dir.path())).expect_err("unset");
        assert_eq!(err.setting(), Some(Setting::Password));
        assert!(err.to_string().contains("$CHROMA_CONNECT_RESOLVE_SURELY_UNSET, which is not set"), "{err}");
    }
}
