//! Calendars: periods of a cadence, local days and times in an employee's timezone, and the
//! instants they fall on in UTC (daylight-saving gaps included).

use crate::values::Cadence;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use entity::employee;

/// An employee's timezone (UTC if the stored name is not one: every write checks it).
pub fn zone(e: &employee::Model) -> Tz {
    e.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// The period of `cadence` that contains `day`. Weeks start on Monday; fortnights are
/// counted from the week `anchor` (the cycle's first day) falls in; months are calendar months.
pub fn period_containing(
    cadence: Cadence,
    day: NaiveDate,
    anchor: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
    match cadence {
        Cadence::Weekly => {
            let start = monday(day);
            (start, start + Duration::days(6))
        }
        Cadence::Biweekly => {
            let (week, first) = (monday(day), monday(anchor));
            let weeks = (week - first).num_days().div_euclid(7);
            let start = if weeks.rem_euclid(2) == 1 {
                week - Duration::days(7)
            } else {
                week
            };
            (start, start + Duration::days(13))
        }
        Cadence::Monthly => {
            let start = day.with_day(1).unwrap_or(day);
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            };
            (start, next.map_or(start, |n| n - Duration::days(1)))
        }
    }
}

/// Local midnight at the start of `day` in `tz`, in UTC (the first valid instant when a
/// daylight-saving jump skips midnight).
pub fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut at = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&at)
}

/// The last Monday-to-Friday day of a period.
pub fn last_working_day(period_start: NaiveDate, period_end: NaiveDate) -> NaiveDate {
    let mut day = period_end;
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && day > period_start {
        day -= Duration::days(1);
    }
    day
}

/// The instant a period's reminder is due for someone in `tz`.
pub fn reminder_at(
    tz: Tz,
    period_start: NaiveDate,
    period_end: NaiveDate,
    local: NaiveTime,
) -> DateTime<Utc> {
    let day = last_working_day(period_start, period_end);
    let at = day.and_time(local);
    tz.from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // The local time does not exist that day (a daylight-saving jump): count from midnight.
        .unwrap_or_else(|| local_midnight(tz, day) + local.signed_duration_since(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        let anchor = d("2027-01-01");
        assert_eq!(
            period_containing(Cadence::Weekly, d("2027-03-03"), anchor),
            (d("2027-03-01"), d("2027-03-07"))
        );
        assert_eq!(
            period_containing(Cadence::Weekly, d("2027-03-07"), anchor),
            (d("2027-03-01"), d("2027-03-07"))
        );
    }

    #[test]
    fn fortnights_count_from_the_cycles_first_week() {
        // 2027-01-01 is a Friday: fortnights start on Mondays 2026-12-28, 2027-01-11, …
        let anchor = d("2027-01-01");
        assert_eq!(
            period_containing(Cadence::Biweekly, d("2027-01-05"), anchor),
            (d("2026-12-28"), d("2027-01-10"))
        );
        assert_eq!(
            period_containing(Cadence::Biweekly, d("2027-01-11"), anchor),
            (d("2027-01-11"), d("2027-01-24"))
        );
        assert_eq!(
            period_containing(Cadence::Biweekly, d("2027-01-24"), anchor),
            (d("2027-01-11"), d("2027-01-24"))
        );
    }

    #[test]
    fn months_are_calendar_months() {
        let anchor = d("2027-01-01");
        assert_eq!(
            period_containing(Cadence::Monthly, d("2027-02-14"), anchor),
            (d("2027-02-01"), d("2027-02-28"))
        );
        assert_eq!(
            period_containing(Cadence::Monthly, d("2027-12-31"), anchor),
            (d("2027-12-01"), d("2027-12-31"))
        );
    }

    #[test]
    fn a_skipped_local_midnight_moves_to_the_first_valid_instant() {
        // Santiago skips from 00:00 to 01:00 when summer time starts (first Sunday of September).
        let santiago: Tz = "America/Santiago".parse().unwrap_or(chrono_tz::UTC);
        let t = local_midnight(santiago, d("2027-09-05"));
        assert_eq!(t.with_timezone(&santiago).date_naive(), d("2027-09-05"));
    }

    #[test]
    fn the_last_working_day_of_a_week_is_friday() {
        assert_eq!(
            last_working_day(d("2027-03-01"), d("2027-03-07")),
            d("2027-03-05")
        );
        // A month ending on a Saturday.
        assert_eq!(
            last_working_day(d("2027-07-01"), d("2027-07-31")),
            d("2027-07-30")
        );
    }

    #[test]
    fn reminders_follow_local_time() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap_or(chrono_tz::UTC);
        let at = reminder_at(
            kolkata,
            d("2027-03-01"),
            d("2027-03-07"),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        );
        assert_eq!(at.to_rfc3339(), "2027-03-05T03:30:00+00:00");
    }
}
