//! A real SMTP server on loopback, for the mail dispatcher's tests.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::free_port;
use crate::TempDir;

/// A real SMTP server on loopback (aiosmtpd, from PyPI) that stores what it receives in a Maildir.
pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    pub maildir: PathBuf,
    _dir: TempDir,
}

impl SmtpServer {
    /// A port for a server that will start later (to test delivery while it is down).
    pub fn reserve_port() -> u16 {
        free_port()
    }

    pub async fn start(port: u16) -> SmtpServer {
        crate::python::ensure_module("aiosmtpd", "aiosmtpd");
        let dir = TempDir::new();
        // aiosmtpd creates the Maildir itself and refuses one that exists without its subfolders.
        let maildir = dir.0.join("maildir");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        SmtpServer {
            child: Some(child),
            port,
            maildir,
            _dir: dir,
        }
    }

    /// Every message received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut messages: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        messages.sort();
        messages
    }

    /// Waits until `count` messages have arrived (or panics after `seconds`).
    pub async fn wait_for(&self, count: usize, seconds: u64) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} messages arrived",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Environment that points a server's dispatcher at an SMTP server on loopback, retrying quickly.
pub fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("MSCOMMERCE_SMTP_HOST", "127.0.0.1".into()),
        ("MSCOMMERCE_SMTP_PORT", port.to_string()),
        ("MSCOMMERCE_SMTP_TLS", "none".into()),
        ("MSCOMMERCE_MAIL_POLL_INTERVAL_MS", "100".into()),
        ("MSCOMMERCE_MAIL_RETRY_BASE_SECONDS", "1".into()),
        ("MSCOMMERCE_MAIL_RETRY_MAX_SECONDS", "2".into()),
    ]
}

/// A header's value in a raw message.
pub fn header_of<'m>(message: &'m str, name: &str) -> Option<&'m str> {
    message.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}
