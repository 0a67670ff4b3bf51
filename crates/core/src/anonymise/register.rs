//! The known-entity register and pseudonym plan (being written).
use super::CaseFile;
use crate::FieldErrors;

/// The case's entities, compiled for matching, each with its pseudonym.
#[derive(Debug, Clone, Default)]
pub struct Register {}

impl Register {
    /// Builds the register from a case file; errors name the field.
    pub fn from_case(case: &CaseFile) -> Result<Register, FieldErrors> {
        let _ = case;
        Ok(Register {})
    }
}
