//! Reminder emails through `casereview_web::mail` to a real (test) SMTP server.
#![allow(clippy::unwrap_used)]

#[path = "common/smtp.rs"]
mod smtp;

use casereview_web::mail::{Email, MailConfig, MailError, Mailer};
use smtp::{base64_decode, Received, TestSmtp};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn mailer_for(server: &TestSmtp, userinfo: &str) -> Mailer {
    let url = format!("smtp://{userinfo}127.0.0.1:{}?from=Case%20reviews%20%3Creviews@lscb.example%3E", server.addr.port());
    Mailer::new(MailConfig::from_url(&url).unwrap()).unwrap()
}

/// Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`) in an unfolded header value;
/// whitespace between two adjacent encoded words is dropped, as the RFC says.
fn decode_header(value: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut pending_space: Vec<u8> = Vec::new();
    let mut last_was_encoded = false;
    for (i, token) in value.split([' ', '\t']).enumerate() {
        if i > 0 {
            pending_space.push(b' ');
        }
        if token.is_empty() {
            continue;
        }
        let decoded = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?=")).and_then(|inner| {
            let mut parts = inner.splitn(3, '?');
            let (charset, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
            assert!(charset.eq_ignore_ascii_case("utf-8"), "unexpected charset {charset}");
            match enc {
                "B" | "b" => base64_decode(text),
                "Q" | "q" => Some(qp_decode(&text.replace('_', " "))),
                _ => None,
            }
        });
        match decoded {
            Some(bytes) => {
                if !last_was_encoded {
                    out.append(&mut pending_space);
                }
                pending_space.clear();
                out.extend(bytes);
                last_was_encoded = true;
            }
            None => {
                out.append(&mut pending_space);
                out.extend(token.bytes());
                last_was_encoded = false;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// Quoted-printable (RFC 2045) to bytes, including soft line breaks.
fn qp_decode(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if let Some(v) = b.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The body as the sender wrote it, undoing the Content-Transfer-Encoding.
fn decoded_body(msg: &Received) -> String {
    let raw = msg.raw_body();
    let cte = msg.header("Content-Transfer-Encoding").unwrap_or_else(|| "7bit".into()).to_ascii_lowercase();
    let bytes = match cte.trim() {
        "quoted-printable" => qp_decode(&raw),
        "base64" => base64_decode(&raw.replace("\r\n", "")).unwrap(),
        "7bit" | "8bit" | "binary" => raw.into_bytes(),
        other => panic!("unexpected transfer encoding {other}"),
    };
    String::from_utf8(bytes).unwrap().replace("\r\n", "\n").trim_end_matches('\n').to_string()
}

#[tokio::test]
async fn sends_reminders_to_a_real_smtp_server() {
    let server = TestSmtp::start().await;
    let mailer = mailer_for(&server, "");

    let first = Email {
        to: "chair@lscb.example".into(),
        to_name: "Panel Chair".into(),
        subject: "Reminder: scoping meeting".into(),
        body: "The scoping meeting for review CR-2026-001 is due.\n\n. A line starting with a dot.\n".into(),
    };
    let second = Email {
        to: "elodie.author@lscb.example".into(),
        to_name: "Élodie Dupré".into(),
        subject: "Révision — due 03/06/2026".into(),
        body: "Bonjour Élodie,\n\nLa révision CR-2026-002 est due le 03/06/2026 — merci.\n".into(),
    };
    mailer.send(&first).await.unwrap();
    mailer.send(&second).await.unwrap();

    let got = server.wait_for(2, WAIT).await;
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(server.connections(), 2);

    for (msg, email) in got.iter().zip([&first, &second]) {
        assert_eq!(msg.from, "reviews@lscb.example");
        assert_eq!(msg.to, vec![email.to.clone()]);
        assert_eq!(msg.auth, None);
        assert_eq!(decode_header(&msg.header("Subject").unwrap()), email.subject);
        assert_eq!(decoded_body(msg), email.body.trim_end_matches('\n'));
        let ct = msg.header("Content-Type").unwrap().to_ascii_lowercase();
        assert!(ct.starts_with("text/plain") && ct.contains("charset=utf-8"), "{ct}");
        assert!(decode_header(&msg.header("From").unwrap()).contains("Case reviews"));
        assert!(msg.header("Date").is_some());
    }
    // The non-ASCII subject and recipient name went out RFC 2047-encoded, not raw.
    let second_raw = &got[1];
    assert!(second_raw.header("Subject").unwrap().starts_with("=?utf-8?"), "{:?}", second_raw.header("Subject"));
    assert!(second_raw.headers().is_ascii(), "{}", second_raw.headers());
    assert_eq!(decode_header(&second_raw.header("To").unwrap()), "Élodie Dupré <elodie.author@lscb.example>");
    // The dot-stuffed line came back intact.
    assert!(decoded_body(&got[0]).contains("\n. A line starting with a dot."));
}

#[tokio::test]
async fn invalid_address_fails_without_contacting_the_server() {
    let server = TestSmtp::start().await;
    let mailer = mailer_for(&server, "");
    for bad in ["not-an-address", "two@@lscb.example", "", "chair@lscb.example\r\nBcc: leak@evil.example"] {
        let email = Email { to: bad.into(), to_name: "Someone".into(), subject: "Reminder".into(), body: "Due soon.".into() };
        let err = mailer.send(&email).await.unwrap_err();
        assert_eq!(err, MailError::Address(bad.into()));
        assert!(err.to_string().contains(bad), "{err}");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.connections(), 0);
    assert!(server.messages().await.is_empty());
}

#[tokio::test]
async fn authenticates_when_credentials_are_given() {
    let server = TestSmtp::start().await;
    let mailer = mailer_for(&server, "lscb%2Breviews:p%40ss%3Aword@");
    let email = Email { to: "chair@lscb.example".into(), to_name: String::new(), subject: "Reminder".into(), body: "Due soon.".into() };
    mailer.send(&email).await.unwrap();
    let got = server.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].auth, Some(("lscb+reviews".to_string(), "p@ss:word".to_string())));
    assert_eq!(got[0].header("To").as_deref(), Some("chair@lscb.example"));
}

#[tokio::test]
async fn concurrent_sends_all_arrive() {
    let server = TestSmtp::start().await;
    let mailer = std::sync::Arc::new(mailer_for(&server, ""));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let mailer = mailer.clone();
        tasks.spawn(async move {
            let email = Email {
                to: format!("member{i}@lscb.example"),
                to_name: String::new(),
                subject: format!("Reminder {i}"),
                body: "Due soon.".into(),
            };
            mailer.send(&email).await
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    let got = server.wait_for(8, WAIT).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, (0..8).map(|i| format!("member{i}@lscb.example")).collect::<Vec<_>>());
}

#[tokio::test]
async fn unreachable_relay_is_a_transport_error_without_the_password() {
    // Bind and drop a listener to get a port nothing listens on.
    let port = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = MailConfig::from_url(&format!("smtp://user:hunter2-s3cret@127.0.0.1:{port}?from=reviews@lscb.example")).unwrap();
    let mailer = Mailer::new(cfg).unwrap();
    let email = Email { to: "chair@lscb.example".into(), to_name: String::new(), subject: "Reminder".into(), body: "Due soon.".into() };
    let err = mailer.send(&email).await.unwrap_err();
    assert!(matches!(err, MailError::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains("hunter2") && !format!("{err:?}").contains("hunter2"), "{err}");
}

#[tokio::test]
async fn server_answers_smtp_by_hand() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let server = TestSmtp::start().await;
    let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    assert!(lines.next_line().await.unwrap().unwrap().starts_with("220 "));
    let script: &[(&str, &[&str])] = &[
        ("MAIL FROM:<a@b.example>", &["503"]),
        ("EHLO client.example", &["250-", "250-AUTH", "250 8BITMIME"]),
        ("NOOP", &["250"]),
        ("RCPT TO:<c@d.example>", &["503"]),
        ("MAIL FROM:<a@b.example>", &["250"]),
        ("RCPT TO:<c@d.example>", &["250"]),
        ("RSET", &["250"]),
        ("DATA", &["503"]),
        ("MAIL FROM:<>", &["250"]),
        ("RCPT TO:<c@d.example>", &["250"]),
        ("RCPT TO:<e@d.example>", &["250"]),
        ("DATA", &["354"]),
        ("Subject: hi\r\n\r\n..dotted\r\nplain\r\n.", &["250"]),
        ("BOGUS", &["500"]),
        ("QUIT", &["221"]),
    ];
    for (send, expect) in script {
        write.write_all(format!("{send}\r\n").as_bytes()).await.unwrap();
        for prefix in *expect {
            let line = lines.next_line().await.unwrap().unwrap();
            assert!(line.starts_with(prefix), "after {send:?}: expected {prefix:?}, got {line:?}");
        }
    }
    let got = server.messages().await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "");
    assert_eq!(got[0].to, vec!["c@d.example", "e@d.example"]);
    assert_eq!(got[0].text(), "Subject: hi\r\n\r\n.dotted\r\nplain\r\n");
}
