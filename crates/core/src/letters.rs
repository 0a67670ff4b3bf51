//! The standard letters of a review (001 App. XI, letters 1 to 7), filled from what the
//! system knows of the review, one copy per addressee. The wording follows the seed's
//! samples with the partnership's own name in place of Medway's; anything the system cannot
//! know (a briefing's venue) is either given by the sender or left as a line to complete by
//! hand, never invented. No I/O: the caller gathers [`LetterFacts`].

use crate::lifecycle::{ReviewKind, ReviewState};
use crate::markup::{Block, Inline, ListItem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// One of the seven letters of 001 App. XI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// Letter 1: request for further information and to secure files.
    RequestInformation,
    /// Letter 2: notification to organisations that no review will be held.
    NoFurtherAction,
    /// Letter 3: commissioning individual management reviews.
    CommissionImrs,
    /// Letter 4: invitation to the authors' briefing.
    AuthorsBriefing,
    /// Letter 5: notification to parents.
    NotifyParents,
    /// Letter 6: notification to victims.
    NotifyVictims,
    /// Letter 7: invitation to a practitioners' de-briefing.
    PractitionersDebriefing,
}

impl LetterKind {
    pub const ALL: [LetterKind; 7] = [
        LetterKind::RequestInformation,
        LetterKind::NoFurtherAction,
        LetterKind::CommissionImrs,
        LetterKind::AuthorsBriefing,
        LetterKind::NotifyParents,
        LetterKind::NotifyVictims,
        LetterKind::PractitionersDebriefing,
    ];

    /// The letter's number in 001 App. XI.
    pub fn number(self) -> u8 {
        match self {
            LetterKind::RequestInformation => 1,
            LetterKind::NoFurtherAction => 2,
            LetterKind::CommissionImrs => 3,
            LetterKind::AuthorsBriefing => 4,
            LetterKind::NotifyParents => 5,
            LetterKind::NotifyVictims => 6,
            LetterKind::PractitionersDebriefing => 7,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::RequestInformation => "letter-1",
            LetterKind::NoFurtherAction => "letter-2",
            LetterKind::CommissionImrs => "letter-3",
            LetterKind::AuthorsBriefing => "letter-4",
            LetterKind::NotifyParents => "letter-5",
            LetterKind::NotifyVictims => "letter-6",
            LetterKind::PractitionersDebriefing => "letter-7",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            LetterKind::RequestInformation => "Request for further information and to secure files",
            LetterKind::NoFurtherAction => "Notification to organisations that no review will be held",
            LetterKind::CommissionImrs => "Commissioning individual management reviews",
            LetterKind::AuthorsBriefing => "Invitation to the authors' briefing",
            LetterKind::NotifyParents => "Notification to parents",
            LetterKind::NotifyVictims => "Notification to victims",
            LetterKind::PractitionersDebriefing => "Invitation to a practitioners' de-briefing",
        }
    }

    /// Why the letter has no addressee yet (when [`addressees`] finds none).
    pub fn nobody_reason(self) -> &'static str {
        match self {
            LetterKind::RequestInformation | LetterKind::NoFurtherAction => "the referral lists no agencies involved",
            LetterKind::CommissionImrs => "no IMRs are commissioned and the referral lists no agencies",
            LetterKind::AuthorsBriefing => "no IMR or overview authors are appointed",
            LetterKind::NotifyParents => "the referral lists no parent or carer",
            LetterKind::NotifyVictims => "the referral names no child",
            LetterKind::PractitionersDebriefing => "no practitioners are recorded",
        }
    }

    /// Whether the letter is sent at this point of the review; the reason when it is not.
    pub fn available(self, state: ReviewState, kind: Option<ReviewKind>, facts: &LetterFacts) -> Result<(), String> {
        use ReviewState as S;
        let review_held = kind.is_some_and(|k| k != ReviewKind::NoFurtherAction);
        let ok = match self {
            LetterKind::RequestInformation => !matches!(state, S::ClosedNoFurtherAction),
            LetterKind::NoFurtherAction => kind == Some(ReviewKind::NoFurtherAction),
            LetterKind::CommissionImrs | LetterKind::AuthorsBriefing | LetterKind::NotifyParents => review_held,
            LetterKind::NotifyVictims => review_held && facts.child_date_of_death.is_none(),
            LetterKind::PractitionersDebriefing => review_held && matches!(state, S::Adopted | S::Published | S::Monitoring | S::Concluded),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            LetterKind::RequestInformation => "the review is closed".to_string(),
            LetterKind::NoFurtherAction => "it is sent once the board chair has decided that no review will be held".to_string(),
            LetterKind::NotifyVictims if review_held => {
                "the child died: letter 6 is for children who survived the harm (write to the parents with letter 5)".to_string()
            }
            LetterKind::PractitionersDebriefing => "the de-briefing follows the board's adoption of the overview report".to_string(),
            _ => "it is sent once the board chair has decided to hold a review".to_string(),
        })
    }
}

impl FromStr for LetterKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LetterKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown letter '{s}'"))
    }
}

/// Someone a letter is written to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressee {
    pub name: String,
    pub position: String,
    pub organisation: String,
}

impl Addressee {
    fn new(name: &str, position: &str, organisation: &str) -> Self {
        Addressee { name: name.trim().to_string(), position: position.trim().to_string(), organisation: organisation.trim().to_string() }
    }
    /// The address block's lines, without empty ones.
    /// A line that repeats the one before (an officer recorded only by position) is dropped.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in [&self.name, &self.position, &self.organisation] {
            if !s.is_empty() && out.last().is_none_or(|l| !l.eq_ignore_ascii_case(s)) {
                out.push(s.clone());
            }
        }
        out
    }
}

/// An agency involved with the family, from the referral.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgencyContact {
    pub agency: String,
    pub officer: String,
    pub position: String,
}

/// An IMR commissioned from an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImrFact {
    pub agency: String,
    pub author: String,
    pub due_on: NaiveDate,
}

/// A practitioner directly involved with the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PractitionerFact {
    pub name: String,
    pub role: String,
    pub agency: String,
}

/// Everything the letters draw on, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct LetterFacts {
    pub partnership: String,
    pub reference: String,
    /// The date the letter is dated.
    pub today: Option<NaiveDate>,
    pub child_name: String,
    pub child_date_of_birth: Option<NaiveDate>,
    pub child_date_of_death: Option<NaiveDate>,
    pub child_address: String,
    /// What happened, in a few words, from the referral.
    pub circumstances: String,
    pub referral_received: Option<NaiveDate>,
    /// The referrer's position and agency, e.g. "Team manager, Northmoor Children's Services".
    pub referrer: String,
    pub agencies: Vec<AgencyContact>,
    /// Members of the family who are the child's parents or carers (from the referral).
    pub parents: Vec<String>,
    pub imrs: Vec<ImrFact>,
    pub practitioners: Vec<PractitionerFact>,
    /// The next (or last) screening meeting of the panel.
    pub panel_meeting: Option<NaiveDate>,
    /// When agencies' information is due for the screening meeting.
    pub information_due: Option<NaiveDate>,
    /// The board chair's decision and its date.
    pub decision: Option<(ReviewKind, NaiveDate)>,
    pub board_chair: String,
    pub panel_chair: String,
    pub board_manager: String,
    pub overview_author: String,
    /// Date, time and venue of the briefing (letter 4) or de-briefing (letter 7), as given by
    /// the sender; a line to complete by hand when empty.
    pub event: String,
}

/// A letter ready to lay out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub kind: LetterKind,
    pub to: Addressee,
    pub date: String,
    pub reference: String,
    /// "STRICTLY CONFIDENTIAL" or "CONFIDENTIAL".
    pub marking: &'static str,
    pub salutation: String,
    /// The heading line under the salutation.
    pub subject: String,
    pub body: Vec<Block>,
    pub closing: &'static str,
    pub signatory: String,
    pub signatory_position: String,
    /// "Copy to" / "Distribution" lines.
    pub copies: Vec<String>,
    /// A tear-off reply slip, when the letter asks for a reply.
    pub reply_slip: Vec<String>,
}

/// A line to complete by hand, for facts the system does not hold.
pub const BLANK: &str = "……………………";

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_else(|| BLANK.to_string())
}

fn or_blank(s: &str) -> String {
    if s.trim().is_empty() {
        BLANK.to_string()
    } else {
        s.trim().to_string()
    }
}

fn para(s: impl Into<String>) -> Block {
    Block::Paragraph { content: vec![Inline::Text { text: s.into() }] }
}

fn bullets(items: impl IntoIterator<Item = String>) -> Block {
    Block::List {
        ordered: false,
        start: 1,
        items: items.into_iter().map(|s| ListItem { content: vec![Inline::Text { text: s }], children: vec![] }).collect(),
    }
}

impl LetterFacts {
    /// "J Smith, born 3 March 2024, of 1 High Street" (and died … when the child died).
    fn child_line(&self) -> String {
        let mut s = format!("{}, born {}", or_blank(&self.child_name), date(self.child_date_of_birth));
        if let Some(d) = self.child_date_of_death {
            s.push_str(&format!(", died {}", d.format("%-d %B %Y")));
        }
        if !self.child_address.trim().is_empty() {
            s.push_str(&format!(", of {}", self.child_address.trim()));
        }
        s
    }

    fn review_name(&self) -> &'static str {
        match self.decision.map(|(k, _)| k) {
            Some(ReviewKind::SeriousCaseReview) | None => "Serious Case Review",
            Some(_) => "Case Review",
        }
    }
}

/// Who receives the letter, one copy each. Empty when the review records nobody yet (the
/// caller says so rather than producing a letter to no one).
pub fn addressees(kind: LetterKind, f: &LetterFacts) -> Vec<Addressee> {
    let agencies = || -> Vec<Addressee> { f.agencies.iter().map(|a| Addressee::new(&a.officer, &a.position, &a.agency)).collect() };
    match kind {
        LetterKind::RequestInformation | LetterKind::NoFurtherAction => agencies(),
        LetterKind::CommissionImrs => {
            if f.imrs.is_empty() {
                f.agencies.iter().map(|a| Addressee::new("The Chief Executive", "", &a.agency)).collect()
            } else {
                f.imrs.iter().map(|i| Addressee::new("The Chief Executive", "", &i.agency)).collect()
            }
        }
        LetterKind::AuthorsBriefing => {
            let mut v: Vec<Addressee> =
                f.imrs.iter().filter(|i| !i.author.trim().is_empty()).map(|i| Addressee::new(&i.author, "IMR author", &i.agency)).collect();
            if !f.overview_author.trim().is_empty() {
                v.push(Addressee::new(&f.overview_author, "Overview author", &f.partnership));
            }
            v
        }
        LetterKind::NotifyParents => f.parents.iter().map(|p| Addressee::new(p, "", "")).collect(),
        LetterKind::NotifyVictims => {
            if f.child_name.trim().is_empty() {
                Vec::new()
            } else {
                vec![Addressee::new(&f.child_name, "", "")]
            }
        }
        LetterKind::PractitionersDebriefing => f.practitioners.iter().map(|p| Addressee::new(&p.name, &p.role, &p.agency)).collect(),
    }
}

/// The letter `kind` to `to`, filled from `f`.
pub fn letter(kind: LetterKind, f: &LetterFacts, to: &Addressee) -> Letter {
    let partnership = or_blank(&f.partnership);
    let review = f.review_name();
    let mut l = Letter {
        kind,
        to: to.clone(),
        date: date(f.today),
        reference: f.reference.clone(),
        marking: "STRICTLY CONFIDENTIAL",
        salutation: "Dear Colleague".to_string(),
        subject: String::new(),
        body: Vec::new(),
        closing: "Yours sincerely",
        signatory: String::new(),
        signatory_position: String::new(),
        copies: Vec::new(),
        reply_slip: Vec::new(),
    };
    match kind {
        LetterKind::RequestInformation => {
            l.marking = "CONFIDENTIAL";
            l.subject = "Referral to the Serious Case Review Panel: request for additional information".to_string();
            l.body = vec![
                para("You will see from the attached referral form (Part 1) that a referral has been made to the Serious Case Review Panel about:"),
                para(f.child_line()),
                para("Would you please check your own agency's records for past or current involvement with this family and provide us with any information that may assist us in deciding whether or not the criteria for holding a case review are met, and record this in the appropriate sections of the referral form."),
                para("The criteria are laid down in Working Together to Safeguard Children. In helping us to make the decision, we would welcome any information you have, using the prompts on the attached referral form."),
                para(format!("Your agency has a representative on the Serious Case Review Panel. If you would like to discuss the matter, please contact them or {} ({}).", or_blank(&f.board_manager), partnership)),
                para("The panel will proceed in a measured way. Once the relevant information is available it will decide how to proceed. If it is decided to hold a review, detailed terms of reference will be drafted and sent to you. If it is decided not to proceed, we will inform you."),
                para("In the meantime, would you please ensure that any and all files within your organisation relating to this family are stored securely (and, if necessary, copied so that the agency's work can continue)."),
                para(format!(
                    "Please send any information you have by {} in preparation for the panel's meeting on {}.",
                    date(f.information_due),
                    date(f.panel_meeting)
                )),
            ];
            l.signatory = or_blank(&f.panel_chair);
            l.signatory_position = "Chair, Serious Case Review Panel".to_string();
            l.copies = vec!["Members of the Serious Case Review Panel".to_string()];
        }
        LetterKind::NoFurtherAction => {
            l.marking = "CONFIDENTIAL";
            l.subject = "Referral to the Serious Case Review Panel: outcome".to_string();
            l.body = vec![
                para(format!(
                    "Further to our letter regarding a referral to the Serious Case Review Panel about {}, the referral has now been considered by the panel and, following its recommendation to the chair of {}, a decision was made on {} not to proceed with a Serious Case Review.",
                    or_blank(&f.child_name),
                    partnership,
                    date(f.decision.map(|(_, d)| d))
                )),
                para("All files relating to this family may now be released."),
                para("The panel has proposed the following alternative action in relation to this case (delete as appropriate):"),
                bullets(
                    [
                        "Lessons Learned Review",
                        "Single Agency Management Review",
                        "Inter-agency training and development initiative",
                        "Internal audit",
                        "Discussion at the board's practitioner forum",
                    ]
                    .map(String::from),
                ),
                para("Thank you for your assistance with this matter."),
            ];
            l.signatory = or_blank(&f.panel_chair);
            l.signatory_position = "Chair, Serious Case Review Panel".to_string();
            l.copies = vec!["Members of the Serious Case Review Panel".to_string(), "Ofsted".to_string()];
        }
        LetterKind::CommissionImrs => {
            l.subject = format!("{}: {}", review, f.child_line());
            let imr = f.imrs.iter().find(|i| i.agency == to.organisation);
            let due = imr.map(|i| i.due_on).or_else(|| f.imrs.iter().map(|i| i.due_on).max());
            let mut body = vec![
                para(format!(
                    "Following {}, {} has decided that a {} take place concerning the above child. The aim of the review is to establish the facts, analyse them and identify any lessons that need to be learned. Contextual information is important for the panel to understand the circumstances of the case and make appropriate recommendations for change.",
                    if f.circumstances.trim().is_empty() { "the circumstances reported to the board".to_string() } else { format!("the circumstances reported to the board ({})", f.circumstances.trim()) },
                    partnership,
                    review
                )),
                para("I am therefore writing to formally request that your organisation conduct an Individual Management Review using the partnership's guidance. This requires that you investigate (or appoint a person independent of the line management of the case to investigate) any involvement by your service as identified in the scope, including interviewing the staff involved and reading the case file."),
                para(format!(
                    "The report is required by {} and should be sent to {}, {}. The panel will then meet the authors of the reviews, and an overview report will be produced, including a summary, learning for practitioners and agencies, and a report to the board with a draft action plan.",
                    date(due),
                    or_blank(&f.board_manager),
                    partnership
                )),
                para("If your organisation has not had any involvement with the family, please confirm this in writing."),
                para("Individual Management Reviews are required in respect of the involvement of:"),
            ];
            let list: Vec<String> = if f.imrs.is_empty() {
                f.agencies.iter().map(|a| a.agency.clone()).collect()
            } else {
                f.imrs.iter().map(|i| format!("{} (due {})", i.agency, i.due_on.format("%-d %B %Y"))).collect()
            };
            body.push(bullets(list));
            body.push(para("I enclose the scope and terms of reference of the review. Report authors must follow the format in the partnership's guidance and answer the specific questions in the scoping document; the chronology must be completed in the given format."));
            body.push(para(
                "As you will appreciate, this matter is highly confidential and of a sensitive nature. Thank you for your co-operation.",
            ));
            l.body = body;
            l.signatory = or_blank(&f.board_chair);
            l.signatory_position = format!("Chair, {partnership}");
            l.copies =
                vec!["Board member for the agency".to_string(), "For information: members of the Serious Case Review Panel".to_string()];
        }
        LetterKind::AuthorsBriefing => {
            l.subject = format!("{review}: briefing for authors (IMR and overview authors). Subject: {}", f.child_line());
            l.body = vec![
                para(format!(
                    "The purpose of this letter is to invite you, as a nominated author, to a briefing on {}.",
                    or_blank(&f.event)
                )),
                para(format!(
                    "The case was referred to the Serious Case Review Panel by {} on {}. The panel met on {}. It was their view that the criteria in Working Together to Safeguard Children had been met and that a review should take place.",
                    or_blank(&f.referrer),
                    date(f.referral_received),
                    date(f.panel_meeting)
                )),
                para(format!(
                    "The panel recommended to the chair of {} that a review be undertaken. The chair's written decision was given on {}.",
                    partnership,
                    date(f.decision.map(|(_, d)| d))
                )),
                para("Part 1 of the referral form, which now contains the information from all the agencies involved, is enclosed."),
            ];
            l.signatory = or_blank(&f.panel_chair);
            l.signatory_position = "Chair, Serious Case Review Panel".to_string();
            l.copies = vec!["Members of the Serious Case Review Panel".to_string()];
        }
        LetterKind::NotifyParents => {
            l.salutation = format!("Dear {}", or_blank(&to.name));
            l.subject = format!("{partnership}: {review}");
            let mut body = Vec::new();
            if f.child_date_of_death.is_some() {
                body.push(para(format!(
                    "First of all I would like to offer my sincere condolences on the death of {}.",
                    or_blank(&f.child_name)
                )));
                body.push(para(format!("The purpose of this letter is to tell you that, because of {}'s death and the circumstances surrounding it, {} will carry out a review. The Government requires us to do this.", or_blank(&f.child_name), partnership)));
            } else {
                body.push(para(format!("The purpose of this letter is to tell you that, because of what happened to {} and the circumstances surrounding it, {} will carry out a review. The Government requires us to do this.", or_blank(&f.child_name), partnership)));
            }
            body.push(para("The purpose of the review is:"));
            body.push(bullets(
                [
                    "to establish whether there are lessons to be learned about the way in which local professionals and organisations work together to safeguard and promote the welfare of children;",
                    "to identify clearly what those lessons are, how they will be acted upon and what changes might be necessary;",
                    "to improve inter-agency working and better safeguard children.",
                ]
                .map(String::from),
            ));
            body.push(para("The process for the review is set out in the statutory guidance Working Together to Safeguard Children. I enclose a copy of the relevant chapter, for your information or for you to share with your solicitor if you wish."));
            body.push(para("This may seem very complicated at such a distressing time, but I want to emphasise that this review will not influence any police investigation, or the work happening now between your family and professionals such as your social worker and health visitor. It is a separate process, involving senior managers from all the agencies that make up the partnership."));
            body.push(para(format!(
                "We want to give you the opportunity, if you wish, to make any comments or observations to the review panel. You can do this in writing or by speaking to {}, the independent author of the overview report.",
                or_blank(&f.overview_author)
            )));
            body.push(para(format!(
                "Please contact {} at {} if you would like to make comments, if you would like anything in this letter explained in more detail, or if you would like to know more about who is involved in the review. You may want to take independent legal advice before making any decisions; your solicitor is welcome to contact the panel's legal adviser.",
                or_blank(&f.overview_author),
                partnership
            )));
            l.body = body;
            l.signatory = or_blank(&f.board_chair);
            l.signatory_position = format!("Independent Chair, {partnership}");
            l.copies = vec![
                "Members of the Serious Case Review Panel".to_string(),
                "Overview author".to_string(),
                "Ofsted".to_string(),
                "Individual Management Review authors".to_string(),
            ];
        }
        LetterKind::NotifyVictims => {
            l.salutation = format!("Dear {}", or_blank(&to.name));
            l.subject = format!("{partnership}: {review}");
            l.body = vec![
                para(format!(
                    "I am writing to tell you that {} decided to review the circumstances of what happened to you.",
                    partnership
                )),
                para("Whenever children have been seriously harmed, Local Safeguarding Children Boards have a duty to look at their situation and ask the question: \"Is there any way in which this might have been prevented?\" They look at how professionals worked together. Having reviewed the records, the board makes recommendations to the organisations that have responsibilities for children about how they can improve the way they work together."),
                para("This process, which is called a Serious Case Review, is managed by a group of very experienced people from health, the local authority, housing, police and probation. The board will produce an anonymous executive summary of its findings. If you would like a copy of the summary, please let me know."),
            ];
            l.signatory = or_blank(&f.panel_chair);
            l.signatory_position = "Chair, Serious Case Review Panel".to_string();
        }
        LetterKind::PractitionersDebriefing => {
            l.subject = format!("{review}: {}: practitioners' de-briefing", or_blank(&f.child_name));
            l.body = vec![
                para("As you will be aware, a review was held about the above child. The review has now concluded and its executive summary is available."),
                para(format!(
                    "We recognise that it is important to share the overview report and its findings with all those directly involved in the case, and would therefore like to invite you to a de-briefing on {}.",
                    or_blank(&f.event)
                )),
                para(format!(
                    "Please complete the reply slip below to say whether or not you are able to attend. If there is someone you think should be invited who is not on the list below, please contact {} at {}.",
                    or_blank(&f.board_manager),
                    partnership
                )),
            ];
            l.signatory = or_blank(&f.board_manager);
            l.signatory_position = format!("Board manager, {partnership}");
            let mut copies: Vec<String> =
                f.practitioners.iter().map(|p| format!("For attendance: {}, {}, {}", p.name, p.role, p.agency)).collect();
            copies.extend(
                [
                    "For information: members of the Serious Case Review Panel",
                    "For information: Individual Management Review authors",
                    "For information: Ofsted",
                    "For information: overview author",
                ]
                .map(String::from),
            );
            l.copies = copies;
            l.reply_slip = vec![
                format!("Please return to: {}, {}", or_blank(&f.board_manager), partnership),
                format!("Name: {BLANK}"),
                format!("Workplace: {BLANK}"),
                format!("I am able / unable to attend the de-briefing on {}.", or_blank(&f.event)),
            ];
        }
    }
    l
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::markup;

    fn facts() -> LetterFacts {
        LetterFacts {
            partnership: "Northmoor Safeguarding Children Partnership".into(),
            reference: "NSCP-2026-007".into(),
            today: NaiveDate::from_ymd_opt(2026, 11, 23),
            child_name: "Leo Marsh".into(),
            child_date_of_birth: NaiveDate::from_ymd_opt(2024, 3, 3),
            agencies: vec![
                AgencyContact { agency: "Northmoor Police".into(), officer: "DS Kaur".into(), position: "Detective sergeant".into() },
                AgencyContact { agency: "Northmoor Health".into(), officer: "".into(), position: "".into() },
            ],
            parents: vec!["Gemma Marsh".into()],
            imrs: vec![ImrFact {
                agency: "Northmoor Police".into(),
                author: "Ann Cole".into(),
                due_on: NaiveDate::from_ymd_opt(2027, 1, 8).unwrap(),
            }],
            decision: Some((ReviewKind::SeriousCaseReview, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap())),
            panel_chair: "Ruth Obi".into(),
            board_chair: "Sam Patel".into(),
            overview_author: "Mary Lowe".into(),
            ..Default::default()
        }
    }

    fn text(l: &Letter) -> String {
        let doc = markup::Document { blocks: l.body.clone(), ..Default::default() };
        format!("{} {} {}", l.subject, markup::plain_text(&doc, &|_| None), l.signatory)
    }

    #[test]
    fn every_letter_has_a_number_title_and_parses_back() {
        for (i, k) in LetterKind::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(k.number()), i + 1);
            assert_eq!(k.as_str().parse::<LetterKind>().unwrap(), k);
        }
    }

    #[test]
    fn letters_are_filled_from_the_facts_for_each_addressee() {
        let f = facts();
        let to = addressees(LetterKind::RequestInformation, &f);
        assert_eq!(to.len(), 2);
        assert_eq!(to[0].lines(), vec!["DS Kaur", "Detective sergeant", "Northmoor Police"]);
        assert_eq!(Addressee::new("Health Visitor", "health visitor", "Health").lines(), vec!["Health Visitor", "Health"]);
        let l = letter(LetterKind::RequestInformation, &f, &to[0]);
        let t = text(&l);
        assert!(t.contains("Leo Marsh, born 3 March 2024"), "{t}");
        assert!(t.contains("Ruth Obi"));
        // Unknown facts are lines to fill by hand, never invented.
        assert!(t.contains(&format!("by {BLANK}")), "{t}");

        let imr = addressees(LetterKind::CommissionImrs, &f);
        assert_eq!(imr.len(), 1);
        let t = text(&letter(LetterKind::CommissionImrs, &f, &imr[0]));
        assert!(t.contains("8 January 2027") && t.contains("Sam Patel"), "{t}");

        let authors = addressees(LetterKind::AuthorsBriefing, &f);
        assert_eq!(authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), vec!["Ann Cole", "Mary Lowe"]);

        let parents = addressees(LetterKind::NotifyParents, &f);
        let l = letter(LetterKind::NotifyParents, &f, &parents[0]);
        assert_eq!(l.salutation, "Dear Gemma Marsh");
        assert!(!text(&l).contains("condolences"), "the child is alive");
        let mut died = f.clone();
        died.child_date_of_death = NaiveDate::from_ymd_opt(2026, 8, 1);
        assert!(text(&letter(LetterKind::NotifyParents, &died, &parents[0])).contains("condolences on the death of Leo Marsh"));
    }

    #[test]
    fn letters_are_sent_at_the_right_time() {
        use ReviewState as S;
        let f = facts();
        let scr = Some(ReviewKind::SeriousCaseReview);
        assert!(LetterKind::RequestInformation.available(S::Referred, None, &f).is_ok());
        assert!(LetterKind::NoFurtherAction.available(S::Scoping, scr, &f).unwrap_err().contains("no review"));
        assert!(LetterKind::NoFurtherAction.available(S::ClosedNoFurtherAction, Some(ReviewKind::NoFurtherAction), &f).is_ok());
        assert!(LetterKind::CommissionImrs.available(S::Referred, None, &f).is_err());
        assert!(LetterKind::CommissionImrs.available(S::Scoping, scr, &f).is_ok());
        assert!(LetterKind::PractitionersDebriefing.available(S::OverviewDrafting, scr, &f).is_err());
        assert!(LetterKind::PractitionersDebriefing.available(S::Adopted, scr, &f).is_ok());
        let mut died = f.clone();
        died.child_date_of_death = NaiveDate::from_ymd_opt(2026, 8, 1);
        assert!(LetterKind::NotifyVictims.available(S::Scoping, scr, &died).unwrap_err().contains("letter 5"));
    }
}
