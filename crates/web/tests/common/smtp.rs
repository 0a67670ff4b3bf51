//! A small but real SMTP server for tests (RFC 5321, enough for lettre): it listens on
//! 127.0.0.1 on a free port, accepts any number of concurrent connections and keeps every
//! message it is given. Include it with `#[path = "common/smtp.rs"] mod smtp;`.
//!
//! It speaks EHLO/HELO, AUTH PLAIN and LOGIN (any credentials are accepted and recorded),
//! MAIL FROM, RCPT TO, DATA (dot-stuffing undone), RSET, NOOP, VRFY and QUIT. Every loop
//! is bounded (connections, commands, line and message sizes, idle time), and the server
//! and all its connections stop when the [`TestSmtp`] is dropped.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::{JoinHandle, JoinSet};

const MAX_CONNECTIONS: usize = 1_000;
const MAX_COMMANDS: usize = 1_000;
const MAX_LINE: u64 = 8 * 1024;
const MAX_MESSAGE: usize = 10 * 1024 * 1024;
const MAX_RECIPIENTS: usize = 100;
const IDLE: Duration = Duration::from_secs(30);

/// One message as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Envelope sender (`MAIL FROM:<...>`, without the brackets; empty for `<>`).
    pub from: String,
    /// Envelope recipients (`RCPT TO:<...>`), in order.
    pub to: Vec<String>,
    /// The message (headers and body) after undoing dot-stuffing, lines ending CRLF,
    /// without the final `.` line.
    pub data: Vec<u8>,
    /// `(user, password)` if the client authenticated on this connection.
    pub auth: Option<(String, String)>,
    /// The name the client gave in EHLO/HELO.
    pub helo: String,
}

impl Received {
    /// The data as text (lossy for non-UTF-8 bytes).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }

    /// The header part, up to the first empty line.
    pub fn headers(&self) -> String {
        let text = self.text();
        text.split_once("\r\n\r\n").map(|(h, _)| h.to_string()).unwrap_or(text)
    }

    /// The body, after the first empty line (still transfer-encoded).
    pub fn raw_body(&self) -> String {
        self.text().split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
    }

    /// The value of the first header called `name` (case-insensitive), unfolded, as sent
    /// (encoded words are left as they are).
    pub fn header(&self, name: &str) -> Option<String> {
        let headers = self.headers();
        let mut found: Option<String> = None;
        for line in headers.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = found.as_mut() {
                    v.push_str(line);
                    continue;
                }
            } else if found.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.trim().eq_ignore_ascii_case(name) {
                    found = Some(v.trim_start().to_string());
                }
            }
        }
        found
    }
}

/// A running test SMTP server; stops when dropped.
pub struct TestSmtp {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TestSmtp {
    /// Binds 127.0.0.1:0 and starts serving.
    pub async fn start() -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(accept_loop(listener, received.clone(), connections.clone()));
        TestSmtp { addr, received, connections, task }
    }

    /// Every message received so far.
    pub async fn messages(&self) -> Vec<Received> {
        self.received.lock().await.clone()
    }

    /// Waits until at least `n` messages have arrived or `timeout` passes, then returns
    /// all messages received (possibly fewer than `n`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.messages().await;
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// How many TCP connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every connection.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, received: Arc<Mutex<Vec<Received>>>, connections: Arc<AtomicUsize>) {
    let mut sessions = JoinSet::new();
    for _ in 0..MAX_CONNECTIONS {
        let Ok((stream, _)) = listener.accept().await else { continue };
        connections.fetch_add(1, Ordering::SeqCst);
        let received = received.clone();
        sessions.spawn(async move {
            // A session that breaks off (client gone, idle, too long) just ends.
            let _ = session(stream, received).await;
        });
        // Reap finished sessions so the set does not grow without bound.
        while sessions.try_join_next().is_some() {}
    }
    // Out of connections: let the open ones finish.
    while sessions.join_next().await.is_some() {}
}

type Io<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Reads one line (ending LF) of at most MAX_LINE bytes; `None` at end of stream.
async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Io<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let n = tokio::time::timeout(IDLE, (&mut *reader).take(MAX_LINE).read_until(b'\n', &mut line)).await??;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err("line too long or cut off".into());
    }
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(Some(line))
}

#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

async fn session(stream: TcpStream, received: Arc<Mutex<Vec<Received>>>) -> Io<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 localhost ESMTP casereview-test-smtp\r\n").await?;
    let mut helo: Option<String> = None;
    let mut auth: Option<(String, String)> = None;
    let mut tx = Transaction::default();

    for _ in 0..MAX_COMMANDS {
        let Some(line) = read_line(&mut reader).await? else { return Ok(()) };
        let line = String::from_utf8_lossy(&line).into_owned();
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (line.trim().to_ascii_uppercase(), String::new()),
        };
        let reply: String = match verb.as_str() {
            "EHLO" | "HELO" if arg.is_empty() => "501 5.5.4 Give a domain or address\r\n".into(),
            "EHLO" => {
                helo = Some(arg);
                tx = Transaction::default();
                "250-localhost greets you\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n".into()
            }
            "HELO" => {
                helo = Some(arg);
                tx = Transaction::default();
                "250 localhost\r\n".into()
            }
            "AUTH" if helo.is_none() => "503 5.5.1 EHLO first\r\n".into(),
            "AUTH" if auth.is_some() => "503 5.5.1 Already authenticated\r\n".into(),
            "AUTH" => {
                let mut parts = arg.split_whitespace();
                let mechanism = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = parts.next().map(str::to_string);
                match mechanism.as_str() {
                    "PLAIN" => {
                        let response = match initial {
                            Some(r) => r,
                            None => {
                                write.write_all(b"334 \r\n").await?;
                                String::from_utf8_lossy(&read_line(&mut reader).await?.ok_or("closed in AUTH")?).into_owned()
                            }
                        };
                        let decoded = base64_decode(response.trim()).map(|b| String::from_utf8_lossy(&b).into_owned());
                        match decoded.as_deref().map(|d| d.split('\0').collect::<Vec<_>>()).as_deref() {
                            Some([_authzid, user, pass]) => {
                                auth = Some((user.to_string(), pass.to_string()));
                                "235 2.7.0 Authentication successful\r\n".into()
                            }
                            _ => "501 5.5.2 Cannot decode AUTH PLAIN response\r\n".into(),
                        }
                    }
                    "LOGIN" => {
                        let user = match initial {
                            Some(u) => u,
                            None => {
                                write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
                                String::from_utf8_lossy(&read_line(&mut reader).await?.ok_or("closed in AUTH")?).into_owned()
                            }
                        };
                        write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
                        let pass = String::from_utf8_lossy(&read_line(&mut reader).await?.ok_or("closed in AUTH")?).into_owned();
                        match (base64_decode(user.trim()), base64_decode(pass.trim())) {
                            (Some(u), Some(p)) => {
                                auth = Some((String::from_utf8_lossy(&u).into_owned(), String::from_utf8_lossy(&p).into_owned()));
                                "235 2.7.0 Authentication successful\r\n".into()
                            }
                            _ => "501 5.5.2 Cannot decode AUTH LOGIN response\r\n".into(),
                        }
                    }
                    _ => "504 5.5.4 Unrecognized authentication type\r\n".into(),
                }
            }
            "MAIL" if helo.is_none() => "503 5.5.1 EHLO first\r\n".into(),
            "MAIL" if tx.from.is_some() => "503 5.5.1 Nested MAIL command\r\n".into(),
            "MAIL" => match path_arg(&arg, "FROM:") {
                Some(from) => {
                    tx.from = Some(from);
                    "250 2.1.0 OK\r\n".into()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".into(),
            },
            "RCPT" if tx.from.is_none() => "503 5.5.1 MAIL first\r\n".into(),
            "RCPT" if tx.to.len() >= MAX_RECIPIENTS => "452 4.5.3 Too many recipients\r\n".into(),
            "RCPT" => match path_arg(&arg, "TO:") {
                Some(to) if !to.is_empty() => {
                    tx.to.push(to);
                    "250 2.1.5 OK\r\n".into()
                }
                _ => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
            },
            "DATA" if tx.to.is_empty() => "503 5.5.1 RCPT first\r\n".into(),
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let data = read_data(&mut reader).await?;
                let tx = std::mem::take(&mut tx);
                let message = Received {
                    from: tx.from.unwrap_or_default(),
                    to: tx.to,
                    data,
                    auth: auth.clone(),
                    helo: helo.clone().unwrap_or_default(),
                };
                received.lock().await.push(message);
                "250 2.0.0 OK queued\r\n".into()
            }
            "RSET" => {
                tx = Transaction::default();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.5.2 Cannot VRFY user\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                write.shutdown().await?;
                return Ok(());
            }
            _ => "500 5.5.2 Command not recognised\r\n".into(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
    write.write_all(b"421 4.7.0 Too many commands, closing\r\n").await?;
    Ok(())
}

/// `FROM:<a@b> PARAMS` → `a@b`; tolerates a space after the colon.
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_string())
}

/// Reads DATA lines up to the lone `.`, undoing dot-stuffing; lines are kept with CRLF.
async fn read_data<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Io<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let line = read_line(reader).await?.ok_or("connection closed during DATA")?;
        if line == b"." {
            return Ok(data);
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(line);
        data.extend_from_slice(b"\r\n");
        if data.len() > MAX_MESSAGE {
            return Err("message too large".into());
        }
    }
}

/// Standard base64 (padding optional); `None` on any other character.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
