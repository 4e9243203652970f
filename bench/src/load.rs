//! The load: wrk with a Lua script per scenario, pinned to its own core, and an optional `perf` profile of the
//! server while it runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};

/// What a scenario sends.
pub enum Method {
    Get,
    /// A PUT of `{"policyValue": ...}`, `Disabled` in even rounds and `Enabled` in odd ones.
    PutAlternating,
    /// A PATCH of several values at once (the body of `Set-MSCommerceProductPolicyBaseline`): `even` in even
    /// rounds and `odd` in odd ones.
    PatchAlternating {
        even: String,
        odd: String,
    },
}

impl Method {
    /// A baseline of every one of `products`: all `Disabled` in even rounds, all `Enabled` in odd ones, so that
    /// every PATCH after the first round changes every value it names.
    pub fn baseline(products: &[&str]) -> Method {
        let body = |value: &str| {
            let values: Vec<String> = products
                .iter()
                .map(|id| format!(r#"{{"productId":"{id}","policyValue":"{value}"}}"#))
                .collect();
            format!(r#"{{"values":[{}]}}"#, values.join(","))
        };
        Method::PatchAlternating {
            even: body("Disabled"),
            odd: body("Enabled"),
        }
    }
}

/// Writes a wrk script that rotates the bearer token over `tokens` (fastest) and the path over `paths`.
///
/// Request `i` goes with token `i mod T` to path `(i div T) mod P`; a round is `T * P` requests, in which every
/// (tenant, path) pair comes once. PUTs send `Disabled` in even rounds and `Enabled` in odd ones: every seeded value
/// is `Enabled`, so each PUT changes its pair's value. The script's first argument is the `i` to start from, so
/// that the measured run continues where its warm-up stopped instead of repeating its (now unchanged) pairs.
///
/// `done` prints one machine-readable line: `RESULT requests duration_us p50_us p99_us non_2xx socket_errors`.
pub fn script(path: &Path, tokens: &[String], paths: &[String], method: &Method) -> Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(file, "local auth = {{")?;
    for token in tokens {
        writeln!(file, "  \"Bearer {token}\",")?;
    }
    writeln!(file, "}}\nlocal paths = {{")?;
    for p in paths {
        // Paths are ours (catalog IDs, no quotes or backslashes).
        writeln!(file, "  \"{p}\",")?;
    }
    let put = matches!(method, Method::PutAlternating);
    // Lua long strings: the bodies are ours (JSON of catalog IDs, no "]]").
    let patch_bodies = match method {
        Method::PatchAlternating { even, odd } => format!("{{ [[{even}]], [[{odd}]] }}"),
        _ => "nil".to_string(),
    };
    writeln!(
        file,
        r#"}}
local put = {put}
local patch_bodies = {patch_bodies}
local tokens, routes = #auth, #paths
local i = 0
local host = ""

function init(args)
  i = tonumber(args[1] or "0") or 0
  host = "Host: " .. wrk.host .. ":" .. tostring(wrk.port) .. "\r\n"
end

-- One concatenation per request (cheaper for wrk than wrk.format): wrk's core is as busy as the bare server's.
function request()
  local t = i % tokens
  local p = math.floor(i / tokens) % routes
  local round = math.floor(i / (tokens * routes))
  i = i + 1
  if patch_bodies then
    local body = patch_bodies[round % 2 + 1]
    return "PATCH " .. paths[p + 1] .. " HTTP/1.1\r\n" .. host .. "Authorization: " .. auth[t + 1] ..
      "\r\nContent-Type: application/json\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
  end
  if put then
    local body = (round % 2 == 0) and '{{"policyValue":"Disabled"}}' or '{{"policyValue":"Enabled"}}'
    return "PUT " .. paths[p + 1] .. " HTTP/1.1\r\n" .. host .. "Authorization: " .. auth[t + 1] ..
      "\r\nContent-Type: application/json\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
  end
  return "GET " .. paths[p + 1] .. " HTTP/1.1\r\n" .. host .. "Authorization: " .. auth[t + 1] .. "\r\n\r\n"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end"#
    )?;
    file.flush()?;
    Ok(())
}

/// How to run wrk.
pub struct Load<'a> {
    pub core: &'a str,
    pub connections: u32,
}

/// What wrk measured.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub requests: u64,
    pub seconds: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// Answers other than 2xx and 3xx.
    pub non_2xx: u64,
    /// Connect, read and write errors and timeouts.
    pub socket_errors: u64,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

impl Load<'_> {
    /// Runs wrk for `seconds` (bounded: killed 30 s after it should have finished), one thread on the load core.
    pub fn run(&self, url: &str, script: &Path, start: u64, seconds: u64) -> Result<Measured> {
        let output = Command::new("timeout")
            .args(["--kill-after=5", &format!("{}", seconds + 30)])
            .args(["taskset", "-c", self.core, "wrk", "-t1", "--latency"])
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{seconds}s"))
            .arg("-s")
            .arg(script)
            .arg(url)
            .arg("--")
            .arg(start.to_string())
            .stdin(Stdio::null())
            .output()
            .context("running wrk (installed? bench/run.sh installs it)")?;
        let text = String::from_utf8_lossy(&output.stdout);
        let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
            bail!(
                "wrk printed no result ({}): {text}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let n: Vec<u64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("wrk's result: {line}"))?;
        let [requests, duration_us, p50_us, p99_us, non_2xx, socket_errors] = n[..] else {
            bail!("wrk's result: {line}");
        };
        Ok(Measured {
            requests,
            seconds: duration_us as f64 / 1e6,
            p50_us,
            p99_us,
            non_2xx,
            socket_errors,
        })
    }
}

/// `perf record` of one process (CPU clock samples: virtual machines rarely expose hardware counters), on the
/// load core, for `seconds`.
pub struct Profile {
    child: Child,
    pub data: PathBuf,
}

impl Profile {
    pub fn start(core: &str, pid: u32, seconds: u64, data: PathBuf) -> Result<Profile> {
        let child = Command::new("taskset")
            .args([
                "-c",
                core,
                "perf",
                "record",
                "-q",
                "-e",
                "cpu-clock",
                "-F",
                "999",
            ])
            .args(["--call-graph", "dwarf,16384", "-p", &pid.to_string(), "-o"])
            .arg(&data)
            .args(["--", "sleep", &seconds.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("running perf (apt-get install linux-perf)")?;
        Ok(Profile { child, data })
    }

    /// Waits for the recording to end; answers the hottest functions by time spent in themselves.
    pub fn finish(mut self, top: usize) -> Result<Vec<String>> {
        let status = self.child.wait()?;
        if !status.success() {
            bail!("perf record failed ({status})");
        }
        let report = Command::new("perf")
            .args([
                "report",
                "--stdio",
                "--no-children",
                "-g",
                "none",
                "--percent-limit",
                "0.5",
            ])
            .args(["--sort", "dso,symbol", "-i"])
            .arg(&self.data)
            .stderr(Stdio::null())
            .output()
            .context("running perf report")?;
        Ok(String::from_utf8_lossy(&report.stdout)
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('%'))
            .take(top)
            .map(|l| {
                // perf pads its columns to the widest symbol and ends with empty ones ("-").
                let words: Vec<&str> = l.split_whitespace().collect();
                let end = words.iter().rposition(|w| *w != "-").map_or(0, |i| i + 1);
                words[..end].join(" ")
            })
            .collect())
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
