//! A process killed (SIGKILL) while the workspace writes a distribution leaves the previous file
//! intact: the test re-runs this test binary as a child that updates a distribution in a loop,
//! kills it once it is busy writing, and reads the workspace back.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cfconsole_control::{ControlPlane, LocalWorkspace};

const CHILD_ENV: &str = "CFCONSOLE_KILL_TEST_WORKSPACE";
const SAMPLE: &str = "E1SAMPLE000001";

/// Large enough that a write takes a while, so the kill lands inside one.
fn comment(n: u64) -> String {
    format!("v{n}:{}:v{n}", "x".repeat(2_000_000))
}

/// The child: updates the sample distribution forever, saying so after each update.
#[tokio::test]
async fn child_writer() {
    let Ok(root) = std::env::var(CHILD_ENV) else {
        return; // only does something when started by the test below
    };
    let ws = LocalWorkspace::open(root).expect("workspace");
    for n in 1.. {
        let rec = ws.get_distribution(SAMPLE).await.expect("get");
        let mut c = rec.distribution.distribution_config;
        c.comment = comment(n);
        ws.update_distribution(SAMPLE, c, &rec.etag)
            .await
            .expect("update");
        println!("updated {n}");
    }
}

#[tokio::test]
async fn kill_during_a_write_leaves_the_previous_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    LocalWorkspace::open(&root).expect("seeded");
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        // Wait (on the child's own output, not a timer) until it has finished a few updates and
        // is inside the next one.
        let mut updates = 0;
        while updates < 3 + round {
            let line = lines
                .next()
                .expect("the child keeps writing")
                .expect("readable");
            if line.starts_with("updated ") {
                updates += 1;
            }
        }
        child.kill().expect("killed");
        child.wait().unwrap();

        let ws = LocalWorkspace::open(&root).expect("the workspace opens after a kill");
        let rec = ws
            .get_distribution(SAMPLE)
            .await
            .expect("the distribution file is whole");
        let c = &rec.distribution.distribution_config.comment;
        let n: String = c
            .trim_start_matches('v')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let n: u64 = n.parse().expect("a comment written by the child");
        assert_eq!(*c, comment(n), "round {round}: a complete version");
        let temps = std::fs::read_dir(root.join("distributions"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .count();
        assert_eq!(
            temps, 0,
            "an interrupted write's temp file is cleaned on open"
        );
    }
}
