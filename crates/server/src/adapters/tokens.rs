use paddock_domain::token::{PlainToken, TOKEN_BODY_LEN, TokenKind};
use paddock_ports::outbound::TokenGenerator;
use rand::Rng;
use rand::distr::Alphanumeric;

/// Tokens from the operating system's cryptographically secure generator: the kind's prefix
/// and 20 alphanumeric characters (about 119 bits).
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomTokens;

impl TokenGenerator for RandomTokens {
    fn generate(&self, kind: TokenKind) -> PlainToken {
        let body: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(TOKEN_BODY_LEN)
            .map(char::from)
            .collect();
        PlainToken::compose(kind, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_prefix_and_are_unique() {
        let a = RandomTokens.generate(TokenKind::PersonalAccess);
        let b = RandomTokens.generate(TokenKind::PersonalAccess);
        assert!(a.expose().starts_with("glpat-"));
        assert_eq!(a.expose().len(), "glpat-".len() + TOKEN_BODY_LEN);
        assert_ne!(a, b);
    }
}
