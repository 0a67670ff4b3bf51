//! casereview-core: the domain of a case review, with no I/O.
//!
//! It owns what a review *is*: roles ([`role`]), the referral form and its validation
//! ([`referral`]), screening meetings, the panel's recommendation and the chair's decision
//! ([`screening`]), the statutory criteria advice ([`criteria`]), the lifecycle state machine
//! ([`lifecycle`]) and the hash chain of the audit log ([`audit`]). Storage and HTTP are
//! layers over it; time is always passed in, never read here.

pub mod anonymise;
pub mod audit;
pub mod chronology;
pub mod criteria;
pub mod documents;
pub mod error;
pub mod genogram;
pub mod imr;
pub mod involvement;
pub mod learning;
pub mod letters;
pub mod lifecycle;
pub mod markup;
pub mod meetings;
pub mod monitoring;
pub mod notifications;
pub mod proceedings;
pub mod publication;
pub mod publishing;
pub mod recommendations;
pub mod referral;
pub mod retention;
pub mod role;
pub mod scoping;
pub mod screening;
pub mod text;
pub mod textdiff;

pub use error::{FieldError, FieldErrors};
pub use lifecycle::{Action, ReviewKind, ReviewState};
pub use role::Role;

/// Known agencies of a partnership: lower-cased name -> (name as the board writes it,
/// is a partner organisation). Forms resolve what people type against it, so "POLICE"
/// becomes "Police" and "CIAU" is refused (001 App. VI).
pub type AgencyDirectory = std::collections::BTreeMap<String, (String, bool)>;

/// Builds an [`AgencyDirectory`] from (name, is partner) pairs.
pub fn agency_directory<'a>(agencies: impl IntoIterator<Item = (&'a str, bool)>) -> AgencyDirectory {
    agencies.into_iter().map(|(n, p)| (n.trim().to_lowercase(), (n.trim().to_string(), p))).collect()
}
