//! Who may do what. The whole role matrix is the table in [`Operation::allowed_for`]; everything else asks it.

use uuid::Uuid;

use crate::subscription::PurchaseType;

/// Directory roles, identified on the wire by their Entra role template IDs (the `wids` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirectoryRole {
    GlobalAdministrator,
    BillingAdministrator,
    GlobalReader,
    LicenseAdministrator,
    UserAdministrator,
}

impl DirectoryRole {
    pub const ALL: [DirectoryRole; 5] = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::BillingAdministrator,
        DirectoryRole::GlobalReader,
        DirectoryRole::LicenseAdministrator,
        DirectoryRole::UserAdministrator,
    ];

    pub fn template_id(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "62e90394-69f5-4237-9190-012177145e10",
            DirectoryRole::BillingAdministrator => "b0f54661-2d74-4c50-afa3-1ec803f12efe",
            DirectoryRole::GlobalReader => "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
            DirectoryRole::LicenseAdministrator => "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
            DirectoryRole::UserAdministrator => "fe930be7-5e62-47db-91af-98c3a49a38b1",
        }
    }

    /// The name admins know, without spaces (`GlobalAdministrator`).
    pub fn name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "GlobalAdministrator",
            DirectoryRole::BillingAdministrator => "BillingAdministrator",
            DirectoryRole::GlobalReader => "GlobalReader",
            DirectoryRole::LicenseAdministrator => "LicenseAdministrator",
            DirectoryRole::UserAdministrator => "UserAdministrator",
        }
    }

    /// The name as Microsoft's documentation writes it (`Global Administrator`).
    pub fn display_name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "Global Administrator",
            DirectoryRole::BillingAdministrator => "Billing Administrator",
            DirectoryRole::GlobalReader => "Global Reader",
            DirectoryRole::LicenseAdministrator => "License Administrator",
            DirectoryRole::UserAdministrator => "User Administrator",
        }
    }

    /// The roles whose holders a holder of this role may change (name, type, password, enabling), beyond users
    /// who hold no role at all, who are in reach of everyone with [`Operation::ManageUsers`]. Entra's rule: a User
    /// Administrator manages users and other User Administrators, never an account with more power than its own,
    /// so that resetting a password can never make it a Global Administrator. Global Readers are out of its reach
    /// too: their account reads everything, which a User Administrator may not.
    pub fn manages_holders_of(self) -> &'static [DirectoryRole] {
        match self {
            DirectoryRole::GlobalAdministrator => &DirectoryRole::ALL,
            DirectoryRole::UserAdministrator => &[DirectoryRole::UserAdministrator],
            DirectoryRole::BillingAdministrator
            | DirectoryRole::GlobalReader
            | DirectoryRole::LicenseAdministrator => &[],
        }
    }

    /// Accepts the template ID, the name, or the display name, in any case.
    pub fn parse(text: &str) -> Option<DirectoryRole> {
        let text = text.trim();
        Self::ALL.into_iter().find(|r| {
            r.template_id().eq_ignore_ascii_case(text)
                || r.name().eq_ignore_ascii_case(text)
                || r.display_name().eq_ignore_ascii_case(text)
        })
    }
}

/// Application permissions of the M365 License Manager resource (the `roles` claim of app-only tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppPermission {
    PolicyRead,
    PolicyReadWrite,
}

impl AppPermission {
    pub const ALL: [AppPermission; 2] = [AppPermission::PolicyRead, AppPermission::PolicyReadWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            AppPermission::PolicyRead => "Policy.Read.AllowSelfServicePurchase",
            AppPermission::PolicyReadWrite => "Policy.ReadWrite.AllowSelfServicePurchase",
        }
    }

    pub fn parse(text: &str) -> Option<AppPermission> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Something a caller asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Read policy values and the policy-change audit log; ask acquisition decisions for any user.
    ReadPolicy,
    /// Change a policy value.
    WritePolicy,
    /// List and read the tenant's users.
    ReadUsers,
    /// Create users, change them, disable them.
    ManageUsers,
    /// Give or take directory roles (more than managing users: a User Administrator cannot make admins).
    ManageRoles,
    /// See every subscription, who holds its licenses, export them; read the whole audit log.
    ReadSubscriptions,
    /// See the self-service licenses by product and who holds them, and export them: what license managers
    /// need besides the billing roles.
    ReadLicenses,
    /// See the organization's license requests.
    ReadLicenseRequests,
    /// Approve, deny and share license requests, and set the organization's request process.
    AnswerLicenseRequests,
    /// Buy central subscriptions; take over or cancel self-service ones.
    ManageSubscriptions,
    /// Assign and unassign the licenses of central subscriptions.
    AssignLicenses,
    /// Add domains to the tenant (listing them is [`Operation::ReadUsers`]).
    ManageDomains,
    /// List, add and remove the certificate credentials of the tenant's apps.
    ManageAppCredentials,
    /// See which external identity providers the tenant trusts, and how their claims map.
    ReadTrustedIssuers,
    /// Trust an external identity provider (Entra ID, any OpenID Connect issuer), or stop trusting it: whoever
    /// it vouches for signs in here, so only Global Administrators decide.
    ManageTrustedIssuers,
    /// List the tenant's delegated admin relationships, on either side (its partners, its customers).
    ReadPartnerRelationships,
    /// Ask a customer for a relationship, approve a partner's, end one on either side.
    ManagePartnerRelationships,
}

impl Operation {
    /// The role matrix. Global Reader reads and never writes; apps need the matching permission.
    pub fn allowed_for(self) -> (&'static [DirectoryRole], &'static [AppPermission]) {
        use AppPermission::*;
        use DirectoryRole::*;
        match self {
            Operation::ReadPolicy => (
                &[GlobalAdministrator, BillingAdministrator, GlobalReader],
                &[PolicyRead, PolicyReadWrite],
            ),
            Operation::WritePolicy => (
                &[GlobalAdministrator, BillingAdministrator],
                &[PolicyReadWrite],
            ),
            Operation::ReadUsers => (
                &[
                    GlobalAdministrator,
                    UserAdministrator,
                    LicenseAdministrator,
                    GlobalReader,
                ],
                &[],
            ),
            Operation::ManageUsers => (&[GlobalAdministrator, UserAdministrator], &[]),
            Operation::ManageRoles => (&[GlobalAdministrator], &[]),
            Operation::ReadSubscriptions => (
                &[GlobalAdministrator, BillingAdministrator, GlobalReader],
                &[],
            ),
            Operation::ReadLicenses => (
                &[
                    GlobalAdministrator,
                    BillingAdministrator,
                    GlobalReader,
                    LicenseAdministrator,
                    UserAdministrator,
                ],
                &[],
            ),
            Operation::ReadLicenseRequests => (
                &[GlobalAdministrator, LicenseAdministrator, GlobalReader],
                &[],
            ),
            Operation::AnswerLicenseRequests => (&[GlobalAdministrator, LicenseAdministrator], &[]),
            Operation::ManageSubscriptions => (&[GlobalAdministrator, BillingAdministrator], &[]),
            Operation::AssignLicenses => (
                &[GlobalAdministrator, LicenseAdministrator, UserAdministrator],
                &[],
            ),
            Operation::ManageDomains => (&[GlobalAdministrator], &[]),
            Operation::ManageAppCredentials => (&[GlobalAdministrator], &[]),
            Operation::ReadTrustedIssuers => (&[GlobalAdministrator, GlobalReader], &[]),
            Operation::ManageTrustedIssuers => (&[GlobalAdministrator], &[]),
            // Apps that manage policy list their customers, to enforce a baseline across them.
            Operation::ReadPartnerRelationships => (
                &[GlobalAdministrator, GlobalReader],
                &[PolicyRead, PolicyReadWrite],
            ),
            Operation::ManagePartnerRelationships => (&[GlobalAdministrator], &[]),
        }
    }

    /// Whether a partner acting for a customer may never do this there, whatever roles it was granted: the
    /// relationships themselves are the customer's own to manage (or a partner could approve its own).
    pub fn is_home_only(self) -> bool {
        matches!(
            self,
            Operation::ReadPartnerRelationships | Operation::ManagePartnerRelationships
        )
    }

    /// Says who may do this, for the reason of a 403.
    pub fn describe_allowed(self) -> String {
        let (roles, permissions) = self.allowed_for();
        let roles: Vec<_> = roles.iter().map(|r| r.display_name()).collect();
        let permissions: Vec<_> = permissions.iter().map(|p| p.as_str()).collect();
        if permissions.is_empty() {
            return format!("users with the role {}", roles.join(", "));
        }
        format!(
            "users with the role {} or apps with the permission {}",
            roles.join(", "),
            permissions.join(" or ")
        )
    }
}

/// What a caller asks to do to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionConcern {
    /// Assign and unassign its licenses.
    Licenses,
    /// Change its quantity or renewal, or cancel it.
    Billing,
}

/// Why a caller may not manage a subscription's licenses or billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManageRefusal {
    /// A user bought it through self-service: it is theirs (their card, their licenses) until an admin takes it
    /// over.
    TakeOverRequired,
    /// A central subscription: the caller lacks what the role matrix asks for `operation`.
    NotAllowed(Operation),
}

/// Why a caller may not change a user's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRefusal {
    /// The caller lacks [`Operation::ManageUsers`].
    NotAllowed,
    /// The user holds a role whose holders the caller's roles do not manage.
    HoldsRole(DirectoryRole),
}

impl UserRefusal {
    /// Who may change such a user, for the reason of a 403.
    pub fn describe_allowed(self) -> String {
        match self {
            UserRefusal::NotAllowed => Operation::ManageUsers.describe_allowed(),
            UserRefusal::HoldsRole(role) => {
                let managers: Vec<_> = DirectoryRole::ALL
                    .into_iter()
                    .filter(|manager| {
                        manager.manages_holders_of().contains(&role)
                            && Operation::ManageUsers.allowed_for().0.contains(manager)
                    })
                    .map(DirectoryRole::display_name)
                    .collect();
                format!(
                    "the user holds the role {}, whose holders only users with the role {} may change",
                    role.display_name(),
                    managers.join(", ")
                )
            }
        }
    }
}

impl SubscriptionConcern {
    /// Who manages this concern of a central subscription.
    pub fn central_operation(self) -> Operation {
        match self {
            SubscriptionConcern::Licenses => Operation::AssignLicenses,
            SubscriptionConcern::Billing => Operation::ManageSubscriptions,
        }
    }
}

/// An authenticated caller: always within one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub tenant_id: crate::TenantId,
    /// The user's or the app's object ID.
    pub object_id: Uuid,
    pub kind: PrincipalKind,
    /// Set when a partner's user or app acts in `tenant_id` through a delegated admin relationship: the partner's
    /// tenant, where the user or app lives. Its roles or permissions are then those the relationship grants
    /// ([`crate::partners::delegated_roles`]), never the ones it holds at home.
    pub partner_tenant_id: Option<crate::TenantId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    User {
        upn: String,
        display_name: String,
        roles: Vec<DirectoryRole>,
    },
    App {
        client_id: Uuid,
        display_name: String,
        permissions: Vec<AppPermission>,
    },
}

impl Principal {
    /// The object ID as a user's ID: what a user principal is in the directory. (An app's object ID is no user's,
    /// so asking it of an app finds nobody.)
    pub fn user_id(&self) -> crate::UserId {
        crate::UserId(self.object_id)
    }

    pub fn may(&self, operation: Operation) -> bool {
        if self.partner_tenant_id.is_some() && operation.is_home_only() {
            return false;
        }
        let (roles, permissions) = operation.allowed_for();
        match &self.kind {
            PrincipalKind::User { roles: held, .. } => held.iter().any(|r| roles.contains(r)),
            PrincipalKind::App {
                permissions: held, ..
            } => held.iter().any(|p| permissions.contains(p)),
        }
    }

    /// Whether this caller may change the account of a user who holds `target_roles`: it needs
    /// [`Operation::ManageUsers`], and each of the target's roles must be one its own roles manage
    /// ([`DirectoryRole::manages_holders_of`]). On refusal, answers the first role out of reach (`None` when the
    /// caller may not manage users at all).
    pub fn may_change_user(&self, target_roles: &[DirectoryRole]) -> Result<(), UserRefusal> {
        if !self.may(Operation::ManageUsers) {
            return Err(UserRefusal::NotAllowed);
        }
        let held: &[DirectoryRole] = match &self.kind {
            PrincipalKind::User { roles, .. } => roles,
            PrincipalKind::App { .. } => &[],
        };
        match target_roles
            .iter()
            .find(|target| !held.iter().any(|r| r.manages_holders_of().contains(target)))
        {
            Some(&out_of_reach) => Err(UserRefusal::HoldsRole(out_of_reach)),
            None => Ok(()),
        }
    }

    /// Whether this caller may manage `concern` of a subscription of `purchase_type` bought by `purchaser`. A
    /// self-service subscription's licenses and billing are its purchaser's alone: admins get
    /// [`ManageRefusal::TakeOverRequired`] and take it over first. A central one's are the admins' the matrix names.
    pub fn may_manage(
        &self,
        concern: SubscriptionConcern,
        purchase_type: PurchaseType,
        purchaser: Option<crate::UserId>,
    ) -> Result<(), ManageRefusal> {
        match purchase_type {
            PurchaseType::SelfService if purchaser == Some(self.user_id()) => Ok(()),
            PurchaseType::SelfService => Err(ManageRefusal::TakeOverRequired),
            PurchaseType::Central => {
                let operation = concern.central_operation();
                if self.may(operation) {
                    Ok(())
                } else {
                    Err(ManageRefusal::NotAllowed(operation))
                }
            }
        }
    }

    /// How the audit trail names the caller: the UPN of a user, the display name of an app.
    pub fn display_name(&self) -> &str {
        match &self.kind {
            PrincipalKind::User { upn, .. } => upn,
            PrincipalKind::App { display_name, .. } => display_name,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            PrincipalKind::User { .. } => "User",
            PrincipalKind::App { .. } => "App",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[DirectoryRole]) -> Principal {
        Principal {
            tenant_id: crate::TenantId(Uuid::nil()),
            object_id: Uuid::nil(),
            kind: PrincipalKind::User {
                upn: "u@x".into(),
                display_name: "U".into(),
                roles: roles.to_vec(),
            },
            partner_tenant_id: None,
        }
    }

    fn app(permissions: &[AppPermission]) -> Principal {
        Principal {
            tenant_id: crate::TenantId(Uuid::nil()),
            object_id: Uuid::nil(),
            kind: PrincipalKind::App {
                client_id: Uuid::nil(),
                display_name: "A".into(),
                permissions: permissions.to_vec(),
            },
            partner_tenant_id: None,
        }
    }

    #[test]
    fn role_matrix() {
        use AppPermission::*;
        use DirectoryRole::*;
        use Operation::*;
        let expected = [
            (user(&[GlobalAdministrator]), true, true),
            (user(&[BillingAdministrator]), true, true),
            (user(&[GlobalReader]), true, false),
            (user(&[LicenseAdministrator]), false, false),
            (user(&[UserAdministrator]), false, false),
            (user(&[]), false, false),
            (user(&[GlobalReader, BillingAdministrator]), true, true),
            (app(&[PolicyRead]), true, false),
            (app(&[PolicyReadWrite]), true, true),
            (app(&[]), false, false),
        ];
        for (principal, read, write) in expected {
            assert_eq!(principal.may(ReadPolicy), read, "{principal:?} read");
            assert_eq!(principal.may(WritePolicy), write, "{principal:?} write");
        }
    }

    #[test]
    fn admin_operations_matrix() {
        use DirectoryRole::*;
        use Operation::*;
        // Rows: role; columns: ReadUsers, ManageUsers, ManageRoles, ReadSubscriptions, ManageSubscriptions,
        // AssignLicenses.
        let table = [
            (GlobalAdministrator, [true, true, true, true, true, true]),
            (
                BillingAdministrator,
                [false, false, false, true, true, false],
            ),
            (GlobalReader, [true, false, false, true, false, false]),
            (
                LicenseAdministrator,
                [true, false, false, false, false, true],
            ),
            (UserAdministrator, [true, true, false, false, false, true]),
        ];
        let operations = [
            ReadUsers,
            ManageUsers,
            ManageRoles,
            ReadSubscriptions,
            ManageSubscriptions,
            AssignLicenses,
        ];
        for (role, expected) in table {
            for (operation, allowed) in operations.iter().zip(expected) {
                assert_eq!(
                    user(&[role]).may(*operation),
                    allowed,
                    "{role:?} {operation:?}"
                );
            }
        }
        for operation in operations {
            assert!(
                !app(&AppPermission::ALL).may(operation),
                "apps only touch policy: {operation:?}"
            );
        }
    }

    #[test]
    fn domains_are_managed_by_global_administrators_only() {
        for role in DirectoryRole::ALL {
            assert_eq!(
                user(&[role]).may(Operation::ManageDomains),
                role == DirectoryRole::GlobalAdministrator,
                "{role:?}"
            );
        }
        assert!(!app(&AppPermission::ALL).may(Operation::ManageDomains));
    }

    #[test]
    fn app_credentials_are_managed_by_global_administrators_only() {
        for role in DirectoryRole::ALL {
            assert_eq!(
                user(&[role]).may(Operation::ManageAppCredentials),
                role == DirectoryRole::GlobalAdministrator,
                "{role:?}"
            );
        }
        assert!(!app(&AppPermission::ALL).may(Operation::ManageAppCredentials));
    }

    #[test]
    fn trusted_issuers_are_managed_by_global_administrators_only() {
        for role in DirectoryRole::ALL {
            assert_eq!(
                user(&[role]).may(Operation::ManageTrustedIssuers),
                role == DirectoryRole::GlobalAdministrator,
                "{role:?}"
            );
            assert_eq!(
                user(&[role]).may(Operation::ReadTrustedIssuers),
                matches!(
                    role,
                    DirectoryRole::GlobalAdministrator | DirectoryRole::GlobalReader
                ),
                "{role:?}"
            );
        }
        assert!(!app(&AppPermission::ALL).may(Operation::ManageTrustedIssuers));
        assert!(!app(&AppPermission::ALL).may(Operation::ReadTrustedIssuers));
    }

    #[test]
    fn partner_relationships_are_managed_at_home_only() {
        for role in DirectoryRole::ALL {
            let admin = user(&[role]);
            assert_eq!(
                admin.may(Operation::ManagePartnerRelationships),
                role == DirectoryRole::GlobalAdministrator,
                "{role:?}"
            );
        }
        assert!(app(&[AppPermission::PolicyRead]).may(Operation::ReadPartnerRelationships));
        assert!(!app(&AppPermission::ALL).may(Operation::ManagePartnerRelationships));
        let mut delegated = user(&[DirectoryRole::GlobalAdministrator]);
        delegated.partner_tenant_id = Some(crate::TenantId(Uuid::from_u128(9)));
        assert!(delegated.may(Operation::WritePolicy));
        assert!(!delegated.may(Operation::ManagePartnerRelationships));
        assert!(!delegated.may(Operation::ReadPartnerRelationships));
    }

    #[test]
    fn self_service_subscriptions_are_their_purchasers() {
        use DirectoryRole::*;
        use SubscriptionConcern::*;
        let purchaser = crate::UserId(Uuid::from_u128(7));
        let mut own = user(&[]);
        own.object_id = purchaser.as_uuid();
        for concern in [Licenses, Billing] {
            assert_eq!(
                own.may_manage(concern, PurchaseType::SelfService, Some(purchaser)),
                Ok(())
            );
            for role in DirectoryRole::ALL {
                assert_eq!(
                    user(&[role]).may_manage(concern, PurchaseType::SelfService, Some(purchaser)),
                    Err(ManageRefusal::TakeOverRequired),
                    "{role:?} {concern:?}"
                );
            }
            assert_eq!(
                own.may_manage(concern, PurchaseType::Central, None),
                Err(ManageRefusal::NotAllowed(concern.central_operation()))
            );
        }
        // Central subscriptions: licenses by license managers, billing by billing admins.
        let table = [
            (GlobalAdministrator, true, true),
            (BillingAdministrator, false, true),
            (GlobalReader, false, false),
            (LicenseAdministrator, true, false),
            (UserAdministrator, true, false),
        ];
        for (role, licenses, billing) in table {
            let admin = user(&[role]);
            assert_eq!(
                admin
                    .may_manage(Licenses, PurchaseType::Central, None)
                    .is_ok(),
                licenses,
                "{role:?} licenses"
            );
            assert_eq!(
                admin
                    .may_manage(Billing, PurchaseType::Central, None)
                    .is_ok(),
                billing,
                "{role:?} billing"
            );
        }
    }

    /// Every cell: caller role (rows) x the role the changed user holds (columns: GlobalAdministrator,
    /// BillingAdministrator, GlobalReader, LicenseAdministrator, UserAdministrator), plus a user with no role.
    #[test]
    fn who_may_change_whose_account() {
        use DirectoryRole::*;
        let table = [
            (GlobalAdministrator, true, [true, true, true, true, true]),
            (
                BillingAdministrator,
                false,
                [false, false, false, false, false],
            ),
            (GlobalReader, false, [false, false, false, false, false]),
            (
                LicenseAdministrator,
                false,
                [false, false, false, false, false],
            ),
            (UserAdministrator, true, [false, false, false, false, true]),
        ];
        for (caller, no_role, by_target) in table {
            let principal = user(&[caller]);
            assert_eq!(
                principal.may_change_user(&[]).is_ok(),
                no_role,
                "{caller:?} -> a user with no role"
            );
            for (target, allowed) in DirectoryRole::ALL.into_iter().zip(by_target) {
                assert_eq!(
                    principal.may_change_user(&[target]).is_ok(),
                    allowed,
                    "{caller:?} -> {target:?}"
                );
            }
        }
        // One role out of reach is enough to refuse, and the refusal names it.
        assert_eq!(
            user(&[UserAdministrator]).may_change_user(&[UserAdministrator, GlobalAdministrator]),
            Err(UserRefusal::HoldsRole(GlobalAdministrator))
        );
        assert_eq!(
            user(&[GlobalReader]).may_change_user(&[]),
            Err(UserRefusal::NotAllowed)
        );
        assert!(app(&AppPermission::ALL).may_change_user(&[]).is_err());
        let reason = UserRefusal::HoldsRole(GlobalAdministrator).describe_allowed();
        assert!(
            reason.contains("holds the role Global Administrator"),
            "{reason}"
        );
        assert!(
            reason.contains("only users with the role Global Administrator may"),
            "{reason}"
        );
        let reason = UserRefusal::HoldsRole(UserAdministrator).describe_allowed();
        assert!(
            reason.contains("role Global Administrator, User Administrator may"),
            "{reason}"
        );
    }

    #[test]
    fn roles_parse_by_id_name_or_display_name() {
        assert_eq!(
            DirectoryRole::parse("62E90394-69F5-4237-9190-012177145E10"),
            Some(DirectoryRole::GlobalAdministrator)
        );
        assert_eq!(
            DirectoryRole::parse("globalreader"),
            Some(DirectoryRole::GlobalReader)
        );
        assert_eq!(
            DirectoryRole::parse("Billing Administrator"),
            Some(DirectoryRole::BillingAdministrator)
        );
        assert_eq!(DirectoryRole::parse("Owner"), None);
        assert_eq!(
            AppPermission::parse("policy.readwrite.allowselfservicepurchase"),
            Some(AppPermission::PolicyReadWrite)
        );
    }

    #[test]
    fn forbidden_reason_names_what_would_be_allowed() {
        let text = Operation::WritePolicy.describe_allowed();
        assert!(text.contains("Global Administrator, Billing Administrator"));
        assert!(text.contains("Policy.ReadWrite.AllowSelfServicePurchase"));
        assert!(!text.contains("Global Reader"));
    }
}
