//! Satisfiability of a conjunction of formulas, by backtracking search.
//!
//! The search keeps a *cube*: one domain per variable, the values still possible. It
//! absorbs conjunctions (a conjunction of atoms intersects domains), drops the
//! alternatives of each disjunction that the cube already rules out, absorbs a disjunction
//! left with one alternative, and branches on the rest. A domain that becomes empty ends a
//! branch. Policy conditions are a few comparisons per rule, so questions are small; a
//! budget of steps bounds the rest, and a question over budget is answered
//! [`Sat::Unknown`], on which no lint fires.

use super::domain::Dom;
use super::formula::{Formula, VarId};

/// The answer of the solver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sat {
    Yes,
    No,
    /// Too large to settle within the budget.
    Unknown,
}

/// One conjunct: a formula, taken as it is (`true`) or negated (`false`).
pub type Part<'f> = (&'f Formula, bool);

/// At most this many steps (goals taken up, alternatives looked at) for one question.
const MAX_STEPS: usize = 200_000;

/// The steps left for all the questions of one lint run: past it every answer is
/// [`Sat::Unknown`], so even a policy built to be slow to lint is linted in bounded time.
#[derive(Clone, Debug)]
pub struct Budget {
    left: usize,
}

impl Budget {
    pub fn new(steps: usize) -> Budget {
        Budget { left: steps }
    }

    /// The steps not spent yet.
    pub fn left(&self) -> usize {
        self.left
    }
}

/// The values still possible, one sorted entry per constrained variable.
type Cube = Vec<(VarId, Dom)>;

/// Something the search must still make true.
#[derive(Clone)]
enum Goal<'f> {
    One(Part<'f>),
    /// At least one of these.
    Any(Vec<Part<'f>>),
}

/// Whether some assignment of the variables makes every part true.
pub fn satisfiable(parts: &[Part], budget: &mut Budget) -> Sat {
    let limit = budget.left.min(MAX_STEPS);
    let mut steps = 0usize;
    let answer = search(parts, limit, &mut steps);
    budget.left = budget.left.saturating_sub(steps);
    answer
}

fn search(parts: &[Part], limit: usize, steps: &mut usize) -> Sat {
    // Depth-first over branches: each state is a cube and the goals it must still meet.
    let start: Vec<Goal> = parts.iter().map(|p| Goal::One(*p)).collect();
    let mut stack: Vec<(Cube, Vec<Goal>)> = vec![(Vec::new(), start)];
    while let Some((mut cube, goals)) = stack.pop() {
        match absorb(&mut cube, goals, limit, steps) {
            Absorbed::Conflict => {}
            Absorbed::OverBudget => return Sat::Unknown,
            Absorbed::Model => return Sat::Yes,
            Absorbed::Branch(alternatives, rest) => {
                for alt in alternatives.into_iter().rev() {
                    let mut goals = rest.clone();
                    goals.push(Goal::One(alt));
                    stack.push((cube.clone(), goals));
                }
            }
        }
    }
    Sat::No
}

/// A smallest (by deletion, not necessarily minimum) subset of `items` that together with
/// `fixed` is still unsatisfiable, as indices into `items`. The caller has found
/// `fixed ∧ items` unsatisfiable; an item whose removal cannot be settled is kept.
pub fn core(fixed: &[Part], items: &[Part], budget: &mut Budget) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..items.len()).collect();
    for i in 0..items.len() {
        let trial: Vec<usize> = keep.iter().copied().filter(|&k| k != i).collect();
        let parts: Vec<Part> = fixed
            .iter()
            .copied()
            .chain(trial.iter().filter_map(|&k| items.get(k).copied()))
            .collect();
        if satisfiable(&parts, budget) == Sat::No {
            keep = trial;
        }
    }
    keep
}

enum Absorbed<'f> {
    Conflict,
    OverBudget,
    /// Every goal is met by the cube.
    Model,
    /// The alternatives of one disjunction to try, and the other goals.
    Branch(Vec<Part<'f>>, Vec<Goal<'f>>),
}

/// Meets every goal that needs no choice, then picks the disjunction to branch on.
fn absorb<'f>(
    cube: &mut Cube,
    mut goals: Vec<Goal<'f>>,
    limit: usize,
    steps: &mut usize,
) -> Absorbed<'f> {
    loop {
        let mut choices: Vec<Vec<Part<'f>>> = Vec::new();
        while let Some(goal) = goals.pop() {
            *steps += 1;
            if *steps > limit {
                return Absorbed::OverBudget;
            }
            let (f, positive) = match goal {
                Goal::Any(alternatives) => {
                    choices.push(alternatives);
                    continue;
                }
                Goal::One(part) => part,
            };
            match f {
                Formula::Const(b) => {
                    if *b != positive {
                        return Absorbed::Conflict;
                    }
                }
                Formula::Atom(v, d) => {
                    let d = if positive { d.clone() } else { d.complement() };
                    if !restrict(cube, *v, d) {
                        return Absorbed::Conflict;
                    }
                }
                Formula::Not(x) => goals.push(Goal::One((x, !positive))),
                Formula::And(xs) if positive => {
                    goals.extend(xs.iter().map(|x| Goal::One((x, positive))))
                }
                Formula::Or(xs) if !positive => {
                    goals.extend(xs.iter().map(|x| Goal::One((x, positive))))
                }
                Formula::And(xs) | Formula::Or(xs) => {
                    choices.push(xs.iter().map(|x| (x, positive)).collect());
                }
            }
        }
        // Drop the alternatives the cube rules out; a choice left with one is no choice.
        let mut open = Vec::with_capacity(choices.len());
        for mut alternatives in choices {
            *steps += alternatives.len();
            alternatives.retain(|alt| !ruled_out(cube, *alt));
            match alternatives.as_slice() {
                [] => return Absorbed::Conflict,
                [only] => goals.push(Goal::One(*only)),
                _ => open.push(alternatives),
            }
        }
        if !goals.is_empty() {
            goals.extend(open.into_iter().map(Goal::Any));
            continue;
        }
        // Branch on the choice with the fewest alternatives.
        let Some(pick) = (0..open.len()).min_by_key(|&i| open.get(i).map_or(usize::MAX, Vec::len))
        else {
            return Absorbed::Model;
        };
        let chosen = open.swap_remove(pick);
        return Absorbed::Branch(chosen, open.into_iter().map(Goal::Any).collect());
    }
}

/// Narrows the domain of `v` to `d`; false if nothing is left.
fn restrict(cube: &mut Cube, v: VarId, d: Dom) -> bool {
    match cube.binary_search_by_key(&v, |(w, _)| *w) {
        Ok(i) => {
            let Some((_, old)) = cube.get_mut(i) else {
                return false;
            };
            // Different shapes never meet on one variable; keeping the old domain would
            // only forget a constraint, which is safe.
            if let Some(new) = old.intersect(&d) {
                *old = new;
            }
            !old.is_empty()
        }
        Err(i) => {
            if d.is_empty() {
                return false;
            }
            cube.insert(i, (v, d));
            true
        }
    }
}

/// Whether the cube already makes `part` false (looking only at atoms and constants).
fn ruled_out(cube: &Cube, (f, positive): Part) -> bool {
    match f {
        Formula::Const(b) => *b != positive,
        Formula::Atom(v, d) => {
            let d = if positive { d.clone() } else { d.complement() };
            match cube.binary_search_by_key(v, |(w, _)| *w) {
                Ok(i) => {
                    cube.get(i).and_then(|(_, old)| old.intersect(&d)).is_some_and(|x| x.is_empty())
                }
                Err(_) => d.is_empty(),
            }
        }
        Formula::Not(x) => ruled_out(cube, (x, !positive)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pol_syntax::ast::CompareOp::*;

    fn atom(v: u32, d: Dom) -> Formula {
        Formula::Atom(VarId(v), d)
    }

    /// Whether `parts` hold together, with as many steps as the search ever takes.
    fn sat(parts: &[Part]) -> Sat {
        satisfiable(parts, &mut Budget::new(usize::MAX))
    }

    #[test]
    fn contradictions_and_tautologies() {
        let adult = atom(0, Dom::compare(Ge, 18));
        let child = atom(0, Dom::compare(Lt, 16));
        let both = Formula::And(vec![adult.clone(), child.clone()]);
        assert_eq!(sat(&[(&both, true)]), Sat::No);
        assert_eq!(sat(&[(&adult, true)]), Sat::Yes);
        // `age >= 18 or age < 20` is always true: its negation has no model.
        let cover = Formula::Or(vec![adult.clone(), atom(0, Dom::compare(Lt, 20))]);
        assert_eq!(sat(&[(&cover, false)]), Sat::No);
        // Different variables do not interfere.
        let other = atom(1, Dom::compare(Lt, 16));
        assert_eq!(sat(&[(&adult, true), (&other, true)]), Sat::Yes);
        let x = atom(2, Dom::boolean(true));
        let excluded_middle = Formula::Or(vec![x.clone(), x.negate()]);
        assert_eq!(sat(&[(&excluded_middle, false)]), Sat::No);
    }

    #[test]
    fn a_spent_budget_answers_unknown() {
        let a = atom(0, Dom::compare(Ge, 18));
        let mut budget = Budget::new(3);
        assert_eq!(satisfiable(&[(&a, true)], &mut budget), Sat::Yes);
        assert_eq!(budget.left(), 2);
        budget = Budget::new(0);
        assert_eq!(satisfiable(&[(&a, true)], &mut budget), Sat::Unknown);
    }

    #[test]
    fn core_finds_the_conflicting_pair() {
        let a = atom(0, Dom::compare(Ge, 18));
        let b = atom(1, Dom::boolean(true));
        let c = atom(0, Dom::compare(Lt, 16));
        let items = [(&a, true), (&b, true), (&c, true)];
        assert_eq!(core(&[], &items, &mut Budget::new(usize::MAX)), vec![0, 2]);
    }

    #[test]
    fn independent_choices_are_cheap() {
        // (x0 or y0) and (x1 or y1) and ...: 2^40 cubes, but the first branch is a model.
        let clauses: Vec<Formula> = (0..40)
            .map(|i| {
                Formula::Or(vec![
                    atom(2 * i, Dom::boolean(true)),
                    atom(2 * i + 1, Dom::boolean(true)),
                ])
            })
            .collect();
        let f = Formula::And(clauses);
        assert_eq!(sat(&[(&f, true)]), Sat::Yes);
    }

    #[test]
    fn conflicts_are_found_by_propagation() {
        let mut parts: Vec<Formula> = (0..30).map(|i| atom(i, Dom::boolean(true))).collect();
        parts.push(Formula::Or((0..30).map(|i| atom(i, Dom::boolean(false))).collect()));
        let f = Formula::And(parts);
        assert_eq!(sat(&[(&f, true)]), Sat::No);
    }

    #[test]
    fn the_budget_bounds_the_search() {
        // Ten pigeons in nine holes: unsatisfiable, and exponential for this search.
        let holes = 9;
        let at = |pigeon: u32, hole: u32| atom(pigeon, Dom::words(1 << hole, holes as usize));
        let mut clauses = Vec::new();
        for hole in 0..holes {
            for a in 0..=holes {
                for b in a + 1..=holes {
                    clauses.push(Formula::Or(vec![at(a, hole).negate(), at(b, hole).negate()]));
                }
            }
        }
        let f = Formula::And(clauses);
        assert_eq!(sat(&[(&f, true)]), Sat::Unknown);
    }
}
