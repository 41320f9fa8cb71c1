//! Running one tool process: in a process group of its own, so that a timeout, a
//! cancellation (a newer edit, `$/cancelRequest`, shutdown, Ctrl-C) or the tool's own exit
//! kills the whole tree it started: no orphans (every process of the group is killed at the
//! end, whatever happened), no zombies (the child is always waited for; what it started is
//! reaped by init once killed). Output is read on threads of its own, so a tool that fills
//! its pipes never blocks, and kept up to a bound.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Output beyond this, per stream, is cut (and the cut said): a tool gone wrong must not take
/// the machine's memory.
const MAX_OUTPUT: usize = 256 << 20;

/// How often a running process is looked at for its end, a timeout or a cancellation.
const POLL: Duration = Duration::from_millis(5);

/// How a run ended.
#[derive(Debug)]
pub enum Ended {
    Exited(i32),
    /// Killed by a signal it did not ask for (a crash, the OOM killer).
    Signalled(i32),
    TimedOut,
    Cancelled,
}

#[derive(Debug)]
pub struct Finished {
    pub ended: Ended,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub duration: Duration,
    /// The process group's id: the tests look for what is left in it.
    pub group: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start `{program}`: {error}")]
    Start {
        program: String,
        error: std::io::Error,
    },
}

/// Runs `argv` in `cwd` until it exits, `timeout` passes or `cancel` is set.
pub fn run(
    argv: &[String],
    cwd: &Path,
    timeout: Duration,
    cancel: &AtomicBool,
) -> Result<Finished, RunError> {
    let program = argv.first().map_or("", String::as_str);
    let mut command = Command::new(program);
    command
        .args(argv.iter().skip(1))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(|error| RunError::Start {
        program: program.to_string(),
        error,
    })?;
    let group = child.id();
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);

    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => break exit_of(status),
            Ok(None) => {}
            Err(_) => {
                kill_group(group);
                let _ = child.wait();
                break Ended::Signalled(0);
            }
        }
        if cancel.load(Ordering::Relaxed) {
            kill_group(group);
            let _ = child.wait();
            break Ended::Cancelled;
        }
        if started.elapsed() >= timeout {
            kill_group(group);
            let _ = child.wait();
            break Ended::TimedOut;
        }
        std::thread::sleep(POLL);
    };
    // What the tool left running in its group (a daemon, a worker) goes with it.
    kill_group(group);
    let duration = started.elapsed();
    // The pipes close when the group is gone; one held open by a process that left the group
    // (`setsid`) must not hang the run.
    let collect = |reader: Option<mpsc::Receiver<Vec<u8>>>| {
        reader
            .and_then(|reader| reader.recv_timeout(Duration::from_secs(2)).ok())
            .unwrap_or_default()
    };
    Ok(Finished {
        ended,
        stdout: collect(stdout),
        stderr: collect(stderr),
        duration,
        group,
    })
}

fn read_all(mut stream: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 64 * 1024];
        let mut cut = false;
        loop {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => {
                    if kept.len() + read <= MAX_OUTPUT {
                        kept.extend_from_slice(&buffer[..read]);
                    } else {
                        cut = true;
                    }
                }
            }
        }
        if cut {
            kept.extend_from_slice(b"\n[ripple: output cut at 256 MiB]\n");
        }
        let _ = send.send(kept);
    });
    receive
}

#[cfg(unix)]
fn exit_of(status: std::process::ExitStatus) -> Ended {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Exited(code),
        (None, Some(signal)) => Ended::Signalled(signal),
        (None, None) => Ended::Signalled(0),
    }
}

#[cfg(not(unix))]
fn exit_of(status: std::process::ExitStatus) -> Ended {
    Ended::Exited(status.code().unwrap_or(-1))
}

/// Kills every process of the group (gone already: nothing to do).
#[cfg(unix)]
pub fn kill_group(group: u32) {
    if let Ok(group) = libc::pid_t::try_from(group) {
        // SAFETY: killpg takes a process group id and a signal number, touches no memory.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
pub fn kill_group(_group: u32) {}

/// Whether a process of the group is still running (not a zombie waiting for init to reap
/// it): for tests, which see the tree is gone. Reads `/proc`.
pub fn group_running(group: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.first().is_some_and(|state| *state != "Z")
            && fields.get(2).and_then(|pgrp| pgrp.parse::<u32>().ok()) == Some(group)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Killed processes take a moment to go.
    fn gone(group: u32) -> bool {
        (0..200).any(|_| {
            let running = group_running(group);
            if running {
                std::thread::sleep(Duration::from_millis(10));
            }
            !running
        })
    }

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn output_and_exit_code() {
        let never = AtomicBool::new(false);
        let done = run(
            &sh("echo out; echo err >&2; exit 3"),
            Path::new("."),
            Duration::from_secs(30),
            &never,
        )
        .expect("runs");
        assert!(matches!(done.ended, Ended::Exited(3)));
        assert_eq!(done.stdout, b"out\n");
        assert_eq!(done.stderr, b"err\n");
    }

    #[test]
    #[cfg(unix)]
    fn a_timeout_kills_the_whole_group() {
        let never = AtomicBool::new(false);
        // A grandchild that would outlive its parent.
        let done = run(
            &sh("sleep 30 & sleep 30; wait"),
            Path::new("."),
            Duration::from_millis(200),
            &never,
        )
        .expect("runs");
        assert!(matches!(done.ended, Ended::TimedOut));
        assert!(gone(done.group), "a process of the group is left");
    }

    #[test]
    #[cfg(unix)]
    fn a_cancellation_kills_the_whole_group() {
        let cancel = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(150));
                cancel.store(true, Ordering::Relaxed);
            });
            let done = run(
                &sh("sleep 30 & sleep 30"),
                Path::new("."),
                Duration::from_secs(60),
                &cancel,
            )
            .expect("runs");
            assert!(matches!(done.ended, Ended::Cancelled));
            assert!(gone(done.group));
        });
    }

    #[test]
    fn a_missing_program_is_an_error() {
        let never = AtomicBool::new(false);
        let error = run(
            &["ripple-no-such-tool".to_string()],
            Path::new("."),
            Duration::from_secs(5),
            &never,
        )
        .expect_err("cannot start");
        assert!(error.to_string().contains("ripple-no-such-tool"));
    }
}
