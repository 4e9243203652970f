//! Where every Argon2 hash and verification runs: on threads of its own, one per core, never on the async workers
//! that answer every other request, and never more at once than there are cores, so that a flood of sign-ins
//! neither stalls those workers nor holds one Argon2 memory block (19 MiB) per request in flight.
//!
//! Threads of its own rather than tokio's `spawn_blocking`: tokio starts another blocking thread whenever none is
//! idle at the moment a task is queued (tokio-1.54.1/src/runtime/blocking/pool.rs, `spawn_task`: `on_no_idle`
//! spawns), which happens each time a slot is handed on before the previous thread is back to idle. The allocator
//! gives every thread an arena of its own, and each arena kept its last 19 MiB block: measured during a flood
//! (the ignored test `sign_in::flood_of_wrong_passwords_figures`), 600 MB with `spawn_blocking` and two slots,
//! against the figure in docs/OPERATIONS.md with a fixed thread per slot.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Semaphore};

use crate::secrets::{
    hash_secret_in, verify_secret_against_nothing_in, verify_secret_in, Workspace,
};

/// How long a request waits for a free hashing slot before it is told to come back later: long enough to ride out
/// a burst of sign-ins, short enough that a flood answers 503 instead of queueing without bound.
pub const HASHING_WAIT: Duration = Duration::from_secs(1);

/// Every hashing slot stayed taken for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every password hashing slot is busy; try again in a moment")]
pub struct HasherBusy;

type Job = Box<dyn FnOnce(&mut Workspace) + Send>;

/// The bounded pool of Argon2 work. Cloning shares the pool; its threads end when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    wait: Duration,
}

impl Hasher {
    /// `slots` hashes at once at most (at least one), each on a thread of its own; a request waits up to `wait`
    /// for a slot.
    pub fn new(slots: usize, wait: Duration) -> Hasher {
        let slots = slots.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..slots {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    // Each thread keeps Argon2's memory for its next job (see `Workspace`).
                    let mut workspace = Workspace::default();
                    loop {
                        // The lock is held only to take the next job, never while one runs.
                        let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(job) = next else { return };
                        job(&mut workspace);
                    }
                })
                .expect("the system starts a hashing thread");
        }
        Hasher {
            slots: Arc::new(Semaphore::new(slots)),
            jobs,
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
        self.run(move |workspace| hash_secret_in(&secret, workspace))
            .await
    }

    /// Whether `secret` matches `hash` (a malformed hash never does).
    pub async fn verify(&self, secret: String, hash: String) -> Result<bool, HasherBusy> {
        self.run(move |workspace| verify_secret_in(&secret, &hash, workspace))
            .await
    }

    /// Spends one verification's time and answers false, for a sign-in that found nobody to check against.
    pub async fn verify_against_nothing(&self, secret: String) -> Result<bool, HasherBusy> {
        self.run(move |workspace| verify_secret_against_nothing_in(&secret, workspace))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Workspace) -> T + Send + 'static,
    ) -> Result<T, HasherBusy> {
        let slot = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HasherBusy)?
            .expect("the hashing semaphore is never closed");
        // The slot moves into the job: if the request is dropped meanwhile (its client left, or it ran out of time),
        // the hash still runs to its end on its thread, and the slot stays taken until then, so the bound holds for
        // the CPU and memory actually in use. A slot is taken only while a thread is free, so a job never queues.
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |workspace| {
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(workspace)));
            drop(slot);
            let _ = done.send(outcome);
        });
        self.jobs
            .send(job)
            .expect("the hashing threads run while a Hasher exists");
        match result.await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => unreachable!("a job always answers, even when its work panics"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts a job that holds the pool's one slot until `release` is sent; returns once it runs.
    async fn occupy_the_only_slot(
        hasher: &Hasher,
    ) -> (
        std::sync::mpsc::Sender<()>,
        tokio::task::JoinHandle<Result<(), HasherBusy>>,
    ) {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel();
        let holder = hasher.clone();
        let job = tokio::spawn(async move {
            holder
                .run(move |_| {
                    let _ = started.send(());
                    released.recv().unwrap();
                })
                .await
        });
        has_started.await.unwrap();
        (release, job)
    }

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
        let (release, occupying) = occupy_the_only_slot(&hasher).await;
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
        let (release, abandoned) = occupy_the_only_slot(&hasher).await;
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
