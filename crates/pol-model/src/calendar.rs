//! Calendar arithmetic on day numbers, written from the rules of the proleptic Gregorian
//! calendar (a leap year is divisible by 4, except centuries not divisible by 400), not
//! taken from the engine.
//!
//! A date is a day number: days since 1970-01-01, as in [`Day`]. Adding days is exact.
//! Adding months or years moves the month and keeps the day of the month, clamped to the
//! target month's last day (2024-01-31 + 1 month = 2024-02-29).

use pol_compiler::value::Day;
use pol_syntax::ast::Unit;

/// The first and last years on which month arithmetic is defined: the range of the calendar
/// library that reads case files (`chrono::NaiveDate`, years -262143 to 262142). Outside
/// it a date is still a day number, but has no month to step from: the result is unknown.
/// No case file can hold such a date; only arithmetic on extreme literals reaches it.
pub const FIRST_YEAR: i64 = -262_143;
pub const LAST_YEAR: i64 = 262_142;

/// Days from 1970-01-01 to the civil date `year-month-day` (month 1..=12, day 1..=31).
///
/// Counts in eras of 400 years (146,097 days), with years starting on March 1 so that the
/// leap day is the last day of its year.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let march_based_month = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * march_based_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The civil date (year, month, day) of a day number; the inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    let month = if march_based_month < 10 { march_based_month + 3 } else { march_based_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both fit: month is 1..=12 and day 1..=31 by construction.
    (year, month as u32, day as u32)
}

pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `day + amount unit`, or `None` when the result leaves the dates a [`Day`] can hold (or,
/// for months and years, the calendar's range).
pub fn add(day: Day, amount: i64, unit: Unit) -> Option<Day> {
    match unit {
        Unit::Days => {
            let days = i64::from(day.0).checked_add(amount)?;
            i32::try_from(days).ok().map(Day)
        }
        Unit::Months => add_months(day, amount),
        Unit::Years => add_months(day, amount.checked_mul(12)?),
    }
}

fn add_months(day: Day, months: i64) -> Option<Day> {
    let (year, month, dom) = civil_from_days(i64::from(day.0));
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    // Months counted from year 0, January.
    let index = (year * 12 + i64::from(month) - 1).checked_add(months)?;
    let (new_year, new_month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&new_year) {
        return None;
    }
    let new_day = dom.min(days_in_month(new_year, new_month));
    i32::try_from(days_from_civil(new_year, new_month, new_day)).ok().map(Day)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn day(y: i64, m: u32, d: u32) -> Day {
        Day(days_from_civil(y, m, d) as i32)
    }

    #[test]
    fn known_day_numbers() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn day_numbers_round_trip_across_four_centuries() {
        let (mut y, mut m, mut d) = (1899, 1, 1);
        for n in days_from_civil(1899, 1, 1)..days_from_civil(2301, 1, 1) {
            assert_eq!(civil_from_days(n), (y, m, d), "day {n}");
            assert_eq!(days_from_civil(y, m, d), n);
            d += 1;
            if d > days_in_month(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    #[test]
    fn months_clamp_to_the_last_day_of_the_month() {
        // (date, amount, unit, the date that far from it)
        let cases = [
            ((2024, 1, 31), 1, Unit::Months, (2024, 2, 29)),
            ((2023, 1, 31), 1, Unit::Months, (2023, 2, 28)),
            ((2024, 2, 29), 1, Unit::Years, (2025, 2, 28)),
            ((2024, 3, 31), -1, Unit::Months, (2024, 2, 29)),
            ((2024, 12, 15), 1, Unit::Months, (2025, 1, 15)),
            ((2024, 1, 15), -13, Unit::Months, (2022, 12, 15)),
            ((2024, 1, 1), 365, Unit::Days, (2024, 12, 31)),
        ];
        for ((y, m, d), n, unit, (ty, tm, td)) in cases {
            assert_eq!(
                add(day(y, m, d), n, unit),
                Some(day(ty, tm, td)),
                "{y}-{m}-{d} + {n} {unit:?}"
            );
        }
    }

    #[test]
    fn arithmetic_off_the_calendar_is_unknown() {
        assert_eq!(add(Day(i32::MAX), 1, Unit::Days), None);
        assert_eq!(add(Day(0), i64::MAX, Unit::Days), None);
        assert_eq!(add(Day(0), i64::MAX, Unit::Years), None);
        assert_eq!(add(Day(0), i64::MIN, Unit::Months), None);
        assert_eq!(add(Day(i32::MIN), 1, Unit::Months), None);
        assert_eq!(add(day(LAST_YEAR, 12, 1), 1, Unit::Months), None);
        assert!(add(day(LAST_YEAR, 11, 30), 1, Unit::Months).is_some());
    }

    /// The calendar's range is the one case files can be read into.
    #[test]
    fn the_range_is_chronos() {
        use chrono::Datelike;
        assert_eq!(i64::from(chrono::NaiveDate::MIN.year()), FIRST_YEAR);
        assert_eq!(i64::from(chrono::NaiveDate::MAX.year()), LAST_YEAR);
        assert_eq!((chrono::NaiveDate::MIN.month(), chrono::NaiveDate::MIN.day()), (1, 1));
        assert_eq!((chrono::NaiveDate::MAX.month(), chrono::NaiveDate::MAX.day()), (12, 31));
    }
}
