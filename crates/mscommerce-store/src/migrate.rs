//! Schema migrations, embedded in the binary and applied in order, each in its own transaction.
//!
//! Migrations are added, never edited: each applied migration's checksum is kept, and a database whose applied
//! migration differs from the binary's copy, or that has migrations this binary does not know (written by a newer
//! version), is refused with a message that says which.

/// One migration: version, name, SQL.
#[derive(Debug)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "subscriptions",
        sql: include_str!("../migrations/sqlite/0002_subscriptions.sql"),
    },
    Migration {
        version: 3,
        name: "lifecycle",
        sql: include_str!("../migrations/sqlite/0003_lifecycle.sql"),
    },
    Migration {
        version: 4,
        name: "signing_key_rotation",
        sql: include_str!("../migrations/sqlite/0004_signing_key_rotation.sql"),
    },
    Migration {
        version: 5,
        name: "tenant_domains",
        sql: include_str!("../migrations/sqlite/0005_tenant_domains.sql"),
    },
    Migration {
        version: 6,
        name: "directory_changes",
        sql: include_str!("../migrations/sqlite/0006_directory_changes.sql"),
    },
    Migration {
        version: 7,
        name: "sign_in_grants",
        sql: include_str!("../migrations/sqlite/0007_sign_in_grants.sql"),
    },
    Migration {
        version: 8,
        name: "client_credentials",
        sql: include_str!("../migrations/sqlite/0008_client_credentials.sql"),
    },
    Migration {
        version: 9,
        name: "trusted_issuers",
        sql: include_str!("../migrations/sqlite/0009_trusted_issuers.sql"),
    },
    Migration {
        version: 10,
        name: "delegated_admin_relationships",
        sql: include_str!("../migrations/sqlite/0010_delegated_admin_relationships.sql"),
    },
    Migration {
        version: 11,
        name: "license_requests",
        sql: include_str!("../migrations/sqlite/0011_license_requests.sql"),
    },
    Migration {
        version: 12,
        name: "federated_sign_in",
        sql: include_str!("../migrations/sqlite/0012_federated_sign_in.sql"),
    },
];

pub(crate) const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "subscriptions",
        sql: include_str!("../migrations/postgres/0002_subscriptions.sql"),
    },
    Migration {
        version: 3,
        name: "lifecycle",
        sql: include_str!("../migrations/postgres/0003_lifecycle.sql"),
    },
    Migration {
        version: 4,
        name: "signing_key_rotation",
        sql: include_str!("../migrations/postgres/0004_signing_key_rotation.sql"),
    },
    Migration {
        version: 5,
        name: "tenant_domains",
        sql: include_str!("../migrations/postgres/0005_tenant_domains.sql"),
    },
    Migration {
        version: 6,
        name: "directory_changes",
        sql: include_str!("../migrations/postgres/0006_directory_changes.sql"),
    },
    Migration {
        version: 7,
        name: "sign_in_grants",
        sql: include_str!("../migrations/postgres/0007_sign_in_grants.sql"),
    },
    Migration {
        version: 8,
        name: "client_credentials",
        sql: include_str!("../migrations/postgres/0008_client_credentials.sql"),
    },
    Migration {
        version: 9,
        name: "trusted_issuers",
        sql: include_str!("../migrations/postgres/0009_trusted_issuers.sql"),
    },
    Migration {
        version: 10,
        name: "delegated_admin_relationships",
        sql: include_str!("../migrations/postgres/0010_delegated_admin_relationships.sql"),
    },
    Migration {
        version: 11,
        name: "license_requests",
        sql: include_str!("../migrations/postgres/0011_license_requests.sql"),
    },
    Migration {
        version: 12,
        name: "federated_sign_in",
        sql: include_str!("../migrations/postgres/0012_federated_sign_in.sql"),
    },
];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "migration {version} ({name}) was changed after it was applied to this database; \
         migrations are added, never edited"
    )]
    Edited { version: i64, name: String },
    #[error(
        "the database has migration {version}, which this version of mscommerce does not know; \
         run a version at least as new as the one that migrated it"
    )]
    Unknown { version: i64 },
    #[error("the database schema is behind (at version {at}, this binary needs {needed}); run `mscommerce migrate`")]
    Pending { at: i64, needed: i64 },
}

/// FNV-1a: stable across Rust versions and platforms, which `std`'s hasher is not.
pub(crate) fn checksum(sql: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

/// Compares what the database has applied with what the binary carries; answers the migrations still to apply.
pub(crate) fn plan<'m>(
    applied: &[(i64, i64)],
    known: &'m [Migration],
) -> Result<Vec<&'m Migration>, MigrationError> {
    for &(version, sum) in applied {
        match known.iter().find(|m| m.version == version) {
            None => return Err(MigrationError::Unknown { version }),
            Some(m) if checksum(m.sql) != sum => {
                return Err(MigrationError::Edited {
                    version,
                    name: m.name.to_string(),
                })
            }
            Some(_) => {}
        }
    }
    Ok(known
        .iter()
        .filter(|m| !applied.iter().any(|&(v, _)| v == m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[Migration] = &[
        Migration {
            version: 1,
            name: "one",
            sql: "CREATE TABLE a (x);",
        },
        Migration {
            version: 2,
            name: "two",
            sql: "CREATE TABLE b (x);",
        },
    ];

    #[test]
    fn plans_only_what_is_missing() {
        let pending = plan(&[(1, checksum(KNOWN[0].sql))], KNOWN).unwrap();
        assert_eq!(
            pending.iter().map(|m| m.version).collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(plan(&[], KNOWN).unwrap().len(), 2);
    }

    #[test]
    fn refuses_edited_and_unknown_migrations() {
        let err = plan(&[(1, 12345)], KNOWN).unwrap_err();
        assert!(
            err.to_string().contains("migration 1 (one) was changed"),
            "{err}"
        );
        let err = plan(&[(7, 0)], KNOWN).unwrap_err();
        assert!(matches!(err, MigrationError::Unknown { version: 7 }));
    }

    #[test]
    fn versions_are_in_order_and_unique() {
        for list in [SQLITE_MIGRATIONS, POSTGRES_MIGRATIONS] {
            for pair in list.windows(2) {
                assert!(pair[0].version < pair[1].version);
            }
        }
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names =
            |list: &[Migration]| list.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(names(SQLITE_MIGRATIONS), names(POSTGRES_MIGRATIONS));
    }
}
