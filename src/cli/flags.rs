//! How each setting is given on the command line: the core's hints name a setting, the CLI adds its flag.

use crate::profile::Setting;

/// The flag (or argument) of `check`, `collections` and `records` that sets `setting`.
pub(crate) fn flag_for(setting: Setting) -> &'static str {
    match setting {
        Setting::Url => "the URL argument",
        Setting::Verify => "--ca-file, or --insecure",
        Setting::CaFile => "--ca-file",
        Setting::CaMode => "--ca-mode",
        Setting::ClientCert => "--client-cert",
        Setting::ClientKey => "--client-key",
        Setting::ServerName => "--server-name",
        Setting::Auth => "--token-env, or --basic-user with --password-env",
        Setting::TokenHeader => "--auth-header",
        Setting::Token => "--token-env, or --token-stdin",
        Setting::BasicUser => "--basic-user",
        Setting::Password => "--password-env, or --password-stdin",
        Setting::Tenant => "--tenant",
        Setting::Database => "--database",
        Setting::ConnectTimeout => "--connect-timeout",
        Setting::RequestTimeout => "--timeout",
        Setting::PinnedSha256 => "--pin",
    }
}

/// How to change `setting` from the command line, for the `setting:` line after a hint: the flag, and for a
/// saved profile's pin, the command that pins the server's current certificate.
pub(crate) fn how_to_set(setting: Setting, profile: Option<&str>) -> String {
    match (setting, profile) {
        (Setting::PinnedSha256, Some(name)) => format!(
            "{}; to pin the server's current certificate: chroma-connect profiles edit {} --pin-current",
            flag_for(setting),
            super::profiles::shell_word(name)
        ),
        _ => flag_for(setting).to_owned(),
    }
}

/// `setting: CA file (--ca-file)`.
pub(crate) fn setting_line(setting: Setting, profile: Option<&str>) -> String {
    format!("setting: {} ({})", setting.label(), how_to_set(setting, profile))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_flag() {
        for setting in Setting::ALL {
            let flag = flag_for(setting);
            assert!(flag.starts_with("--") || setting == Setting::Url, "{setting:?}: {flag}");
        }
        assert_eq!(setting_line(Setting::CaFile, None), "setting: CA file (--ca-file)");
        assert_eq!(
            setting_line(Setting::PinnedSha256, Some("prod a")),
            "setting: Pinned certificate (--pin; to pin the server's current certificate: chroma-connect profiles \
             edit 'prod a' --pin-current)"
        );
    }

    #[test]
    fn flags_exist() {
        use clap::CommandFactory as _;
        let command = super::super::Cli::command();
        let check = command.find_subcommand("check").expect("check");
        let known: Vec<String> =
            check.get_arguments().filter_map(|arg| arg.get_long()).map(|l| format!("--{l}")).collect();
        for setting in Setting::ALL {
            for word in flag_for(setting).split([' ', ',']) {
                if word.starts_with("--") {
                    assert!(known.contains(&word.to_owned()), "{word} is not a flag of check");
                }
            }
        }
    }
}
