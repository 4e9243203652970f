//! The policy writer: every change of policy values goes through one task per store, which commits the changes
//! waiting at that moment together, in one transaction of a few multi-row statements (group commit).
//!
//! Why: a write of one value was seven statements, each a round trip to the database (on SQLite, to sqlx's worker
//! thread), and a commit of its own, which writes the same pages (the tenant's row, the index leaves) to the WAL
//! again. Concurrent writers now share those costs: while one batch commits, the next one queues, and the more
//! writers wait, the larger the batches, with no timer and no wait for a lone writer.
//!
//! Each change keeps the meaning it has alone ([`crate::PolicyStore::set_policy_values`]): the changes of a batch
//! are applied in the order they arrived, each against the values the earlier ones left, so each reads what the
//! one before it wrote, each that changes something takes the tenant's next revision (consecutive within the
//! batch), and one that fails (a precondition, a missing tenant) fails alone and writes nothing.
//!
//! The writer owns its transaction: a caller that stops waiting only drops the receiver of its answer, so no
//! transaction is ever left open by a request that went away (a change abandoned before its batch begins is left
//! out of it).

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use mscommerce_domain::{entity_tag, PolicyValue, TenantId};
use sqlx::{Pool, Row};
use tokio::sync::{mpsc, oneshot};

use super::audit::{insert_audits, AuditRecord};
use super::{begin_write, notify_policies, placeholders, Db, PolicyNotice, FOR_UPDATE};
use crate::records::*;
use crate::text::{now, parse_value, timestamp};
use crate::{StoreError, StoreResult};

/// How many values a batch takes at most (it always takes at least one change, whatever its size): a bound on
/// the time one transaction holds the writer, and so on the wait of the changes queued behind it.
const MAX_BATCH_VALUES: usize = 256;

/// The most rows one statement writes or looks up. Statements are issued for power-of-two numbers of rows up to
/// this, so that each connection prepares at most a handful of texts per statement and keeps them cached,
/// whatever sizes the batches have. Not more: sqlx's SQLite driver looks up every parameter's name when it binds,
/// and SQLite finds a name by walking the statement's list of them, so binding costs the square of a statement's
/// parameters (a profile showed 64 audit rows, 960 parameters, at 5% of a PUT's CPU); 16 rows keep that small
/// and the statements of a batch few.
const MAX_ROWS_PER_STATEMENT: usize = 16;

/// A change waiting for its batch, and where its answer goes.
struct PendingWrite {
    changes: PolicyChanges,
    answer: oneshot::Sender<StoreResult<PolicyWrites>>,
}

/// The way to the store's policy writer; the writer stops when this is dropped (with the store).
pub(super) struct PolicyWriter {
    queue: mpsc::UnboundedSender<PendingWrite>,
}

impl PolicyWriter {
    /// Starts the writer on the runtime of the caller, writing through `pool`.
    pub(super) fn start(pool: Pool<Db>) -> PolicyWriter {
        let (queue, pending) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(pool, pending));
        PolicyWriter { queue }
    }

    /// Hands the change to the writer and waits for it to be committed (or refused).
    pub(super) async fn write(&self, changes: PolicyChanges) -> StoreResult<PolicyWrites> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(PendingWrite { changes, answer })
            .map_err(|_| writer_stopped())?;
        answered.await.map_err(|_| writer_stopped())?
    }
}

fn writer_stopped() -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(
        "the policy writer has stopped (its runtime is shutting down)".to_string(),
    ))
}

/// The writer's loop: waits for a change, takes whatever else is queued (up to [`MAX_BATCH_VALUES`]), writes
/// them, answers each; until the store is dropped.
async fn write_batches(pool: Pool<Db>, mut pending: mpsc::UnboundedReceiver<PendingWrite>) {
    let mut batch: Vec<PendingWrite> = Vec::new();
    while let Some(first) = pending.recv().await {
        let mut values = first.changes.values.len();
        batch.push(first);
        while values < MAX_BATCH_VALUES {
            match pending.try_recv() {
                Ok(next) => {
                    values += next.changes.values.len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        batch.retain(|write| !write.answer.is_closed());
        if batch.is_empty() {
            continue;
        }
        let changes: Vec<&PolicyChanges> = batch.iter().map(|w| &w.changes).collect();
        let outcomes = match write_batch(&pool, &changes).await {
            Ok(outcomes) => outcomes,
            // The database refused a statement: one change may be what it refused (a row it cannot take), so
            // each is tried alone, and the others do not fail with it.
            Err(e) if changes.len() > 1 && refused_what_was_written(&e) => {
                let mut outcomes = Vec::with_capacity(changes.len());
                for change in &changes {
                    outcomes.push(match write_batch(&pool, &[change]).await {
                        Ok(mut one) => one.pop().unwrap_or_else(|| Err(writer_stopped())),
                        Err(e) => Err(e),
                    });
                }
                outcomes
            }
            // The database could not be reached or could not do the work (busy, locked, out of room, shutting
            // down), or the connection failed: trying each change again would make every caller wait that much
            // longer for the same answer. Every change of the batch fails with it.
            Err(e) => {
                let reason = e.to_string();
                let mut outcomes = vec![Err(e)];
                outcomes.extend(
                    (1..changes.len())
                        .map(|_| Err(StoreError::Database(sqlx::Error::Protocol(reason.clone())))),
                );
                outcomes
            }
        };
        for (write, outcome) in batch.drain(..).zip(outcomes) {
            // A caller that has gone does not read its answer; what was committed stays committed.
            let _ = write.answer.send(outcome);
        }
    }
}

/// Whether the database refused what a statement wrote (a constraint, a trigger), rather than failing to get to
/// it (busy, locked, out of memory or disk, an I/O error, a connection lost, shutting down): only then can one
/// change of a batch be the cause.
fn refused_what_was_written(err: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = err else {
        return false;
    };
    let code = db.code().unwrap_or_default();
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // The primary result code: SQLITE_BUSY, LOCKED, NOMEM, IOERR, FULL.
        let primary = code.parse::<i32>().unwrap_or(0) & 0xff;
        return !matches!(primary, 5 | 6 | 7 | 10 | 13);
    }
    // SQLSTATE classes: connection exception, insufficient resources, operator intervention, system error; and
    // a lock not available.
    !["08", "53", "57", "58"]
        .iter()
        .any(|class| code.starts_with(class))
        && code != "55P03"
}

/// A stored value's key: (tenant, policy, scope, target).
type ValueKey = (String, String, &'static str, String);

/// Writes a batch in one transaction; answers each change's outcome, in order. `Err` when the transaction
/// failed: then nothing of the batch was written.
async fn write_batch(
    pool: &Pool<Db>,
    changes: &[&PolicyChanges],
) -> StoreResult<Vec<StoreResult<PolicyWrites>>> {
    let mut tx = begin_write(pool).await?;
    let revisions = tenant_revisions(&mut tx, changes).await?;
    let stored = stored_values(&mut tx, changes, &revisions).await?;
    let mut state = BatchState {
        revisions,
        values: stored,
        raised: Vec::new(),
        written: Vec::new(),
        audits: Vec::new(),
        notices: Vec::new(),
        at: now(),
    };
    let outcomes: Vec<StoreResult<PolicyWrites>> =
        changes.iter().map(|change| state.apply(change)).collect();
    if state.written.is_empty() {
        // Nothing changed: the transaction only read, and rolls back when dropped.
        return Ok(outcomes);
    }
    update_tenant_revisions(&mut tx, &state).await?;
    upsert_values(&mut tx, &state).await?;
    insert_audits(&mut tx, &state.audits).await?;
    notify_policies(&mut tx, &state.notices).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// The revision of every tenant the batch names that exists, locked on PostgreSQL (in ID order, byte by byte, so
/// that two replicas' batches never wait for each other in a cycle).
async fn tenant_revisions(
    conn: &mut super::Conn,
    changes: &[&PolicyChanges],
) -> StoreResult<HashMap<TenantId, i64>> {
    let mut ids: Vec<String> = changes.iter().map(|c| c.tenant_id.to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut revisions = HashMap::with_capacity(ids.len());
    for rows in statement_rows(ids.len()) {
        let sql = format!(
            "SELECT id, policy_revision FROM tenants WHERE id IN ({}) ORDER BY id COLLATE \"C\"{FOR_UPDATE}",
            placeholders(1, rows.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &ids[rows] {
            query = query.bind(id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get("id")?;
            let id = id
                .parse()
                .map_err(|_| crate::text::corrupt("a tenant ID", &id))?;
            revisions.insert(id, row.try_get::<i64, _>("policy_revision")?);
        }
    }
    Ok(revisions)
}

/// The stored value and revision of every (tenant, policy, scope, target) the batch names, of the tenants that
/// exist; a key without a row has its policy's default value.
async fn stored_values(
    conn: &mut super::Conn,
    changes: &[&PolicyChanges],
    revisions: &HashMap<TenantId, i64>,
) -> StoreResult<HashMap<ValueKey, Held>> {
    let mut keys: Vec<ValueKey> = changes
        .iter()
        .filter(|c| revisions.contains_key(&c.tenant_id))
        .flat_map(|c| c.values.iter().map(|v| value_key(c, v)))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut stored = HashMap::with_capacity(keys.len());
    for rows in statement_rows(keys.len()) {
        let sql = stored_values_query(rows.len());
        let mut query = sqlx::query(&sql);
        for (tenant, policy, scope, target) in &keys[rows] {
            query = query.bind(tenant).bind(policy).bind(*scope).bind(target);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let scope: String = row.try_get("scope")?;
            let scope = crate::text::parse_scope(&scope)?.as_str();
            let key = (
                row.try_get("tenant_id")?,
                row.try_get("policy_id")?,
                scope,
                row.try_get("target_id")?,
            );
            let value = parse_value(&row.try_get::<String, _>("value")?)?;
            let revision = row.try_get::<i64, _>("revision")?;
            stored.insert(
                key,
                Held {
                    value,
                    revision,
                    written: false,
                },
            );
        }
    }
    Ok(stored)
}

/// The values of `keys` keys, each (tenant, policy, scope, target) four parameters: a join of a `VALUES` list
/// with the table, one primary-key lookup per key.
pub(super) fn stored_values_query(keys: usize) -> String {
    let list: Vec<String> = (0..keys)
        .map(|k| format!("({})", placeholders(4 * k + 1, 4)))
        .collect();
    format!(
        "SELECT v.tenant_id, v.policy_id, v.scope, v.target_id, v.value, v.revision \
         FROM (VALUES {}) AS k \
         JOIN policy_values v ON v.tenant_id = k.column1 AND v.policy_id = k.column2 \
         AND v.scope = k.column3 AND v.target_id = k.column4",
        list.join(", ")
    )
}

fn value_key(changes: &PolicyChanges, value: &PolicyValueChange) -> ValueKey {
    (
        changes.tenant_id.to_string(),
        changes.policy_id.clone(),
        value.scope.as_str(),
        value.target_id.clone(),
    )
}

/// A value as the batch's changes so far left it.
#[derive(Clone, Copy)]
struct Held {
    value: PolicyValue,
    revision: i64,
    /// Set by a change of this batch, so to be written.
    written: bool,
}

/// The batch as its changes leave it, applied one after the other in memory, and what is to be written.
struct BatchState<'a> {
    /// Every existing tenant's revision, as the changes so far raised it.
    revisions: HashMap<TenantId, i64>,
    /// Every named value as the changes so far left it (absent: never written).
    values: HashMap<ValueKey, Held>,
    /// The tenants whose revision the batch raises, in the order first raised.
    raised: Vec<TenantId>,
    /// The keys written, in the order first written (their final value is in `values`).
    written: Vec<ValueKey>,
    audits: Vec<AuditRecord<'a>>,
    notices: Vec<PolicyNotice>,
    at: DateTime<Utc>,
}

impl<'a> BatchState<'a> {
    /// One change, with exactly the rules of a change written alone: the tenant must exist; every value's
    /// preconditions must hold for its current revision (checked before the no-op shortcut, so that a stale
    /// If-Match fails even when nothing would change), or nothing of the change is written; a change that
    /// changes nothing writes nothing; otherwise one new revision for every value it changes.
    fn apply(&mut self, changes: &'a PolicyChanges) -> StoreResult<PolicyWrites> {
        let Some(&tenant_revision) = self.revisions.get(&changes.tenant_id) else {
            return Err(StoreError::NotFound(format!(
                "no tenant has the ID {}",
                changes.tenant_id
            )));
        };
        let keys: Vec<ValueKey> = changes
            .values
            .iter()
            .map(|v| value_key(changes, v))
            .collect();
        let current: Vec<(PolicyValue, i64)> = keys
            .iter()
            .map(|key| {
                self.values
                    .get(key)
                    .map_or((changes.default_value, INITIAL_POLICY_REVISION), |held| {
                        (held.value, held.revision)
                    })
            })
            .collect();
        let mismatches: Vec<String> = changes
            .values
            .iter()
            .zip(&current)
            .filter(|(change, (_, revision))| !change.preconditions.hold_for(*revision))
            .map(|(change, (_, revision))| {
                format!(
                    "The {} '{}' does not hold what the request's If-Match or If-None-Match asks for: its \
                     current ETag is {}.",
                    change.scope.as_str(),
                    change.target_id,
                    entity_tag(*revision)
                )
            })
            .collect();
        if !mismatches.is_empty() {
            return Err(StoreError::VersionMismatch(format!(
                "{} Read it again (GET answers the ETag) and retry.",
                mismatches.join(" ")
            )));
        }
        let changed = changes
            .values
            .iter()
            .zip(&current)
            .any(|(change, (old, _))| *old != change.value);
        if !changed {
            let values = changes
                .values
                .iter()
                .zip(current)
                .map(|(change, (old_value, revision))| PolicyWrite {
                    old_value,
                    new_value: change.value,
                    revision: None,
                    current_revision: revision,
                })
                .collect();
            return Ok(PolicyWrites {
                revision: None,
                values,
            });
        }
        // One revision for the whole change: its values were written together, and a cache that holds one of
        // them at this revision holds the others' too once their notices land.
        let revision = tenant_revision + 1;
        self.revisions.insert(changes.tenant_id, revision);
        if !self.raised.contains(&changes.tenant_id) {
            self.raised.push(changes.tenant_id);
        }
        let mut values = Vec::with_capacity(changes.values.len());
        for ((change, key), (old_value, stored_revision)) in
            changes.values.iter().zip(keys).zip(current)
        {
            if old_value == change.value {
                values.push(PolicyWrite {
                    old_value,
                    new_value: change.value,
                    revision: None,
                    current_revision: stored_revision,
                });
                continue;
            }
            self.audits.push(AuditRecord {
                tenant_id: changes.tenant_id,
                action: actions::POLICY_VALUE_CHANGED,
                actor: &changes.actor,
                target_type: change.scope.as_str(),
                target_id: change.target_id.clone(),
                target_name: change.target_name.clone(),
                policy_id: Some(&changes.policy_id),
                old_value: Some(old_value.as_str().to_string()),
                new_value: Some(change.value.as_str().to_string()),
                at: self.at,
            });
            self.notices.push(PolicyNotice {
                tenant_id: changes.tenant_id,
                scope: change.scope,
                target_id: change.target_id.clone(),
                value: change.value,
                revision,
            });
            let earlier = self.values.insert(
                key.clone(),
                Held {
                    value: change.value,
                    revision,
                    written: true,
                },
            );
            if !earlier.is_some_and(|held| held.written) {
                self.written.push(key);
            }
            values.push(PolicyWrite {
                old_value,
                new_value: change.value,
                revision: Some(revision),
                current_revision: revision,
            });
        }
        Ok(PolicyWrites {
            revision: Some(revision),
            values,
        })
    }
}

/// Each raised tenant's last revision of the batch, in one statement per [`MAX_ROWS_PER_STATEMENT`] tenants.
async fn update_tenant_revisions(
    conn: &mut super::Conn,
    state: &BatchState<'_>,
) -> StoreResult<()> {
    for rows in statement_rows(state.raised.len()) {
        let list: Vec<String> = (0..rows.len())
            .map(|r| format!("({})", placeholders(2 * r + 1, 2)))
            .collect();
        let sql = format!(
            "UPDATE tenants SET policy_revision = k.column2 FROM (VALUES {}) AS k WHERE tenants.id = k.column1",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for tenant in &state.raised[rows] {
            query = query.bind(tenant.to_string()).bind(state.revisions[tenant]);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Each written value's last value of the batch (PostgreSQL refuses an upsert that touches one row twice).
async fn upsert_values(conn: &mut super::Conn, state: &BatchState<'_>) -> StoreResult<()> {
    let updated_at = timestamp(state.at);
    for rows in statement_rows(state.written.len()) {
        let list: Vec<String> = (0..rows.len())
            .map(|r| format!("({})", placeholders(7 * r + 1, 7)))
            .collect();
        let sql = format!(
            "INSERT INTO policy_values (tenant_id, policy_id, scope, target_id, value, revision, updated_at) \
             VALUES {} \
             ON CONFLICT (tenant_id, policy_id, scope, target_id) \
             DO UPDATE SET value = excluded.value, revision = excluded.revision, updated_at = excluded.updated_at",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for key in &state.written[rows] {
            let held = state.values[key];
            let (tenant, policy, scope, target) = key;
            query = query
                .bind(tenant)
                .bind(policy)
                .bind(*scope)
                .bind(target)
                .bind(held.value.as_str())
                .bind(held.revision)
                .bind(&updated_at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `total` rows cut into runs of a power of two, the largest first, none over [`MAX_ROWS_PER_STATEMENT`].
pub(super) fn statement_rows(total: usize) -> impl Iterator<Item = Range<usize>> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let left = total - start;
        if left == 0 {
            return None;
        }
        let rows = MAX_ROWS_PER_STATEMENT.min(1 << left.ilog2());
        start += rows;
        Some(start - rows..start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_cut_into_powers_of_two() {
        let sizes = |total| statement_rows(total).map(|r| r.len()).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), vec![1]);
        assert_eq!(sizes(13), vec![8, 4, 1]);
        assert_eq!(sizes(37), vec![16, 16, 4, 1]);
        let covered: Vec<usize> = statement_rows(100).flatten().collect();
        assert_eq!(covered, (0..100).collect::<Vec<_>>());
    }
}
