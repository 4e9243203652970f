//! The memory of failed sign-ins that the domain's back-off rule (`mscommerce_domain::sign_in`) judges: runs of
//! failures per account at an address, per address, and per account, in this process.
//!
//! Bounded: runs are forgotten once their wait is over and an hour has passed without a failure, and each table
//! holds at most [`MAX_RUNS`]; a full table first drops what is forgotten, then the older half of what is left.
//! Keys are 64-bit keyed digests (SipHash with a key drawn at start), so a run costs the same 24 bytes whatever
//! the length of the name it counts, and nobody outside can aim names at one slot. Each replica counts for itself.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use mscommerce_domain::{AttemptRuns, AttemptVerdict, BackOff, FailureRun, SIGN_IN_BACK_OFF};

use crate::state::AppState;

/// The most runs one table holds (24 bytes each, plus the map's overhead: a few MB for the three at most).
pub const MAX_RUNS: usize = 100_000;

/// Who signs in: a user by sign-in name, or an app by client ID (as given: unknown ones are counted too, so that the
/// answers do not tell which exist).
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    User(&'a str),
    App(&'a str),
}

/// The keys of one attempt, to report its end with.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    account_at_address: u64,
    address: Option<u64>,
    account: u64,
}

#[derive(Default)]
struct Tables {
    account_at_address: HashMap<u64, FailureRun>,
    address: HashMap<u64, FailureRun>,
    account: HashMap<u64, FailureRun>,
}

pub struct SignInGuard {
    tables: Mutex<Tables>,
    keys: RandomState,
}

impl Default for SignInGuard {
    fn default() -> Self {
        SignInGuard {
            tables: Mutex::default(),
            keys: RandomState::new(),
        }
    }
}

impl SignInGuard {
    /// Judges an attempt before any password is checked. Refused: the wait the client must still sit out. Allowed:
    /// the attempt is counted as a failure from now on (until [`SignInGuard::succeeded`] takes it back), and the
    /// answer is how long to slow it down first.
    pub fn begin(
        &self,
        signer: Signer<'_>,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(Attempt, Duration), Duration> {
        let attempt = self.keys_of(signer, address);
        let rule = SIGN_IN_BACK_OFF;
        let mut tables = self.lock();
        let runs = AttemptRuns {
            account_at_address: current(
                &tables.account_at_address,
                &rule.account_at_address,
                attempt.account_at_address,
                now,
            ),
            address: attempt
                .address
                .and_then(|key| current(&tables.address, &rule.address, key, now)),
            account: current(&tables.account, &rule.account, attempt.account, now),
        };
        match rule.judge(&runs, now) {
            AttemptVerdict::Refused { retry_after } => Err(retry_after),
            AttemptVerdict::Proceed { slow_down } => {
                count(
                    &mut tables.account_at_address,
                    &rule.account_at_address,
                    attempt.account_at_address,
                    now,
                );
                if let Some(key) = attempt.address {
                    count(&mut tables.address, &rule.address, key, now);
                }
                count(&mut tables.account, &rule.account, attempt.account, now);
                Ok((attempt, slow_down))
            }
        }
    }

    /// The attempt signed in: its account at that address starts afresh, and the address and the account no
    /// longer count it.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut tables = self.lock();
        tables
            .account_at_address
            .remove(&attempt.account_at_address);
        if let Some(key) = attempt.address {
            take_back(&mut tables.address, key);
        }
        take_back(&mut tables.account, attempt.account);
    }

    /// The attempt was never judged on its password (the hashing pool was busy): it counts for nothing.
    pub fn abandoned(&self, attempt: Attempt) {
        let mut tables = self.lock();
        take_back(&mut tables.account_at_address, attempt.account_at_address);
        if let Some(key) = attempt.address {
            take_back(&mut tables.address, key);
        }
        take_back(&mut tables.account, attempt.account);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        // The tables hold counters only; one left half-updated by a panic is still a valid table.
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn keys_of(&self, signer: Signer<'_>, address: Option<IpAddr>) -> Attempt {
        // Sign-in names are matched without regard to case, so they are counted so too.
        let account = match signer {
            Signer::User(name) => ("user", name.to_lowercase()),
            // Every spelling of one client ID (hyphenated, simple, braced, urn:uuid:) is one app: counted as one.
            Signer::App(client_id) => (
                "app",
                uuid::Uuid::parse_str(client_id)
                    .map_or_else(|_| client_id.to_lowercase(), |id| id.to_string()),
            ),
        };
        let address = address.map(address_block);
        Attempt {
            account_at_address: self.keys.hash_one(("account at", &account, address)),
            address: address.map(|a| self.keys.hash_one(("address", a))),
            account: self.keys.hash_one(("account", &account)),
        }
    }
}

/// The block an address stands for: an IPv4 address itself; for IPv6 its /64, which one subscriber holds whole (a
/// guesser would otherwise have 2^64 fresh addresses).
fn address_block(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// The run under `key`, unless it is forgotten (a forgotten run may still be held until its table needs the room).
fn current(
    table: &HashMap<u64, FailureRun>,
    rule: &BackOff,
    key: u64,
    now: Instant,
) -> Option<FailureRun> {
    table
        .get(&key)
        .copied()
        .filter(|run| !rule.forgotten(run, now))
}

fn count(table: &mut HashMap<u64, FailureRun>, rule: &BackOff, key: u64, now: Instant) {
    if !table.contains_key(&key) && table.len() >= MAX_RUNS {
        make_room(table, rule, now);
    }
    let run = FailureRun::failed(current(table, rule, key, now), now);
    table.insert(key, run);
}

fn take_back(table: &mut HashMap<u64, FailureRun>, key: u64) {
    if let Some(run) = table.get_mut(&key) {
        run.failures = run.failures.saturating_sub(1);
        if run.failures == 0 {
            table.remove(&key);
        }
    }
}

/// Drops the forgotten runs, then, if that was not enough, the older half of the rest: the table is scanned once per
/// MAX_RUNS / 2 new keys at most, whatever is thrown at it.
fn make_room(table: &mut HashMap<u64, FailureRun>, rule: &BackOff, now: Instant) {
    table.retain(|_, run| !rule.forgotten(run, now));
    if table.len() < MAX_RUNS {
        return;
    }
    let mut lasts: Vec<Instant> = table.values().map(|run| run.last).collect();
    let middle = lasts.len() / 2;
    let (_, median, _) = lasts.select_nth_unstable(middle);
    let median = *median;
    table.retain(|_, run| run.last > median);
}

/// The address a request came from: the peer of its connection, or, when `trust_forwarded_for` says a proxy stands
/// in front, the last address of `X-Forwarded-For` (the one that proxy appended; any before it came from the client
/// and prove nothing). `None` when neither is known.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer
}

/// The extractor of a request's [`client_address`]. The peer is the listener's `ConnectInfo`, read as an optional
/// extension: absent when the router is served without it (unit tests), and then unknown.
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        Ok(ClientAddress(client_address(
            &parts.headers,
            peer,
            state.settings.trust_forwarded_for,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7)));
    const ELSEWHERE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 1)));

    /// Fails `count` attempts of `signer` from `address` at `now`; panics if one is refused.
    fn fail(
        guard: &SignInGuard,
        signer: Signer<'_>,
        address: Option<IpAddr>,
        count: u32,
        now: Instant,
    ) {
        for n in 0..count {
            guard
                .begin(signer, address, now)
                .unwrap_or_else(|wait| panic!("attempt {n} refused for {wait:?}"));
        }
    }

    #[test]
    fn an_account_at_an_address_backs_off_and_a_success_clears_it() {
        let guard = SignInGuard::default();
        let t = Instant::now();
        let ann = Signer::User("ann@contoso.com");
        fail(&guard, ann, ADDRESS, 5, t);
        assert_eq!(
            guard.begin(ann, ADDRESS, t).unwrap_err(),
            Duration::from_secs(1)
        );
        // Counted without regard to case.
        assert!(guard
            .begin(Signer::User("ANN@contoso.com"), ADDRESS, t)
            .is_err());
        // Elsewhere the account is free, and the same name as an app's ID is another account.
        let (elsewhere, slow_down) = guard.begin(ann, ELSEWHERE, t).unwrap();
        assert_eq!(slow_down, Duration::ZERO);
        assert!(guard
            .begin(Signer::App("ann@contoso.com"), ADDRESS, t)
            .is_ok());
        guard.succeeded(elsewhere);
        // After the wait, one more try; its success clears the account at that address.
        let later = t + Duration::from_secs(1);
        let (attempt, _) = guard.begin(ann, ADDRESS, later).unwrap();
        guard.succeeded(attempt);
        fail(&guard, ann, ADDRESS, 5, later);
    }

    #[test]
    fn every_spelling_of_a_client_id_is_one_app() {
        let guard = SignInGuard::default();
        let t = Instant::now();
        let id = "2f94ab3d-8c46-4c34-82dc-5dd96dffa842";
        fail(&guard, Signer::App(id), ADDRESS, 5, t);
        for spelling in [
            "2F94AB3D-8C46-4C34-82DC-5DD96DFFA842",
            "2f94ab3d8c464c3482dc5dd96dffa842",
            "{2f94ab3d-8c46-4c34-82dc-5dd96dffa842}",
            "urn:uuid:2f94ab3d-8c46-4c34-82dc-5dd96dffa842",
        ] {
            assert!(
                guard.begin(Signer::App(spelling), ADDRESS, t).is_err(),
                "{spelling} is the same app, backed off"
            );
        }
    }

    #[test]
    fn an_abandoned_attempt_counts_for_nothing() {
        let guard = SignInGuard::default();
        let t = Instant::now();
        let ann = Signer::User("ann@contoso.com");
        for _ in 0..50 {
            let (attempt, _) = guard.begin(ann, ADDRESS, t).unwrap();
            guard.abandoned(attempt);
        }
        assert!(guard.lock().account_at_address.is_empty());
        assert!(guard.lock().address.is_empty() && guard.lock().account.is_empty());
    }

    #[test]
    fn without_an_address_the_account_is_counted_at_no_known_address() {
        let guard = SignInGuard::default();
        let t = Instant::now();
        for n in 0..40 {
            let name = format!("user{n}@contoso.com");
            fail(&guard, Signer::User(&name), None, 1, t);
        }
        // No address run: forty accounts tried from nowhere known do not refuse a forty-first.
        assert!(guard.lock().address.is_empty());
        assert!(guard
            .begin(Signer::User("ann@contoso.com"), None, t)
            .is_ok());
    }

    #[test]
    fn the_tables_stay_bounded() {
        let mut table = HashMap::new();
        let rule = SIGN_IN_BACK_OFF.address;
        let t = Instant::now();
        for key in 0..(MAX_RUNS as u64 + 10) {
            count(&mut table, &rule, key, t + Duration::from_nanos(key));
        }
        assert!(table.len() <= MAX_RUNS);
        assert!(table.len() >= MAX_RUNS / 2);
        // The newest runs are the ones kept.
        assert!(table.contains_key(&(MAX_RUNS as u64 + 9)));
        assert!(!table.contains_key(&0));
        // A forgotten run starts afresh.
        let later = t + Duration::from_secs(2 * 3600);
        let newest = MAX_RUNS as u64 + 9;
        count(&mut table, &rule, newest, t);
        count(&mut table, &rule, newest, later);
        assert_eq!(table[&newest].failures, 1);
        // And forgotten runs are the first to make room.
        let mut full = HashMap::new();
        for key in 0..MAX_RUNS as u64 {
            count(&mut full, &rule, key, t);
        }
        count(&mut full, &rule, u64::MAX, later);
        assert_eq!(full.len(), 1);
    }

    #[test]
    fn forwarded_addresses_count_only_when_trusted_and_only_the_last() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "10.9.9.9, 203.0.113.7".parse().unwrap());
        let peer = Some("127.0.0.1".parse().unwrap());
        assert_eq!(client_address(&headers, peer, false), peer);
        assert_eq!(client_address(&headers, peer, true), ADDRESS);
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_address(&headers, peer, true), peer);
        assert_eq!(client_address(&HeaderMap::new(), None, true), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_prefix() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let next: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_block(one), address_block(other));
        assert_ne!(address_block(one), address_block(next));
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(Some(address_block(mapped)), ADDRESS);
    }
}
