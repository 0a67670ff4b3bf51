//! The files a review produces, as a board would sign or send them: its documents (terms of
//! reference, overview report, executive summary, Ofsted notification), the letters of 001
//! App. XI for each addressee, and the referral form, as PDF or DOCX. This module gathers
//! what the review's record says, fills the templates (`casereview_core::documents`,
//! `letters`, `markup`), lays them out with `casereview_render`, and records every copy
//! (who it was made for, which version, draft or not) before handing it over. It takes the
//! store, not the web state, so the command line renders the same files.

use crate::deadlines;
use casereview_core::documents::{DocumentKind, DocumentStatus};
use casereview_core::letters::{self, AgencyContact, ImrFact, LetterFacts, LetterKind, PractitionerFact};
use casereview_core::markup::{self, Block, Inline};
use casereview_core::referral::Referral;
use casereview_core::Role;
use casereview_render::{Branding, Logo, Marking, Part, RenderDoc, RenderError};
use casereview_store::{Actor, DocumentRecord, NewCopy, ReviewRecord, Store, StoreError, User};
use chrono::NaiveDate;
use std::str::FromStr;

/// Something a review can be rendered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Document(DocumentKind),
    Letter(LetterKind),
    /// The referral form (001 App. I, Section 1), printable.
    ReferralForm,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Document(k) => k.as_str(),
            Product::Letter(l) => l.as_str(),
            Product::ReferralForm => "referral_form",
        }
    }
    pub fn title(self) -> String {
        match self {
            Product::Document(k) => k.title().to_string(),
            Product::Letter(l) => format!("Letter {}: {}", l.number(), l.title()),
            Product::ReferralForm => "Referral for a case review".to_string(),
        }
    }
}

impl FromStr for Product {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "referral_form" {
            return Ok(Product::ReferralForm);
        }
        if let Ok(k) = s.parse::<DocumentKind>() {
            return Ok(Product::Document(k));
        }
        s.parse::<LetterKind>().map(Product::Letter).map_err(|_| {
            format!("unknown document '{s}': choose terms_of_reference, overview_report, executive_summary, ofsted_notification, referral_form or letter-1 to letter-7")
        })
    }
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "docx" => Ok(Format::Docx),
            other => Err(format!("unknown format '{other}': choose pdf or docx")),
        }
    }
}

/// What the caller asks for besides the product.
#[derive(Debug, Clone)]
pub struct Request {
    pub format: Format,
    /// Who the copy is made for, as printed on every page: "Ann Hall (Board manager)".
    pub made_for: String,
    /// For a letter: only the copy to this addressee (0-based); all addressees otherwise.
    pub to: Option<usize>,
    /// For letters 4 and 7: date, time and venue of the (de-)briefing.
    pub event: String,
}

/// Why a file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderFailure {
    /// Not at this point of the review, or nothing to render yet; the reason says which.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// A rendered file, recorded as a copy.
#[derive(Debug)]
pub struct RenderedFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
    pub copy_id: i64,
    pub draft: bool,
}

fn d(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

fn yes_no(b: bool) -> String {
    if b { "Yes" } else { "No" }.to_string()
}

/// The people of the review by role: the names documents may print.
struct People {
    board_chair: String,
    panel_chair: String,
    board_manager: String,
    overview_author: String,
    /// Panel members other than the chair: (name, position, organisation).
    panel: Vec<(String, String, String)>,
}

async fn people(store: &Store, r: &ReviewRecord) -> Result<People, StoreError> {
    let members = store.members(r.summary.id).await?;
    let all = store.users(r.summary.partnership_id).await?;
    let agencies = store.agencies(r.summary.partnership_id).await?;
    let agency_of = |u: &User| u.agency_id.and_then(|id| agencies.iter().find(|a| a.id == id)).map(|a| a.name.clone()).unwrap_or_default();
    // A review's own member in the role first, else the partnership's.
    let named = |role: Role| -> String {
        members.iter().chain(all.iter()).find(|u| u.role == role && u.active).map(|u| u.name.clone()).unwrap_or_default()
    };
    Ok(People {
        board_chair: named(Role::BoardChair),
        panel_chair: named(Role::PanelChair),
        board_manager: named(Role::PartnershipAdmin),
        overview_author: named(Role::OverviewAuthor),
        panel: members
            .iter()
            .filter(|u| u.role == Role::PanelMember)
            .map(|u| (u.name.clone(), u.role.title().to_string(), agency_of(u)))
            .collect(),
    })
}

/// The partnership's name and logo.
async fn branding(store: &Store, partnership_id: i64) -> Result<Branding, StoreError> {
    let p = store.partnership(partnership_id).await?;
    let logo = store.partnership_logo(partnership_id).await?.map(|(kind, bytes)| match kind.as_str() {
        "svg" => Logo::Svg(String::from_utf8_lossy(&bytes).into_owned()),
        _ => Logo::Png(bytes),
    });
    Ok(Branding { name: p.name, logo })
}

/// Fills `{{field}}` placeholders from what the system knows of the review.
pub fn fill_field(name: &str, r: &ReviewRecord, partnership: &str) -> Option<String> {
    Some(match name {
        "review.reference" => r.summary.reference.clone(),
        "review.kind" => r.summary.kind.map(|k| k.title().to_string()).unwrap_or_default(),
        "partnership.name" => partnership.to_string(),
        "child.name" => r.referral.child.name.clone(),
        "child.date_of_birth" => d(r.referral.child.date_of_birth),
        "child.date_of_death" => d(r.referral.child.date_of_death),
        "incident.date" => d(r.referral.incident_date),
        _ => return None,
    })
}

fn markup_part(text: &str, fill: &dyn Fn(&str) -> Option<String>) -> Result<Part, RenderFailure> {
    let mut doc = markup::parse(text, &markup::Limits::default()).map_err(|e| RenderFailure::Unavailable(e.to_string()))?;
    casereview_render::fill_placeholders(&mut doc, fill);
    Ok(Part::Markup(doc))
}

fn child_fields(f: &Referral) -> Part {
    let c = &f.child;
    Part::Fields(vec![
        ("Name".into(), c.name.clone()),
        ("Date of birth".into(), d(c.date_of_birth)),
        ("Date of death".into(), d(c.date_of_death)),
        ("Home address".into(), c.home_address.clone()),
        ("Educational establishment".into(), c.educational_establishment.clone()),
        ("Ethnic origin".into(), c.ethnic_origin.clone()),
        ("Religion".into(), c.religion.clone()),
        ("Subject of a child protection plan".into(), yes_no(c.child_protection_plan)),
    ])
}

fn family_table(f: &Referral) -> Part {
    Part::Table {
        header: ["Name", "Relationship to the child", "Date of birth", "Address", "Ethnic origin"].map(String::from).to_vec(),
        widths: vec![3, 3, 2, 4, 2],
        rows: f
            .family
            .iter()
            .map(|m| vec![m.name.clone(), m.relationship.clone(), d(m.date_of_birth), m.address.clone(), m.ethnic_origin.clone()])
            .collect(),
    }
}

fn agencies_table(f: &Referral) -> Part {
    Part::Table {
        header: ["Agency", "Officer", "Position", "Contact", "Still involved"].map(String::from).to_vec(),
        widths: vec![3, 3, 3, 3, 1],
        rows: f
            .agencies_involved
            .iter()
            .map(|a| vec![a.agency.clone(), a.officer.clone(), a.position.clone(), a.contact.clone(), yes_no(a.still_involved)])
            .collect(),
    }
}

/// The whole review record gathered once for a rendering.
struct Gathered {
    today: NaiveDate,
    branding: Branding,
    people: People,
    deadlines: Vec<deadlines::DeadlineView>,
}

async fn gather(store: &Store, r: &ReviewRecord, today: NaiveDate) -> Result<Gathered, RenderFailure> {
    let partnership = store.partnership(r.summary.partnership_id).await?;
    let clock = deadlines::clock_for(store, &partnership).await.map_err(|e| RenderFailure::Unavailable(e.to_string()))?;
    let deadlines = deadlines::for_reviews(store, &clock, &[r.summary.id], today)
        .await
        .map_err(|e| RenderFailure::Unavailable(e.to_string()))?
        .remove(&r.summary.id)
        .unwrap_or_default();
    Ok(Gathered { today, branding: branding(store, r.summary.partnership_id).await?, people: people(store, r).await?, deadlines })
}

/// Builds one of the review's documents from its latest version (or its approved one).
async fn document_doc(
    store: &Store,
    r: &ReviewRecord,
    kind: DocumentKind,
    g: &Gathered,
) -> Result<(RenderDoc, DocumentRecord), RenderFailure> {
    let Some(doc) = store.document(r.summary.id, kind).await? else {
        let why = kind.available(r.summary.state, r.summary.kind).err().unwrap_or_else(|| "nothing has been written yet".to_string());
        return Err(RenderFailure::Unavailable(format!("The {} cannot be rendered: {why}", kind.title().to_lowercase())));
    };
    let partnership = g.branding.name.clone();
    let fill = |name: &str| fill_field(name, r, &partnership);
    // A published document is printed exactly as it was published: anonymised.
    let published = if doc.status == DocumentStatus::Published { store.published_sections(doc.id).await? } else { None };
    let texts = published.as_ref().unwrap_or(&doc.sections);
    let mut parts = Vec::new();
    for (sid, title, _) in kind.sections() {
        parts.push(Part::Heading { level: 1, text: title.to_string() });
        // What the system knows comes first, the author's text after it. A published copy
        // carries only the anonymised text and the summary's panel by position: the tables,
        // genogram and chronology hold real names.
        let filled =
            if published.is_some() && (kind, *sid) != (DocumentKind::ExecutiveSummary, "panel") { None } else { Some((kind, *sid)) };
        match filled.unwrap_or((kind, "")) {
            (DocumentKind::TermsOfReference | DocumentKind::OfstedNotification, "child") => parts.push(child_fields(&r.referral)),
            (DocumentKind::TermsOfReference, "family") => parts.push(family_table(&r.referral)),
            (DocumentKind::TermsOfReference, "contributors") => {
                let imrs = store.imrs(r.summary.id).await?;
                if !imrs.is_empty() {
                    parts.push(Part::Table {
                        header: ["Agency", "IMR author", "Requested", "Due"].map(String::from).to_vec(),
                        widths: vec![4, 3, 2, 2],
                        rows: imrs
                            .iter()
                            .map(|i| vec![i.agency.clone(), i.author_name.clone(), d(Some(i.requested_on)), d(Some(i.due_on))])
                            .collect(),
                    });
                } else {
                    parts.push(agencies_table(&r.referral));
                }
            }
            (DocumentKind::TermsOfReference, "timetable") => parts.push(Part::Table {
                header: ["Step", "Due", "Basis", "Status"].map(String::from).to_vec(),
                widths: vec![4, 2, 4, 2],
                rows: g
                    .deadlines
                    .iter()
                    .map(|x| vec![x.title.clone(), x.due_display(), x.basis.clone(), x.status_title().to_string()])
                    .collect(),
            }),
            (DocumentKind::TermsOfReference, "period") => {
                // The scoping the panel agreed (scoping_routes), when it has been recorded.
                if let Some(sc) = store.single_record::<casereview_core::scoping::Scoping>(r.summary.id).await? {
                    let sc = sc.body;
                    parts.push(Part::Fields(vec![
                        ("Start of the period".into(), d(sc.period_from)),
                        ("Cut-off date".into(), d(sc.period_to)),
                        ("Review to be completed by".into(), d(sc.complete_by)),
                        ("Independent experts".into(), if sc.experts.is_empty() { "None".into() } else { sc.experts.join("; ") }),
                    ]));
                }
            }
            (DocumentKind::TermsOfReference | DocumentKind::OverviewReport, "family_involvement") => {
                if let Some(f) = store.single_record::<casereview_core::involvement::FamilyInvolvement>(r.summary.id).await? {
                    parts.push(markup_part(&f.body.report_text(), &fill)?);
                }
            }
            (DocumentKind::TermsOfReference, "parallel") => {
                let procs = store.records::<casereview_core::proceedings::Proceeding>(r.summary.id).await?;
                if !procs.is_empty() {
                    parts.push(Part::Table {
                        header: ["Proceedings", "Status", "Contact", "Effect on the review"].map(String::from).to_vec(),
                        widths: vec![4, 2, 3, 5],
                        rows: procs
                            .iter()
                            .map(|p| {
                                let p = &p.body;
                                let effects: Vec<&str> = p.effects().into_iter().map(|e| e.text()).collect();
                                vec![
                                    format!("{}: {}", p.kind.title(), p.description),
                                    p.status.as_str().to_string(),
                                    p.contact.clone(),
                                    effects.join("; "),
                                ]
                            })
                            .collect(),
                    });
                }
            }
            (DocumentKind::TermsOfReference, "media_legal") => {
                if let Some(sc) = store.single_record::<casereview_core::scoping::Scoping>(r.summary.id).await? {
                    let answer = |k: &str| sc.body.answers.get(k).cloned().unwrap_or_default();
                    parts.push(Part::Fields(vec![("Media".into(), answer("media")), ("Legal advice".into(), answer("legal"))]));
                }
            }
            (DocumentKind::OfstedNotification, "notifier") => parts.push(Part::Fields(vec![
                ("Local authority / partnership".into(), partnership.clone()),
                ("Name".into(), g.people.board_manager.clone()),
                ("Role".into(), "Board manager".into()),
                ("Review reference".into(), r.summary.reference.clone()),
            ])),
            (DocumentKind::OverviewReport, "introduction") => parts.push(Part::Table {
                header: ["Panel member", "Position", "Organisation"].map(String::from).to_vec(),
                widths: vec![3, 3, 4],
                rows: std::iter::once((g.people.panel_chair.clone(), "Panel chair".to_string(), partnership.clone()))
                    .chain(g.people.panel.iter().cloned())
                    .map(|(a, b, c)| vec![a, b, c])
                    .collect(),
            }),
            (DocumentKind::ExecutiveSummary, "panel") => {
                // 003 §3.10: members by position and organisation; only three people named.
                let mut rows = vec![
                    vec![format!("{} (chair of the board)", g.people.board_chair), partnership.clone()],
                    vec![format!("{} (chair of the review panel)", g.people.panel_chair), partnership.clone()],
                    vec![format!("{} (overview author)", g.people.overview_author), "Independent".to_string()],
                ];
                rows.extend(g.people.panel.iter().map(|(_, position, org)| vec![position.clone(), org.clone()]));
                parts.push(Part::Table { header: vec!["Member".into(), "Organisation".into()], widths: vec![1, 1], rows });
            }
            (DocumentKind::OverviewReport, "imr_recommendations") => {
                // Each agency's recommendations, as its IMR gives them (001 App. VII).
                for imr in store.imrs(r.summary.id).await? {
                    let text = imr.sections.get("recommendations").map(String::as_str).unwrap_or("").trim().to_string();
                    if text.is_empty() {
                        continue;
                    }
                    parts.push(Part::Heading { level: 2, text: format!("{} ({})", imr.agency, imr.status.title()) });
                    parts.push(markup_part(&text, &fill)?);
                }
            }
            (DocumentKind::OverviewReport, "facts") => {
                if let Some(f) = store.family(r.summary.id).await? {
                    // Ages as they were when the child died or was harmed, as the report tells it.
                    let at = r.referral.child.date_of_death.or(r.referral.incident_date).unwrap_or(g.today);
                    if let Ok(svg) = casereview_core::genogram::svg(&f.family, at) {
                        parts.push(Part::Svg { svg, caption: "Genogram of the family and household".to_string() });
                    }
                }
                let entries = store.chronology_entries(r.summary.id, None).await?;
                if !entries.is_empty() {
                    let (i, _) = crate::chronology::integrate(entries, &Default::default());
                    parts.push(Part::Heading { level: 2, text: "Integrated chronology".to_string() });
                    parts.push(Part::Table {
                        header: ["No.", "Date", "Agency", "Child / family member", "Professional", "Significant event", "Comment"]
                            .map(String::from)
                            .to_vec(),
                        widths: vec![1, 2, 3, 3, 3, 8, 6],
                        rows: i
                            .entries
                            .iter()
                            .map(|ie| {
                                let e = &ie.entry;
                                vec![
                                    ie.position.to_string(),
                                    e.when(),
                                    e.agency.clone(),
                                    e.subject.clone(),
                                    e.professional.clone(),
                                    e.event.clone(),
                                    e.comment.clone(),
                                ]
                            })
                            .collect(),
                    });
                }
            }
            _ => {}
        }
        let text = texts.get(*sid).map(String::as_str).unwrap_or("");
        if text.trim().is_empty() {
            parts.push(Part::Paragraphs(vec!["Not yet written.".to_string()]));
        } else {
            parts.push(markup_part(text, &fill)?);
        }
    }
    if kind == DocumentKind::OverviewReport {
        parts.push(Part::Signature {
            name: if doc.signed_by.is_empty() { g.people.overview_author.clone() } else { doc.signed_by.clone() },
            position: "Overview author".to_string(),
            date: d(doc.signed_on),
        });
    }
    let status = match doc.status {
        DocumentStatus::Draft => "draft",
        DocumentStatus::Circulated => "draft circulated for comment",
        DocumentStatus::Approved => "approved",
        DocumentStatus::Published => "published",
    };
    let mut subtitle = vec![
        format!("{} · {}", r.summary.reference, r.summary.kind.map(|k| k.title()).unwrap_or("Referral")),
        // Drafts are dated (001 §2.3.4): the date this version was saved.
        format!("Version {} of {}, {status}", doc.version, doc.updated_at.format("%d/%m/%Y")),
    ];
    if let (Some(on), false) = (doc.signed_on, doc.signed_by.is_empty()) {
        subtitle.push(format!("Signed by {} on {}", doc.signed_by, on.format("%d/%m/%Y")));
    }
    let rd = RenderDoc { title: kind.title().to_string(), subtitle, branding: g.branding.clone(), marking: Marking::default(), parts };
    Ok((rd, doc))
}

/// What the letters draw on, from the review's record.
async fn letter_facts(store: &Store, r: &ReviewRecord, g: &Gathered, today: NaiveDate, event: &str) -> Result<LetterFacts, StoreError> {
    let f = &r.referral;
    let meetings = store.screening_meetings(r.summary.id).await?;
    let decision = store.decision(r.summary.id).await?;
    let imrs = store.imrs(r.summary.id).await?;
    let practitioners = store.practitioners(r.summary.id).await?;
    let parent_words = ["mother", "father", "parent", "carer", "stepfather", "stepmother", "step-father", "step-mother", "guardian"];
    let information_due =
        g.deadlines.iter().filter(|x| x.step.contains("information") || x.step.contains("screen")).find_map(|x| x.due_date);
    Ok(LetterFacts {
        partnership: g.branding.name.clone(),
        reference: r.summary.reference.clone(),
        today: Some(today),
        child_name: f.child.name.clone(),
        child_date_of_birth: f.child.date_of_birth,
        child_date_of_death: f.child.date_of_death,
        child_address: f.child.home_address.clone(),
        circumstances: f.incident_details.chars().take(200).collect(),
        referral_received: Some(r.summary.created_at.date_naive()),
        referrer: [f.referrer.position.as_str(), f.referrer.agency.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", "),
        agencies: f
            .agencies_involved
            .iter()
            .map(|a| AgencyContact { agency: a.agency.clone(), officer: a.officer.clone(), position: a.position.clone() })
            .collect(),
        parents: f
            .family
            .iter()
            .filter(|m| {
                let rel = m.relationship.to_lowercase();
                parent_words.iter().any(|w| rel.split(|c: char| !c.is_alphanumeric() && c != '-').any(|t| t == *w))
            })
            .map(|m| m.name.clone())
            .collect(),
        imrs: imrs.iter().map(|i| ImrFact { agency: i.agency.clone(), author: i.author_name.clone(), due_on: i.due_on }).collect(),
        practitioners: practitioners
            .iter()
            .map(|p| PractitionerFact { name: p.name.clone(), role: p.role.clone(), agency: p.agency.clone() })
            .collect(),
        panel_meeting: meetings.last().map(|m| m.meeting.held_on),
        information_due,
        decision: decision.map(|x| (x.decision.kind, x.decision.decided_on)),
        board_chair: g.people.board_chair.clone(),
        panel_chair: g.people.panel_chair.clone(),
        board_manager: g.people.board_manager.clone(),
        overview_author: g.people.overview_author.clone(),
        event: event.trim().to_string(),
    })
}

/// The addressees of a letter for this review, with its availability.
/// Every letter with its addressees for this review and whether it can be sent now; the
/// review's facts are gathered once for all seven.
pub async fn letter_addressees(
    store: &Store,
    r: &ReviewRecord,
    today: NaiveDate,
) -> Result<Vec<(LetterKind, Vec<letters::Addressee>, Result<(), String>)>, RenderFailure> {
    let g = gather(store, r, today).await?;
    let facts = letter_facts(store, r, &g, today, "").await?;
    Ok(LetterKind::ALL
        .into_iter()
        .map(|kind| (kind, letters::addressees(kind, &facts), kind.available(r.summary.state, r.summary.kind, &facts)))
        .collect())
}

fn letter_doc(kind: LetterKind, facts: &LetterFacts, g: &Gathered, to: Option<usize>) -> Result<RenderDoc, RenderFailure> {
    let all = letters::addressees(kind, facts);
    if all.is_empty() {
        return Err(RenderFailure::Unavailable(format!("Letter {} has nobody to go to yet: {}", kind.number(), kind.nobody_reason())));
    }
    let chosen: Vec<&letters::Addressee> = match to {
        Some(i) => vec![all
            .get(i)
            .ok_or_else(|| RenderFailure::Unavailable(format!("Letter {} has no addressee number {}", kind.number(), i + 1)))?],
        None => all.iter().collect(),
    };
    let mut parts = Vec::new();
    for (n, a) in chosen.into_iter().enumerate() {
        if n > 0 {
            parts.push(Part::PageBreak);
        }
        let l = letters::letter(kind, facts, a);
        let from: Vec<String> =
            [g.branding.name.clone(), g.people.board_manager.clone()].into_iter().filter(|s| !s.trim().is_empty()).collect();
        parts.push(Part::Paragraphs(vec![l.marking.to_string()]));
        parts.push(Part::LetterHead {
            from,
            to: a.lines(),
            date: l.date.clone(),
            reference: l.reference.clone(),
            salutation: l.salutation.clone(),
        });
        parts.push(Part::Heading { level: 3, text: l.subject.clone() });
        parts.push(Part::Markup(markup::Document { blocks: l.body.clone(), ..Default::default() }));
        parts.push(Part::Paragraphs(vec![l.closing.to_string()]));
        parts.push(Part::Signature { name: l.signatory.clone(), position: l.signatory_position.clone(), date: String::new() });
        if !l.copies.is_empty() {
            let list = Block::List {
                ordered: false,
                start: 1,
                items: l
                    .copies
                    .iter()
                    .map(|c| markup::ListItem { content: vec![Inline::Text { text: c.clone() }], children: vec![] })
                    .collect(),
            };
            parts.push(Part::Paragraphs(vec!["Copies and distribution:".to_string()]));
            parts.push(Part::Markup(markup::Document { blocks: vec![list], ..Default::default() }));
        }
        if !l.reply_slip.is_empty() {
            parts.push(Part::Paragraphs(vec!["✂ - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -".to_string()]));
            parts.push(Part::Paragraphs(l.reply_slip.clone()));
        }
    }
    // A letter goes out on the partnership's letterhead with no document title above it.
    Ok(RenderDoc { title: String::new(), subtitle: Vec::new(), branding: g.branding.clone(), marking: Marking::default(), parts })
}

/// The referral form of 001 App. I, Section 1, with what was entered.
fn referral_doc(r: &ReviewRecord, g: &Gathered) -> RenderDoc {
    let f = &r.referral;
    let t = &f.triggers;
    let mut parts = vec![
        Part::Heading { level: 1, text: "1 Referrer".into() },
        Part::Fields(vec![
            ("Name".into(), f.referrer.name.clone()),
            ("Position".into(), f.referrer.position.clone()),
            ("Agency".into(), f.referrer.agency.clone()),
            ("Contact details".into(), f.referrer.contact.clone()),
            ("Line manager".into(), f.referrer.line_manager.clone()),
            ("Line manager aware of the referral".into(), yes_no(f.referrer.line_manager_aware)),
        ]),
        Part::Heading { level: 1, text: "2 The child".into() },
        child_fields(f),
        Part::Heading { level: 1, text: "3 Family composition and significant others".into() },
        family_table(f),
        Part::Heading { level: 1, text: "4 Agencies involved".into() },
        agencies_table(f),
        Part::Heading { level: 1, text: "5 Reason for the referral".into() },
        Part::Fields(vec![
            ("The child died and abuse or neglect is known or suspected".into(), yes_no(t.death_abuse_or_neglect)),
            ("Serious harm: life-threatening injury, serious sexual abuse or serious impairment".into(), yes_no(t.serious_harm)),
            ("A parent was killed in a domestic violence situation".into(), yes_no(t.parent_murdered)),
            ("The child was killed by a parent with a mental illness".into(), yes_no(t.killed_by_mentally_ill_parent)),
            ("Concerns about how agencies worked together".into(), yes_no(t.interagency_concerns)),
            ("The child died in custody".into(), yes_no(t.died_in_custody)),
            ("Where the child was".into(), f.where_child_was.clone()),
            ("Carer at the time".into(), f.carer_at_time.clone()),
            ("Legal status at the time".into(), f.legal_status_at_time.clone()),
            ("Date of the incident".into(), d(f.incident_date)),
        ]),
        Part::Paragraphs(f.incident_details.split("\n\n").map(str::to_string).filter(|s| !s.trim().is_empty()).collect()),
        Part::Heading { level: 1, text: "6 Key events".into() },
        Part::Table {
            header: vec!["Date".into(), "Time".into(), "Event".into()],
            widths: vec![2, 1, 8],
            rows: f
                .key_events
                .iter()
                .map(|k| {
                    vec![
                        k.date.format("%d/%m/%Y").to_string(),
                        k.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                        k.event.clone(),
                    ]
                })
                .collect(),
        },
        Part::Heading { level: 1, text: "7 Other relevant matters".into() },
        Part::Paragraphs(vec![if f.other_matters.trim().is_empty() { "None recorded.".to_string() } else { f.other_matters.clone() }]),
    ];
    parts.push(Part::Signature {
        name: f.signed_by.clone(),
        position: "Referrer".into(),
        date: f.signed_on.format("%d/%m/%Y").to_string(),
    });
    RenderDoc {
        title: "Referral for a case review".into(),
        subtitle: vec![
            format!("{} · 001 App. I, Section 1", r.summary.reference),
            format!("Received {}", r.summary.created_at.format("%d/%m/%Y")),
        ],
        branding: g.branding.clone(),
        marking: Marking::default(),
        parts,
    }
}

/// Builds, renders and records a copy of `product` for the review, made for `made_for`
/// (the person the copy is printed for). The copy is recorded, with its audit event, before
/// the file is returned: a file nobody recorded never leaves the system.
pub async fn render(
    store: &Store,
    actor: &Actor,
    r: &ReviewRecord,
    product: Product,
    today: NaiveDate,
    req: &Request,
) -> Result<RenderedFile, RenderFailure> {
    let (format, made_for) = (req.format, req.made_for.as_str());
    let g = gather(store, r, today).await?;
    let (mut doc, document) = match product {
        Product::Document(kind) => {
            let (doc, rec) = document_doc(store, r, kind, &g).await?;
            (doc, Some(rec))
        }
        Product::Letter(kind) => {
            let facts = letter_facts(store, r, &g, today, &req.event).await?;
            kind.available(r.summary.state, r.summary.kind, &facts)
                .map_err(|why| RenderFailure::Unavailable(format!("Letter {} cannot be sent now: {why}", kind.number())))?;
            (letter_doc(kind, &facts, &g, req.to)?, None)
        }
        Product::ReferralForm => (referral_doc(r, &g), None),
    };
    let draft = document.as_ref().is_some_and(|x| x.status.is_draft());
    let published = document.as_ref().is_some_and(|x| x.status == DocumentStatus::Published);
    doc.marking = Marking {
        draft,
        confidential: !published,
        prepared_for: Some(format!("Copy made for {made_for} on {}", today.format("%d/%m/%Y"))),
    };
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Pdf => casereview_render::pdf::render(&doc),
        Format::Docx => casereview_render::docx::render(&doc),
    })
    .await
    .map_err(|e| RenderFailure::Render(RenderError::Typeset(format!("the renderer stopped: {e}"))))??;
    let copy_id = store
        .record_copy(
            actor,
            &NewCopy {
                review_id: r.summary.id,
                document_id: document.as_ref().map(|x| x.id),
                what: product.as_str(),
                version: document.as_ref().map(|x| x.version),
                format: format.extension(),
                draft,
                made_for,
            },
        )
        .await?;
    let suffix = match req.to {
        Some(i) if matches!(product, Product::Letter(_)) => format!("-to-{}", i + 1),
        _ => String::new(),
    };
    Ok(RenderedFile {
        bytes,
        file_name: format!(
            "{}-{}{}{}.{}",
            r.summary.reference,
            product.as_str().replace('_', "-"),
            suffix,
            if draft { "-DRAFT" } else { "" },
            format.extension()
        ),
        content_type: format.content_type(),
        copy_id,
        draft,
    })
}

impl From<RenderFailure> for crate::error::WebError {
    fn from(e: RenderFailure) -> Self {
        match e {
            RenderFailure::Unavailable(why) => crate::error::WebError::Unprocessable(why),
            RenderFailure::Store(s) => s.into(),
            // The author's text could not be typeset: say so, it is theirs to fix.
            RenderFailure::Render(r) => crate::error::WebError::Unprocessable(r.to_string()),
        }
    }
}

/// The file as a download that is never cached (a copy is made for one person).
pub fn attachment(file: RenderedFile) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, file.content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name.replace(['"', '\\', '\r', '\n'], "_"))),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response()
}

/// Placeholders a published text may fill: only what is public (the reference and the
/// partnership), never the child's name or dates, whatever the author wrote.
pub fn public_fill(name: &str, reference: &str, partnership: &str) -> Option<String> {
    match name {
        "review.reference" => Some(reference.to_string()),
        "partnership.name" => Some(partnership.to_string()),
        _ => None,
    }
}

/// A published document as the public downloads it: built from its published (anonymised)
/// text alone, with nothing else of the review's record, unmarked and not made for anyone.
pub async fn render_published(
    store: &Store,
    p: &casereview_store::PublishedDocument,
    format: Format,
) -> Result<RenderedFile, RenderFailure> {
    let item = &p.item;
    let fill = |name: &str| public_fill(name, &item.reference, &item.partnership);
    let mut parts = Vec::new();
    for (sid, title, _) in item.kind.sections() {
        let text = p.sections.get(*sid).map(String::as_str).unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        parts.push(Part::Heading { level: 1, text: title.to_string() });
        parts.push(markup_part(text, &fill)?);
    }
    let mut subtitle = vec![item.reference.clone()];
    if let Some(on) = item.published_on {
        subtitle.push(format!("Published on {}", on.format("%d/%m/%Y")));
    }
    let doc = RenderDoc {
        title: item.title.to_string(),
        subtitle,
        branding: branding(store, item.partnership_id).await?,
        marking: Marking { draft: false, confidential: false, prepared_for: None },
        parts,
    };
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Pdf => casereview_render::pdf::render(&doc),
        Format::Docx => casereview_render::docx::render(&doc),
    })
    .await
    .map_err(|e| RenderFailure::Render(RenderError::Typeset(format!("the renderer stopped: {e}"))))??;
    Ok(RenderedFile {
        bytes,
        file_name: format!("{}-{}.{}", item.reference, item.kind.as_str().replace('_', "-"), format.extension()),
        content_type: format.content_type(),
        copy_id: 0,
        draft: false,
    })
}

/// The quarterly monitoring report (issue 7 item 3; 001 §2.5, §3.1.5): the traffic-light
/// summary of the action plan with its chart, the overdue actions, and every action with its
/// assessment; for one review (grouped by agency) or, with `review` None, for every review of
/// the partnership (grouped by review). A review's copy is recorded like any other.
pub async fn monitoring_report(
    store: &Store,
    actor: &Actor,
    partnership_id: i64,
    review: Option<&ReviewRecord>,
    today: NaiveDate,
    format: Format,
    made_for: &str,
) -> Result<RenderedFile, RenderFailure> {
    use casereview_core::monitoring::{self, ORDER};
    let actions = match review {
        Some(r) => store.action_plan(r.summary.id, None).await?,
        None => store.partnership_actions(partnership_id).await?,
    };
    let group = |a: &casereview_store::ActionRecord| if review.is_some() { a.agency.clone() } else { a.review_reference.clone() };
    let labels: Vec<String> = actions.iter().map(group).collect();
    let (groups, all) = monitoring::summarise(actions.iter().zip(&labels).map(|(a, l)| (l.as_str(), a.rag, a.due_on)), today);
    let (q_start, q_end) = monitoring::quarter(today);
    let by = if review.is_some() { "agency" } else { "review" };
    let mut parts = vec![
        Part::Heading { level: 1, text: "1 Summary".into() },
        Part::Paragraphs(vec![format!(
            "The position of the action plan{} on {}, in the quarter {} to {} (001 §2.5, §3.1.5).",
            if review.is_some() { "" } else { "s of every review" },
            today.format("%-d %B %Y"),
            q_start.format("%-d %B %Y"),
            q_end.format("%-d %B %Y")
        )]),
        Part::Fields(
            std::iter::once(("Actions".to_string(), all.total.to_string()))
                .chain(ORDER.iter().map(|r| (r.title().to_string(), all.count(*r).to_string())))
                .chain(std::iter::once(("Overdue (past their date, not completed)".to_string(), all.overdue.to_string())))
                .collect(),
        ),
        Part::Svg {
            svg: monitoring::chart_svg(&format!("Actions by {by} and assessment"), &groups),
            caption: format!("Actions by {by}: the assessment of each, in numbers and words"),
        },
        Part::Heading { level: 1, text: "2 Overdue actions".into() },
    ];
    let overdue: Vec<&casereview_store::ActionRecord> = actions.iter().filter(|a| a.is_overdue(today)).collect();
    if overdue.is_empty() {
        parts.push(Part::Paragraphs(vec!["No action is overdue.".into()]));
    } else {
        parts.push(Part::Table {
            header: ["Review", "Part", "Action", "Agency", "Due", "Assessment"].map(String::from).to_vec(),
            widths: vec![2, 1, 5, 2, 2, 2],
            rows: overdue
                .iter()
                .map(|a| {
                    vec![
                        a.review_reference.clone(),
                        a.part_label.clone(),
                        a.action.clone(),
                        a.agency.clone(),
                        d(Some(a.due_on)),
                        a.rag.word().to_string(),
                    ]
                })
                .collect(),
        });
    }
    parts.push(Part::Heading { level: 1, text: "3 The action plan".into() });
    if actions.is_empty() {
        parts.push(Part::Paragraphs(vec!["No actions have been agreed yet.".into()]));
    } else {
        parts.push(Part::Table {
            header: ["Review", "Part", "Action", "By whom", "Intended outcome", "Due", "Assessment", "Signed up"]
                .map(String::from)
                .to_vec(),
            widths: vec![2, 1, 4, 2, 3, 2, 2, 2],
            rows: actions
                .iter()
                .map(|a| {
                    vec![
                        a.review_reference.clone(),
                        a.part_label.clone(),
                        a.action.clone(),
                        format!("{} ({})", a.by_whom, a.agency),
                        a.intended_outcome.clone(),
                        d(Some(a.due_on)),
                        a.rag.word().to_string(),
                        a.signed_up_by.clone().unwrap_or_else(|| "Not yet".into()),
                    ]
                })
                .collect(),
        });
    }
    if all.all_signed_off() {
        parts.push(Part::Paragraphs(vec![
            "Every action is completed and signed off: the review can be concluded and the Department informed (002).".into(),
        ]));
    }
    let title = "Quarterly monitoring report".to_string();
    let subtitle = match review {
        Some(r) => vec![r.summary.reference.clone(), format!("As at {}", today.format("%-d %B %Y"))],
        None => vec!["Every review of the partnership".into(), format!("As at {}", today.format("%-d %B %Y"))],
    };
    let doc = RenderDoc {
        title,
        subtitle,
        branding: branding(store, partnership_id).await?,
        marking: Marking {
            draft: false,
            confidential: true,
            prepared_for: Some(format!("Copy made for {made_for} on {}", today.format("%d/%m/%Y"))),
        },
        parts,
    };
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Pdf => casereview_render::pdf::render(&doc),
        Format::Docx => casereview_render::docx::render(&doc),
    })
    .await
    .map_err(|e| RenderFailure::Render(RenderError::Typeset(format!("the renderer stopped: {e}"))))??;
    let copy_id = match review {
        Some(r) => {
            let copy = NewCopy {
                review_id: r.summary.id,
                document_id: None,
                what: "monitoring_report",
                version: None,
                format: format.extension(),
                draft: false,
                made_for,
            };
            store.record_copy(actor, &copy).await?
        }
        None => 0,
    };
    let who = review.map_or_else(|| "partnership".to_string(), |r| r.summary.reference.clone());
    Ok(RenderedFile {
        bytes,
        file_name: format!("{who}-monitoring-report-{}.{}", today.format("%Y-%m-%d"), format.extension()),
        content_type: format.content_type(),
        copy_id,
        draft: false,
    })
}
