//! The streaming batch mode (`pol eval cases.jsonl`): its output is exactly what deciding
//! each case alone prints, in input order, whatever the chunking and the number of
//! threads; a bad line is reported with its line number while the others are decided.

use crate::common;

use std::path::PathBuf;

use common::{pol, pol_with_stdin};
use pol_compiler::codes;

/// A scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pol-batch-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `n + 1` varied cases as JSON lines: several policies, every decision kind, unknown facts.
fn cases(n: usize) -> Vec<String> {
    const POLICIES: [&str; 4] =
        ["advance_parole", "humanitarian_parole", "chnv_parole", "family_parole_in_place"];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut out = Vec::new();
    for i in 0..n {
        let mut applicant = Vec::new();
        let mut root = vec![
            format!("\"id\":\"case-{i}\""),
            format!("\"as_of\":\"202{}-0{}-1{}\"", next(6), 1 + next(9), next(10)),
            format!("\"policy\":\"{}\"", POLICIES[next(4) as usize]),
        ];
        let mut maybe = |field: &str, values: &[&str], into: &mut Vec<String>| {
            if next(5) != 0 {
                let v = values[next(values.len() as u64) as usize];
                into.push(format!("\"{field}\":{v}"));
            }
        };
        maybe("location", &["\"inside_us\"", "\"outside_us\""], &mut applicant);
        maybe(
            "status",
            &["\"tps\"", "\"daca\"", "\"none\"", "\"h1\"", "\"j1\"", "\"parolee\""],
            &mut applicant,
        );
        maybe(
            "pending",
            &["[]", "[\"adjustment_of_status\"]", "[\"asylum\",\"tps\"]"],
            &mut applicant,
        );
        for flag in [
            "in_removal_proceedings",
            "j1_foreign_residence_requirement",
            "private_bill_beneficiary",
            "serious_criminal_record",
            "security_risk",
            "removal_order",
            "spouse_of_us_citizen",
        ] {
            maybe(flag, &["true", "false", "false"], &mut applicant);
        }
        maybe("nationality", &["\"CU\"", "\"VE\"", "\"MX\""], &mut applicant);
        maybe("unlawful_presence_days", &["0", "200", "400"], &mut applicant);
        maybe("reason", &["\"funeral\"", "\"tourism\"", "\"medical_treatment\""], &mut root);
        maybe("evidence_submitted", &["true", "false"], &mut root);
        maybe("other_path_available", &["false", "true"], &mut root);
        maybe(
            "sponsor",
            &["{\"financial_support\":true}", "{\"financial_support\":false}"],
            &mut root,
        );
        maybe(
            "application",
            &[
                "{\"fee_waiver_requested\":true,\"filed_on\":\"2019-12-02\"}",
                "{\"fee_waiver_requested\":false}",
            ],
            &mut root,
        );
        maybe("trip", &["{\"depart\":\"2025-01-01\",\"return\":\"2026-06-01\"}"], &mut root);
        if !applicant.is_empty() {
            root.push(format!("\"applicant\":{{{}}}", applicant.join(",")));
        }
        out.push(format!("{{{}}}", root.join(",")));
    }
    // Cases random facts rarely make: one that may travel, now that every fact the
    // decision reads must be known for `eligible` ...
    out.insert(
        n / 3,
        r#"{"id":"tps","as_of":"2025-06-10","policy":"advance_parole","applicant":{"location":"inside_us","status":"tps","pending":[],"in_removal_proceedings":false,"j1_foreign_residence_requirement":false,"private_bill_beneficiary":false},"reason":"funeral","evidence_submitted":true}"#.into(),
    );
    // ... and one that does not need the document at all.
    out.insert(
        n / 2,
        r#"{"id":"h1","as_of":"2025-06-10","policy":"advance_parole","applicant":{"location":"inside_us","status":"h1","pending":["adjustment_of_status"],"in_removal_proceedings":false,"j1_foreign_residence_requirement":false,"private_bill_beneficiary":false},"reason":"employment"}"#.into(),
    );
    out
}

/// What `pol eval` prints for each case on its own.
fn alone(dir: &std::path::Path, lines: &[String], format: &str) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let file = dir.join("case.json");
            std::fs::write(&file, line).unwrap();
            let run = pol(&["eval", "--format", format, file.to_str().unwrap()]);
            assert_eq!(run.code, 0, "{line}\n{}", run.stderr);
            run.stdout
        })
        .collect()
}

#[test]
fn a_batch_prints_what_each_case_alone_prints_in_input_order() {
    let dir = scratch("alone");
    let lines = cases(80);
    let file = dir.join("cases.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let path = file.to_str().unwrap();
    let json = alone(&dir, &lines, "json").concat();
    for kind in ["eligible", "ineligible", "not_required", "unavailable", "incomplete"] {
        assert!(json.contains(&format!("\"decision\":\"{kind}\"")), "no {kind} case");
    }
    for format in ["json", "human"] {
        let expected =
            if format == "json" { json.clone() } else { alone(&dir, &lines, format).concat() };
        // Tiny chunks and more threads than cores: many chunks finish out of order.
        for (jobs, chunk) in [("1", "262144"), ("3", "700"), ("2", "1")] {
            let args = ["eval", "--format", format, "--jobs", jobs, "--chunk-bytes", chunk, path];
            let run = pol(&args);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(run.stdout, expected, "{format}, {jobs} jobs, chunks of {chunk}");
            assert_eq!(run.stderr, "", "no summary when stderr is not a terminal");
        }
    }
    // Standard input is JSON lines too.
    let run = pol_with_stdin(&["eval", "--format", "json", "-"], &lines.join("\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, json);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_line_in_the_middle_is_reported_with_its_line_number_and_the_rest_decided() {
    let dir = scratch("bad");
    let mut lines = cases(40);
    lines[19] =
        r#"{"as_of":"2025-06-10","policy":"advance_parole","applicant":{"stauts":"tps"}}"#.into();
    lines[24] = String::new();
    let file = dir.join("cases.jsonl");
    let mut bytes = lines.join("\r\n").into_bytes();
    // Line 31 is not UTF-8.
    let mut text: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let bad_utf8 = b"{\"as_of\":\"2025-06-10\",\"policy\":\"\xff\"}\r".to_vec();
    text[30] = &bad_utf8;
    bytes = text.join(&b'\n');
    std::fs::write(&file, &bytes).unwrap();
    let path = file.to_str().unwrap();
    let run = pol(&["eval", "--format", "json", "--chunk-bytes", "900", "--summary", path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let good: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| ![19, 24, 30].contains(i) && !l.is_empty())
        .map(|(_, l)| l.clone())
        .collect();
    // The bad lines are answered in their places (docs/cases.md, "Errors in place").
    let decisions = alone(&dir, &good, "json");
    let mut expected = Vec::new();
    let mut next = decisions.iter();
    for (i, l) in lines.iter().enumerate() {
        match i {
            19 => expected.push(format!(
                "{{\"line\":20,\"error\":{{\"code\":\"pol::{}\",\"field\":\"applicant.stauts\",\"message\":\"field `applicant.stauts`: no policy declares this field\",\"suggestion\":\"applicant.status\"}}}}\n",
                codes::CASE_FIELD
            )),
            30 => expected.push(format!(
                "{{\"line\":31,\"error\":{{\"code\":\"pol::{}\",\"message\":\"the line is not valid UTF-8 (at byte 32 of the line)\"}}}}\n",
                codes::CASE_UNREADABLE
            )),
            _ if l.is_empty() => {}
            _ => expected.push(next.next().unwrap().clone()),
        }
    }
    assert_eq!(run.stdout, expected.concat());
    assert!(run.stderr.contains(&format!("{path}:20:")), "line 20 is named:\n{}", run.stderr);
    assert!(run.stderr.contains("did you mean `applicant.status`?"));
    assert!(
        run.stderr.contains(&format!("{path}:31:")) && run.stderr.contains("not valid UTF-8"),
        "line 31 is named:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("39 cases decided") && run.stderr.contains("2 not decided"),
        "the summary counts them:\n{}",
        run.stderr
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `pol eval big.jsonl | head -1`: when the reader goes away, pol stops (no hang, no panic).
#[test]
fn a_batch_stops_when_its_reader_goes_away() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = scratch("pipe");
    let lines = cases(200);
    let file = dir.join("cases.jsonl");
    let text = (lines.join("\n") + "\n").repeat(100);
    std::fs::write(&file, text).unwrap();
    let mut child = common::pol_command(
        &common::root(),
        &["eval", "--format", "json", "--chunk-bytes", "4096"],
    )
    .arg(&file)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("{\"id\":\"case-0\""), "{first}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            panic!("pol did not stop after its reader went away");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Quietly, with the status of a filter stopped by SIGPIPE (docs/cli.md, "Exit status").
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(status.code(), Some(141), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
