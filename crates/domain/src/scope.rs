//! Personal access token scopes and what each lets a request do.

use std::fmt;

/// A scope a personal access token can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Full read and write access to the API.
    Api,
    /// Read access to the whole API.
    ReadApi,
    /// Read access to users (`/user`, `/users`).
    ReadUser,
    /// Create runners (`POST /user/runners`).
    CreateRunner,
    /// Manage runners by id (`/runners/:id...`).
    ManageRunner,
    /// Admin mode. Paddock runs with admin mode off, so administrators are administrators
    /// with any scope; the scope is accepted for compatibility.
    AdminMode,
}

/// The text is not a known scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?}")]
pub struct UnknownScope(pub String);

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Api,
        Scope::ReadApi,
        Scope::ReadUser,
        Scope::CreateRunner,
        Scope::ManageRunner,
        Scope::AdminMode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Api => "api",
            Scope::ReadApi => "read_api",
            Scope::ReadUser => "read_user",
            Scope::CreateRunner => "create_runner",
            Scope::ManageRunner => "manage_runner",
            Scope::AdminMode => "admin_mode",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownScope> {
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownScope(text.to_owned()))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a route needs from the token that authenticates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiredAccess {
    /// Reading any API resource (GET).
    Read,
    /// Changing any API resource.
    Write,
    /// Reading users: `GET /user`, `GET /users...`.
    ReadUser,
    /// `POST /user/runners`.
    CreateRunner,
    /// `/runners/:id` and the routes below it; `write` for PUT, DELETE and POST.
    ManageRunner { write: bool },
}

impl RequiredAccess {
    /// The scope GitLab names in its `insufficient_scope` answer.
    pub fn wanted_scope(self) -> Scope {
        match self {
            RequiredAccess::Read | RequiredAccess::Write => Scope::Api,
            RequiredAccess::ReadUser => Scope::ReadUser,
            RequiredAccess::CreateRunner => Scope::CreateRunner,
            RequiredAccess::ManageRunner { .. } => Scope::ManageRunner,
        }
    }
}

/// A token's set of scopes, kept sorted and without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<Scope>);

/// A token must carry at least one scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no scopes given")]
pub struct EmptyScopes;

impl Scopes {
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, EmptyScopes> {
        let mut all: Vec<Scope> = scopes.into_iter().collect();
        all.sort();
        all.dedup();
        if all.is_empty() {
            return Err(EmptyScopes);
        }
        Ok(Self(all))
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// Comma-separated, for storage.
    pub fn to_csv(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn from_csv(text: &str) -> Result<Self, UnknownScope> {
        let scopes = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Scope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::new(scopes).unwrap_or_default())
    }

    /// Whether a request that needs `access` may be made with these scopes.
    pub fn allow(&self, access: RequiredAccess) -> bool {
        let has = |s| self.contains(s);
        match access {
            RequiredAccess::Read => has(Scope::Api) || has(Scope::ReadApi),
            RequiredAccess::Write => has(Scope::Api),
            RequiredAccess::ReadUser => {
                has(Scope::Api) || has(Scope::ReadApi) || has(Scope::ReadUser)
            }
            RequiredAccess::CreateRunner => has(Scope::Api) || has(Scope::CreateRunner),
            RequiredAccess::ManageRunner { write } => {
                has(Scope::Api) || has(Scope::ManageRunner) || (!write && has(Scope::ReadApi))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[Scope]) -> Scopes {
        Scopes::new(list.iter().copied()).unwrap_or_default()
    }

    #[test]
    fn names_round_trip() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Ok(s));
        }
        assert!(Scope::parse("sudo").is_err());
        assert!(Scope::parse("API").is_err());
    }

    #[test]
    fn csv_round_trip_sorts_and_dedups() {
        let s = Scopes::from_csv("read_api, api,api").unwrap_or_default();
        assert_eq!(s.to_csv(), "api,read_api");
        assert!(Scopes::from_csv("api,bogus").is_err());
        assert_eq!(Scopes::new([]), Err(EmptyScopes));
    }

    #[test]
    fn access_matrix() {
        use RequiredAccess as A;
        let accesses = [
            A::Read,
            A::Write,
            A::ReadUser,
            A::CreateRunner,
            A::ManageRunner { write: false },
            A::ManageRunner { write: true },
        ];
        // Expected, in the order of `accesses`.
        let table: [(Scope, [bool; 6]); 6] = [
            (Scope::Api, [true, true, true, true, true, true]),
            (Scope::ReadApi, [true, false, true, false, true, false]),
            (Scope::ReadUser, [false, false, true, false, false, false]),
            (
                Scope::CreateRunner,
                [false, false, false, true, false, false],
            ),
            (
                Scope::ManageRunner,
                [false, false, false, false, true, true],
            ),
            (Scope::AdminMode, [false, false, false, false, false, false]),
        ];
        for (scope, expected) in table {
            for (access, want) in accesses.iter().zip(expected) {
                assert_eq!(
                    scopes(&[scope]).allow(*access),
                    want,
                    "{scope:?} {access:?}"
                );
            }
        }
    }
}
