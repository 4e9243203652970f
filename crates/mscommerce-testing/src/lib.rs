//! Test support shared by the store's integration tests and the black-box tests of the binary: temporary folders
//! and throwaway PostgreSQL databases. It depends on no mscommerce crate, so that any of them may use it in tests.

pub mod postgres;

use std::path::PathBuf;

use uuid::Uuid;

/// A new folder under the system's temporary folder, removed when dropped (also while a failed test unwinds).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path =
            std::env::temp_dir().join(format!("mscommerce-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
