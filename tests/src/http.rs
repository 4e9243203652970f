//! The HTTP client side: requests to a running server, and its answers.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::Server;

/// An answer: status, headers, JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and, for errors, the error code of the envelope.
    #[track_caller]
    pub fn expect(&self, status: u16, error_code: Option<&str>) -> &Answer {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        if let Some(code) = error_code {
            assert_eq!(
                self.json["errorCode"], code,
                "unexpected errorCode; body: {}",
                self.text
            );
            assert!(
                self.json["reason"].as_str().is_some_and(|r| r.len() > 10),
                "an error must say why: {}",
                self.text
            );
        }
        self
    }
}

impl Server {
    /// A document anyone may read (discovery, keys, health): GET `path` (or a whole URL), answered as JSON.
    pub async fn public_json(&self, path_or_url: &str) -> Value {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let response = self.http.get(&url).send().await.expect("request");
        assert!(
            response.status().is_success(),
            "GET {url}: {}",
            response.status()
        );
        response.json().await.expect("JSON")
    }

    pub async fn token_request(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("request");
        answer(response).await
    }

    /// A token request as a proxy in front of the service forwards it from `address` (`X-Forwarded-For`, which
    /// the service reads only with `trust_forwarded_for`).
    pub async fn token_request_from(
        &self,
        address: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Answer {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-forwarded-for", address)
            .form(form)
            .send()
            .await
            .expect("request");
        answer(response).await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Sends a raw body with the given content type.
    pub async fn put_raw(
        &self,
        path: &str,
        token: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        answer(request.send().await.expect("request")).await
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

/// The cookies of a browser without JavaScript, for tests that walk sign-in pages over plain HTTP: kept by name
/// (one path per name is all the service uses; the service and a provider on 127.0.0.1 share them, as a browser
/// shares cookies across ports), sent with every request, and every `Set-Cookie` kept as sent.
#[derive(Debug, Default)]
pub struct CookieJar {
    pub cookies: std::collections::BTreeMap<String, String>,
    /// Every `Set-Cookie` received, in order.
    pub set_cookies: Vec<String>,
}

impl CookieJar {
    /// Sends `request` with the cookies held, and keeps or forgets those the answer sets.
    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie)
        };
        let response = request.send().await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap().to_string();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if set.contains("Max-Age=0") || set.contains("expires=Thu, 01 Jan 1970") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
            self.set_cookies.push(set);
        }
        response
    }

    /// The `Set-Cookie` last received for `name`.
    #[track_caller]
    pub fn set_cookie(&self, name: &str) -> &str {
        self.set_cookies
            .iter()
            .rev()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no cookie {name} was set: {:?}", self.set_cookies))
    }
}
