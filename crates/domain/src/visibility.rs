//! Visibility of groups and projects.

/// Who may see a group or project without being a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Visibility {
    /// Members only.
    Private,
    /// Any signed-in user.
    Internal,
    /// Anyone, signed in or not.
    Public,
}

/// The text is not `private`, `internal` or `public`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown visibility {0:?}")]
pub struct UnknownVisibility(pub String);

impl Visibility {
    pub const ALL: [Visibility; 3] = [
        Visibility::Private,
        Visibility::Internal,
        Visibility::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Internal => "internal",
            Visibility::Public => "public",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownVisibility> {
        match text {
            "private" => Ok(Visibility::Private),
            "internal" => Ok(Visibility::Internal),
            "public" => Ok(Visibility::Public),
            other => Err(UnknownVisibility(other.to_owned())),
        }
    }

    /// Whether a non-member sees it: signed-in users see internal and public, anonymous
    /// visitors only public.
    pub fn visible_to_non_member(self, signed_in: bool) -> bool {
        match self {
            Visibility::Public => true,
            Visibility::Internal => signed_in,
            Visibility::Private => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_unknown() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Ok(v));
        }
        assert!(Visibility::parse("secret").is_err());
        assert!(Visibility::parse("Public").is_err());
    }

    #[test]
    fn non_member_visibility() {
        let table = [
            (Visibility::Private, true, false),
            (Visibility::Private, false, false),
            (Visibility::Internal, true, true),
            (Visibility::Internal, false, false),
            (Visibility::Public, true, true),
            (Visibility::Public, false, true),
        ];
        for (v, signed_in, expected) in table {
            assert_eq!(
                v.visible_to_non_member(signed_in),
                expected,
                "{v:?} {signed_in}"
            );
        }
    }
}
