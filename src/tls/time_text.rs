//! RFC 3339 text for certificate times (UTC, whole seconds), through the `time` crate that x509-parser already
//! uses (its `ASN1Time` converts seconds since the epoch into a calendar date and time).

use std::time::{SystemTime, UNIX_EPOCH};

use x509_parser::time::ASN1Time;

/// 0001-01-01T00:00:00Z.
const MIN_SECS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z.
const MAX_SECS: i64 = 253_402_300_799;

/// The current time of this machine's clock as RFC 3339 UTC text (`2026-11-26T19:00:00Z`), for
/// telling a person what the clock reads when a certificate looks expired or not yet valid.
#[must_use]
pub fn now_rfc3339() -> String {
    rfc3339_from_unix(unix_secs(SystemTime::now()))
}

/// Whole seconds since the Unix epoch (negative before it), saturating.
pub(crate) fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |secs| -secs),
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`, clamped to years 1–9999.
pub(crate) fn rfc3339_from_unix(secs: i64) -> String {
    let secs = secs.clamp(MIN_SECS, MAX_SECS);
    let Ok(time) = ASN1Time::from_timestamp(secs) else {
        // Within the clamp every second is a valid date; this is not reached.
        return format!("{secs} s after 1970-01-01T00:00:00Z");
    };
    let utc = time.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// Parses the exact format written by [`rfc3339_from_unix`] back to seconds since the epoch.
#[cfg(test)]
pub(crate) fn unix_from_rfc3339(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if text.len() != 20 || !text.ends_with('Z') || text.get(10..11) != Some("T") {
        return None;
    }
    time::OffsetDateTime::parse(text, &Rfc3339).ok().map(time::OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_795_719_600), "2026-11-26T19:00:00Z");
        assert_eq!(rfc3339_from_unix(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339_from_unix(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339_from_unix(i64::MIN), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn now_is_well_formed_and_recent() {
        let now = unix_from_rfc3339(&now_rfc3339()).unwrap_or_default();
        // After 2025-01-01.
        assert!(now > 1_735_689_600, "{now}");
    }

    #[test]
    fn parses_what_it_formats() {
        for secs in [0, 1, -1, 951_782_400, 1_795_719_600, MIN_SECS, MAX_SECS, 4_102_444_800] {
            assert_eq!(unix_from_rfc3339(&rfc3339_from_unix(secs)), Some(secs));
        }
        assert_eq!(unix_from_rfc3339("2026-11-26 19:00:00Z"), None);
        assert_eq!(unix_from_rfc3339("2026-13-26T19:00:00Z"), None);
        assert_eq!(unix_from_rfc3339(""), None);
    }
}
