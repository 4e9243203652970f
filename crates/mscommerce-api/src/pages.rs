//! The HTML pages a person sees: the sign-in form, the device code form, the answers that carry a code back to an
//! app (`form_post`), and the messages (errors, signed out). Server-rendered, without script (but the
//! `form_post` page's auto-submit, which its button stands in for), so that they work in every browser;
//! everything echoed is HTML-escaped here, in one place.
//!
//! Every page is answered with the same protective headers: a content security policy that allows nothing but
//! inline style and posting forms to this service (and, for `form_post`, to the app's loopback origin), no framing,
//! no caching, no referrer. A form carries a CSRF token that must equal the one in a cookie set with the page
//! (double submit: a page of another site can neither read the cookie nor set it).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The cookie that holds the CSRF token of the page's form.
pub(crate) const CSRF_COOKIE: &str = "mscommerce_csrf";
pub(crate) const CSRF_FIELD: &str = "csrf_token";

/// Text made safe inside HTML elements and double-quoted attributes: the one escaping the emails use too.
pub(crate) use mscommerce_domain::notification::escape_html as escape;

/// A hidden field.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;\
color:#1b1b1b}label{display:block;margin-top:1rem}input[type=text],input[type=password],input[type=email]\
{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1.25rem;padding:.5rem 1.25rem}\
.error{color:#a4262c;border-left:3px solid #a4262c;padding-left:.5rem}.notice{border-left:3px solid #0f6cbd;\
padding-left:.5rem}.providers{list-style:none;padding:0;margin-top:1.5rem}.provider{display:inline-block;\
margin-top:.5rem;padding:.5rem 1.25rem;border:1px solid #8a8886;color:inherit;text-decoration:none}";

/// A whole page around `body`.
fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
    )
}

/// The one script of any page: the `form_post` page submits itself. Allowed by its hash alone
/// ([`AUTO_SUBMIT_HASH`], the base64 SHA-256 of exactly this text); without JavaScript the page's button does it.
const AUTO_SUBMIT: &str = "document.forms[0].submit();";
const AUTO_SUBMIT_HASH: &str = "sha256-8lDeP0UDwCO6/RhblgeH/ctdBzjVpJxrXizsnIk3cEQ=";

/// The protective headers of every page. `app_origin` is the app a form's answer reaches: the origin a
/// `form_post` page submits to, or the one the sign-in form's answer redirects to (browsers hold that redirect to
/// `form-action` too: CSP 3 section 6.4.2, enforced by Chromium and Safari). Only the `form_post` page
/// (`auto_submit`) may run its one script.
fn with_headers(
    status: StatusCode,
    html: String,
    app_origin: Option<&str>,
    auto_submit: bool,
    csrf: Option<(&str, bool)>,
) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    let form_action = match app_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_string(),
    };
    let script = if auto_submit {
        format!("; script-src '{AUTO_SUBMIT_HASH}'")
    } else {
        String::new()
    };
    let policy = format!(
        "default-src 'none'; style-src 'self' 'unsafe-inline'{script}; form-action {form_action}; \
         frame-ancestors 'none'"
    );
    let set = |headers: &mut HeaderMap, name, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set(headers, header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some((token, secure)) = csrf {
        let secure = if secure { "; Secure" } else { "" };
        set(
            headers,
            header::SET_COOKIE,
            format!("{CSRF_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}"),
        );
    }
    response
}

/// The CSRF token of the request's cookie, if any.
pub(crate) fn csrf_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, CSRF_COOKIE)
}

/// The value of the request's cookie `name`, if any.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_string())
}

/// Whether the form's CSRF token is the cookie's (both present and equal).
pub(crate) fn csrf_matches(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (csrf_cookie(headers), submitted) {
        (Some(cookie), Some(field)) => !cookie.is_empty() && cookie == field,
        _ => false,
    }
}

/// What a sign-in form shows and carries.
pub(crate) struct SignInForm<'a> {
    pub title: &'a str,
    /// Where the form posts (a path of this service).
    pub action: &'a str,
    /// The request carried along, as hidden fields (name, value).
    pub carried: Vec<(&'a str, String)>,
    pub username: &'a str,
    pub error: Option<&'a str>,
    /// A sentence that is no error (what to do next).
    pub notice: Option<&'a str>,
    /// The trusted providers people of the organization may sign in with: (button text, link that starts it).
    pub providers: Vec<(String, String)>,
    /// Offer a Deny button beside Continue (the device verification page).
    pub offer_deny: bool,
    pub csrf_token: &'a str,
    pub secure_cookie: bool,
    /// The origin of the app the sign-in redirects to, once its redirect URI is known to be registered.
    pub redirect_origin: Option<&'a str>,
}

/// The sign-in page: user name and password, labelled, and the CSRF token.
pub(crate) fn sign_in(status: StatusCode, form: SignInForm<'_>) -> Response {
    let mut body = String::new();
    if let Some(error) = form.error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            escape(error)
        ));
    }
    if let Some(notice) = form.notice {
        body.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(notice)
        ));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">",
        escape(form.action)
    ));
    body.push_str(&hidden(CSRF_FIELD, form.csrf_token));
    for (name, value) in &form.carried {
        body.push_str(&hidden(name, value));
    }
    body.push_str(&format!(
        "<label for=\"username\">User name (email address)</label>\
         <input type=\"email\" id=\"username\" name=\"username\" value=\"{}\" autocomplete=\"username\" required>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">",
        escape(form.username)
    ));
    if form.offer_deny {
        body.push_str(
            "<button type=\"submit\" name=\"decision\" value=\"continue\">Continue</button> \
             <button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button>",
        );
    } else {
        body.push_str("<button type=\"submit\">Sign in</button>");
    }
    body.push_str("</form>");
    // Links, not forms: the provider's sign-in is a navigation, which the page's form-action does not govern.
    if !form.providers.is_empty() {
        body.push_str("<ul class=\"providers\" aria-label=\"Other ways to sign in\">");
        for (button, link) in &form.providers {
            body.push_str(&format!(
                "<li><a class=\"provider\" href=\"{}\">Sign in with {}</a></li>",
                escape(link),
                escape(button)
            ));
        }
        body.push_str("</ul>");
    }
    with_headers(
        status,
        document(form.title, &body),
        form.redirect_origin,
        false,
        Some((form.csrf_token, form.secure_cookie)),
    )
}

/// The device code page: one field for the code the device shows.
pub(crate) fn device_code_entry(
    status: StatusCode,
    action: &str,
    typed: &str,
    error: Option<&str>,
    csrf_token: &str,
    secure_cookie: bool,
) -> Response {
    let mut body = String::from("<p>Enter the code displayed on your app or device.</p>");
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            escape(error)
        ));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">{}<label for=\"user_code\">Code</label>\
         <input type=\"text\" id=\"user_code\" name=\"user_code\" value=\"{}\" autocomplete=\"off\" \
         autocapitalize=\"characters\" required><button type=\"submit\">Next</button></form>",
        escape(action),
        hidden(CSRF_FIELD, csrf_token),
        escape(typed)
    ));
    with_headers(
        status,
        document("Enter code", &body),
        None,
        false,
        Some((csrf_token, secure_cookie)),
    )
}

/// A page that only tells something (an error that must not be redirected, a device signed in, signed out).
pub(crate) fn message(status: StatusCode, title: &str, text: &str) -> Response {
    with_headers(
        status,
        document(title, &format!("<p>{}</p>", escape(text))),
        None,
        false,
        None,
    )
}

/// The `form_post` answer (OAuth 2.0 Form Post Response Mode): a form that carries the parameters to the app,
/// submitted by its one script, or by the person with its button where JavaScript does not run.
pub(crate) fn form_post(redirect_uri: &str, origin: &str, fields: &[(&str, &str)]) -> Response {
    let mut body = format!(
        "<p>Continue to finish signing in to the app.</p><form method=\"post\" action=\"{}\">",
        escape(redirect_uri)
    );
    for (name, value) in fields {
        body.push_str(&hidden(name, value));
    }
    body.push_str("<button type=\"submit\">Continue</button></form>");
    body.push_str(&format!("<script>{AUTO_SUBMIT}</script>"));
    with_headers(
        StatusCode::OK,
        document("Signing in", &body),
        Some(origin),
        true,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_echoed_is_escaped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(
            hidden("state", "\"><x>"),
            "<input type=\"hidden\" name=\"state\" value=\"&quot;&gt;&lt;x&gt;\">"
        );
    }

    #[test]
    fn the_auto_submit_hash_is_the_scripts() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        use base64::Engine;
        let digest = URL_SAFE_NO_PAD
            .decode(mscommerce_auth::sha256_base64url(AUTO_SUBMIT))
            .unwrap();
        assert_eq!(
            AUTO_SUBMIT_HASH,
            format!("sha256-{}", STANDARD.encode(digest))
        );
    }

    #[test]
    fn the_csrf_token_must_equal_the_cookie() {
        let mut headers = HeaderMap::new();
        assert!(!csrf_matches(&headers, Some("abc")));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("other=1; mscommerce_csrf=abc"),
        );
        assert!(csrf_matches(&headers, Some("abc")));
        assert!(!csrf_matches(&headers, Some("abd")));
        assert!(!csrf_matches(&headers, None));
    }
}
