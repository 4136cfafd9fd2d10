//! Passwords: the policy of docs/spec.md#post-authregister and Argon2id hashing.
//!
//! Hashing is deliberately expensive (19 MiB, 2 passes), so it runs on the blocking pool
//! and at most a few hashes run at once: a burst of logins queues instead of exhausting
//! memory. Unknown emails are verified against a dummy hash with the same parameters, so
//! "no such user" and "wrong password" take about the same time.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::domain::Email;

pub const MIN_LENGTH: usize = 12;
/// Long enough for any passphrase (ASVS asks for at least 64), short enough that hashing
/// stays bounded.
pub const MAX_LENGTH: usize = 128;

/// OWASP's recommended Argon2id parameters: m = 19 MiB, t = 2, p = 1.
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
pub const ARGON2_ITERATIONS: u32 = 2;
pub const ARGON2_PARALLELISM: u32 = 1;

/// The character classes a password must each contain: an ASCII lower-case letter, an ASCII
/// upper-case letter, a digit, and anything else (a special character: punctuation, a
/// space, or any non-ASCII character).
pub const REQUIRED_CLASSES: [&str; 4] = ["[a-z]", "[A-Z]", "[0-9]", "[^A-Za-z0-9]"];

/// [`REQUIRED_CLASSES`] as the OpenAPI document states them: an ECMA-262 pattern listing
/// the 24 orders in which the four classes can first occur. One look-ahead per class
/// would be shorter, but test generators (schemathesis) need minutes to satisfy
/// look-aheads; alternatives they generate from directly. `[\s\S]` also matches line
/// breaks, which count as special characters.
pub fn password_pattern() -> String {
    let mut orders = Vec::new();
    permutations(&mut REQUIRED_CLASSES.to_vec(), 0, &mut orders);
    format!("^[\\s\\S]*(?:{})[\\s\\S]*$", orders.join("|"))
}

fn permutations(items: &mut Vec<&str>, start: usize, out: &mut Vec<String>) {
    if start == items.len() {
        out.push(items.join("[\\s\\S]*"));
        return;
    }
    for index in start..items.len() {
        items.swap(start, index);
        permutations(items, start + 1, out);
        items.swap(start, index);
    }
}

const COMMON_PASSWORDS: &str = include_str!("../../assets/common-passwords.txt");

/// A password as received. It never prints itself, is not serializable, and a value of
/// the wrong type is refused without quoting it back (serde's default message would).
#[derive(Clone)]
pub struct Password(String);

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PasswordVisitor;

        impl Visitor<'_> for PasswordVisitor {
            type Value = Password;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Password, E> {
                Ok(Password(value.to_owned()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Password, E> {
                Ok(Password(value))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Password, E> {
                Err(E::custom(NOT_A_STRING))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Password, E> {
                Err(E::custom(NOT_A_STRING))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Password, E> {
                Err(E::custom(NOT_A_STRING))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Password, E> {
                Err(E::custom(NOT_A_STRING))
            }
        }

        deserializer.deserialize_any(PasswordVisitor)
    }
}

const NOT_A_STRING: &str = "invalid type: expected a string";

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn common_passwords() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

/// Number of entries in the shipped common-password list.
pub fn common_password_count() -> usize {
    common_passwords().len()
}

/// Every rule of the policy the password breaks, as messages for the client (empty = ok).
/// `email` lets the policy refuse a password built from the account's own name.
pub fn policy_violations(password: &str, email: Option<&Email>) -> Vec<String> {
    let mut problems = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        problems.push(format!("must be at least {MIN_LENGTH} characters long"));
    }
    if length > MAX_LENGTH {
        problems.push(format!("must be at most {MAX_LENGTH} characters long"));
    }
    if !password.chars().any(|c| c.is_ascii_lowercase()) {
        problems.push("must contain a lower-case letter (a-z)".to_owned());
    }
    if !password.chars().any(|c| c.is_ascii_uppercase()) {
        problems.push("must contain an upper-case letter (A-Z)".to_owned());
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push("must contain a digit".to_owned());
    }
    if !password.chars().any(|c| !c.is_ascii_alphanumeric()) {
        problems.push("must contain a special character".to_owned());
    }
    let lowered = password.to_lowercase();
    if common_passwords().contains(&lowered) {
        problems.push("is too common".to_owned());
    }
    if let Some(email) = email {
        let local = email.local_part().to_lowercase();
        if local.chars().count() >= 4 && lowered.contains(&local) {
            problems.push("must not contain the email address".to_owned());
        }
    }
    problems
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(
        ARGON2_MEMORY_KIB,
        ARGON2_ITERATIONS,
        ARGON2_PARALLELISM,
        None,
    )
    .expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| anyhow::anyhow!("argon2 hashing failed: {err}"))
}

fn verify_now(password: &str, encoded_hash: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(encoded_hash)
        .map_err(|err| anyhow::anyhow!("stored password hash is malformed: {err}"))?;
    Ok(argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// A hash of a random password, computed once, that unknown emails are checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 16] = rand::random();
        hash_now(&format!("{random:?}")).expect("hashing a random password works")
    })
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Semaphore::new(cores.max(2))
    })
}

async fn run_limited<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = permits().acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of a new random-salted hash.
pub async fn hash(password: Password) -> anyhow::Result<String> {
    run_limited(move || hash_now(password.expose())).await?
}

/// Whether `password` matches `stored`; with no stored hash (unknown user) it verifies
/// against the dummy hash and answers `false`, taking the same time.
pub async fn verify(password: Password, stored: Option<String>) -> anyhow::Result<bool> {
    run_limited(move || match stored {
        Some(stored) => verify_now(password.expose(), &stored),
        None => verify_now(password.expose(), dummy_hash()).map(|_| false),
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strong_password_passes() {
        assert!(policy_violations("Tr1cky-Horse-Battery", None).is_empty());
        assert!(policy_violations("Ünïcode-Pässwörd-42", None).is_empty());
    }

    #[test]
    fn each_rule_is_reported() {
        let cases = [
            ("Sh0rt!pass", "at least 12"),
            ("alllowercase-123", "upper-case"),
            ("ALLUPPERCASE-123", "lower-case"),
            ("No-Digits-Here!", "digit"),
            ("NoSpecials12345", "special"),
            ("Password123!", "too common"),
            ("pASSWORD123!", "too common"),
        ];
        for (password, expected) in cases {
            let problems = policy_violations(password, None);
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{password}: {problems:?}"
            );
        }
        let long = format!("Aa1!{}", "x".repeat(MAX_LENGTH));
        assert!(policy_violations(&long, None)
            .iter()
            .any(|p| p.contains("at most")));
    }

    #[test]
    fn the_email_local_part_is_refused() {
        let email = Email::parse("margaret@example.com").unwrap();
        let problems = policy_violations("Margaret-2026!x", Some(&email));
        assert!(problems.iter().any(|p| p.contains("email")), "{problems:?}");
    }

    #[test]
    fn the_common_list_is_large_enough_and_lower_cased() {
        assert!(common_password_count() >= 100);
        assert!(common_passwords().contains("p@ssw0rd123!"));
    }

    #[test]
    fn a_non_string_password_is_refused_without_quoting_it() {
        for value in [
            serde_json::json!(987654321),
            serde_json::json!(1.5),
            serde_json::json!(true),
        ] {
            let err = serde_json::from_value::<Password>(value.clone()).expect_err("refused");
            assert!(!err.to_string().contains(&value.to_string()), "{err}");
        }
        let ok: Password = serde_json::from_value(serde_json::json!("Tr1cky-Horse")).unwrap();
        assert_eq!(ok.expose(), "Tr1cky-Horse");
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert_eq!(
            format!("{:?}", Password::new("hunter2-Secret!")),
            "Password(***)"
        );
    }

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let first = hash(Password::new("Correct-Horse-42")).await.unwrap();
        let second = hash(Password::new("Correct-Horse-42")).await.unwrap();
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "salted");
        assert!(
            verify(Password::new("Correct-Horse-42"), Some(first.clone()))
                .await
                .unwrap()
        );
        assert!(!verify(Password::new("Wrong-Horse-42"), Some(first))
            .await
            .unwrap());
        assert!(!verify(Password::new("Correct-Horse-42"), None)
            .await
            .unwrap());
    }
}
