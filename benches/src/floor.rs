//! The floor: `advance_parole` (policies/advance_parole.pol) written by hand in Rust, over a
//! struct that serde fills from the case's JSON.
//!
//! It is what a programmer would write without `pol`: three-valued logic on `Option`s, the
//! rules in the policy's order, decisions and outputs as small integers and bit sets. It
//! does not settle open decisions exactly (a case Kleene logic leaves open is
//! `Incomplete`, without a `missing` list), so the benchmarks feed it complete cases, on
//! which it must agree with `pol` (`agrees_with_pol` checks, and the benchmarks assert it).
//! It accepts every field of the case contract and, like `pol`, rejects any other. Of
//! `pol` it uses only the contract's list of decisions (`DecisionKind`), a plain enum.

use pol_compiler::DecisionKind;
use serde::{Deserialize, Deserializer, Serialize};

/// A case as the contract (docs/cases.md) defines it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    #[serde(default)]
    pub id: Option<String>,
    pub as_of: Date,
    pub policy: String,
    #[serde(default)]
    pub applicant: Applicant,
    #[serde(default)]
    pub petitioner: Petitioner,
    #[serde(default)]
    pub reason: Option<Reason>,
    #[serde(default)]
    pub evidence_submitted: Option<bool>,
    #[serde(default)]
    pub other_path_available: Option<bool>,
    #[serde(default)]
    pub sponsor: Sponsor,
    #[serde(default)]
    pub application: Application,
    #[serde(default)]
    pub trip: Trip,
    #[serde(default)]
    pub parole: Parole,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub location: Option<Location>,
    pub nationality: Option<String>,
    pub age: Option<i64>,
    pub status: Option<Status>,
    pub pending: Option<Vec<Pending>>,
    pub in_removal_proceedings: Option<bool>,
    pub removal_order: Option<bool>,
    pub j1_foreign_residence_requirement: Option<bool>,
    pub private_bill_beneficiary: Option<bool>,
    pub unlawful_presence_days: Option<i64>,
    pub serious_criminal_record: Option<bool>,
    pub security_risk: Option<bool>,
    pub military_family: Option<bool>,
    pub spouse_of_us_citizen: Option<bool>,
    pub cuban_medical_professional: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Petitioner {
    pub status: Option<PetitionerStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sponsor {
    pub financial_support: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub filed_on: Option<Date>,
    pub fee_waiver_requested: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trip {
    pub depart: Option<Date>,
    #[serde(rename = "return")]
    pub return_: Option<Date>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parole {
    pub program: Option<ParoleProgram>,
    pub valid_until: Option<Date>,
    pub terminated: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    InsideUs,
    OutsideUs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    None,
    Tps,
    Daca,
    Asylee,
    Refugee,
    Parolee,
    Lpr,
    H1,
    H4,
    L1,
    L2,
    K3,
    K4,
    V,
    J1,
    TNonimmigrant,
    UNonimmigrant,
    OtherNonimmigrant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pending {
    AdjustmentOfStatus,
    Asylum,
    Tps,
    TVisa,
    UVisa,
    Refugee,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionerStatus {
    Citizen,
    Lpr,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    MedicalTreatment,
    VisitIllRelative,
    Funeral,
    FamilyEmergency,
    OrganDonation,
    PersecutionRisk,
    PublicBenefitWitness,
    Education,
    Employment,
    Tourism,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParoleProgram {
    Individual,
    Chnv,
    U4u,
    Cfrp,
    Cmpp,
    MilitaryPip,
    FamilyPip,
}

/// A calendar date as days since 1970-01-01, parsed from `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub i32);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <&str>::deserialize(d)?;
        parse_date(text)
            .map(Date)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date")))
    }
}

/// Days since 1970-01-01 of an ISO date (Howard Hinnant's `days_from_civil`).
pub fn parse_date(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        b.get(r)?
            .iter()
            .try_fold(0i32, |n, c| c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let max = *month_days.get(usize::try_from(m).ok()?.checked_sub(1)?)?;
    if d < 1 || d > max {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The outcome: decision, and rules, warnings and forms as bit sets over the policy's
/// declaration order (rule `i` is bit `i`; form 0 is I-131, form 1 is I-912).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub decision: DecisionKind,
    pub reasons: u16,
    pub warnings: u16,
    pub forms: u8,
    pub max_validity_days: Option<i64>,
}

/// The rule names, in the policy's order (bit `i` of [`Outcome::reasons`] and
/// [`Outcome::warnings`]).
pub const RULES: [&str; 13] = [
    "inside_us",
    "has_basis",
    "justified_reason",
    "evidence_submitted",
    "no_valid_status",
    "j1_foreign_residence",
    "private_bill",
    "removal_proceedings",
    "dual_intent_visa",
    "unlawful_presence_bar_3y",
    "unlawful_presence_bar_10y",
    "reentry_not_guaranteed",
    "trip_exceeds_validity",
];

type Tri = Option<bool>;

fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn not(a: Tri) -> Tri {
    a.map(|b| !b)
}

const ONE_YEAR: i64 = 365;

/// `advance_parole`, by hand.
pub fn advance_parole(c: &Case) -> Outcome {
    let a = &c.applicant;
    let status_is = |s: Status| a.status.map(|x| x == s);
    let pending = a.pending.as_ref().map(|p| p.iter().fold(0u8, |m, w| m | 1 << (*w as u8)));
    let any_pending = pending.map(|p| p != 0);
    let adjustment_pending = pending.map(|p| p & 1 << (Pending::AdjustmentOfStatus as u8) != 0);
    let inside = a.location.map(|l| l == Location::InsideUs);

    let has_basis = or(
        a.status.map(|s| {
            matches!(
                s,
                Status::Tps
                    | Status::Daca
                    | Status::Asylee
                    | Status::Refugee
                    | Status::Parolee
                    | Status::TNonimmigrant
                    | Status::UNonimmigrant
            )
        }),
        any_pending,
    );
    let dual_intent = and(
        a.status.map(|s| {
            matches!(
                s,
                Status::H1
                    | Status::H4
                    | Status::K3
                    | Status::K4
                    | Status::L1
                    | Status::L2
                    | Status::V
            )
        }),
        adjustment_pending,
    );
    // A reason and evidence are asked only of those who need the document.
    let justified =
        or(c.reason.map(|r| !matches!(r, Reason::PersecutionRisk | Reason::Tourism)), dual_intent);
    let evidence = or(c.evidence_submitted, dual_intent);
    let ineligible: [Tri; 8] = [
        not(inside),
        not(has_basis),
        not(justified),
        not(evidence),
        and(status_is(Status::None), not(any_pending)),
        a.j1_foreign_residence_requirement,
        a.private_bill_beneficiary,
        and(a.in_removal_proceedings, not(status_is(Status::Daca))),
    ];
    let days = a.unlawful_presence_days;
    let warns: [Tri; 4] = [
        and(days.map(|d| d > 180), days.map(|d| d < ONE_YEAR)),
        days.map(|d| d >= ONE_YEAR),
        inside,
        match (c.trip.return_, c.trip.depart) {
            (Some(r), Some(d)) => Some(i64::from(r.0) > i64::from(d.0) + ONE_YEAR),
            _ => None,
        },
    ];

    let level_ineligible = any(&ineligible);
    let (decision, reasons) = match (level_ineligible, dual_intent) {
        (Some(true), _) => (DecisionKind::Ineligible, bits(&ineligible, 0, Some(true))),
        (Some(false), Some(true)) => (DecisionKind::NotRequired, 1 << 8),
        (Some(false), Some(false)) => (DecisionKind::Eligible, 0),
        (None, _) => (
            DecisionKind::Incomplete,
            bits(&ineligible, 0, None) | if dual_intent.is_none() { 1 << 8 } else { 0 },
        ),
        (Some(false), None) => (DecisionKind::Incomplete, 1 << 8),
    };
    let warnings = bits(&warns, 9, Some(true));
    let (forms, max_validity_days) = match decision {
        DecisionKind::Eligible | DecisionKind::Ineligible | DecisionKind::Incomplete => {
            let waiver = c.application.fee_waiver_requested == Some(true);
            (1 | if waiver { 2 } else { 0 }, Some(ONE_YEAR))
        }
        _ => (0, None),
    };
    Outcome { decision, reasons, warnings, forms, max_validity_days }
}

/// Kleene disjunction of all.
fn any(ts: &[Tri]) -> Tri {
    let mut acc = Some(false);
    for t in ts {
        acc = or(acc, *t);
    }
    acc
}

/// Bit `offset + i` for each `ts[i]` that is `which`: `Some(true)` for the rules that
/// hold, `None` for the open ones.
fn bits(ts: &[Tri], offset: u16, which: Tri) -> u16 {
    ts.iter()
        .enumerate()
        .filter(|(_, t)| **t == which)
        .fold(0, |m, (i, _)| m | 1 << (offset + i as u16))
}

/// The names of the rules in the bit set `m` (of [`Outcome::reasons`] or
/// [`Outcome::warnings`]), in the policy's order.
fn rule_names(m: u16) -> impl Iterator<Item = &'static str> {
    RULES.iter().enumerate().filter(move |(i, _)| m & (1 << i) != 0).map(|(_, n)| *n)
}

/// The forms in the bit set [`Outcome::forms`].
fn form_names(forms: u8) -> impl Iterator<Item = &'static str> {
    ["I-131", "I-912"]
        .into_iter()
        .enumerate()
        .filter(move |(i, _)| forms & (1 << i) != 0)
        .map(|(_, f)| f)
}

/// The decision object, as the floor would print it: the same fields as `pol`'s, with the
/// citations and locations left out (a hand-written program has none to give).
#[derive(Serialize)]
pub struct Record<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub policy: &'a str,
    pub as_of: &'a str,
    pub decision: DecisionKind,
    pub reasons: Vec<&'static str>,
    pub warnings: Vec<&'static str>,
    pub forms: Vec<&'static str>,
    pub max_validity_days: Option<i64>,
    pub missing: [&'static str; 0],
}

/// Writes the decision for `c` as one JSON line.
pub fn write_record(
    c: &Case,
    as_of: &str,
    o: &Outcome,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    let record = Record {
        id: c.id.as_deref(),
        policy: &c.policy,
        as_of,
        decision: o.decision,
        reasons: rule_names(o.reasons).collect(),
        warnings: rule_names(o.warnings).collect(),
        forms: form_names(o.forms).collect(),
        max_validity_days: o.max_validity_days,
        missing: [],
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.push(b'\n');
    Ok(())
}

/// Checks that the floor and `pol` give the same decision, reasons, warnings, forms and
/// validity for one case line (decided by `pol` through its case decoder).
pub fn agrees_with_pol(c: &pol_compiler::Compiled, line: &str) -> Result<(), String> {
    let record = crate::decide_line(c, line)?;
    let case: Case = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let o = advance_parole(&case);
    let names = |m: u16| -> Vec<String> { rule_names(m).map(str::to_string).collect() };
    let reasons: Vec<String> = record
        .reasons
        .iter()
        .map(|r| r.rule.trim_start_matches("advance_parole.").to_string())
        .collect();
    let forms: Vec<&str> = form_names(o.forms).collect();
    let same = record.decision == o.decision
        && reasons == names(o.reasons)
        && record.warnings == names(o.warnings)
        && record.forms == forms
        && record.max_validity_days == o.max_validity_days;
    if same {
        Ok(())
    } else {
        Err(format!("the floor disagrees with pol on {line}:\n pol: {record:?}\n floor: {o:?}"))
    }
}
