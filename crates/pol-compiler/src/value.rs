//! Runtime values and calendar arithmetic.
//!
//! Values are small and `Copy`: dates are day numbers, enum words small integers, sets bit
//! sets and strings interned symbols, so evaluating a case never allocates.

use chrono::{Datelike, Months, NaiveDate};
use pol_syntax::ast::Unit;
use pol_syntax::date::Date;

/// A calendar date as a day number (days since 1970-01-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(pub i32);

const UNIX_EPOCH_CE: i32 = 719_163;

impl Day {
    /// The first day a case can write: 0000-01-01 (a test holds it to [`Day::from_date`]).
    pub const FIRST: Day = Day(-719_528);
    /// The last day a case can write: 9999-12-31.
    pub const LAST: Day = Day(2_932_896);
}

impl Day {
    /// The day number of a calendar date. Total: every `Date` the parser accepts (years
    /// 0000 to 9999, days that exist in their month) has one, computed directly (Howard
    /// Hinnant's `days_from_civil`) rather than through a fallible conversion.
    pub fn from_date(d: Date) -> Day {
        let (m, dd) = (i64::from(d.month), i64::from(d.day));
        let y = i64::from(d.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + dd - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        // INVARIANT: dates come from the parser, with four-digit years, so the day number
        // fits an i32 (it would for any year within ±5.8 million).
        debug_assert!(i32::try_from(days).is_ok(), "{d:?} is off the calendar");
        Day(i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }))
    }

    /// The day, in UTC, of a time given in seconds since 1970-01-01 (the compiler reads no
    /// clock: its callers do).
    pub fn from_unix_seconds(seconds: u64) -> Day {
        Day(i32::try_from(seconds / 86_400).unwrap_or(i32::MAX))
    }

    pub fn to_naive(self) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(self.0.checked_add(UNIX_EPOCH_CE)?)
    }

    /// Adds a duration. Months and years are calendar steps; a day that does not exist in
    /// the target month is clamped to that month's last day (2024-01-31 + 1 month =
    /// 2024-02-29), the rule documented in docs/language.md.
    pub fn add(self, amount: i64, unit: Unit) -> Option<Day> {
        match unit {
            Unit::Days => {
                let n = i32::try_from(amount).ok()?;
                self.0.checked_add(n).map(Day)
            }
            Unit::Months | Unit::Years => {
                let months = if unit == Unit::Years { amount.checked_mul(12)? } else { amount };
                let date = self.to_naive()?;
                let m = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
                let shifted = if months >= 0 {
                    date.checked_add_months(m)?
                } else {
                    date.checked_sub_months(m)?
                };
                Some(Day(shifted.num_days_from_ce() - UNIX_EPOCH_CE))
            }
        }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_naive() {
            Some(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            None => write!(f, "day {}", self.0),
        }
    }
}

/// An interned string: an index into the policy set's string table, or past its end into
/// the case's own strings (a value no policy mentions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(pub u32);

/// A known value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Date(Day),
    Duration(i64, Unit),
    Str(Symbol),
    /// An enum word, by its index in the enum's declaration.
    Word(u16),
    /// A set of enum words, bit `i` for word `i`.
    Words(u64),
}

impl Value {
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A number that orders values of one type (days, integers, durations of one unit).
    pub fn ordinal(self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i),
            Value::Date(d) => Some(i64::from(d.0)),
            Value::Duration(n, _) => Some(n),
            _ => None,
        }
    }
}

/// A three-valued (Kleene) value: known, or unknown because a fact is absent.
pub type Tri = Option<Value>;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_first_and_last_days_are_those_of_the_calendar() {
        assert_eq!(Day::FIRST, Day::from_date(Date::new(0, 1, 1).unwrap()));
        assert_eq!(Day::LAST, Day::from_date(Date::new(9999, 12, 31).unwrap()));
    }

    /// The direct computation agrees with chrono's calendar on every day of years 0 to 9999
    /// sampled, leap days and month ends included.
    #[test]
    fn day_numbers_agree_with_the_calendar() {
        for year in (0..=9999).step_by(7).chain([1900, 2000, 2024, 2100, 9999]) {
            for month in 1..=12 {
                for day in [1, 15, 28, 29, 30, 31] {
                    let Ok(date) = Date::new(year, month, day) else {
                        continue;
                    };
                    let naive = NaiveDate::from_ymd_opt(year, month, day).unwrap();
                    let expected = naive.num_days_from_ce() - UNIX_EPOCH_CE;
                    assert_eq!(Day::from_date(date), Day(expected), "{date:?}");
                    assert_eq!(Day::from_date(date).to_naive(), Some(naive));
                }
            }
        }
    }
}
