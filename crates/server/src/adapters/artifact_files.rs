//! The artifact store on the local filesystem: files under `<data-dir>/artifacts/<aa>/<key>`,
//! written to `<data-dir>/artifacts/tmp/` first and moved into place by an atomic rename once
//! whole, so that a reader never sees a partial file.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use paddock_ports::outbound::{ArtifactStore, NewArtifactFile, StoreError};
use rand::Rng;

/// Files left in `tmp/` longer than this are from an interrupted process.
const STALE_UPLOAD: Duration = Duration::from_secs(24 * 3600);

/// Artifact files in a directory.
#[derive(Debug, Clone)]
pub struct ArtifactFiles {
    root: PathBuf,
}

/// 32 random hex digits.
fn new_name() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

impl ArtifactFiles {
    /// The store under `dir` (created if missing); stale partial uploads are removed.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let store = Self {
            root: dir.to_path_buf(),
        };
        fs::create_dir_all(store.tmp())?;
        for entry in fs::read_dir(store.tmp())?.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| SystemTime::now().duration_since(at).ok())
                .is_some_and(|age| age > STALE_UPLOAD);
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(store)
    }

    fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where a key's file is; `None` for anything but a key this store made.
    fn path(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.root.join(&key[..2]).join(key))
    }
}

/// A file being written in `tmp/`, removed unless kept.
struct PartFile {
    store: ArtifactFiles,
    part: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl Write for PartFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.writer {
            Some(writer) => writer.write(buf),
            None => Err(std::io::Error::other("the file is closed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

impl NewArtifactFile for PartFile {
    fn keep(mut self: Box<Self>) -> Result<String, StoreError> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| StoreError("the file is closed".into()))?;
        let file = writer
            .into_inner()
            .map_err(|e| StoreError(e.error().to_string()))?;
        file.sync_all()?;
        drop(file);
        let key = new_name();
        let path = self
            .store
            .path(&key)
            .ok_or_else(|| StoreError("a key was malformed".into()))?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::rename(&self.part, &path)?;
        Ok(key)
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        // Kept files were renamed away; anything else is a refused or broken upload.
        self.writer = None;
        let _ = fs::remove_file(&self.part);
    }
}

impl ArtifactStore for ArtifactFiles {
    fn create(&self) -> Result<Box<dyn NewArtifactFile>, StoreError> {
        let part = self.tmp().join(format!("{}.part", new_name()));
        let file = File::options().write(true).create_new(true).open(&part)?;
        Ok(Box::new(PartFile {
            store: self.clone(),
            part,
            writer: Some(BufWriter::with_capacity(256 * 1024, file)),
        }))
    }

    fn open(&self, key: &str) -> Result<Option<Box<dyn Read + Send>>, StoreError> {
        let Some(path) = self.path(key) else {
            return Ok(None);
        };
        match File::open(path) {
            Ok(file) => Ok(Some(Box::new(file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn remove(&self, key: &str) -> Result<bool, StoreError> {
        let Some(path) = self.path(key) else {
            return Ok(false);
        };
        match fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn read(store: &ArtifactFiles, key: &str) -> Option<Vec<u8>> {
        let mut content = Vec::new();
        store.open(key).unwrap()?.read_to_end(&mut content).unwrap();
        Some(content)
    }

    fn tmp_entries(store: &ArtifactFiles) -> usize {
        fs::read_dir(store.tmp()).unwrap().count()
    }

    #[test]
    fn kept_files_are_read_back_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactFiles::open(&dir.path().join("artifacts")).unwrap();
        let mut file = store.create().unwrap();
        file.write_all(b"hello ").unwrap();
        file.write_all(b"world").unwrap();
        assert_eq!(tmp_entries(&store), 1);
        let key = file.keep().unwrap();
        assert_eq!(tmp_entries(&store), 0);
        assert_eq!(read(&store, &key), Some(b"hello world".to_vec()));
        assert!(store.remove(&key).unwrap());
        assert!(!store.remove(&key).unwrap());
        assert_eq!(read(&store, &key), None);
    }

    #[test]
    fn dropped_files_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactFiles::open(dir.path()).unwrap();
        let mut file = store.create().unwrap();
        file.write_all(&[7; 1000]).unwrap();
        drop(file);
        assert_eq!(tmp_entries(&store), 0);
    }

    #[test]
    fn keys_it_did_not_make_name_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactFiles::open(dir.path()).unwrap();
        for key in [
            "../secret_key",
            "",
            "tmp",
            "0123456789abcdef0123456789abcdeg",
        ] {
            assert!(store.open(key).unwrap().is_none(), "{key}");
            assert!(!store.remove(key).unwrap(), "{key}");
        }
    }
}
