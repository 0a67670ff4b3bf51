//! The audit chain: each event's hash covers its content and the previous event's hash,
//! so an edited, deleted or reordered row breaks the chain at that row. The store
//! appends; [`verify`] walks the chain.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// RFC 3339 UTC with microseconds, stored as text so the hash never depends on a
    /// database's timestamp precision.
    pub at: String,
    /// The acting account's email, or `system`.
    pub actor: String,
    pub action: String,
    /// What was acted on, e.g. `review:12`.
    pub subject: String,
    /// JSON details.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event's content chained to the previous hash. Fields are
/// length-prefixed so no two different events can produce the same input.
pub fn hash(seq: i64, at: &str, actor: &str, action: &str, subject: &str, details: &str, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_be_bytes());
    for part in [at, actor, action, subject, details, prev_hash] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the chain is broken, naming the first bad event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("audit event {seq}: expected sequence number {expected} (an event was deleted or reordered)")]
    Gap { seq: i64, expected: i64 },
    #[error("audit event {seq}: its previous-hash does not match event {prev} (an event was deleted, inserted or reordered)")]
    BrokenLink { seq: i64, prev: i64 },
    #[error("audit event {seq}: its content does not match its hash (the event was edited)")]
    Edited { seq: i64 },
    #[error("audit log ends at event {last} but the chain head records event {head} (events were deleted from the end)")]
    Truncated { last: i64, head: i64 },
    #[error("audit log head hash does not match the last event {last}")]
    HeadMismatch { last: i64 },
}

/// Verifies events in stored order against the recorded head (last seq and hash).
pub fn verify(events: &[AuditEvent], head: Option<(i64, &str)>) -> Result<usize, ChainError> {
    let mut prev_hash = GENESIS.to_string();
    let mut expected = 1;
    for e in events {
        if e.seq != expected {
            return Err(ChainError::Gap { seq: e.seq, expected });
        }
        if e.prev_hash != prev_hash {
            return Err(ChainError::BrokenLink { seq: e.seq, prev: e.seq - 1 });
        }
        if hash(e.seq, &e.at, &e.actor, &e.action, &e.subject, &e.details, &e.prev_hash) != e.hash {
            return Err(ChainError::Edited { seq: e.seq });
        }
        prev_hash = e.hash.clone();
        expected += 1;
    }
    let last = expected - 1;
    if let Some((head_seq, head_hash)) = head {
        if head_seq != last {
            return Err(ChainError::Truncated { last, head: head_seq });
        }
        if last > 0 && head_hash != prev_hash {
            return Err(ChainError::HeadMismatch { last });
        }
    }
    Ok(events.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut out: Vec<AuditEvent> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map(|e| e.hash.clone()).unwrap_or_else(|| GENESIS.to_string());
            let at = format!("2026-11-23T10:00:{seq:02}.000000Z");
            let details = format!("{{\"n\":{seq}}}");
            let h = hash(seq, &at, "a@b", "review.create", "review:1", &details, &prev);
            out.push(AuditEvent {
                seq,
                at,
                actor: "a@b".into(),
                action: "review.create".into(),
                subject: "review:1".into(),
                details,
                prev_hash: prev,
                hash: h,
            });
        }
        out
    }

    fn head(c: &[AuditEvent]) -> Option<(i64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(5));
        assert_eq!(verify(&[], Some((0, GENESIS))), Ok(0));
    }

    #[test]
    fn tampering_names_the_first_bad_event() {
        let c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_string())).unwrap();
        let hr = Some((h.0, h.1.as_str()));

        let mut edited = c.clone();
        edited[2].details = "{\"n\":99}".into();
        assert_eq!(verify(&edited, hr), Err(ChainError::Edited { seq: 3 }));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted, hr), Err(ChainError::Gap { seq: 3, expected: 2 }));

        let mut reordered = c.clone();
        reordered.swap(1, 2);
        let (a, b) = (reordered[1].seq, reordered[2].seq);
        reordered[1].seq = b;
        reordered[2].seq = a;
        assert!(matches!(verify(&reordered, hr), Err(ChainError::BrokenLink { seq: 2, .. }) | Err(ChainError::Edited { seq: 2 })));

        let truncated = &c[..4];
        assert_eq!(verify(truncated, hr), Err(ChainError::Truncated { last: 4, head: 5 }));
    }
}
