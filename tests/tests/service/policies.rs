//! The compatible policy endpoints: paths, shapes, values, old IDs, case.

use mscommerce_tests::*;
use serde_json::json;

#[tokio::test]
async fn policies_list_and_single_policy_have_microsofts_shape() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    for prefix in ["/v1.0", "/v1"] {
        let list = server.get(&format!("{prefix}/policies"), &token).await;
        list.expect(200, None);
        assert_eq!(
            list.json["items"][0],
            json!({
                "id": "AllowSelfServicePurchase",
                "description": list.json["items"][0]["description"],
                "defaultValue": "Enabled"
            })
        );
        assert_eq!(list.json["items"].as_array().unwrap().len(), 1);
        let one = server
            .get(
                &format!("{prefix}/policies/allowSELFservicepurchase"),
                &token,
            )
            .await;
        one.expect(200, None);
        assert_eq!(
            one.json, list.json["items"][0],
            "the single policy is the list item without the wrapper"
        );
    }
    server
        .get("/v1.0/policies/AllowSomethingElse", &token)
        .await
        .expect(404, Some("PolicyNotFound"));
}

#[tokio::test]
async fn product_list_has_every_product_enabled_by_default_in_one_page() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let plain = server
        .get(&format!("/v1.0/policies/{POLICY}/products"), &token)
        .await;
    let scoped = server
        .get(
            &format!("/v1/policies/{POLICY}/products?scope=product"),
            &token,
        )
        .await;
    let any_case = server
        .get(
            &format!("/v1.0/policies/{POLICY}/products?scope=PRODUCT"),
            &token,
        )
        .await;
    plain.expect(200, None);
    assert_eq!(
        plain.json, scoped.json,
        "no query and scope=product are the same"
    );
    assert_eq!(plain.json, any_case.json);
    assert!(plain.json.get("nextLink").is_none(), "one page, no paging");
    let items = plain.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 25);
    let power_bi = items
        .iter()
        .find(|i| i["productId"] == "CFQ7TTC0H9MP")
        .expect("Power BI Pro listed");
    assert_eq!(
        *power_bi,
        json!({
            "policyId": "AllowSelfServicePurchase",
            "policyValue": "Enabled",
            "productId": "CFQ7TTC0H9MP",
            "productName": "Power BI Pro",
            "scope": "product"
        })
    );
    assert!(items
        .iter()
        .all(|i| i["policyValue"] == "Enabled" && i["scope"] == "product"));
    for (id, name) in [
        ("CFQ7TTC0LH2H", "Power Apps per user"),
        ("CFQ7TTC0HDB1", "Planner Plan 1"),
        (
            "CFQ7TTC0HX99",
            "Windows 365 Business with Windows Hybrid Benefit",
        ),
        ("CFQ7TTC0MM8R", "Microsoft 365 Copilot"),
    ] {
        assert!(
            items
                .iter()
                .any(|i| i["productId"] == id && i["productName"] == name),
            "{id} {name}"
        );
    }
}

#[tokio::test]
async fn offer_types_are_listed_with_scope_offer_type() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let list = server
        .get(
            &format!("/v1.0/policies/{POLICY}/products?scope=OfferType"),
            &token,
        )
        .await;
    list.expect(200, None);
    let items = list.json["items"].as_array().unwrap();
    let ids: Vec<_> = items
        .iter()
        .map(|i| i["scopeId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SaaS", "POWERBIVISUALS", "DYNAMICSCE", "DYNAMICSBC"]);
    assert_eq!(
        items[0],
        json!({
            "policyId": "AllowSelfServicePurchase",
            "policyValue": "Enabled",
            "scope": "OfferType",
            "scopeId": "SaaS",
            "scopeValue": "Software as a Service"
        })
    );
}

#[tokio::test]
async fn put_answers_the_full_updated_record_and_get_reads_it_back() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let put = server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await;
    put.expect(200, None);
    let expected = json!({
        "policyId": "AllowSelfServicePurchase",
        "policyValue": "Disabled",
        "productId": "CFQ7TTC0H9MP",
        "productName": "Power BI Pro",
        "scope": "product"
    });
    assert_eq!(put.json, expected);
    assert_eq!(
        server.get(&product_path("CFQ7TTC0H9MP"), &token).await.json,
        expected
    );
    let list = server
        .get(&format!("/v1.0/policies/{POLICY}/products"), &token)
        .await;
    let disabled: Vec<_> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["policyValue"] != "Enabled")
        .map(|i| i["productId"].clone())
        .collect();
    assert_eq!(
        disabled,
        [json!("CFQ7TTC0H9MP")],
        "only the changed product changed"
    );

    let offer = server
        .put(
            &offer_type_path("saas"),
            &token,
            json!({"policyValue": "disabled"}),
        )
        .await;
    offer.expect(200, None);
    assert_eq!(offer.json["scopeId"], "SaaS");
    assert_eq!(
        offer.json["policyValue"], "Disabled",
        "values are answered canonically"
    );
    assert_eq!(
        server.get(&offer_type_path("SAAS"), &token).await.json,
        offer.json
    );
}

#[tokio::test]
async fn old_ids_and_any_case_resolve_to_the_current_product() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    // CFQ7TTC0L3PB is Power BI Pro's ID from before 2021.
    let put = server
        .put(
            &product_path("cfq7ttc0l3pb"),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await;
    put.expect(200, None);
    assert_eq!(
        put.json["productId"], "CFQ7TTC0H9MP",
        "answers name the current ID"
    );
    let by_new = server.get(&product_path("CFQ7TTC0H9MP"), &token).await;
    assert_eq!(
        by_new.json["policyValue"], "Disabled",
        "a value set under an old ID is the new ID's value"
    );
    let by_old = server.get(&product_path("CFQ7TTC0L3PB"), &token).await;
    assert_eq!(by_old.json, by_new.json);
    let lower = server
        .get(
            "/v1/policies/allowselfservicepurchase/products/cfq7ttc0h9mp",
            &token,
        )
        .await;
    assert_eq!(lower.json, by_new.json);
}

#[tokio::test]
async fn trials_only_value_is_for_flagged_products_only() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    // Planner Plan 1 offers trials without a payment method.
    let ok = server
        .put(
            &product_path("CFQ7TTC0HDB1"),
            &token,
            json!({"policyValue": "onlytrialswithoutpaymentmethod"}),
        )
        .await;
    ok.expect(200, None);
    assert_eq!(ok.json["policyValue"], "OnlyTrialsWithoutPaymentMethod");

    let refused = server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &token,
            json!({"policyValue": "OnlyTrialsWithoutPaymentMethod"}),
        )
        .await;
    refused.expect(400, Some("PolicyValueNotAllowed"));
    let reason = refused.json["reason"].as_str().unwrap();
    assert!(
        reason.contains("Power BI Pro") && reason.contains("Allowed values: Enabled, Disabled"),
        "{reason}"
    );

    server
        .put(
            &offer_type_path("SaaS"),
            &token,
            json!({"policyValue": "OnlyTrialsWithoutPaymentMethod"}),
        )
        .await
        .expect(400, Some("PolicyValueNotAllowed"));
    assert_eq!(
        server.get(&product_path("CFQ7TTC0H9MP"), &token).await.json["policyValue"],
        "Enabled",
        "a refused change changes nothing"
    );
}

#[tokio::test]
async fn powershell_5_bodies_are_accepted() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    // Windows PowerShell 5.1 ConvertTo-Json: pretty-printed, CRLF, and some clients add a BOM and a charset.
    let body = b"\xEF\xBB\xBF{\r\n    \"policyValue\":  \"Disabled\"\r\n}".to_vec();
    server
        .put_raw(
            &product_path("CFQ7TTC0LH2H"),
            &token,
            Some("application/json; charset=utf-8"),
            body,
        )
        .await
        .expect(200, None);
    let compact = br#"{"policyValue":"Enabled"}"#.to_vec();
    let answer = server
        .put_raw(
            &product_path("CFQ7TTC0LH2H"),
            &token,
            Some("Application/JSON"),
            compact,
        )
        .await;
    answer.expect(200, None);
    assert_eq!(answer.json["policyValue"], "Enabled");
}

#[tokio::test]
async fn unknown_products_and_offer_types_are_404() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    server
        .get(&product_path("CFQ7TTC0XXXX"), &token)
        .await
        .expect(404, Some("ProductNotFound"));
    server
        .put(
            &product_path("CFQ7TTC0XXXX"),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(404, Some("ProductNotFound"));
    let offer = server.get(&offer_type_path("Consulting"), &token).await;
    offer.expect(404, Some("OfferTypeNotFound"));
    assert!(offer.json["reason"]
        .as_str()
        .unwrap()
        .contains("SaaS, POWERBIVISUALS, DYNAMICSCE, DYNAMICSBC"));
    server
        .get("/v1.0/policies/Nope/products/CFQ7TTC0H9MP", &token)
        .await
        .expect(404, Some("PolicyNotFound"));
}

/// A request with extra headers (the conditional ones), as a client that sends them would make it.
async fn conditional(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: serde_json::Value,
) -> (u16, Option<String>, serde_json::Value) {
    let mut request = server
        .http
        .request(method, format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(&body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let json = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, etag, json)
}

#[tokio::test]
async fn policy_values_carry_an_etag_that_changes_with_each_write() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    for path in [product_path("CFQ7TTC0H9MP"), offer_type_path("SaaS")] {
        let read = server.get(&path, &token).await;
        read.expect(200, None);
        let initial = read
            .header("etag")
            .expect("GET answers an ETag")
            .to_string();
        assert_eq!(
            server.get(&path, &token).await.header("etag"),
            Some(initial.as_str()),
            "a value never written has a fixed ETag"
        );
        let put = server
            .put(&path, &token, json!({"policyValue": "Disabled"}))
            .await;
        put.expect(200, None);
        let written = put.header("etag").expect("PUT answers an ETag").to_string();
        assert_ne!(written, initial, "a write changes the ETag");
        assert!(
            written.starts_with('"') && written.ends_with('"'),
            "a strong ETag: {written}"
        );
        assert_eq!(
            server.get(&path, &token).await.header("etag"),
            Some(written.as_str())
        );
        let same = server
            .put(&path, &token, json!({"policyValue": "Disabled"}))
            .await;
        assert_eq!(
            same.header("etag"),
            Some(written.as_str()),
            "writing the value it already has changes nothing, its ETag neither"
        );
    }
}

#[tokio::test]
async fn if_match_on_a_policy_put_is_evaluated() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let path = product_path("CFQ7TTC0H9MP");
    let current = server
        .get(&path, &token)
        .await
        .header("etag")
        .expect("GET answers an ETag")
        .to_string();
    let put = |if_match: String, value: &'static str| {
        let (server, token, path) = (&server, &token, &path);
        async move {
            conditional(
                server,
                reqwest::Method::PUT,
                path,
                token,
                &[("if-match", &if_match)],
                json!({"policyValue": value}),
            )
            .await
        }
    };

    for refused in [
        "\"nonsense\"".to_string(),
        "nonsense".to_string(),
        "\"12345\"".to_string(),
        format!("W/{current}"),
    ] {
        let (status, _, body) = put(refused.clone(), "Disabled").await;
        assert_eq!(status, 412, "If-Match {refused}: {body}");
        assert_eq!(body["errorCode"], "PreconditionFailed");
        assert!(
            body["reason"].as_str().unwrap().contains(&current),
            "the reason gives the current ETag {current}: {body}"
        );
    }
    assert_eq!(
        server.get(&path, &token).await.json["policyValue"],
        "Enabled",
        "a refused PUT writes nothing"
    );

    let (status, written, _) = put(current.clone(), "Disabled").await;
    assert_eq!(status, 200, "the current ETag matches");
    let written = written.unwrap();
    let (status, _, body) = put(current.clone(), "Enabled").await;
    assert_eq!(
        status, 412,
        "the ETag read before the write is stale now: {body}"
    );
    assert!(body["reason"].as_str().unwrap().contains(&written));

    let (status, listed, _) = put(format!("\"77\", {written}, \"78\""), "Enabled").await;
    assert_eq!(status, 200, "a list matches when any listed ETag matches");
    let listed = listed.unwrap();
    let (status, _, _) = put("*".to_string(), "Disabled").await;
    assert_eq!(status, 200, "* matches any current value");
    let (status, _, _) = put(format!("\"1\", W/{listed}"), "Disabled").await;
    assert_eq!(status, 412, "weak ETags never match If-Match");
}

#[tokio::test]
async fn if_none_match_star_is_refused_on_resources_that_exist() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let (status, _, body) = conditional(
        &server,
        reqwest::Method::PUT,
        &offer_type_path("SaaS"),
        &token,
        &[("if-none-match", "*")],
        json!({"policyValue": "Disabled"}),
    )
    .await;
    assert_eq!(status, 412, "every policy value exists: {body}");
    assert_eq!(body["errorCode"], "PreconditionFailed");

    let created = server
        .post(
            "/v1.0/subscriptions",
            &token,
            json!({"productId": "CFQ7TTC0H9MP", "quantity": 10}),
        )
        .await;
    created.expect(201, None);
    let path = format!(
        "/v1.0/subscriptions/{}",
        created.json["id"].as_str().unwrap()
    );
    let etag = created.header("etag").unwrap().to_string();
    let (status, _, body) = conditional(
        &server,
        reqwest::Method::PATCH,
        &path,
        &token,
        &[("if-none-match", "*")],
        json!({"quantity": 12}),
    )
    .await;
    assert_eq!(
        status, 412,
        "If-None-Match: * on a PATCH of an existing resource: {body}"
    );
    assert_eq!(body["errorCode"], "PreconditionFailed");
    assert_eq!(server.get(&path, &token).await.json["quantity"], 10);

    let (status, _, body) = conditional(
        &server,
        reqwest::Method::PATCH,
        &path,
        &token,
        &[("if-match", &format!("\"999\", {etag}"))],
        json!({"quantity": 12}),
    )
    .await;
    assert_eq!(status, 200, "a list in If-Match is evaluated: {body}");
    assert_eq!(body["quantity"], 12);
}
