//! RFC 3339 text for certificate times (UTC, whole seconds), without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

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
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

/// Parses the exact format written by [`rfc3339_from_unix`] back to seconds since the epoch.
#[cfg(test)]
pub(crate) fn unix_from_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 20
        || bytes.get(4) != Some(&b'-')
        || bytes.get(7) != Some(&b'-')
        || bytes.get(10) != Some(&b'T')
        || bytes.get(13) != Some(&b':')
        || bytes.get(16) != Some(&b':')
        || bytes.get(19) != Some(&b'Z')
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> { text.get(from..to)?.parse().ok() };
    let year = number(0, 4)?;
    let month = number(5, 7)?;
    let day = number(8, 10)?;
    let hour = number(11, 13)?;
    let minute = number(14, 16)?;
    let second = number(17, 19)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard Hinnant.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
#[cfg(test)]
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
