//! The processes under test: started pinned to a core, probed over plain HTTP/1.1, measured through `/proc`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A process pinned to one core with `taskset`, killed when dropped. `taskset` executes the program in its own
/// process, so the child's id is the program's.
pub struct Pinned(Child);

impl Pinned {
    pub fn start(
        core: &str,
        program: &Path,
        args: &[&str],
        env: &[(&str, String)],
        log: &Path,
    ) -> Result<Pinned> {
        let mut command = Command::new("taskset");
        command.arg("-c").arg(core).arg(program).args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let log = std::fs::File::create(log)?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        let child = command
            .spawn()
            .with_context(|| format!("starting {} (is taskset installed?)", program.display()))?;
        Ok(Pinned(child))
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// A field of `/proc/<pid>/status` in kB (`VmHWM`: peak resident memory; `VmRSS`: resident now).
    pub fn memory_kib(&self, field: &str) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {field} in /proc/{}/status", self.id()))
    }

    /// CPU time used so far by every thread of the process, user and system, in clock ticks.
    pub fn cpu_ticks(&self) -> Result<u64> {
        stat_ticks(&format!("/proc/{}/stat", self.id()), 11)
    }

    /// Context switches so far, voluntary and not, of the threads the process has now.
    pub fn context_switches(&self) -> Result<u64> {
        let mut total = 0;
        for task in std::fs::read_dir(format!("/proc/{}/task", self.id()))? {
            let Ok(status) = std::fs::read_to_string(task?.path().join("status")) else {
                continue; // the thread has just ended
            };
            total += status
                .lines()
                .filter_map(|l| {
                    l.strip_prefix("voluntary_ctxt_switches:")
                        .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
                })
                .filter_map(|v| v.trim().parse::<u64>().ok())
                .sum::<u64>();
        }
        Ok(total)
    }

    /// Fails when the process has exited (a crash during the load would otherwise read as slowness).
    pub fn check_running(&mut self, name: &str) -> Result<()> {
        if let Some(status) = self.0.try_wait()? {
            bail!("{name} exited during the benchmark ({status}); see its log");
        }
        Ok(())
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// CPU time used by the children this process has waited for (wrk, through `timeout`), in clock ticks.
pub fn children_cpu_ticks() -> Result<u64> {
    stat_ticks("/proc/self/stat", 13)
}

/// The sum of two fields of a `/proc/<pid>/stat`, counted after the command name: 11 for utime and stime, 13 for
/// cutime and cstime (`man 5 proc`: fields 14 and 15, 16 and 17).
fn stat_ticks(path: &str, first: usize) -> Result<u64> {
    let stat = std::fs::read_to_string(path)?;
    // The command name (field 2) is in parentheses and may hold anything; the fields after it are plain.
    let after_name = stat.rsplit_once(')').context("/proc/<pid>/stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |i: usize| -> Result<u64> {
        fields
            .get(i)
            .with_context(|| format!("field {i} of {path}"))?
            .parse()
            .with_context(|| format!("field {i} of {path}"))
    };
    Ok(field(first)? + field(first + 1)?)
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 on Linux).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// An answer to [`request`].
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// One HTTP/1.1 request on a new connection (`Connection: close`), answered within 5 seconds.
pub fn request(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer> {
    let mut socket = TcpStream::connect(address)?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    socket.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body.unwrap_or(""));
    socket.write_all(text.as_bytes())?;
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("not an HTTP answer: {answer}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_string();
    Ok(Answer { status, body })
}

/// Polls `GET path` every 2 ms until it answers 200, for at most 30 seconds; answers the time since `since`.
pub fn wait_until_ready(address: &str, path: &str, since: Instant) -> Result<Duration> {
    while since.elapsed() < Duration::from_secs(30) {
        if let Ok(answer) = request(address, "GET", path, &[], None) {
            if answer.status == 200 {
                return Ok(since.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    bail!("http://{address}{path} did not answer 200 within 30 s")
}

/// A port that was free a moment ago, on the loopback interface.
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
