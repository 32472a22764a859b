//! Durations as `.gitlab-ci.yml` writes them (`timeout: 1h 30m`, `expire_in: 2 days`): the
//! part of GitLab's ChronicDuration that CI configurations use.

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;
/// ChronicDuration's month: 30 days.
const MONTH: u64 = 30 * DAY;
/// ChronicDuration's year: 365 days.
const YEAR: u64 = 365 * DAY;

/// The seconds that `text` stands for, or `None` when it is not a duration.
///
/// A bare integer is seconds (`"3600"`). Otherwise the text is a sequence of `<number> <unit>`
/// terms, summed (`"1h 30m"`, `"10 minutes"`, `"2 days"`, `"1.5 hours"`, `"1 hour and 30
/// minutes"`); units are case-insensitive and the space before a unit is optional. Units:
/// s/sec/secs/second/seconds, m/min/mins/minute/minutes, h/hr/hrs/hour/hours, d/day/days,
/// w/wk/wks/week/weeks, mo/mos/month/months (30 days), y/yr/yrs/year/years (365 days).
/// Fractions are rounded down to whole seconds. `never` is not a duration.
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let mut rest = text.as_str();
    let mut total: u64 = 0;
    let mut terms = 0;
    loop {
        rest = skip_separators(rest);
        if rest.is_empty() {
            break;
        }
        let (number, after) = split_number(rest)?;
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let seconds_per_unit = unit_seconds(&after[..unit_len])?;
        total = total.checked_add(scale(number, seconds_per_unit)?)?;
        terms += 1;
        rest = &after[unit_len..];
    }
    (terms > 0).then_some(total)
}

/// Spaces, commas and the word `and` between terms.
fn skip_separators(mut text: &str) -> &str {
    loop {
        let trimmed = text.trim_start_matches([' ', '\t', ',']);
        match trimmed.strip_prefix("and") {
            Some(after) if after.starts_with([' ', '\t']) => text = after,
            _ => return trimmed,
        }
    }
}

/// A leading decimal number (`12`, `1.5`, `.5`) and the text after it.
fn split_number(text: &str) -> Option<(&str, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number = &text[..end];
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    let dots = number.bytes().filter(|b| *b == b'.').count();
    (digits > 0 && dots <= 1).then_some((number, &text[end..]))
}

/// `number × unit`, rounded down, computed exactly on integers.
fn scale(number: &str, unit: u64) -> Option<u64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut seconds = whole.checked_mul(unit)?;
    if !fraction.is_empty() {
        // Enough digits for whole seconds of the largest unit; the rest cannot matter.
        let fraction = &fraction[..fraction.len().min(12)];
        let numerator: u128 = fraction.parse().ok()?;
        let denominator = 10u128.pow(u32::try_from(fraction.len()).ok()?);
        let part = numerator * u128::from(unit) / denominator;
        seconds = seconds.checked_add(u64::try_from(part).ok()?)?;
    }
    Some(seconds)
}

fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "w" | "wk" | "wks" | "week" | "weeks" => WEEK,
        "mo" | "mos" | "month" | "months" => MONTH,
        "y" | "yr" | "yrs" | "year" | "years" => YEAR,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_table() {
        let table = [
            ("3600", Some(3600)),
            ("0", Some(0)),
            (" 42 ", Some(42)),
            ("30s", Some(30)),
            ("30 sec", Some(30)),
            ("1 second", Some(1)),
            ("45 seconds", Some(45)),
            ("10m", Some(600)),
            ("10 min", Some(600)),
            ("10 minutes", Some(600)),
            ("1 minute", Some(60)),
            ("1h", Some(3600)),
            ("2 hrs", Some(7200)),
            ("1 hour", Some(3600)),
            ("1h 30m", Some(5400)),
            ("1h30m", Some(5400)),
            ("1H 30M", Some(5400)),
            ("1 hour and 30 minutes", Some(5400)),
            ("1 hour, 30 minutes", Some(5400)),
            ("1.5 hours", Some(5400)),
            ("1.5h", Some(5400)),
            (".5 minutes", Some(30)),
            ("0.1 seconds", Some(0)),
            ("2 days", Some(172_800)),
            ("1d", Some(86_400)),
            ("1 week", Some(604_800)),
            ("2w", Some(1_209_600)),
            ("1 month", Some(2_592_000)),
            ("1 year", Some(31_536_000)),
            ("3 days 4 hours 5 minutes 6 seconds", Some(273_906)),
            ("never", None),
            ("", None),
            ("   ", None),
            ("h", None),
            ("10", Some(10)),
            ("10 parsecs", None),
            ("1.2.3 hours", None),
            ("1h foo", None),
            ("-1h", None),
            ("and", None),
            ("99999999999999999999999", None),
            ("99999999999999 years", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_duration(text), want, "{text:?}");
        }
    }
}
