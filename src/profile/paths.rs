//! Where the app keeps its files: the OS config directory, or `$CHROMA_CONNECT_HOME` for everything.

use std::path::PathBuf;

/// The environment variable that puts every file of the app (profiles, secrets fallback, lock files) in one
/// folder. Tests and scripts rely on it.
pub const HOME_ENV: &str = "CHROMA_CONNECT_HOME";

/// The folders the app writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    /// Holds `profiles.toml` and its lock file.
    pub config_dir: PathBuf,
    /// Holds `secrets.toml`, the fallback secret store used when no keychain is available.
    pub data_dir: PathBuf,
    /// Whether the folders come from [`HOME_ENV`] (and not from the OS conventions).
    pub from_env: bool,
}

impl AppPaths {
    /// `$CHROMA_CONNECT_HOME` when set and not empty; otherwise the OS conventions (on Linux
    /// `~/.config/chroma-connect` and `~/.local/share/chroma-connect`, on macOS
    /// `~/Library/Application Support/chroma-connect`, on Windows `%APPDATA%\chroma-connect`).
    pub fn from_env() -> Result<Self, PathsError> {
        match std::env::var_os(HOME_ENV) {
            Some(home) if !home.is_empty() => {
                let home = PathBuf::from(home);
                let home = if home.is_absolute() {
                    home
                } else {
                    std::env::current_dir().map_err(|_| PathsError::RelativeHome { path: home.clone() })?.join(home)
                };
                Ok(Self::in_dir(home))
            }
            _ => {
                let dirs = directories::ProjectDirs::from("", "", "chroma-connect").ok_or(PathsError::NoHome)?;
                Ok(Self {
                    config_dir: dirs.config_dir().to_path_buf(),
                    data_dir: dirs.data_local_dir().to_path_buf(),
                    from_env: false,
                })
            }
        }
    }

    /// Every file in `dir` (what [`HOME_ENV`] does).
    #[must_use]
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self { config_dir: dir.clone(), data_dir: dir, from_env: true }
    }

    /// The profile store.
    #[must_use]
    pub fn profiles_file(&self) -> PathBuf {
        self.config_dir.join("profiles.toml")
    }

    /// The lock taken while the profile store is changed.
    #[must_use]
    pub fn profiles_lock(&self) -> PathBuf {
        self.config_dir.join("profiles.lock")
    }

    /// The fallback secret store (mode 0600).
    #[must_use]
    pub fn secrets_file(&self) -> PathBuf {
        self.data_dir.join("secrets.toml")
    }

    /// The lock taken while the fallback secret store is changed.
    #[must_use]
    pub fn secrets_lock(&self) -> PathBuf {
        self.data_dir.join("secrets.lock")
    }

    /// The keychain service name the secrets of these profiles are saved under: `chroma-connect`, or
    /// `chroma-connect@FOLDER` with [`HOME_ENV`], so that two homes never share (or overwrite) each other's secrets.
    #[must_use]
    pub fn keychain_service(&self) -> String {
        if self.from_env {
            format!("chroma-connect@{}", self.config_dir.display())
        } else {
            "chroma-connect".to_owned()
        }
    }
}

/// Where the app's files would go cannot be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathsError {
    /// The OS gave no home folder.
    #[error("cannot find the home folder to keep profiles in; set {HOME_ENV} to a folder")]
    NoHome,
    /// A relative `CHROMA_CONNECT_HOME` without a current directory.
    #[error("{HOME_ENV} is relative and the current folder is unknown: {}", path.display())]
    RelativeHome {
        /// The value of the variable.
        path: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn one_folder_holds_everything() {
        let paths = AppPaths::in_dir("/x/y");
        assert_eq!(paths.profiles_file(), Path::new("/x/y/profiles.toml"));
        assert_eq!(paths.secrets_file(), Path::new("/x/y/secrets.toml"));
        assert_eq!(paths.keychain_service(), "chroma-connect@/x/y");
    }
}
