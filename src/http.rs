//! The one façade over HTTP. Probes and the simulated services speak through
//! it, so timeouts and the meaning of "could not connect" are decided once.

use std::time::{Duration, Instant};

use serde_json::Value;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
    pub latency: Duration,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The status's standard reason phrase ("Not Found"), empty if it has none.
    pub fn reason(&self) -> &'static str {
        reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or_default()
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Why a request got no response. The distinction matters: GAIA retries and
/// fails over on connection errors, never on timeouts ("slow is not down").
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("connection error: {0}")]
    Connect(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Other(String),
}

impl Http {
    pub fn new(connect_timeout: Duration, total_timeout: Duration) -> Http {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls())
            .connect_timeout(connect_timeout)
            .timeout(total_timeout)
            .no_proxy()
            .build()
            .expect("an HTTP client with its TLS set up and no proxies always builds");
        Http { client }
    }

    /// A client like `new`'s that reaches `host` only at `addrs`, which the
    /// caller resolved its own way, and that, like `curl` without `-L`,
    /// reports a redirect rather than following it.
    pub fn resolving(
        connect_timeout: Duration,
        total_timeout: Duration,
        host: &str,
        addrs: &[std::net::IpAddr],
    ) -> Http {
        // The port comes from the URL: reqwest ignores the one given here.
        let addrs: Vec<std::net::SocketAddr> = addrs.iter().map(|ip| (*ip, 0).into()).collect();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls())
            .connect_timeout(connect_timeout)
            .timeout(total_timeout)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .resolve_to_addrs(host, &addrs)
            .build()
            .expect("an HTTP client with its TLS set up and no proxies always builds");
        Http { client }
    }

    /// The host a URL names, None when it is not a URL with one.
    pub fn host_of(url: &str) -> Option<String> {
        reqwest::Url::parse(url).ok()?.host_str().map(str::to_owned)
    }

    pub async fn get(&self, url: &str) -> Result<Response, HttpError> {
        self.send(self.client.get(url)).await
    }

    pub async fn post_json(&self, url: &str, body: &Value) -> Result<Response, HttpError> {
        self.send(self.client.post(url).json(body)).await
    }

    /// Any method, raw body and headers: for the simulated `curl`.
    pub async fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<String>,
    ) -> Result<Response, HttpError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| HttpError::Other(format!("invalid method {method}")))?;
        let mut request = self.client.request(method, url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Response, HttpError> {
        let started = Instant::now();
        let classify = |err: reqwest::Error| {
            if err.is_timeout() {
                HttpError::Timeout(started.elapsed())
            } else if err.is_connect() {
                HttpError::Connect(root_cause(&err))
            } else {
                HttpError::Other(root_cause(&err))
            }
        };
        let response = request.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(classify)?;
        Ok(Response {
            status,
            body,
            latency: started.elapsed(),
        })
    }
}

/// Where an alert is posted: an http or https URL. Never shown whole: a
/// webhook's path is its secret (Discord's carries the token).
#[derive(Clone)]
pub struct Target {
    url: reqwest::Url,
}

impl Target {
    /// The URL, or why it cannot be posted to; the error never quotes it.
    pub fn parse(text: &str) -> Result<Target, String> {
        let url = reqwest::Url::parse(text.trim())
            .map_err(|e| format!("a --notify URL is not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "a --notify URL must be http or https, not {}",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("a --notify URL names no host".into());
        }
        Ok(Target { url })
    }

    /// The whole URL, for the request alone.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// What may be shown of it: scheme, host and port.
    pub fn shown(&self) -> String {
        let port = self.url.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!(
            "{}://{}{port}/…",
            self.url.scheme(),
            self.url.host_str().unwrap_or_default()
        )
    }

    /// A Discord webhook, which takes Discord's own message format.
    pub fn is_discord(&self) -> bool {
        self.url.path().starts_with("/api/webhooks/")
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

/// TLS with Mozilla's roots built in: the same trust on a GAIA host and in
/// a from-scratch image, which has no CA store to load.
fn tls() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports TLS 1.2 and 1.3")
    .with_root_certificates(roots)
    .with_no_client_auth()
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn https_is_spoken_so_a_webhook_on_https_is_reached_not_refused_by_scheme() {
        // A plain HTTP listener: the TLS handshake starts, then fails on
        // its answer, which proves the client speaks https at all.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt as _;
            if let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
            }
        });
        let http = Http::new(Duration::from_secs(2), Duration::from_secs(5));
        let err = http
            .get(&format!("https://127.0.0.1:{port}/"))
            .await
            .unwrap_err()
            .to_string();
        // rustls's word for a plaintext answer to its ClientHello.
        assert!(err.contains("InvalidContentType"), "{err}");
    }

    #[test]
    fn a_webhook_is_shown_without_its_path_and_discord_is_recognised() {
        let target = Target::parse("https://discord.com/api/webhooks/123/s3cr3t").unwrap();
        assert_eq!(target.shown(), "https://discord.com/…");
        assert_eq!(format!("{target:?}"), "https://discord.com/…");
        assert!(target.is_discord());
        assert!(
            !Target::parse("http://127.0.0.1:9000/hook")
                .unwrap()
                .is_discord()
        );
        let refused = Target::parse("ftp://example.com/s3cr3t").unwrap_err();
        assert!(!refused.contains("s3cr3t"), "{refused}");
        assert!(Target::parse("not a url").is_err());
    }
}
