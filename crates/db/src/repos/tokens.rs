use chrono::{DateTime, Utc};
use diesel::prelude::*;
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::token::TokenDigest;
use paddock_domain::{TokenId, UserId};
use paddock_ports::RepoResult;
use paddock_ports::outbound::{NewPersonalAccessToken, PersonalAccessTokenRepository};

use super::DbStore;
use crate::models::{TokenRow, all, naive};
use crate::schema::personal_access_tokens as pat;

impl PersonalAccessTokenRepository for DbStore {
    fn create_token(&self, new: NewPersonalAccessToken) -> RepoResult<PersonalAccessToken> {
        let id: i64 = self.run(|conn| {
            diesel::insert_into(pat::table)
                .values((
                    pat::user_id.eq(new.user_id.0),
                    pat::name.eq(&new.name),
                    pat::token_digest.eq(new.digest.to_hex()),
                    pat::scopes.eq(new.scopes.to_csv()),
                    pat::created_at.eq(naive(new.created_at)),
                    pat::expires_at.eq(new.expires_at.map(naive)),
                    pat::revoked.eq(false),
                ))
                .returning(pat::id)
                .get_result(conn)
        })?;
        Ok(PersonalAccessToken {
            id: TokenId(id),
            user_id: new.user_id,
            name: new.name,
            scopes: new.scopes,
            created_at: new.created_at,
            expires_at: new.expires_at,
            revoked: false,
            last_used_at: None,
        })
    }

    fn token_by_digest(&self, digest: &TokenDigest) -> RepoResult<Option<PersonalAccessToken>> {
        let row = self.run(|conn| {
            pat::table
                .filter(pat::token_digest.eq(digest.to_hex()))
                .select(TokenRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(TokenRow::into_domain).transpose()
    }

    fn tokens_of_user(&self, user: UserId) -> RepoResult<Vec<PersonalAccessToken>> {
        let rows = self.run(|conn| {
            pat::table
                .filter(pat::user_id.eq(user.0))
                .order(pat::id.asc())
                .select(TokenRow::as_select())
                .load(conn)
        })?;
        all(rows, TokenRow::into_domain)
    }

    fn revoke_token(&self, id: TokenId) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::update(pat::table.find(id.0))
                .set(pat::revoked.eq(true))
                .execute(conn)
        })?;
        Ok(n > 0)
    }

    fn touch_token(&self, id: TokenId, at: DateTime<Utc>) -> RepoResult<()> {
        self.run(|conn| {
            diesel::update(pat::table.find(id.0))
                .set(pat::last_used_at.eq(naive(at)))
                .execute(conn)
        })?;
        Ok(())
    }
}
