//! The one scrubber every output goes through: the printer, error messages,
//! the log writer, the audit log and the failover journal. What it hides:
//!
//! - the value of any `NAME=value` whose name marks a secret (`is_secret_name`),
//!   however short: shown as `NAME=***`;
//! - the password of any `scheme://user:password@host`, in any text;
//! - anywhere in any text, the values gaia has seen in a secret-named
//!   variable (of a container it inspected, or of its own environment) and
//!   the passwords of URLs it has seen in any variable. Every byte covered by
//!   one of them is hidden, so a secret that is a prefix of, or overlaps,
//!   another cannot leave a piece of the other showing.
//!
//! The values are process-wide: the Docker façade feeds them as it inspects
//! containers, so an output never needs to know where a secret came from.

use std::sync::{LazyLock, PoisonError, RwLock};

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};

/// What a hidden secret reads as.
pub(crate) const MASK: &str = "***";

/// Name parts that mark a secret when a part ends with one: `API_KEY`,
/// `APIKEY`, `DB_PASS`, `PGPASSWORD`, `OAUTH_TOKEN`, `GCP_CREDENTIALS`.
/// A part only starting with one is not: `KEYBOARD`, `TOKENIZER`, `AUTHOR`,
/// `PASSTHROUGH`. `TOKENS` is left out on purpose: in an AI stack it counts
/// tokens (`MAX_TOKENS`); `KEYS` and the other plurals are secrets.
const WORDS: [&str; 14] = [
    "KEY",
    "KEYS",
    "TOKEN",
    "SECRET",
    "SECRETS",
    "PASS",
    "PASSWD",
    "PASSWORD",
    "PASSWORDS",
    "PASSPHRASE",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
];

/// Whether the variable `name` holds a secret: a part of it (split on `_`,
/// `-` and `.`) ends with one of `WORDS`, in any case.
pub(crate) fn is_secret_name(name: &str) -> bool {
    name.split(['_', '-', '.']).any(|part| {
        let part = part.to_ascii_uppercase();
        WORDS.iter().any(|word| part.ends_with(word))
    })
}

/// Whether a value can be hidden wherever it appears: short values, booleans
/// and numbers would hide every `true` or `8080` of a report and protect
/// nothing. (In `NAME=value` they are hidden all the same.)
fn worth_hiding(value: &str) -> bool {
    let plain = ["true", "false", "yes", "no", "on", "off", "none", "null"];
    value.len() >= 4
        && !plain.contains(&value.to_ascii_lowercase().as_str())
        && !value.chars().all(|c| c.is_ascii_digit())
}

/// `scheme://user:password@`: the password runs to the last `@` before the
/// path, so an unencoded `@` or `:` in it is hidden too.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/?#@:]*:)[^\s/]+@").expect("a valid pattern")
});

/// The `NAME=` of an assignment.
static ASSIGNED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Za-z_][A-Za-z0-9_.-]*)=").expect("a valid pattern"));

/// The value after `NAME=`: quoted, or up to the next blank.
static VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^("[^"]*"|'[^']*'|\S+)"#).expect("a valid pattern"));

/// The secret values seen so far, and the matcher that finds them.
#[derive(Default)]
struct Known {
    values: Vec<String>,
    matcher: Option<AhoCorasick>,
}

static KNOWN: LazyLock<RwLock<Known>> = LazyLock::new(RwLock::default);

/// Learns the secrets of `NAME=value` entries (a container's `Config.Env`).
pub(crate) fn learn_env<S: AsRef<str>>(env: &[S]) {
    learn(env.iter().filter_map(|kv| kv.as_ref().split_once('=')));
}

/// Learns the secrets among `(name, value)` variables: the values of the
/// secret-named ones, and the password of a URL in any of them.
pub(crate) fn learn<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) {
    let mut found = Vec::new();
    for (name, value) in vars {
        if is_secret_name(name) {
            found.push(value.to_owned());
        }
        found.extend(url_passwords(value));
    }
    found.retain(|v| worth_hiding(v));
    // The same value as JSON and Rust's Debug would escape it: text that
    // quotes one (a log line's `?field`, a tool's JSON) hides it too.
    let escaped: Vec<String> = found
        .iter()
        .flat_map(|v| {
            [
                serde_json::to_string(v).unwrap_or_default(),
                format!("{v:?}"),
            ]
        })
        .filter_map(|quoted| {
            let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
            Some(inner.to_owned())
        })
        // And as XML escapes it (JUnit reports are escaped before printing).
        .chain(found.iter().map(|v| {
            v.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;")
        }))
        .collect();
    found.extend(escaped);
    let mut known = KNOWN.write().unwrap_or_else(PoisonError::into_inner);
    let before = known.values.len();
    for value in found {
        if !known.values.contains(&value) {
            known.values.push(value);
        }
    }
    if known.values.len() != before {
        known.matcher = AhoCorasick::new(&known.values).ok();
    }
}

/// The passwords of the `scheme://user:password@host` URLs in `text`.
fn url_passwords(text: &str) -> Vec<String> {
    URL_PASSWORD
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let password = &text[c.get(1)?.end()..whole.end() - 1];
            Some(password.to_owned())
        })
        .collect()
}

/// `text` with every secret hidden (see the module's comment).
pub(crate) fn scrub(text: &str) -> String {
    let text = hide_known(text);
    let text = URL_PASSWORD.replace_all(&text, |c: &Captures| format!("{}{MASK}@", &c[1]));
    hide_assignments(&text)
}

/// `text` with the value of every secret-named `NAME=value` hidden, also
/// inside the value of another (`OPTS=--password=…`). One pass, left to
/// right: a line of a thousand `a=a=…` costs a thousand steps, not a
/// thousand nested calls.
fn hide_assignments(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = ASSIGNED.captures_at(text, at) {
        let Some(assigned) = found.get(0) else { break };
        shown.push_str(&text[at..assigned.end()]);
        at = assigned.end();
        if is_secret_name(&found[1])
            && let Some(value) = VALUE.find(&text[at..])
        {
            shown.push_str(MASK);
            at += value.end();
        }
    }
    shown.push_str(&text[at..]);
    shown
}

/// `text` with every byte that belongs to an occurrence of a known secret
/// hidden; overlapping or touching occurrences become one mask.
fn hide_known(text: &str) -> String {
    let known = KNOWN.read().unwrap_or_else(PoisonError::into_inner);
    if known.values.is_empty() {
        return text.to_owned();
    }
    let Some(matcher) = &known.matcher else {
        // The matcher could not be built: hiding everything beats leaking.
        return MASK.to_owned();
    };
    let mut found: Vec<(usize, usize)> = matcher
        .find_overlapping_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    found.sort_unstable();
    let mut hidden: Vec<(usize, usize)> = Vec::new();
    for (start, end) in found {
        match hidden.last_mut() {
            Some((_, last_end)) if start <= *last_end => *last_end = (*last_end).max(end),
            _ => hidden.push((start, end)),
        }
    }
    if hidden.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut shown = 0;
    for (start, end) in hidden {
        out.push_str(&text[shown..start]);
        out.push_str(MASK);
        shown = end;
    }
    out.push_str(&text[shown..]);
    out
}

/// `value` with every string (and key) scrubbed, and the string under a
/// secret-named key hidden whole: scrubbed before it is serialised, so JSON
/// escaping cannot hide a secret from the scrubber.
pub(crate) fn scrub_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) => *text = scrub(text),
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::Object(map) => {
            *map = std::mem::take(map)
                .into_iter()
                .map(|(key, mut value)| {
                    match &mut value {
                        Value::String(text) if is_secret_name(&key) && !text.is_empty() => {
                            *text = MASK.to_owned();
                        }
                        _ => scrub_json(&mut value),
                    }
                    (scrub(&key), value)
                })
                .collect();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `value` as JSON, scrubbed: what a file gaia writes (the audit log, the
/// journal) holds.
pub(crate) fn scrubbed_json<T: serde::Serialize>(
    value: &T,
) -> serde_json::Result<serde_json::Value> {
    let mut value = serde_json::to_value(value)?;
    scrub_json(&mut value);
    Ok(value)
}

/// A log writer: the subscriber makes one per event; the event is gathered
/// whole (a secret split over two writes is still found), scrubbed, and
/// written out when the subscriber drops the writer.
pub(crate) struct Scrubbed<W: std::io::Write> {
    out: W,
    event: Vec<u8>,
}

impl Scrubbed<std::io::Stderr> {
    /// What `tracing_subscriber`'s `with_writer` takes.
    pub(crate) fn stderr() -> Self {
        Scrubbed::new(std::io::stderr())
    }
}

impl<W: std::io::Write> Scrubbed<W> {
    fn new(out: W) -> Self {
        Scrubbed {
            out,
            event: Vec::new(),
        }
    }
}

impl<W: std::io::Write> std::io::Write for Scrubbed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.event.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: std::io::Write> Drop for Scrubbed<W> {
    fn drop(&mut self) {
        if self.event.is_empty() {
            return;
        }
        let text = scrub(&String::from_utf8_lossy(&self.event));
        let _ = self.out.write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The known values are process-wide: each test learns values of its own,
    // which no other test's text contains.

    #[test]
    fn a_long_chain_of_assignments_is_scrubbed_without_deep_recursion() {
        let chain = "a=".repeat(200_000) + "x SMTP_PASS=hunter22";
        let shown = scrub(&chain);
        assert!(
            shown.ends_with("SMTP_PASS=***"),
            "{}",
            &shown[shown.len() - 40..]
        );
    }

    #[test]
    fn a_name_is_secret_when_a_part_ends_with_a_secret_word() {
        for name in [
            "API_KEY",
            "api_key",
            "GROQ_API_KEY",
            "AWS_ACCESS_KEY_ID",
            "APIKEY",
            "ssh-private-key",
            "DB_PASS",
            "SMTP_PASS",
            "X_PASSWD",
            "LDAP_PASSWD",
            "PGPASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "GCP_CREDENTIALS",
            "AWS_CREDENTIAL",
            "AUTH_HEADER",
            "OAUTH",
            "PRIVATE_PEM",
            "MYSECRET",
            "client.secret",
            "DISCORD_BOT_TOKEN",
            "GITHUB_TOKEN",
            "API_KEYS",
            "GPG_PASSPHRASE",
        ] {
            assert!(is_secret_name(name), "{name} is a secret name");
        }
    }

    #[test]
    fn a_name_is_not_secret_for_a_part_that_only_starts_with_a_word_or_counts_tokens() {
        for name in [
            "KEYBOARD_LAYOUT",
            "TOKENIZERS_PARALLELISM",
            "TOKENIZER_PATH",
            "MAX_TOKENS",
            "AUTHOR",
            "PASSTHROUGH_MODE",
            "DATABASE_URL",
            "CORE_FALLBACK_ENDPOINT",
            "PRIME_MODEL",
            "LOG_LEVEL",
        ] {
            assert!(!is_secret_name(name), "{name} is not a secret name");
        }
    }

    #[test]
    fn an_assignment_with_a_secret_name_is_hidden_however_short_its_value() {
        assert_eq!(
            scrub("env: SMTP_PASS=x1 DEBUG=true GAIA_AUTH=true PORT=6414"),
            "env: SMTP_PASS=*** DEBUG=true GAIA_AUTH=*** PORT=6414"
        );
        assert_eq!(
            scrub(r#"AUTH_HEADER="Bearer abc def" next"#),
            "AUTH_HEADER=*** next"
        );
        assert_eq!(scrub("--db-password=hunter2 -v"), "--db-password=*** -v");
        assert_eq!(
            scrub("JAVA_OPTS=-Dx=1,--db-pass=hunter2"),
            "JAVA_OPTS=-Dx=1,--db-pass=***"
        );
    }

    #[test]
    fn the_password_of_a_url_is_hidden_in_any_text() {
        assert_eq!(
            scrub("connecting to postgres://gaia:pw1x@db:5432/gaia failed"),
            "connecting to postgres://gaia:***@db:5432/gaia failed"
        );
        assert_eq!(scrub("redis://:only-pw@cache"), "redis://:***@cache");
        assert_eq!(
            scrub("DATABASE_URL=mysql://root:p@ss:w#rd!@db/x and http://host:8080/a@b"),
            "DATABASE_URL=mysql://root:***@db/x and http://host:8080/a@b"
        );
        assert_eq!(
            scrub("HTTPS://u:Tr1cky%40pw@h"),
            "HTTPS://u:***@h",
            "any case, percent-encoding"
        );
        assert_eq!(
            scrub("no url: a:b@c, user@host"),
            "no url: a:b@c, user@host"
        );
    }

    #[test]
    fn a_url_password_seen_in_any_variable_is_hidden_on_its_own_too() {
        learn_env(&["DATABASE_URL=postgres://gaia:Url-Pw-6c1e@db/gaia"]);
        assert_eq!(
            scrub("auth failed for password Url-Pw-6c1e"),
            "auth failed for password ***"
        );
    }

    #[test]
    fn known_values_are_hidden_wherever_they_appear() {
        learn_env(&["GCP_CREDENTIALS=cred-4f0a9b", "HOME=/home/gaia-9b1"]);
        assert_eq!(
            scrub("the service said cred-4f0a9b twice: cred-4f0a9bcred-4f0a9b"),
            "the service said *** twice: ***"
        );
        assert_eq!(
            scrub("/home/gaia-9b1"),
            "/home/gaia-9b1",
            "only secret-named variables"
        );
    }

    #[test]
    fn a_secret_that_is_a_prefix_of_another_leaves_nothing_of_the_other() {
        learn([
            ("A_TOKEN", "pfx-7d2c"),
            ("B_TOKEN", "pfx-7d2c-tail-91"),
            ("C_TOKEN", "tail-91e0"),
        ]);
        assert_eq!(scrub("x pfx-7d2c-tail-91 y"), "x *** y");
        assert_eq!(scrub("x pfx-7d2c y"), "x *** y");
        assert_eq!(
            scrub("x pfx-7d2c-tail-91e0 y"),
            "x *** y",
            "overlapping secrets are hidden as one"
        );
    }

    #[test]
    fn short_values_booleans_and_numbers_are_not_hidden_in_free_text() {
        learn([
            ("Q_TOKEN", "abc"),
            ("Q_AUTH", "true"),
            ("Q_KEY", "65432"),
            ("Q_PASS", ""),
        ]);
        assert_eq!(
            scrub("abc true 65432 listening"),
            "abc true 65432 listening"
        );
    }

    #[test]
    fn json_escaping_cannot_hide_a_secret() {
        let secret = r#"q"uo\te-5e8a"#;
        learn([("SMTP_PASS", secret)]);
        let mut doc = serde_json::json!({
            "message": format!("said {secret}"),
            "nested": [{ "DB_PASSWORD": "short" }],
            "url": "amqp://guest:g\"uest-pw@mq/",
        });
        scrub_json(&mut doc);
        let text = doc.to_string();
        let escaped = serde_json::to_string(secret).unwrap();
        assert!(!text.contains(&escaped[1..escaped.len() - 1]), "{text}");
        assert_eq!(doc["message"], "said ***");
        assert_eq!(doc["nested"][0]["DB_PASSWORD"], "***");
        assert_eq!(doc["url"], "amqp://guest:***@mq/");
        assert_eq!(
            scrub(&format!("debug: {:?}", format!("x {secret}"))),
            r#"debug: "x ***""#,
            "a Debug-escaped secret is hidden in text"
        );
    }

    #[test]
    fn a_log_event_is_scrubbed_even_when_written_in_pieces() {
        use std::io::Write as _;
        learn([("LOG_TOKEN", "log-token-8e21")]);
        let mut out = Vec::new();
        {
            let mut event = Scrubbed::new(&mut out);
            event.write_all(b"DEBUG sent log-to").unwrap();
            event
                .write_all(b"ken-8e21 to redis://u:pw-9d@cache\n")
                .unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "DEBUG sent *** to redis://u:***@cache\n"
        );
    }

    #[test]
    fn what_is_serialised_for_a_file_is_scrubbed() {
        learn([("LINE_SECRET", "line-secret-0d3f")]);
        let doc = scrubbed_json(&serde_json::json!({"output": "got line-secret-0d3f"})).unwrap();
        assert_eq!(doc.to_string(), r#"{"output":"got ***"}"#);
    }
}
