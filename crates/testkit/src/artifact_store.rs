//! An artifact store in memory: files are invisible until kept, and dropped unkept files leave
//! nothing behind.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use paddock_ports::outbound::{ArtifactStore, NewArtifactFile, StoreError};

#[derive(Debug, Default)]
struct Files {
    kept: HashMap<String, Vec<u8>>,
    /// Files being written (not yet kept), by number.
    open: HashMap<u64, ()>,
}

/// Every file in memory.
#[derive(Debug, Default, Clone)]
pub struct MemoryArtifactStore {
    files: Arc<Mutex<Files>>,
    next: Arc<AtomicU64>,
}

impl MemoryArtifactStore {
    fn files(&self) -> std::sync::MutexGuard<'_, Files> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The keys of the kept files, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.files().kept.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// How many files are being written and neither kept nor dropped.
    pub fn open_files(&self) -> usize {
        self.files().open.len()
    }
}

struct MemoryFile {
    store: MemoryArtifactStore,
    number: u64,
    data: Vec<u8>,
}

impl Write for MemoryFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MemoryFile {
    fn drop(&mut self) {
        self.store.files().open.remove(&self.number);
    }
}

impl NewArtifactFile for MemoryFile {
    fn keep(mut self: Box<Self>) -> Result<String, StoreError> {
        let key = format!("memory/{}", self.number);
        let data = std::mem::take(&mut self.data);
        self.store.files().kept.insert(key.clone(), data);
        Ok(key)
    }
}

impl ArtifactStore for MemoryArtifactStore {
    fn create(&self) -> Result<Box<dyn NewArtifactFile>, StoreError> {
        let number = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        self.files().open.insert(number, ());
        Ok(Box::new(MemoryFile {
            store: self.clone(),
            number,
            data: Vec::new(),
        }))
    }

    fn open(&self, key: &str) -> Result<Option<Box<dyn Read + Send>>, StoreError> {
        Ok(self
            .files()
            .kept
            .get(key)
            .map(|data| Box::new(Cursor::new(data.clone())) as Box<dyn Read + Send>))
    }

    fn remove(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.files().kept.remove(key).is_some())
    }
}
