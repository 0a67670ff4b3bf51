//! Sending reminder emails over SMTP.
//!
//! The service hands its mail to a relay named by a URL of the form
//! `smtp://[user:pass@]host[:port]?from=addr` (see [`MailConfig::from_url`]). This is
//! **plain SMTP with no TLS**: it is meant for a relay on the same host or a trusted
//! local network (a local Postfix, an internal smart host), which then delivers onward
//! over whatever secure channel it is configured for. Credentials, if given, travel in
//! clear text to that relay; do not point this at a relay across an untrusted network.
//!
//! The password never appears in an error, a log line or `Debug` output.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::time::Duration;

/// Port used when the URL names none.
pub const DEFAULT_PORT: u16 = 25;

/// How long one SMTP command may take before the send is abandoned.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong in configuring or sending mail. No variant ever carries a password.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    /// The mail URL or settings are unusable; the text says which part.
    #[error("mail configuration: {0}")]
    Config(String),
    /// An email address (sender or recipient) is not valid; carries the address.
    #[error("invalid email address: {0}")]
    Address(String),
    /// The message could not be put together.
    #[error("could not build the email: {0}")]
    Message(String),
    /// The relay could not be reached, refused the message or timed out.
    #[error("could not send the email: {0}")]
    Transport(String),
}

/// Where and as whom to send mail. `Debug` shows the password only as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    /// The sender, as an address (`reminders@example.org`) or a mailbox
    /// (`Case reviews <reminders@example.org>`).
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl MailConfig {
    /// Parses `smtp://[user:pass@]host[:port]?from=addr`.
    ///
    /// The port defaults to 25. `from` is required. The user name, password and query
    /// values are percent-decoded (so a password containing `@` or `:` is written
    /// `%40` / `%3A`). An IPv6 host is written in brackets: `smtp://[::1]:2525?from=..`.
    pub fn from_url(url: &str) -> Result<MailConfig, MailError> {
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("smtp") => rest,
            _ => return Err(MailError::Config("the mail URL must start with smtp:// (plain SMTP to a local relay)".into())),
        };
        // The authority ends at the first '/' or '?'; a '/' alone before the query is allowed.
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let query = match tail.strip_prefix('/').unwrap_or(tail) {
            "" => "",
            t => match t.strip_prefix('?') {
                Some(q) => q,
                None => return Err(MailError::Config("the mail URL must not have a path".into())),
            },
        };

        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, pass) = info
                    .split_once(':')
                    .ok_or_else(|| MailError::Config("the mail URL has a user name but no password (user:pass@host)".into()))?;
                let user = percent_decode(user).ok_or_else(|| MailError::Config("the user name is not valid percent-encoding".into()))?;
                let pass = percent_decode(pass).ok_or_else(|| MailError::Config("the password is not valid percent-encoding".into()))?;
                if user.is_empty() {
                    return Err(MailError::Config("the mail URL has an empty user name".into()));
                }
                (Some(user), Some(pass))
            }
        };

        let (host, port) = split_host_port(hostport)?;

        let mut from = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "from" => {
                    let value = percent_decode(value).ok_or_else(|| MailError::Config("`from` is not valid percent-encoding".into()))?;
                    from = Some(value);
                }
                other => {
                    let other: String = other.chars().take(40).collect();
                    return Err(MailError::Config(format!("unknown parameter `{other}` in the mail URL (only `from` is understood)")));
                }
            }
        }
        let from = match from {
            Some(f) if !f.trim().is_empty() => f,
            _ => return Err(MailError::Config("the mail URL has no `from` (add ?from=reminders@example.org)".into())),
        };
        parse_mailbox(&from, None)?;

        Ok(MailConfig { host, port, from, username, password })
    }
}

/// Splits `host[:port]` or `[v6]:port`, returning the host without brackets.
fn split_host_port(hostport: &str) -> Result<(String, u16), MailError> {
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let (h, after) = inner.split_once(']').ok_or_else(|| MailError::Config("unclosed `[` in the mail host".into()))?;
        match after {
            "" => (h, None),
            a => match a.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return Err(MailError::Config("unexpected text after the bracketed mail host".into())),
            },
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(MailError::Config("the mail URL has no host".into()));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(MailError::Config("the mail port must be a number from 1 to 65535".into())),
        },
    };
    Ok((host.to_string(), port))
}

/// Decodes `%XY` escapes; `None` on a malformed escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Header text on one line: CR, LF and other control characters become spaces.
fn single_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `addr` as a mailbox: either a bare address (named `name` if given and not empty)
/// or a full `Name <addr>` form.
fn parse_mailbox(addr: &str, name: Option<&str>) -> Result<Mailbox, MailError> {
    let trimmed = addr.trim();
    if let Ok(address) = trimmed.parse::<Address>() {
        let name = name.map(single_line).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        return Ok(Mailbox::new(name, address));
    }
    if name.is_none() && !trimmed.chars().any(char::is_control) {
        if let Ok(mailbox) = trimmed.parse::<Mailbox>() {
            return Ok(mailbox);
        }
    }
    Err(MailError::Address(addr.to_string()))
}

/// One plain-text (UTF-8) email to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The recipient's address.
    pub to: String,
    /// The recipient's name as shown in the `To` header; empty for none.
    pub to_name: String,
    pub subject: String,
    pub body: String,
}

/// Sends [`Email`]s through the relay of a [`MailConfig`]. Each send opens its own
/// connection, so a `Mailer` can be shared freely (it is `Send + Sync`).
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("host", &self.host).field("port", &self.port).field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    /// Checks the sender address and sets up the transport; connects only on `send`.
    pub fn new(cfg: MailConfig) -> Result<Mailer, MailError> {
        if cfg.host.trim().is_empty() {
            return Err(MailError::Config("no mail host".into()));
        }
        let from = parse_mailbox(&cfg.from, None)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.as_str()).port(cfg.port).timeout(Some(TIMEOUT));
        match (cfg.username, cfg.password) {
            (Some(user), Some(pass)) => builder = builder.credentials(Credentials::new(user, pass)),
            (None, None) => {}
            (Some(_), None) => return Err(MailError::Config("a mail user name was given without a password".into())),
            (None, Some(_)) => return Err(MailError::Config("a mail password was given without a user name".into())),
        }
        Ok(Mailer { transport: builder.build(), from, host: cfg.host, port: cfg.port })
    }

    /// The sender every message goes out as.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Sends one message. Addresses are checked before any connection is made.
    pub async fn send(&self, msg: &Email) -> Result<(), MailError> {
        let to = parse_mailbox(&msg.to, Some(&msg.to_name))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(single_line(&msg.subject))
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone())
            .map_err(|e| MailError::Message(e.to_string()))?;
        self.deliver(message).await
    }

    /// Sends a meeting invitation: the text, and the iCalendar request (RFC 5545/6047) as
    /// an `invitation.ics` attachment that calendar clients offer to accept.
    pub async fn send_invitation(&self, msg: &Email, ics: &str) -> Result<(), MailError> {
        use lettre::message::{Attachment, MultiPart, SinglePart};
        let to = parse_mailbox(&msg.to, Some(&msg.to_name))?;
        let calendar = ContentType::parse("text/calendar; method=REQUEST; charset=UTF-8").map_err(|e| MailError::Message(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(single_line(&msg.subject))
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(msg.body.clone()))
                    .singlepart(Attachment::new("invitation.ics".into()).body(ics.to_string(), calendar)),
            )
            .map_err(|e| MailError::Message(e.to_string()))?;
        self.deliver(message).await
    }

    async fn deliver(&self, message: Message) -> Result<(), MailError> {
        match self.transport.send(message).await {
            Ok(_) => {
                tracing::debug!(host = %self.host, port = self.port, "email handed to the relay");
                Ok(())
            }
            Err(e) => {
                let text = e.to_string();
                tracing::warn!(host = %self.host, port = self.port, error = %text, "sending an email failed");
                Err(MailError::Transport(text))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn from_url_full() {
        let cfg = MailConfig::from_url("smtp://alice:secret@mail.example.org:2525?from=reminders@example.org").unwrap();
        assert_eq!(
            cfg,
            MailConfig {
                host: "mail.example.org".into(),
                port: 2525,
                from: "reminders@example.org".into(),
                username: Some("alice".into()),
                password: Some("secret".into()),
            }
        );
    }

    #[test]
    fn from_url_defaults_port_and_no_credentials() {
        let cfg = MailConfig::from_url("smtp://localhost?from=reminders%40example.org").unwrap();
        assert_eq!(cfg.host, "localhost");
        assert_eq!(cfg.port, 25);
        assert_eq!(cfg.from, "reminders@example.org");
        assert_eq!(cfg.username, None);
        assert_eq!(cfg.password, None);
        let cfg = MailConfig::from_url("smtp://[::1]:2525/?from=Case%20reviews%20%3Creviews@example.org%3E").unwrap();
        assert_eq!((cfg.host.as_str(), cfg.port), ("::1", 2525));
        assert_eq!(cfg.from, "Case reviews <reviews@example.org>");
        Mailer::new(cfg).unwrap();
    }

    #[test]
    fn from_url_missing_from() {
        for url in ["smtp://localhost:25", "smtp://localhost:25?", "smtp://localhost:25?from="] {
            let err = MailConfig::from_url(url).unwrap_err();
            assert!(matches!(&err, MailError::Config(m) if m.contains("`from`")), "{url}: {err}");
        }
    }

    #[test]
    fn from_url_bad_from() {
        let err = MailConfig::from_url("smtp://localhost?from=not-an-address").unwrap_err();
        assert_eq!(err, MailError::Address("not-an-address".into()));
    }

    #[test]
    fn from_url_bad_port() {
        for url in [
            "smtp://localhost:abc?from=a@b.org",
            "smtp://localhost:70000?from=a@b.org",
            "smtp://localhost:0?from=a@b.org",
            "smtp://localhost:+25?from=a@b.org",
            "smtp://localhost:?from=a@b.org",
        ] {
            let err = MailConfig::from_url(url).unwrap_err();
            assert!(matches!(&err, MailError::Config(m) if m.contains("port")), "{url}: {err}");
        }
    }

    #[test]
    fn from_url_other_errors() {
        assert!(matches!(MailConfig::from_url("smtps://h?from=a@b.org"), Err(MailError::Config(_))));
        assert!(matches!(MailConfig::from_url("localhost?from=a@b.org"), Err(MailError::Config(_))));
        assert!(matches!(MailConfig::from_url("smtp://?from=a@b.org"), Err(MailError::Config(_))));
        assert!(matches!(MailConfig::from_url("smtp://h/path?from=a@b.org"), Err(MailError::Config(_))));
        assert!(matches!(MailConfig::from_url("smtp://h?from=a@b.org&tls=on"), Err(MailError::Config(_))));
        assert!(matches!(MailConfig::from_url("smtp://user@h?from=a@b.org"), Err(MailError::Config(_))));
    }

    #[test]
    fn from_url_percent_encoded_credentials() {
        let cfg = MailConfig::from_url("smtp://lscb%2Breviews:p%40ss%3Aw%25rd%20%C3%A9@relay.local:587?from=reviews@lscb.example").unwrap();
        assert_eq!(cfg.username.as_deref(), Some("lscb+reviews"));
        assert_eq!(cfg.password.as_deref(), Some("p@ss:w%rd é"));
        assert_eq!(cfg.host, "relay.local");
        assert_eq!(cfg.port, 587);
        // An unencoded '@' in the password still splits at the last '@'.
        let cfg = MailConfig::from_url("smtp://u:p@ss@relay.local?from=reviews@lscb.example").unwrap();
        assert_eq!(cfg.password.as_deref(), Some("p@ss"));
        // Malformed escapes are refused without echoing the password.
        let err = MailConfig::from_url("smtp://u:hunter2%zz@relay.local?from=reviews@lscb.example").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn debug_redacts_password() {
        let cfg = MailConfig::from_url("smtp://alice:hunter2-s3cret@relay.local?from=reviews@lscb.example").unwrap();
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2-s3cret"), "{shown}");
        assert!(shown.contains("<redacted>") && shown.contains("alice"), "{shown}");
        let shown = format!("{cfg:#?}");
        assert!(!shown.contains("hunter2-s3cret"), "{shown}");
        let mailer = Mailer::new(cfg).unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2-s3cret"));
    }

    #[test]
    fn mailer_new_checks_settings() {
        let cfg = MailConfig { host: "relay.local".into(), port: 25, from: "nope".into(), username: None, password: None };
        assert_eq!(Mailer::new(cfg.clone()).unwrap_err(), MailError::Address("nope".into()));
        let cfg = MailConfig { from: "a@b.org".into(), username: Some("u".into()), ..cfg };
        assert!(matches!(Mailer::new(cfg), Err(MailError::Config(_))));
    }

    #[test]
    fn header_text_is_one_line() {
        assert_eq!(single_line("Review due\r\nBcc: x@evil.example"), "Review due  Bcc: x@evil.example");
        let mb = parse_mailbox("chair@lscb.example", Some("Ann\r\nBcc: x@y.z")).unwrap();
        assert_eq!(mb.name.as_deref(), Some("Ann  Bcc: x@y.z"));
        assert_eq!(parse_mailbox("a@b.org\r\nBcc: x@y.z", Some("")).unwrap_err(), MailError::Address("a@b.org\r\nBcc: x@y.z".into()));
    }
}
