//! Learning across reviews, gathered for the trends page and the annual lessons report
//! (001 §3.1.5: "the lessons to be learned ... are to be collated annually by the Manager
//! and the results reported to the Board and disseminated to partner agencies"). Takes the
//! store, not the web state, so the command line builds the same report.

use crate::renderings::Format;
use casereview_core::learning::{self, RecText, Tag, ThemeTable, RECURRING_THRESHOLD};
use casereview_core::lifecycle::{ReviewKind, ReviewState};
use casereview_render::{Branding, Logo, Marking, Part, RenderDoc, RenderError};
use casereview_store::{year_of, LearningRecommendation, LearningReview, Scope, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A recommendation made again, in similar words, in other reviews.
#[derive(Debug, Clone, Serialize)]
pub struct RecurringView {
    /// The words of the earliest of them.
    pub text: String,
    /// Every review it was made in, by reference.
    pub references: Vec<String>,
    /// How many recommendations are in the group.
    pub count: usize,
}

/// The figures of the trends page.
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    pub tags: Vec<Tag>,
    pub themes: ThemeTable,
    pub recurring: Vec<RecurringView>,
    /// (agency, overdue actions), the most first.
    pub overdue: Vec<(String, i64)>,
    /// How many reviews the figures cover.
    pub reviews: usize,
}

fn recurring_views(recs: &[LearningRecommendation]) -> Vec<RecurringView> {
    let texts: Vec<RecText> = recs.iter().map(|r| RecText { review_id: r.review_id, id: r.id, text: r.text.clone() }).collect();
    let by_id: HashMap<i64, &LearningRecommendation> = recs.iter().map(|r| (r.id, r)).collect();
    learning::recurring(&texts, RECURRING_THRESHOLD)
        .into_iter()
        .filter_map(|g| {
            let first = by_id.get(g.ids.first()?)?;
            let mut references: Vec<String> = g.ids.iter().filter_map(|id| by_id.get(id).map(|r| r.reference.clone())).collect();
            references.dedup();
            Some(RecurringView { text: first.text.clone(), references, count: g.ids.len() })
        })
        .collect()
}

/// Reviews by theme and year, recurring recommendations and overdue actions of the reviews
/// `scope` may see.
pub async fn trends(store: &Store, scope: &Scope, today: NaiveDate) -> Result<Trends, StoreError> {
    let tags = store.learning_tags(scope.partnership_id).await?;
    let reviews = store.learning_reviews(scope, None).await?;
    let years: Vec<(i64, i32)> = reviews.iter().map(|r| (r.id, year_of(r))).collect();
    let review_tags = store.learning_review_tags(scope).await?;
    let themes = learning::theme_table(&years, &review_tags, &tags);
    let recs = store.learning_recommendations(scope).await?;
    let overdue = store.overdue_actions_by_agency(scope, today).await?;
    Ok(Trends { tags, themes, recurring: recurring_views(&recs), overdue, reviews: reviews.len() })
}

/// The chart of a theme table's totals.
pub fn themes_chart(t: &ThemeTable, title: &str) -> String {
    let bars: Vec<(String, usize)> = t.rows.iter().map(|r| (r.tag.name.clone(), r.total)).collect();
    learning::bar_chart_svg(title, &bars)
}

/// A review kind or state as people read it.
fn kind_title(kind: Option<&str>) -> String {
    kind.and_then(|k| k.parse::<ReviewKind>().ok()).map_or_else(|| "Not yet decided".to_string(), |k| k.title().to_string())
}

fn state_title(state: &str) -> String {
    state.parse::<ReviewState>().map_or_else(|_| state.to_string(), |s| s.title().to_string())
}

/// A traffic-light assessment as people read it.
pub fn rag_title(rag: &str) -> &str {
    match rag {
        "red" => "Red",
        "amber" => "Amber",
        "green" => "Green",
        "completed" => "Completed",
        "signed_off" => "Signed off",
        other => other,
    }
}

/// The annual lessons report of `year` as a document: the reviews opened that year with
/// their themes and lessons, the themes charted, the recommendations made (and those made
/// again from earlier reviews), and the action plans' progress with what is overdue.
pub async fn annual_report(store: &Store, scope: &Scope, year: i32, today: NaiveDate) -> Result<RenderDoc, StoreError> {
    let p = store.partnership(scope.partnership_id).await?;
    let logo = store.partnership_logo(scope.partnership_id).await?.map(|(kind, bytes)| match kind.as_str() {
        "svg" => Logo::Svg(String::from_utf8_lossy(&bytes).into_owned()),
        _ => Logo::Png(bytes),
    });
    let tags = store.learning_tags(scope.partnership_id).await?;
    let tag_name: HashMap<&str, &str> = tags.iter().map(|t| (t.slug.as_str(), t.name.as_str())).collect();
    let reviews: Vec<LearningReview> = store.learning_reviews(scope, Some(year)).await?;
    let in_year: HashMap<i64, &LearningReview> = reviews.iter().map(|r| (r.id, r)).collect();
    let all_tags = store.learning_review_tags(scope).await?;
    let mut tags_of: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (rid, slug) in &all_tags {
        if in_year.contains_key(rid) {
            tags_of.entry(*rid).or_default().push(tag_name.get(slug.as_str()).copied().unwrap_or(slug.as_str()));
        }
    }
    let years: Vec<(i64, i32)> = reviews.iter().map(|r| (r.id, year)).collect();
    let themes = learning::theme_table(&years, &all_tags, &tags);
    let lessons: HashMap<i64, String> =
        store.learning_lessons(scope).await?.into_iter().filter(|(rid, _)| in_year.contains_key(rid)).collect();
    let all_recs = store.learning_recommendations(scope).await?;
    let year_recs: Vec<&LearningRecommendation> = all_recs.iter().filter(|r| in_year.contains_key(&r.review_id)).collect();
    // Recurrences that involve this year's reviews, traced back to earlier ones.
    let recurring: Vec<RecurringView> = {
        let views = recurring_views(&all_recs);
        let refs: Vec<&str> = reviews.iter().map(|r| r.reference.as_str()).collect();
        views.into_iter().filter(|v| v.references.iter().any(|x| refs.contains(&x.as_str()))).collect()
    };
    let rag = store.action_rag_counts(scope, Some(year)).await?;
    let overdue = store.overdue_actions_by_agency(scope, today).await?;

    let mut parts = vec![
        Part::Paragraphs(vec![
            format!(
                "This report collates the lessons of the Serious Case and Lessons Learned Reviews {} opened in {year}, for the Board and for dissemination to partner agencies (Medway procedures §3.1.5; Working Together ch. 8 §13-14).",
                p.name
            ),
            format!("Prepared on {} from the review records.", today.format("%d/%m/%Y")),
        ]),
        Part::Heading { level: 1, text: "Summary".into() },
        Part::Fields(vec![
            (format!("Reviews opened in {year}"), reviews.len().to_string()),
            ("Reviews with lessons recorded".into(), lessons.len().to_string()),
            ("Recommendations made".into(), year_recs.len().to_string()),
            ("Recommendations made again from other reviews".into(), recurring.len().to_string()),
            ("Actions overdue across the partnership".into(), overdue.iter().map(|(_, n)| n).sum::<i64>().to_string()),
        ]),
    ];
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for r in &reviews {
        *by_kind.entry(kind_title(r.kind.as_deref())).or_default() += 1;
    }
    parts.push(Part::Heading { level: 1, text: "Reviews".into() });
    if reviews.is_empty() {
        parts.push(Part::Paragraphs(vec![format!("No review was opened in {year}.")]));
    } else {
        parts.push(Part::Table {
            header: vec!["Kind of review".into(), "Reviews".into()],
            widths: vec![3, 1],
            rows: by_kind.into_iter().map(|(k, n)| vec![k, n.to_string()]).collect(),
        });
        parts.push(Part::Table {
            header: vec!["Review".into(), "Kind".into(), "Stage".into(), "Themes and characteristics".into()],
            widths: vec![2, 2, 2, 4],
            rows: reviews
                .iter()
                .map(|r| {
                    vec![
                        r.reference.clone(),
                        kind_title(r.kind.as_deref()),
                        state_title(&r.state),
                        tags_of.get(&r.id).map_or_else(|| "None recorded".to_string(), |t| t.join(", ")),
                    ]
                })
                .collect(),
        });
    }
    parts.push(Part::Heading { level: 1, text: "Themes and case characteristics".into() });
    if themes.rows.is_empty() {
        parts.push(Part::Paragraphs(vec!["No review opened this year has been tagged with a theme.".into()]));
    } else {
        let title = format!("Reviews opened in {year} by theme");
        parts.push(Part::Svg { svg: themes_chart(&themes, &title), caption: title });
        parts.push(Part::Table {
            header: vec!["Theme or characteristic".into(), "Reviews".into()],
            widths: vec![4, 1],
            rows: themes.rows.iter().map(|r| vec![r.tag.name.clone(), r.total.to_string()]).collect(),
        });
    }
    parts.push(Part::Heading { level: 1, text: "Lessons".into() });
    if lessons.is_empty() {
        parts.push(Part::Paragraphs(vec!["No lessons have been recorded yet for the reviews opened this year.".into()]));
    }
    for r in &reviews {
        if let Some(l) = lessons.get(&r.id) {
            parts.push(Part::Heading { level: 2, text: r.reference.clone() });
            parts.push(Part::Paragraphs(l.split("\n\n").map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()));
        }
    }
    parts.push(Part::Heading { level: 1, text: "Recommendations".into() });
    if year_recs.is_empty() {
        parts.push(Part::Paragraphs(vec!["No recommendations have been recorded yet for the reviews opened this year.".into()]));
    } else {
        parts.push(Part::Table {
            header: vec!["Review".into(), "No.".into(), "Recommendation".into()],
            widths: vec![2, 1, 7],
            rows: year_recs.iter().map(|r| vec![r.reference.clone(), r.number.to_string(), r.text.clone()]).collect(),
        });
    }
    if !recurring.is_empty() {
        parts.push(Part::Heading { level: 2, text: "Recommendations made again".into() });
        parts.push(Part::Paragraphs(vec![
            "Recommendations in similar words in more than one review: the same lesson, not yet learned.".into()
        ]));
        parts.push(Part::Table {
            header: vec!["Recommendation".into(), "Reviews".into()],
            widths: vec![6, 3],
            rows: recurring.iter().map(|v| vec![v.text.clone(), v.references.join(", ")]).collect(),
        });
    }
    parts.push(Part::Heading { level: 1, text: "Action plans".into() });
    let order = ["red", "amber", "green", "completed", "signed_off"];
    let rag_map: HashMap<&str, i64> = rag.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    if rag.is_empty() {
        parts.push(Part::Paragraphs(vec!["No actions have been agreed yet for the reviews opened this year.".into()]));
    } else {
        let bars: Vec<(String, usize)> =
            order.iter().map(|k| (rag_title(k).to_string(), rag_map.get(k).copied().unwrap_or(0).max(0) as usize)).collect();
        let title = format!("Actions of the reviews opened in {year} by assessment");
        parts.push(Part::Svg { svg: learning::bar_chart_svg(&title, &bars), caption: title });
        parts.push(Part::Table {
            header: vec!["Assessment".into(), "Actions".into()],
            widths: vec![3, 1],
            rows: bars.iter().map(|(k, n)| vec![k.clone(), n.to_string()]).collect(),
        });
    }
    parts.push(Part::Heading { level: 2, text: format!("Actions overdue on {}", today.format("%d/%m/%Y")) });
    if overdue.is_empty() {
        parts.push(Part::Paragraphs(vec!["No action is overdue.".into()]));
    } else {
        parts.push(Part::Table {
            header: vec!["Agency".into(), "Overdue actions".into()],
            widths: vec![3, 1],
            rows: overdue.iter().map(|(a, n)| vec![a.clone(), n.to_string()]).collect(),
        });
    }
    Ok(RenderDoc {
        title: format!("Annual lessons report {year}"),
        subtitle: vec![p.name.clone(), format!("Reviews opened 1 January to 31 December {year}")],
        branding: Branding { name: p.name, logo },
        marking: Marking { draft: false, confidential: true, prepared_for: None },
        parts,
    })
}

/// Why an annual report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AnnualError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl From<AnnualError> for crate::error::WebError {
    fn from(e: AnnualError) -> Self {
        match e {
            AnnualError::Store(s) => s.into(),
            AnnualError::Render(r) => crate::error::WebError::Internal(r.to_string()),
        }
    }
}

/// The annual report as a file.
pub async fn render_annual(store: &Store, scope: &Scope, year: i32, format: Format, today: NaiveDate) -> Result<Vec<u8>, AnnualError> {
    let doc = annual_report(store, scope, year, today).await?;
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Pdf => casereview_render::pdf::render(&doc),
        Format::Docx => casereview_render::docx::render(&doc),
    })
    .await
    .map_err(|e| RenderError::Typeset(format!("the renderer stopped: {e}")))??;
    Ok(bytes)
}
