//! The one error type of the crate.

/// Everything that can go wrong in the clock; every message names the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// A date or year outside 1990..=2040, where bank holidays are not known.
    #[error(
        "{what} is outside {first}..={last}, the years whose England and Wales bank holidays are known",
        first = crate::calendar::FIRST_YEAR,
        last = crate::calendar::LAST_YEAR
    )]
    OutOfRange {
        /// The date or year, e.g. "date 2041-01-02" or "year 1989".
        what: String,
    },
    /// A ruleset name that is not embedded in the crate.
    #[error("unknown ruleset {name:?}; known rulesets: {known}")]
    UnknownRuleset { name: String, known: String },
    /// An event name that the ruleset does not know.
    #[error("unknown event {name:?} for ruleset {ruleset}; valid events: {valid}")]
    UnknownEvent { name: String, ruleset: String, valid: String },
    /// A step id that the ruleset does not have (in an override).
    #[error("unknown step {id:?} in ruleset {ruleset}; steps: {valid}")]
    UnknownStep { id: String, ruleset: String, valid: String },
    /// A period that does not parse, e.g. "5 fortnights".
    #[error("invalid period {text:?}: {reason}")]
    InvalidPeriod { text: String, reason: String },
    /// A date or date-time that does not parse or does not exist, e.g. 2023-02-30.
    #[error("invalid date or time {value:?} for event {event}: {reason}")]
    InvalidEventTime { event: String, value: String, reason: String },
    /// An argument that is not of the form EVENT=DATE.
    #[error("malformed event argument {arg:?}: expected EVENT=DATE (YYYY-MM-DD) or EVENT=DATETIME (RFC 3339, e.g. 2024-03-01T14:30:00Z)")]
    MalformedArgument { arg: String },
    /// The same event given twice with different times.
    #[error("event {name:?} given twice ({first} and {second})")]
    DuplicateEvent { name: String, first: String, second: String },
    /// An embedded or overridden ruleset that is inconsistent (a bug in its TOML).
    #[error("ruleset {name} is invalid: {reason}")]
    InvalidRuleset { name: String, reason: String },
    /// Rendering output failed.
    #[error("could not render output: {0}")]
    Output(String),
}

/// Result with [`ClockError`].
pub type Result<T> = std::result::Result<T, ClockError>;
