use super::*;

#[test]
fn the_worker_gets_only_what_it_needs() {
    let runner = LocalRunner::new(
        PathBuf::from("worker"),
        vec![("SWITCHBOARD_CONFIG".into(), "/c.toml".into())],
        vec!["PGPASSWORD".into()],
    );
    // Each variable, and whether the worker is given it.
    let cases = [
        ("PATH", true),
        ("RUST_LOG", true),
        ("SLACK_BOT_TOKEN", true),
        ("TRACKER_JIRA_TOKEN", true),
        ("PGPASSWORD", true),
        ("SLACK_SIGNING_SECRET", false),
        ("GITHUB_WEBHOOK_SECRET", false),
        ("AWS_SECRET_ACCESS_KEY", false),
        ("OTHER", false),
    ];
    let vars = cases.map(|(k, _)| (k.to_owned(), "v".to_owned()));
    let given: Vec<String> = runner
        .worker_env(vars.into_iter())
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut want: Vec<&str> = cases.iter().filter(|c| c.1).map(|c| c.0).collect();
    want.push("SWITCHBOARD_CONFIG");
    assert_eq!(given, want);
}

/// Whether a process is still running; a zombie nobody reaped yet (in a
/// container without an init) has ended too.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
            Some(state != 'Z' && state != 'X')
        })
        .unwrap_or(false)
}

fn spec(id: &str) -> JobSpec {
    JobSpec {
        id: id.parse().expect("job id"),
        record_sk: format!("1#{id}"),
        requested_by: "UANN".parse().expect("user id"),
        channel: "COPS".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/x".parse().expect("response_url"),
        work: super::super::Work::Command {
            name: "backup".into(),
            argv: vec!["backup".into()],
        },
    }
}

/// A worker script that starts a child in the background, writes both
/// pids to `pids` and waits; `prelude` runs first (e.g. a trap).
fn worker_script(dir: &std::path::Path, prelude: &str) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt as _;
    let pids = dir.join("pids");
    let script = dir.join("worker.sh");
    std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n{prelude}\nsleep 300 &\necho $$ $! > {}.tmp\nmv {0}.tmp {0}\nsleep 300\nwait\n",
                pids.display()
            ),
        )
        .expect("write script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (script, pids)
}

/// Waits for the script to write its pid and its child's.
async fn pids_of(file: &std::path::Path) -> (u32, u32) {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(file) {
            let mut it = text.split_whitespace().map(|p| p.parse().expect("pid"));
            if let (Some(worker), Some(child)) = (it.next(), it.next()) {
                return (worker, child);
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the worker never wrote its pids");
}

async fn stop_and_check(prelude: &str) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let (script, pids) = worker_script(dir.path(), prelude);
    let runner = LocalRunner::new(script, vec![], vec![]);
    let job = spec("0123456789abcdef");
    runner.start(&job).await.expect("started");
    let (worker, child) = pids_of(&pids).await;
    assert!(alive(worker) && alive(child), "both run before the stop");

    let began = std::time::Instant::now();
    assert!(
        runner.stop(job.id.as_str()).await.expect("stop"),
        "something stopped"
    );
    let took = began.elapsed();
    // The kernel may take a moment to finish a killed process.
    for _ in 0..40 {
        if !alive(worker) && !alive(child) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(!alive(worker), "the worker {worker} is gone");
    assert!(!alive(child), "the worker's child {child} is gone");
    assert!(
        !runner.stop(job.id.as_str()).await.expect("stop again"),
        "a stopped job has nothing left to stop"
    );
    took
}

#[tokio::test]
async fn stop_ends_the_worker_and_its_children() {
    let took = stop_and_check("").await;
    assert!(took < STOP_GRACE, "SIGTERM sufficed: {took:?}");
}

#[tokio::test]
async fn stop_kills_a_worker_that_ignores_sigterm() {
    let took = stop_and_check("trap '' TERM").await;
    assert!(took >= STOP_GRACE, "the grace passed first: {took:?}");
}

#[tokio::test]
async fn stopping_an_unknown_job_stops_nothing() {
    let runner = LocalRunner::new(PathBuf::from("worker"), vec![], vec![]);
    assert!(!runner.stop("0123456789abcdef").await.expect("stop"));
}
