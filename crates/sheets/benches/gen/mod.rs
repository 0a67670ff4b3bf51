//! A deterministic generator of agency chronologies (001 Appendix V) as agencies really fill
//! them in, for the chronology benchmark: 10 agencies × 5 .xlsx files × 2,000 rows, written
//! in memory with rust_xlsxwriter.
//!
//! Every file has two title rows above its header, and the files differ the way agencies'
//! files differ: header spellings ("Date/Time" or "Date", "Significant Events/Incidents and
//! if child seen" or "Significant event"...), which optional columns they have (time, child
//! seen, wishes and feelings, agency), and how they write dates: real Excel dates, Excel
//! date-times, "dd/mm/yy" or "dd/mm/yyyy" text, with some rows in another form than the
//! rest of their file, some known only to the month ("03/2024", "Mar 2024"), some
//! approximate ("c. 12/03/2024") and a few unreadable ("TBC"). Formatted empty rows follow
//! the data, and a few empty rows sit between entries.
//!
//! Events come from a vocabulary (action, concern, four details, follow-up), so unrelated
//! entries rarely look alike; on top of that some events are recorded by two agencies, a
//! few days apart or on the same day with the child seen by one and not the other, so
//! discrepancy detection has real pairs to find. No date falls in one 120-day stretch, a
//! gap to find too. The same seed always gives the same bytes.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// The agencies of the generated partnership (the first [`AGENCY_COUNT`] send files).
pub const PARTNERSHIP: &[&str] = &[
    "Police",
    "Children's Social Care",
    "Health",
    "Education",
    "Probation",
    "Housing",
    "Ambulance Service",
    "Mental Health Services",
    "General Practice",
    "Hospital",
    "Youth Offending Service",
    "Adult Social Care",
    "CAFCASS",
    "Voluntary Sector",
];
pub const AGENCY_COUNT: usize = 10;
pub const FILES_PER_AGENCY: usize = 5;
pub const ROWS_PER_FILE: usize = 2_000;
/// Events recorded by two agencies.
pub const SHARED_EVENTS: usize = 4_000;
/// Aliases the import is given: (as some files write it, the partnership's name).
pub const ALIASES: &[(&str, &str)] = &[("CSC", "Children's Social Care"), ("GP", "General Practice")];

/// A small, fast, seeded generator (splitmix64): the same seed gives the same files.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n (n > 0; the modulo bias is negligible for the small n used here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True `per_mille` times in a thousand.
    pub fn per_mille(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// One generated workbook.
pub struct AgencyFile {
    /// The file name as an agency would send it.
    pub name: String,
    pub bytes: Vec<u8>,
    /// The agency that sent it (the partnership's spelling).
    pub agency: &'static str,
}

/// What was generated, and what an import should find in it.
pub struct Generated {
    pub files: Vec<AgencyFile>,
    /// Entry rows written (each has content).
    pub rows: usize,
    /// Rows whose date is unreadable ("TBC"): each is an import error and gives no entry.
    pub bad_dates: usize,
    /// Rows whose date is known only to the month.
    pub month_only: usize,
    /// Child seen cells no import can read ("Partly"): each is a warning, the entry stays.
    pub seen_unclear: usize,
    /// Shared events recorded on different days by the two agencies.
    pub shared_different_days: usize,
    /// Shared events recorded on the same day, the child seen by one agency and not the other.
    pub shared_seen_conflict: usize,
    /// Shared events recorded on the same day, alike.
    pub shared_same: usize,
}

/// The first day of the period under review and its length in days.
const PERIOD_START: (i32, u32, u32) = (2019, 4, 1);
const PERIOD_DAYS: i64 = 2_192;
/// No entry falls in these days (from the start of the period): a gap.
const GAP_FROM: i64 = 800;
const GAP_DAYS: i64 = 120;

const SUBJECTS: &[&str] = &["Child A", "Child A", "Child A", "Child B", "Mother", "Father", "Mother's partner", "Maternal grandmother"];

const ACTIONS: &[&str] = &[
    "Home visit",
    "Unannounced home visit",
    "Telephone call with mother",
    "Telephone call with father",
    "Strategy discussion",
    "Child protection conference",
    "Core group meeting",
    "Attended emergency department",
    "Missed appointment",
    "Referral received",
    "Assessment completed",
    "Letter sent to family",
    "Welfare check",
    "Domestic abuse incident reported",
    "Missing from home episode",
    "Multi-agency meeting",
    "Clinic appointment",
    "Developmental review",
    "School attendance meeting",
    "Child in need review",
    "Police attendance at address",
    "Ambulance called to address",
    "Housing inspection",
    "Probation supervision session",
    "Mental health assessment",
    "Team around the family meeting",
    "Safeguarding supervision",
    "Information request",
    "Parenting course session",
    "Immunisation appointment",
    "Neighbour reported shouting",
    "Anonymous concern raised",
    "Hospital admission",
    "Discharge planning meeting",
    "Early help assessment",
    "Joint visit with health",
    "Contact with paternal family",
    "Section 47 enquiry started",
    "Case closure discussion",
    "Transfer of records",
];

const CONCERNS: &[&str] = &[
    "neglect",
    "poor home conditions",
    "weight loss",
    "unexplained bruising",
    "parental alcohol use",
    "parental drug use",
    "rent arrears",
    "school absence",
    "self-harm",
    "speech delay",
    "missed immunisations",
    "housing disrepair",
    "maternal anxiety",
    "challenging behaviour",
    "injury to left arm",
    "head lice",
    "severe nappy rash",
    "domestic violence",
    "unsafe sleeping",
    "dental decay",
    "poor supervision",
    "overcrowding",
    "eviction notice",
    "postnatal depression",
    "feeding difficulties",
    "burn to hand",
    "bullying",
    "online safety",
    "exploitation risk",
    "medication not collected",
    "lack of food",
    "cold house",
    "dog bite",
    "asthma control",
    "bedwetting",
    "late collection from nursery",
    "threats from partner",
    "breach of bail",
    "eczema",
    "fall from sofa",
];

const DETAILS: &[&str] = &[
    "kitchen",
    "bedroom",
    "stairs",
    "nursery",
    "playground",
    "car",
    "park",
    "garden",
    "landlord",
    "neighbour",
    "grandmother",
    "sibling",
    "partner",
    "dog",
    "medication",
    "cot",
    "bathroom",
    "bottle",
    "pushchair",
    "heating",
    "mould",
    "window",
    "bruise",
    "scratch",
    "fever",
    "cough",
    "rash",
    "bus",
    "shop",
    "phone",
    "uniform",
    "lunch",
    "holiday",
    "birthday",
    "weekend",
    "football",
    "swimming",
    "library",
    "tablet",
    "bicycle",
    "hallway",
    "doorstep",
    "lift",
    "balcony",
    "fridge",
    "cupboard",
    "laundry",
    "curtains",
    "carpet",
    "mattress",
];

const FOLLOW_UPS: &[&str] = &[
    "advice given",
    "referral to social care",
    "follow-up visit booked",
    "no further action",
    "letter to GP",
    "safety plan agreed",
    "information shared with school",
    "discussed at supervision",
    "case kept open",
    "escalated to manager",
    "health visitor informed",
    "appointment rebooked",
    "police informed",
    "housing officer contacted",
    "parent declined support",
];

const PROFESSIONALS: &[&[&str]] = &[
    &["PC 1", "PC 2", "DS 1", "PCSO 3"],
    &["Social Worker 1", "Social Worker 2", "Team Manager 1", "Family Support Worker"],
    &["Health Visitor 1", "Health Visitor 2", "School Nurse 1", "Midwife 1"],
    &["Class Teacher", "Designated Safeguarding Lead", "Head Teacher", "Attendance Officer"],
    &["Probation Officer 1", "Probation Officer 2"],
    &["Housing Officer 1", "Tenancy Support Worker"],
    &["Paramedic 1", "Paramedic 2", "Emergency Care Assistant"],
    &["Community Psychiatric Nurse", "Psychiatrist 1", "Mental Health Practitioner"],
    &["GP 1", "GP 2", "Practice Nurse"],
    &["ED Doctor", "Paediatric Registrar", "Safeguarding Nurse"],
];

const COMMENTS: &[&str] = &[
    "Good practice: the child was seen alone and their views recorded.",
    "Information was not shared with partner agencies at the time.",
    "Escalation should have been considered here.",
    "Good practice: prompt follow-up of the missed appointment.",
    "The father's role was not explored.",
    "Threshold decision not recorded.",
];

/// How a file writes its dates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DateStyle {
    /// Excel dates formatted dd/mm/yyyy, the time (if any) in its own column as an Excel time.
    ExcelDate,
    /// Excel date-times in one "Date/Time" column.
    ExcelDateTime,
    /// "dd/mm/yy" text, the time in its own column as text.
    TextShort,
    /// "dd/mm/yyyy hh:mm" text in one "Date/Time" column.
    TextLongWithTime,
}

impl DateStyle {
    fn time_column(self) -> bool {
        matches!(self, DateStyle::ExcelDate | DateStyle::TextShort)
    }
    fn excel(self) -> bool {
        matches!(self, DateStyle::ExcelDate | DateStyle::ExcelDateTime)
    }
}

/// The columns a file has, in order, with their header as the file spells it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Date,
    Time,
    Subject,
    Professional,
    Event,
    ChildSeen,
    Wishes,
    Agency,
    Comment,
}

struct Layout {
    style: DateStyle,
    columns: Vec<(Col, &'static str)>,
    sheet_name: String,
    /// The agency column (if any) sometimes says "CSC" or "GP" (an alias) or shouts.
    agency_spelling: &'static str,
}

fn layout(rng: &mut Rng, agency: usize, file: usize) -> Layout {
    let style = [DateStyle::ExcelDate, DateStyle::ExcelDateTime, DateStyle::TextShort, DateStyle::TextLongWithTime][(agency + file) % 4];
    let mut columns = Vec::new();
    if style.time_column() {
        columns.push((Col::Date, rng.pick(&["Date", "Date of contact", "Dates"])));
        columns.push((Col::Time, rng.pick(&["Time", "Time of contact"])));
    } else {
        columns.push((Col::Date, rng.pick(&["Date/Time", "Date & Time", "Date and time"])));
    }
    columns.push((Col::Subject, rng.pick(&["Child/Family member", "Name of child or family member", "Subject"])));
    columns.push((Col::Professional, rng.pick(&["Professional", "Professional/Role", "Practitioner"])));
    columns.push((
        Col::Event,
        rng.pick(&[
            "Significant Events/Incidents and if child seen",
            "Significant event",
            "Significant events",
            "Event details",
            "Incident",
        ]),
    ));
    // Files without a child seen column say so in the event text.
    if rng.below(3) > 0 {
        columns.push((Col::ChildSeen, rng.pick(&["Child seen?", "Was the child seen", "Seen (Y/N)"])));
    }
    if rng.below(2) == 0 {
        columns.push((Col::Wishes, rng.pick(&["Wishes and feelings", "Wishes & feelings sought?"])));
    }
    // Files without an agency column are imported with the agency given for the file.
    if file != 4 {
        columns.push((Col::Agency, rng.pick(&["Agency", "Organisation"])));
    }
    columns.push((
        Col::Comment,
        rng.pick(&["Comments including good practice", "Reviewer's comment", "Management Review Officer's comments"]),
    ));
    let name = PARTNERSHIP[agency];
    let agency_spelling = match name {
        "Children's Social Care" if file.is_multiple_of(2) => "CSC",
        "General Practice" if file % 2 == 1 => "GP",
        "Police" if file == 3 => "POLICE",
        _ => name,
    };
    let sheet_name = match file % 3 {
        0 => "Chronology".to_string(),
        1 => "Sheet1".to_string(),
        _ => name.replace('\'', ""),
    };
    Layout { style, columns, sheet_name, agency_spelling }
}

/// One entry before it is written.
#[derive(Clone)]
struct Row {
    /// Days from the start of the period.
    day: i64,
    /// (hour, minute)
    time: Option<(u16, u8)>,
    subject: &'static str,
    professional: &'static str,
    event: String,
    seen: Option<bool>,
    wishes: Option<bool>,
    comment: &'static str,
}

/// A day of the period outside the gap.
fn random_day(rng: &mut Rng) -> i64 {
    let d = rng.below((PERIOD_DAYS - GAP_DAYS) as usize) as i64;
    if d >= GAP_FROM {
        d + GAP_DAYS
    } else {
        d
    }
}

fn random_time(rng: &mut Rng) -> Option<(u16, u8)> {
    if rng.below(10) < 6 {
        Some((8 + rng.below(12) as u16, 5 * rng.below(12) as u8))
    } else {
        None
    }
}

fn random_seen(rng: &mut Rng) -> Option<bool> {
    match rng.below(10) {
        0..=4 => Some(true),
        5..=7 => Some(false),
        _ => None,
    }
}

/// An event: action, concern, four details, a follow-up.
fn event_text(rng: &mut Rng) -> String {
    let (action, concern, follow) = (rng.pick(ACTIONS), rng.pick(CONCERNS), rng.pick(FOLLOW_UPS));
    let (d1, d2, d3, d4) = (rng.pick(DETAILS), rng.pick(DETAILS), rng.pick(DETAILS), rng.pick(DETAILS));
    format!("{action} about {concern}: {d1}, {d2}, {d3} and {d4}; {follow}.")
}

fn row(rng: &mut Rng, agency: usize, day: i64, event: String, seen: Option<bool>) -> Row {
    Row {
        day,
        time: random_time(rng),
        subject: rng.pick(SUBJECTS),
        professional: rng.pick(PROFESSIONALS[agency]),
        event,
        seen,
        wishes: if rng.below(5) == 0 { Some(rng.below(3) > 0) } else { None },
        comment: if rng.below(5) == 0 { rng.pick(COMMENTS) } else { "" },
    }
}

/// Generates every file from `seed`.
pub fn generate(seed: u64) -> Result<Generated, XlsxError> {
    assert_eq!((date_of(0), date_of(334), date_of(PERIOD_DAYS - 1)), ((2019, 4, 1), (2020, 2, 29), (2025, 3, 31)));
    let mut rng = Rng::new(seed);
    let slots = AGENCY_COUNT * FILES_PER_AGENCY;
    let mut rows: Vec<Vec<Row>> = (0..slots).map(|_| Vec::with_capacity(ROWS_PER_FILE)).collect();
    let mut out = Generated {
        files: Vec::new(),
        rows: 0,
        bad_dates: 0,
        month_only: 0,
        seen_unclear: 0,
        shared_different_days: 0,
        shared_seen_conflict: 0,
        shared_same: 0,
    };

    // Events two agencies record: a few days apart, or the same day (seen by one, not the other).
    let free_slot = |rng: &mut Rng, rows: &[Vec<Row>], not_agency: Option<usize>| loop {
        let slot = rng.below(slots);
        if rows[slot].len() < ROWS_PER_FILE && Some(slot / FILES_PER_AGENCY) != not_agency {
            return slot;
        }
    };
    for _ in 0..SHARED_EVENTS {
        let a = free_slot(&mut rng, &rows, None);
        let b = free_slot(&mut rng, &rows, Some(a / FILES_PER_AGENCY));
        let day = random_day(&mut rng);
        let text = event_text(&mut rng);
        // Half the time the second agency words the follow-up its own way.
        let other_text = if rng.below(2) == 0 { text.clone() } else { reword_follow_up(&mut rng, &text) };
        let kind = rng.below(10);
        let (other_day, seen_a, seen_b) = if kind < 7 {
            out.shared_different_days += 1;
            let offset = 1 + rng.below(4) as i64;
            let later = day + offset;
            let other = if (GAP_FROM..GAP_FROM + GAP_DAYS).contains(&later) || later >= PERIOD_DAYS { day - offset } else { later };
            let seen = random_seen(&mut rng);
            (other, seen, seen)
        } else if kind < 9 {
            out.shared_seen_conflict += 1;
            (day, Some(true), Some(false))
        } else {
            out.shared_same += 1;
            (day, Some(true), Some(true))
        };
        let ra = row(&mut rng, a / FILES_PER_AGENCY, day, text, seen_a);
        rows[a].push(ra);
        let rb = row(&mut rng, b / FILES_PER_AGENCY, other_day, other_text, seen_b);
        rows[b].push(rb);
    }
    // Everything else each agency records alone.
    for (slot, file_rows) in rows.iter_mut().enumerate() {
        while file_rows.len() < ROWS_PER_FILE {
            let day = random_day(&mut rng);
            let text = event_text(&mut rng);
            let seen = random_seen(&mut rng);
            file_rows.push(row(&mut rng, slot / FILES_PER_AGENCY, day, text, seen));
        }
        // Agencies write their chronology in date order.
        file_rows.sort_by_key(|r| (r.day, r.time));
    }

    for (slot, file_rows) in rows.iter().enumerate() {
        let (agency, file) = (slot / FILES_PER_AGENCY, slot % FILES_PER_AGENCY);
        let layout = layout(&mut rng, agency, file);
        let bytes = write_file(&mut rng, &layout, PARTNERSHIP[agency], file_rows, &mut out)?;
        out.rows += file_rows.len();
        let name = format!("{} chronology {} of {FILES_PER_AGENCY}.xlsx", PARTNERSHIP[agency], file + 1);
        out.files.push(AgencyFile { name, bytes, agency: PARTNERSHIP[agency] });
    }
    Ok(out)
}

fn reword_follow_up(rng: &mut Rng, text: &str) -> String {
    let stem = text.rsplit_once("; ").map(|(s, _)| s).unwrap_or(text);
    format!("{stem}; {}.", rng.pick(FOLLOW_UPS))
}

fn date_of(day: i64) -> (u16, u8, u8) {
    // Civil date from days since PERIOD_START, without chrono.
    let (y, m, d) = PERIOD_START;
    let mut z = days_from_civil(y, m, d) + day;
    z += 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let dd = doy - (153 * mp + 2) / 5 + 1;
    let mm = if mp < 10 { mp + 3 } else { mp - 9 };
    let yy = yoe + era * 400 + i64::from(mm <= 2);
    (yy as u16, mm as u8, dd as u8)
}

fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One cell as written.
enum Value<'a> {
    Nothing,
    Text(String),
    /// Text in a wrapping format (events, comments).
    Wrapped(String),
    /// An Excel date, date-time or time in a number format.
    When(ExcelDateTime, &'a Format),
}

const MONTH_ABBR: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn write_file(rng: &mut Rng, layout: &Layout, agency: &str, rows: &[Row], out: &mut Generated) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold().set_text_wrap().set_background_color("D9E1F2");
    let wrap = Format::new().set_text_wrap();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let date_time_fmt = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let time_fmt = Format::new().set_num_format("hh:mm");
    let sheet = workbook.add_worksheet().set_name(&layout.sheet_name)?;
    let last_col = (layout.columns.len() - 1) as u16;
    // Files without a child seen column say so in the event text.
    let has_seen_column = layout.columns.iter().any(|(k, _)| *k == Col::ChildSeen);

    // Two title rows above the header.
    sheet.merge_range(0, 0, 0, last_col, &format!("{agency} chronology: Child A and family"), &title)?;
    sheet.merge_range(1, 0, 1, last_col, "Period under review 1 April 2019 to 31 March 2025. Completed by the IMR author.", &wrap)?;
    for (c, (kind, header)) in layout.columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(2, c, *header, &bold)?;
        let width = match kind {
            Col::Event => 60,
            Col::Comment => 40,
            Col::Date if !layout.style.time_column() => 16,
            _ => 14,
        };
        sheet.set_column_width(c, width)?;
    }

    let mut r: u32 = 3;
    for row in rows {
        // Now and then an empty row between entries.
        if rng.per_mille(3) {
            r += 1;
        }
        let (y, m, d) = date_of(row.day);
        // How this row's date is written: mostly the file's way, sometimes not.
        let roll = rng.below(1000);
        let month_only = (2..32).contains(&roll);
        let time = if month_only { None } else { row.time };
        for (c, (kind, _)) in layout.columns.iter().enumerate() {
            let value = match kind {
                Col::Date if roll < 2 => {
                    out.bad_dates += 1;
                    Value::Text("TBC".into())
                }
                Col::Date if month_only => {
                    out.month_only += 1;
                    if layout.style.excel() || rng.below(2) == 0 {
                        Value::Text(format!("{m:02}/{y}"))
                    } else {
                        Value::Text(format!("{} {y}", MONTH_ABBR[usize::from(m) - 1]))
                    }
                }
                Col::Date if roll < 42 => Value::Text(format!("c. {d:02}/{m:02}/{y}")),
                Col::Date => {
                    // 5% of rows in the other family of forms (text in an Excel file and so on).
                    let excel = layout.style.excel() != (roll < 92);
                    match (excel, layout.style.time_column(), time) {
                        (true, false, Some((h, mi))) => Value::When(ExcelDateTime::from_ymd(y, m, d)?.and_hms(h, mi, 0)?, &date_time_fmt),
                        (true, _, _) => Value::When(ExcelDateTime::from_ymd(y, m, d)?, &date_fmt),
                        (false, false, Some((h, mi))) => Value::Text(format!("{d:02}/{m:02}/{y} {h:02}:{mi:02}")),
                        (false, true, _) if layout.style == DateStyle::TextShort => Value::Text(format!("{d:02}/{m:02}/{:02}", y % 100)),
                        (false, _, _) => Value::Text(format!("{d:02}/{m:02}/{y}")),
                    }
                }
                Col::Time => match time {
                    Some((h, mi)) if layout.style.excel() => Value::When(ExcelDateTime::from_hms(h, mi, 0)?, &time_fmt),
                    Some((h, mi)) if rng.below(4) == 0 => Value::Text(format!("{h:02}{mi:02}hrs")),
                    Some((h, mi)) => Value::Text(format!("{h:02}:{mi:02}")),
                    None if rng.below(10) == 0 => Value::Text("n/k".into()),
                    None => Value::Nothing,
                },
                Col::Subject => Value::Text(row.subject.into()),
                Col::Professional => Value::Text(row.professional.into()),
                Col::Event => match (has_seen_column, row.seen) {
                    (false, Some(true)) => Value::Wrapped(format!("{} Child seen.", row.event)),
                    (false, Some(false)) => Value::Wrapped(format!("{} Child not seen.", row.event)),
                    _ => Value::Wrapped(row.event.clone()),
                },
                Col::ChildSeen if rng.per_mille(5) => {
                    // Now and then an answer the import cannot read (a warning; the entry stays).
                    out.seen_unclear += 1;
                    Value::Text("Partly".into())
                }
                Col::ChildSeen => match row.seen {
                    Some(true) => Value::Text(rng.pick(&["Yes", "Y", "Seen", "yes"]).into()),
                    Some(false) => Value::Text(rng.pick(&["No", "N", "Not seen"]).into()),
                    None => match rng.pick(&["", "", "N/K", "Unknown"]) {
                        "" => Value::Nothing,
                        v => Value::Text(v.into()),
                    },
                },
                Col::Wishes => match row.wishes {
                    Some(true) => Value::Text("Yes".into()),
                    Some(false) => Value::Text("No".into()),
                    None => Value::Nothing,
                },
                Col::Agency => Value::Text(layout.agency_spelling.into()),
                Col::Comment if row.comment.is_empty() => Value::Nothing,
                Col::Comment => Value::Wrapped(row.comment.into()),
            };
            let c = c as u16;
            match value {
                Value::Nothing => {}
                Value::Text(t) => {
                    sheet.write_string(r, c, t)?;
                }
                Value::Wrapped(t) => {
                    sheet.write_string_with_format(r, c, t, &wrap)?;
                }
                Value::When(dt, format) => {
                    sheet.write_datetime_with_format(r, c, dt, format)?;
                }
            }
        }
        r += 1;
    }
    // Formatted empty rows after the data, as a template leaves them.
    for _ in 0..150 {
        for (c, (kind, _)) in layout.columns.iter().enumerate() {
            let f = if *kind == Col::Date { &date_fmt } else { &wrap };
            sheet.write_blank(r, c as u16, f)?;
        }
        r += 1;
    }
    workbook.save_to_buffer()
}
