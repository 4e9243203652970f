//! Bad requests: each gets its status and stable code in the envelope, and changes nothing.

use mscommerce_tests::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_validation_error_has_its_status_and_code() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let path = product_path("CFQ7TTC0H9MP");
    let json_type = Some("application/json");

    server
        .get(
            &format!("/v1.0/policies/{POLICY}/products?scope=Tenant"),
            &token,
        )
        .await
        .expect(400, Some("BadRequest"));
    let scope = server
        .get(&format!("/v1.0/policies/{POLICY}/products?scope="), &token)
        .await;
    scope.expect(400, Some("BadRequest"));
    assert!(
        scope.json["reason"]
            .as_str()
            .unwrap()
            .starts_with("Invalid scope."),
        "Microsoft's text first"
    );

    let invalid_value = server
        .put(&path, &token, json!({"policyValue": "True"}))
        .await;
    invalid_value.expect(400, Some("InvalidPolicyValue"));
    assert!(invalid_value.json["reason"]
        .as_str()
        .unwrap()
        .contains("Enabled, Disabled"));
    server
        .put(&path, &token, json!({"policyValue": ""}))
        .await
        .expect(400, Some("InvalidPolicyValue"));
    server
        .put(&path, &token, json!({"value": "Disabled"}))
        .await
        .expect(400, Some("InvalidRequestBody"));
    server
        .put(&path, &token, json!({"policyValue": true}))
        .await
        .expect(400, Some("InvalidRequestBody"));
    server
        .put(&path, &token, json!(["Disabled"]))
        .await
        .expect(400, Some("InvalidRequestBody"));
    server
        .put_raw(
            &path,
            &token,
            json_type,
            b"{\"policyValue\": \"Disabled\"".to_vec(),
        )
        .await
        .expect(400, Some("MalformedJson"));
    server
        .put_raw(&path, &token, json_type, Vec::new())
        .await
        .expect(400, Some("MalformedJson"));
    server
        .put_raw(
            &path,
            &token,
            Some("text/plain"),
            b"{\"policyValue\": \"Disabled\"}".to_vec(),
        )
        .await
        .expect(415, Some("UnsupportedMediaType"));
    server
        .put_raw(
            &path,
            &token,
            None,
            b"{\"policyValue\": \"Disabled\"}".to_vec(),
        )
        .await
        .expect(415, Some("UnsupportedMediaType"));
    let big = format!(
        "{{\"policyValue\": \"Disabled\", \"padding\": \"{}\"}}",
        "x".repeat(100_000)
    );
    server
        .put_raw(&path, &token, json_type, big.into_bytes())
        .await
        .expect(413, Some("PayloadTooLarge"));

    server
        .call(Method::DELETE, &path, Some(&token), None)
        .await
        .expect(405, Some("MethodNotAllowed"));
    server
        .call(Method::POST, "/v1.0/policies", Some(&token), None)
        .await
        .expect(405, Some("MethodNotAllowed"));
    server
        .get("/v1.0/nothing/here", &token)
        .await
        .expect(404, Some("RouteNotFound"));
    server
        .get("/v2.0/policies", &token)
        .await
        .expect(404, Some("RouteNotFound"));
    server
        .get(&format!("/v1.0/policies/{POLICY}/products/%FF%FE"), &token)
        .await
        .expect(400, Some("InvalidPathParameter"));
    server
        .get("/v1.0/auditLogs/policyChanges?top=0", &token)
        .await
        .expect(400, Some("InvalidQueryParameter"));
    server
        .get("/v1.0/auditLogs/policyChanges?top=1001", &token)
        .await
        .expect(400, Some("InvalidQueryParameter"));
    server
        .get("/v1.0/auditLogs/policyChanges?skipToken=abc", &token)
        .await
        .expect(400, Some("InvalidQueryParameter"));

    // Nothing above changed anything.
    assert_eq!(
        server.get(&path, &token).await.json["policyValue"],
        "Enabled"
    );
    let audit = server.get("/v1.0/auditLogs/policyChanges", &token).await;
    assert_eq!(audit.json["items"].as_array().unwrap().len(), 0);
}
