//! The roles people hold in a partnership. What each may do is decided in
//! [`crate::lifecycle`] (transitions) and by the web layer's route table (reads and
//! forms); this module only names them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A person's role in the partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Board manager or administrator: runs the business unit, sees every review.
    PartnershipAdmin,
    /// Independent chair of the board: decides whether to review, adopts reports.
    BoardChair,
    /// Chair of the review (screening) panel.
    PanelChair,
    PanelMember,
    /// Writes an agency's IMR and chronology.
    AgencyAuthor,
    /// Independent overview author / lead reviewer.
    OverviewAuthor,
    /// Signs off the agency's IMR and action plan.
    AgencyHead,
    BoardMember,
    /// Ofsted or the national panel: read-only.
    Regulator,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::PartnershipAdmin,
        Role::BoardChair,
        Role::PanelChair,
        Role::PanelMember,
        Role::AgencyAuthor,
        Role::OverviewAuthor,
        Role::AgencyHead,
        Role::BoardMember,
        Role::Regulator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "partnership_admin",
            Role::BoardChair => "board_chair",
            Role::PanelChair => "panel_chair",
            Role::PanelMember => "panel_member",
            Role::AgencyAuthor => "agency_author",
            Role::OverviewAuthor => "overview_author",
            Role::AgencyHead => "agency_head",
            Role::BoardMember => "board_member",
            Role::Regulator => "regulator",
        }
    }

    /// The title people use for the role.
    pub fn title(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "Board manager / administrator",
            Role::BoardChair => "Board chair",
            Role::PanelChair => "Panel chair",
            Role::PanelMember => "Panel member",
            Role::AgencyAuthor => "Agency (IMR) author",
            Role::OverviewAuthor => "Overview author",
            Role::AgencyHead => "Agency head",
            Role::BoardMember => "Board member",
            Role::Regulator => "Regulator (read-only)",
        }
    }

    /// Roles that see every review of their partnership without being made a member:
    /// the business unit and the board chair who decides on every referral.
    pub fn sees_all_reviews(self) -> bool {
        matches!(self, Role::PartnershipAdmin | Role::BoardChair)
    }

    /// Whether the role may record a referral ("any professional", 001 §2.1.1);
    /// the regulator is read-only and independent authors are not referrers.
    pub fn may_refer(self) -> bool {
        !matches!(self, Role::Regulator | Role::OverviewAuthor)
    }

    /// Whether the role may write anything at all.
    pub fn is_read_only(self) -> bool {
        matches!(self, Role::Regulator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown role name; the message lists the known ones.
#[derive(Debug, thiserror::Error)]
#[error("unknown role '{0}'; expected one of: partnership_admin, board_chair, panel_chair, panel_member, agency_author, overview_author, agency_head, board_member, regulator")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().ok(), Some(r));
        }
        assert!("wizard".parse::<Role>().is_err());
    }
}
