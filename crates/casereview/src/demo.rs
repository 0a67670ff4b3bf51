//! A fictional partnership for trying casereview: agencies, a user of every role, and
//! reviews at every stage, dated relative to today so deadlines are live. Loading twice
//! changes nothing; the passwords are kept in the data folder and printed each time.

use anyhow::{Context, Result};
use casereview_core::lifecycle::Action;
use casereview_core::referral::{
    AgencyInvolvementInput, ChildInput, FamilyMemberInput, KeyEventInput, ReferralInput, ReferrerInput, Triggers,
};
use casereview_core::screening::{AttendeeInput, DecisionInput, RecommendationInput, ScreeningMeetingInput};
use casereview_core::Role;
use casereview_store::{Actor, NewUser, Store, User};
use casereview_web::auth;
use chrono::{Duration, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::Path;

const SLUG: &str = "northmoor";
const AGENCIES: &[(&str, bool)] = &[
    ("Children's Social Care", true),
    ("Police", true),
    ("Health", true),
    ("Education", true),
    ("Probation", true),
    ("Housing", true),
    ("Ambulance Service", true),
    ("Voluntary Sector", false),
];
/// email, name, role, agency
const USERS: &[(&str, &str, Role, Option<&str>)] = &[
    ("manager@northmoor.example", "Priya Shah", Role::PartnershipAdmin, None),
    ("chair@northmoor.example", "Graham Eliot", Role::BoardChair, None),
    ("panelchair@northmoor.example", "Ruth Adebayo", Role::PanelChair, None),
    ("panel.police@northmoor.example", "DI Tom Walsh", Role::PanelMember, Some("Police")),
    ("author.health@northmoor.example", "Dr Hannah Cole", Role::AgencyAuthor, Some("Health")),
    ("overview@northmoor.example", "Margaret Lowe", Role::OverviewAuthor, None),
    ("head.csc@northmoor.example", "Colin Price", Role::AgencyHead, Some("Children's Social Care")),
    ("board.education@northmoor.example", "Sarah Okafor", Role::BoardMember, Some("Education")),
    ("inspector@regulator.example", "Ofsted Inspector", Role::Regulator, None),
];

/// The fictional partnership's logo, printed at the head of its documents.
const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="330" height="64" viewBox="0 0 330 64"><rect width="64" height="64" rx="10" fill="#1d70b8"/><path d="M14 46 L32 16 L50 46 Z" fill="#ffffff"/><circle cx="32" cy="38" r="6" fill="#1d70b8"/><text x="76" y="30" font-family="sans-serif" font-size="20" font-weight="bold" fill="#0b0c0c">Northmoor</text><text x="76" y="52" font-family="sans-serif" font-size="13" fill="#505a5f">Safeguarding Children Partnership</text></svg>"##;

/// Loads the demo partnership unless it is already there, then prints the sign-ins.
pub async fn load(store: &Store, data_dir: &Path) -> Result<()> {
    let pw_file = data_dir.join("demo-passwords.txt");
    let (p, created) =
        store.ensure_partnership("demo", SLUG, "Northmoor Safeguarding Children Partnership (fictional)", "NSCP", "medway-2008").await?;
    let system = Actor::system(p.id);
    if created || store.users(p.id).await?.is_empty() {
        for (name, partner) in AGENCIES {
            store.ensure_agency(&system, name, *partner).await?;
        }
        let mut lines = String::from("# casereview demo sign-ins (fictional people). Keep this file private.\n");
        for (email, name, role, agency) in USERS {
            let password = format!("demo-{}", &auth::new_token()[..16]);
            let u = NewUser {
                partnership_id: p.id,
                email: email.to_string(),
                name: name.to_string(),
                role: *role,
                agency: agency.map(str::to_string),
                password_hash: auth::hash_password(&password)?,
            };
            store.create_user(&system, &u).await?;
            lines.push_str(&format!("{email}\t{password}\t{}\n", role.title()));
        }
        write_private(&pw_file, &lines)?;
        reviews(store, &p).await.context("loading the demo reviews")?;
        store.set_partnership_logo(&system, p.id, Some(("svg", LOGO.as_bytes()))).await?;
        println!("Loaded the demo partnership '{}'.", p.name);
    } else {
        println!("The demo partnership is already loaded; nothing was changed.");
    }
    match std::fs::read_to_string(&pw_file) {
        Ok(text) => {
            println!("Sign in with any of these (from {}):", pw_file.display());
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                println!("  {}", line.replace('\t', "  "));
            }
        }
        Err(_) => println!(
            "The demo passwords file {} is missing; set a password with `casereview user add` for a new account.",
            pw_file.display()
        ),
    }
    Ok(())
}

/// Writes a file only its owner can read, created that way (never briefly readable).
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).with_context(|| format!("writing {}", path.display()))?;
    f.write_all(text.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn d(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

struct Case {
    child: &'static str,
    dob: i64,
    died: Option<i64>,
    incident: i64,
    triggers: Triggers,
    carer: &'static str,
    details: &'static str,
}

fn referral(c: &Case, today: NaiveDate, referrer: &User) -> ReferralInput {
    let ago = |n: i64| d(today - Duration::days(n));
    ReferralInput {
        referrer: ReferrerInput {
            name: referrer.name.clone(),
            position: "Panel member".into(),
            agency: "Police".into(),
            contact: "01632 960123, secure email".into(),
            line_manager: "DCI Anne Moss".into(),
            line_manager_aware: "yes".into(),
        },
        child: ChildInput {
            name: c.child.into(),
            date_of_birth: ago(c.dob),
            date_of_death: c.died.map(ago).unwrap_or_default(),
            home_address: "12 Example Row, Northmoor NM1 0AA".into(),
            ethnic_origin: "White British".into(),
            religion: "None recorded".into(),
            disability: "no".into(),
            educational_establishment: "Northmoor Nursery".into(),
            special_educational_needs: "no".into(),
            child_protection_plan: "no".into(),
            ..Default::default()
        },
        family: vec![
            FamilyMemberInput {
                name: "Mother (fictional)".into(),
                relationship: "Mother".into(),
                date_of_birth: ago(9000),
                address: "12 Example Row".into(),
                ..Default::default()
            },
            FamilyMemberInput {
                name: "Mother's partner (fictional)".into(),
                relationship: "Mother's partner".into(),
                legal_status: "Arrested; police investigation ongoing".into(),
                ..Default::default()
            },
        ],
        family_disability: "no".into(),
        family_child_protection_plan: "yes".into(),
        family_child_protection_plan_details: "An older sibling was subject to a plan in the past".into(),
        agencies_involved: vec![
            AgencyInvolvementInput {
                agency: "Health".into(),
                officer: "Health Visitor".into(),
                position: "Health Visitor".into(),
                contact: "Northmoor Health Centre".into(),
                still_involved: "yes".into(),
            },
            AgencyInvolvementInput {
                agency: "Children's Social Care".into(),
                officer: "Social Worker".into(),
                position: "Social Worker".into(),
                contact: "Duty team".into(),
                still_involved: "yes".into(),
            },
        ],
        triggers: c.triggers.clone(),
        where_child_was: "At home".into(),
        carer_at_time: c.carer.into(),
        legal_status_at_time: "None".into(),
        incident_date: ago(c.incident),
        incident_details: c.details.into(),
        key_events: vec![
            KeyEventInput {
                date: ago(c.incident + 60),
                time: "10:30".into(),
                event: "Health visitor notes bruising; no referral made".into(),
            },
            KeyEventInput {
                date: ago(c.incident + 20),
                time: String::new(),
                event: "Nursery reports the child absent for two weeks".into(),
            },
        ],
        other_matters: "Criminal proceedings are likely.".into(),
        signed_by: referrer.name.clone(),
        signed_on: ago(c.incident - 1),
        ..Default::default()
    }
}

fn meeting(held: NaiveDate, chair: &User, vote: &str) -> ScreeningMeetingInput {
    let att = |name: &str, org: &str| AttendeeInput { name: name.into(), organisation: org.into(), vote: vote.into() };
    ScreeningMeetingInput {
        held_on: d(held),
        chair: chair.name.clone(),
        attendees: vec![
            att(&chair.name, "Children's Social Care"),
            att("DI Tom Walsh", "Police"),
            att("Designated Nurse", "Health"),
            att("Head of Inclusion", "Education"),
        ],
        minutes: "The panel considered the referral and the twelve questions.".into(),
        ..Default::default()
    }
}

async fn reviews(store: &Store, p: &casereview_store::Partnership) -> Result<()> {
    let users: BTreeMap<Role, User> = store.users(p.id).await?.into_iter().map(|u| (u.role, u)).collect();
    let get = |r: Role| users.get(&r).cloned().context("demo user missing");
    let (admin, chair, panel, member) =
        (get(Role::PartnershipAdmin)?, get(Role::BoardChair)?, get(Role::PanelChair)?, get(Role::PanelMember)?);
    let today = Utc::now().date_naive();
    let ago = |n: i64| today - Duration::days(n);
    let death = Triggers { death_abuse_or_neglect: true, interagency_concerns: true, ..Default::default() };
    let harm = Triggers { serious_harm: true, abuse_or_neglect_suspected: true, interagency_concerns: true, ..Default::default() };
    let cases = [
        (
            Case {
                child: "Ellie Marsh",
                dob: 700,
                died: None,
                incident: 2,
                triggers: harm.clone(),
                carer: "Mother",
                details: "Admitted to hospital with a head injury; explanation inconsistent with the injury.",
            },
            1,
        ),
        (
            Case {
                child: "Noah Finch",
                dob: 1500,
                died: None,
                incident: 9,
                triggers: harm.clone(),
                carer: "Mother's partner",
                details: "Fractures of different ages found on a skeletal survey.",
            },
            2,
        ),
        (
            Case {
                child: "Ava Stone",
                dob: 400,
                died: Some(20),
                incident: 20,
                triggers: death.clone(),
                carer: "Mother and her partner",
                details: "Found unresponsive at home; died in hospital.",
            },
            3,
        ),
        (
            Case {
                child: "Kai Brennan",
                dob: 5200,
                died: None,
                incident: 35,
                triggers: Triggers { interagency_concerns: true, serious_harm: true, ..Default::default() },
                carer: "Foster carer",
                details: "Sexual exploitation of a looked-after young person.",
            },
            4,
        ),
        (
            Case {
                child: "Mia Doyle",
                dob: 3000,
                died: None,
                incident: 60,
                triggers: Triggers { interagency_concerns: true, ..Default::default() },
                carer: "Father",
                details: "Missed medical appointments; concerns about information sharing.",
            },
            5,
        ),
        (
            Case {
                child: "Leo Hartley",
                dob: 2500,
                died: None,
                incident: 75,
                triggers: harm.clone(),
                carer: "Grandmother",
                details: "Serious neglect; agencies disagreed on thresholds.",
            },
            6,
        ),
        (
            Case {
                child: "Ruby Quinn",
                dob: 900,
                died: Some(110),
                incident: 110,
                triggers: death.clone(),
                carer: "Mother",
                details: "Died of injuries; mother's partner charged.",
            },
            7,
        ),
    ];
    for (case, stage) in cases {
        let notified = ago(case.incident - 1);
        let o = store.create_referral(&member.actor(), &referral(&case, notified, &member), notified, None).await?;
        let id = o.review_id;
        for u in [&panel, &member] {
            store.add_member(&admin.actor(), id, u.id).await?;
        }
        if stage == 1 {
            continue;
        }
        store
            .transition(
                &admin.actor(),
                id,
                Action::SecureRecords,
                "Letter 1 sent to agency chief executives",
                notified + Duration::days(1),
                None,
            )
            .await?;
        if stage == 2 {
            continue;
        }
        let held = notified + Duration::days(6);
        let (vote, decision) = match stage {
            5 => ("no_further_action", "no_further_action"),
            6 => ("lessons_learned_review", "lessons_learned_review"),
            _ => ("conduct_serious_case_review", "serious_case_review"),
        };
        // The business unit keeps the timetable: Ofsted told, media handled.
        store.record_event(&admin.actor(), id, "regulator_notified", notified + Duration::days(2)).await?;
        store.record_event(&admin.actor(), id, "media_briefed", notified + Duration::days(1)).await?;
        store.record_screening_meeting(&panel.actor(), id, &meeting(held, &panel, vote), held, None).await?;
        if stage == 3 {
            continue;
        }
        let rec = RecommendationInput {
            option: vote.into(),
            reasons: "The panel considered the criteria and the twelve questions.".into(),
            panel_members_consulted: "All core panel members".into(),
            legal_advice_sought: "no".into(),
            signed_by: panel.name.clone(),
            signed_on: d(held + Duration::days(1)),
        };
        store.record_recommendation(&panel.actor(), id, &rec, held + Duration::days(1), None).await?;
        if stage == 4 {
            continue;
        }
        let decided = held + Duration::days(3);
        let dec = DecisionInput {
            kind: decision.into(),
            issues_of_significance: if decision == "no_further_action" {
                String::new()
            } else {
                "Information sharing between health and children's social care; threshold disagreements.".into()
            },
            proposed_overview_author: if decision == "no_further_action" { String::new() } else { "Margaret Lowe".into() },
            signed_by: chair.name.clone(),
            decided_on: d(decided),
            departure_reason: String::new(),
        };
        store.record_decision(&chair.actor(), id, &dec, decided, None).await?;
        if stage == 6 {
            documents_lessons_learned(store, &admin, &panel, id, decided).await?;
            action_plan(store, &admin, &chair, id, today).await?;
        }
        if stage == 7 {
            store
                .transition(
                    &panel.actor(),
                    id,
                    Action::CommissionImrs,
                    "IMR requests sent to six agencies",
                    decided + Duration::days(5),
                    None,
                )
                .await?;
            extend_completion(store, p, &admin, id, today).await?;
            evidence(store, &admin, &panel, id, decided).await?;
            family(store, &panel, id).await?;
            scoping(store, &admin, &panel, id, decided, today).await?;
        }
    }
    Ok(())
}

/// The SCR awaiting a criminal trial has its completion date extended with Ofsted's
/// agreement, so the demo shows an extension with its original date and reason.
async fn extend_completion(store: &Store, p: &casereview_store::Partnership, admin: &User, id: i64, today: NaiveDate) -> Result<()> {
    let clock = casereview_web::deadlines::clock_for(store, p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let all = casereview_web::deadlines::for_reviews(store, &clock, &[id], today).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(d) = all.get(&id).and_then(|v| v.iter().find(|d| d.step == "review_complete")).and_then(|d| d.due_date) else { return Ok(()) };
    let e = casereview_store::Extension {
        review_id: id,
        step: "review_complete".into(),
        previous_due: d,
        new_due: d + Duration::days(60),
        agreed_by_role: "regulator".into(),
        agreed_by_name: "Ofsted (fictional inspector)".into(),
        reason: "The criminal trial is listed after the original completion date; publication and family involvement wait for it.".into(),
        recorded_by: admin.name.clone(),
        recorded_at: casereview_store::now(),
    };
    store.add_extension(&admin.actor(), &e).await?;
    Ok(())
}

/// The SCR in its IMR stage: IMRs requested, an author appointed, practitioners known,
/// and two agencies' chronologies saved, so the evidence pages have something to show.
async fn evidence(store: &Store, admin: &User, panel: &User, id: i64, decided: NaiveDate) -> Result<()> {
    use casereview_core::imr::{ImrAction, ImrCaller, Practitioner};
    let requested = decided + Duration::days(5);
    let agencies: Vec<String> = ["Health", "Police", "Children's Social Care"].iter().map(|s| s.to_string()).collect();
    store.commission_imrs(&panel.actor(), id, &agencies, requested, requested + Duration::days(35)).await?;
    for (name, agency, role, manager) in [
        ("Jo Bloggs", "Health", "Health Visitor", "Ann Smith"),
        ("Sam Lee", "Children's Social Care", "Social Worker", "Chris Hill"),
        ("PC Dan Ray", "Police", "Response officer", ""),
    ] {
        store
            .add_practitioner(
                &admin.actor(),
                id,
                &Practitioner { name: name.into(), agency: agency.into(), role: role.into(), line_manager: manager.into() },
            )
            .await?;
    }
    let author = store.user_by_email("author.health@northmoor.example").await?.map(|(u, _)| u);
    if let (Some(author), Some(imr)) = (author, store.imrs(id).await?.into_iter().find(|i| i.agency == "Health")) {
        store.add_member(&admin.actor(), id, author.id).await?;
        let coordinator = ImrCaller { role: Some(casereview_core::Role::PanelChair), ..Default::default() };
        let change = casereview_store::ImrChange { author: Some((Some(author.id), author.name.clone())), on: None };
        store.imr_step(&panel.actor(), imr.id, ImrAction::AppointAuthor, coordinator, &change, None).await?;
        let as_author = ImrCaller { role: Some(casereview_core::Role::AgencyAuthor), is_author: true, same_agency: true };
        store.imr_step(&author.actor(), imr.id, ImrAction::Start, as_author, &casereview_store::ImrChange::default(), None).await?;
    }
    let d = |n: i64| (decided - Duration::days(n)).format("%d/%m/%Y").to_string();
    let files = [
        (
            "health-chronology.csv",
            "Health",
            format!(
                "Northmoor Health: agency chronology\n\nDate/Time,Child/Family member,Professional,Significant Events/Incidents and if child seen,Agency,Reviewer's comment\n{},Ruby,Health Visitor 1,\"New birth visit, child seen\",Health,Good practice: thorough assessment\n{},Mother,GP,Mother reported low mood and money worries,Health,\n{},Ruby,Health Visitor 1,\"Home visit, child not seen, asleep upstairs\",Health,Child should have been seen\n",
                d(200),
                d(150),
                d(60)
            ),
        ),
        (
            "police-chronology.csv",
            "Police",
            format!(
                "Date,Name,Role,Significant event,Child seen?,Agency\n{},Mother's partner,PC 1,Domestic incident at the home reported by a neighbour,No,Police\n{},Ruby,PC 2,\"Home visit, child seen asleep upstairs\",Yes,Police\n",
                d(90),
                d(58)
            ),
        ),
    ];
    let directory = store.agency_directory(admin.partnership_id).await?;
    for (name, agency, text) in files {
        let options = casereview_core::chronology::import::ImportOptions {
            default_agency: Some(agency.into()),
            ..casereview_core::chronology::import::ImportOptions::new(26)
        };
        let r = casereview_web::chronology::import_files(
            &[(name.to_string(), text.into_bytes())],
            &directory,
            &options,
            &casereview_sheets::Limits::default(),
        );
        let uid = store.add_chronology_upload(&admin.actor(), id, name, agency, &r.entries, &r.problems).await?;
        store.confirm_chronology_upload(&admin.actor(), uid, true).await?;
    }
    Ok(())
}

/// The lessons learned review's recommendations: one adopted, in two parts, with actions
/// in several states (red, green, signed up, completed and signed off with evidence), and
/// one draft the SMART check flags (a team as addressee, vague verbs, no measure or date).
async fn action_plan(store: &Store, admin: &User, chair: &User, id: i64, today: NaiveDate) -> Result<()> {
    use casereview_core::recommendations::{PlanAction, Rag, Recommendation, RecommendationPart};
    let person = |email: &'static str| async move { store.user_by_email(email).await?.map(|(u, _)| u).context("demo user missing") };
    let head = person("head.csc@northmoor.example").await?;
    let author = person("author.health@northmoor.example").await?;
    let overview = person("overview@northmoor.example").await?;
    let part = |task: &str, agency: &str, name: &str, position: &str, measure: &str, days: i64| RecommendationPart {
        task: task.into(),
        agency: agency.into(),
        addressee_name: name.into(),
        addressee_position: position.into(),
        measure: measure.into(),
        due_on: Some(today + Duration::days(days)),
    };
    let adopted = Recommendation {
        text: "Disagreements between agencies about thresholds must be resolved quickly, and health staff must know how to escalate them."
            .into(),
        parts: vec![
            part(
                "Introduce an escalation protocol for disputes about thresholds between agencies",
                "Children's Social Care",
                "Colin Price",
                "Director of Children's Services",
                "All disputes escalated within 5 working days, checked by a quarterly audit of 10 cases",
                150,
            ),
            part(
                "Deliver training on the escalation protocol to all health visitors",
                "Health",
                "Dr Hannah Cole",
                "Named Nurse for Safeguarding",
                "90% of health visitors trained, from attendance registers",
                90,
            ),
        ],
    };
    let r = store.create_recommendation(&overview.actor(), id, &adopted).await?;
    let r = store.adopt_recommendation(&chair.actor(), r.id).await?;
    let action = |what: &str, who: &str, outcome: &str, monitoring: &str, days: i64| PlanAction {
        action: what.into(),
        by_whom: who.into(),
        intended_outcome: outcome.into(),
        monitoring: monitoring.into(),
        due_on: Some(today + Duration::days(days)),
    };
    let max = casereview_core::recommendations::DEFAULT_MAX_EVIDENCE_BYTES;
    let (csc, health) = (r.parts[0].id, r.parts[1].id);
    let protocol = store
        .add_action(
            &admin.actor(),
            csc,
            &action(
                "Write and publish the escalation protocol",
                "Head of Safeguarding",
                "Every agency knows how to escalate a dispute",
                "Protocol on the partnership website",
                -10,
            ),
        )
        .await?;
    store.sign_up_action(&head.actor(), protocol.id).await?;
    store
        .add_action_update(&head.actor(), protocol.id, Rag::Amber, "Draft circulated to the partner agencies for comment.", &[], max)
        .await?;
    let evidence = casereview_store::NewEvidence {
        file_name: "protocol-published.txt".into(),
        bytes: b"Escalation protocol v1.0 published on the partnership website.\n".to_vec(),
    };
    store
        .add_action_update(&head.actor(), protocol.id, Rag::Completed, "Protocol agreed by the board and published.", &[evidence], max)
        .await?;
    store.sign_off_action(&admin.actor(), protocol.id).await?;
    let audit = store
        .add_action(
            &admin.actor(),
            csc,
            &action(
                "Audit 10 disputed cases each quarter",
                "Quality Assurance Manager",
                "Disputes resolved within 5 working days",
                "Quarterly audit report to the board",
                150,
            ),
        )
        .await?;
    store.sign_up_action(&head.actor(), audit.id).await?;
    store.add_action_update(&head.actor(), audit.id, Rag::Green, "First audit booked for next month.", &[], max).await?;
    let training = store
        .add_action(
            &admin.actor(),
            health,
            &action(
                "Run four training sessions for health visitors",
                "Named Nurse for Safeguarding",
                "Health visitors escalate disputes with confidence",
                "Attendance registers; feedback forms",
                60,
            ),
        )
        .await?;
    store
        .add_action_update(
            &author.actor(),
            training.id,
            Rag::Red,
            "Two sessions cancelled because of staff shortages; new dates not yet set.",
            &[],
            max,
        )
        .await?;
    let draft = Recommendation {
        text: "Information sharing between GPs and health visitors should improve.".into(),
        parts: vec![RecommendationPart {
            task: "Review information sharing and ensure staff are aware of the guidance".into(),
            agency: "Health".into(),
            addressee_name: "Health Visiting Service".into(),
            ..Default::default()
        }],
    };
    store.create_recommendation(&overview.actor(), id, &draft).await?;
    Ok(())
}

/// The lessons learned review is taken to the overview stage, so the demo has agreed terms
/// of reference and drafts of the overview report and the executive summary to render.
async fn documents_lessons_learned(store: &Store, admin: &User, panel: &User, id: i64, decided: NaiveDate) -> Result<()> {
    use casereview_core::documents::{DocumentKind, DocumentStatus};
    let sections =
        |pairs: &[(&str, &str)]| -> BTreeMap<String, String> { pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() };
    let tor = store
        .save_document(
            &panel.actor(),
            id,
            DocumentKind::TermsOfReference,
            0,
            &sections(&[
                ("child", "{{child.name}}, born {{child.date_of_birth}}, cared for by a grandmother at the time."),
                ("family", "The family's composition is taken from the referral (table above)."),
                ("background", "Serious neglect over two years; agencies disagreed on thresholds for intervention."),
                ("period", "From the birth of the youngest sibling to the date of the referral."),
                ("terms", "- Were thresholds for referral and assessment applied consistently?\n- How did agencies share information about neglect?\n- Was the child seen and heard?"),
                ("contributors", "Children's Social Care, Health and Education provide reports and chronologies."),
                ("family_involvement", "The grandmother and the child's father will be invited to contribute through the lead reviewer."),
                ("parallel", "No criminal proceedings. No other review."),
                ("timetable", "As the statutory clock shows above."),
                ("media_legal", "No media interest expected; the board's legal adviser is consulted before publication decisions."),
            ]),
        )
        .await?;
    store
        .set_document_status(
            &panel.actor(),
            tor.id,
            DocumentStatus::Approved,
            tor.version,
            Some((&panel.name, decided + Duration::days(7))),
            "",
        )
        .await?;
    store
        .transition(&admin.actor(), id, Action::CommissionImrs, "Reports requested from three agencies", decided + Duration::days(8), None)
        .await?;
    store
        .transition(&admin.actor(), id, Action::CompileChronology, "Integrated chronology compiled", decided + Duration::days(30), None)
        .await?;
    store
        .transition(&admin.actor(), id, Action::StartOverview, "Lead reviewer started the report", decided + Duration::days(31), None)
        .await?;
    let overview = store.user_by_email("overview@northmoor.example").await?.map(|(u, _)| u).context("demo overview author missing")?;
    store.add_member(&admin.actor(), id, overview.id).await?;
    store
        .save_document(
            &overview.actor(),
            id,
            DocumentKind::ExecutiveSummary,
            0,
            &sections(&[
                ("introduction", "This is the executive summary of the lessons learned review about **Leo Hartley**, aged 6 at the time, commissioned by {{partnership.name}} ({{review.reference}}). The review considered how agencies worked together over two years in which Leo lived with his grandmother."),
                ("panel", "The panel is listed above by position and organisation (003 §3.10)."),
                ("summary", "Leo experienced serious neglect at 12 Example Row. Professionals in several agencies saw signs of neglect but disagreed about whether the threshold for a referral was met.[^1]\n\n[^1]: The threshold document in force at the time is referred to in the overview report."),
                ("conclusions", "1. The partnership should publish a single threshold document with worked examples.\n2. Agencies should audit how often children are seen alone during home visits."),
            ]),
        )
        .await?;
    store
        .save_document(
            &overview.actor(),
            id,
            DocumentKind::OverviewReport,
            0,
            &sections(&[
                ("introduction", "The review was commissioned by {{partnership.name}} after a referral about {{child.name}}."),
                ("facts", "The genogram and the integrated chronology are set out above."),
                ("analysis", "| Theme | Finding |\n|---|---|\n| Thresholds | Agencies applied different thresholds |\n| Voice of the child | The child was rarely seen alone |"),
                ("conclusions", "The lessons are set out with SMART recommendations in the action plan."),
                ("imr_recommendations", "Each agency's recommendations are appended."),
            ]),
        )
        .await?;
    Ok(())
}

/// The SCR's family and household over three generations (fictional people, consistent
/// with its referral: the child, her mother and her mother's partner), so the review page
/// shows a genogram.
async fn family(store: &Store, panel: &User, id: i64) -> Result<()> {
    use casereview_core::genogram::{Family, PartnerStatus, Person, RelKind, Relationship, Sex};
    let referral = store.review(id).await?.referral;
    let c = &referral.child;
    let mut child = Person::new("child", &c.name, Sex::Female).household().subject();
    if let Some(b) = c.date_of_birth {
        child = child.born(b);
    }
    if c.date_of_death.is_some() {
        child = child.deceased();
    }
    let mother = Person::new("mother", "Jade (mother)", Sex::Female).household();
    let mother = match referral.family.first().and_then(|m| m.date_of_birth) {
        Some(b) => mother.born(b),
        None => mother.aged(25),
    };
    let people = vec![
        Person::new("grandmother", "Carol (grandmother)", Sex::Female).aged(49),
        Person::new("grandfather", "Peter (grandfather)", Sex::Male).deceased(),
        Person::new("linda", "Linda (Tyler's gran)", Sex::Female).aged(52),
        mother,
        Person::new("aunt", "Kelly (aunt)", Sex::Female).aged(21),
        Person::new("lee", "Lee (Tyler's father)", Sex::Male).aged(27),
        Person::new("father", "Ryan (father)", Sex::Male).aged(26),
        Person::new("partner", "Craig (mother's partner)", Sex::Male).aged(30).household(),
        Person::new("tyler", "Tyler (half-brother)", Sex::Male).aged(6),
        child,
        Person::new("mason", "Mason (Craig's son)", Sex::Male).aged(4).household(),
    ];
    let relationships = vec![
        Relationship::partner("grandfather", "grandmother", PartnerStatus::Married),
        Relationship::parent("grandmother", "mother"),
        Relationship::parent("grandfather", "mother"),
        Relationship::parent("grandmother", "aunt"),
        Relationship::parent("grandfather", "aunt"),
        Relationship::parent("linda", "lee"),
        Relationship::partner("mother", "lee", PartnerStatus::Divorced),
        Relationship::parent("mother", "tyler"),
        Relationship::parent("lee", "tyler"),
        Relationship::partner("mother", "father", PartnerStatus::Separated),
        Relationship::parent("mother", "child"),
        Relationship::parent("father", "child"),
        Relationship::partner("mother", "partner", PartnerStatus::Cohabiting),
        Relationship::parent("partner", "mason"),
        Relationship::new(RelKind::StepParent, "mother", "mason"),
    ];
    store.save_family(&panel.actor(), id, 0, &Family { people, relationships }).await?;
    Ok(())
}

/// The SCR awaiting trial: its scoping answers, the family's involvement, the prosecution and
/// inquest beside it, its meetings and the notifications sent (issue 9).
async fn scoping(store: &Store, admin: &User, panel: &User, id: i64, decided: NaiveDate, today: NaiveDate) -> Result<()> {
    use casereview_core::involvement::{FamilyInvolvement, InvolvementOption as O, LimitingFactor as L, MemberInvolvement};
    use casereview_core::meetings::{ActionArising, Dissent, Invitee, Meeting, MeetingKind, Paper};
    use casereview_core::notifications::{Notification, NotificationKind};
    use casereview_core::proceedings::{Proceeding, ProceedingKind, ProceedingStatus};
    use casereview_core::scoping::{Scoping, CHECKLIST};
    let referral = store.review(id).await?.referral;
    let incident = referral.incident_date.unwrap_or(decided);
    let answers = CHECKLIST
        .iter()
        .map(|i| {
            let a = match i.key {
                "author" => "Margaret Lowe, independent of every agency involved.",
                "period" => "From the mother's booking for antenatal care to the day of the incident.",
                "family" => {
                    "The family liaison officer facilitates; the father and the mother's partner are not involved until the trial ends."
                }
                "parallel" => "The prosecution and the inquest: the panel liaises with the CPS and the coroner's officer.",
                "media" => "The council's press office leads, agreed with the police.",
                "legal" => "The council's legal services advise the panel.",
                _ => "Agreed at the scoping meeting.",
            };
            (i.key.to_string(), a.to_string())
        })
        .collect();
    let sc = Scoping {
        answers,
        period_from: Some(incident - Duration::days(540)),
        period_to: Some(incident),
        contributors: ["Children's Social Care", "Police", "Health", "Education", "Housing"].map(String::from).to_vec(),
        experts: vec!["A consultant paediatric radiologist, on the dating of the fractures".into()],
        complete_by: Some(decided + Duration::days(180)),
    };
    store.save_record(&panel.actor(), id, None, 0, &sc, today).await?;
    let member = |name: &str, rel: &str, options: &[O], factors: &[L], reason: &str| MemberInvolvement {
        name: name.into(),
        relationship: rel.into(),
        parental_responsibility: matches!(rel, "mother" | "father"),
        options: options.iter().copied().collect(),
        factors: factors.iter().copied().collect(),
        facilitator: if options.len() > 1 { "Family liaison officer, Children's Social Care".into() } else { String::new() },
        reason: reason.into(),
        insurers_and_cps_updated: false,
        reviewed_on: Some(decided + Duration::days(5)),
    };
    let involvement = FamilyInvolvement {
        members: vec![
            member("Jade", "mother", &[O::Support, O::InformedOfReview, O::ProgressUpdates, O::ContributesViews], &[L::Distress], ""),
            member("Ryan", "father", &[O::Support], &[L::SuspectOrWitness], "he is a witness in the criminal proceedings"),
            member("Craig", "mother's partner", &[], &[L::SuspectOrWitness], "he is charged in connection with the child's injuries"),
            member("Carol", "maternal grandmother", &[O::InformedOfReview, O::PerspectiveRequested], &[], ""),
        ],
        ongoing_support: "Bereavement support for the mother and the grandmother through their GP.".into(),
    };
    store.save_record(&panel.actor(), id, None, 0, &involvement, today).await?;
    let proceeding = |kind, description: &str, contact: &str, started| Proceeding {
        kind,
        status: ProceedingStatus::Open,
        description: description.into(),
        contact: contact.into(),
        started_on: Some(started),
        concluded_on: None,
        holds_publication: false,
    };
    store
        .save_record(
            &admin.actor(),
            id,
            None,
            0,
            &proceeding(
                ProceedingKind::Prosecution,
                "R v C, Northmoor Crown Court: trial listed",
                "DI Sarah Okafor, Major Crime",
                incident + Duration::days(30),
            ),
            today,
        )
        .await?;
    if referral.child.date_of_death.is_some() {
        let p = proceeding(
            ProceedingKind::CoronersInquest,
            "Inquest opened and adjourned",
            "Coroner's officer, Northmoor",
            incident + Duration::days(7),
        );
        store.save_record(&admin.actor(), id, None, 0, &p, today).await?;
    }
    let invitee = |name: &str, email: &str, org: &str, attended: bool| Invitee {
        name: name.into(),
        email: email.into(),
        organisation: org.into(),
        partner: org != "Independent",
        attended,
    };
    let panel_invitees = vec![
        invitee(&panel.name, &panel.email, "Northmoor Safeguarding Children Partnership", true),
        invitee("DCI Mark Webb", "", "Police", true),
        invitee("Dr Hannah Price", "", "Health", true),
        invitee("Sue Collins", "", "Children's Social Care", true),
        invitee("Margaret Lowe", "", "Independent", true),
    ];
    let scoping_meeting = Meeting {
        kind: MeetingKind::Scoping,
        date: Some(decided + Duration::days(5)),
        time: "10:00".into(),
        place: "Committee Room 2, Northmoor Civic Centre".into(),
        invitees: panel_invitees.clone(),
        agenda: "1. Introductions and confidentiality\n2. The chair's decision and the criteria met\n3. Scope and terms of reference\n4. The family's involvement\n5. Parallel proceedings\n6. Timetable and media".into(),
        papers: vec![Paper { title: "Referral and the chair's decision".into(), circulated_on: Some(decided + Duration::days(2)), file: None }],
        minutes: "The panel agreed the scope, the timetable and the family's involvement. The police briefed the panel on the criminal investigation.".into(),
        decisions: vec!["Terms of reference agreed".into(), "Six agencies asked for IMRs".into(), "Interviews of staff wait for the CPS's agreement".into()],
        actions: vec![ActionArising { action: "Write to the agencies' chief executives".into(), owner: panel.name.clone(), due_on: Some(decided + Duration::days(7)) }],
        dissent: vec![Dissent {
            member: "Dr Hannah Price".into(),
            organisation: "Health".into(),
            view: "The period under review should begin at the mother's first pregnancy.".into(),
        }],
    };
    store.save_record(&panel.actor(), id, None, 0, &scoping_meeting, today).await?;
    let briefing = Meeting {
        kind: MeetingKind::AuthorsBriefing,
        date: Some(decided + Duration::days(14)),
        time: "14:00".into(),
        place: "Training Room 1".into(),
        invitees: vec![invitee(&panel.name, &panel.email, "Northmoor Safeguarding Children Partnership", true)],
        agenda: String::new(),
        papers: vec![],
        minutes: String::new(),
        decisions: vec![],
        actions: vec![],
        dissent: vec![],
    };
    store.save_record(&panel.actor(), id, None, 0, &briefing, today).await?;
    let presentation = Meeting {
        kind: MeetingKind::ImrPresentation,
        date: Some(today + Duration::days(10)),
        time: "09:30".into(),
        place: "Committee Room 2, Northmoor Civic Centre".into(),
        invitees: panel_invitees.into_iter().map(|i| Invitee { attended: false, ..i }).collect(),
        agenda: "Each agency presents its IMR; the panel questions the authors.".into(),
        papers: vec![Paper { title: "Agency IMRs and chronologies".into(), circulated_on: Some(today + Duration::days(6)), file: None }],
        minutes: String::new(),
        decisions: vec![],
        actions: vec![],
        dissent: vec![],
    };
    store.save_record(&panel.actor(), id, None, 0, &presentation, today).await?;
    let note = |kind, what: &str, to: &str, event: NaiveDate, sent: NaiveDate| Notification {
        kind,
        what: what.into(),
        to: to.into(),
        sent_on: Some(sent),
        event_on: Some(event),
        receipt_on: None,
        receipt_reference: String::new(),
    };
    for n in [
        note(
            NotificationKind::Regulator,
            "Notification of a serious childcare incident",
            "Ofsted National Business Unit",
            incident,
            incident + Duration::days(2),
        ),
        note(
            NotificationKind::Regulator,
            "The chair's decision to hold a serious case review",
            "Ofsted National Business Unit",
            decided,
            decided + Duration::days(1),
        ),
        note(
            NotificationKind::StrategicHealthAuthority,
            "A serious case review is to be held",
            "NHS England (the SHA's successor)",
            decided,
            decided + Duration::days(3),
        ),
        note(
            NotificationKind::ChiefExecutives,
            "Requests for IMRs",
            "Chief executives of six agencies",
            decided,
            decided + Duration::days(6),
        ),
    ] {
        store.save_record(&admin.actor(), id, None, 0, &n, today).await?;
    }
    Ok(())
}
