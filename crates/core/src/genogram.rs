//! The genogram of a child's family (issue 5 item 6): the family and household data
//! ([`Family`]: people and their relationships), its checks ([`Family::validate`]), a pure
//! layout ([`layout`]: generations as rows, partners adjacent, children under their parents in
//! birth order) and its drawing in the standard notation as standalone SVG ([`svg`]).
//!
//! Notation: squares for males, circles for females, diamonds when the sex is not known; a
//! cross through a deceased person's symbol; the subject child with a double outline, bold label
//! and an arrow. Partner lines join partners (married solid, cohabiting dashed, separated one
//! slash, divorced two slashes, dating dotted; two parents of a child with no recorded
//! relationship a thin grey line). Children hang from a sibship line below their parents
//! (biological solid, foster dashed, adoptive dotted, step dash-dot). A dashed rounded boundary
//! surrounds the household. Labels give the name (as the caller chose it, so anonymity is the
//! caller's decision) and the age, or "d." when deceased. Time is passed in, never read.
//!
//! Readability is a property of the layout: any two symbols' centres are at least
//! [`SYMBOL_SIZE`] + [`MIN_MARGIN`] apart, and neighbours on a row are further apart when their
//! labels need it.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

/// Side of a square, diameter of a circle, diagonal box of a diamond.
pub const SYMBOL_SIZE: f64 = 40.0;
/// Least free space between two symbols (centres are at least `SYMBOL_SIZE + MIN_MARGIN` apart).
pub const MIN_MARGIN: f64 = 30.0;
/// Vertical distance between generations.
pub const ROW_HEIGHT: f64 = 170.0;

const HALF: f64 = SYMBOL_SIZE / 2.0;
const PARTNER_SPACING: f64 = 110.0;
const LABEL_GAP: f64 = 20.0;
const SUBJECT_EXTRA: f64 = 24.0;
const PAGE_MARGIN: f64 = 24.0;
const TOP: f64 = 50.0;
const CHAR_W: f64 = 6.6;
const LINE_H: f64 = 13.0;
const WRAP: usize = 18;

/// Sex as drawn: square, circle, or diamond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    #[default]
    Unknown,
}

/// One person of the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    /// The label drawn ("Mother", "Child J"): the caller decides anonymity.
    pub name: String,
    #[serde(default)]
    pub sex: Sex,
    #[serde(default)]
    pub born: Option<NaiveDate>,
    /// Age in years when the date of birth is not known.
    #[serde(default)]
    pub age: Option<u32>,
    #[serde(default)]
    pub deceased: bool,
    #[serde(default)]
    pub in_household: bool,
    #[serde(default)]
    pub subject: bool,
}

impl Person {
    /// A person with nothing else known.
    pub fn new(id: &str, name: &str, sex: Sex) -> Self {
        Person {
            id: id.to_string(),
            name: name.to_string(),
            sex,
            born: None,
            age: None,
            deceased: false,
            in_household: false,
            subject: false,
        }
    }
    pub fn born(mut self, d: NaiveDate) -> Self {
        self.born = Some(d);
        self
    }
    pub fn aged(mut self, years: u32) -> Self {
        self.age = Some(years);
        self
    }
    pub fn deceased(mut self) -> Self {
        self.deceased = true;
        self
    }
    pub fn household(mut self) -> Self {
        self.in_household = true;
        self
    }
    pub fn subject(mut self) -> Self {
        self.subject = true;
        self
    }
    fn who(&self) -> String {
        format!("{} ({})", self.name, self.id)
    }
}

/// State of a partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerStatus {
    Married,
    Cohabiting,
    Separated,
    Divorced,
    Dating,
}

/// Kind of a relationship between `a` and `b`. The parent kinds read "a is parent of b".
/// Siblings are not recorded: they are implied by shared parents (half siblings share one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelKind {
    /// Biological parent.
    Parent,
    AdoptiveParent,
    FosterParent,
    StepParent,
    Partner {
        status: PartnerStatus,
    },
}

impl RelKind {
    fn word(self) -> &'static str {
        match self {
            RelKind::Parent => "parent",
            RelKind::AdoptiveParent => "adoptive parent",
            RelKind::FosterParent => "foster parent",
            RelKind::StepParent => "step parent",
            RelKind::Partner { .. } => "partner",
        }
    }
    fn parent_kind(self) -> Option<ParentKind> {
        match self {
            RelKind::Parent => Some(ParentKind::Biological),
            RelKind::AdoptiveParent => Some(ParentKind::Adoptive),
            RelKind::FosterParent => Some(ParentKind::Foster),
            RelKind::StepParent => Some(ParentKind::Step),
            RelKind::Partner { .. } => None,
        }
    }
}

/// A relationship between two people, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    pub kind: RelKind,
    pub a: String,
    pub b: String,
}

impl Relationship {
    pub fn new(kind: RelKind, a: &str, b: &str) -> Self {
        Relationship { kind, a: a.to_string(), b: b.to_string() }
    }
    /// `parent` is the biological parent of `child`.
    pub fn parent(parent: &str, child: &str) -> Self {
        Self::new(RelKind::Parent, parent, child)
    }
    pub fn partner(a: &str, b: &str, status: PartnerStatus) -> Self {
        Self::new(RelKind::Partner { status }, a, b)
    }
}

/// The family and household.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Family {
    pub people: Vec<Person>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
}

impl Family {
    /// Checks ids, relationships and parenthood. Every message names the person concerned
    /// ("Name (id): ..."), or the unknown id.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let mut idx: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, p) in self.people.iter().enumerate() {
            if p.id.trim().is_empty() {
                errors.push(format!("{} (person {}): has no id", p.name, i + 1));
            } else if idx.insert(p.id.as_str(), i).is_some() {
                errors.push(format!("{}: the id '{}' is used for more than one person", p.who(), p.id));
            }
        }
        let n = self.people.len();
        let mut bio: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut children: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for (k, r) in self.relationships.iter().enumerate() {
            let a = idx.get(r.a.as_str()).copied();
            let b = idx.get(r.b.as_str()).copied();
            for (id, found) in [(&r.a, a), (&r.b, b)] {
                if found.is_none() {
                    errors.push(format!("relationship {} ({}): unknown person '{}'", k + 1, r.kind.word(), id));
                }
            }
            let (Some(a), Some(b)) = (a, b) else { continue };
            if a == b {
                errors.push(format!("{}: is recorded as their own {}", self.people[a].who(), r.kind.word()));
                continue;
            }
            if let Some(kind) = r.kind.parent_kind() {
                children[a].insert(b);
                if kind == ParentKind::Biological && !bio[b].contains(&a) {
                    bio[b].push(a);
                }
            }
        }
        for (c, ps) in bio.iter().enumerate() {
            if ps.len() > 2 {
                let names: Vec<String> = ps.iter().map(|&p| self.people[p].who()).collect();
                errors.push(format!("{}: has {} biological parents ({})", self.people[c].who(), ps.len(), names.join(", ")));
            }
        }
        for p in 0..n {
            if reaches(&children, p, p) {
                errors.push(format!("{}: is recorded as their own ancestor (a cycle of parenthood)", self.people[p].who()));
            }
        }
        let subjects: Vec<&Person> = self.people.iter().filter(|p| p.subject).collect();
        if let Some((first, rest)) = subjects.split_first() {
            for p in rest {
                errors.push(format!("{}: is marked as the subject child, but so is {}", p.who(), first.who()));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Whether `to` is reachable from `from` by one or more edges.
fn reaches(adj: &[BTreeSet<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; adj.len()];
    let mut stack: Vec<usize> = adj[from].iter().copied().collect();
    while let Some(v) = stack.pop() {
        if v == to {
            return true;
        }
        if !std::mem::replace(&mut seen[v], true) {
            stack.extend(adj[v].iter().copied());
        }
    }
    false
}

/// Where every person's symbol centre is, and the size of the drawing (without the legend).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub positions: BTreeMap<String, (f64, f64)>,
    pub width: f64,
    pub height: f64,
}

/// Lays the family out (after [`Family::validate`]); `today` gives the ages used for labels
/// and for birth order when only an age is known.
pub fn layout(family: &Family, today: NaiveDate) -> Result<Layout, Vec<String>> {
    family.validate()?;
    let plan = Plan::new(family, today);
    let positions = family.people.iter().enumerate().map(|(i, p)| (p.id.clone(), (plan.x[i], plan.y[i]))).collect();
    Ok(Layout { positions, width: plan.width, height: plan.height })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ParentKind {
    Biological,
    Adoptive,
    Foster,
    Step,
}

impl ParentKind {
    fn class(self) -> &'static str {
        match self {
            ParentKind::Biological => "biological",
            ParentKind::Adoptive => "adoptive",
            ParentKind::Foster => "foster",
            ParentKind::Step => "step",
        }
    }
    fn dash(self) -> &'static str {
        match self {
            ParentKind::Biological => "",
            ParentKind::Adoptive => " stroke-dasharray=\"2 3\"",
            ParentKind::Foster => " stroke-dasharray=\"7 4\"",
            ParentKind::Step => " stroke-dasharray=\"8 3 2 3\"",
        }
    }
}

/// Parents of one kind (one or two) and their children, eldest first.
#[derive(Debug, Clone)]
struct Unit {
    kind: ParentKind,
    parents: Vec<usize>,
    children: Vec<usize>,
}

/// A partner line: explicit (with a status) or implied by two parents of a child.
#[derive(Debug, Clone, Copy)]
struct Couple {
    a: usize,
    b: usize,
    status: Option<PartnerStatus>,
}

/// Everything the drawing needs.
struct Plan<'a> {
    people: &'a [Person],
    units: Vec<Unit>,
    primary: Vec<Option<usize>>,
    couples: Vec<Couple>,
    rows: Vec<Vec<usize>>,
    gen: Vec<usize>,
    x: Vec<f64>,
    y: Vec<f64>,
    labels: Vec<Vec<String>>,
    width: f64,
    height: f64,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut v: usize) -> usize {
        while self.0[v] != v {
            self.0[v] = self.0[self.0[v]];
            v = self.0[v];
        }
        v
    }
}

impl<'a> Plan<'a> {
    fn new(family: &'a Family, today: NaiveDate) -> Self {
        let people = &family.people[..];
        let n = people.len();
        let idx: BTreeMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        let birth: Vec<(u8, NaiveDate)> = people.iter().map(|p| birth_key(p, today)).collect();
        let by_birth = |a: &usize, b: &usize| birth[*a].cmp(&birth[*b]).then(a.cmp(b));

        // Parents of each child by kind, explicit partners.
        let mut parents: Vec<BTreeMap<ParentKind, Vec<usize>>> = vec![BTreeMap::new(); n];
        let mut couples: Vec<Couple> = Vec::new();
        let mut related = vec![false; n];
        for r in &family.relationships {
            let (Some(&a), Some(&b)) = (idx.get(r.a.as_str()), idx.get(r.b.as_str())) else { continue };
            if a == b {
                continue;
            }
            related[a] = true;
            related[b] = true;
            match r.kind {
                RelKind::Partner { status } => {
                    if !couples.iter().any(|c| (c.a, c.b) == (a, b) || (c.a, c.b) == (b, a)) {
                        couples.push(Couple { a, b, status: Some(status) });
                    }
                }
                k => {
                    if let Some(kind) = k.parent_kind() {
                        let list = parents[b].entry(kind).or_default();
                        if !list.contains(&a) {
                            list.push(a);
                        }
                    }
                }
            }
        }
        // Units: the parents of one kind of a child; more than two of a kind become single units.
        let mut unit_of: BTreeMap<(ParentKind, Vec<usize>), usize> = BTreeMap::new();
        let mut units: Vec<Unit> = Vec::new();
        let mut primary = vec![None; n];
        for c in 0..n {
            for (&kind, ps) in &parents[c] {
                let mut groups: Vec<Vec<usize>> = if ps.len() <= 2 { vec![ps.clone()] } else { ps.iter().map(|&p| vec![p]).collect() };
                for g in &mut groups {
                    g.sort_unstable();
                    let u = *unit_of.entry((kind, g.clone())).or_insert_with(|| {
                        units.push(Unit { kind, parents: g.clone(), children: Vec::new() });
                        units.len() - 1
                    });
                    units[u].children.push(c);
                    if primary[c].is_none() {
                        primary[c] = Some(u);
                    }
                }
            }
        }
        for u in &mut units {
            u.children.sort_by(by_birth);
            if let [a, b] = u.parents[..] {
                if !couples.iter().any(|c| (c.a, c.b) == (a, b) || (c.a, c.b) == (b, a)) {
                    couples.push(Couple { a, b, status: None });
                }
            }
        }

        // Generations: partners share a row unless that would make someone their own ancestor.
        let mut child_edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for u in &units {
            for &p in &u.parents {
                child_edges[p].extend(u.children.iter().copied());
            }
        }
        let mut uf = UnionFind((0..n).collect());
        let mut same_row: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for c in &couples {
            let (ga, gb) = (uf.find(c.a), uf.find(c.b));
            if ga == gb {
                same_row[c.a].insert(c.b);
                same_row[c.b].insert(c.a);
                continue;
            }
            let gadj = group_graph(&child_edges, &mut uf, n);
            if !reaches(&gadj, ga, gb) && !reaches(&gadj, gb, ga) {
                uf.0[ga] = gb;
                same_row[c.a].insert(c.b);
                same_row[c.b].insert(c.a);
            }
        }
        let gadj = group_graph(&child_edges, &mut uf, n);
        let group: Vec<usize> = (0..n).map(|v| uf.find(v)).collect();
        let mut indeg = vec![0usize; n];
        for s in &gadj {
            for &t in s {
                indeg[t] += 1;
            }
        }
        let roots: Vec<usize> = (0..n).filter(|&g| group[g] == g && indeg[g] == 0).collect();
        let mut queue: VecDeque<usize> = roots.into();
        let mut topo = Vec::new();
        while let Some(g) = queue.pop_front() {
            topo.push(g);
            for &t in &gadj[g] {
                indeg[t] -= 1;
                if indeg[t] == 0 {
                    queue.push_back(t);
                }
            }
        }
        let mut ggen = vec![0i64; n];
        for &g in &topo {
            for &t in &gadj[g] {
                ggen[t] = ggen[t].max(ggen[g] + 1);
            }
        }
        for &g in topo.iter().rev() {
            if let Some(m) = gadj[g].iter().map(|&t| ggen[t]).min() {
                ggen[g] = ggen[g].max(m - 1);
            }
        }
        let connected: Vec<usize> = (0..n).filter(|&v| related[v]).collect();
        let low = connected.iter().map(|&v| ggen[group[v]]).min().unwrap_or(0);
        let mut gen: Vec<usize> = (0..n).map(|v| usize::try_from(ggen[group[v]] - low).unwrap_or(0)).collect();
        // People with no relationships go on the row of the subject's parents, else the top row.
        let subject_row = (0..n).find(|&v| people[v].subject && related[v]).map(|v| gen[v].saturating_sub(1)).unwrap_or(0);
        for v in 0..n {
            if !related[v] {
                gen[v] = subject_row;
            }
        }
        let nrows = gen.iter().max().map_or(0, |m| m + 1);

        // Partner clusters on a row, as chains.
        let mut cluster_of = vec![usize::MAX; n];
        let mut chains: Vec<Vec<usize>> = Vec::new();
        for v in 0..n {
            if cluster_of[v] != usize::MAX {
                continue;
            }
            let chain = partner_chain(v, &same_row, &couples, people, &units, &birth);
            for &m in &chain {
                cluster_of[m] = chains.len();
            }
            chains.push(chain);
        }
        let mut units_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, u) in units.iter().enumerate() {
            for &p in &u.parents {
                units_of[p].push(k);
            }
        }
        let mut start: Vec<usize> = (0..n).collect();
        start.sort_by_key(|&v| (!related[v], gen[v], v));
        let order = |chains: &[Vec<usize>]| -> Vec<Vec<Vec<usize>>> {
            let mut rows: Vec<Vec<Vec<usize>>> = vec![Vec::new(); nrows];
            let mut visited = vec![false; n];
            for &s in &start {
                let mut stack = vec![s];
                while let Some(p) = stack.pop() {
                    if visited[p] {
                        continue;
                    }
                    let chain = &chains[cluster_of[p]];
                    for &m in chain {
                        visited[m] = true;
                    }
                    rows[gen[p]].push(chain.clone());
                    let pos = |q: usize| chain.iter().position(|&m| m == q).unwrap_or(chain.len());
                    let mut us: Vec<usize> = chain.iter().flat_map(|&m| units_of[m].iter().copied()).collect();
                    us.sort_unstable();
                    us.dedup();
                    us.sort_by_key(|&u| {
                        (units[u].parents.iter().map(|&q| pos(q)).sum::<usize>() * 2 / units[u].parents.len(), units[u].kind)
                    });
                    // Depth first, eldest first: push in reverse.
                    for &u in us.iter().rev() {
                        for &c in units[u].children.iter().rev() {
                            if !visited[c] {
                                stack.push(c);
                            }
                        }
                    }
                }
            }
            rows
        };
        let first = order(&chains);
        let mut index = vec![0f64; n];
        for row in &first {
            for (i, &p) in row.iter().flatten().enumerate() {
                index[p] = i as f64;
            }
        }
        // Turn a chain round when its members' parents sit the other way round above it.
        let mut chains2 = chains.clone();
        for chain in &mut chains2 {
            let keys: Vec<f64> = chain
                .iter()
                .filter_map(|&m| {
                    primary[m].map(|u| units[u].parents.iter().map(|&q| index[q]).sum::<f64>() / units[u].parents.len() as f64)
                })
                .collect();
            let (mut inv, mut con) = (0, 0);
            for i in 0..keys.len() {
                for j in i + 1..keys.len() {
                    if keys[i] > keys[j] {
                        inv += 1;
                    } else if keys[i] < keys[j] {
                        con += 1;
                    }
                }
            }
            if inv > con {
                chain.reverse();
            }
        }
        let mut block_rows = order(&chains2);
        // Siblings in birth order: permute the blocks holding a sibship among their places.
        for _ in 0..3 {
            for u in &units {
                for row in block_rows.iter_mut() {
                    let mut held: Vec<(usize, usize)> = Vec::new();
                    for &c in &u.children {
                        if let Some(b) = row.iter().position(|blk| blk.contains(&c)) {
                            held.push((c, b));
                        }
                    }
                    let mut slots: Vec<usize> = held.iter().map(|&(_, b)| b).collect();
                    slots.sort_unstable();
                    let len = slots.len();
                    slots.dedup();
                    if len < 2 || slots.len() != len {
                        continue;
                    }
                    // `held` is in birth order already (children are sorted).
                    let blocks: Vec<Vec<usize>> = held.iter().map(|&(_, b)| row[b].clone()).collect();
                    for (slot, blk) in slots.iter().zip(blocks) {
                        row[*slot] = blk;
                    }
                }
            }
        }
        let rows: Vec<Vec<usize>> = block_rows.into_iter().map(|r| r.into_iter().flatten().collect()).collect();

        let labels: Vec<Vec<String>> = people.iter().map(|p| label_lines(p, today)).collect();
        let mut plan =
            Plan { people, units, primary, couples, rows, gen, x: vec![0.0; n], y: vec![0.0; n], labels, width: 0.0, height: 0.0 };
        plan.place();
        plan
    }

    fn half_extent(&self, p: usize) -> f64 {
        let lw = self.labels[p].iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_W;
        let base = (lw / 2.0).max(HALF);
        if self.people[p].subject {
            base.max(HALF + SUBJECT_EXTRA + 8.0)
        } else {
            base
        }
    }

    fn label_height(&self, p: usize) -> f64 {
        self.labels[p].len() as f64 * LINE_H + 6.0
    }

    fn partnered(&self, a: usize, b: usize) -> bool {
        self.couples.iter().any(|c| (c.a, c.b) == (a, b) || (c.a, c.b) == (b, a))
    }

    /// Least distance between the centres of neighbours `a` (left) and `b` on a row.
    fn spacing(&self, a: usize, b: usize) -> f64 {
        let sym = |p: usize| if self.people[p].subject { HALF + 6.0 } else { HALF };
        let mut s = (SYMBOL_SIZE + MIN_MARGIN).max(sym(a) + sym(b) + MIN_MARGIN);
        let ea = (self.labels[a].iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_W / 2.0).max(HALF);
        let eb = (self.labels[b].iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_W / 2.0).max(HALF);
        s = s.max(ea + eb + LABEL_GAP);
        if self.partnered(a, b) {
            s = s.max(PARTNER_SPACING);
        }
        if self.people[b].subject {
            s = s.max(ea + HALF + SUBJECT_EXTRA + 12.0);
        }
        s
    }

    /// x by alternating sweeps: children under their parents' midpoint, parents over their
    /// children, each row placed by weighted isotonic regression so the order and the least
    /// spacing always hold.
    fn place(&mut self) {
        let n = self.people.len();
        let spacings: Vec<Vec<f64>> = self
            .rows
            .iter()
            .map(|row| (0..row.len()).map(|i| if i == 0 { 0.0 } else { self.spacing(row[i - 1], row[i]) }).collect())
            .collect();
        let cums: Vec<Vec<f64>> = spacings
            .iter()
            .map(|s| {
                s.iter()
                    .scan(0.0, |acc, v| {
                        *acc += v;
                        Some(*acc)
                    })
                    .collect()
            })
            .collect();
        let mut cum = vec![0.0; n];
        for (row, c) in self.rows.iter().zip(&cums) {
            for (&p, &v) in row.iter().zip(c) {
                cum[p] = v;
                self.x[p] = v;
            }
        }
        let nrows = self.rows.len();
        for sweep in 0..16 {
            for (r, sp) in spacings.iter().enumerate().skip(1) {
                self.sweep_row(r, true, sp, &cum);
            }
            if sweep < 15 {
                for r in (0..nrows.saturating_sub(1)).rev() {
                    self.sweep_row(r, false, &spacings[r], &cum);
                }
            }
        }
        // Exact spacing, whatever rounding did.
        for (row, s) in self.rows.iter().zip(&spacings) {
            for i in 1..row.len() {
                let min = self.x[row[i - 1]] + s[i];
                if self.x[row[i]] < min {
                    self.x[row[i]] = min;
                }
            }
        }
        let left = (0..n).map(|p| self.x[p] - self.half_extent(p)).fold(f64::INFINITY, f64::min);
        let shift = if left.is_finite() { PAGE_MARGIN - left } else { 0.0 };
        let mut width: f64 = 2.0 * PAGE_MARGIN;
        let mut height: f64 = TOP + PAGE_MARGIN;
        for p in 0..n {
            self.x[p] += shift;
            self.y[p] = TOP + self.gen[p] as f64 * ROW_HEIGHT;
            width = width.max(self.x[p] + self.half_extent(p) + PAGE_MARGIN);
            height = height.max(self.y[p] + HALF + self.label_height(p) + PAGE_MARGIN + 10.0);
        }
        self.width = width.ceil();
        self.height = height.ceil();
    }

    fn sweep_row(&mut self, r: usize, down: bool, spacing: &[f64], cum: &[f64]) {
        let row = self.rows[r].clone();
        let mut want: Vec<Option<f64>> = vec![None; row.len()];
        for (i, &p) in row.iter().enumerate() {
            if down {
                let Some(u) = self.primary[p] else { continue };
                let unit = &self.units[u];
                let mid = unit.parents.iter().map(|&q| self.x[q]).sum::<f64>() / unit.parents.len() as f64;
                let sibs: Vec<usize> = unit.children.iter().copied().filter(|&c| self.gen[c] == r && self.primary[c] == Some(u)).collect();
                let centre = sibs.iter().map(|&c| cum[c]).sum::<f64>() / sibs.len().max(1) as f64;
                want[i] = Some(mid + cum[p] - centre);
            } else {
                let mut sum = 0.0;
                let mut k = 0.0;
                for unit in self.units.iter().filter(|u| u.parents.contains(&p) && !u.children.is_empty()) {
                    let c = unit.children.iter().map(|&q| self.x[q]).sum::<f64>() / unit.children.len() as f64;
                    let mid = unit.parents.iter().map(|&q| self.x[q]).sum::<f64>() / unit.parents.len() as f64;
                    let w = if unit.kind == ParentKind::Biological { 1.0 } else { 0.5 };
                    sum += w * (self.x[p] + c - mid);
                    k += w;
                }
                if k > 0.0 {
                    want[i] = Some(sum / k);
                }
            }
        }
        // Partners without a wish move with their cluster (neighbouring partners).
        let mut targets = Vec::with_capacity(row.len());
        let mut start = 0;
        while start < row.len() {
            let mut end = start + 1;
            while end < row.len() && self.partnered(row[end - 1], row[end]) {
                end += 1;
            }
            let shifts: Vec<f64> = (start..end).filter_map(|i| want[i].map(|w| w - self.x[row[i]])).collect();
            let shift = if shifts.is_empty() { None } else { Some(shifts.iter().sum::<f64>() / shifts.len() as f64) };
            for i in start..end {
                let x = self.x[row[i]];
                targets.push(match (want[i], shift) {
                    (Some(w), _) => (w, 1.0),
                    (None, Some(s)) => (x + s, 0.6),
                    (None, None) => (x, 0.05),
                });
            }
            start = end;
        }
        let xs = isotonic_place(&targets, spacing);
        for (&p, x) in row.iter().zip(xs) {
            self.x[p] = x;
        }
    }
}

/// Group graph: group of a parent -> group of a child.
fn group_graph(child_edges: &[BTreeSet<usize>], uf: &mut UnionFind, n: usize) -> Vec<BTreeSet<usize>> {
    let mut g = vec![BTreeSet::new(); n];
    for (p, cs) in child_edges.iter().enumerate() {
        let gp = uf.find(p);
        for &c in cs {
            let gc = uf.find(c);
            g[gp].insert(gc);
        }
    }
    g
}

/// Positions minimising the weighted squared distance to the targets with `x[i] - x[i-1] >=
/// spacing[i]` (pool adjacent violators on `x - cumulative spacing`).
fn isotonic_place(targets: &[(f64, f64)], spacing: &[f64]) -> Vec<f64> {
    let mut cum = Vec::with_capacity(targets.len());
    let mut acc = 0.0;
    for (i, s) in spacing.iter().enumerate().take(targets.len()) {
        if i > 0 {
            acc += s;
        }
        cum.push(acc);
    }
    // Blocks of (weight, weighted sum, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (i, &(t, w)) in targets.iter().enumerate() {
        blocks.push((w, w * (t - cum[i]), 1));
        while blocks.len() >= 2 {
            let (w2, s2, c2) = blocks[blocks.len() - 1];
            let (w1, s1, c1) = blocks[blocks.len() - 2];
            if s1 / w1 > s2 / w2 {
                blocks.pop();
                blocks.pop();
                blocks.push((w1 + w2, s1 + s2, c1 + c2));
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(targets.len());
    for (w, s, c) in blocks {
        for _ in 0..c {
            out.push(s / w + cum[out.len()]);
        }
    }
    out
}

/// A partner cluster as a chain: the most-partnered member in the middle, former partners to
/// the left, current ones to the right, further partners outwards.
fn partner_chain(
    v: usize,
    same_row: &[BTreeSet<usize>],
    couples: &[Couple],
    people: &[Person],
    units: &[Unit],
    birth: &[(u8, NaiveDate)],
) -> Vec<usize> {
    let mut members = vec![v];
    let mut i = 0;
    while i < members.len() {
        for &m in &same_row[members[i]] {
            if !members.contains(&m) {
                members.push(m);
            }
        }
        i += 1;
    }
    if members.len() == 1 {
        return members;
    }
    let centre = members.iter().copied().max_by_key(|&m| (same_row[m].len(), std::cmp::Reverse(m))).unwrap_or(v);
    let status = |a: usize, b: usize| couples.iter().find(|c| (c.a, c.b) == (a, b) || (c.a, c.b) == (b, a)).and_then(|c| c.status);
    let eldest = |a: usize, b: usize| {
        units.iter().filter(|u| u.parents.contains(&a) && u.parents.contains(&b)).flat_map(|u| u.children.iter().map(|&c| birth[c])).min()
    };
    let sort_partners = |of: usize, list: &mut Vec<usize>| {
        list.sort_by_key(|&p| {
            let rank = match status(of, p) {
                Some(PartnerStatus::Divorced) => 0,
                Some(PartnerStatus::Separated) => 1,
                None => 2,
                Some(PartnerStatus::Dating) => 3,
                Some(PartnerStatus::Married | PartnerStatus::Cohabiting) => 4,
            };
            (rank, eldest(of, p).map_or((2, NaiveDate::MIN), |k| k), p)
        })
    };
    let mut placed = vec![centre];
    let mut direct: Vec<usize> = same_row[centre].iter().copied().collect();
    sort_partners(centre, &mut direct);
    let (mut left, mut right): (Vec<usize>, Vec<usize>) = if direct.len() == 1 {
        if people[centre].sex == Sex::Female {
            (direct, Vec::new())
        } else {
            (Vec::new(), direct)
        }
    } else {
        let k = direct.len().div_ceil(2);
        let r = direct.split_off(k);
        (direct, r)
    };
    placed.extend(left.iter().chain(right.iter()).copied());
    // Outwards: partners of the outermost member on each side.
    for side in [&mut left, &mut right] {
        let mut frontier: Vec<usize> = side.clone();
        while let Some(m) = frontier.pop() {
            let mut more: Vec<usize> = same_row[m].iter().copied().filter(|q| !placed.contains(q)).collect();
            sort_partners(m, &mut more);
            for q in more {
                placed.push(q);
                side.push(q);
                frontier.push(q);
            }
        }
    }
    // `left` is listed inner to outer.
    let mut chain: Vec<usize> = left.into_iter().rev().collect();
    chain.push(centre);
    chain.extend(right);
    for m in members {
        if !chain.contains(&m) {
            chain.push(m);
        }
    }
    chain
}

fn birth_key(p: &Person, today: NaiveDate) -> (u8, NaiveDate) {
    if let Some(b) = p.born {
        return (0, b);
    }
    if let Some(a) = p.age {
        if let Some(d) = today.checked_sub_months(Months::new(a.saturating_mul(12))) {
            return (0, d);
        }
    }
    (1, NaiveDate::MIN)
}

/// "aged 34", "aged 5 mo", "d." for the deceased, `None` when nothing is known.
pub fn age_label(p: &Person, today: NaiveDate) -> Option<String> {
    if p.deceased {
        return Some("d.".to_string());
    }
    if let Some(b) = p.born {
        if b > today {
            return Some("unborn".to_string());
        }
        let mut months = (today.year() - b.year()) * 12 + today.month() as i32 - b.month() as i32;
        if today.day() < b.day() {
            months -= 1;
        }
        return Some(if months >= 12 { format!("aged {}", months / 12) } else { format!("aged {months} mo") });
    }
    p.age.map(|a| format!("aged {a}"))
}

/// The name wrapped to two lines of at most 18 characters (longer cut with "…"), then the age.
fn label_lines(p: &Person, today: NaiveDate) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cut = false;
    for word in p.name.split_whitespace() {
        let w: String = word.chars().filter(|c| !c.is_control()).collect();
        let mut w = w.as_str().to_string();
        if w.chars().count() > WRAP {
            w = w.chars().take(WRAP - 1).collect::<String>() + "…";
        }
        let len = cur.chars().count();
        if len == 0 {
            cur = w;
        } else if len + 1 + w.chars().count() <= WRAP {
            cur.push(' ');
            cur.push_str(&w);
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = w;
        }
        if lines.len() == 2 {
            cut = true;
            break;
        }
    }
    if !cur.is_empty() && lines.len() < 2 {
        lines.push(cur);
    }
    if cut {
        if let Some(last) = lines.last_mut() {
            let mut s: String = last.chars().take(WRAP - 1).collect();
            s.push('…');
            *last = s;
        }
    }
    if let Some(a) = age_label(p, today) {
        lines.push(a);
    }
    lines
}

/// Text and attribute escaping; characters XML 1.0 does not allow are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The genogram as a standalone SVG document (after [`Family::validate`]).
pub fn svg(family: &Family, today: NaiveDate) -> Result<String, Vec<String>> {
    family.validate()?;
    let plan = Plan::new(family, today);
    Ok(plan.render())
}

const LEGEND_COLS: usize = 5;
const LEGEND_COL_W: f64 = 132.0;
const LEGEND_ROW_H: f64 = 24.0;
const LEGEND_ITEMS: usize = 13;

impl Plan<'_> {
    fn render(&self) -> String {
        let legend_rows = LEGEND_ITEMS.div_ceil(LEGEND_COLS);
        let legend_w = LEGEND_COLS as f64 * LEGEND_COL_W + 2.0 * PAGE_MARGIN;
        let width = self.width.max(legend_w).ceil();
        let legend_top = self.height;
        let height = (legend_top + 28.0 + legend_rows as f64 * LEGEND_ROW_H + PAGE_MARGIN).ceil();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
             role=\"img\" aria-labelledby=\"genogram-title\" font-family=\"sans-serif\" font-size=\"11\">"
        );
        let _ = writeln!(s, "<title id=\"genogram-title\">Genogram</title>");
        let subject = self.people.iter().find(|p| p.subject).map(|p| esc(&p.name));
        let _ = writeln!(
            s,
            "<desc>Genogram of {} people over {} generations{}.</desc>",
            self.people.len(),
            self.rows.iter().filter(|r| !r.is_empty()).count(),
            subject.map(|n| format!("; subject child {n}")).unwrap_or_default()
        );
        let _ = writeln!(
            s,
            "<defs><marker id=\"genogram-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
             orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#000\"/></marker></defs>"
        );
        let _ = writeln!(s, "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>");
        self.render_household(&mut s);
        self.render_partners(&mut s);
        self.render_descent(&mut s);
        for p in 0..self.people.len() {
            self.render_person(&mut s, p);
        }
        render_legend(&mut s, PAGE_MARGIN, legend_top);
        s.push_str("</svg>\n");
        s
    }

    fn render_household(&self, s: &mut String) {
        let members: Vec<usize> = (0..self.people.len()).filter(|&p| self.people[p].in_household).collect();
        if members.is_empty() {
            return;
        }
        // Runs of neighbouring household members on each row.
        let mut runs: Vec<(usize, f64, f64, f64, f64)> = Vec::new(); // row, left, right, top, bottom
        for (r, row) in self.rows.iter().enumerate() {
            let mut i = 0;
            while i < row.len() {
                if !self.people[row[i]].in_household {
                    i += 1;
                    continue;
                }
                let mut j = i;
                while j + 1 < row.len() && self.people[row[j + 1]].in_household {
                    j += 1;
                }
                let run = &row[i..=j];
                let left = run.iter().map(|&p| self.x[p] - self.half_extent(p)).fold(f64::INFINITY, f64::min) - 8.0;
                let right = run.iter().map(|&p| self.x[p] + self.half_extent(p)).fold(f64::NEG_INFINITY, f64::max) + 8.0;
                let y = TOP + r as f64 * ROW_HEIGHT;
                let bottom = run.iter().map(|&p| y + HALF + self.label_height(p)).fold(y + HALF, f64::max) + 8.0;
                runs.push((r, left, right, y - HALF - 14.0, bottom));
                i = j + 1;
            }
        }
        let one_per_row = runs.windows(2).all(|w| w[1].0 == w[0].0 + 1 && w[1].1 < w[0].2 && w[0].1 < w[1].2);
        let style = "class=\"household\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"8 5\"";
        if one_per_row {
            let mut pts: Vec<(f64, f64)> = Vec::new();
            let mid = |i: usize| (runs[i].0 as f64 + 0.5) * ROW_HEIGHT + TOP + 12.0;
            let k = runs.len() - 1;
            pts.push((runs[0].1, runs[0].3));
            pts.push((runs[0].2, runs[0].3));
            for i in 0..k {
                pts.push((runs[i].2, mid(i)));
                pts.push((runs[i + 1].2, mid(i)));
            }
            pts.push((runs[k].2, runs[k].4));
            pts.push((runs[k].1, runs[k].4));
            for i in (0..k).rev() {
                pts.push((runs[i + 1].1, mid(i)));
                pts.push((runs[i].1, mid(i)));
            }
            let _ = writeln!(s, "<path {style} d=\"{}\"/>", rounded_polygon(&pts, 14.0));
        } else {
            for &(_, l, r, t, b) in &runs {
                let _ = writeln!(s, "<rect {style} x=\"{l:.1}\" y=\"{t:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"14\"/>", r - l, b - t);
            }
        }
    }

    fn adjacent(&self, a: usize, b: usize) -> bool {
        self.gen[a] == self.gen[b] && {
            let row = &self.rows[self.gen[a]];
            let pa = row.iter().position(|&p| p == a);
            let pb = row.iter().position(|&p| p == b);
            matches!((pa, pb), (Some(i), Some(j)) if i.abs_diff(j) == 1)
        }
    }

    fn render_partners(&self, s: &mut String) {
        for c in &self.couples {
            let (a, b) = if self.x[c.a] <= self.x[c.b] { (c.a, c.b) } else { (c.b, c.a) };
            let (xa, ya, xb, yb) = (self.x[a], self.y[a], self.x[b], self.y[b]);
            let (class, dash, stroke) = match c.status {
                Some(PartnerStatus::Married) => ("married", "", "#000"),
                Some(PartnerStatus::Cohabiting) => ("cohabiting", " stroke-dasharray=\"7 4\"", "#000"),
                Some(PartnerStatus::Separated) => ("separated", "", "#000"),
                Some(PartnerStatus::Divorced) => ("divorced", "", "#000"),
                Some(PartnerStatus::Dating) => ("dating", " stroke-dasharray=\"1.5 3\"", "#000"),
                None => ("co-parents", "", "#888"),
            };
            let d = if ya != yb || self.adjacent(a, b) {
                format!("M{xa:.1},{ya:.1} L{xb:.1},{yb:.1}")
            } else {
                let top = ya - HALF - 14.0;
                format!("M{xa:.1},{:.1} V{top:.1} H{xb:.1} V{:.1}", ya - HALF, yb - HALF)
            };
            let _ = writeln!(
                s,
                "<path class=\"partner {class}\" data-a=\"{}\" data-b=\"{}\" d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.6\"{dash}/>",
                esc(&self.people[a].id),
                esc(&self.people[b].id)
            );
            let slashes: &[f64] = match c.status {
                Some(PartnerStatus::Separated) => &[-16.0],
                Some(PartnerStatus::Divorced) => &[-21.0, -12.0],
                _ => &[],
            };
            let (mx, my) = self.couple_point(a, b);
            for dx in slashes {
                let sx = mx + dx;
                let _ = writeln!(
                    s,
                    "<line class=\"slash {class}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#000\" stroke-width=\"1.6\"/>",
                    sx - 4.0,
                    my + 8.0,
                    sx + 4.0,
                    my - 8.0
                );
            }
        }
    }

    /// Middle of the line joining two partners.
    fn couple_point(&self, a: usize, b: usize) -> (f64, f64) {
        if self.y[a] == self.y[b] && !self.adjacent(a, b) {
            ((self.x[a] + self.x[b]) / 2.0, self.y[a] - HALF - 14.0)
        } else {
            ((self.x[a] + self.x[b]) / 2.0, (self.y[a] + self.y[b]) / 2.0)
        }
    }

    fn render_descent(&self, s: &mut String) {
        struct Line {
            kind: ParentKind,
            start: String,
            children: Vec<usize>,
            row: usize,
            span: (f64, f64),
        }
        let mut lines: Vec<Line> = Vec::new();
        for u in &self.units {
            // A step parent who is the partner of a parent is shown by the partner line.
            if u.kind == ParentKind::Step {
                let implied = u.children.iter().all(|&c| {
                    u.parents.iter().all(|&sp| {
                        self.units.iter().any(|o| {
                            o.kind == ParentKind::Biological
                                && o.children.contains(&c)
                                && o.parents.iter().any(|&bp| self.partnered(sp, bp))
                        })
                    })
                });
                if implied {
                    continue;
                }
            }
            let (ax, start) = match u.parents[..] {
                [a, b] if self.partnered(a, b) => {
                    let (x, y) = self.couple_point(a, b);
                    (x, format!("M{x:.1},{y:.1}"))
                }
                [a, ..] => {
                    // From the side of the symbol away from any partner, clear of the label.
                    let row = &self.rows[self.gen[a]];
                    let i = row.iter().position(|&p| p == a).unwrap_or(0);
                    let right_free = row.get(i + 1).is_none_or(|&q| !self.partnered(a, q));
                    let left_free = i == 0 || row.get(i - 1).is_none_or(|&q| !self.partnered(a, q));
                    let ext = self.half_extent(a) + 6.0;
                    let (x, y) = (self.x[a], self.y[a]);
                    if right_free {
                        (x + ext, format!("M{:.1},{y:.1} H{:.1}", x + HALF, x + ext))
                    } else if left_free {
                        (x - ext, format!("M{:.1},{y:.1} H{:.1}", x - HALF, x - ext))
                    } else {
                        (x, format!("M{x:.1},{:.1}", y + HALF + self.label_height(a)))
                    }
                }
                [] => continue,
            };
            let mut by_row: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &c in &u.children {
                by_row.entry(self.gen[c]).or_default().push(c);
            }
            for (row, children) in by_row {
                let lo = children.iter().map(|&c| self.x[c]).fold(ax, f64::min);
                let hi = children.iter().map(|&c| self.x[c]).fold(ax, f64::max);
                lines.push(Line { kind: u.kind, start: start.clone(), children, row, span: (lo, hi) });
            }
        }
        // Sibship lines on the same row at different heights when their spans meet.
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by(|&a, &b| lines[a].row.cmp(&lines[b].row).then(lines[a].span.0.total_cmp(&lines[b].span.0)));
        let mut level = vec![0usize; lines.len()];
        let mut ends: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &i in &order {
            let l = &lines[i];
            let mut k = 0;
            while ends.get(&(l.row, k)).is_some_and(|&e| e + 6.0 > l.span.0) {
                k += 1;
            }
            ends.insert((l.row, k), l.span.1);
            level[i] = k % 5;
        }
        for (i, l) in lines.iter().enumerate() {
            let yc = TOP + l.row as f64 * ROW_HEIGHT;
            let sy = yc - HALF - 22.0 - level[i] as f64 * 9.0;
            let mut d = format!("{} V{sy:.1}", l.start);
            let _ = write!(d, " M{:.1},{sy:.1} H{:.1}", l.span.0, l.span.1);
            for &c in &l.children {
                let top = if self.people[c].subject { yc - HALF - 6.0 } else { yc - HALF };
                let _ = write!(d, " M{:.1},{sy:.1} V{top:.1}", self.x[c]);
            }
            let _ = writeln!(
                s,
                "<path class=\"descent {}\" d=\"{d}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.4\"{}/>",
                l.kind.class(),
                l.kind.dash()
            );
        }
    }

    fn render_person(&self, s: &mut String, p: usize) {
        let person = &self.people[p];
        let (x, y) = (self.x[p], self.y[p]);
        let sex = match person.sex {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Unknown => "unknown-sex",
        };
        let mut class = format!("person {sex}");
        for (flag, c) in [(person.deceased, " deceased"), (person.in_household, " household"), (person.subject, " subject")] {
            if flag {
                class.push_str(c);
            }
        }
        let _ = writeln!(
            s,
            "<g id=\"person-{}\" class=\"{class}\" data-name=\"{}\" data-generation=\"{}\">",
            esc(&person.id),
            esc(&person.name),
            self.gen[p] + 1
        );
        let sw = if person.subject { 2.6 } else { 1.6 };
        let _ = writeln!(s, "<title>{}</title>", esc(&person.name));
        if person.subject {
            let _ = writeln!(s, "{}", shape(person.sex, x, y, HALF + 6.0, "subject-outline", 1.6));
        }
        let _ = writeln!(s, "{}", shape(person.sex, x, y, HALF, "symbol", sw));
        if person.deceased {
            let e = HALF + 5.0;
            for (x1, y1, x2, y2) in [(x - e, y - e, x + e, y + e), (x - e, y + e, x + e, y - e)] {
                let _ = writeln!(
                    s,
                    "<line class=\"deceased-cross\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#000\" stroke-width=\"1.6\"/>"
                );
            }
        }
        if person.sex == Sex::Unknown {
            let _ = writeln!(s, "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"14\">?</text>", y + 5.0);
        }
        if person.subject {
            let _ = writeln!(
                s,
                "<path class=\"subject-arrow\" d=\"M{:.1},{:.1} L{:.1},{:.1}\" stroke=\"#000\" stroke-width=\"2\" marker-end=\"url(#genogram-arrow)\"/>",
                x - HALF - SUBJECT_EXTRA - 6.0,
                y + HALF + 8.0,
                x - HALF - 9.0,
                y + HALF - 4.0
            );
        }
        let weight = if person.subject { " font-weight=\"bold\"" } else { "" };
        let top = y + HALF + if person.subject { 20.0 } else { 14.0 };
        let _ = write!(s, "<text class=\"label\" x=\"{x:.1}\" y=\"{top:.1}\" text-anchor=\"middle\"{weight}>");
        for (i, line) in self.labels[p].iter().enumerate() {
            let dy = if i == 0 { 0.0 } else { LINE_H };
            let _ = write!(s, "<tspan x=\"{x:.1}\" dy=\"{dy}\">{}</tspan>", esc(line));
        }
        let _ = writeln!(s, "</text>");
        let _ = writeln!(s, "</g>");
    }
}

fn shape(sex: Sex, x: f64, y: f64, h: f64, class: &str, sw: f64) -> String {
    let style = format!("class=\"{class}\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"{sw}\"");
    match sex {
        Sex::Male => format!("<rect {style} x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>", x - h, y - h, 2.0 * h, 2.0 * h),
        Sex::Female => format!("<circle {style} cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{h:.1}\"/>"),
        Sex::Unknown => {
            format!("<polygon {style} points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\"/>", y - h, x + h, y + h, x - h)
        }
    }
}

/// A closed path through `pts` with corners rounded to radius `r`.
fn rounded_polygon(pts: &[(f64, f64)], r: f64) -> String {
    let mut v: Vec<(f64, f64)> = Vec::new();
    for &p in pts {
        if v.last().is_none_or(|q: &(f64, f64)| (q.0 - p.0).abs() + (q.1 - p.1).abs() > 0.5) {
            v.push(p);
        }
    }
    while v.len() > 1 && v.first().zip(v.last()).is_some_and(|(a, b)| (a.0 - b.0).abs() + (a.1 - b.1).abs() <= 0.5) {
        v.pop();
    }
    let n = v.len();
    if n < 3 {
        return String::new();
    }
    let mut d = String::new();
    for i in 0..n {
        let (px, py) = v[(i + n - 1) % n];
        let (cx, cy) = v[i];
        let (nx, ny) = v[(i + 1) % n];
        let l1 = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt();
        let l2 = ((nx - cx).powi(2) + (ny - cy).powi(2)).sqrt();
        let rr = r.min(l1 / 2.0).min(l2 / 2.0);
        let a = (cx + (px - cx) / l1 * rr, cy + (py - cy) / l1 * rr);
        let b = (cx + (nx - cx) / l2 * rr, cy + (ny - cy) / l2 * rr);
        let _ = write!(d, "{}{:.1},{:.1} Q{cx:.1},{cy:.1} {:.1},{:.1} ", if i == 0 { "M" } else { "L" }, a.0, a.1, b.0, b.1);
    }
    d.push('Z');
    d
}

fn render_legend(s: &mut String, x0: f64, y0: f64) {
    let _ = writeln!(s, "<g class=\"legend\" transform=\"translate({x0:.1},{y0:.1})\">");
    let _ = writeln!(s, "<text x=\"0\" y=\"12\" font-weight=\"bold\">Key</text>");
    let items: [(&str, &str); LEGEND_ITEMS] = [
        ("Male", "<rect x=\"-8\" y=\"-8\" width=\"16\" height=\"16\" fill=\"#fff\" stroke=\"#000\"/>"),
        ("Female", "<circle cx=\"0\" cy=\"0\" r=\"8\" fill=\"#fff\" stroke=\"#000\"/>"),
        ("Sex not known", "<polygon points=\"0,-9 9,0 0,9 -9,0\" fill=\"#fff\" stroke=\"#000\"/>"),
        (
            "Deceased",
            "<rect x=\"-8\" y=\"-8\" width=\"16\" height=\"16\" fill=\"#fff\" stroke=\"#000\"/><path d=\"M-10,-10 L10,10 M-10,10 L10,-10\" stroke=\"#000\"/>",
        ),
        (
            "Subject child",
            "<circle cx=\"0\" cy=\"0\" r=\"10\" fill=\"#fff\" stroke=\"#000\"/><circle cx=\"0\" cy=\"0\" r=\"7\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\"/>",
        ),
        ("Married", "<path d=\"M-14,0 H14\" stroke=\"#000\" stroke-width=\"1.6\"/>"),
        ("Cohabiting", "<path d=\"M-14,0 H14\" stroke=\"#000\" stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>"),
        ("Separated", "<path d=\"M-14,0 H14 M-4,8 L4,-8\" stroke=\"#000\" stroke-width=\"1.6\"/>"),
        ("Divorced", "<path d=\"M-14,0 H14 M-8,8 L0,-8 M0,8 L8,-8\" stroke=\"#000\" stroke-width=\"1.6\"/>"),
        ("Dating", "<path d=\"M-14,0 H14\" stroke=\"#000\" stroke-width=\"1.6\" stroke-dasharray=\"1.5 3\"/>"),
        ("Foster", "<path d=\"M0,-10 V10\" stroke=\"#000\" stroke-width=\"1.4\" stroke-dasharray=\"7 4\"/>"),
        ("Adopted", "<path d=\"M0,-10 V10\" stroke=\"#000\" stroke-width=\"1.4\" stroke-dasharray=\"2 3\"/>"),
        ("Household", "<rect x=\"-12\" y=\"-9\" width=\"24\" height=\"18\" rx=\"5\" fill=\"none\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>"),
    ];
    for (i, (label, icon)) in items.iter().enumerate() {
        let cx = (i % LEGEND_COLS) as f64 * LEGEND_COL_W + 16.0;
        let cy = 34.0 + (i / LEGEND_COLS) as f64 * LEGEND_ROW_H;
        let _ = writeln!(s, "<g transform=\"translate({cx:.1},{cy:.1})\">{icon}<text x=\"24\" y=\"4\">{label}</text></g>");
    }
    let _ = writeln!(s, "</g>");
}
