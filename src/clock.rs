//! Wall-clock times as MySQL writes them (`YYYY-MM-DD hh:mm:ss`), from
//! and to seconds since the Unix epoch, without a time-zone database: a
//! time in some zone is the UTC text of the seconds moved by its offset.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch by this machine's clock.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64
}

/// `secs` (since the epoch) as `YYYY-MM-DD hh:mm:ss` in UTC.
pub fn datetime_text(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The seconds since the epoch that [`datetime_text`] writes as `text`
/// (fractional seconds ignored); `None` for anything else.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r)?.parse().ok() };
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// A TIMESTAMP value as vdb keeps it, from what [`instant_read`] reads:
/// the instant as UTC text with the value's fractional digits. A
/// TIMESTAMP is an instant, shown in each session's time zone; kept so,
/// it reads back right in any. `None` for anything that is not seconds
/// (the zero timestamp, or text that is already an instant), which is
/// kept as it is.
pub fn instant_text(epoch: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(epoch).ok()?;
    let (secs, frac) = match text.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (text, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(secs) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let mut out = if secs == 0 {
        "0000-00-00 00:00:00".to_string()
    } else {
        datetime_text(secs)
    };
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out.into_bytes())
}

/// The select expression that reads TIMESTAMP `expr` for
/// [`instant_text`]: `UNIX_TIMESTAMP()` is the instant whatever the
/// session's time zone; it is NULL for the zero timestamp, which is read
/// as its text.
pub fn instant_read(expr: &str) -> String {
    format!("COALESCE(UNIX_TIMESTAMP({expr}), CAST({expr} AS CHAR))")
}

/// The seconds since the epoch, with the fractional digits as written,
/// of an instant [`instant_text`] wrote (for `FROM_UNIXTIME()`); `None`
/// for the zero timestamp and anything that is not an instant.
pub fn epoch_text(instant: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(instant).ok()?;
    let secs = parse_datetime(text).filter(|&s| s > 0)?;
    match text.get(19..) {
        None | Some("") => Some(secs.to_string()),
        Some(f) => {
            let digits = f.strip_prefix('.')?;
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("{secs}.{digits}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_written() {
        for secs in [0, 951_782_400, 1_795_478_400, 4_102_444_799, -86_400] {
            assert_eq!(parse_datetime(&datetime_text(secs)), Some(secs));
        }
        assert_eq!(datetime_text(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(
            parse_datetime("2026-11-24 00:31:02.5"),
            parse_datetime("2026-11-24 00:31:02")
        );
        assert_eq!(parse_datetime("2026-13-01 00:00:00"), None);
        assert_eq!(parse_datetime("NULL"), None);
    }

    #[test]
    fn timestamps_are_kept_as_instants_and_read_back_as_seconds() {
        let kept = instant_text(b"1767207600.250").unwrap();
        assert_eq!(kept, b"2025-12-31 19:00:00.250");
        assert_eq!(epoch_text(&kept).as_deref(), Some("1767207600.250"));
        assert_eq!(instant_text(b"1").unwrap(), b"1970-01-01 00:00:01");
        assert_eq!(epoch_text(b"1970-01-01 00:00:01").as_deref(), Some("1"));
        // The zero timestamp is no instant.
        assert_eq!(
            instant_text(b"0.000000").unwrap(),
            b"0000-00-00 00:00:00.000000"
        );
        assert_eq!(instant_text(b"0").unwrap(), b"0000-00-00 00:00:00");
        assert_eq!(epoch_text(b"0000-00-00 00:00:00"), None);
        // Text that is already an instant is not read as seconds.
        assert_eq!(instant_text(b"2025-12-31 19:00:00"), None);
        assert_eq!(instant_text(b"-5"), None);
        assert_eq!(epoch_text(b"2025-12-31 19:00:00.x"), None);
    }
}
