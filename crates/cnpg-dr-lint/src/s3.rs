//! The core's [`Bucket`] over real S3 (or any S3-compatible store), read-only.
//!
//! object_store does the signing and the XML; this module adds what a DR
//! tool needs on top: a transport that refuses every method but GET and HEAD
//! (so no write can leave this process, whatever object_store offers), a
//! bounded time per request, listings driven one page at a time with the
//! prefix exactly as barman lists it, and errors an on-call engineer can act on.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cnpg_dr_core::bucket::{Bucket, BucketError, ObjectMeta, Timestamp};
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpResponse, HttpService,
    ReqwestConnector,
};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStoreExt, RetryConfig};

/// The default bound on one request (its retries included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Keys S3 returns in one list page at most; asked for explicitly so that
/// every server pages the same way.
const PAGE_SIZE: usize = 1000;

/// Credentials, as the standard AWS environment variables give them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How to reach one bucket.
#[derive(Clone, Debug)]
pub struct S3Options {
    /// `http(s)://host[:port]`; None is AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// None: AWS_WEB_IDENTITY_TOKEN_FILE / container credentials (IRSA, ECS)
    /// from the environment, resolved by object_store.
    pub credentials: Option<Credentials>,
    /// The most one request (with its retries) may take.
    pub timeout: Duration,
}

impl S3Options {
    /// Reads credentials and region from the standard AWS variables through
    /// `env` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
    /// AWS_REGION or else AWS_DEFAULT_REGION, default us-east-1). Profile
    /// files (~/.aws/credentials) are not read: object_store has no support
    /// for them. Without keys and without a web-identity or container
    /// variable this is an error, rather than a silent call to the instance
    /// metadata service.
    pub fn from_env(
        endpoint: Option<String>,
        timeout: Duration,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<S3Options, BucketError> {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        let region = get("AWS_REGION")
            .or_else(|| get("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".to_string());
        let credentials = match (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")) {
            (Some(access_key_id), Some(secret_access_key)) => Some(Credentials {
                access_key_id,
                secret_access_key,
                session_token: get("AWS_SESSION_TOKEN"),
            }),
            (Some(_), None) | (None, Some(_)) => {
                return Err(BucketError::Other {
                    detail: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together"
                        .to_string(),
                })
            }
            (None, None)
                if get("AWS_WEB_IDENTITY_TOKEN_FILE").is_some()
                    || get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
                    || get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some() =>
            {
                None
            }
            (None, None) => {
                return Err(BucketError::Other {
                    detail: "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones); profile files are not read".to_string(),
                })
            }
        };
        Ok(S3Options {
            endpoint,
            region,
            credentials,
            timeout,
        })
    }
}

/// Requests sent, by kind; what a scan cost.
#[derive(Debug, Default)]
pub struct RequestCounts {
    /// GETs and HEADs sent (list pages and object reads), retries included.
    pub sent: AtomicUsize,
    /// Requests of any other method, refused before they left the process.
    pub refused: AtomicUsize,
}

/// One bucket of an S3-compatible store, readable and nothing else.
pub struct S3Bucket {
    bucket: String,
    store: AmazonS3,
    runtime: tokio::runtime::Runtime,
    timeout: Duration,
    page_size: usize,
    counts: Arc<RequestCounts>,
}

impl std::fmt::Debug for S3Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Bucket")
            .field("bucket", &self.bucket)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl S3Bucket {
    /// A client for `bucket`. Nothing is sent until the first list or get.
    pub fn new(bucket: &str, options: &S3Options) -> Result<S3Bucket, BucketError> {
        let counts = Arc::new(RequestCounts::default());
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(&options.region)
            .with_virtual_hosted_style_request(false)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(options.timeout)
                    .with_connect_timeout(options.timeout)
                    .with_allow_http(
                        options
                            .endpoint
                            .as_deref()
                            .is_some_and(|e| e.starts_with("http://")),
                    ),
            )
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: options.timeout,
                ..RetryConfig::default()
            })
            .with_http_connector(ReadOnlyConnector {
                counts: counts.clone(),
            });
        if let Some(endpoint) = &options.endpoint {
            builder = builder.with_endpoint(endpoint.trim_end_matches('/'));
        }
        if let Some(c) = &options.credentials {
            builder = builder
                .with_access_key_id(&c.access_key_id)
                .with_secret_access_key(&c.secret_access_key);
            if let Some(token) = &c.session_token {
                builder = builder.with_token(token);
            }
        } else {
            for key in [
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_ROLE_ARN",
                "AWS_ROLE_SESSION_NAME",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            ] {
                if let (Ok(config_key), Ok(value)) =
                    (key.to_ascii_lowercase().parse(), std::env::var(key))
                {
                    builder = builder.with_config(config_key, value);
                }
            }
        }
        let store = builder.build().map_err(|e| BucketError::Other {
            detail: format!("cannot configure the S3 client: {e}"),
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| BucketError::Other {
                detail: format!("cannot start the I/O runtime: {e}"),
            })?;
        Ok(S3Bucket {
            bucket: bucket.to_string(),
            store,
            runtime,
            timeout: options.timeout,
            page_size: PAGE_SIZE,
            counts,
        })
    }

    /// Asks for at most `keys` objects per list page (S3's own maximum is 1000).
    pub fn with_page_size(mut self, keys: usize) -> S3Bucket {
        self.page_size = keys.clamp(1, PAGE_SIZE);
        self
    }

    /// GET and HEAD requests sent so far, retries included.
    pub fn requests(&self) -> usize {
        self.counts.sent.load(Ordering::Relaxed)
    }

    /// Requests of another method that were refused (always 0 unless a bug
    /// tried to write).
    pub fn refused(&self) -> usize {
        self.counts.refused.load(Ordering::Relaxed)
    }

    /// Runs one request to completion, or gives up after the timeout (a
    /// second bound on top of the client's, for DNS and TLS stalls).
    fn run<T>(
        &self,
        key: &str,
        work: impl Future<Output = Result<T, object_store::Error>>,
    ) -> Result<T, BucketError> {
        let limit = self.timeout;
        self.runtime.block_on(async {
            match tokio::time::timeout(limit + Duration::from_millis(500), work).await {
                Ok(result) => result.map_err(|e| classify(&e, &self.bucket, key, limit)),
                Err(_) => Err(BucketError::Timeout {
                    seconds: limit.as_secs().max(1),
                    detail: format!("no answer for `{key}`"),
                }),
            }
        })
    }
}

impl Bucket for S3Bucket {
    fn list(&self, prefix: &str, visit: &mut dyn FnMut(ObjectMeta)) -> Result<(), BucketError> {
        let mut token: Option<String> = None;
        loop {
            let options = PaginatedListOptions {
                max_keys: Some(self.page_size),
                page_token: token.take(),
                ..PaginatedListOptions::default()
            };
            let shown = if prefix.is_empty() { "/" } else { prefix };
            let page = self.run(
                shown,
                self.store
                    .list_paginated((!prefix.is_empty()).then_some(prefix), options),
            )?;
            // S3 returns a page in key order; keep the trait's promise for
            // servers that do not.
            let mut objects = page.result.objects;
            objects.sort_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
            for o in objects {
                // object_store drops the trailing `/` of folder markers (the
                // empty `cnpg/demo/` objects consoles create): put it back so
                // the key keeps its prefix, and so barman's view of it.
                let mut key = o.location.to_string();
                if !key.starts_with(prefix) && format!("{key}/").starts_with(prefix) {
                    key.push('/');
                }
                visit(ObjectMeta {
                    key,
                    size: o.size,
                    last_modified: Timestamp(o.last_modified.timestamp_micros()),
                });
            }
            match page.page_token {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(()),
            }
        }
    }

    fn get(&self, key: &str, limit: usize) -> Result<Vec<u8>, BucketError> {
        let path = Path::parse(key).map_err(|e| BucketError::Other {
            detail: format!("`{key}` is not a key this client can read: {e}"),
        })?;
        let body = self.run(key, async {
            let mut stream = self.store.get(&path).await?.into_stream();
            let mut body = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk?;
                body.extend_from_slice(chunk.as_ref());
                if body.len() > limit {
                    return Ok(None);
                }
            }
            Ok::<_, object_store::Error>(Some(body))
        })?;
        body.ok_or_else(|| BucketError::TooLarge {
            key: key.to_string(),
            limit,
        })
    }
}

/// Maps an object_store error to what the user must fix.
fn classify(e: &object_store::Error, bucket: &str, key: &str, limit: Duration) -> BucketError {
    let text = chain(e);
    let seconds = limit.as_secs().max(1);
    if let Some(kind) = http_kind(e) {
        return match kind {
            HttpErrorKind::Timeout => BucketError::Timeout {
                seconds,
                detail: text,
            },
            _ if text.contains("dns error") || text.contains("failed to lookup address") => {
                BucketError::Unreachable {
                    detail: format!("the endpoint's host name does not resolve ({text})"),
                }
            }
            _ if is_tls(&text) => BucketError::Unreachable {
                detail: format!("TLS failed ({text})"),
            },
            _ if text.contains("Connection refused") => BucketError::Unreachable {
                detail: format!("connection refused ({text})"),
            },
            _ => BucketError::Unreachable { detail: text },
        };
    }
    let status = status_of(&text);
    match (e, status) {
        (_, Some(403)) | (object_store::Error::PermissionDenied { .. }, _) => {
            BucketError::AccessDenied {
                key: key.to_string(),
                detail: s3_code(&text).unwrap_or("AccessDenied").to_string(),
            }
        }
        (_, Some(401)) | (object_store::Error::Unauthenticated { .. }, _) => {
            BucketError::AccessDenied {
                key: key.to_string(),
                detail: s3_code(&text).unwrap_or("Unauthorized").to_string(),
            }
        }
        _ if text.contains("NoSuchBucket") => BucketError::NoSuchBucket {
            bucket: bucket.to_string(),
        },
        (object_store::Error::NotFound { .. }, _) | (_, Some(404)) => BucketError::NotFound {
            key: key.to_string(),
        },
        _ if is_tls(&text) => BucketError::Unreachable {
            detail: format!("TLS failed ({text})"),
        },
        _ => BucketError::Other { detail: text },
    }
}

/// The error and its sources, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The kind of the transport error under `e`, if the request never got an answer.
fn http_kind(e: &(dyn std::error::Error + 'static)) -> Option<HttpErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<HttpError>() {
            return Some(h.kind());
        }
        source = s.source();
    }
    None
}

fn is_tls(text: &str) -> bool {
    // rustls's words: bad certificates, alerts, and a server that does not
    // speak TLS at all ("received corrupt message of type InvalidContentType").
    [
        "certificate",
        "tls",
        "TLS",
        "handshake",
        "HandshakeFailure",
        "received corrupt message",
        "received fatal alert",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// `non-2xx status code: 403 Forbidden` → 403.
fn status_of(text: &str) -> Option<u16> {
    let rest = text.split("status code: ").nth(1)?;
    rest.get(..3)?.parse().ok()
}

/// The `<Code>` of an S3 error body, when object_store kept it.
fn s3_code(text: &str) -> Option<&str> {
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    Some(&text[start..start + len])
}

/// Builds reqwest clients wrapped in [`ReadOnly`].
#[derive(Debug)]
struct ReadOnlyConnector {
    counts: Arc<RequestCounts>,
}

impl HttpConnector for ReadOnlyConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        // rustls is built without a bundled provider (no aws-lc-sys), and
        // reqwest panics without one: ring is installed once per process
        // (an error means one is installed already). rustls 0.23.48
        // deprecates it for lacking post-quantum key exchange, which only
        // aws-lc-rs offers; plain ring is the price of no C build.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(HttpClient::new(ReadOnly {
            inner: ReqwestConnector::default().connect(options)?,
            counts: self.counts.clone(),
        }))
    }
}

/// The transport: sends GET and HEAD, refuses everything else.
#[derive(Debug)]
struct ReadOnly {
    inner: HttpClient,
    counts: Arc<RequestCounts>,
}

/// A write that was stopped before it left the process.
#[derive(Debug, thiserror::Error)]
#[error("cnpg-dr is read-only: refused to send {0} to the object store")]
struct Refused(String);

#[async_trait::async_trait]
impl HttpService for ReadOnly {
    async fn call(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        if !matches!(req.method().as_str(), "GET" | "HEAD") {
            self.counts.refused.fetch_add(1, Ordering::Relaxed);
            return Err(HttpError::new(
                HttpErrorKind::Unknown,
                Refused(req.method().to_string()),
            ));
        }
        self.counts.sent.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn credentials_and_region_come_from_the_standard_variables() {
        let o = S3Options::from_env(
            None,
            DEFAULT_TIMEOUT,
            &env(&[
                ("AWS_ACCESS_KEY_ID", "AKID"),
                ("AWS_SECRET_ACCESS_KEY", "SECRET"),
                ("AWS_SESSION_TOKEN", "TOKEN"),
                ("AWS_DEFAULT_REGION", "eu-west-3"),
            ]),
        )
        .unwrap();
        assert_eq!(o.region, "eu-west-3");
        let c = o.credentials.unwrap();
        assert_eq!(c.access_key_id, "AKID");
        assert_eq!(c.session_token.as_deref(), Some("TOKEN"));
        assert!(!format!("{c:?}").contains("SECRET"));
        let o = S3Options::from_env(
            None,
            DEFAULT_TIMEOUT,
            &env(&[
                ("AWS_ACCESS_KEY_ID", "AKID"),
                ("AWS_SECRET_ACCESS_KEY", "SECRET"),
                ("AWS_REGION", "us-west-2"),
                ("AWS_DEFAULT_REGION", "eu-west-3"),
            ]),
        )
        .unwrap();
        assert_eq!(o.region, "us-west-2", "AWS_REGION wins, as in the AWS SDKs");
    }

    #[test]
    fn missing_credentials_are_an_error_not_a_metadata_call() {
        let e = S3Options::from_env(None, DEFAULT_TIMEOUT, &env(&[])).unwrap_err();
        assert!(e.to_string().contains("AWS_ACCESS_KEY_ID"), "{e}");
        let e = S3Options::from_env(None, DEFAULT_TIMEOUT, &env(&[("AWS_ACCESS_KEY_ID", "A")]))
            .unwrap_err();
        assert!(e.to_string().contains("together"), "{e}");
        let o = S3Options::from_env(
            None,
            DEFAULT_TIMEOUT,
            &env(&[("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token")]),
        )
        .unwrap();
        assert_eq!(o.credentials, None);
    }

    /// Writes never leave the process: PUT, POST and DELETE are refused by the
    /// transport before a connection is opened; a GET goes out.
    #[test]
    fn the_transport_refuses_every_write_before_connecting() {
        use std::io::{Read, Write};
        use std::sync::atomic::AtomicBool;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/bucket/key", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (seen, stop) = (connections.clone(), done.clone());
        listener.set_nonblocking(true).unwrap();
        let server = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        seen.fetch_add(1, Ordering::Relaxed);
                        s.set_nonblocking(false).unwrap();
                        let mut buf = [0u8; 4096];
                        let _ = s.read(&mut buf);
                        let _ = s.write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        let counts = Arc::new(RequestCounts::default());
        let client = ReadOnlyConnector {
            counts: counts.clone(),
        }
        .connect(&ClientOptions::new().with_allow_http(true))
        .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let send = |method: &str| {
            let request = http::Request::builder()
                .method(method)
                .uri(&url)
                .body(object_store::client::HttpRequestBody::from(
                    b"data".to_vec(),
                ))
                .unwrap();
            runtime.block_on(client.execute(request))
        };
        for method in ["PUT", "POST", "DELETE", "PATCH"] {
            let e = send(method).unwrap_err();
            assert!(
                chain(&e).contains(&format!("read-only: refused to send {method}")),
                "{e}"
            );
        }
        assert_eq!(counts.refused.load(Ordering::Relaxed), 4);
        assert_eq!(
            connections.load(Ordering::Relaxed),
            0,
            "nothing reached the server"
        );
        let response = send("GET").unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(counts.sent.load(Ordering::Relaxed), 1);
        assert_eq!(connections.load(Ordering::Relaxed), 1);
        done.store(true, Ordering::Relaxed);
        server.join().unwrap();
    }

    #[test]
    fn status_and_code_are_read_from_object_store_messages() {
        let text = "Error performing GET http://127.0.0.1:1/b?list-type=2 in 2ms - Server returned non-2xx status code: 403 Forbidden: <?xml version=\"1.0\"?><Error><Code>InvalidAccessKeyId</Code></Error>";
        assert_eq!(status_of(text), Some(403));
        assert_eq!(s3_code(text), Some("InvalidAccessKeyId"));
        assert_eq!(status_of("no status here"), None);
    }
}
