//! HTTPS clients for the tests: they trust one test authority (see [`TestCertificates`]).

pub use mscommerce_testing::tls::TestCertificates;

/// A client that trusts this authority only (not the system's roots), over HTTP/2 or HTTP/1.1 as ALPN chooses.
pub fn client_trusting(certificates: &TestCertificates) -> reqwest::Client {
    let pem = std::fs::read(&certificates.ca_cert).expect("the CA certificate");
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("an HTTPS client")
}
