//! Criteria advice: whether the statutory criteria for a review appear to be met, from
//! the referral's facts, the partnership's ruleset and the panel's answers to the twelve
//! questions (000 §5.4, 001 §1.3.7). It advises; people decide.

use crate::referral::Referral;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The criteria of an era of statutory guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriteriaSet {
    /// Working Together 2006 (000 §2, 001 §1.3; national-2010 keeps them).
    WorkingTogether2006,
    /// Working Together 2015 as Birmingham applies it (002 "Criteria and Purpose").
    WorkingTogether2015,
}

impl CriteriaSet {
    /// The criteria a ruleset applies; unknown rulesets fall back to the 2006 criteria,
    /// which every pre-2015 seed shares.
    pub fn for_ruleset(ruleset: &str) -> CriteriaSet {
        if ruleset.contains("2015") {
            CriteriaSet::WorkingTogether2015
        } else {
            CriteriaSet::WorkingTogether2006
        }
    }
}

/// The twelve questions (000 §5.4; 001 §1.3.7 lists eleven of them).
pub const QUESTIONS: [(&str, &str); 12] = [
    ("risk_not_recognised", "Was there clear evidence of a risk of significant harm to a child which was not recognised, not shared with others, or not acted upon appropriately?"),
    ("killed_by_mentally_ill_parent", "Was the child killed by a mentally ill parent?"),
    ("institutional_abuse", "Was the child abused in an institutional setting (for example school, nursery, family centre, YOI, STC, children's home or armed services training establishment)?"),
    ("died_in_custody", "Did the child die in a custodial setting (prison, young offender institution or secure training centre)?"),
    ("abused_while_looked_after", "Was the child abused while being looked after by the local authority?"),
    ("suicide_or_runaway", "Did the child commit suicide, or die while absent having run away from home?"),
    ("concerns_not_taken_seriously", "Does one or more agency or professional consider that its concerns were not taken sufficiently seriously, or acted upon appropriately, by another?"),
    ("procedural_failings", "Does the case indicate failings in the local operation of formal safeguarding procedures which go beyond the handling of this case?"),
    ("child_protection_plan", "Was the child the subject of a child protection plan, or previously, or on the child protection register?"),
    ("sibling_protection_plan", "Was another child in the same household or family the subject of a child protection plan, or previously, or on the register?"),
    ("range_of_agencies", "Does the case appear to have implications for a range of agencies and/or professionals?"),
    ("protocols_need_change", "Does the case suggest that the board may need to change its local protocols or procedures, or that they are not being adequately promulgated, understood or acted upon?"),
];

/// "Several" yes answers point to a review (001 §1.3.7); the seeds give no number, so
/// the advice says how many and treats three or more as several.
pub const SEVERAL: usize = 3;

/// The panel's answers: question id -> yes/no. Unanswered questions are absent.
pub type Answers = BTreeMap<String, bool>;

/// The advice's headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    MustHoldReview,
    ShouldConsider,
    NotMet,
}

impl Verdict {
    pub fn title(self) -> &'static str {
        match self {
            Verdict::MustHoldReview => "Must hold a review",
            Verdict::ShouldConsider => "Should consider a review",
            Verdict::NotMet => "Criteria not met",
        }
    }
}

/// The advice with the reasons, each citing its seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub yes_answers: usize,
    pub answered: usize,
}

/// Checks that answers name only the twelve questions.
pub fn check_answers(answers: &Answers) -> Result<(), crate::FieldErrors> {
    let mut e = crate::FieldErrors::new();
    for k in answers.keys() {
        if !QUESTIONS.iter().any(|(id, _)| id == k) {
            e.push(format!("answers.{k}"), format!("'{k}' is not one of the twelve questions"));
        }
    }
    e.into_result(())
}

/// The advice for a referral under a set of criteria.
pub fn advise(set: CriteriaSet, referral: &Referral, answers: &Answers) -> Advice {
    let t = &referral.triggers;
    let died = referral.child.date_of_death.is_some() || t.death_abuse_or_neglect;
    let abuse = t.abuse_or_neglect_suspected || t.death_abuse_or_neglect;
    let yes = answers.values().filter(|v| **v).count();
    let mut reasons = Vec::new();
    let verdict = match set {
        CriteriaSet::WorkingTogether2006 => {
            if died && abuse {
                reasons.push("The child has died and abuse or neglect is known or suspected to be a factor: a review must always be held (000 §2.1; 001 §1.3.1).".to_string());
                Verdict::MustHoldReview
            } else {
                let mut consider = Vec::new();
                if t.serious_harm {
                    consider.push("a potentially life-threatening injury, particularly serious sexual abuse, or serious and permanent impairment through abuse or neglect");
                }
                if t.parent_murdered {
                    consider.push("a parent has been murdered and a homicide review is being initiated");
                }
                if t.killed_by_mentally_ill_parent {
                    consider.push("the child was killed by a parent with a mental illness");
                }
                if t.interagency_concerns {
                    consider.push("the case gives rise to concerns about inter-agency working");
                }
                if died && !abuse {
                    reasons.push("The child has died but abuse or neglect is not recorded as known or suspected, so the mandatory criterion (000 §2.1) is not met.".to_string());
                }
                if consider.is_empty() {
                    reasons.push(
                        "None of the circumstances in which a review should be considered is recorded (000 §2.2; 001 §1.3.2).".to_string(),
                    );
                    Verdict::NotMet
                } else {
                    reasons.push(format!("A review should be considered: {} (000 §2.2; 001 §1.3.2).", consider.join("; ")));
                    Verdict::ShouldConsider
                }
            }
        }
        CriteriaSet::WorkingTogether2015 => {
            if t.died_in_custody {
                reasons.push("The child died in custody or while detained under the Mental Health Act: a Serious Case Review must be arranged (002 Criteria and Purpose).".to_string());
                Verdict::MustHoldReview
            } else if died && abuse {
                reasons.push("The child has died and abuse or neglect is known or suspected: a Serious Case Review must be arranged (002; 004 (a) and (b)(i)).".to_string());
                Verdict::MustHoldReview
            } else if t.serious_harm && abuse && t.interagency_concerns {
                reasons.push("The child has been seriously harmed, abuse or neglect is known or suspected, and there is cause for concern about how the agencies worked together: a Serious Case Review must be arranged (002; 004 (b)(ii)).".to_string());
                Verdict::MustHoldReview
            } else if (t.serious_harm || died) && !abuse {
                reasons.push("Abuse or neglect is not recorded as known or suspected, so the serious case criteria are not met (002; 004 (a)); a smaller-scale partnership review may still yield lessons (004).".to_string());
                Verdict::ShouldConsider
            } else if t.serious_harm || t.interagency_concerns {
                reasons.push("Serious harm without concern about joint working, or concern about joint working without serious harm: the criteria for a Serious Case Review are not met, but a smaller-scale partnership review should be considered (004).".to_string());
                Verdict::ShouldConsider
            } else {
                reasons
                    .push("Neither death nor serious harm through known or suspected abuse or neglect is recorded (002; 004).".to_string());
                Verdict::NotMet
            }
        }
    };
    if !answers.is_empty() {
        if yes >= SEVERAL {
            reasons.push(format!("{yes} of the twelve questions are answered yes: several yes answers indicate that a review could yield useful lessons (000 §5.4; 001 §1.3.7)."));
        } else {
            reasons.push(format!(
                "{yes} of the twelve questions {} answered yes ({} answered).",
                if yes == 1 { "is" } else { "are" },
                answers.len()
            ));
        }
    }
    let verdict = if verdict == Verdict::NotMet && yes >= SEVERAL { Verdict::ShouldConsider } else { verdict };
    Advice { verdict, reasons, yes_answers: yes, answered: answers.len() }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::referral::tests::{agencies, sample};
    use crate::referral::Triggers;
    use chrono::NaiveDate;

    fn referral(triggers: Triggers, died: bool) -> Referral {
        let mut i = sample();
        i.triggers = triggers;
        if !died {
            i.child.date_of_death = String::new();
        }
        i.validate(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), &agencies()).unwrap()
    }

    #[test]
    fn advice_table() {
        use CriteriaSet::*;
        use Verdict::*;
        let death = Triggers { death_abuse_or_neglect: true, ..Default::default() };
        let harm = Triggers { serious_harm: true, ..Default::default() };
        let harm_abuse_concern =
            Triggers { serious_harm: true, abuse_or_neglect_suspected: true, interagency_concerns: true, ..Default::default() };
        let custody = Triggers { died_in_custody: true, ..Default::default() };
        let concerns = Triggers { interagency_concerns: true, ..Default::default() };
        let cases = [
            (WorkingTogether2006, death.clone(), true, MustHoldReview),
            (WorkingTogether2006, harm.clone(), false, ShouldConsider),
            (WorkingTogether2006, concerns.clone(), false, ShouldConsider),
            (WorkingTogether2006, custody.clone(), false, NotMet),
            (WorkingTogether2015, death, true, MustHoldReview),
            (WorkingTogether2015, harm_abuse_concern, false, MustHoldReview),
            (WorkingTogether2015, harm, false, ShouldConsider),
            (WorkingTogether2015, custody, false, MustHoldReview),
            (WorkingTogether2015, concerns, false, ShouldConsider),
        ];
        for (set, t, died, want) in cases {
            let a = advise(set, &referral(t.clone(), died), &Answers::new());
            assert_eq!(a.verdict, want, "{set:?} {t:?}: {:?}", a.reasons);
            assert!(a.reasons.iter().all(|r| r.contains('(')), "each reason cites its source");
        }
    }

    #[test]
    fn several_yes_answers_raise_not_met_to_consider() {
        let r = referral(Triggers { died_in_custody: true, ..Default::default() }, false);
        let answers: Answers = QUESTIONS.iter().take(3).map(|(id, _)| (id.to_string(), true)).collect();
        let a = advise(CriteriaSet::WorkingTogether2006, &r, &answers);
        assert_eq!(a.verdict, Verdict::ShouldConsider);
        assert_eq!(a.yes_answers, 3);
        let mut bad = Answers::new();
        bad.insert("made_up".into(), true);
        assert!(check_answers(&bad).is_err());
        assert_eq!(CriteriaSet::for_ruleset("birmingham-2015"), CriteriaSet::WorkingTogether2015);
        assert_eq!(CriteriaSet::for_ruleset("medway-2008"), CriteriaSet::WorkingTogether2006);
    }
}
