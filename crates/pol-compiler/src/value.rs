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
    pub fn from_date(d: Date) -> Day {
        NaiveDate::from_ymd_opt(d.year, d.month, d.day)
            .map(|n| Day(n.num_days_from_ce() - UNIX_EPOCH_CE))
            .unwrap_or(Day(0))
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
                let months = if unit == Unit::Years {
                    amount.checked_mul(12)?
                } else {
                    amount
                };
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
