//! The `perfcycle` command, run as a process.

use std::path::PathBuf;
use std::process::Command;

fn perfcycle(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_perfcycle"));
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PERFCYCLE_DATA_DIR", dir.join("data"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("data/perfcycle.db").display()),
        );
    c
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("perfcycle-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn every_subcommand_explains_itself() {
    let dir = temp_dir();
    for sub in [
        "serve", "worker", "migrate", "seed", "token", "schema", "import",
    ] {
        let out = perfcycle(&dir)
            .args([sub, "--help"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{sub} --help failed");
        assert!(
            String::from_utf8_lossy(&out.stdout).len() > 40,
            "{sub} --help says too little"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_setting_stops_the_start_naming_it() {
    let dir = temp_dir();
    let out = perfcycle(&dir)
        .arg("serve")
        .env("PERFCYCLE_PORT", "eighty")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PERFCYCLE_PORT"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn import_reports_bad_cells_by_line_and_column_and_writes_nothing() {
    let dir = temp_dir();
    let csv = dir.join("people.csv");
    std::fs::write(
        &csv,
        "email,name,title,department,manager_email,role,hired_on,timezone\n\
         ceo@x.io,Cleo,CEO,Exec,,,2020-01-01,UTC\n\
         amy@x.io,Amy,Engineer,Eng,ceo@x.io,,2020-02-30,UTC\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = perfcycle(&dir)
        .args(["import", "employees"])
        .arg(&csv)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("people.csv:line 3, column hired_on"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    let out = perfcycle(&dir)
        .args(["token", "--email", "ceo@x.io"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !out.status.success(),
        "the first row must not have been imported either"
    );
    // Fixed, the same file imports and its people can get tokens.
    std::fs::write(
        &csv,
        "email,name,title,department,manager_email,role,hired_on,timezone\n\
         ceo@x.io,Cleo,CEO,Exec,,,2020-01-01,UTC\n\
         amy@x.io,Amy,Engineer,Eng,ceo@x.io,,2020-02-28,UTC\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = perfcycle(&dir)
        .args(["import", "employees"])
        .arg(&csv)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 created"));
    let out = perfcycle(&dir)
        .args(["token", "--email", "amy@x.io"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .split('.')
            .count(),
        3,
        "a JWT"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn schema_prints_the_committed_sdl() {
    let dir = temp_dir();
    let out = perfcycle(&dir)
        .arg("schema")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
    std::fs::remove_dir_all(&dir).ok();
}
