//! The benchmark of mscommerce (`bench/run.sh`): in one run, a bare axum server of the same version (no auth, a
//! fixed small JSON body) and `mscommerce serve` on a store of 10,000 tenants x every product and offer type, each
//! on core 0, driven by wrk from core 1 with the same connections and duration. Prints requests per second, p50 and
//! p99 latency and the ratio to the bare server for each scenario, the server's peak resident memory, and its
//! time from start to ready. Timings are printed, never asserted: machines are shared and noisy.
//!
//! `mscommerce-bench bare ADDRESS` runs only the bare server (the orchestrator starts it that way).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mscommerce_domain::Catalog;
use sqlx::{QueryBuilder, Row, SqlitePool};
use uuid::Uuid;

/// What the bare server answers: the size and shape of one product policy.
const BARE_BODY: &str = r#"{"policyId":"AllowSelfServicePurchase","policyValue":"Enabled","productId":"CFQ7TTC0H9MP","productName":"Power BI Pro","scope":"product"}"#;
const AUDIENCE: &str = "aeb86249-8ea3-49e2-900b-54cc8e308f85";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const POLICY: &str = "/v1.0/policies/AllowSelfServicePurchase";

#[derive(Clone, Copy)]
struct Settings {
    tenants: usize,
    connections: u32,
    duration_s: u64,
}

fn setting(name: &str, default: u64) -> Result<u64> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{name}={v} is not a whole number")),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bare") {
        return bare_server(args.get(2).context("bare ADDRESS")?).await;
    }
    let settings = Settings {
        tenants: setting("TENANTS", 10_000)? as usize,
        connections: setting("CONNECTIONS", 64)? as u32,
        duration_s: setting("DURATION", 10)?,
    };
    run(&settings).await
}

async fn bare_server(address: &str) -> Result<()> {
    use axum::http::header::CONTENT_TYPE;
    let app = axum::Router::new().route(
        "/v1.0/policies/AllowSelfServicePurchase/products/CFQ7TTC0H9MP",
        axum::routing::get(|| async { ([(CONTENT_TYPE, "application/json")], BARE_BODY) }),
    );
    let listener = tokio::net::TcpListener::bind(address).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A process pinned to core 0, killed when dropped.
struct Pinned(Child);

impl Pinned {
    fn start(program: &Path, args: &[&str], env: &[(&str, String)], log: &Path) -> Result<Pinned> {
        let mut command = Command::new("taskset");
        command.arg("-c").arg("0").arg(program).args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let log = std::fs::File::create(log)?;
        command.stdout(Stdio::null()).stderr(Stdio::from(log));
        Ok(Pinned(command.spawn().with_context(|| {
            format!("starting {}", program.display())
        })?))
    }

    fn peak_memory_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmHWM")
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for a 200 from `url` (plain HTTP GET over a socket: no client library needed); answers the time taken.
fn wait_until_ready(address: &str, path: &str, since: Instant) -> Result<Duration> {
    use std::io::Read;
    while since.elapsed() < Duration::from_secs(30) {
        if let Ok(mut socket) = std::net::TcpStream::connect(address) {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            if socket.write_all(request.as_bytes()).is_ok()
                && socket.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(since.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    bail!("{address}{path} did not answer 200 within 30 s")
}

/// Fills a fresh database: every tenant with a stored value for every product and offer type, and one Global
/// Administrator member each (the decision endpoint needs the caller's account).
async fn seed(url: &str, tenants: usize, catalog: &Catalog) -> Result<Vec<(Uuid, Uuid)>> {
    let pool = SqlitePool::connect(url).await?;
    let mut tx = pool.begin().await?;
    let people: Vec<(Uuid, Uuid)> = (0..tenants)
        .map(|_| (Uuid::new_v4(), Uuid::new_v4()))
        .collect();
    let at = "2026-01-01T00:00:00.000Z";
    let targets: Vec<(&str, &str)> = catalog
        .products()
        .iter()
        .map(|p| ("product", p.id.as_str()))
        .chain(
            catalog
                .offer_types()
                .iter()
                .map(|o| ("OfferType", o.id.as_str())),
        )
        .collect();
    for chunk in people.chunks(500) {
        let mut query =
            QueryBuilder::new("INSERT INTO tenants (id, name, policy_revision, created_at) ");
        query.push_values(chunk, |mut row, (tenant, _)| {
            row.push_bind(tenant.to_string())
                .push_bind("Bench")
                .push_bind(1_i64)
                .push_bind(at);
        });
        query.build().execute(&mut *tx).await?;
        let mut query = QueryBuilder::new(
            "INSERT INTO users (id, tenant_id, upn, display_name, user_type, roles, created_at) ",
        );
        query.push_values(chunk, |mut row, (tenant, user)| {
            row.push_bind(user.to_string())
                .push_bind(tenant.to_string())
                .push_bind(format!("admin@{}.bench.test", tenant.simple()))
                .push_bind("Admin")
                .push_bind("Member")
                .push_bind(GLOBAL_ADMINISTRATOR)
                .push_bind(at);
        });
        query.build().execute(&mut *tx).await?;
    }
    let rows: Vec<(String, &str, &str)> = people
        .iter()
        .flat_map(|(tenant, _)| {
            targets
                .iter()
                .map(move |(scope, id)| (tenant.to_string(), *scope, *id))
        })
        .collect();
    for chunk in rows.chunks(2000) {
        let mut query = QueryBuilder::new(
            "INSERT INTO policy_values (tenant_id, policy_id, scope, target_id, value, revision, updated_at) ",
        );
        query.push_values(chunk, |mut row, (tenant, scope, id)| {
            row.push_bind(tenant.as_str())
                .push_bind("AllowSelfServicePurchase")
                .push_bind(*scope)
                .push_bind(*id)
                .push_bind("Enabled")
                .push_bind(1_i64)
                .push_bind(at);
        });
        query.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(people)
}

/// Real tokens, signed with the key the server created, one per tenant's administrator.
async fn tokens(url: &str, issuer: &str, people: &[(Uuid, Uuid)]) -> Result<Vec<String>> {
    let pool = SqlitePool::connect(url).await?;
    let row =
        sqlx::query("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .context("the server has created no signing key")?;
    let kid: String = row.get("kid");
    let key = EncodingKey::from_ed_der(&STANDARD.decode(row.get::<String, _>("private_key"))?);
    pool.close().await;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid);
    people
        .iter()
        .map(|(tenant, user)| {
            let claims = serde_json::json!({
                "iss": issuer, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 3600,
                "tid": tenant.to_string(), "oid": user.to_string(), "sub": user.to_string(), "ver": "2.0",
                "uti": Uuid::new_v4().simple().to_string(), "idtyp": "user",
                "upn": format!("admin@{}.bench.test", tenant.simple()), "name": "Admin",
                "wids": [GLOBAL_ADMINISTRATOR],
            });
            jsonwebtoken::encode(&header, &claims, &key).context("signing")
        })
        .collect()
}

/// A wrk script: rotates tokens and paths; PUTs alternate Disabled and Enabled per (tenant, product) round, so
/// that every PUT is a real change.
fn script(
    dir: &Path,
    name: &str,
    tokens: &[String],
    paths: &[String],
    put: bool,
) -> Result<PathBuf> {
    let path = dir.join(format!("{name}.lua"));
    let mut file = std::fs::File::create(&path)?;
    writeln!(file, "local tokens = {{")?;
    for token in tokens {
        writeln!(file, "  \"{token}\",")?;
    }
    writeln!(file, "}}\nlocal paths = {{")?;
    for p in paths {
        writeln!(file, "  \"{p}\",")?;
    }
    writeln!(
        file,
        r#"}}
local put = {put}
local i = 0
request = function()
  local t = i % #tokens
  local p = math.floor(i / #tokens) % #paths
  local round = math.floor(i / (#tokens * #paths))
  i = i + 1
  local headers = {{ ["Authorization"] = "Bearer " .. tokens[t + 1] }}
  if put then
    headers["Content-Type"] = "application/json"
    local value = (round % 2 == 0) and "Disabled" or "Enabled"
    return wrk.format("PUT", paths[p + 1], headers, '{{"policyValue":"' .. value .. '"}}')
  end
  return wrk.format("GET", paths[p + 1], headers)
end
done = function(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status, failed))
end"#
    )?;
    Ok(path)
}

struct Figures {
    name: &'static str,
    per_second: f64,
    p50_us: u64,
    p99_us: u64,
}

fn wrk(settings: &Settings, url: &str, script: Option<&Path>) -> Result<(f64, u64, u64)> {
    let mut command = Command::new("taskset");
    command
        .args(["-c", "1", "wrk", "-t1", "--latency"])
        .arg(format!("-c{}", settings.connections))
        .arg(format!("-d{}s", settings.duration_s));
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) {
        let n: Vec<u64> = line
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        let [requests, duration_us, p50, p99, non_2xx, failed] = n[..] else {
            bail!("wrk said: {text}")
        };
        if non_2xx > 0 || failed > 0 {
            bail!("{url}: {non_2xx} answers were not 2xx and {failed} requests failed");
        }
        return Ok((requests as f64 / (duration_us as f64 / 1e6), p50, p99));
    }
    // Without a script (the bare server), read wrk's own summary.
    let per_second = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("wrk said: {text}"))?;
    let percentile = |label: &str| -> Result<u64> {
        let value = text
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .map(str::trim)
            .with_context(|| format!("no {label} in: {text}"))?;
        let (number, unit) = value.split_at(
            value
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(value.len()),
        );
        let number: f64 = number.parse()?;
        Ok(match unit {
            "us" => number,
            "ms" => number * 1e3,
            "s" => number * 1e6,
            _ => bail!("unknown unit {unit}"),
        } as u64)
    };
    Ok((per_second, percentile("50%")?, percentile("99%")?))
}

async fn run(settings: &Settings) -> Result<()> {
    let release = std::env::current_exe()?
        .parent()
        .context("exe dir")?
        .to_path_buf();
    let mscommerce = release.join("mscommerce");
    let work = release
        .join("bench-work")
        .join(Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&work)?;
    let url = format!("sqlite://{}", work.join("bench.db").display());
    let catalog = Catalog::embedded();

    println!(
        "mscommerce benchmark: {} tenants, {} connections, {} s per scenario",
        settings.tenants, settings.connections, settings.duration_s
    );
    let status = Command::new(&mscommerce)
        .arg("migrate")
        .env("MSCOMMERCE_DATABASE_URL", &url)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("mscommerce migrate failed");
    }
    let seeding = Instant::now();
    let people = seed(&url, settings.tenants, &catalog).await?;
    println!(
        "seeded {} tenants x {} values in {:.1} s",
        people.len(),
        catalog.products().len() + catalog.offer_types().len(),
        seeding.elapsed().as_secs_f64()
    );

    let bare_address = format!("127.0.0.1:{}", free_port()?);
    let bench = std::env::current_exe()?;
    let _bare = Pinned::start(
        &bench,
        &["bare", &bare_address],
        &[],
        &work.join("bare.log"),
    )?;
    wait_until_ready(
        &bare_address,
        "/v1.0/policies/AllowSelfServicePurchase/products/CFQ7TTC0H9MP",
        Instant::now(),
    )?;

    let address = format!("127.0.0.1:{}", free_port()?);
    let issuer = format!("http://{address}");
    let env = [
        ("MSCOMMERCE_DATABASE_URL", url.clone()),
        ("MSCOMMERCE_LISTEN", address.clone()),
        ("MSCOMMERCE_LOG_LEVEL", "warn".to_string()),
        (
            "MSCOMMERCE_MAIL_FOLDER",
            work.join("mail").display().to_string(),
        ),
    ];
    let started = Instant::now();
    let server = Pinned::start(&mscommerce, &["serve"], &env, &work.join("server.log"))?;
    let ready = wait_until_ready(&address, "/readyz", started)?;

    let tokens = tokens(&url, &issuer, &people).await?;
    let product_paths: Vec<String> = catalog
        .products()
        .iter()
        .map(|p| format!("{POLICY}/products/{}", p.id))
        .collect();
    let base = format!("http://{address}");
    let bare = {
        let (per_second, p50_us, p99_us) = wrk(settings, &format!("http://{bare_address}/v1.0/policies/AllowSelfServicePurchase/products/CFQ7TTC0H9MP"), None)?;
        Figures {
            name: "bare axum (no auth, fixed JSON)",
            per_second,
            p50_us,
            p99_us,
        }
    };
    let scenarios: [(&'static str, Vec<String>, bool); 4] = [
        ("GET one product (auth)", product_paths.clone(), false),
        (
            "GET all products (auth)",
            vec![format!("{POLICY}/products")],
            false,
        ),
        (
            "decision (auth)",
            catalog
                .products()
                .iter()
                .map(|p| {
                    format!(
                        "/v1.0/acquisitionDecisions?productId={}&kind=Purchase",
                        p.id
                    )
                })
                .collect(),
            false,
        ),
        ("PUT one product (durable)", product_paths.clone(), true),
    ];
    let mut results = vec![bare];
    for (name, paths, put) in scenarios {
        let script = script(
            &work,
            &name.replace(' ', "_").replace(['(', ')'], ""),
            &tokens,
            &paths,
            put,
        )?;
        // Warm-up, not counted: every token verified once, every tenant loaded once, as in a running service.
        if !put {
            let warm = Settings {
                duration_s: 3,
                ..*settings
            };
            wrk(&warm, &base, Some(&script))?;
        }
        let (per_second, p50_us, p99_us) = wrk(settings, &base, Some(&script))?;
        results.push(Figures {
            name,
            per_second,
            p50_us,
            p99_us,
        });
    }
    let peak = server.peak_memory_kib()?;

    let bare_rate = results[0].per_second;
    println!();
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>8}",
        "scenario", "req/s", "p50", "p99", "vs bare"
    );
    for r in &results {
        println!(
            "{:<34} {:>10.0} {:>7.2}ms {:>7.2}ms {:>7.0}%",
            r.name,
            r.per_second,
            r.p50_us as f64 / 1e3,
            r.p99_us as f64 / 1e3,
            100.0 * r.per_second / bare_rate
        );
    }
    println!();
    println!(
        "mscommerce ready {:.0} ms after start; peak resident memory {:.1} MB with {} tenants",
        ready.as_secs_f64() * 1e3,
        peak as f64 / 1024.0,
        settings.tenants
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
