//! The first start: the secret key, `root` and the instance registration token. Generated
//! secrets are written to files of mode 0600 in the data directory; the log says where, never
//! what.

use std::io::Write;
use std::path::Path;

use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{BootstrapRequest, InstanceUseCases};

use crate::adapters::SecretKey;
use crate::server::{Secrets, StartError};

pub const SECRET_KEY_FILE: &str = "secret_key";
pub const INITIAL_ROOT_TOKEN_FILE: &str = "initial_root_token";
pub const INITIAL_REGISTRATION_TOKEN_FILE: &str = "initial_registration_token";

/// Writes a secret readable by its owner only.
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// `PADDOCK_SECRET_KEY`, else the key in `<data-dir>/secret_key`, else a new one written there.
pub fn secret_key(secrets: &Secrets, data_dir: &Path) -> Result<SecretKey, StartError> {
    if let Some(hex) = &secrets.secret_key {
        return SecretKey::from_hex(hex)
            .map_err(|e| StartError::Setting(format!("PADDOCK_SECRET_KEY: {e}")));
    }
    let path = data_dir.join(SECRET_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => SecretKey::from_hex(&text)
            .map_err(|e| StartError::Setting(format!("the secret key in {}: {e}", path.display()))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            write_secret(&path, &key.to_hex()).map_err(|e| {
                StartError::Setting(format!(
                    "--data-dir (PADDOCK_DATA_DIR): cannot write {}: {e}",
                    path.display()
                ))
            })?;
            tracing::info!(path = %path.display(), "generated the secret key that encrypts registration tokens");
            Ok(key)
        }
        Err(error) => Err(StartError::Setting(format!(
            "--data-dir (PADDOCK_DATA_DIR): cannot read {}: {error}",
            path.display()
        ))),
    }
}

/// Creates what an empty database lacks and writes the generated tokens to their files.
pub fn run(
    app: &dyn InstanceUseCases,
    secrets: &Secrets,
    data_dir: &Path,
) -> Result<(), StartError> {
    let request = BootstrapRequest {
        root_token: secrets.root_token.clone().map(PlainToken::from_user),
        registration_token: secrets
            .registration_token
            .clone()
            .map(PlainToken::from_user),
    };
    let report = app
        .bootstrap(request)
        .map_err(|e| StartError::Bootstrap(e.to_string()))?;
    if report.root_created {
        tracing::info!("bootstrap: created the administrator `root`");
    }
    let files = [
        (
            report.generated_root_token,
            INITIAL_ROOT_TOKEN_FILE,
            "root's personal access token",
        ),
        (
            report.generated_registration_token,
            INITIAL_REGISTRATION_TOKEN_FILE,
            "the instance runner registration token",
        ),
    ];
    for (token, file, what) in files {
        if let Some(token) = token {
            let path = data_dir.join(file);
            write_secret(&path, token.expose()).map_err(|e| {
                StartError::Bootstrap(format!("cannot write {what} to {}: {e}", path.display()))
            })?;
            tracing::info!(path = %path.display(), "bootstrap: wrote {what}");
        }
    }
    if report.registration_token_created && secrets.registration_token.is_some() {
        tracing::info!(
            "bootstrap: stored the instance registration token from PADDOCK_REGISTRATION_TOKEN"
        );
    }
    Ok(())
}
