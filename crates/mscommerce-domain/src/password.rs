//! What a new password must be: long enough, and not one that guessers try first. Passwords set before these
//! rules keep working; the rules apply where a password is chosen (user creation, a password change, the admin
//! command line, the bootstrap administrator's).

use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

/// The shortest password allowed, in characters (Unicode scalar values, so "é" counts once).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The list of common passwords, lowercased, one per line, gzip-compressed as its origin ships it (see
/// `data/common-passwords.ORIGIN.md` for where it comes from and its licence).
const COMMON_PASSWORDS_GZ: &[u8] = include_bytes!("../data/common-passwords.txt.gz");

/// Why a new password is refused. Its text says which rule failed and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    #[error(
        "A password needs at least {MIN_PASSWORD_CHARS} characters; this one has {chars}. A few words with \
         spaces between them make a long password that is easy to remember."
    )]
    TooShort { chars: usize },
    #[error(
        "This password is on a list of common passwords that guessers try first (compared without regard to \
         case). Choose another one of at least {MIN_PASSWORD_CHARS} characters."
    )]
    Common,
}

/// Checks a password being chosen: at least [`MIN_PASSWORD_CHARS`] characters, and not on the list of common
/// passwords in any case.
pub fn check_new_password(password: &str) -> Result<(), PasswordRuleError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordRuleError::TooShort { chars });
    }
    if common_passwords().contains(password.to_lowercase().as_str()) {
        return Err(PasswordRuleError::Common);
    }
    Ok(())
}

/// The list, decompressed once on first use (about 20,000 entries, 160 KB).
fn common_passwords() -> &'static HashSet<Box<str>> {
    static LIST: OnceLock<HashSet<Box<str>>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        flate2::read::GzDecoder::new(COMMON_PASSWORDS_GZ)
            .read_to_string(&mut text)
            .expect("the embedded list of common passwords is valid gzip and UTF-8");
        text.lines()
            .filter(|line| !line.is_empty())
            .map(Box::from)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_long_and_lowercase() {
        let list = common_passwords();
        assert!(list.len() >= 10_000, "{} entries", list.len());
        assert!(list.iter().all(|p| p.to_lowercase() == **p));
        assert!(list.contains("password") && list.contains("12345678"));
    }

    #[test]
    fn short_passwords_are_refused_with_their_length() {
        let error = check_new_password("Tr0ub4dor&3").unwrap_err();
        assert_eq!(error, PasswordRuleError::TooShort { chars: 11 });
        assert!(error
            .to_string()
            .contains("at least 12 characters; this one has 11"));
        assert_eq!(
            check_new_password("password"),
            Err(PasswordRuleError::TooShort { chars: 8 })
        );
        // Characters, not bytes: twelve accented letters are long enough.
        assert_eq!(check_new_password("éèêëéèêëéèêë"), Ok(()));
        assert!(check_new_password("éèêëéèêëéèê").is_err());
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for password in [
            "qwerty123456",
            "QWERTY123456",
            "Qwerty123456",
            "1q2w3e4r5t6y",
        ] {
            assert_eq!(
                check_new_password(password),
                Err(PasswordRuleError::Common),
                "{password}"
            );
        }
        assert!(PasswordRuleError::Common.to_string().contains("common"));
    }

    #[test]
    fn long_uncommon_passwords_are_accepted() {
        // The test fixtures' passwords among them.
        for password in [
            "Bootstrap-Passw0rd",
            "User-Passw0rd-123",
            "correct horse battery staple",
            "Tr0ub4dor&3x",
        ] {
            assert_eq!(check_new_password(password), Ok(()), "{password}");
        }
    }
}
