//! A real SMTP server on loopback for tests: `aiosmtpd` (PyPI), started as a child process. It
//! stores every message it accepts; [`SmtpServer::messages`] reads them back.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SERVER: &str = r#"
import sys, time
from aiosmtpd.controller import Controller

class Store:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "ab") as f:
            f.write(envelope.content + b"\n--realname-test-message--\n")
        return "250 OK"

controller = Controller(Store(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
time.sleep(600)
"#;

/// A running aiosmtpd; stopped on drop.
pub struct SmtpServer {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    mailbox: PathBuf,
}

impl SmtpServer {
    /// Starts one on a free port and waits until it accepts.
    ///
    /// # Panics
    /// When `python3` or `aiosmtpd` is missing (`pip install aiosmtpd`; `.ci/run` does).
    #[must_use]
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mailbox =
            std::env::temp_dir().join(format!("realname-smtp-{}.mbox", uuid::Uuid::new_v4()));
        let mut child = Command::new("python3")
            .args(["-c", SERVER, &port.to_string()])
            .arg(&mailbox)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("aiosmtpd starts");
        assert_eq!(
            line.trim(),
            "ready",
            "aiosmtpd did not start: pip install aiosmtpd"
        );
        Self {
            child,
            port,
            mailbox,
        }
    }

    /// `smtp://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far, raw.
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        std::fs::read_to_string(&self.mailbox)
            .unwrap_or_default()
            .split("\n--realname-test-message--\n")
            .filter(|m| !m.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Waits up to `timeout` for at least `count` messages.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<String> {
        crate::eventually(timeout, || self.messages(), |m| m.len() >= count).await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.mailbox);
    }
}
