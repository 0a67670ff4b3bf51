//! Recommendations and action plans (001 §2.4.10-2.4.14, §2.4.26-2.4.36, §2.5, App. VII;
//! 002 "Agreeing Improvement Action"): numbered recommendations split into parts (1a, 1b,
//! ...), the SMART check of each part, the rule for adopting one, the traffic light of an
//! action and who may do what to the plan. Rules are tables of words, so they can be read
//! and tested without the code around them.

use crate::error::FieldErrors;
use crate::role::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest task, measure or action text accepted (a part is one task, not an essay).
pub const MAX_TEXT: usize = 4_000;
/// Most parts in one recommendation (a to z).
pub const MAX_PARTS: usize = 26;

/// The assessment of an action (the template's "traffic light here" column), plus the two
/// states after it: completed, and signed off by the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
    Completed,
    SignedOff,
}

impl Rag {
    pub const ALL: [Rag; 5] = [Rag::Red, Rag::Amber, Rag::Green, Rag::Completed, Rag::SignedOff];
    /// What a progress update may set: signing off is the board's separate step.
    pub const UPDATABLE: [Rag; 4] = [Rag::Red, Rag::Amber, Rag::Green, Rag::Completed];

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "red",
            Rag::Amber => "amber",
            Rag::Green => "green",
            Rag::Completed => "completed",
            Rag::SignedOff => "signed_off",
        }
    }

    /// The word shown in the tag, so the meaning never rests on colour alone.
    pub fn title(self) -> &'static str {
        match self {
            Rag::Red => "Red: not on track",
            Rag::Amber => "Amber: some progress",
            Rag::Green => "Green: on track",
            Rag::Completed => "Completed",
            Rag::SignedOff => "Signed off",
        }
    }

    /// Short word for tables and charts.
    pub fn word(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
            Rag::Completed => "Completed",
            Rag::SignedOff => "Signed off",
        }
    }

    /// The GOV.UK tag modifier class.
    pub fn tag_class(self) -> &'static str {
        match self {
            Rag::Red => "govuk-tag--red",
            Rag::Amber => "govuk-tag--yellow",
            Rag::Green => "govuk-tag--green",
            Rag::Completed => "govuk-tag--blue",
            Rag::SignedOff => "govuk-tag--grey",
        }
    }

    /// Done as far as the agency is concerned (completed or signed off).
    pub fn is_done(self) -> bool {
        matches!(self, Rag::Completed | Rag::SignedOff)
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rag {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rag::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| format!("unknown assessment '{s}'; expected red, amber, green, completed or signed_off"))
    }
}

/// Where a recommendation came from: the overview report, or an agency's IMR (App. VII).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Overview,
    Imr,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Overview => "overview",
            Source::Imr => "imr",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Source::Overview => "Overview report",
            Source::Imr => "Agency IMR",
        }
    }
}

impl FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "overview" => Ok(Source::Overview),
            "imr" => Ok(Source::Imr),
            _ => Err(format!("unknown recommendation source '{s}'")),
        }
    }
}

/// A recommendation is a draft until the board chair adopts it; then its parts are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationStatus {
    Draft,
    Adopted,
}

impl RecommendationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationStatus::Draft => "draft",
            RecommendationStatus::Adopted => "adopted",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            RecommendationStatus::Draft => "Draft",
            RecommendationStatus::Adopted => "Adopted",
        }
    }
}

impl FromStr for RecommendationStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "draft" => Ok(RecommendationStatus::Draft),
            "adopted" => Ok(RecommendationStatus::Adopted),
            _ => Err(format!("unknown recommendation status '{s}'")),
        }
    }
}

/// One task of a recommendation, addressed to a named person in an agency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecommendationPart {
    pub task: String,
    /// The addressed agency's name, as the partnership writes it.
    pub agency: String,
    pub addressee_name: String,
    pub addressee_position: String,
    /// The measure of success: what result shows the task is done.
    pub measure: String,
    pub due_on: Option<NaiveDate>,
}

/// A recommendation as written (the number is given by the store).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recommendation {
    /// The recommendation as a whole, in the report's words.
    pub text: String,
    pub parts: Vec<RecommendationPart>,
}

/// The letter of the part at `index` (0 -> "a").
pub fn part_letter(index: usize) -> String {
    let i = index % 26;
    let c = char::from(b'a' + i as u8);
    if index < 26 {
        c.to_string()
    } else {
        format!("{}{c}", part_letter(index / 26 - 1))
    }
}

/// How a part is numbered: "1" when the recommendation has one part, else "1a", "1b"...
pub fn part_label(number: i64, letter: &str, parts: usize) -> String {
    if parts <= 1 {
        number.to_string()
    } else {
        format!("{number}{letter}")
    }
}

/// The field-path prefix of part `index` in forms and JSON.
fn field(index: usize, name: &str) -> String {
    format!("parts[{index}].{name}")
}

/// Checks a recommendation can be saved as a draft: it has words, at most 26 parts, each
/// with a task. Missing addressees and dates are allowed here (they stop adoption).
pub fn validate_draft(rec: &Recommendation, agencies: &crate::AgencyDirectory) -> FieldErrors {
    let mut e = FieldErrors::new();
    if rec.text.trim().is_empty() && rec.parts.iter().all(|p| p.task.trim().is_empty()) {
        e.push("text", "Enter the recommendation");
    }
    if rec.text.chars().count() > MAX_TEXT * 4 {
        e.push("text", "The recommendation is too long (16,000 characters at most)");
    }
    if rec.parts.is_empty() {
        e.push("parts", "Add at least one part: the task, who it is addressed to, its measure of success and its date");
    }
    if rec.parts.len() > MAX_PARTS {
        e.push("parts", format!("A recommendation has at most {MAX_PARTS} parts (a to z); split it into several recommendations"));
    }
    for (i, p) in rec.parts.iter().enumerate() {
        let label = format!("Part {}", part_letter(i));
        if p.task.trim().is_empty() {
            e.push(field(i, "task"), format!("{label}: enter the task"));
        }
        for (name, v) in [
            ("task", &p.task),
            ("addressee_name", &p.addressee_name),
            ("addressee_position", &p.addressee_position),
            ("measure", &p.measure),
        ] {
            if v.chars().count() > MAX_TEXT {
                e.push(field(i, name), format!("{label}: too long ({MAX_TEXT} characters at most)"));
            }
        }
        if !p.agency.trim().is_empty() && !agencies.contains_key(&p.agency.trim().to_lowercase()) {
            e.push(field(i, "agency"), format!("{label}: '{}' is not an agency of the partnership", p.agency.trim()));
        }
    }
    e
}

/// The adoption rule (issue 7 "Bad input"): every part must name its agency, the person it
/// is addressed to, and its date. The errors name the part (by its shown number) and field.
pub fn adoption_errors(number: i64, rec: &Recommendation) -> FieldErrors {
    let mut e = FieldErrors::new();
    let n = rec.parts.len();
    if n == 0 {
        e.push("parts", format!("Recommendation {number} has no parts: add at least one before it is adopted"));
    }
    for (i, p) in rec.parts.iter().enumerate() {
        let label = part_label(number, &part_letter(i), n);
        if p.task.trim().is_empty() {
            e.push(field(i, "task"), format!("Part {label} has no task: enter it before the recommendation is adopted"));
        }
        if p.agency.trim().is_empty() {
            e.push(
                field(i, "agency"),
                format!("Part {label} has no agency: choose the agency it is addressed to before the recommendation is adopted"),
            );
        }
        if p.addressee_name.trim().is_empty() {
            e.push(
                field(i, "addressee_name"),
                format!("Part {label} has no addressee: name the person it is addressed to before the recommendation is adopted"),
            );
        }
        if p.due_on.is_none() {
            e.push(field(i, "due_on"), format!("Part {label} has no date: enter the date it is due before the recommendation is adopted"));
        }
    }
    e
}

/// What the SMART check found (001 §2.4.10-2.4.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmartRule {
    /// More than one task in one part (2.4.11: number them 1a, 1b...).
    SeveralTasks,
    /// No measure of success written.
    NoMeasure,
    /// A measure with nothing that can be counted or checked.
    NotMeasurable,
    /// No date (Timed).
    NoDate,
    /// A vague verb ("consider", "review", "ensure") with no measure to pin it down.
    VagueVerb,
    /// No person named (2.4.12).
    NoAddressee,
    /// Addressed to a team, service or department rather than a person (2.4.12).
    AddressedToTeam,
}

/// One finding of the SMART check on one part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmartFinding {
    /// Index of the part in the recommendation.
    pub part: usize,
    /// The field the finding concerns (`task`, `measure`, `due_on`, `addressee_name`).
    pub field: &'static str,
    pub rule: SmartRule,
    pub message: String,
}

/// Verbs that open a task. A second clause that opens with one is a second task.
pub const TASK_VERBS: &[&str] = &[
    "agree",
    "amend",
    "appoint",
    "arrange",
    "audit",
    "brief",
    "carry out",
    "check",
    "circulate",
    "commission",
    "complete",
    "consider",
    "create",
    "deliver",
    "design",
    "develop",
    "disseminate",
    "embed",
    "ensure",
    "establish",
    "evaluate",
    "explore",
    "extend",
    "hold",
    "identify",
    "implement",
    "improve",
    "include",
    "inform",
    "introduce",
    "issue",
    "look at",
    "look into",
    "monitor",
    "produce",
    "promote",
    "provide",
    "publish",
    "put in place",
    "raise awareness",
    "record",
    "reflect on",
    "report",
    "require",
    "review",
    "revise",
    "run",
    "set up",
    "share",
    "strengthen",
    "train",
    "undertake",
    "update",
    "write",
];

/// Verbs that say nothing measurable on their own (001 §2.4.10 "Specific").
pub const VAGUE_VERBS: &[&str] = &[
    "consider",
    "review",
    "ensure",
    "explore",
    "look at",
    "look into",
    "reflect on",
    "think about",
    "raise awareness",
    "promote",
    "encourage",
    "strengthen",
    "improve",
];

/// Words that join two tasks in one sentence.
pub const TASK_JOINERS: &[&str] = &[" and ", ";", " as well as ", " and also ", " plus ", " then "];

/// Words a measurable outcome uses: counts, proportions, frequencies and checks.
pub const MEASURABLE_TERMS: &[&str] = &[
    "per cent",
    "percent",
    "all",
    "every",
    "each",
    "number of",
    "at least",
    "no fewer than",
    "no more than",
    "audit",
    "within",
    "weekly",
    "monthly",
    "quarterly",
    "annually",
    "yearly",
    "rate",
    "proportion",
    "target",
    "compliance",
    "reduce",
    "increase",
    "attended",
    "completed",
    "signed",
    "evidenced",
    "recorded on",
    "sample",
];

/// Words that make an addressee a group rather than a named person.
pub const GROUP_WORDS: &[&str] = &[
    "team",
    "teams",
    "service",
    "services",
    "department",
    "dept",
    "unit",
    "directorate",
    "board",
    "panel",
    "group",
    "subgroup",
    "committee",
    "staff",
    "agency",
    "agencies",
    "trust",
    "partnership",
    "office",
    "organisation",
    "organization",
    "managers",
    "practitioners",
    "all",
];

/// Words that may stand between "should" and the verb, or before the verb at the start.
const LEAD_INS: &[&str] = &["to", "also", "then", "should", "must", "will", "shall", "please", "the", "agency", "board"];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

/// Whether the words start (after lead-ins such as "should", "to") with a verb of `table`.
fn opens_with(clause: &str, table: &[&str]) -> bool {
    let w = words(clause);
    let start = w.iter().position(|x| !LEAD_INS.contains(&x.as_str())).unwrap_or(w.len());
    let rest = w[start..].join(" ");
    table.iter().any(|v| rest == *v || rest.starts_with(&format!("{v} ")))
}

/// The verb of `table` the task leads with (at the start, or after "should"/"must"/"will").
fn leading_verb(task: &str, table: &[&'static str]) -> Option<&'static str> {
    let w = words(task);
    let positions = std::iter::once(0)
        .chain(w.iter().enumerate().filter(|(_, x)| matches!(x.as_str(), "should" | "must" | "will" | "to")).map(|(i, _)| i + 1));
    for p in positions {
        let rest = w.get(p..).map(|r| r.join(" ")).unwrap_or_default();
        if let Some(v) = table.iter().find(|v| rest == **v || rest.starts_with(&format!("{v} "))) {
            return Some(v);
        }
    }
    None
}

/// The clauses of a task after splitting on the joiners.
fn clauses(task: &str) -> Vec<String> {
    let mut parts = vec![task.to_lowercase()];
    for j in TASK_JOINERS {
        parts = parts.iter().flat_map(|p| p.split(j).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// Counts the tasks of a part: the first clause, plus each later clause that opens with a verb.
pub fn task_count(task: &str) -> usize {
    let c = clauses(task);
    if c.is_empty() {
        return 0;
    }
    1 + c[1..].iter().filter(|cl| opens_with(cl, TASK_VERBS)).count()
}

/// Whether a text holds something that can be counted or checked.
pub fn is_measurable(text: &str) -> bool {
    // Whole words only: "rate" must not match "separate", nor "all" "small".
    let t = format!(" {} ", words(text).join(" "));
    text.chars().any(|c| c.is_ascii_digit() || c == '%') || MEASURABLE_TERMS.iter().any(|m| t.contains(&format!(" {m} ")))
}

/// Whether an addressee names a group (team, service, department...) rather than a person.
pub fn is_group(addressee: &str) -> bool {
    let w = words(addressee);
    w.first().is_some_and(|f| f == "the") || w.iter().any(|x| GROUP_WORDS.contains(&x.as_str()))
}

/// The SMART check of every part of a recommendation. Advice, not a block: a draft with
/// findings can be saved and (if it has addressees and dates) adopted.
pub fn smart_check(rec: &Recommendation) -> Vec<SmartFinding> {
    let mut out = Vec::new();
    for (i, p) in rec.parts.iter().enumerate() {
        let mut push = |field: &'static str, rule: SmartRule, message: String| out.push(SmartFinding { part: i, field, rule, message });
        if task_count(&p.task) > 1 {
            push(
                "task",
                SmartRule::SeveralTasks,
                "This part holds more than one task: give each task its own part (1a, 1b, ...) with its own measure (001 §2.4.11)".into(),
            );
        }
        let measurable = is_measurable(&p.measure);
        if p.measure.trim().is_empty() {
            push(
                "measure",
                SmartRule::NoMeasure,
                "No measure of success: say what result will show this is done (how much, how many, how well)".into(),
            );
        } else if !measurable {
            push(
                "measure",
                SmartRule::NotMeasurable,
                "The measure of success has nothing that can be counted or checked (a number, a proportion, an audit, a frequency)".into(),
            );
        }
        if let Some(v) = leading_verb(&p.task, VAGUE_VERBS) {
            if !measurable {
                push(
                    "task",
                    SmartRule::VagueVerb,
                    format!("'{v}' is vague without a measure: say exactly what should be done and what result is expected"),
                );
            }
        }
        if p.due_on.is_none() {
            push("due_on", SmartRule::NoDate, "No date: say by when this part is to be done".into());
        }
        if p.addressee_name.trim().is_empty() {
            push(
                "addressee_name",
                SmartRule::NoAddressee,
                "Not addressed to anyone: name the person with the authority to see it done (001 §2.4.12)".into(),
            );
        } else if is_group(&p.addressee_name) {
            push(
                "addressee_name",
                SmartRule::AddressedToTeam,
                format!(
                    "'{}' is a team or service, not a person: name the person with the authority to see it done (001 §2.4.12)",
                    p.addressee_name.trim()
                ),
            );
        }
    }
    out
}

/// Splits an IMR's "Recommendations" section (App. IV §4) into its recommendations: each
/// numbered or bulleted item starts one; without any list markers, each paragraph is one.
pub fn split_imr_recommendations(section: &str) -> Vec<String> {
    fn marker_len(line: &str) -> Option<usize> {
        let t = line.trim_start();
        let lead = line.len() - t.len();
        if let Some(rest) = t.strip_prefix(['-', '*', '\u{2022}']) {
            return Some(line.len() - rest.len());
        }
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && digits < 4 {
            let after = &t[digits..];
            // "1.", "1)", "1a." or "1a)": a list item; "12 staff" is not.
            let after = after.strip_prefix(|c: char| c.is_ascii_lowercase()).filter(|a| a.starts_with(['.', ')'])).unwrap_or(after);
            if let Some(rest) = after.strip_prefix(['.', ')']) {
                if rest.starts_with(' ') || rest.is_empty() {
                    return Some(lead + t.len() - rest.len());
                }
            }
        }
        None
    }
    let lines: Vec<&str> = section.lines().collect();
    let listed = lines.iter().any(|l| marker_len(l).is_some());
    let mut items: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |cur: &mut String, items: &mut Vec<String>| {
        let t = cur.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            items.push(t);
        }
        cur.clear();
    };
    for line in lines {
        match (listed, marker_len(line)) {
            (true, Some(n)) => {
                flush(&mut current, &mut items);
                current.push_str(&line[n..]);
            }
            (true, None) if line.trim().is_empty() => {}
            (false, None) if line.trim().is_empty() => flush(&mut current, &mut items),
            _ => {
                current.push(' ');
                current.push_str(line);
            }
        }
    }
    flush(&mut current, &mut items);
    items
}

/// One action of the plan, as the template's columns (001 §2.4.14).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanAction {
    /// ACTION: what are we going to do?
    pub action: String,
    /// BY WHOM: who is going to do it?
    pub by_whom: String,
    /// OUTCOME: what do we intend to achieve?
    pub intended_outcome: String,
    /// MONITORING: how improvements will be monitored and reviewed.
    pub monitoring: String,
    pub due_on: Option<NaiveDate>,
}

impl PlanAction {
    /// Every column must be filled: an action plan row without an owner or outcome is no plan.
    pub fn validate(&self) -> FieldErrors {
        let mut e = FieldErrors::new();
        for (f, v, msg) in [
            ("action", &self.action, "Enter the action: what are we going to do?"),
            ("by_whom", &self.by_whom, "Enter by whom: who is going to do it?"),
            ("intended_outcome", &self.intended_outcome, "Enter the intended outcome: what do we intend to achieve?"),
            ("monitoring", &self.monitoring, "Enter the monitoring: how will improvement be checked?"),
        ] {
            if v.trim().is_empty() {
                e.push(f, msg);
            } else if v.chars().count() > MAX_TEXT {
                e.push(f, format!("Too long ({MAX_TEXT} characters at most)"));
            }
        }
        if self.due_on.is_none() {
            e.push("due_on", "Enter the date the action is due");
        }
        e
    }
}

/// Who may draft, edit and delete draft recommendations and their actions: the board
/// manager, the panel chair and the overview author.
pub fn may_draft(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::PanelChair | Role::OverviewAuthor)
}

/// Only the board chair adopts (the board adopts the report, 001 §2.4.13).
pub fn may_adopt(role: Role) -> bool {
    role == Role::BoardChair
}

/// Progress on an agency's action: its authors and head, and the board manager.
pub fn may_update(role: Role, same_agency: bool) -> bool {
    matches!(role, Role::PartnershipAdmin) || (matches!(role, Role::AgencyAuthor | Role::AgencyHead) && same_agency)
}

/// Each agency's senior manager signs up to its actions (001 §2.4.7, §2.4.14).
pub fn may_sign_up(role: Role, same_agency: bool) -> bool {
    role == Role::AgencyHead && same_agency
}

/// The board signs off a completed action: its manager or its chair.
pub fn may_sign_off(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::BoardChair)
}

/// The assessment an update may move an action to.
pub fn check_update(current: Rag, to: Rag) -> Result<(), String> {
    if current == Rag::SignedOff {
        return Err("The action is signed off: it takes no more updates".into());
    }
    if to == Rag::SignedOff {
        return Err("An update cannot sign an action off: the board manager or chair signs off a completed action".into());
    }
    Ok(())
}

/// Sign-off needs a completed action.
pub fn check_sign_off(current: Rag) -> Result<(), String> {
    match current {
        Rag::Completed => Ok(()),
        Rag::SignedOff => Err("The action is already signed off".into()),
        _ => Err(format!("Only a completed action can be signed off (this one is {})", current.word().to_lowercase())),
    }
}

/// Default largest evidence file (10 MB).
pub const DEFAULT_MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// Evidence file types accepted: extension, media type.
pub const EVIDENCE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether the bytes are what the extension claims (magic bytes; for the zip-based office
/// formats, the part that names the kind; for text, UTF-8 without control characters).
fn content_matches(ext: &str, bytes: &[u8]) -> bool {
    let zip = bytes.starts_with(b"PK\x03\x04");
    match ext {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "docx" => zip && contains(bytes, b"word/"),
        "xlsx" => zip && contains(bytes, b"xl/"),
        "odt" => zip && contains(bytes, b"application/vnd.oasis.opendocument.text"),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "txt" | "csv" => {
            std::str::from_utf8(bytes).is_ok_and(|s| !s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')))
        }
        _ => false,
    }
}

/// Checks an evidence file: allowed extension, content that matches it, not empty, not
/// over `max_bytes`. Returns the media type; the error names the file and the reason.
pub fn check_evidence(file_name: &str, bytes: &[u8], max_bytes: usize) -> Result<&'static str, String> {
    let name = file_name.trim();
    if name.is_empty() {
        return Err("The evidence file has no name".into());
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
    let Some((_, media)) = EVIDENCE_TYPES.iter().find(|(e, _)| *e == ext) else {
        return Err(format!("'{name}' is not an allowed type of evidence: upload a PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG, JPEG, text or CSV file"));
    };
    if bytes.is_empty() {
        return Err(format!("'{name}' is empty"));
    }
    if bytes.len() > max_bytes {
        return Err(format!("'{name}' is {} bytes: evidence files may be at most {} MB", bytes.len(), max_bytes / (1024 * 1024)));
    }
    if !content_matches(&ext, bytes) {
        return Err(format!("'{name}' is not really a .{ext} file: its contents do not match its type"));
    }
    Ok(media)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn part(task: &str, who: &str, measure: &str, due: bool) -> RecommendationPart {
        RecommendationPart {
            task: task.into(),
            agency: "Police".into(),
            addressee_name: who.into(),
            addressee_position: "Head of Service".into(),
            measure: measure.into(),
            due_on: if due { NaiveDate::from_ymd_opt(2027, 3, 31) } else { None },
        }
    }

    fn rules(p: RecommendationPart) -> Vec<(&'static str, SmartRule)> {
        smart_check(&Recommendation { text: "x".into(), parts: vec![p] }).into_iter().map(|f| (f.field, f.rule)).collect()
    }

    #[test]
    fn smart_findings_table() {
        use SmartRule::*;
        let good_measure = "An audit of 20 case files shows 90% with a recorded home visit";
        let cases: Vec<(RecommendationPart, Vec<(&str, SmartRule)>)> = vec![
            (part("Develop a protocol for home visits", "Jane Smith", good_measure, true), vec![]),
            (part("Develop a protocol and train all staff in it", "Jane Smith", good_measure, true), vec![("task", SeveralTasks)]),
            (part("Write guidance; deliver training to health visitors", "Jane Smith", good_measure, true), vec![("task", SeveralTasks)]),
            (part("Revise the policy as well as audit its use", "Jane Smith", good_measure, true), vec![("task", SeveralTasks)]),
            (part("Audit records of children and families", "Jane Smith", good_measure, true), vec![]),
            (part("Develop a protocol", "Jane Smith", "", true), vec![("measure", NoMeasure)]),
            (part("Develop a protocol", "Jane Smith", "Better practice", true), vec![("measure", NotMeasurable)]),
            (part("Develop a protocol", "Jane Smith", good_measure, false), vec![("due_on", NoDate)]),
            (
                part("Consider the use of a checklist", "Jane Smith", "Practice is better", true),
                vec![("measure", NotMeasurable), ("task", VagueVerb)],
            ),
            (part("The agency should review its procedures", "Jane Smith", "", true), vec![("measure", NoMeasure), ("task", VagueVerb)]),
            (part("Review its procedures", "Jane Smith", good_measure, true), vec![]),
            (part("Ensure staff know", "Jane Smith", "", true), vec![("measure", NoMeasure), ("task", VagueVerb)]),
            (part("Look at referral rates", "Jane Smith", "", true), vec![("measure", NoMeasure), ("task", VagueVerb)]),
            (part("Develop a protocol", "", good_measure, true), vec![("addressee_name", NoAddressee)]),
            (part("Develop a protocol", "Safeguarding Team", good_measure, true), vec![("addressee_name", AddressedToTeam)]),
            (part("Develop a protocol", "Children's Services", good_measure, true), vec![("addressee_name", AddressedToTeam)]),
            (part("Develop a protocol", "The Health Visiting Service", good_measure, true), vec![("addressee_name", AddressedToTeam)]),
            (part("Develop a protocol", "Mr A. Armstrong", good_measure, true), vec![]),
        ];
        for (p, want) in cases {
            let task = p.task.clone();
            let who = p.addressee_name.clone();
            let mut got = rules(p);
            let mut want = want;
            got.sort_by_key(|x| format!("{x:?}"));
            want.sort_by_key(|x| format!("{x:?}"));
            assert_eq!(got, want, "task '{task}' to '{who}'");
        }
    }

    #[test]
    fn findings_name_their_part() {
        let rec = Recommendation {
            text: "x".into(),
            parts: vec![
                part("Develop a protocol", "Jane Smith", "all staff", true),
                part("Develop a protocol", "Jane Smith", "all staff", false),
            ],
        };
        let f = smart_check(&rec);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].part, f[0].field), (1, "due_on"));
    }

    #[test]
    fn imr_sections_split_into_recommendations() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("", vec![]),
            ("Train all health visitors by March.", vec!["Train all health visitors by March."]),
            ("1. Train staff\n2. Audit files\n   monthly", vec!["Train staff", "Audit files monthly"]),
            ("Intro text\n- Train staff\n- Audit files", vec!["Intro text", "Train staff", "Audit files"]),
            ("First para\nwraps.\n\nSecond para.", vec!["First para wraps.", "Second para."]),
            ("1a) Train staff\n1b) Audit 12 files", vec!["Train staff", "Audit 12 files"]),
            ("12 staff were trained.", vec!["12 staff were trained."]),
        ];
        for (text, want) in cases {
            assert_eq!(split_imr_recommendations(text), want, "{text:?}");
        }
    }

    #[test]
    fn labels_and_letters() {
        assert_eq!(part_label(1, "a", 1), "1");
        assert_eq!(part_label(3, "b", 2), "3b");
        assert_eq!(part_letter(0), "a");
        assert_eq!(part_letter(25), "z");
        assert_eq!(part_letter(26), "aa");
    }

    #[test]
    fn adoption_needs_addressee_agency_and_date() {
        let ok = Recommendation { text: "x".into(), parts: vec![part("Develop a protocol", "Jane Smith", "", true)] };
        assert!(adoption_errors(1, &ok).is_empty(), "the SMART check advises; only addressee, agency and date block");
        let rec = Recommendation {
            text: "x".into(),
            parts: vec![
                part("Develop a protocol", "Jane Smith", "", true),
                part("Train staff", "", "", false),
                RecommendationPart::default(),
            ],
        };
        let e = adoption_errors(2, &rec);
        assert_eq!(e.get("parts[1].addressee_name").map(|m| m.starts_with("Part 2b has no addressee")), Some(true));
        assert_eq!(e.get("parts[1].due_on").map(|m| m.starts_with("Part 2b has no date")), Some(true));
        assert!(e.get("parts[2].agency").is_some());
        assert!(e.get("parts[2].task").is_some());
        assert!(e.get("parts[0].due_on").is_none());
        let single = Recommendation { text: "x".into(), parts: vec![part("Train staff", "", "", true)] };
        assert_eq!(adoption_errors(4, &single).get("parts[0].addressee_name").map(|m| m.starts_with("Part 4 has")), Some(true));
        assert!(adoption_errors(1, &Recommendation::default()).get("parts").is_some());
    }

    #[test]
    fn draft_validation() {
        let dir = crate::agency_directory([("Police", true)]);
        assert!(validate_draft(&Recommendation { text: "x".into(), parts: vec![part("Train", "", "", false)] }, &dir).is_empty());
        let mut bad = part("", "", "", false);
        bad.agency = "CIAU".into();
        let e = validate_draft(&Recommendation { text: "".into(), parts: vec![bad] }, &dir);
        assert!(e.get("text").is_some());
        assert!(e.get("parts[0].task").is_some());
        assert!(e.get("parts[0].agency").is_some());
        assert!(validate_draft(&Recommendation { text: "x".into(), parts: vec![] }, &dir).get("parts").is_some());
    }

    #[test]
    fn rag_round_trip_and_rules() {
        for r in Rag::ALL {
            assert_eq!(r.as_str().parse::<Rag>(), Ok(r));
            assert!(!r.title().is_empty());
        }
        assert!("purple".parse::<Rag>().is_err());
        assert!(check_update(Rag::Red, Rag::Completed).is_ok());
        assert!(check_update(Rag::Green, Rag::SignedOff).is_err());
        assert!(check_update(Rag::SignedOff, Rag::Red).is_err());
        assert!(check_sign_off(Rag::Completed).is_ok());
        assert!(check_sign_off(Rag::Amber).is_err());
        assert!(check_sign_off(Rag::SignedOff).is_err());
    }

    #[test]
    fn permissions_table() {
        for r in Role::ALL {
            assert_eq!(may_adopt(r), r == Role::BoardChair);
            assert_eq!(may_sign_up(r, true), r == Role::AgencyHead);
            assert!(!may_sign_up(r, false));
            assert!(!may_draft(r) || !r.is_read_only());
            assert!(!may_update(r, true) || !r.is_read_only());
        }
        assert!(may_update(Role::AgencyAuthor, true));
        assert!(!may_update(Role::AgencyAuthor, false));
        assert!(may_sign_off(Role::BoardChair) && may_sign_off(Role::PartnershipAdmin) && !may_sign_off(Role::AgencyHead));
    }

    #[test]
    fn evidence_table() {
        let max = 1000;
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml".to_vec();
        let xlsx = b"PK\x03\x04....xl/workbook.xml".to_vec();
        let odt = b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.text".to_vec();
        let ok: Vec<(&str, Vec<u8>, &str)> = vec![
            ("report.pdf", b"%PDF-1.7 ...".to_vec(), "application/pdf"),
            ("notes.DOCX", docx.clone(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("data.xlsx", xlsx.clone(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("letter.odt", odt, "application/vnd.oasis.opendocument.text"),
            ("chart.png", b"\x89PNG\r\n\x1a\n....".to_vec(), "image/png"),
            ("photo.jpeg", vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2], "image/jpeg"),
            ("photo.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2], "image/jpeg"),
            ("minutes.txt", "Training delivered to 40 staff\n".as_bytes().to_vec(), "text/plain"),
            ("attendance.csv", b"name,date\nA,2026-01-01\n".to_vec(), "text/csv"),
        ];
        for (name, bytes, media) in ok {
            assert_eq!(check_evidence(name, &bytes, max), Ok(media), "{name}");
        }
        let bad: Vec<(&str, Vec<u8>, &str)> = vec![
            ("virus.exe", b"MZ\x90\x00".to_vec(), "not an allowed type"),
            ("noextension", b"%PDF-1.7".to_vec(), "not an allowed type"),
            ("fake.pdf", b"MZ\x90\x00".to_vec(), "contents do not match"),
            ("fake.docx", xlsx, "contents do not match"),
            ("fake.xlsx", docx, "contents do not match"),
            ("binary.txt", vec![0, 1, 2, 3], "contents do not match"),
            ("empty.pdf", vec![], "is empty"),
            ("big.pdf", [b"%PDF-".as_slice(), &[b' '; 1000]].concat(), "at most"),
            ("", b"%PDF-".to_vec(), "no name"),
        ];
        for (name, bytes, why) in bad {
            let e = check_evidence(name, &bytes, max).expect_err(name);
            assert!(e.contains(why), "{name}: {e}");
        }
    }

    proptest! {
        // A verb and its object is one task; joining a second verb-led clause makes two.
        #[test]
        fn verb_phrases_count_as_tasks(obj in "[a-z]{3,12}( [a-z]{3,12}){0,4}", v in 0usize..TASK_VERBS.len()) {
            let task = format!("{} the {obj}", TASK_VERBS[v]);
            prop_assert!(task_count(&task) >= 1);
            let joined = format!("{task} and {} the {obj}", TASK_VERBS[(v + 1) % TASK_VERBS.len()]);
            prop_assert!(task_count(&joined) >= 2, "{}", joined);
        }

        #[test]
        fn check_evidence_never_panics(name in ".{0,20}", bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = check_evidence(&name, &bytes, 32);
        }
    }
}
