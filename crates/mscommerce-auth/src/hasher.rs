//! Where every Argon2 hash and verification runs: on tokio's blocking threads, at most as many at once as the
//! machine has cores, so that a flood of sign-ins neither stalls the async workers that answer every other request
//! nor holds one Argon2 memory block (19 MiB) per request in flight.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::secrets::{hash_secret, verify_secret, verify_secret_against_nothing};

/// How long a request waits for a free hashing slot before it is told to come back later: long enough to ride out
/// a burst of sign-ins, short enough that a flood answers 503 instead of queueing without bound.
pub const HASHING_WAIT: Duration = Duration::from_secs(1);

/// Every hashing slot stayed taken for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every password hashing slot is busy; try again in a moment")]
pub struct HasherBusy;

/// The bounded pool of Argon2 work. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Hasher {
    /// `slots` hashes at once at most (at least one); a request waits up to `wait` for a slot.
    pub fn new(slots: usize, wait: Duration) -> Hasher {
        Hasher {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// One slot per core of this machine (as the operating system reports it to this process), and
    /// [`HASHING_WAIT`].
    pub fn for_this_machine() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Hasher::new(cores, HASHING_WAIT)
    }

    /// A new secret's hash.
    pub async fn hash(&self, secret: String) -> Result<String, HasherBusy> {
        self.run(move || hash_secret(&secret)).await
    }

    /// Whether `secret` matches `hash` (a malformed hash never does).
    pub async fn verify(&self, secret: String, hash: String) -> Result<bool, HasherBusy> {
        self.run(move || verify_secret(&secret, &hash)).await
    }

    /// Spends one verification's time and answers false, for a sign-in that found nobody to check against.
    pub async fn verify_against_nothing(&self, secret: String) -> Result<bool, HasherBusy> {
        self.run(move || verify_secret_against_nothing(&secret))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HasherBusy> {
        let slot = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HasherBusy)?
            .expect("the hashing semaphore is never closed");
        // The slot moves into the blocking task: if the request is dropped meanwhile (its client left, or it ran
        // out of time), the hash still runs to its end on the blocking thread, and the slot stays taken until then,
        // so the bound holds for the CPU and memory actually in use.
        let done = tokio::task::spawn_blocking(move || {
            let result = work();
            drop(slot);
            result
        })
        .await;
        match done {
            Ok(result) => Ok(result),
            Err(failure) => std::panic::resume_unwind(failure.into_panic()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies_off_the_async_workers() {
        let hasher = Hasher::new(2, HASHING_WAIT);
        let hash = hasher.hash("correct horse battery".into()).await.unwrap();
        assert!(hasher
            .verify("correct horse battery".into(), hash.clone())
            .await
            .unwrap());
        assert!(!hasher.verify("wrong".into(), hash).await.unwrap());
        assert!(!hasher.verify_against_nothing("x".into()).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_pool_answers_busy_after_its_wait() {
        let hasher = Hasher::new(1, Duration::from_millis(100));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel();
        let holder = hasher.clone();
        let occupying = tokio::spawn(async move {
            holder
                .run(move || {
                    let _ = started.send(());
                    released.recv().unwrap();
                })
                .await
        });
        has_started.await.unwrap();
        let begun = std::time::Instant::now();
        assert_eq!(
            hasher.verify_against_nothing("x".into()).await,
            Err(HasherBusy)
        );
        assert!(begun.elapsed() >= Duration::from_millis(100));
        release.send(()).unwrap();
        occupying.await.unwrap().unwrap();
        // Free again: the next one runs.
        assert_eq!(hasher.verify_against_nothing("x".into()).await, Ok(false));
    }

    #[tokio::test]
    async fn a_dropped_request_keeps_its_slot_until_its_hash_is_done() {
        let hasher = Hasher::new(1, Duration::from_millis(100));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel();
        let holder = hasher.clone();
        let abandoned = tokio::spawn(async move {
            holder
                .run(move || {
                    let _ = started.send(());
                    released.recv().unwrap();
                })
                .await
        });
        has_started.await.unwrap();
        abandoned.abort();
        let _ = abandoned.await;
        assert_eq!(
            hasher.verify_against_nothing("x".into()).await,
            Err(HasherBusy)
        );
        release.send(()).unwrap();
        // The blocking work ends and gives the slot back.
        let hash = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Ok(hash) = hasher.hash("y".into()).await {
                    break hash;
                }
            }
        })
        .await
        .unwrap();
        assert!(hash.starts_with("$argon2id$"));
    }
}
