//! Learning across reviews (000 §13-14, 001 §3.1, 004): the themes and case
//! characteristics a review is tagged with (the Ofsted notification's list, 001 App. IX
//! "Characteristics of case", plus the partnership's own), the words of a search made
//! safe for a full-text index, recommendations that recur across reviews in similar
//! words, counts of reviews by theme and year, and the bar charts that show them.
//! Pure functions: the store gathers the rows and asks these.

use crate::error::FieldErrors;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A tag a review can carry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Tag {
    /// Stable key stored with the review ("domestic_violence", or a partnership tag's slug).
    pub slug: String,
    /// As people read it ("Domestic violence").
    pub name: String,
    /// True for the Ofsted list; false for the partnership's own.
    pub ofsted: bool,
}

/// The case characteristics of the Ofsted notification form (001 App. IX, section
/// "Characteristics of case"), in the form's order, with the form's wording.
pub const OFSTED_CHARACTERISTICS: &[(&str, &str)] = &[
    ("domestic_violence", "Domestic violence"),
    ("alcohol_abuse", "Alcohol abuse"),
    ("drug_abuse", "Drug abuse"),
    ("parental_mental_health", "Parental mental health"),
    ("fabricated_illness", "Fabricated illness"),
    ("shaken_baby_syndrome", "Shaken baby syndrome"),
    ("sexual_abuse", "Sexual abuse"),
    ("parent_in_care", "Parent in care"),
    ("more_than_one_child_abused", "More than one child abused"),
    ("child_of_teenage_pregnancy", "Child of teenage pregnancy"),
    ("parent_is_care_leaver", "Parent is care leaver"),
    ("serious_illness", "Serious illness"),
    ("emotional_abuse", "Emotional abuse"),
    ("recent_neglect", "Recent neglect"),
    ("long_standing_neglect", "Long-standing neglect"),
    ("physical_abuse", "Physical abuse"),
];

/// The Ofsted list as tags.
pub fn ofsted_tags() -> Vec<Tag> {
    OFSTED_CHARACTERISTICS.iter().map(|(s, n)| Tag { slug: (*s).into(), name: (*n).into(), ofsted: true }).collect()
}

/// Longest name of a partnership's own tag.
pub const MAX_TAG_NAME: usize = 60;
/// Longest lessons entry of a review.
pub const MAX_LESSONS_CHARS: usize = 20_000;

/// The slug of a tag name: lower-case letters and digits joined by `_`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for w in name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('_');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Checks a new partnership tag's name against the tags there are; returns (slug, name).
pub fn check_new_tag(name: &str, existing: &[Tag]) -> Result<(String, String), FieldErrors> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let field = "name";
    if name.is_empty() {
        return Err(FieldErrors::single(field, "Enter the name of the tag"));
    }
    if name.chars().count() > MAX_TAG_NAME {
        return Err(FieldErrors::single(field, format!("The name of the tag must be {MAX_TAG_NAME} characters or fewer")));
    }
    let slug = slugify(&name);
    if slug.is_empty() {
        return Err(FieldErrors::single(field, "The name of the tag must contain a letter or a digit"));
    }
    if let Some(t) = existing.iter().find(|t| t.slug == slug || t.name.eq_ignore_ascii_case(&name)) {
        return Err(FieldErrors::single(field, format!("There is already a tag '{}'", t.name)));
    }
    Ok((slug, name))
}

// ---------------------------------------------------------------- search

/// Most words a search uses; the rest are ignored.
pub const MAX_SEARCH_TERMS: usize = 12;
/// Longest word a search uses (longer ones are cut).
pub const MAX_TERM_CHARS: usize = 40;
/// Longest query read at all (the rest is ignored).
pub const MAX_QUERY_CHARS: usize = 500;

/// The words of a search as the index is asked for them: letters and digits only, lower
/// case, at most [`MAX_SEARCH_TERMS`], no repeats. Every other character (quotes, `*`,
/// `-`, brackets, `%`, `<`) separates words, so no operator of either index's query
/// language can reach it; `AND`, `OR`, `NEAR` and `NOT` become plain words to look for.
pub fn search_terms(q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let head: String = q.chars().take(MAX_QUERY_CHARS).collect();
    for w in head.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let w: String = w.chars().flat_map(char::to_lowercase).take(MAX_TERM_CHARS).collect();
        if !out.contains(&w) {
            out.push(w);
        }
        if out.len() == MAX_SEARCH_TERMS {
            break;
        }
    }
    out
}

/// An FTS5 MATCH expression finding every one of `terms`: each quoted as a string, so it
/// is only ever a word. `None` when there is nothing to look for.
pub fn fts5_query(terms: &[String]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    // Terms hold letters and digits only, so a quote cannot occur inside one.
    Some(terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" "))
}

/// Marks put around matched words by the index, chosen because they never occur in text
/// people type (control characters); [`snippet_parts`] turns them into highlighted parts.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// A snippet as (text, highlighted) parts, for the page to escape and mark up.
pub fn snippet_parts(s: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut on = false;
    for c in s.chars() {
        match c {
            MARK_START | MARK_END => {
                if !cur.is_empty() {
                    parts.push((std::mem::take(&mut cur), on));
                }
                on = c == MARK_START;
            }
            c if c.is_control() && c != '\n' => cur.push(' '),
            '\n' => cur.push(' '),
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        parts.push((cur, on));
    }
    parts
}

// ---------------------------------------------------------------- recurring recommendations

/// Words too common in recommendations to tell two apart.
const STOP_WORDS: &[&str] = &[
    "a", "all", "an", "and", "any", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is", "it", "its", "of",
    "on", "or", "should", "that", "the", "their", "this", "to", "with", "will", "within", "must", "which", "who", "when", "where",
];

/// The words of a text that carry its meaning: lower case, without stop words, a plural
/// `s` removed, so "Agencies should ensure referrals" and "ensure the referral" share words.
pub fn normalised_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| {
            if w.len() > 4 && w.ends_with("ies") {
                format!("{}y", &w[..w.len() - 3])
            } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_string()
            } else {
                w
            }
        })
        .collect()
}

/// Jaccard similarity of two word sets: shared words over all words (0 when both are empty).
pub fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// How alike two recommendations must be to count as the same one made again.
pub const RECURRING_THRESHOLD: f64 = 0.5;

/// A recommendation as the trend finder reads it.
#[derive(Debug, Clone)]
pub struct RecText {
    pub review_id: i64,
    pub id: i64,
    pub text: String,
}

/// Recommendations made in similar words in more than one review.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurring {
    /// The recommendation ids in the group, oldest (lowest id) first.
    pub ids: Vec<i64>,
    /// The distinct reviews they come from, in order.
    pub review_ids: Vec<i64>,
}

/// Groups recommendations whose word sets have a Jaccard similarity of at least
/// `threshold` (linked through any chain of such pairs) and keeps the groups that span two
/// or more reviews, the most widespread first. Candidate pairs come from prefix filtering
/// (two sets that alike must share one of their rarest words), so thousands of
/// recommendations are compared in well under a second; every candidate is then checked
/// exactly.
pub fn recurring(recs: &[RecText], threshold: f64) -> Vec<Recurring> {
    let threshold = threshold.clamp(0.01, 1.0);
    let sets: Vec<BTreeSet<String>> = recs.iter().map(|r| normalised_words(&r.text)).collect();
    // Words numbered by how many recommendations hold them, rarest first.
    let mut df: HashMap<&str, usize> = HashMap::new();
    for s in &sets {
        for w in s {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut words: Vec<(&str, usize)> = df.into_iter().collect();
    words.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
    let rank: HashMap<&str, u32> = words.iter().enumerate().map(|(i, (w, _))| (*w, i as u32)).collect();
    let ordered: Vec<Vec<u32>> = sets
        .iter()
        .map(|s| {
            let mut v: Vec<u32> = s.iter().filter_map(|w| rank.get(w.as_str()).copied()).collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut parent: Vec<usize> = (0..recs.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut index: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut seen: Vec<usize> = vec![usize::MAX; recs.len()];
    for (i, x) in ordered.iter().enumerate() {
        if x.is_empty() {
            continue;
        }
        // A set x can reach Jaccard t with y only if they share a word among x's first
        // |x| - ceil(t|x|) + 1 rarest words (and the same holds for y).
        let prefix = x.len() - ((threshold * x.len() as f64).ceil() as usize).min(x.len()) + 1;
        for w in &x[..prefix.min(x.len())] {
            if let Some(list) = index.get(w) {
                for &j in list {
                    if seen[j] == i || recs[j].review_id == recs[i].review_id {
                        continue;
                    }
                    seen[j] = i;
                    let y = &ordered[j];
                    let (small, big) = if x.len() < y.len() { (x.len(), y.len()) } else { (y.len(), x.len()) };
                    if (small as f64) < threshold * big as f64 {
                        continue;
                    }
                    if sorted_jaccard(x, y) >= threshold {
                        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
            index.entry(*w).or_default().push(i);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..recs.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Recurring> = groups
        .into_values()
        .filter_map(|members| {
            let mut ids: Vec<i64> = members.iter().map(|&i| recs[i].id).collect();
            ids.sort_unstable();
            let mut review_ids: Vec<i64> = members.iter().map(|&i| recs[i].review_id).collect();
            review_ids.sort_unstable();
            review_ids.dedup();
            (review_ids.len() >= 2).then_some(Recurring { ids, review_ids })
        })
        .collect();
    out.sort_by(|a, b| b.review_ids.len().cmp(&a.review_ids.len()).then(a.ids.cmp(&b.ids)));
    out
}

fn sorted_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

// ---------------------------------------------------------------- reviews by theme and year

/// Reviews counted by tag and year.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ThemeTable {
    /// The years shown, oldest first.
    pub years: Vec<i32>,
    /// One row per tag used at least once: the tag, its count per year (same order as
    /// `years`) and its total.
    pub rows: Vec<ThemeRow>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ThemeRow {
    pub tag: Tag,
    pub counts: Vec<usize>,
    pub total: usize,
}

/// Counts each review once per tag it carries, by the year it was opened. `reviews` is
/// (review id, year); `tags` is (review id, tag slug); tags not in `known` are left out.
pub fn theme_table(reviews: &[(i64, i32)], tags: &[(i64, String)], known: &[Tag]) -> ThemeTable {
    let year_of: HashMap<i64, i32> = reviews.iter().copied().collect();
    let years: Vec<i32> = reviews.iter().map(|(_, y)| *y).collect::<BTreeSet<_>>().into_iter().collect();
    let mut counts: BTreeMap<&str, BTreeMap<i32, BTreeSet<i64>>> = BTreeMap::new();
    for (rid, slug) in tags {
        if let Some(y) = year_of.get(rid) {
            counts.entry(slug.as_str()).or_default().entry(*y).or_default().insert(*rid);
        }
    }
    let mut rows: Vec<ThemeRow> = known
        .iter()
        .filter_map(|t| {
            let by_year = counts.get(t.slug.as_str())?;
            let c: Vec<usize> = years.iter().map(|y| by_year.get(y).map_or(0, BTreeSet::len)).collect();
            let total = c.iter().sum();
            Some(ThemeRow { tag: t.clone(), counts: c, total })
        })
        .collect();
    rows.sort_by(|a, b| b.total.cmp(&a.total).then(a.tag.name.cmp(&b.tag.name)));
    ThemeTable { years, rows }
}

// ---------------------------------------------------------------- charts

/// XML text escaping; characters XML 1.0 does not allow are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart as a standalone SVG: each bar with its label and its value
/// written beside it, so the chart reads without colour and in print. `title` is the
/// accessible name.
pub fn bar_chart_svg(title: &str, bars: &[(String, usize)]) -> String {
    let label_w = 230.0;
    let bar_w = 300.0;
    let row_h = 22.0;
    let top = 8.0;
    let width = label_w + bar_w + 60.0;
    let height = top * 2.0 + row_h * bars.len().max(1) as f64;
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\" font-family=\"Arial, Helvetica, sans-serif\" font-size=\"12\"><title>{t}</title>",
        t = esc(title)
    );
    if bars.is_empty() {
        s.push_str(&format!("<text x=\"0\" y=\"{}\" fill=\"#0b0c0c\">Nothing to show</text>", top + 14.0));
    }
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = (*v as f64 / max * bar_w).max(if *v > 0 { 1.0 } else { 0.0 });
        let short: String =
            if label.chars().count() > 36 { format!("{}…", label.chars().take(35).collect::<String>()) } else { label.clone() };
        s.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#0b0c0c\">{l}</text><rect x=\"{bx}\" y=\"{ry}\" width=\"{w:.1}\" height=\"{h}\" fill=\"#1d70b8\"/><text x=\"{vx:.1}\" y=\"{ty}\" fill=\"#0b0c0c\">{v}</text>",
            lx = label_w - 6.0,
            ty = y + 15.0,
            l = esc(&short),
            bx = label_w,
            ry = y + 3.0,
            h = row_h - 6.0,
            vx = label_w + w + 6.0,
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(review_id: i64, id: i64, text: &str) -> RecText {
        RecText { review_id, id, text: text.into() }
    }

    #[test]
    fn the_ofsted_list_is_the_forms() {
        let names: Vec<&str> = OFSTED_CHARACTERISTICS.iter().map(|(_, n)| *n).collect();
        for n in
            ["Domestic violence", "Shaken baby syndrome", "Parent is care leaver", "Long-standing neglect", "More than one child abused"]
        {
            assert!(names.contains(&n), "{n}");
        }
        assert_eq!(names.len(), 16);
        for (slug, name) in OFSTED_CHARACTERISTICS {
            assert_eq!(*slug, slugify(name));
        }
    }

    #[test]
    fn new_tags_are_checked() {
        let known = ofsted_tags();
        assert_eq!(check_new_tag("  Bruising in   non-mobile babies ", &known).map(|x| x.0), Ok("bruising_in_non_mobile_babies".into()));
        assert!(check_new_tag("", &known).is_err());
        assert!(check_new_tag("***", &known).is_err());
        assert!(check_new_tag("domestic violence", &known).is_err());
        assert!(check_new_tag(&"x".repeat(61), &known).is_err());
    }

    #[test]
    fn search_terms_drop_every_operator() {
        assert_eq!(search_terms("\"domestic\" AND vio*lence -neglect"), vec!["domestic", "and", "vio", "lence", "neglect"]);
        assert_eq!(
            search_terms("NEAR(a b, 3) OR 'x' % <script>alert(1)</script>"),
            vec!["near", "a", "b", "3", "or", "x", "script", "alert", "1"]
        );
        assert!(search_terms("").is_empty());
        assert!(search_terms("*** \" ( ) -").is_empty());
        assert_eq!(search_terms(&"word ".repeat(1000)), vec!["word"]);
        assert_eq!(search_terms("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12 m13 n14").len(), MAX_SEARCH_TERMS);
        assert_eq!(search_terms(&"x".repeat(100))[0].len(), MAX_TERM_CHARS);
        assert_eq!(fts5_query(&search_terms("Domestic  violence")), Some("\"domestic\" \"violence\"".into()));
        assert_eq!(fts5_query(&[]), None);
    }

    proptest::proptest! {
        #[test]
        fn fts5_queries_are_only_quoted_words(q in "\\PC{0,200}") {
            if let Some(m) = fts5_query(&search_terms(&q)) {
                for part in m.split(' ') {
                    proptest::prop_assert!(part.len() >= 3 && part.starts_with('"') && part.ends_with('"'));
                    proptest::prop_assert!(part[1..part.len() - 1].chars().all(char::is_alphanumeric));
                }
            }
        }
    }

    #[test]
    fn snippets_split_on_the_marks() {
        let s = format!("a <b> {MARK_START}child{MARK_END} seen\n");
        assert_eq!(snippet_parts(&s), vec![("a <b> ".to_string(), false), ("child".to_string(), true), (" seen ".to_string(), false)]);
    }

    #[test]
    fn words_are_normalised() {
        let w = normalised_words("Agencies should ensure that referrals are recorded");
        assert_eq!(w.into_iter().collect::<Vec<_>>(), vec!["agency", "ensure", "recorded", "referral"]);
        assert!((jaccard(&normalised_words("x y z"), &normalised_words("y z w")) - 0.5).abs() < 1e-9);
        assert_eq!(jaccard(&BTreeSet::new(), &BTreeSet::new()), 0.0);
    }

    #[test]
    fn recurring_recommendations_span_reviews() {
        let recs = vec![
            rec(1, 10, "Health visitors should record the name of every adult living in the household"),
            rec(2, 20, "Health visitors must record the names of all adults living in the household"),
            rec(3, 30, "The police should share domestic violence notifications with schools within 24 hours"),
            rec(4, 40, "Police to share domestic violence notifications with schools within 24 hours of an incident"),
            rec(4, 41, "Children's social care should review its supervision policy"),
            // Alike but in the same review: not a recurrence.
            rec(5, 50, "Training on neglect for all GP practices"),
            rec(5, 51, "Training on neglect for all GP practices and dentists"),
        ];
        let r = recurring(&recs, RECURRING_THRESHOLD);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r.iter().any(|g| g.ids == vec![10, 20] && g.review_ids == vec![1, 2]));
        assert!(r.iter().any(|g| g.ids == vec![30, 40] && g.review_ids == vec![3, 4]));
        // A higher bar separates them.
        assert!(recurring(&recs, 0.95).is_empty());
    }

    #[test]
    fn recurring_matches_the_exhaustive_comparison() {
        // Prefix filtering must find every pair the plain all-pairs comparison finds.
        let words = ["record", "share", "police", "health", "school", "neglect", "training", "supervision", "gp", "visit"];
        let mut recs = Vec::new();
        let mut seed = 7u64;
        for i in 0..120 {
            let mut t = Vec::new();
            for _ in 0..5 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                t.push(words[(seed >> 33) as usize % words.len()]);
            }
            recs.push(rec(i / 2, i, &t.join(" ")));
        }
        for threshold in [0.3, 0.5, 0.8] {
            let sets: Vec<_> = recs.iter().map(|r| normalised_words(&r.text)).collect();
            let mut expected: Vec<(i64, i64)> = Vec::new();
            for i in 0..recs.len() {
                for j in i + 1..recs.len() {
                    if recs[i].review_id != recs[j].review_id && jaccard(&sets[i], &sets[j]) >= threshold {
                        expected.push((recs[i].id, recs[j].id));
                    }
                }
            }
            let groups = recurring(&recs, threshold);
            for (a, b) in expected {
                assert!(groups.iter().any(|g| g.ids.contains(&a) && g.ids.contains(&b)), "{threshold}: {a} {b}");
            }
        }
    }

    #[test]
    fn themes_are_counted_by_year() {
        let known = ofsted_tags();
        let reviews = vec![(1, 2024), (2, 2024), (3, 2025), (4, 2025)];
        let tags = vec![
            (1, "domestic_violence".to_string()),
            (2, "domestic_violence".to_string()),
            (3, "domestic_violence".to_string()),
            (3, "recent_neglect".to_string()),
            (9, "recent_neglect".to_string()),
            (4, "unknown".to_string()),
        ];
        let t = theme_table(&reviews, &tags, &known);
        assert_eq!(t.years, vec![2024, 2025]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[0].tag.slug.as_str(), t.rows[0].counts.clone(), t.rows[0].total), ("domestic_violence", vec![2, 1], 3));
        assert_eq!((t.rows[1].tag.slug.as_str(), t.rows[1].counts.clone(), t.rows[1].total), ("recent_neglect", vec![0, 1], 1));
    }

    #[test]
    fn charts_label_every_bar_and_escape() {
        let svg = bar_chart_svg("Reviews <by> theme", &[("Domestic violence".into(), 3), ("<script>".into(), 0)]);
        assert!(svg.contains(">Domestic violence</text>"));
        assert!(svg.contains(">3</text>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("<title>Reviews &lt;by&gt; theme</title>"));
    }
}
