//! A `redis-server` of the test's own on a free loopback port, stopped when
//! dropped. Without the program, a test fails under CI (`CI=true`), where
//! `.ci/run` installs it, and elsewhere is skipped with a message saying so.

// Each target that includes this file uses a different part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// A server on a port no one uses; `None` when there is no
    /// `redis-server` and this is not CI (the reason is printed).
    pub fn start() -> Option<RedisServer> {
        // The port is free when asked; another program could take it before
        // the server binds, so a server that does not come up is tried again.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a loopback port")
                .port();
            match RedisServer::start_on(port) {
                Started::Up(server) => return Some(server),
                Started::Missing => return None,
                Started::Down => continue,
            }
        }
        panic!("redis-server did not come up on three free ports");
    }

    /// A server on `port` again (after [`RedisServer::kill`]).
    pub fn restart(port: u16) -> RedisServer {
        match RedisServer::start_on(port) {
            Started::Up(server) => server,
            _ => panic!("redis-server did not come back on port {port}"),
        }
    }

    fn start_on(port: u16) -> Started {
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("redis-server is not installed; .ci/run installs it (apt-get install redis-server)");
                }
                eprintln!("skipped: redis-server is not installed (apt-get install redis-server)");
                return Started::Missing;
            }
            Err(e) => panic!("cannot run redis-server: {e}"),
        };
        let mut server = RedisServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if server.pings() {
                return Started::Up(server);
            }
            if server.child.try_wait().ok().flatten().is_some() {
                return Started::Down;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        server.stop();
        Started::Down
    }

    fn pings(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server now, as a crash would.
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

enum Started {
    Up(RedisServer),
    Missing,
    Down,
}
