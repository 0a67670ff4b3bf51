//! Identifier patterns (being written).
use super::{Finding, Register};

/// Postcodes, phone numbers, NHS numbers, emails, dates and addresses in `text`.
pub fn detect(text: &str, register: &Register) -> Vec<Finding> {
    let _ = (text, register);
    Vec::new()
}
