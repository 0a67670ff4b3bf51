//! Who may use which route. Every handler that touches a review calls [`review_for`]
//! with what it needs, so the role and the membership of the review are both checked in
//! one place. Reviews a caller may not see answer 404, so their existence is not leaked.

use crate::error::WebError;
use crate::SharedState;
use casereview_core::Role;
use casereview_store::{ReviewRecord, User};

/// What a route needs of the caller, beyond being signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Read the review.
    See,
    /// Change the referral.
    EditReferral,
    /// Record answers to the twelve questions.
    AnswerCriteria,
    /// Add people to the review.
    ManageMembers,
    /// Any write through the lifecycle (the lifecycle table then checks the role).
    Act,
}

impl Need {
    /// The roles allowed, or `None` for any role that can see the review.
    pub fn roles(self) -> Option<&'static [Role]> {
        match self {
            Need::See => None,
            Need::EditReferral => Some(&[Role::PartnershipAdmin, Role::PanelChair]),
            Need::AnswerCriteria => Some(&[Role::PartnershipAdmin, Role::PanelChair, Role::PanelMember]),
            // The board chair too: only they may override an independence rule.
            Need::ManageMembers => Some(&[Role::PartnershipAdmin, Role::BoardChair]),
            Need::Act => Some(&[Role::PartnershipAdmin, Role::BoardChair, Role::PanelChair, Role::OverviewAuthor]),
        }
    }

    pub fn allows(self, role: Role) -> bool {
        self.roles().is_none_or(|r| r.contains(&role))
    }
}

/// Loads a review the user may see and checks the role for `need`.
pub async fn review_for(state: &SharedState, user: &User, review_id: i64, need: Need) -> Result<ReviewRecord, WebError> {
    if !state.store.can_see(user, review_id).await? {
        return Err(WebError::NotFound);
    }
    if !need.allows(user.role) {
        return Err(WebError::Forbidden(format!("A {} may not do this", user.role.title().to_lowercase())));
    }
    Ok(state.store.review(review_id).await?)
}

/// The partnership's business unit only.
pub fn require_admin(user: &User) -> Result<(), WebError> {
    if user.role == Role::PartnershipAdmin {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager or administrator may do this".into()))
    }
}

/// Recording a referral: any role but the read-only regulator and independent authors.
pub fn require_referrer(user: &User) -> Result<(), WebError> {
    if user.role.may_refer() {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("A {} may not record referrals", user.role.title().to_lowercase())))
    }
}

/// The roles the lifecycle allows for an action (checked before a form is shown, so
/// nobody fills in a form they may not submit).
pub fn require_action_role(user: &User, action: casereview_core::lifecycle::Action) -> Result<(), WebError> {
    let t = casereview_core::lifecycle::transition(action);
    if t.roles.contains(&user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("A {} may not {}", user.role.title().to_lowercase(), t.title.to_lowercase())))
    }
}

/// The name of the user's agency, if they have one (agency authors and heads work for one).
pub async fn agency_name(state: &SharedState, user: &User) -> Result<Option<String>, WebError> {
    let Some(aid) = user.agency_id else { return Ok(None) };
    Ok(state.store.agencies(user.partnership_id).await?.into_iter().find(|a| a.id == aid).map(|a| a.name))
}
