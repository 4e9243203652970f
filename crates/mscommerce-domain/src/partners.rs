//! Delegated admin relationships (Microsoft's GDAP): a partner tenant asks a customer tenant for directory roles,
//! the customer's Global Administrator approves them for a time, and the partner's users and apps then act in the
//! customer tenant with those roles only, until the end date or until either side ends it.
//!
//! What a partner's caller may do at a customer is never more than the relationship grants, and never more than it
//! may do at home: a partner's user gets the granted roles it also holds in its own tenant (a Global Administrator
//! at home holds them all); a partner's app keeps the permissions the granted roles allow (read and write with a
//! role that writes policy, read with one that reads it). So a partner's reader stays a reader at every customer.

use chrono::{DateTime, Duration, Utc};

use crate::access::{AppPermission, DirectoryRole, Operation};

/// The longest a relationship may last from its approval: two years, as GDAP.
pub const MAX_RELATIONSHIP_DAYS: i64 = 730;

/// Where a relationship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationshipStatus {
    /// Asked by the partner, not yet approved by the customer.
    Pending,
    /// Approved, and its end date has not come.
    Active,
    /// Approved, and its end date has passed.
    Expired,
    /// Ended by either side (or declined before approval).
    Ended,
}

impl RelationshipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationshipStatus::Pending => "pending",
            RelationshipStatus::Active => "active",
            RelationshipStatus::Expired => "expired",
            RelationshipStatus::Ended => "ended",
        }
    }

    /// The status at `now` of a relationship stored as `stored` (`pending`, `active` or `ended`) with `ends_at`:
    /// an active one whose end has come is expired, without anything being written.
    pub fn at(
        stored: &str,
        ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<RelationshipStatus> {
        match stored {
            "pending" => Some(RelationshipStatus::Pending),
            "ended" => Some(RelationshipStatus::Ended),
            "active" => Some(match ends_at {
                Some(end) if end > now => RelationshipStatus::Active,
                _ => RelationshipStatus::Expired,
            }),
            _ => None,
        }
    }
}

/// Why a relationship cannot be asked, approved or ended as requested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelationshipError {
    #[error("A relationship needs at least one role; allowed: {}.", role_names(&DirectoryRole::ALL))]
    NoRoles,
    #[error("'{0}' is not a directory role; allowed: {all}.", all = role_names(&DirectoryRole::ALL))]
    UnknownRole(String),
    #[error("A tenant cannot be its own partner: the customer must be another tenant.")]
    OwnTenant,
    #[error(
        "The role {} was not asked for; the customer may grant only roles the partner asked for: {}.",
        .role.display_name(), role_names(.requested)
    )]
    RoleNotRequested {
        role: DirectoryRole,
        requested: Vec<DirectoryRole>,
    },
    #[error(
        "The end date must be in the future and at most {MAX_RELATIONSHIP_DAYS} days (two years) after the approval."
    )]
    EndOutOfRange,
    #[error("The relationship is {}; only a pending relationship can be approved.", .0.as_str())]
    NotPending(RelationshipStatus),
    #[error("The relationship has already ended.")]
    AlreadyEnded,
}

impl RelationshipError {
    pub fn code(&self) -> &'static str {
        match self {
            RelationshipError::NoRoles | RelationshipError::UnknownRole(_) => "InvalidRole",
            RelationshipError::OwnTenant => "InvalidCustomer",
            RelationshipError::RoleNotRequested { .. } => "RoleNotRequested",
            RelationshipError::EndOutOfRange => "InvalidEndDate",
            RelationshipError::NotPending(_) => "RelationshipNotPending",
            RelationshipError::AlreadyEnded => "RelationshipEnded",
        }
    }

    /// Whether the request itself is wrong (400) rather than colliding with the relationship's state (409).
    pub fn is_invalid_request(&self) -> bool {
        !matches!(
            self,
            RelationshipError::NotPending(_) | RelationshipError::AlreadyEnded
        )
    }
}

fn role_names(roles: &[DirectoryRole]) -> String {
    roles
        .iter()
        .map(|r| r.display_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads roles given by template ID, name or display name; distinct, in the order given; at least one.
pub fn parse_roles<S: AsRef<str>>(texts: &[S]) -> Result<Vec<DirectoryRole>, RelationshipError> {
    let mut roles = Vec::new();
    for text in texts {
        let role = DirectoryRole::parse(text.as_ref())
            .ok_or_else(|| RelationshipError::UnknownRole(text.as_ref().to_string()))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(RelationshipError::NoRoles);
    }
    Ok(roles)
}

/// The rule of an approval: the relationship is pending, the granted roles are some of those asked for, and the end
/// date is after `now` and no more than [`MAX_RELATIONSHIP_DAYS`] later.
pub fn check_approval(
    status: RelationshipStatus,
    requested: &[DirectoryRole],
    granted: &[DirectoryRole],
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), RelationshipError> {
    if status != RelationshipStatus::Pending {
        return Err(RelationshipError::NotPending(status));
    }
    if granted.is_empty() {
        return Err(RelationshipError::NoRoles);
    }
    if let Some(role) = granted.iter().find(|r| !requested.contains(r)) {
        return Err(RelationshipError::RoleNotRequested {
            role: *role,
            requested: requested.to_vec(),
        });
    }
    if ends_at <= now || ends_at > now + Duration::days(MAX_RELATIONSHIP_DAYS) {
        return Err(RelationshipError::EndOutOfRange);
    }
    Ok(())
}

/// The rule of ending: anything not ended yet can be ended (a pending one is thereby declined; an expired one is
/// closed for the record).
pub fn check_end(status: RelationshipStatus) -> Result<(), RelationshipError> {
    match status {
        RelationshipStatus::Ended => Err(RelationshipError::AlreadyEnded),
        _ => Ok(()),
    }
}

/// The roles a partner's user holds at a customer: those granted that it also holds at home (all of them for a
/// Global Administrator at home), in the order granted.
pub fn delegated_roles(home: &[DirectoryRole], granted: &[DirectoryRole]) -> Vec<DirectoryRole> {
    let home_admin = home.contains(&DirectoryRole::GlobalAdministrator);
    granted
        .iter()
        .copied()
        .filter(|role| home_admin || home.contains(role))
        .collect()
}

/// The permissions a partner's app holds at a customer: each of its own, as far as the granted roles allow (read
/// and write where a granted role writes policy, read only where one reads it, nothing otherwise).
pub fn delegated_permissions(
    home: &[AppPermission],
    granted: &[DirectoryRole],
) -> Vec<AppPermission> {
    let allows = |operation: Operation| {
        granted
            .iter()
            .any(|r| operation.allowed_for().0.contains(r))
    };
    let (write, read) = (
        allows(Operation::WritePolicy),
        allows(Operation::ReadPolicy),
    );
    let mut held = Vec::new();
    for permission in home {
        let kept = match permission {
            AppPermission::PolicyReadWrite if write => Some(AppPermission::PolicyReadWrite),
            AppPermission::PolicyReadWrite | AppPermission::PolicyRead if read => {
                Some(AppPermission::PolicyRead)
            }
            _ => None,
        };
        if let Some(kept) = kept.filter(|k| !held.contains(k)) {
            held.push(kept);
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use DirectoryRole::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::days(days)
    }

    #[test]
    fn approval_grants_some_of_the_roles_asked_for_up_to_two_years() {
        let asked = [BillingAdministrator, GlobalReader];
        let pending = RelationshipStatus::Pending;
        assert_eq!(
            check_approval(pending, &asked, &[GlobalReader], at(730), at(0)),
            Ok(())
        );
        assert_eq!(
            check_approval(pending, &asked, &[GlobalReader], at(731), at(0)),
            Err(RelationshipError::EndOutOfRange)
        );
        assert_eq!(
            check_approval(pending, &asked, &[GlobalReader], at(0), at(0)),
            Err(RelationshipError::EndOutOfRange)
        );
        let err =
            check_approval(pending, &asked, &[GlobalAdministrator], at(30), at(0)).unwrap_err();
        assert_eq!(err.code(), "RoleNotRequested");
        assert!(
            err.to_string()
                .contains("Billing Administrator, Global Reader"),
            "{err}"
        );
        assert_eq!(
            check_approval(pending, &asked, &[], at(30), at(0)),
            Err(RelationshipError::NoRoles)
        );
        for status in [
            RelationshipStatus::Active,
            RelationshipStatus::Ended,
            RelationshipStatus::Expired,
        ] {
            assert_eq!(
                check_approval(status, &asked, &[GlobalReader], at(30), at(0)),
                Err(RelationshipError::NotPending(status))
            );
        }
    }

    #[test]
    fn an_active_relationship_expires_at_its_end_date() {
        assert_eq!(
            RelationshipStatus::at("active", Some(at(1)), at(0)),
            Some(RelationshipStatus::Active)
        );
        assert_eq!(
            RelationshipStatus::at("active", Some(at(0)), at(0)),
            Some(RelationshipStatus::Expired)
        );
        assert_eq!(
            RelationshipStatus::at("pending", None, at(0)),
            Some(RelationshipStatus::Pending)
        );
        assert_eq!(
            RelationshipStatus::at("ended", Some(at(9)), at(0)),
            Some(RelationshipStatus::Ended)
        );
        assert_eq!(RelationshipStatus::at("other", None, at(0)), None);
        assert_eq!(
            check_end(RelationshipStatus::Ended),
            Err(RelationshipError::AlreadyEnded)
        );
        assert_eq!(check_end(RelationshipStatus::Pending), Ok(()));
    }

    #[test]
    fn roles_parse_distinct_and_at_least_one() {
        assert_eq!(
            parse_roles(&[
                "Global Reader",
                "globalreader",
                "b0f54661-2d74-4c50-afa3-1ec803f12efe"
            ]),
            Ok(vec![GlobalReader, BillingAdministrator])
        );
        assert_eq!(parse_roles::<&str>(&[]), Err(RelationshipError::NoRoles));
        assert_eq!(
            parse_roles(&["Owner"]),
            Err(RelationshipError::UnknownRole("Owner".into()))
        );
    }

    #[test]
    fn a_partner_never_holds_more_than_granted_nor_more_than_at_home() {
        let granted = [BillingAdministrator, GlobalReader];
        assert_eq!(
            delegated_roles(&[GlobalAdministrator], &granted),
            granted.to_vec()
        );
        assert_eq!(
            delegated_roles(&[GlobalReader], &granted),
            vec![GlobalReader]
        );
        assert_eq!(delegated_roles(&[UserAdministrator], &granted), vec![]);
        assert_eq!(
            delegated_roles(&[GlobalAdministrator], &[GlobalReader]),
            vec![GlobalReader]
        );

        use AppPermission::*;
        assert_eq!(
            delegated_permissions(&[PolicyReadWrite], &granted),
            vec![PolicyReadWrite]
        );
        assert_eq!(
            delegated_permissions(&[PolicyReadWrite], &[GlobalReader]),
            vec![PolicyRead]
        );
        assert_eq!(
            delegated_permissions(&[PolicyRead], &[BillingAdministrator]),
            vec![PolicyRead]
        );
        assert_eq!(
            delegated_permissions(&[PolicyReadWrite], &[UserAdministrator]),
            vec![]
        );
    }
}
