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
    let refused = server
        .put_raw(&path, &token, json_type, big.into_bytes())
        .await;
    refused.expect(413, Some("PayloadTooLarge"));
    // The unread rest of the body makes the connection unusable: clients are told not to reuse it.
    assert_eq!(refused.header("connection"), Some("close"));

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

/// A body sent in chunks (no Content-Length) is refused as soon as it passes the limit, as one that declares its
/// length is.
#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = Server::start().await;
    let token = server.admin_token().await;
    let address = server.base.trim_start_matches("http://").to_string();
    let send_chunked = |body: String| {
        let (address, token) = (address.clone(), token.clone());
        async move {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
            let mut request = format!(
                "PUT {} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                product_path("CFQ7TTC0H9MP")
            );
            for chunk in body.as_bytes().chunks(8192) {
                request.push_str(&format!(
                    "{:x}\r\n{}\r\n",
                    chunk.len(),
                    std::str::from_utf8(chunk).unwrap()
                ));
            }
            request.push_str("0\r\n\r\n");
            // The service may answer and close before it has read all of a refused body.
            let _ = stream.write_all(request.as_bytes()).await;
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer).await;
            String::from_utf8_lossy(&answer).into_owned()
        }
    };
    let small = send_chunked(r#"{"policyValue": "Disabled"}"#.to_string()).await;
    assert!(small.starts_with("HTTP/1.1 200"), "{small}");
    let big = format!(
        r#"{{"policyValue": "Enabled", "padding": "{}"}}"#,
        "x".repeat(100_000)
    );
    let refused = send_chunked(big).await;
    assert!(refused.starts_with("HTTP/1.1 413"), "{refused}");
    assert!(refused.contains("PayloadTooLarge"), "{refused}");
    // The refused change was not made.
    let value = server.get(&product_path("CFQ7TTC0H9MP"), &token).await;
    assert_eq!(value.json["policyValue"], "Disabled");
}
