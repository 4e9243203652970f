//! Rotation of the issuer's signing keys: which key signs, which are only trusted, and when an old one goes.
//!
//! A rotated key is published (and trusted) from the moment it is stored, and starts signing only at its
//! activation time, a propagation delay later, so every replica and every client that caches the JWKS knows it
//! before the first token it signs. The newest key whose activation has come signs. An older key stopped signing
//! when its successor activated; the last token it signed expires at most a token lifetime (plus the clock leeway
//! the verifier grants) after that, so it is kept, for verification only, until then, and removed afterwards.
//! Times are seconds since the Unix epoch, as in a token's `iat` and `exp`.

/// What a key is at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Published and trusted; signs from `signs_from`.
    Next { signs_from: i64 },
    /// Signs new tokens.
    Signing,
    /// Stopped signing; trusted until `verifies_until` for the tokens it signed, then removed.
    Retired { verifies_until: i64 },
    /// Every token it signed has expired: to be removed.
    Expired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next { .. } => "next",
            KeyState::Signing => "signing",
            KeyState::Retired { .. } => "retired",
            KeyState::Expired => "expired",
        }
    }

    /// Whether tokens it signed are accepted (and so whether the JWKS publishes it).
    pub fn is_trusted(self) -> bool {
        self != KeyState::Expired
    }
}

/// The index of the key that signs at `now`, given each key's activation time in ascending order: the newest
/// activated key, or the first when none has activated yet (a clock behind the one that stored it).
pub fn signer_index(activations: &[i64], now: i64) -> usize {
    activations.iter().rposition(|&at| at <= now).unwrap_or(0)
}

/// The state of each key at `now`, given the keys' activation times in ascending order and how long a token stays
/// acceptable after it is signed (`retention`: the token lifetime plus the verifier's leeway).
pub fn key_states(activations: &[i64], now: i64, retention: i64) -> Vec<KeyState> {
    let signer = signer_index(activations, now);
    activations
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            if i == signer {
                KeyState::Signing
            } else if i > signer {
                KeyState::Next { signs_from: at }
            } else {
                // Its successor took over at the successor's activation: no token of this key is newer.
                let verifies_until = activations[i + 1] + retention;
                if now >= verifies_until {
                    KeyState::Expired
                } else {
                    KeyState::Retired { verifies_until }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_publishes_then_signs_then_retires_then_removes() {
        let retention = 3660;
        // One key since 0, a second stored at 1000 to sign from 1600.
        let keys = [0, 1600];
        assert_eq!(
            key_states(&keys, 1000, retention),
            vec![KeyState::Signing, KeyState::Next { signs_from: 1600 }]
        );
        assert_eq!(signer_index(&keys, 1599), 0);
        assert_eq!(signer_index(&keys, 1600), 1);
        assert_eq!(
            key_states(&keys, 1600, retention),
            vec![
                KeyState::Retired {
                    verifies_until: 1600 + retention
                },
                KeyState::Signing
            ]
        );
        assert_eq!(
            key_states(&keys, 1600 + retention - 1, retention)[0],
            KeyState::Retired {
                verifies_until: 1600 + retention
            }
        );
        assert_eq!(
            key_states(&keys, 1600 + retention, retention),
            vec![KeyState::Expired, KeyState::Signing]
        );
        assert!(!KeyState::Expired.is_trusted());
        assert!(KeyState::Next { signs_from: 1 }.is_trusted());
    }

    #[test]
    fn the_first_key_signs_even_before_its_activation() {
        assert_eq!(key_states(&[100], 50, 10), vec![KeyState::Signing]);
        assert_eq!(
            key_states(&[100, 200], 50, 10),
            vec![KeyState::Signing, KeyState::Next { signs_from: 200 }]
        );
        // Two rotations: each old key counts from its own successor's activation.
        assert_eq!(
            key_states(&[0, 100, 200], 205, 10),
            vec![
                KeyState::Expired,
                KeyState::Retired {
                    verifies_until: 210
                },
                KeyState::Signing
            ]
        );
    }
}
