//! Changes committed by other processes on the same database, for the caches.

use mscommerce_domain::{TenantId, UserId};

/// A change made through another replica, announced through the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeNotice {
    /// A policy value of the tenant changed: the value itself, with the revision that wrote it.
    Policy {
        tenant_id: TenantId,
        revision: i64,
        scope: mscommerce_domain::Scope,
        target_id: String,
        value: mscommerce_domain::PolicyValue,
    },
    /// A user's account changed or was deleted.
    User { user_id: UserId },
    /// An app changed or was deleted.
    App { client_id: uuid::Uuid },
    /// A delegated admin relationship changed (approved, ended) or was deleted.
    Relationship { id: uuid::Uuid },
    /// Notices may have been lost (the listening connection dropped and came back): forget what is cached.
    Resynchronize,
}

pub trait ChangeFeed {
    /// Changes committed by any process on this database, as they commit, for the caches. `None` when the backend
    /// has no such channel.
    ///
    /// PostgreSQL: `LISTEN mscommerce_changes` on a connection of its own, fed by `pg_notify` inside each writing
    /// transaction, and by triggers on `users` and `apps`. SQLite: one process serves a file, so policy values
    /// need no announcement; the accounts do, because the admin command line (or anyone with the file) changes
    /// them too, so triggers record each change of a user or app in `directory_changes`, which this feed reads
    /// every [`crate::DIRECTORY_POLL_INTERVAL`].
    ///
    /// The contract, for a receiver returned here:
    ///
    /// - The first notice is [`ChangeNotice::Resynchronize`], sent once listening has begun. From that moment
    ///   every committed change is announced (a [`ChangeNotice::Relationship`] for each change of a delegated admin
    ///   relationship, as for accounts): on PostgreSQL a [`ChangeNotice::Policy`] for each
    ///   `set_policy_value` that wrote (with the revision it wrote; a no-op write announces nothing); on both, a
    ///   [`ChangeNotice::User`] or [`ChangeNotice::App`] for each change or deletion of a user's or app's row,
    ///   whoever made it. Changes of this process are announced too. Nothing is announced for a transaction that
    ///   rolls back.
    /// - Notices arrive in commit order, within milliseconds of the commit. Apply a policy notice only when its
    ///   revision is newer than what is cached, so that a local write and its own notice, in either order, agree.
    /// - Whenever notices may have been missed (the connection broke, or did not answer the check made after 5
    ///   seconds of silence, or a notice could not be read) a [`ChangeNotice::Resynchronize`] comes as soon as that
    ///   is known: forget everything cached and read from the store again. If listening had not resumed by then,
    ///   another one follows once it has; from the last one on, the guarantee above holds again. A cache that
    ///   obeys every `Resynchronize` is never stale for longer than a broken connection takes to be noticed.
    /// - The channel is bounded: a consumer that falls behind slows the listener down but loses nothing. Dropping
    ///   the receiver stops the listener (at its next notice or check) and frees its connection.
    /// - Each call starts a listener of its own: call it once per process.
    fn subscribe_changes(&self) -> Option<tokio::sync::mpsc::Receiver<ChangeNotice>>;
}
