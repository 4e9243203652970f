//! The benchmark of mscommerce (`bench/run.sh`, docs/PERFORMANCE.md).
//!
//! In one run: seeds a SQLite store of 10,000 tenants x every product and offer type; starts a bare axum server of
//! the same axum version (no auth, a fixed JSON body the size of one product policy item) and `mscommerce serve`,
//! each pinned to the server core; signs real tokens with the service's own key; drives each scenario with wrk from
//! the load core, the same connections, warm-up and duration for all; prints requests per second, p50 and p99
//! latency, the ratio to the bare server, the server's CPU time per request, its peak resident memory and its
//! time from start to ready. Timings are printed, never asserted: the machines are shared and noisy.
//!
//! Subcommands: `bare ADDRESS` runs only the bare server (the orchestrator starts it so); `seed DATABASE` creates
//! and fills a database file the same way, for profiling by hand.

mod load;
mod process;
mod seed;
mod tls;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use mscommerce_domain::Catalog;
use uuid::Uuid;

use load::{Load, Measured, Method, Profile};
use process::{free_port, request, wait_until_ready, Pinned};
use seed::{Tenant, POLICY_ID};

/// What the bare server answers: the size and shape of one product policy item.
const BARE_BODY: &str = r#"{"policyId":"AllowSelfServicePurchase","policyValue":"Enabled","productId":"CFQ7TTC0H9MP","productName":"Power BI Pro","scope":"product"}"#;

const USAGE: &str = "\
usage: mscommerce-bench              the whole benchmark (bench/run.sh runs it after building)
       mscommerce-bench bare ADDRESS [CERT KEY]
                                     the bare server on ADDRESS (host:port), over HTTPS with CERT and
                                     KEY (PEM files), until killed
       mscommerce-bench seed FILE    a new SQLite FILE, migrated and seeded like the benchmark's

settings, from the environment:
  TENANTS=10000      tenants in the store
  VALUES=...         stored values per tenant: every product and offer type (29) up to 100,000
                     tenants, 3 beyond
  DATABASE=sqlite    or postgres: a new database on POSTGRES_URL's server, seeded with COPY, dropped
                     after the run
  POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
  TOKENS=10000       the working set: distinct tokens (one tenant each) the load rotates over (at most
                     TENANTS); product-wide and cold use ten times as many
  CONNECTIONS=64     open connections of wrk (one thread)
  DURATION=10        measured seconds per scenario
  WARMUP=2           seconds of unmeasured load before each measurement
  SERVER_CORE=0      core of the servers (taskset list)
  LOAD_CORE=1        core of wrk (taskset list)
  SCENARIOS=...      only these, comma-separated: product, list, decision, put, baseline (a PATCH of
                     every product at once), product-wide, cold, product-https (bare always runs;
                     bare-https with product-https)
  PROFILE=1          record a perf profile of the server during each measured run, print its hottest
                     functions and keep the data (the figures of such a run are not comparable)
  KEEP=1             keep the working folder (database, logs, wrk scripts), for bench/callgrind.sh
";

struct RunArgs {
    tenants: usize,
    values: usize,
    database: String,
    postgres_url: String,
    tokens: usize,
    connections: u32,
    duration: u64,
    warmup: u64,
    server_core: String,
    load_core: String,
    scenarios: Option<Vec<String>>,
    profile: bool,
    keep: bool,
}

fn number(name: &str, default: u64) -> Result<u64> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .with_context(|| format!("{name}={v} is not a whole number")),
        _ => Ok(default),
    }
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false" | "no"))
}

impl RunArgs {
    fn from_env() -> Result<RunArgs> {
        let text =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        let tenants = number("TENANTS", 10_000)? as usize;
        if tenants == 0 {
            bail!("TENANTS must be at least 1");
        }
        let catalog = Catalog::embedded();
        let all_targets = catalog.products().len() + catalog.offer_types().len();
        Ok(RunArgs {
            tenants,
            values: number(
                "VALUES",
                if tenants <= 100_000 { all_targets } else { 3 } as u64,
            )? as usize,
            database: text("DATABASE", "sqlite"),
            postgres_url: text("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
            tokens: (number("TOKENS", 10_000)?.max(1) as usize).min(tenants),
            connections: number("CONNECTIONS", 64)? as u32,
            duration: number("DURATION", 10)?.max(1),
            warmup: number("WARMUP", 2)?,
            server_core: text("SERVER_CORE", "0"),
            load_core: text("LOAD_CORE", "1"),
            scenarios: std::env::var("SCENARIOS")
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| v.split(',').map(|k| k.trim().to_string()).collect()),
            profile: flag("PROFILE"),
            keep: flag("KEEP"),
        })
        .and_then(|args| {
            let known = [
                "bare",
                "product",
                "list",
                "decision",
                "put",
                "baseline",
                "product-wide",
                "cold",
                "product-https",
            ];
            if !matches!(args.database.as_str(), "sqlite" | "postgres") {
                bail!("DATABASE={}: sqlite or postgres", args.database);
            }
            if let Some(unknown) = args
                .scenarios
                .iter()
                .flatten()
                .find(|k| !known.contains(&k.as_str()))
            {
                bail!(
                    "SCENARIOS: no scenario '{unknown}'; scenarios: {}",
                    known[1..].join(", ")
                );
            }
            Ok(args)
        })
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let bare = match args[..] {
        ["bare", address] => Some((address, None)),
        ["bare", address, cert, key] => Some((address, Some((Path::new(cert), Path::new(key))))),
        _ => None,
    };
    if let Some((address, tls)) = bare {
        // The runtime of mscommerce (`#[tokio::main]`): multi-threaded, one worker per core it may use.
        return tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(bare_server(address, tls));
    }
    // The orchestrator mostly waits: one thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match args[..] {
        [] | ["run"] => runtime.block_on(run(&RunArgs::from_env()?)),
        ["seed", database] => runtime.block_on(async {
            let args = RunArgs::from_env()?;
            let mscommerce = sibling("mscommerce")?;
            let backend = seed::Backend::Sqlite(PathBuf::from(database));
            let url = seed::migrate(&mscommerce, &backend).await?;
            let started = Instant::now();
            let catalog = Catalog::embedded();
            seed::seed(
                &backend,
                &url,
                &seed::Plan::new(args.tenants, args.values, &catalog),
            )
            .await?;
            println!(
                "{url}: {} tenants seeded in {:.1} s",
                args.tenants,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }),
        _ => {
            eprint!("{USAGE}");
            std::process::exit(if matches!(args[..], ["-h"] | ["--help"]) {
                0
            } else {
                2
            });
        }
    }
}

/// The bare server: the product route of mscommerce (same path shape, so the router does the same matching), no
/// middleware, no authentication, a fixed body; over TLS (rustls with ring, as mscommerce) when given a
/// certificate and key.
async fn bare_server(address: &str, tls: Option<(&Path, &Path)>) -> Result<()> {
    use axum::http::header::CONTENT_TYPE;
    let app = axum::Router::new().route(
        "/v1.0/policies/{policyId}/products/{productId}",
        axum::routing::get(|| async { ([(CONTENT_TYPE, "application/json")], BARE_BODY) }),
    );
    let tcp = tokio::net::TcpListener::bind(address).await?;
    match tls {
        None => axum::serve(tcp, app).await?,
        Some((cert, key)) => {
            let acceptor = tls::acceptor(cert, key)?;
            axum::serve(tls::TlsListener { tcp, acceptor }, app).await?
        }
    }
    Ok(())
}

/// Polls `GET path` over TLS every 10 ms until it answers 200, for at most 30 seconds.
fn wait_until_ready_over_tls(address: &str, path: &str, ca: &Path) -> Result<()> {
    let since = Instant::now();
    while since.elapsed() < Duration::from_secs(30) {
        if tls::probe(address, path, ca).is_ok_and(|status| status == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!("https://{address}{path} did not answer 200 within 30 s")
}

/// A binary of the same build as this one.
fn sibling(name: &str) -> Result<PathBuf> {
    let path = std::env::current_exe()?
        .parent()
        .context("the folder of this program")?
        .join(name);
    if !path.exists() {
        bail!(
            "{} is missing: build it first (bench/run.sh does)",
            path.display()
        );
    }
    Ok(path)
}

/// The HTTPS pair of servers.
struct Https {
    bare: Pinned,
    bare_address: String,
    server: Pinned,
    address: String,
}

/// The working folder, removed when dropped unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            println!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

struct Scenario {
    key: &'static str,
    name: &'static str,
    paths: Vec<String>,
    method: Method,
    /// Whether the load rotates over the wide set of tokens rather than the working set.
    wide: bool,
}

/// The tokens of the wide set: ten times the working set, at most every tenant.
fn wide_count(args: &RunArgs) -> usize {
    (args.tokens * 10).min(args.tenants)
}

/// Drops the PostgreSQL database of the run when the run ends, however it ends.
struct DropDatabase(seed::Backend);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        if let seed::Backend::Sqlite(_) = self.0 {
            return; // the file goes with the working folder
        }
        let backend = self.0.clone();
        // The orchestrator's runtime may be ending: a runtime of its own for this one statement.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(backend.remove()))
        })
        .join();
    }
}

/// One row of the table.
struct Row {
    name: &'static str,
    measured: Measured,
    /// Server CPU time per answered request, in microseconds.
    cpu_us: f64,
    /// Server CPU time over wall time: 1.0 is the whole server core.
    busy: f64,
    /// wrk's CPU time over wall time: near 1.0, the load generator limited the rate.
    load_busy: f64,
    /// The server's context switches per answered request.
    switches: f64,
    /// The server's resident memory after the scenario.
    resident_kib: u64,
}

/// A one-line description of the machine and how busy it was.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(String::new(), |kib| {
            format!(", {:.0} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    format!("{cores} cores ({cpu}){memory}")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

async fn run(args: &RunArgs) -> Result<()> {
    let mscommerce = sibling("mscommerce")?;
    let bench = std::env::current_exe()?;
    let mut work = WorkDir {
        path: bench
            .parent()
            .context("the folder of this program")?
            .join("bench-work")
            .join(Uuid::new_v4().simple().to_string()),
        keep: args.keep || args.profile,
    };
    std::fs::create_dir_all(&work.path)?;
    let wanted = |key: &str| {
        let key = if key == "bare-https" {
            "product-https"
        } else {
            key
        };
        key == "bare"
            || args
                .scenarios
                .as_ref()
                .is_none_or(|keys| keys.iter().any(|k| k.trim() == key))
    };
    let catalog = Catalog::embedded();
    let ticks = process::clock_ticks_per_second() as f64;

    println!(
        "mscommerce benchmark, {} (commit {})",
        command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        command_output("git", &["describe", "--always", "--dirty", "--abbrev=7"]),
    );
    println!(
        "machine: {}; load average {} at start",
        machine(),
        load_average()
    );
    println!(
        "{} tenants on {}, {} stored values each (of {} products + {} offer types); working set {} tenants ({} for \
         product-wide and cold); wrk: {} connections, 1 thread, {} s warm-up + {} s per scenario; servers on core \
         {}, wrk on core {}",
        args.tenants,
        args.database,
        args.values,
        catalog.products().len(),
        catalog.offer_types().len(),
        args.tokens,
        wide_count(args),
        args.connections,
        args.warmup,
        args.duration,
        args.server_core,
        args.load_core
    );

    // The store.
    let backend = match args.database.as_str() {
        "postgres" => seed::Backend::Postgres {
            admin_url: args.postgres_url.clone(),
            database: format!("mscommerce_bench_{}", Uuid::new_v4().simple()),
        },
        _ => seed::Backend::Sqlite(work.path.join("bench.db")),
    };
    let dropped = DropDatabase(backend.clone());
    let url = seed::migrate(&mscommerce, &backend).await?;
    // The key-encryption key, given to the servers, so that the benchmark can open their signing key (on either
    // backend) to sign its tokens.
    let kek_file = work.path.join("signing-key-encryption.key");
    std::fs::write(&kek_file, mscommerce_auth::KeyEncryptionKey::generate()?.1)?;
    let seeding = Instant::now();
    let plan = seed::Plan::new(args.tenants, args.values, &catalog);
    seed::seed(&backend, &url, &plan).await?;
    let people = &plan.people;
    println!(
        "seeded {} tenants, as many users and {} policy values on {} in {:.1} s",
        people.len(),
        plan.value_count(),
        backend.name(),
        seeding.elapsed().as_secs_f64()
    );

    // The servers, each alone on the server core while it is measured.
    let bare_address = format!("127.0.0.1:{}", free_port()?);
    let mut bare = Pinned::start(
        &args.server_core,
        &bench,
        &["bare", &bare_address],
        &[],
        &work.path.join("bare.log"),
    )?;
    wait_until_ready(
        &bare_address,
        &format!("/v1.0/policies/{POLICY_ID}/products/CFQ7TTC0H9MP"),
        Instant::now(),
    )?;

    let address = format!("127.0.0.1:{}", free_port()?);
    let env = [
        ("MSCOMMERCE_DATABASE_URL", url.clone()),
        ("MSCOMMERCE_LISTEN", address.clone()),
        ("MSCOMMERCE_LOG_LEVEL", "warn".to_string()),
        // Not used (the store is not empty, so nothing is bootstrapped), but never printed if it were.
        (
            "MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD",
            format!("Bench-{}", Uuid::new_v4().simple()),
        ),
        (
            "MSCOMMERCE_MAIL_FOLDER",
            work.path.join("mail").display().to_string(),
        ),
        (
            "MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY_FILE",
            kek_file.display().to_string(),
        ),
    ];
    // For profiling by hand on a kept folder (bench/callgrind.sh): how this server was started.
    let described: String = env
        .iter()
        .filter(|(k, _)| !k.contains("PASSWORD"))
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();
    std::fs::write(work.path.join("server.env"), described)?;
    let started = Instant::now();
    let mut server = Pinned::start(
        &args.server_core,
        &mscommerce,
        &["serve"],
        &env,
        &work.path.join("server.log"),
    )?;
    let ready = wait_until_ready(&address, "/readyz", started)?;
    let memory_when_ready = server.memory_kib("VmRSS")?;

    // The same over HTTPS, when measured: a bare server and mscommerce each with a certificate of a test
    // authority (wrk does not check it; the probes here do).
    let https = if wanted("product-https") {
        let plain_public_url = format!("http://{address}");
        let certificates =
            mscommerce_testing::tls::TestCertificates::generate(&work.path.join("tls"), "bench");
        let cert = certificates.server_cert.display().to_string();
        let key = certificates.server_key.display().to_string();
        let bare_address = format!("127.0.0.1:{}", free_port()?);
        let bare = Pinned::start(
            &args.server_core,
            &bench,
            &["bare", &bare_address, &cert, &key],
            &[],
            &work.path.join("bare-https.log"),
        )?;
        let bare_path = format!("/v1.0/policies/{POLICY_ID}/products/CFQ7TTC0H9MP");
        wait_until_ready_over_tls(&bare_address, &bare_path, &certificates.ca_cert)?;
        let address = format!("127.0.0.1:{}", free_port()?);
        let mut tls_env = env.to_vec();
        tls_env.retain(|(k, _)| *k != "MSCOMMERCE_LISTEN");
        tls_env.extend([
            ("MSCOMMERCE_LISTEN", address.clone()),
            ("MSCOMMERCE_TLS_CERT_PATH", cert),
            ("MSCOMMERCE_TLS_KEY_PATH", key),
            ("MSCOMMERCE_PUBLIC_URL", plain_public_url),
        ]);
        let server = Pinned::start(
            &args.server_core,
            &mscommerce,
            &["serve"],
            &tls_env,
            &work.path.join("server-https.log"),
        )?;
        wait_until_ready_over_tls(&address, "/readyz", &certificates.ca_cert)?;
        Some(Https {
            bare,
            bare_address,
            server,
            address,
        })
    } else {
        None
    };

    // The working set, and ten times as many for the scenarios whose tenants do not all fit in the caches.
    let signing = Instant::now();
    let wide = if wanted("product-wide") || wanted("cold") {
        wide_count(args)
    } else {
        args.tokens
    };
    let signed_for: &[Tenant] = &people[..wide.min(people.len())];
    let all_tokens = seed::tokens(
        &backend,
        &url,
        &kek_file,
        &format!("http://{address}"),
        signed_for,
    )
    .await?;
    let tokens = &all_tokens[..args.tokens.min(all_tokens.len())];
    println!(
        "signed {} tokens in {:.1} s",
        all_tokens.len(),
        signing.elapsed().as_secs_f64()
    );

    let product_paths: Vec<String> = catalog
        .products()
        .iter()
        .map(|p| format!("/v1.0/policies/{POLICY_ID}/products/{}", p.id))
        .collect();
    let scenarios = [
        Scenario {
            key: "bare",
            name: "bare axum (no auth, fixed JSON)",
            paths: product_paths.clone(),
            method: Method::Get,
            wide: false,
        },
        Scenario {
            key: "product",
            name: "GET one product",
            paths: product_paths.clone(),
            method: Method::Get,
            wide: false,
        },
        Scenario {
            key: "list",
            name: "GET all products (25)",
            paths: vec![format!("/v1.0/policies/{POLICY_ID}/products")],
            method: Method::Get,
            wide: false,
        },
        // The decision endpoint (issue: "may this user acquire this product?"). Skipped, with a note, while the
        // service answers its path with 404 RouteNotFound; measured as soon as the route exists.
        Scenario {
            key: "decision",
            name: "GET acquisition decision",
            paths: catalog
                .products()
                .iter()
                .map(|p| {
                    format!(
                        "/v1.0/acquisitionDecisions?productId={}&kind=Purchase",
                        p.id
                    )
                })
                .collect(),
            method: Method::Get,
            wide: false,
        },
        Scenario {
            key: "put",
            name: "PUT one product (durable)",
            paths: product_paths.clone(),
            method: Method::PutAlternating,
            wide: false,
        },
        // A working set ten times larger: most tenants, tokens and users are no longer held when asked for again
        // (with the default bounds), so this is the cost of the caches' misses, each a database read.
        Scenario {
            key: "product-wide",
            name: "GET one product, 10x working set",
            paths: product_paths.clone(),
            method: Method::Get,
            wide: true,
        },
        baseline_scenario(&catalog),
        // Over HTTPS (TLS 1.3, HTTP/1.1: wrk offers no ALPN), against a bare server over HTTPS: what TLS costs
        // both, and what mscommerce costs beyond it. The issuer of the plain server's tokens is accepted by the
        // HTTPS one: both are configured with the same public URL (the plain one's).
        Scenario {
            key: "bare-https",
            name: "HTTPS bare axum",
            paths: product_paths.clone(),
            method: Method::Get,
            wide: false,
        },
        Scenario {
            key: "product-https",
            name: "HTTPS GET one product",
            paths: product_paths.clone(),
            method: Method::Get,
            wide: false,
        },
    ];

    let load = Load {
        core: &args.load_core,
        connections: args.connections,
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut profiles: Vec<(&'static str, Vec<String>, PathBuf)> = Vec::new();
    let mut puts_answered = 0;
    // The baseline's values written during its measured run, and that run.
    let mut baseline_values: Option<(u64, load::Measured)> = None;
    let mut failed = false;
    let mut https = https;
    for scenario in scenarios.iter().filter(|s| wanted(s.key)) {
        let (target, base) = match (scenario.key, https.as_mut()) {
            ("bare", _) => (&mut bare, format!("http://{bare_address}")),
            ("bare-https", Some(h)) => (&mut h.bare, format!("https://{}", h.bare_address)),
            ("product-https", Some(h)) => (&mut h.server, format!("https://{}", h.address)),
            _ => (&mut server, format!("http://{address}")),
        };
        let tokens: &[String] = if scenario.wide { &all_tokens } else { tokens };
        // One request first: a scenario whose route is missing, or that is refused, says so plainly. (Over
        // HTTPS the plain server's probe of the same route stands for it.)
        let auth = format!("Bearer {}", tokens[0]);
        let probe = if base.starts_with("https://") {
            process::Answer {
                status: 200,
                body: String::new(),
            }
        } else {
            request(
                base.trim_start_matches("http://"),
                "GET",
                &scenario.paths[0],
                &[("Authorization", &auth)],
                None,
            )?
        };
        if probe.status == 404 && probe.body.contains("RouteNotFound") {
            notes.push(format!(
                "{}: skipped, {} answers 404 RouteNotFound (the route does not exist yet)",
                scenario.name, scenario.paths[0]
            ));
            continue;
        }
        if probe.status != 200 {
            bail!(
                "{}: GET {} answered {}: {}",
                scenario.name,
                scenario.paths[0],
                probe.status,
                probe.body
            );
        }
        let script = work.path.join(format!("{}.lua", scenario.key));
        load::script(&script, tokens, &scenario.paths, &scenario.method)?;
        // Warm up for `WARMUP` seconds, and longer (in more rounds, at most ten) until the rotation has gone through
        // every token once: every token verified and every tenant loaded, as in a service that has run a while.
        // Each round, and then the measured run, continues after every request the one before may have sent
        // (answered or in flight when it stopped).
        let mut warm: Option<load::Measured> = None;
        let mut start = 0;
        for _ in 0..if args.warmup > 0 { 10 } else { 0 } {
            let round = load.run(&base, &script, start, args.warmup)?;
            start += round.requests + u64::from(args.connections);
            warm = Some(match warm {
                None => round,
                Some(before) => load::Measured {
                    requests: before.requests + round.requests,
                    non_2xx: before.non_2xx + round.non_2xx,
                    ..round
                },
            });
            if start >= tokens.len() as u64 {
                break;
            }
        }
        let profile = if args.profile {
            Some(Profile::start(
                &args.load_core,
                target.id(),
                args.duration,
                work.path.join(format!("perf-{}.data", scenario.key)),
            )?)
        } else {
            None
        };
        let audited_before = audited_if_baseline(scenario, &backend, &url).await?;
        let cpu_before = target.cpu_ticks()?;
        let switches_before = target.context_switches()?;
        let load_before = process::children_cpu_ticks()?;
        let wall = Instant::now();
        let measured = load.run(&base, &script, start, args.duration)?;
        let cpu = (target.cpu_ticks()? - cpu_before) as f64 / ticks;
        let load_cpu = (process::children_cpu_ticks()? - load_before) as f64 / ticks;
        let switches = target.context_switches()?.saturating_sub(switches_before);
        let wall = wall.elapsed().as_secs_f64();
        target.check_running(scenario.name)?;
        if let Some(before) = audited_before {
            baseline_values = Some((
                seed::policy_changes(&backend, &url)
                    .await?
                    .saturating_sub(before),
                measured,
            ));
        }
        if let Some(profile) = profile {
            let data = profile.data.clone();
            profiles.push((scenario.name, profile.finish(25)?, data));
        }
        if matches!(scenario.method, Method::PutAlternating) {
            puts_answered +=
                warm.map_or(0, |w| w.requests - w.non_2xx) + measured.requests - measured.non_2xx;
        }
        if measured.socket_errors > 0 {
            notes.push(format!(
                "{}: {} socket errors or timeouts",
                scenario.name, measured.socket_errors
            ));
        }
        if measured.non_2xx + warm.map_or(0, |w| w.non_2xx) > 0 {
            failed = true;
            // What such an answer says: one more request of the scenario (the last token, the last path).
            let auth = format!("Bearer {}", tokens[tokens.len() - 1]);
            let path = &scenario.paths[scenario.paths.len() - 1];
            let answer = match scenario.method {
                Method::Get => request(
                    base.trim_start_matches("http://"),
                    "GET",
                    path,
                    &[("Authorization", &auth)],
                    None,
                ),
                Method::PutAlternating => request(
                    base.trim_start_matches("http://"),
                    "PUT",
                    path,
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    Some(r#"{"policyValue":"Disabled"}"#),
                ),
                Method::PatchAlternating { ref even, .. } => request(
                    base.trim_start_matches("http://"),
                    "PATCH",
                    path,
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    Some(even),
                ),
            };
            notes.push(format!(
                "{}: {} answers were not 2xx ({} in the warm-up); one more request now answers {}",
                scenario.name,
                measured.non_2xx,
                warm.map_or(0, |w| w.non_2xx),
                answer.map_or_else(
                    |e| format!("nothing ({e})"),
                    |a| format!("{}: {}", a.status, a.body.trim())
                )
            ));
        }
        rows.push(Row {
            name: scenario.name,
            measured,
            cpu_us: cpu * 1e6 / measured.requests.max(1) as f64,
            busy: cpu / wall,
            load_busy: load_cpu / wall,
            switches: switches as f64 / measured.requests.max(1) as f64,
            resident_kib: target.memory_kib("VmRSS")?,
        });
    }
    // Cold start: a new process on the same store, whose every request is the first read of its tenant (the wide
    // set, not one token repeated), from the moment it is ready; no warm-up.
    let mut cold_figures = None;
    if wanted("cold") {
        let cold_address = format!("127.0.0.1:{}", free_port()?);
        let mut cold_env = env.to_vec();
        cold_env.retain(|(k, _)| *k != "MSCOMMERCE_LISTEN");
        cold_env.extend([
            ("MSCOMMERCE_LISTEN", cold_address.clone()),
            ("MSCOMMERCE_PUBLIC_URL", format!("http://{address}")),
        ]);
        let started = Instant::now();
        let mut cold = Pinned::start(
            &args.server_core,
            &mscommerce,
            &["serve"],
            &cold_env,
            &work.path.join("server-cold.log"),
        )?;
        let cold_ready = wait_until_ready(&cold_address, "/readyz", started)?;
        let script = work.path.join("cold.lua");
        load::script(&script, &all_tokens, &product_paths, &Method::Get)?;
        let cpu_before = cold.cpu_ticks()?;
        let switches_before = cold.context_switches()?;
        let load_before = process::children_cpu_ticks()?;
        let wall = Instant::now();
        let measured = load.run(&format!("http://{cold_address}"), &script, 0, args.duration)?;
        let cpu = (cold.cpu_ticks()? - cpu_before) as f64 / ticks;
        let load_cpu = (process::children_cpu_ticks()? - load_before) as f64 / ticks;
        let switches = cold.context_switches()?.saturating_sub(switches_before);
        let wall = wall.elapsed().as_secs_f64();
        cold.check_running("cold start")?;
        if measured.non_2xx > 0 {
            failed = true;
            notes.push(format!(
                "cold start: {} answers were not 2xx",
                measured.non_2xx
            ));
        }
        let misses = request(&cold_address, "GET", "/metrics", &[], None)
            .map(|m| cache_figure(&m.body, "mscommerce_cache_misses_total", "policies"))
            .unwrap_or(f64::NAN);
        cold_figures = Some((cold_ready, misses, measured.requests));
        rows.push(Row {
            name: "GET one product, cold start",
            measured,
            cpu_us: cpu * 1e6 / measured.requests.max(1) as f64,
            busy: cpu / wall,
            load_busy: load_cpu / wall,
            switches: switches as f64 / measured.requests.max(1) as f64,
            resident_kib: cold.memory_kib("VmRSS")?,
        });
    }
    for r in rows
        .iter()
        .filter(|r| !r.name.starts_with("PUT") && !r.name.starts_with("PATCH"))
    {
        if r.busy < 0.8 && r.load_busy < 0.8 {
            notes.push(format!(
                "{}: neither the server ({:.0}%) nor wrk ({:.0}%) used its core fully: other work shared the cores; \
                 rerun on a quiet machine",
                r.name,
                100.0 * r.busy,
                100.0 * r.load_busy
            ));
        }
    }
    if let Some(bare) = rows.first().filter(|r| r.load_busy >= 0.9) {
        notes.push(format!(
            "wrk used {:.0}% of its core against the bare server, which used {:.0}% of its own: the bare rate is \
             partly limited by the load generator, so the req/s ratios flatter mscommerce; the CPU/req ratios \
             compare the servers alone",
            100.0 * bare.load_busy,
            100.0 * bare.busy
        ));
    }
    let peak = server.memory_kib("VmHWM")?;
    let resident = server.memory_kib("VmRSS")?;
    let metrics = request(&address, "GET", "/metrics", &[], None)
        .map(|m| m.body)
        .unwrap_or_default();
    let gauges = ["policies", "tokens", "users"]
        .iter()
        .map(|cache| {
            format!(
                "{cache}: {} held (bound {}), {} hits, {} misses, {} evictions",
                cache_figure(&metrics, "mscommerce_cache_entries", cache),
                cache_figure(&metrics, "mscommerce_cache_capacity", cache),
                cache_figure(&metrics, "mscommerce_cache_hits_total", cache),
                cache_figure(&metrics, "mscommerce_cache_misses_total", cache),
                cache_figure(&metrics, "mscommerce_cache_evictions_total", cache),
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let changes = if wanted("put") {
        Some(seed::policy_changes(&backend, &url).await?)
    } else {
        None
    };
    drop(server);
    drop(bare);
    drop(https);
    drop(dropped);

    println!();
    println!(
        "{:<32} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>7}",
        "scenario",
        "req/s",
        "p50",
        "p99",
        "vs bare",
        "CPU/req",
        "CPU/req",
        "server",
        "wrk",
        "cs/req",
        "RSS"
    );
    println!(
        "{:<32} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>7}",
        "", "", "", "", "(req/s)", "", "vs bare", "busy", "busy", "", "after"
    );
    let bare_rate = rows.first().map_or(f64::NAN, |r| r.measured.per_second());
    let bare_cpu = rows.first().map_or(f64::NAN, |r| r.cpu_us);
    for r in &rows {
        println!(
            "{:<32} {:>8.0} {:>6.2}ms {:>6.2}ms {:>7.0}% {:>6.1}us {:>7.0}% {:>5.0}% {:>5.0}% {:>6.2} {:>5.1}MB",
            r.name,
            r.measured.per_second(),
            r.measured.p50_us as f64 / 1e3,
            r.measured.p99_us as f64 / 1e3,
            100.0 * r.measured.per_second() / bare_rate,
            r.cpu_us,
            100.0 * bare_cpu / r.cpu_us,
            100.0 * r.busy,
            100.0 * r.load_busy,
            r.switches,
            r.resident_kib as f64 / 1024.0,
        );
    }
    println!(
        "CPU/req: the server's CPU time (user and system) per answered request; CPU/req vs bare: the bare \
         server's over this one's (the share of the bare server's capacity); busy: CPU time over wall time of the \
         server and of wrk, each on its own core (near 100%: that side limited the rate); cs/req: the server's \
         context switches per request; RSS after: the server's resident memory after the scenario."
    );
    println!();
    println!(
        "mscommerce: ready {:.0} ms after start with {} tenants; resident {:.1} MB when ready, {:.1} MB at the end, \
         peak {:.1} MB",
        ready.as_secs_f64() * 1e3,
        args.tenants,
        memory_when_ready as f64 / 1024.0,
        resident as f64 / 1024.0,
        peak as f64 / 1024.0,
    );
    println!("caches at the end: {gauges}");
    if let Some((cold_ready, misses, requests)) = cold_figures {
        println!(
            "cold start: ready {:.0} ms after start; {requests} requests, {misses} tenants loaded from the database \
             ({:.0}% of the requests were first reads)",
            cold_ready.as_secs_f64() * 1e3,
            100.0 * misses / requests.max(1) as f64
        );
    }
    if let Some(changes) = changes {
        println!(
            "PUT: {puts_answered} answered 200 (warm-up included), {changes} audited changes: {}",
            if changes >= puts_answered {
                "every PUT changed a value".to_string()
            } else {
                format!("{} PUTs changed nothing", puts_answered - changes)
            }
        );
    }
    if let Some((values, measured)) = baseline_values {
        println!("{}", baseline_summary(values, &measured));
    }
    println!("load average {} at the end", load_average());
    for note in &notes {
        println!("note: {note}");
    }

    println!();
    println!("targets:");
    println!("  reads >= 80% of the bare server's capacity by CPU per request, p99 <= 3 ms at {} connections:", args.connections);
    for r in rows.iter().filter(|r| r.name.starts_with("GET")) {
        let share = bare_cpu / r.cpu_us;
        let p99 = r.measured.p99_us as f64 / 1e3;
        println!(
            "    {:<34} {:>5.1}% of bare by CPU/req ({:.1}% by req/s), p99 {:.2} ms: {}",
            r.name,
            100.0 * share,
            100.0 * r.measured.per_second() / bare_rate,
            p99,
            met(share >= 0.8 && p99 <= 3.0)
        );
    }
    let row = |name: &str| rows.iter().find(|r| r.name == name);
    if let (Some(bare), Some(read)) = (row("HTTPS bare axum"), row("HTTPS GET one product")) {
        let share = bare.cpu_us / read.cpu_us;
        let p99 = read.measured.p99_us as f64 / 1e3;
        println!(
            "    over HTTPS, against the bare server over HTTPS: {:.1}% by CPU/req, p99 {p99:.2} ms: {}",
            100.0 * share,
            met(share >= 0.8 && p99 <= 3.0)
        );
    }
    if let Some(put) = rows.iter().find(|r| r.name.starts_with("PUT")) {
        let rate = put.measured.per_second();
        println!(
            "  >= 20,000 durable PUTs/s with {} writers: {rate:.0}/s: {}",
            args.connections,
            met(rate >= 20_000.0)
        );
    }
    println!(
        "  <= 64 MB resident with {} tenants and the default cache bounds: peak {:.1} MB: {}",
        args.tenants,
        peak as f64 / 1024.0,
        met(peak <= 64 * 1024)
    );
    println!(
        "  ready within 1 s with {} tenants: {:.0} ms: {}",
        args.tenants,
        ready.as_secs_f64() * 1e3,
        met(ready <= Duration::from_secs(1))
    );

    for (name, top, data) in &profiles {
        println!();
        println!(
            "profile of the server, {name} (self time; {}):",
            data.display()
        );
        for line in top {
            println!("  {line}");
        }
    }
    if failed {
        let log = std::fs::read_to_string(work.path.join("server.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(10).collect();
        println!();
        println!("the last lines of mscommerce's log:");
        for line in tail.iter().rev() {
            println!("  {line}");
        }
        work.keep = true;
        bail!("some answers were not 2xx: the figures above are not valid");
    }
    Ok(())
}

/// One cache's figure from the text of `/metrics` (`name{cache="..."} value`); NaN when missing.
fn cache_figure(metrics: &str, name: &str, cache: &str) -> f64 {
    let prefix = format!("{name}{{cache=\"{cache}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

/// The multi-value write of `Set-MSCommerceProductPolicyBaseline`: every product of the catalog in one PATCH.
fn baseline_scenario(catalog: &Catalog) -> Scenario {
    let products: Vec<&str> = catalog.products().iter().map(|p| p.id.as_str()).collect();
    Scenario {
        key: "baseline",
        name: "PATCH baseline (every product)",
        paths: vec![format!("/v1.0/policies/{POLICY_ID}/products")],
        method: Method::baseline(&products),
        wide: false,
    }
}

/// The audit events written so far, before the baseline's measured run (`None` for other scenarios): each
/// changed value is one, so the difference after the run is the number of values it wrote.
async fn audited_if_baseline(
    scenario: &Scenario,
    backend: &seed::Backend,
    url: &str,
) -> Result<Option<u64>> {
    if scenario.key == "baseline" {
        Ok(Some(seed::policy_changes(backend, url).await?))
    } else {
        Ok(None)
    }
}

fn baseline_summary(values: u64, measured: &load::Measured) -> String {
    format!(
        "PATCH baseline: {values} values written in the measured run, {:.0} values/s, {:.1} per PATCH",
        values as f64 / measured.seconds,
        values as f64 / measured.requests.max(1) as f64
    )
}

fn met(yes: bool) -> &'static str {
    if yes {
        "met"
    } else {
        "NOT met"
    }
}
