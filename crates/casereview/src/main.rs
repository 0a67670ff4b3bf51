//! The `casereview` command: `serve` runs the web application; the other subcommands load
//! demo data, manage partnerships, accounts and API tokens, verify the audit log, and
//! answer questions of the statutory clock without a server.

mod chronology_cli;
mod demo;
mod ops_cli;

use anyhow::{bail, Context, Result};
use casereview_clock::Format;
use casereview_core::Role;
use casereview_store::{Actor, NewUser, Store};
use casereview_web::{auth, AppState, Config};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "casereview", version, about = "Case reviews of a safeguarding children partnership, from referral to conclusion")]
struct Cli {
    /// Folder for the embedded SQLite database and local files.
    #[arg(long, global = true, default_value = "./data", env = "CASEREVIEW_DATA_DIR")]
    data_dir: PathBuf,
    /// postgres://... to use PostgreSQL instead of SQLite in the data folder.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve(ServeArgs),
    /// Load a fictional partnership with users of every role and reviews at every stage, then serve.
    Demo {
        /// Load the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Partnerships (boards).
    #[command(subcommand)]
    Partnership(PartnershipCmd),
    /// User accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCmd),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Agency chronologies (001 Appendix V): check one file, or merge several into the
    /// integrated chronology with its discrepancies, without a server.
    #[command(subcommand)]
    Chronology(ChronologyCmd),
    /// Anonymise a text against the case's people, places, dates and identifiers (the
    /// CASE.json format is in the README), without a server or database.
    Anonymise {
        /// The case file (JSON): people, places, dates, identifiers.
        #[arg(long = "case")]
        case_file: PathBuf,
        /// The text to anonymise (UTF-8).
        #[arg(long = "in")]
        input: PathBuf,
        /// text (the anonymised text) or json ({"text", "findings"}).
        #[arg(long, default_value = "text")]
        format: String,
        /// Refuse a text or case file larger than this many bytes.
        #[arg(long, default_value_t = 10 * 1024 * 1024)]
        max_bytes: u64,
    },
    /// Reminder emails for deadlines due soon or overdue.
    #[command(subcommand)]
    Reminders(RemindersCmd),
    /// Render a document, letter or form of a review as PDF or DOCX (recorded as a copy made
    /// for the named person, like a download from the review page).
    Render {
        /// The review: its id or its reference (e.g. NSCP-2026-007).
        #[arg(long)]
        review: String,
        /// terms_of_reference, overview_report, executive_summary, ofsted_notification,
        /// referral_form, or letter-1 to letter-7.
        #[arg(long)]
        document: String,
        /// pdf or docx.
        #[arg(long, default_value = "pdf")]
        format: String,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
        /// The email of the person the copy is made for (printed on every page); the
        /// command line's operator when omitted.
        #[arg(long = "for")]
        made_for: Option<String>,
        /// For a letter: only the copy to this addressee (1 for the first); all otherwise.
        #[arg(long)]
        to: Option<usize>,
        /// For letters 4 and 7: date, time and venue of the (de-)briefing.
        #[arg(long, default_value = "")]
        event: String,
    },
    /// Reports across reviews, as PDF or DOCX.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Retention and destruction of review papers (001 §2.4.23-2.4.24), and legal holds.
    #[command(subcommand)]
    Retention(ops_cli::RetentionCmd),
    /// Write a consistent copy of the SQLite database while the server runs (PostgreSQL:
    /// use pg_dump, see the README).
    Backup {
        /// The backup file to write; an existing file is never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a backup (integrity and audit chain) and put it in place as the data folder's database.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace the database of a data folder that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Bank holidays of England and Wales for a year.
    Calendar {
        #[arg(long)]
        year: i32,
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Deadlines a ruleset gives for some events, without a server or database.
    Clock {
        #[arg(long)]
        ruleset: String,
        /// EVENT=DATE (YYYY-MM-DD, or RFC 3339 for a time); repeat for each event.
        #[arg(long = "event")]
        events: Vec<String>,
        #[arg(long, default_value = "table")]
        format: String,
        /// List the events the ruleset uses instead.
        #[arg(long)]
        list_events: bool,
    },
}

#[derive(Subcommand)]
enum ReportCmd {
    /// The annual lessons report (001 §3.1.5): the reviews opened in the year, their themes,
    /// lessons and recommendations, and the action plans' progress, with charts.
    Annual {
        #[arg(long)]
        year: i32,
        /// pdf or docx.
        #[arg(long, default_value = "pdf")]
        format: String,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
        /// The partnership's slug (needed only when there are several).
        #[arg(long)]
        partnership: Option<String>,
    },
    /// The quarterly monitoring report (001 §2.5, §3.1.5): the action plan's traffic-light
    /// summary with its chart, the overdue actions and the plan; of one review (`--review`)
    /// or of every review of the partnership (`--partnership`).
    Monitoring {
        /// The review, by reference (NSCP-2026-007) or number.
        #[arg(long, conflicts_with = "partnership", required_unless_present = "partnership")]
        review: Option<String>,
        /// The partnership's slug: every review's actions.
        #[arg(long)]
        partnership: Option<String>,
        /// pdf or docx.
        #[arg(long, default_value = "pdf")]
        format: String,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "CASEREVIEW_LISTEN")]
    listen: String,
    /// Mark cookies Secure (set this when the service is reached over HTTPS).
    #[arg(long, env = "CASEREVIEW_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The address people use to reach the service (for links in emails and calendar feeds).
    #[arg(long, env = "CASEREVIEW_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    mail: MailArgs,
}

#[derive(clap::Args, Clone)]
struct MailArgs {
    /// smtp://[user:pass@]host[:port]?from=address: send reminder emails through this relay.
    #[arg(long, env = "CASEREVIEW_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Minutes between reminder runs.
    #[arg(long, default_value_t = 15, env = "CASEREVIEW_REMINDER_MINUTES")]
    reminder_minutes: u64,
}

#[derive(Subcommand)]
enum PartnershipCmd {
    /// Create a partnership.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// Prefix of review references, e.g. NSCP.
        #[arg(long)]
        code: String,
        /// Ruleset: oxfordshire-2008, medway-2008, birmingham-2015 or national-2010.
        #[arg(long)]
        ruleset: String,
        /// Agencies, each NAME or NAME:other (not a partner organisation); repeatable.
        #[arg(long = "agency")]
        agencies: Vec<String>,
    },
    /// List partnerships.
    List,
    /// Set the partnership's logo, printed at the head of its documents (PNG or SVG).
    Logo {
        #[arg(long)]
        partnership: Option<String>,
        /// The picture; omit with --remove.
        #[arg(long, required_unless_present = "remove")]
        file: Option<PathBuf>,
        /// Remove the logo.
        #[arg(long)]
        remove: bool,
    },
    /// Add a closure day of the partnership (not a working day for its deadlines).
    Closure {
        #[arg(long)]
        partnership: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        date: String,
        #[arg(long)]
        name: String,
    },
    /// Change the period of one step of the partnership's ruleset.
    Override {
        #[arg(long)]
        partnership: Option<String>,
        #[arg(long)]
        step: String,
        /// For example "30 working days" or "6 weeks".
        #[arg(long)]
        period: String,
    },
    /// How many working days before a deadline it counts as "due soon".
    DueSoon {
        #[arg(long)]
        partnership: Option<String>,
        #[arg(long)]
        days: u32,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// partnership_admin, board_chair, panel_chair, panel_member, agency_author, overview_author, agency_head, board_member or regulator.
        #[arg(long)]
        role: String,
        #[arg(long)]
        agency: Option<String>,
        /// Partnership slug (needed when there is more than one).
        #[arg(long)]
        partnership: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a new password (read from standard input); the user's sessions, API tokens and
    /// calendar links end.
    Password {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Revoke every API token of a user.
    Revoke {
        #[arg(long)]
        email: String,
    },
    /// Create an API token for a user and print it (it is shown only once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand)]
enum ChronologyCmd {
    /// Print the problems of one agency's file; exit 1 when it has errors.
    Check {
        file: PathBuf,
        #[command(flatten)]
        read: chronology_cli::ReadArgs,
    },
    /// Merge agency files into the integrated chronology and a discrepancy list.
    Merge {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// json, csv or xlsx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Where to write (stdout for json and csv when absent); the discrepancy list goes
        /// beside it as NAME-discrepancies.csv/.xlsx.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Merge the valid rows even when some rows have errors.
        #[arg(long)]
        valid_only: bool,
        /// Report periods longer than this many days with no agency contact.
        #[arg(long, default_value_t = 90)]
        gap_days: i64,
        #[command(flatten)]
        read: chronology_cli::ReadArgs,
    },
}

#[derive(Subcommand)]
enum RemindersCmd {
    /// Send the reminders due now, once, and exit (for a scheduler instead of `serve`).
    Run {
        #[command(flatten)]
        mail: MailArgs,
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check the hash chain; exits non-zero naming the first bad event.
    Verify,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CASEREVIEW_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn open(cli: &Cli) -> Result<Store> {
    let store = Store::open(cli.database_url.as_deref(), &cli.data_dir).await.context("opening the database")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match &cli.command {
        Command::Calendar { year, format } => {
            let f: Format = format.parse()?;
            print!("{}", ensure_newline(casereview_clock::calendar_output(*year, f)?));
        }
        Command::Clock { ruleset, events, format, list_events } => {
            let f: Format = format.parse()?;
            if *list_events {
                print!("{}", ensure_newline(casereview_clock::list_events_output(ruleset, f)?));
            } else {
                let pairs = events.iter().map(|e| casereview_clock::parse_event_arg(e)).collect::<Result<Vec<_>, _>>()?;
                print!("{}", ensure_newline(casereview_clock::clock_output(ruleset, &pairs, f)?));
            }
        }
        Command::Chronology(ChronologyCmd::Check { file, read }) => return chronology_cli::check(file, read),
        Command::Anonymise { case_file, input, format, max_bytes } => {
            // Everything is checked before anything is written: a bad input prints nothing.
            let out = anonymise_cli(case_file, input, format, *max_bytes)?;
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(out.as_bytes()).context("writing the output")?;
            stdout.flush().context("writing the output")?;
        }
        Command::Chronology(ChronologyCmd::Merge { files, format, out, valid_only, gap_days, read }) => {
            return chronology_cli::merge(files, read, format, out.as_deref(), *valid_only, *gap_days)
        }
        Command::Migrate => {
            let store = open(&cli).await?;
            println!("migrated the {} database", store.backend());
        }
        Command::Serve(args) => {
            let store = open(&cli).await?;
            serve(store, args).await?;
        }
        Command::Demo { no_serve, serve: args } => {
            let store = open(&cli).await?;
            demo::load(&store, &cli.data_dir).await?;
            if !no_serve {
                serve(store, args).await?;
            }
        }
        Command::Partnership(PartnershipCmd::Add { slug, name, code, ruleset, agencies }) => {
            if !casereview_clock::Ruleset::names().contains(&ruleset.as_str()) {
                bail!("unknown ruleset '{ruleset}'; known: {}", casereview_clock::Ruleset::names().join(", "));
            }
            let store = open(&cli).await?;
            let (p, created) = store.ensure_partnership("cli", slug, name, code, ruleset).await?;
            if !created {
                bail!("a partnership '{slug}' already exists");
            }
            let actor = Actor::system(p.id);
            for a in agencies {
                let (n, partner) = match a.rsplit_once(':') {
                    Some((n, "other")) => (n, false),
                    _ => (a.as_str(), true),
                };
                store.ensure_agency(&actor, n, partner).await?;
            }
            println!("created partnership {} ({}), id {}", p.name, p.slug, p.id);
        }
        Command::Partnership(PartnershipCmd::List) => {
            let store = open(&cli).await?;
            for p in store.partnerships().await? {
                println!("{}\t{}\t{}\t{}", p.slug, p.short_code, p.ruleset, p.name);
            }
        }
        Command::Partnership(PartnershipCmd::Closure { partnership, date, name }) => {
            let day = casereview_core::text::parse_date(date).map_err(|m| anyhow::anyhow!("--date {m}"))?;
            // The clock refuses dates it cannot count; check before storing.
            casereview_clock::Calendar::england_and_wales().with_closures([(day, name.clone())])?;
            let store = open(&cli).await?;
            let p = pick_partnership(&store, partnership.as_deref()).await?;
            store.add_closure(&Actor::system(p.id), day, name).await?;
            println!("{} is a closure day of {}", day, p.name);
        }
        Command::Partnership(PartnershipCmd::Override { partnership, step, period }) => {
            let store = open(&cli).await?;
            let p = pick_partnership(&store, partnership.as_deref()).await?;
            let parsed: casereview_clock::Period = period.parse()?;
            casereview_clock::Ruleset::load(&p.ruleset)?.with_overrides([(step.as_str(), parsed)])?;
            store.set_override(&Actor::system(p.id), step, &parsed.to_string()).await?;
            println!("{}: step {step} of {} is now {parsed}", p.name, p.ruleset);
        }
        Command::Partnership(PartnershipCmd::DueSoon { partnership, days }) => {
            let store = open(&cli).await?;
            let p = pick_partnership(&store, partnership.as_deref()).await?;
            store.set_due_soon_days(&Actor::system(p.id), i64::from(*days)).await?;
            println!("{}: deadlines are due soon {days} working days ahead", p.name);
        }
        Command::Reminders(RemindersCmd::Run { mail, public_url }) => {
            let store = open(&cli).await?;
            let Some(url) = &mail.smtp_url else { bail!("--smtp-url (or CASEREVIEW_SMTP_URL) is needed to send reminders") };
            let mailer = casereview_web::mail::Mailer::new(casereview_web::mail::MailConfig::from_url(url)?)?;
            let state = AppState { store, config: Config { public_url: Some(public_url.clone()), ..Config::default() } };
            let r = casereview_web::reminders::run_once(&state, &mailer, public_url).await?;
            println!("reminders: {} sent, {} failed (will retry), {} sent before", r.sent, r.failed, r.already_sent);
        }
        Command::User(UserCmd::Add { email, name, role, agency, partnership, password_stdin: _ }) => {
            let role: Role = role.parse()?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            auth::check_password_policy(password, email).map_err(anyhow::Error::msg)?;
            let store = open(&cli).await?;
            let p = pick_partnership(&store, partnership.as_deref()).await?;
            let hash = auth::hash_password(password)?;
            let u = store
                .create_user(
                    &Actor::system(p.id),
                    &NewUser {
                        partnership_id: p.id,
                        email: email.clone(),
                        name: name.clone(),
                        role,
                        agency: agency.clone(),
                        password_hash: hash,
                    },
                )
                .await?;
            println!("created {} ({}) with id {}", u.email, u.role.title(), u.id);
        }
        Command::Token(TokenCmd::Revoke { email }) => {
            let store = open(&cli).await?;
            let Some((user, _)) = store.user_by_email(email).await? else { bail!("no account for {email}") };
            let n = store.revoke_api_tokens(&Actor::system(user.partnership_id), &user).await?;
            println!("revoked {n} API tokens of {}", user.email);
        }
        Command::User(UserCmd::Password { email, password_stdin: _ }) => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            auth::check_password_policy(password, email).map_err(anyhow::Error::msg)?;
            let store = open(&cli).await?;
            let Some((user, _)) = store.user_by_email(email).await? else { bail!("no account for {email}") };
            store.set_password_hash(&Actor::system(user.partnership_id), user.id, &auth::hash_password(password)?).await?;
            println!("new password set for {}; their sessions, API tokens and calendar links have ended", user.email);
        }
        Command::Token(TokenCmd::Create { email, label }) => {
            let store = open(&cli).await?;
            let Some((user, _)) = store.user_by_email(email).await? else { bail!("no account for {email}") };
            let token = format!("cr_{}", auth::new_token());
            store.create_api_token(&Actor::system(user.partnership_id), &user, &auth::token_hash(&token), label).await?;
            println!("{token}");
        }
        Command::Partnership(PartnershipCmd::Logo { partnership, file, remove }) => {
            let store = open(&cli).await?;
            let p = pick_partnership(&store, partnership.as_deref()).await?;
            match (file, remove) {
                (_, true) => {
                    store.set_partnership_logo(&Actor::system(p.id), p.id, None).await?;
                    println!("{} has no logo now", p.name);
                }
                (Some(path), false) => {
                    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                    let kind = logo_kind(&bytes).with_context(|| format!("{}: not a PNG or SVG picture", path.display()))?;
                    check_logo(kind, &bytes).with_context(|| format!("{}: the picture cannot be printed", path.display()))?;
                    store.set_partnership_logo(&Actor::system(p.id), p.id, Some((kind, &bytes))).await?;
                    println!("{}'s documents now carry the logo {} ({kind}, {} bytes)", p.name, path.display(), bytes.len());
                }
                (None, false) => bail!("give --file PATH or --remove"),
            }
        }
        Command::Report(ReportCmd::Annual { year, format, out, partnership }) => {
            let format: casereview_web::renderings::Format = format.parse().map_err(anyhow::Error::msg)?;
            if !(1990..=2100).contains(year) {
                bail!("--year {year}: give a year from 1990 to 2100");
            }
            let store = open(&cli).await?;
            let p = pick_partnership(&store, partnership.as_deref()).await?;
            let today = chrono::Utc::now().date_naive();
            let scope = casereview_store::Scope::partnership(p.id);
            let bytes = casereview_web::learning::render_annual(&store, &scope, *year, format, today).await?;
            let tmp = out.with_extension(format!("{}.part", format.extension()));
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
            store
                .record_audit(
                    &Actor::system(p.id),
                    "learning.annual_report",
                    &format!("partnership:{}", p.id),
                    serde_json::json!({"year": year, "format": format.extension(), "via": "cli"}),
                )
                .await?;
            println!("{}: annual lessons report {year} of {} ({} bytes)", out.display(), p.name, bytes.len());
        }
        Command::Report(ReportCmd::Monitoring { review, partnership, format, out }) => {
            let format: casereview_web::renderings::Format = format.parse().map_err(anyhow::Error::msg)?;
            let store = open(&cli).await?;
            let today = chrono::Utc::now().date_naive();
            let r = match review {
                Some(review) => {
                    let id = match review.parse::<i64>() {
                        Ok(id) => id,
                        Err(_) => store.review_id_by_reference(review).await?.with_context(|| format!("no review '{review}'"))?,
                    };
                    Some(store.review(id).await.with_context(|| format!("no review {review}"))?)
                }
                None => None,
            };
            let pid = match &r {
                Some(r) => r.summary.partnership_id,
                None => pick_partnership(&store, partnership.as_deref()).await?.id,
            };
            let file = casereview_web::renderings::monitoring_report(
                &store,
                &Actor::system(pid),
                pid,
                r.as_ref(),
                today,
                format,
                "the command line operator",
            )
            .await?;
            let tmp = out.with_extension(format!("{}.part", format.extension()));
            std::fs::write(&tmp, &file.bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
            println!("{}: quarterly monitoring report ({} bytes)", out.display(), file.bytes.len());
        }
        Command::Render { review, document, format, out, made_for, to, event } => {
            let product: casereview_web::renderings::Product = document.parse().map_err(anyhow::Error::msg)?;
            let format: casereview_web::renderings::Format = format.parse().map_err(anyhow::Error::msg)?;
            let store = open(&cli).await?;
            let id = match review.parse::<i64>() {
                Ok(id) => id,
                Err(_) => store.review_id_by_reference(review).await?.with_context(|| format!("no review '{review}'"))?,
            };
            let r = store.review(id).await.with_context(|| format!("no review {review}"))?;
            let today = chrono::Utc::now().date_naive();
            let (actor, for_name) = match made_for {
                Some(email) => {
                    let Some((user, _)) = store.user_by_email(email).await? else { bail!("no account for {email}") };
                    if user.partnership_id != r.summary.partnership_id {
                        bail!("{email} is not of the partnership of review {}", r.summary.reference);
                    }
                    (Actor::system(r.summary.partnership_id), format!("{} ({})", user.name, user.role.title()))
                }
                None => (Actor::system(r.summary.partnership_id), "the command line operator".to_string()),
            };
            let req = casereview_web::renderings::Request {
                format,
                made_for: for_name,
                to: to.map(|n| n.saturating_sub(1)),
                event: event.clone(),
            };
            let file = casereview_web::renderings::render(&store, &actor, &r, product, today, &req).await?;
            // Written beside the target first, then moved: a failed write leaves no half file.
            let tmp = out.with_extension(format!("{}.part", format.extension()));
            std::fs::write(&tmp, &file.bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{}: {} ({} bytes{}), copy {} recorded",
                out.display(),
                product.title(),
                file.bytes.len(),
                if file.draft { ", DRAFT" } else { "" },
                file.copy_id
            );
        }
        Command::Retention(cmd) => ops_cli::retention(&open(&cli).await?, cmd).await?,
        Command::Backup { out } => ops_cli::backup(cli.database_url.as_deref(), &cli.data_dir, out).await?,
        Command::Restore { from, force } => ops_cli::restore(from, &cli.data_dir, *force).await?,
        Command::Audit(AuditCmd::Verify) => {
            let store = open(&cli).await?;
            match store.verify_audit().await {
                Ok(n) => println!("audit log intact: {n} events"),
                Err(casereview_store::VerifyError::Chain(e)) => {
                    eprintln!("audit log broken: {e}");
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `casereview anonymise`: the anonymised text, or `{"text", "findings"}` as JSON with byte
/// offsets into the input. Errors name the file and the problem (size, UTF-8 offset, the
/// case file's field).
fn anonymise_cli(case_file: &std::path::Path, input: &std::path::Path, format: &str, max_bytes: u64) -> Result<String> {
    use casereview_core::anonymise::{anonymise, CaseFile};
    if !matches!(format, "text" | "json") {
        bail!("unknown format '{format}': use text or json");
    }
    let read = |path: &std::path::Path, what: &str| -> Result<Vec<u8>> {
        let file = std::fs::File::open(path).with_context(|| format!("opening the {what} {}", path.display()))?;
        // Read at most one byte past the limit rather than trusting the file's reported size.
        let mut bytes = Vec::new();
        file.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).with_context(|| format!("reading the {what} {}", path.display()))?;
        if bytes.len() as u64 > max_bytes {
            bail!("the {what} {} is larger than the limit of {max_bytes} bytes (--max-bytes)", path.display());
        }
        Ok(bytes)
    };
    let utf8 = |bytes: Vec<u8>, path: &std::path::Path, what: &str| -> Result<String> {
        String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!("the {what} {} is not valid UTF-8: invalid byte at offset {}", path.display(), e.utf8_error().valid_up_to())
        })
    };
    let case_json = utf8(read(case_file, "case file")?, case_file, "case file")?;
    let register = CaseFile::register_from_json(&case_json).with_context(|| format!("case file {}", case_file.display()))?;
    let text = utf8(read(input, "input")?, input, "input")?;
    let result = anonymise(&text, &register);
    Ok(if format == "json" { serde_json::to_string_pretty(&result)? + "\n" } else { result.text })
}

fn ensure_newline(s: String) -> String {
    if s.ends_with('\n') {
        s
    } else {
        s + "\n"
    }
}

/// "png" or "svg" from the picture's first bytes.
fn logo_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("png");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    (head.trim_start().starts_with("<svg") || (head.trim_start().starts_with("<?xml") && head.contains("<svg"))).then_some("svg")
}

/// Typesets a small page with the logo, so a picture the renderers cannot use is refused now
/// rather than when a board needs its report.
fn check_logo(kind: &str, bytes: &[u8]) -> Result<()> {
    use casereview_render::{Branding, Logo, RenderDoc};
    let logo = match kind {
        "svg" => Logo::Svg(String::from_utf8(bytes.to_vec()).context("the SVG is not UTF-8 text")?),
        _ => Logo::Png(bytes.to_vec()),
    };
    let doc = RenderDoc { title: "Logo check".into(), branding: Branding { name: "Check".into(), logo: Some(logo) }, ..Default::default() };
    casereview_render::pdf::render(&doc)?;
    casereview_render::docx::render(&doc)?;
    Ok(())
}

async fn pick_partnership(store: &Store, slug: Option<&str>) -> Result<casereview_store::Partnership> {
    match slug {
        Some(s) => store.partnership_by_slug(s).await?.with_context(|| format!("no partnership '{s}'")),
        None => {
            let all = store.partnerships().await?;
            match all.as_slice() {
                [one] => Ok(one.clone()),
                [] => bail!("there is no partnership yet: create one with `casereview partnership add` (or load the demo)"),
                _ => bail!("there are {} partnerships: name one with --partnership SLUG", all.len()),
            }
        }
    }
}

async fn serve(store: Store, args: &ServeArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let backend = store.backend();
    let public_url = args.public_url.clone();
    let state =
        // Reached over HTTPS (as the public address says): cookies are Secure without asking.
        Arc::new(AppState {
            store,
            config: Config {
                secure_cookies: args.secure_cookies || public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
                today: None,
                public_url: public_url.clone(),
                mail: args.mail.smtp_url.as_deref().map(casereview_web::mail::MailConfig::from_url).transpose()?,
            },
        });
    if let Some(url) = &args.mail.smtp_url {
        let mailer = casereview_web::mail::Mailer::new(casereview_web::mail::MailConfig::from_url(url)?)?;
        let base = public_url.unwrap_or_else(|| format!("http://{addr}"));
        let every = std::time::Duration::from_secs(args.mail.reminder_minutes.max(1) * 60);
        let s = state.clone();
        tokio::spawn(async move {
            loop {
                match casereview_web::reminders::run_once(&s, &mailer, &base).await {
                    Ok(r) if r.sent + r.failed > 0 => tracing::info!(sent = r.sent, failed = r.failed, "reminders"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reminder run failed"),
                }
                tokio::time::sleep(every).await;
            }
        });
        println!("reminder emails: every {} minutes", args.mail.reminder_minutes.max(1));
    }
    println!("casereview is running at http://{addr}/ ({backend} database); stop it with Ctrl-C");
    casereview_web::serve(listener, state).await?;
    Ok(())
}
