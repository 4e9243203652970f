//! Trusted issuers, against a real OpenID Connect provider (`oidc-provider` on Node.js, started as a process):
//! its tokens read and write as their mapped roles, a person's first token makes their user, its keys rotate
//! while the service runs, and each kind of bad token is refused with a reason, a flood of made-up key IDs
//! without more than a few fetches of its keys.

use std::time::{Duration, Instant};

use mscommerce_tests::oidc::{
    header_of, with_header, OidcProvider, AUDIENCE, RESOURCE, RESOURCE_ES256, RESOURCE_OTHER,
    RESOURCE_SHORT,
};
use mscommerce_tests::{product_path, Server};
use serde_json::{json, Value};

const SECRET: &str = "provider-client-secret-0123456789";
const PRODUCT: &str = "CFQ7TTC0H9MP";
const GLOBAL_ADMINISTRATOR_ID: &str = "62e90394-69f5-4237-9190-012177145e10";
const BILLING_ADMINISTRATOR_ID: &str = "b0f54661-2d74-4c50-afa3-1ec803f12efe";
const GLOBAL_READER_ID: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

/// A server whose key refetches may come every second and that tolerates no clock skew (so that a token one
/// second old is expired).
async fn server() -> Server {
    Server::start_with(&[
        ("MSCOMMERCE_FEDERATION_KEY_REFETCH_SECONDS", "1"),
        ("MSCOMMERCE_TOKEN_LEEWAY_SECONDS", "0"),
    ])
    .await
}

fn client(id: &str, claims: Value) -> Value {
    json!({"client_id": id, "client_secret": SECRET, "claims": claims})
}

/// A provider with apps that read and write policy, one that reads, a client people sign in through, and two
/// people: Alice in the group `billing`, Bob in `readers`.
async fn provider() -> OidcProvider {
    OidcProvider::start(
        json!([
            client("writer", json!({"roles": ["Policy.ReadWrite.AllowSelfServicePurchase"]})),
            client("reader", json!({"roles": ["Policy.Read.AllowSelfServicePurchase"]})),
            client("portal", json!({})),
        ]),
        json!({
            "alice": {"preferred_username": "Alice@Example.org", "name": "Alice Federated", "groups": ["billing"]},
            "bob": {"preferred_username": "bob@example.org", "name": "Bob Federated", "groups": ["readers", "other"]},
        }),
    )
    .await
}

/// The generic provider's trust: people by `sub`, named by `preferred_username`, roles from groups.
fn generic_trust(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "displayName": "Test provider",
        "audiences": [AUDIENCE],
        "claimMapping": {
            "userClaim": "sub",
            "nameClaim": "preferred_username",
            "roleSource": "groups",
            "groupRoles": [
                {"group": "billing", "role": "BillingAdministrator"},
                {"group": "readers", "role": "GlobalReader"},
            ],
        },
    })
}

async fn policy_value(server: &Server, token: &str) -> Value {
    let answer = server.get(&product_path(PRODUCT), token).await;
    answer.expect(200, None);
    answer.json["policyValue"].clone()
}

#[tokio::test]
async fn provider_tokens_read_and_write_as_their_mapped_roles_and_first_sign_in_makes_the_user() {
    let server = server().await;
    let provider = provider().await;
    let admin = server.admin_token().await;

    // Not trusted yet: refused, naming the issuer.
    let writer = provider.client_token("writer", SECRET, RESOURCE).await;
    let refused = server.get(&product_path(PRODUCT), &writer).await;
    refused.expect(401, Some("TokenUntrustedIssuer"));
    assert!(refused.json["reason"]
        .as_str()
        .unwrap()
        .contains(&provider.issuer));

    let added = server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            generic_trust(&provider.issuer),
        )
        .await;
    added.expect(201, None);
    assert_eq!(added.json["issuer"], provider.issuer.as_str());
    assert_eq!(added.json["claimMapping"]["roleSource"], "groups");
    assert_eq!(
        added.json["claimMapping"]["groupRoles"][0]["role"],
        "BillingAdministrator"
    );

    // Apps: permissions from `roles`.
    server
        .put(
            &product_path(PRODUCT),
            &writer,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let reader = provider
        .client_token("reader", SECRET, RESOURCE_ES256)
        .await;
    assert_eq!(header_of(&reader)["alg"], "ES256");
    assert_eq!(policy_value(&server, &reader).await, "Disabled");
    server
        .put(
            &product_path(PRODUCT),
            &reader,
            json!({"policyValue": "Enabled"}),
        )
        .await
        .expect(403, Some("Forbidden"));

    // People, through the authorization code flow: roles from their groups.
    let alice = provider
        .user_token("portal", SECRET, "alice", RESOURCE)
        .await;
    server
        .put(
            &product_path(PRODUCT),
            &alice,
            json!({"policyValue": "Enabled"}),
        )
        .await
        .expect(200, None);
    let bob = provider
        .user_token("portal", SECRET, "bob", RESOURCE_ES256)
        .await;
    assert_eq!(policy_value(&server, &bob).await, "Enabled");
    server
        .put(
            &product_path(PRODUCT),
            &bob,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(403, Some("Forbidden"));

    // Their first sign-in made their users, named as the provider names them.
    let users = server.get("/v1.0/users", &admin).await;
    users.expect(200, None);
    let find = |upn: &str| {
        users.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["userPrincipalName"] == upn)
            .cloned()
            .unwrap_or_else(|| panic!("no user {upn}: {}", users.text))
    };
    let alice_user = find("alice@example.org");
    assert_eq!(alice_user["displayName"], "Alice Federated");
    assert_eq!(alice_user["userType"], "Member");
    assert_eq!(alice_user["roles"], json!(["BillingAdministrator"]));
    assert_eq!(find("bob@example.org")["roles"], json!(["GlobalReader"]));

    // The audit trail names them: created by the trust, the change made by Alice.
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    let items = events.json["items"].as_array().unwrap().clone();
    assert!(items.iter().any(|e| e["action"] == "UserCreated"
        && e["targetName"] == "alice@example.org"
        && e["actorType"] == "TrustedIssuer"));
    assert!(items.iter().any(|e| e["action"] == "TrustedIssuerAdded"));
    let changes = server.get("/v1.0/auditLogs/policyChanges", &admin).await;
    assert!(
        changes.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actorName"] == "alice@example.org"
                && e["actorId"] == alice_user["id"]
                && e["newValue"] == "Enabled"),
        "{}",
        changes.text
    );

    // A second token of Alice's is the same user, not a new one.
    let again = provider
        .user_token("portal", SECRET, "alice", RESOURCE)
        .await;
    assert_ne!(again, alice);
    assert_eq!(policy_value(&server, &again).await, "Enabled");
    let users = server.get("/v1.0/users", &admin).await;
    let alices = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["userPrincipalName"] == "alice@example.org")
        .count();
    assert_eq!(alices, 1);

    // Disabling the user stops their tokens, as any user's.
    let id = alice_user["id"].as_str().unwrap();
    server
        .patch(
            &format!("/v1.0/users/{id}"),
            &admin,
            json!({"accountEnabled": false}),
        )
        .await
        .expect(200, None);
    server
        .get(&product_path(PRODUCT), &alice)
        .await
        .expect(401, Some("TokenPrincipalDisabled"));

    // Removing the trust refuses its tokens at once, even those verified before.
    let trust_id = added.json["id"].as_str().unwrap();
    server
        .call(
            reqwest::Method::DELETE,
            &format!("/v1.0/trustedIssuers/{trust_id}"),
            Some(&admin),
            None,
        )
        .await
        .expect(204, None);
    server
        .get(&product_path(PRODUCT), &writer)
        .await
        .expect(401, Some("TokenUntrustedIssuer"));
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    assert!(events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "TrustedIssuerRemoved"));
}

#[tokio::test]
async fn entra_shaped_tokens_map_oid_upn_wids_and_guests_and_roles_follow_the_provider() {
    let server = server().await;
    let mut provider = OidcProvider::start(
        json!([client("portal", json!({}))]),
        json!({
            "carol": {
                "oid": "0b6e5a52-1b9c-4a51-9d0c-4a0d9a8c0001", "upn": "carol@fabrikam.com", "name": "Carol",
                "tid": "9188040d-6c67-4c5b-b112-36a304b66dad", "scp": "user_impersonation",
                "wids": [BILLING_ADMINISTRATOR_ID, "b79fbf4d-3ef9-4689-8143-76b194e85509"],
            },
            "guest": {
                "oid": "0b6e5a52-1b9c-4a51-9d0c-4a0d9a8c0002", "email": "dave@partner.example", "acct": 1,
                "tid": "9188040d-6c67-4c5b-b112-36a304b66dad", "scp": "user_impersonation",
                "wids": [GLOBAL_ADMINISTRATOR_ID],
            },
        }),
    )
    .await;
    let tenant = server.first_tenant();
    // Through the command line this time, with Entra's defaults and the directory's ID.
    let id = server.cli_ok(&[
        "issuer",
        "add",
        "--tenant",
        &tenant,
        "--issuer",
        &provider.issuer,
        "--audience",
        AUDIENCE,
        "--external-tenant-id",
        "9188040d-6c67-4c5b-b112-36a304b66dad",
    ]);
    assert!(server
        .cli_ok(&["issuer", "list", "--tenant", &tenant])
        .contains(id.trim()));

    let carol = provider
        .user_token("portal", SECRET, "carol", RESOURCE)
        .await;
    server
        .put(
            &product_path(PRODUCT),
            &carol,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let guest = provider
        .user_token("portal", SECRET, "guest", RESOURCE)
        .await;
    // Global Administrator by wids: reads the users, among them the guest itself.
    let users = server.get("/v1.0/users", &guest).await;
    users.expect(200, None);
    let dave = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userPrincipalName"] == "dave@partner.example")
        .cloned()
        .expect("the guest's user");
    assert_eq!(dave["userType"], "Guest");
    assert_eq!(dave["roles"], json!(["GlobalAdministrator"]));
    let carol_user = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userPrincipalName"] == "carol@fabrikam.com")
        .cloned()
        .expect("carol's user");
    assert_eq!(carol_user["roles"], json!(["BillingAdministrator"]));

    // At the provider, Carol becomes a Global Reader instead: her next token's roles replace those held here
    // (audited), and her earlier token answers by her roles as they are now.
    provider
        .set_accounts(json!({
            "carol": {
                "oid": "0b6e5a52-1b9c-4a51-9d0c-4a0d9a8c0001", "upn": "carol@fabrikam.com", "name": "Carol",
                "tid": "9188040d-6c67-4c5b-b112-36a304b66dad", "scp": "user_impersonation",
                "wids": [GLOBAL_READER_ID],
            },
        }))
        .await;
    let reader = provider
        .user_token("portal", SECRET, "carol", RESOURCE)
        .await;
    assert_eq!(policy_value(&server, &reader).await, "Disabled");
    for token in [&reader, &carol] {
        server
            .put(
                &product_path(PRODUCT),
                token,
                json!({"policyValue": "Enabled"}),
            )
            .await
            .expect(403, Some("Forbidden"));
    }
    let admin = server.admin_token().await;
    let carol_id = carol_user["id"].as_str().unwrap();
    let user = server.get(&format!("/v1.0/users/{carol_id}"), &admin).await;
    assert_eq!(user.json["roles"], json!(["GlobalReader"]));
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    assert!(events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "UserUpdated"
            && e["targetId"] == carol_id
            && e["actorType"] == "TrustedIssuer"));
}

#[tokio::test]
async fn bad_tokens_are_refused_each_with_its_reason() {
    let server = server().await;
    let provider = provider().await;
    let admin = server.admin_token().await;
    server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            generic_trust(&provider.issuer),
        )
        .await
        .expect(201, None);

    // An issuer no tenant trusts.
    let stranger = OidcProvider::start(
        json!([client(
            "writer",
            json!({"roles": ["Policy.ReadWrite.AllowSelfServicePurchase"]})
        )]),
        json!({}),
    )
    .await;
    let unknown = server
        .get(
            &product_path(PRODUCT),
            &stranger.client_token("writer", SECRET, RESOURCE).await,
        )
        .await;
    unknown.expect(401, Some("TokenUntrustedIssuer"));
    assert!(unknown.json["reason"]
        .as_str()
        .unwrap()
        .contains(&stranger.issuer));

    // Another audience.
    let other = provider
        .client_token("writer", SECRET, RESOURCE_OTHER)
        .await;
    let answer = server.get(&product_path(PRODUCT), &other).await;
    answer.expect(401, Some("TokenInvalidAudience"));
    assert!(answer.json["reason"].as_str().unwrap().contains(AUDIENCE));

    // Expired (a one-second token, no leeway).
    let short = provider
        .client_token("writer", SECRET, RESOURCE_SHORT)
        .await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    server
        .get(&product_path(PRODUCT), &short)
        .await
        .expect(401, Some("TokenExpired"));

    // An algorithm the key does not allow: the RSA key is RS256's, the EC key ES256's; HS256 never.
    let good = provider.client_token("writer", SECRET, RESOURCE).await;
    let kid = header_of(&good)["kid"].as_str().unwrap().to_string();
    for alg in ["HS256", "PS256", "ES256", "none"] {
        let forged = with_header(&good, json!({"alg": alg, "typ": "at+jwt", "kid": kid}));
        let answer = server.get(&product_path(PRODUCT), &forged).await;
        answer.expect(401, Some("TokenAlgorithmNotAllowedByKey"));
        assert!(
            answer.json["reason"].as_str().unwrap().contains("RS256"),
            "{alg}"
        );
    }
    // A signature that does not match.
    let (signed, _) = good.rsplit_once('.').unwrap();
    let (_, other_signature) = other.rsplit_once('.').unwrap();
    server
        .get(
            &product_path(PRODUCT),
            &format!("{signed}.{other_signature}"),
        )
        .await
        .expect(401, Some("TokenInvalidSignature"));
    // The genuine one passes.
    server
        .get(&product_path(PRODUCT), &good)
        .await
        .expect(200, None);
}

#[tokio::test]
async fn an_issuer_names_the_one_tenant_that_trusts_it() {
    let server = server().await;
    let admin = server.admin_token().await;
    let ours = provider().await;
    server
        .post("/v1.0/trustedIssuers", &admin, generic_trust(&ours.issuer))
        .await
        .expect(201, None);
    // Another organization of the service trusts another provider, for its directory `dir-b` only.
    let other_tenant = server.create_tenant("Fabrikam");
    let theirs = OidcProvider::start(
        json!([
            client(
                "theirs",
                json!({"tid": "dir-b", "roles": ["Policy.ReadWrite.AllowSelfServicePurchase"]})
            ),
            client(
                "elsewhere",
                json!({"tid": "dir-x", "roles": ["Policy.ReadWrite.AllowSelfServicePurchase"]})
            ),
        ]),
        json!({}),
    )
    .await;
    server.cli_ok(&[
        "issuer",
        "add",
        "--tenant",
        &other_tenant,
        "--issuer",
        &theirs.issuer,
        "--audience",
        AUDIENCE,
        "--external-tenant-id",
        "dir-b",
    ]);

    // Our organization cannot trust their issuer too: its tokens name one organization.
    let taken = server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            generic_trust(&theirs.issuer),
        )
        .await;
    taken.expect(409, Some("Conflict"));
    assert!(taken.json["reason"]
        .as_str()
        .unwrap()
        .contains("another organization"));

    // Their app's token reaches their organization's policy, never ours.
    server
        .put(
            &product_path(PRODUCT),
            &admin,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let their_token = theirs.client_token("theirs", SECRET, RESOURCE).await;
    assert_eq!(policy_value(&server, &their_token).await, "Enabled");
    server
        .put(
            &product_path(PRODUCT),
            &their_token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    server
        .put(
            &product_path(PRODUCT),
            &admin,
            json!({"policyValue": "Enabled"}),
        )
        .await
        .expect(200, None);
    assert_eq!(policy_value(&server, &their_token).await, "Disabled");
    assert_eq!(policy_value(&server, &admin).await, "Enabled");

    // A token of their issuer for another directory than the one trusted is refused.
    let elsewhere = theirs.client_token("elsewhere", SECRET, RESOURCE).await;
    let answer = server.get(&product_path(PRODUCT), &elsewhere).await;
    answer.expect(401, Some("TokenExternalTenantMismatch"));
    assert!(answer.json["reason"]
        .as_str()
        .unwrap()
        .contains(&theirs.issuer));
}

#[tokio::test]
async fn keys_rotate_without_a_restart_and_unknown_kids_cost_few_fetches() {
    let server = server().await;
    let mut provider = provider().await;
    let admin = server.admin_token().await;
    server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            generic_trust(&provider.issuer),
        )
        .await
        .expect(201, None);
    let first = provider.client_token("writer", SECRET, RESOURCE).await;
    let spare = provider.client_token("reader", SECRET, RESOURCE).await;
    server
        .get(&product_path(PRODUCT), &first)
        .await
        .expect(200, None);
    assert_eq!(provider.fetches().await, (1, 1), "one discovery, one JWKS");

    // A flood of made-up key IDs for three seconds, 20 at a time: each refused, the JWKS fetched at most once a
    // second (the interval this server is given; 5 seconds by default).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = Instant::now();
    let mut refused = 0;
    let mut round = 0;
    while started.elapsed() < Duration::from_secs(3) {
        round += 1;
        let requests = (0..20).map(|i| {
            let forged = with_header(
                &first,
                json!({"alg": "RS256", "typ": "at+jwt", "kid": format!("made-up-{round}-{i}")}),
            );
            let server = &server;
            async move { server.get(&product_path(PRODUCT), &forged).await }
        });
        for answer in futures_util::future::join_all(requests).await {
            answer.expect(401, Some("TokenUnknownKey"));
            refused += 1;
        }
    }
    let elapsed = started.elapsed();
    let (discovery, jwks) = provider.fetches().await;
    let allowed = elapsed.as_secs() + 2;
    println!(
        "unknown-kid flood: {refused} tokens in {elapsed:?} caused {} JWKS fetches (discovery fetched {discovery} \
         time in all)",
        jwks - 1
    );
    assert_eq!(discovery, 1);
    // The service counts the same fetches.
    let metrics = server
        .http
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counted = metrics
        .lines()
        .find_map(|l| l.strip_prefix("mscommerce_trusted_issuer_key_fetches_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("the key fetch counter");
    assert_eq!(counted as u64, discovery + jwks);
    assert!(jwks > 1, "an unknown kid makes the keys be fetched again");
    assert!(
        jwks - 1 <= allowed,
        "{} fetches for {refused} made-up kids in {elapsed:?}",
        jwks - 1
    );

    // The provider rotates: a new RSA key signs. Its first token makes the service fetch the keys again.
    provider.rotate_keys().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let rotated = provider.client_token("writer", SECRET, RESOURCE).await;
    assert_ne!(header_of(&rotated)["kid"], header_of(&first)["kid"]);
    server
        .get(&product_path(PRODUCT), &rotated)
        .await
        .expect(200, None);
    assert_eq!(
        provider.fetches().await.1,
        1,
        "the restarted provider's JWKS, once"
    );
    // Tokens of the old key, still published, keep working.
    server
        .get(&product_path(PRODUCT), &first)
        .await
        .expect(200, None);

    // The provider goes away: a token signed with a key already known still works; an unknown kid is refused.
    provider.pause();
    server
        .get(&product_path(PRODUCT), &spare)
        .await
        .expect(200, None);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let forged = with_header(&first, json!({"alg": "RS256", "kid": "made-up-while-away"}));
    server
        .get(&product_path(PRODUCT), &forged)
        .await
        .expect(401, Some("TokenUnknownKey"));
}

#[tokio::test]
async fn trusts_are_validated_and_only_global_administrators_make_them() {
    let server = server().await;
    let admin = server.admin_token().await;
    let tenant = server.first_tenant();
    let cases = [
        (
            json!({"issuer": "http://idp.example.com", "audiences": [AUDIENCE]}),
            "InvalidIssuer",
        ),
        (
            json!({"issuer": "https://idp.example.com/?x=1", "audiences": [AUDIENCE]}),
            "InvalidIssuer",
        ),
        (
            json!({"issuer": "https://idp.example.com", "audiences": []}),
            "InvalidAudience",
        ),
        (
            json!({"issuer": "https://idp.example.com", "audiences": ["a b"]}),
            "InvalidAudience",
        ),
        (
            json!({"issuer": "https://idp.example.com", "audiences": [AUDIENCE], "claimMapping": {"userClaim": "email"}}),
            "InvalidClaimMapping",
        ),
        (
            json!({"issuer": "https://idp.example.com", "audiences": [AUDIENCE], "claimMapping": {"roleSource": "groups"}}),
            "InvalidClaimMapping",
        ),
        (
            json!({"issuer": "https://idp.example.com", "audiences": [AUDIENCE], "claimMapping": {"roleSource": "groups", "groupRoles": [{"group": "g", "role": "Owner"}]}}),
            "UnknownRole",
        ),
        (
            json!({"issuer": "https://idp.example.com"}),
            "InvalidRequestBody",
        ),
    ];
    for (body, code) in cases {
        server
            .post("/v1.0/trustedIssuers", &admin, body.clone())
            .await
            .expect(400, Some(code));
    }
    let upn = server.create_user(
        &tenant,
        "billing@contoso.onmicrosoft.com",
        &["BillingAdministrator"],
    );
    let billing = server
        .user_token(&upn, mscommerce_tests::USER_PASSWORD)
        .await;
    server
        .post(
            "/v1.0/trustedIssuers",
            &billing,
            json!({"issuer": "https://idp.example.com", "audiences": [AUDIENCE]}),
        )
        .await
        .expect(403, Some("Forbidden"));
    server
        .get("/v1.0/trustedIssuers", &billing)
        .await
        .expect(403, Some("Forbidden"));
    let added = server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            json!({"issuer": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", "audiences": [AUDIENCE]}),
        )
        .await;
    added.expect(201, None);
    assert_eq!(added.json["claimMapping"]["userClaim"], "oid");
    assert_eq!(added.json["claimMapping"]["nameClaim"], "upn");
    assert_eq!(added.json["claimMapping"]["roleSource"], "wids");
    let id = added.json["id"].as_str().unwrap();
    let list = server.get("/v1.0/trustedIssuers", &admin).await;
    assert_eq!(list.json["items"][0]["id"], id);
    server
        .get(&format!("/v1.0/trustedIssuers/{id}"), &admin)
        .await
        .expect(200, None);
    server
        .get(
            "/v1.0/trustedIssuers/00000000-0000-0000-0000-000000000000",
            &admin,
        )
        .await
        .expect(404, Some("TrustedIssuerNotFound"));
    server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            json!({"issuer": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", "audiences": [AUDIENCE]}),
        )
        .await
        .expect(409, Some("Conflict"));
}
