//! Monitoring the action plans (issue 7 item 3; 001 §2.5, §3.1.5; 002): the traffic-light
//! summary of a set of actions, grouped (by agency for one review, by review for the
//! partnership), and its chart as standalone SVG for the quarterly monitoring report. Every
//! bar carries its words and numbers, so nothing is told by colour alone. Pure: `today` is
//! passed in.

use crate::recommendations::Rag;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The assessments in the order the report lists them (worst first).
pub const ORDER: [Rag; 5] = [Rag::Red, Rag::Amber, Rag::Green, Rag::Completed, Rag::SignedOff];

/// Counts of a group's actions by assessment, and how many are overdue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RagSummary {
    pub counts: BTreeMap<&'static str, usize>,
    pub total: usize,
    /// Past their date and neither completed nor signed off.
    pub overdue: usize,
}

impl RagSummary {
    /// Adds one action.
    pub fn add(&mut self, rag: Rag, due_on: NaiveDate, today: NaiveDate) {
        *self.counts.entry(rag.as_str()).or_default() += 1;
        self.total += 1;
        if due_on < today && !matches!(rag, Rag::Completed | Rag::SignedOff) {
            self.overdue += 1;
        }
    }

    pub fn count(&self, rag: Rag) -> usize {
        self.counts.get(rag.as_str()).copied().unwrap_or(0)
    }

    /// Every action signed off: the review may be concluded (002).
    pub fn all_signed_off(&self) -> bool {
        self.total > 0 && self.count(Rag::SignedOff) == self.total
    }
}

/// Groups (label, assessment, due date) into summaries by label, in label order, with the
/// whole set's summary.
pub fn summarise<'a>(
    actions: impl IntoIterator<Item = (&'a str, Rag, NaiveDate)>,
    today: NaiveDate,
) -> (Vec<(String, RagSummary)>, RagSummary) {
    let mut groups: BTreeMap<String, RagSummary> = BTreeMap::new();
    let mut all = RagSummary::default();
    for (label, rag, due) in actions {
        groups.entry(label.to_string()).or_default().add(rag, due, today);
        all.add(rag, due, today);
    }
    (groups.into_iter().collect(), all)
}

/// The quarter a date falls in, as the report names it: "1 October to 31 December 2026".
pub fn quarter(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_month = (today.month0() / 3) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(today.year(), first_month, 1).unwrap_or(today);
    let end = if first_month == 10 {
        NaiveDate::from_ymd_opt(today.year(), 12, 31)
    } else {
        NaiveDate::from_ymd_opt(today.year(), first_month + 3, 1).and_then(|d| d.pred_opt())
    }
    .unwrap_or(today);
    (start, end)
}

/// Fill and stroke of each assessment's bar segment (the GOV.UK tag colours) and the text
/// colour that keeps 4.5:1 contrast on it.
fn colours(rag: Rag) -> (&'static str, &'static str) {
    match rag {
        Rag::Red => ("#d4351c", "#ffffff"),
        Rag::Amber => ("#ffdd00", "#0b0c0c"),
        Rag::Green => ("#00703c", "#ffffff"),
        Rag::Completed => ("#1d70b8", "#ffffff"),
        Rag::SignedOff => ("#505a5f", "#ffffff"),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal stacked bar per group: each segment labelled with its count (when it has
/// room), the group's counts in words at the end of the bar, and a legend with the words.
pub fn chart_svg(title: &str, groups: &[(String, RagSummary)]) -> String {
    const LABEL_W: f64 = 190.0;
    const BAR_W: f64 = 330.0;
    const ROW_H: f64 = 34.0;
    const TOP: f64 = 40.0;
    let width = LABEL_W + BAR_W + 260.0;
    let legend_y = TOP + ROW_H * groups.len().max(1) as f64 + 16.0;
    let height = legend_y + 30.0;
    let max = groups.iter().map(|(_, s)| s.total).max().unwrap_or(0).max(1) as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="{}">"##,
        esc(title)
    );
    let _ = write!(
        out,
        r##"<rect width="{width}" height="{height}" fill="#ffffff"/><text x="0" y="18" font-size="14" font-weight="bold" fill="#0b0c0c">{}</text>"##,
        esc(title)
    );
    if groups.is_empty() {
        let _ = write!(out, r##"<text x="0" y="{}" fill="#0b0c0c">No actions yet.</text>"##, TOP + 16.0);
    }
    for (i, (label, s)) in groups.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let short: String =
            if label.chars().count() > 28 { format!("{}…", label.chars().take(27).collect::<String>()) } else { label.clone() };
        let _ = write!(out, r##"<text x="0" y="{}" fill="#0b0c0c">{}</text>"##, y + 17.0, esc(&short));
        let mut x = LABEL_W;
        for rag in ORDER {
            let n = s.count(rag);
            if n == 0 {
                continue;
            }
            let w = BAR_W * n as f64 / max;
            let (fill, ink) = colours(rag);
            let _ = write!(out, r##"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="24" fill="{fill}" stroke="#ffffff"/>"##);
            if w >= 16.0 {
                let _ = write!(out, r##"<text x="{:.1}" y="{}" fill="{ink}" text-anchor="middle">{n}</text>"##, x + w / 2.0, y + 16.0);
            }
            x += w;
        }
        let words: Vec<String> =
            ORDER.iter().filter(|r| s.count(**r) > 0).map(|r| format!("{} {}", s.count(*r), r.word().to_lowercase())).collect();
        let overdue = if s.overdue > 0 { format!("; {} overdue", s.overdue) } else { String::new() };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{}" fill="#0b0c0c">{}{}</text>"##,
            LABEL_W + BAR_W + 8.0,
            y + 17.0,
            esc(&words.join(", ")),
            overdue
        );
    }
    let mut x = 0.0;
    for rag in ORDER {
        let (fill, _) = colours(rag);
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{fill}"/><text x="{}" y="{}" fill="#0b0c0c">{}</text>"##,
            x + 16.0,
            legend_y + 11.0,
            rag.word()
        );
        x += 16.0 + 8.0 * rag.word().len() as f64 + 24.0;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn summaries_count_by_assessment_and_overdue() {
        let today = d("2026-11-23");
        let actions = [
            ("Health", Rag::Red, d("2026-10-01")),
            ("Health", Rag::Completed, d("2026-10-01")),
            ("Police", Rag::Green, d("2027-01-01")),
            ("Police", Rag::Amber, d("2026-11-22")),
            ("Police", Rag::SignedOff, d("2026-01-01")),
        ];
        let (groups, all) = summarise(actions, today);
        assert_eq!(
            groups.iter().map(|(l, s)| (l.as_str(), s.total, s.overdue)).collect::<Vec<_>>(),
            vec![("Health", 2, 1), ("Police", 3, 1)]
        );
        assert_eq!((all.total, all.overdue, all.count(Rag::Red), all.count(Rag::SignedOff)), (5, 2, 1, 1));
        assert!(!all.all_signed_off());
        let (_, done) = summarise([("X", Rag::SignedOff, d("2026-01-01"))], today);
        assert!(done.all_signed_off());
        assert!(!RagSummary::default().all_signed_off(), "no actions is not a finished plan");
    }

    #[test]
    fn quarters() {
        for (day, start, end) in [
            ("2026-11-23", "2026-10-01", "2026-12-31"),
            ("2026-01-01", "2026-01-01", "2026-03-31"),
            ("2026-06-30", "2026-04-01", "2026-06-30"),
            ("2028-08-15", "2028-07-01", "2028-09-30"),
        ] {
            assert_eq!(quarter(d(day)), (d(start), d(end)), "{day}");
        }
    }

    #[test]
    fn the_chart_labels_every_bar_in_words_and_escapes_names() {
        let today = d("2026-11-23");
        let (groups, _) = summarise([("Health <NHS>", Rag::Red, d("2026-01-01")), ("Police", Rag::Green, d("2027-01-01"))], today);
        let svg = chart_svg("Actions by agency", &groups);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Health &lt;NHS&gt;") && !svg.contains("<NHS>"));
        assert!(svg.contains("1 red; 1 overdue") && svg.contains("1 green"), "{svg}");
        for w in ["Red", "Amber", "Green", "Completed", "Signed off"] {
            assert!(svg.contains(&format!(">{w}</text>")), "legend {w}");
        }
        assert!(chart_svg("None", &[]).contains("No actions yet."));
    }
}
