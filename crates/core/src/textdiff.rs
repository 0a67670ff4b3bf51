//! Readable comparison of two versions of a draft: a line diff (Myers' O(ND) algorithm in
//! linear space, after trimming the common start and end), and a word diff for a changed line.
//!
//! Both are deterministic. Within each run of changes, removed lines come before added ones.
//! The work is bounded: after [`WORK_BUDGET`] steps the parts not yet compared are shown as
//! removed-then-added, which is still a correct diff (the old text is the `Same` and `Removed`
//! lines, the new text the `Same` and `Added` lines), only not the shortest.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// What happened to a line or word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Same,
    Added,
    Removed,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: Kind,
    pub text: String,
}

/// Line counts of a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffCounts {
    pub same: usize,
    pub added: usize,
    pub removed: usize,
}

/// Steps of the comparison (diagonal moves and probes) before the rest is done the cheap way.
pub const WORK_BUDGET: u64 = 20_000_000;

/// Compares two texts line by line. Lines are as [`str::lines`] splits them (`\n` or `\r\n`,
/// a final line ending optional), so the `Same` and `Added` lines are exactly `new.lines()`
/// and the `Same` and `Removed` lines exactly `old.lines()`.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    diff_seq(&a, &b).into_iter().map(|(kind, s)| DiffLine { kind, text: s.to_string() }).collect()
}

/// Compares two versions of one line word by word. Words, runs of spaces and single
/// punctuation marks are the units; adjacent pieces of the same kind are joined, and a space
/// between two changes is shown as part of the change. Concatenating the `Same` and `Removed`
/// pieces gives `old_line`, the `Same` and `Added` pieces `new_line`.
pub fn diff_words(old_line: &str, new_line: &str) -> Vec<(Kind, String)> {
    let a = words(old_line);
    let b = words(new_line);
    let mut pieces: Vec<(Kind, String)> = Vec::new();
    for (kind, w) in diff_seq(&a, &b) {
        match pieces.last_mut() {
            Some((k, s)) if *k == kind => s.push_str(w),
            _ => pieces.push((kind, w.to_string())),
        }
    }
    // A run of spaces between two changes reads better as part of them.
    let mut spread = Vec::with_capacity(pieces.len());
    for i in 0..pieces.len() {
        let (kind, s) = &pieces[i];
        let between_changes = i > 0 && i + 1 < pieces.len() && pieces[i - 1].0 != Kind::Same && pieces[i + 1].0 != Kind::Same;
        if *kind == Kind::Same && between_changes && s.chars().all(char::is_whitespace) {
            spread.push((Kind::Removed, s.clone()));
            spread.push((Kind::Added, s.clone()));
        } else {
            spread.push((*kind, s.clone()));
        }
    }
    let ordered = removed_first(spread);
    let mut out: Vec<(Kind, String)> = Vec::with_capacity(ordered.len());
    for (kind, s) in ordered {
        match out.last_mut() {
            Some((k, prev)) if *k == kind => prev.push_str(&s),
            _ => out.push((kind, s)),
        }
    }
    out
}

/// Counts the lines of a diff by kind.
pub fn counts(diff: &[DiffLine]) -> DiffCounts {
    let mut c = DiffCounts::default();
    for l in diff {
        match l.kind {
            Kind::Same => c.same += 1,
            Kind::Added => c.added += 1,
            Kind::Removed => c.removed += 1,
        }
    }
    c
}

/// A one-line summary: "No changes", "1 line added", "3 lines removed",
/// "12 lines added, 3 removed".
pub fn summary(diff: &[DiffLine]) -> String {
    let c = counts(diff);
    let lines = |n: usize| if n == 1 { "line" } else { "lines" };
    match (c.added, c.removed) {
        (0, 0) => "No changes".to_string(),
        (a, 0) => format!("{a} {} added", lines(a)),
        (0, r) => format!("{r} {} removed", lines(r)),
        (a, r) => format!("{a} {} added, {r} removed", lines(a)),
    }
}

/// Splits a line into words (letters, digits, `_`, `'`), runs of whitespace and single other characters.
fn words(s: &str) -> Vec<&str> {
    #[derive(PartialEq)]
    enum Class {
        Word,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' || c == '\'' {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<Class> = None;
    for (i, c) in s.char_indices() {
        let k = class(c);
        let split = match &prev {
            None => false,
            Some(p) => *p != k || k == Class::Other,
        };
        if split {
            out.push(&s[start..i]);
            start = i;
        }
        prev = Some(k);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Within each run of changes, removed items first (both sides' texts are unchanged by this).
fn removed_first<T>(items: Vec<(Kind, T)>) -> Vec<(Kind, T)> {
    let mut out = Vec::with_capacity(items.len());
    let mut added = Vec::new();
    for (kind, t) in items {
        match kind {
            Kind::Same => {
                out.append(&mut added);
                out.push((kind, t));
            }
            Kind::Removed => out.push((kind, t)),
            Kind::Added => added.push((kind, t)),
        }
    }
    out.append(&mut added);
    out
}

/// The diff of two sequences as (kind, item) pairs; `Same` items are taken from `b`.
fn diff_seq<'s, T: Eq + Hash + ?Sized>(a: &[&'s T], b: &[&'s T]) -> Vec<(Kind, &'s T)> {
    let mut ids: HashMap<&T, u32> = HashMap::new();
    let mut intern = |x: &'s T| -> u32 {
        let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        *ids.entry(x).or_insert(next)
    };
    let ia: Vec<u32> = a.iter().map(|x| intern(x)).collect();
    let ib: Vec<u32> = b.iter().map(|x| intern(x)).collect();
    let mut m = Myers { a: &ia, b: &ib, budget: WORK_BUDGET, ops: Vec::with_capacity(a.len().max(b.len())) };
    m.diff(0, ia.len(), 0, ib.len());
    let ops = m.ops;
    let items = ops
        .into_iter()
        .map(|op| match op {
            Op::Same(i, j) => {
                debug_assert!(a[i] == b[j]);
                (Kind::Same, b[j])
            }
            Op::Removed(i) => (Kind::Removed, a[i]),
            Op::Added(j) => (Kind::Added, b[j]),
        })
        .collect();
    removed_first(items)
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

struct Myers<'a> {
    a: &'a [u32],
    b: &'a [u32],
    budget: u64,
    ops: Vec<Op>,
}

impl Myers<'_> {
    fn spend(&mut self, n: u64) -> bool {
        self.budget = self.budget.saturating_sub(n);
        self.budget > 0
    }

    /// Diffs a[a0..a1] against b[b0..b1], appending to `ops` in order.
    fn diff(&mut self, mut a0: usize, mut a1: usize, mut b0: usize, mut b1: usize) {
        while a0 < a1 && b0 < b1 && self.a[a0] == self.b[b0] {
            self.ops.push(Op::Same(a0, b0));
            a0 += 1;
            b0 += 1;
        }
        let mut suffix = 0;
        while a1 > a0 && b1 > b0 && self.a[a1 - 1] == self.b[b1 - 1] {
            a1 -= 1;
            b1 -= 1;
            suffix += 1;
        }
        if a0 == a1 {
            self.ops.extend((b0..b1).map(Op::Added));
        } else if b0 == b1 {
            self.ops.extend((a0..a1).map(Op::Removed));
        } else {
            match self.middle_snake(a0, a1, b0, b1) {
                Some((x, y, u, v)) if !(x == a0 && y == b0 && u == a1 && v == b1) => {
                    self.diff(a0, x, b0, y);
                    self.ops.extend((0..u - x).map(|k| Op::Same(x + k, y + k)));
                    self.diff(u, a1, v, b1);
                }
                _ => {
                    self.ops.extend((a0..a1).map(Op::Removed));
                    self.ops.extend((b0..b1).map(Op::Added));
                }
            }
        }
        self.ops.extend((0..suffix).map(|k| Op::Same(a1 + k, b1 + k)));
    }

    /// The middle snake of a shortest edit script for a[a0..a1] / b[b0..b1], as absolute
    /// (x, y) start and (u, v) end; `None` when the budget runs out.
    fn middle_snake(&mut self, a0: usize, a1: usize, b0: usize, b1: usize) -> Option<(usize, usize, usize, usize)> {
        let (a, b) = (self.a, self.b);
        let n = (a1 - a0) as isize;
        let m = (b1 - b0) as isize;
        let delta = n - m;
        let odd = delta & 1 != 0;
        let max = (n + m + 1) / 2;
        let off = max + 1;
        let size = (2 * max + 3) as usize;
        let mut vf = vec![0isize; size];
        let mut vb = vec![0isize; size];
        let at = |k: isize| (off + k) as usize;
        for d in 0..=max {
            if !self.spend(d as u64 + 1) {
                return None;
            }
            let mut k = -d;
            while k <= d {
                let mut x = if k == -d || (k != d && vf[at(k - 1)] < vf[at(k + 1)]) { vf[at(k + 1)] } else { vf[at(k - 1)] + 1 };
                let mut y = x - k;
                let (x0, y0) = (x, y);
                while x < n && y < m && a[a0 + x as usize] == b[b0 + y as usize] {
                    x += 1;
                    y += 1;
                }
                if !self.spend((x - x0) as u64) {
                    return None;
                }
                vf[at(k)] = x;
                let kb = delta - k;
                if odd && kb > -d && kb < d && x + vb[at(kb)] >= n {
                    return Some((a0 + x0 as usize, b0 + y0 as usize, a0 + x as usize, b0 + y as usize));
                }
                k += 2;
            }
            if !self.spend(d as u64 + 1) {
                return None;
            }
            let mut k = -d;
            while k <= d {
                let mut x = if k == -d || (k != d && vb[at(k - 1)] < vb[at(k + 1)]) { vb[at(k + 1)] } else { vb[at(k - 1)] + 1 };
                let mut y = x - k;
                let (x0, y0) = (x, y);
                while x < n && y < m && a[a1 - 1 - x as usize] == b[b1 - 1 - y as usize] {
                    x += 1;
                    y += 1;
                }
                if !self.spend((x - x0) as u64) {
                    return None;
                }
                vb[at(k)] = x;
                let kf = delta - k;
                if !odd && kf >= -d && kf <= d && x + vf[at(kf)] >= n {
                    return Some((a0 + (n - x) as usize, b0 + (m - y) as usize, a0 + (n - x0) as usize, b0 + (m - y0) as usize));
                }
                k += 2;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn new_side(d: &[DiffLine]) -> Vec<&str> {
        d.iter().filter(|l| l.kind != Kind::Removed).map(|l| l.text.as_str()).collect()
    }
    fn old_side(d: &[DiffLine]) -> Vec<&str> {
        d.iter().filter(|l| l.kind != Kind::Added).map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn minimal_edit_on_the_classic_example() {
        let d = diff_lines("a\nb\nc\na\nb\nb\na", "c\nb\na\nb\na\nc");
        let c = counts(&d);
        assert_eq!(c.added + c.removed, 5, "{d:?}");
        assert_eq!(new_side(&d), ["c", "b", "a", "b", "a", "c"]);
        assert_eq!(old_side(&d), ["a", "b", "c", "a", "b", "b", "a"]);
    }

    #[test]
    fn changed_line_shows_removed_then_added() {
        let d = diff_lines("one\ntwo\nthree\n", "one\n2\nthree\n");
        let kinds: Vec<Kind> = d.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [Kind::Same, Kind::Removed, Kind::Added, Kind::Same]);
        assert_eq!(summary(&d), "1 line added, 1 removed");
    }

    #[test]
    fn summaries() {
        assert_eq!(summary(&diff_lines("a", "a")), "No changes");
        assert_eq!(summary(&diff_lines("", "a\nb")), "2 lines added");
        assert_eq!(summary(&diff_lines("a\nb\nc", "b")), "2 lines removed");
    }

    #[test]
    fn budget_exhaustion_still_gives_a_correct_diff() {
        let a: Vec<u32> = (0..3000).collect();
        let b: Vec<u32> = (0..3000).map(|x| if x % 2 == 0 { x } else { x + 100_000 }).collect();
        let mut m = Myers { a: &a, b: &b, budget: 1000, ops: Vec::new() };
        m.diff(0, a.len(), 0, b.len());
        let mut na = Vec::new();
        let mut nb = Vec::new();
        for op in m.ops {
            match op {
                Op::Same(i, j) => {
                    assert_eq!(a[i], b[j]);
                    na.push(a[i]);
                    nb.push(b[j]);
                }
                Op::Removed(i) => na.push(a[i]),
                Op::Added(j) => nb.push(b[j]),
            }
        }
        assert_eq!(na, a);
        assert_eq!(nb, b);
    }

    #[test]
    fn words_split_and_rejoin() {
        assert_eq!(words("The child's GP, Dr. X"), ["The", " ", "child's", " ", "GP", ",", " ", "Dr", ".", " ", "X"]);
        let d = diff_words("The cat sat on the mat.", "The dog sat on a mat!");
        assert_eq!(
            d,
            vec![
                (Kind::Same, "The ".to_string()),
                (Kind::Removed, "cat".to_string()),
                (Kind::Added, "dog".to_string()),
                (Kind::Same, " sat on ".to_string()),
                (Kind::Removed, "the".to_string()),
                (Kind::Added, "a".to_string()),
                (Kind::Same, " mat".to_string()),
                (Kind::Removed, ".".to_string()),
                (Kind::Added, "!".to_string()),
            ]
        );
    }
}
