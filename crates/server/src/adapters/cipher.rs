use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use paddock_domain::token::PlainToken;
use paddock_ports::outbound::{CipherError, SecretCipher};
use rand::RngCore;

const NONCE_LEN: usize = 12;

/// The 32-byte key that encrypts registration tokens at rest (`PADDOCK_SECRET_KEY`).
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 64 hexadecimal digits (32 bytes)")]
pub struct SecretKeyError;

impl SecretKey {
    pub fn from_hex(text: &str) -> Result<Self, SecretKeyError> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut key).map_err(|_| SecretKeyError)?;
        Ok(Self(key))
    }

    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// AES-256-GCM; a stored value is a random 12-byte nonce followed by the ciphertext and tag.
#[derive(Clone)]
pub struct AesGcmCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for AesGcmCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesGcmCipher")
    }
}

impl AesGcmCipher {
    pub fn new(key: &SecretKey) -> Self {
        Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key.0)),
        }
    }
}

impl SecretCipher for AesGcmCipher {
    fn seal(&self, plain: &PlainToken) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce cannot fail for inputs of this size.
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.expose().as_bytes())
            .unwrap_or_default();
        [nonce.as_slice(), sealed.as_slice()].concat()
    }

    fn open(&self, sealed: &[u8]) -> Result<PlainToken, CipherError> {
        if sealed.len() <= NONCE_LEN {
            return Err(CipherError);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| CipherError)?;
        String::from_utf8(plain)
            .map(PlainToken::from_user)
            .map_err(|_| CipherError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_with_the_same_key_only() {
        let key = SecretKey::generate();
        let cipher = AesGcmCipher::new(&key);
        let token = PlainToken::from_user("GR1348941secret");
        let sealed = cipher.seal(&token);
        assert!(
            !sealed.windows(6).any(|w| w == b"secret"),
            "the ciphertext hides the text"
        );
        assert_eq!(cipher.open(&sealed), Ok(token.clone()));
        assert_ne!(cipher.seal(&token), sealed, "a fresh nonce each time");
        let other = AesGcmCipher::new(&SecretKey::generate());
        assert_eq!(other.open(&sealed), Err(CipherError));
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(cipher.open(&tampered), Err(CipherError));
    }

    #[test]
    fn keys_are_64_hex_digits() {
        let key = SecretKey::generate();
        assert!(SecretKey::from_hex(&key.to_hex()).is_ok());
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(!format!("{key:?}").contains(&key.to_hex()));
    }
}
