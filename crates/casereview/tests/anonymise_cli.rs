//! `casereview anonymise` as a user runs it: the shipped example (text and JSON, offsets
//! into the input), and bad input (invalid UTF-8, empty and malformed case files, files
//! over the size limit) refused with exit code 2, a message on stderr and nothing on stdout.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn anonymise(dir: &Path, args: &[&str]) -> Output {
    // --data-dir points at an empty folder: the command must not need a database.
    Command::new(env!("CARGO_BIN_EXE_casereview"))
        .arg("anonymise")
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("no-database-here"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

fn refused(o: &Output, says: &str) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "exit code; stderr: {stderr}");
    assert!(o.stdout.is_empty(), "nothing on stdout, got {:?}", String::from_utf8_lossy(&o.stdout));
    assert!(stderr.contains(says), "stderr should say {says:?}: {stderr}");
}

#[test]
fn the_example_is_anonymised() {
    let dir = tempfile::tempdir().unwrap();
    let case = repo().join("examples/case.json");
    let input = repo().join("examples/summary.txt");
    let o = anonymise(dir.path(), &["--case", case.to_str().unwrap(), "--in", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    for name in [
        "Jade",
        "JADE",
        "Kerry",
        "Smith",
        "Okafor",
        "Chaudh",
        "Whitfield",
        "O'Brien",
        "O'Brian",
        "Seun",
        "Example Row",
        "NM1",
        "07700",
        "943 476",
        "example.com",
        "ZW19",
        "NM/2019",
        "St Mary",
        "Acorns",
        "Riverside",
        "2014",
    ] {
        assert!(!text.contains(name), "{name} left in:\n{text}");
    }
    for pseudonym in [
        "Child A",
        "Mother",
        "Father",
        "Mother's partner",
        "Sibling 1",
        "Health Visitor 1",
        "GP 1",
        "Hospital A",
        "[date of birth]",
        "the family home",
    ] {
        assert!(text.contains(pseudonym), "{pseudonym} missing from:\n{text}");
    }
    assert!(!dir.path().join("no-database-here").exists(), "no database was made");
}

#[test]
fn json_findings_have_byte_offsets_into_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let case = repo().join("examples/case.json");
    let input_path = dir.path().join("in.txt");
    let input = "Notes — 3 visits: “Jade Smith’s” bruise was seen at St Mary's Hospital, NM1 2AB.\n";
    std::fs::write(&input_path, input).unwrap();
    let o = anonymise(dir.path(), &["--case", case.to_str().unwrap(), "--in", input_path.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = v["text"].as_str().unwrap();
    assert_eq!(text, "Notes — 3 visits: “Child A’s” bruise was seen at Hospital A, [postcode].\n");
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{findings:?}");
    for f in findings {
        let (start, end) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
        assert_eq!(&input[start..end], f["text"].as_str().unwrap());
        for key in ["category", "replacement", "entity", "detector", "confidence"] {
            assert!(f.get(key).is_some(), "{key} in {f}");
        }
    }
    assert_eq!(findings[0]["category"], "person");
    assert_eq!(findings[0]["replacement"], "Child A’s");
    assert_eq!(findings[0]["start"], input.find("Jade").unwrap());
    assert_eq!(findings[2]["category"], "postcode");
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = repo().join("examples/case.json");
    let case = case.to_str().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = write("good.txt", b"Jade Smith was seen.");

    let bad_utf8 = write("bad.txt", b"Jade Smith\xff was seen.");
    refused(&anonymise(d, &["--case", case, "--in", &bad_utf8]), "not valid UTF-8: invalid byte at offset 10");

    let empty = write("empty.json", b"");
    refused(&anonymise(d, &["--case", &empty, "--in", &good]), "the case file is empty");

    let nothing = write("nothing.json", b"{}");
    refused(&anonymise(d, &["--case", &nothing, "--in", &good]), "names no one and nothing");

    let unknown = write("unknown.json", b"{\"people\": [{\"names\": [\"Jade Smith\"], \"rol\": \"child\"}]}");
    refused(&anonymise(d, &["--case", &unknown, "--in", &good]), "people[0].rol: line 1, column");

    let malformed = write("malformed.json", b"{\"people\": [\n  {\"names\": [\"Jade Smith\"]},\n  {\"names\": \"Kerry\"}\n]}");
    refused(&anonymise(d, &["--case", &malformed, "--in", &good]), "people[1].names: line 3");

    let truncated = write("truncated.json", b"{\"people\": [{\"names\": [\"Jade");
    refused(&anonymise(d, &["--case", &truncated, "--in", &good]), "line 1");

    let invalid = write("invalid.json", b"{\"people\": [{\"names\": [\"\"]}], \"dates\": [{\"date\": \"03/03/2014\"}]}");
    let o = anonymise(d, &["--case", &invalid, "--in", &good]);
    refused(&o, "people[0].names[0]");
    refused(&o, "dates[0].date");

    let big = write("big.txt", &vec![b'a'; 2000]);
    refused(&anonymise(d, &["--case", case, "--in", &big, "--max-bytes", "1000"]), "larger than the limit of 1000 bytes");
    // The limit applies to the case file too.
    refused(&anonymise(d, &["--case", case, "--in", &good, "--max-bytes", "100"]), "case file");

    refused(&anonymise(d, &["--case", case, "--in", &good, "--format", "xml"]), "unknown format");
    refused(&anonymise(d, &["--case", case, "--in", &d.join("missing.txt").to_string_lossy()]), "missing.txt");

    // And the good one works.
    let o = anonymise(d, &["--case", case, "--in", &good]);
    assert!(o.status.success());
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "Child A was seen.");
}
