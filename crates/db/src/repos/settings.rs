use diesel::prelude::*;
use paddock_domain::token::TokenDigest;
use paddock_ports::outbound::{HealthCheck, InstanceSettingsRepository, SealedToken};
use paddock_ports::{RepoError, RepoResult};

use super::DbStore;
use crate::schema::instance_settings as settings;

const ROW: i64 = 1;

impl InstanceSettingsRepository for DbStore {
    fn instance_runners_token(&self) -> RepoResult<Option<SealedToken>> {
        let row: Option<(Vec<u8>, String)> = self.run(|conn| {
            settings::table
                .find(ROW)
                .select((
                    settings::runners_token_encrypted,
                    settings::runners_token_digest,
                ))
                .first(conn)
                .optional()
        })?;
        row.map(|(ciphertext, digest)| {
            Ok(SealedToken {
                ciphertext,
                digest: TokenDigest::from_hex(&digest)
                    .map_err(|e| RepoError::Internal(e.to_string()))?,
            })
        })
        .transpose()
    }

    fn init_instance_runners_token(&self, token: &SealedToken) -> RepoResult<bool> {
        let inserted = self.run(|conn| {
            diesel::insert_into(settings::table)
                .values((
                    settings::id.eq(ROW),
                    settings::runners_token_encrypted.eq(&token.ciphertext),
                    settings::runners_token_digest.eq(token.digest.to_hex()),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(n) => Ok(n > 0),
            // Another process stored one first.
            Err(RepoError::Conflict(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    fn set_instance_runners_token(&self, token: &SealedToken) -> RepoResult<()> {
        let updated = self.run(|conn| {
            diesel::update(settings::table.find(ROW))
                .set((
                    settings::runners_token_encrypted.eq(&token.ciphertext),
                    settings::runners_token_digest.eq(token.digest.to_hex()),
                ))
                .execute(conn)
        })?;
        if updated == 0 {
            self.init_instance_runners_token(token)?;
        }
        Ok(())
    }
}

impl HealthCheck for DbStore {
    fn ping(&self) -> RepoResult<()> {
        self.run(|conn| diesel::sql_query("SELECT 1").execute(conn))?;
        Ok(())
    }
}
